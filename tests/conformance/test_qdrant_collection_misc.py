"""Ports of qdrant/qdrant tests/openapi/test_geo_payload_index.py, test_collection_created_at.py and
test_init_from_collection.py."""
from datetime import datetime, timedelta, timezone

import pytest

from qdrant_setup import basic_collection_setup, drop_collection


def test_geo_payload_index(api, collection_name):
    """test_geo_payload_index.py::test_payload_operations: geo index over single and array locations, then a
    delete by filter"""
    basic_collection_setup(api, collection_name)
    try:
        status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
            {"id": 1001, "vector": [1.05, 1.61, 1.76, 0.74], "payload": {"location": {"lon": 13.4, "lat": 52.5}}},
            {"id": 1002, "vector": [1.19, 1.81, 1.75, 0.11],
             "payload": {"location": [{"lon": 13.4, "lat": 52.1}, {"lon": 13.2, "lat": 52.5}]}},
            {"id": 1003, "vector": [1.36, 1.55, 1.47, 0.94], "payload": {"location": {"lon": 13.4, "lat": 12.5}}},
            {"id": 1004, "vector": [1.18, 1.01, 1.85, 0.80], "payload": {"location": {"lon": 12.4, "lat": 52.5}}},
            {"id": 1005, "vector": [1.24, 1.18, 1.22, 0.44],
             "payload": {"location": [{"lon": 12.1, "lat": 62.5}, {"lon": 13.4, "lat": 52.5}]}},
        ]})
        assert status == 200, body
        status, body = api.put("/collections/%s/index?wait=true" % collection_name,
                               json={"field_name": "location", "field_schema": "geo"})
        assert status == 200, body
        status, body = api.post("/collections/%s/points/delete?wait=true" % collection_name,
                                json={"filter": {"must": [{"has_id": [1004]}]}})
        assert status == 200, body
    finally:
        drop_collection(api, collection_name)


@pytest.mark.xfail(strict=True, reason="collection info has no `created_at` (and PATCH does not keep `metadata`)")
def test_collection_created_at(api, collection_name):
    """test_collection_created_at.py::test_collection_created_at"""
    basic_collection_setup(api, collection_name)
    try:
        def created_at():
            status, body = api.get("/collections/%s" % collection_name)
            assert status == 200
            return body["result"]["created_at"]
        first = created_at()
        age = datetime.now(timezone.utc) - datetime.fromisoformat(first)
        assert timedelta(0) <= age < timedelta(minutes=1)
        status, body = api.patch("/collections/%s" % collection_name, json={"metadata": {"key": "value"}})
        assert status == 200, body
        assert created_at() == first  # config rewrites keep the creation time
    finally:
        drop_collection(api, collection_name)


SOURCE = "source_test_init_from_collection"
TARGET = "test_init_from_collection"


def create(api, name, vectors, init_from=None):
    drop_collection(api, name)
    body = {"vectors": vectors}
    if init_from is not None:
        body["init_from"] = {"collection": init_from}
    return api.put("/collections/%s" % name, json=body)


# Quiver refuses `init_from` (400, "not supported yet") rather than create an empty collection, so the cases that
# expect a failure pass without checking Qdrant's reasons (404 for a missing source, 400 for a config mismatch).
NO_INIT_FROM = pytest.mark.xfail(strict=True, reason="init_from (copy a collection at creation) not implemented")


@pytest.mark.parametrize("ok,source,size,distance", [
    pytest.param(True, SOURCE, 4, "Dot", marks=NO_INIT_FROM),
    (False, "i-do-not-exist", 4, "Dot"),  # nonexistent source collection
    (False, SOURCE, 8, "Dot"),  # bad size
    (False, SOURCE, 4, "Cosine"),  # bad distance
])
def test_init_from_collection(api, ok, source, size, distance):
    """test_init_from_collection.py::test_init_from_collection"""
    try:
        assert create(api, SOURCE, {"size": 4, "distance": "Dot"})[0] == 200
        status, body = create(api, TARGET, {"size": size, "distance": distance}, init_from=source)
        assert (status == 200) == ok, body
    finally:
        drop_collection(api, TARGET)
        drop_collection(api, SOURCE)


@NO_INIT_FROM
def test_init_from_collection_multivec(api):
    """test_init_from_collection.py::test_init_from_collection_multivec (named vectors)"""
    config = {"image": {"size": 4, "distance": "Dot"}, "audio": {"size": 8, "distance": "Dot"}}
    try:
        assert create(api, SOURCE, config)[0] == 200
        status, body = create(api, TARGET, config, init_from=SOURCE)
        assert status == 200, body
        larger = dict(config, video={"size": 16, "distance": "Dot"})  # source is a subset of the target
        assert create(api, SOURCE, config)[0] == 200
        status, body = create(api, TARGET, larger, init_from=SOURCE)
        assert status == 200, body
        bad = dict(larger, audio={"size": 9, "distance": "Dot"})  # changes the size of an existing vector
        assert create(api, SOURCE, config)[0] == 200
        status, body = create(api, TARGET, bad, init_from=SOURCE)
        assert status != 200
    finally:
        drop_collection(api, TARGET)
        drop_collection(api, SOURCE)
