"""Port of qdrant/qdrant tests/openapi/test_batch_update.py. Left out: the operation that upserts point 9 with only
a sparse vector and the check of that sparse vector (no sparse vectors in Quiver)."""
from operator import itemgetter

import pytest

from qdrant_setup import basic_collection_setup, drop_collection


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def assert_points(api, name, points, nonexisting_ids=None, with_vectors=False):
    ids = [p["id"] for p in points] + list(nonexisting_ids or [])
    if not with_vectors:
        for p in points:
            p["vector"] = None
    status, body = api.post("/collections/%s/points" % name,
                            json={"ids": ids, "with_vector": with_vectors, "with_payload": True})
    assert status == 200
    for point, expected in zip(sorted(body["result"], key=itemgetter("id")), sorted(points, key=itemgetter("id"))):
        assert point.get("id") == expected.get("id")
        assert point.get("payload") == expected.get("payload")
        assert point.get("vector") == expected.get("vector")


def batch(api, name, operations, wait=True):
    status, body = api.post("/collections/%s/points/batch%s" % (name, "?wait=true" if wait else ""),
                            json={"operations": operations})
    assert status == 200, body


def test_batch_update(api, collection_name):
    """test_batch_update.py::test_batch_update"""
    n = collection_name
    batch(api, n, [
        {"upsert": {"points": [{"id": 7, "vector": [1.0, 2.0, 3.0, 4.0], "payload": {}}]}},
        {"upsert": {"points": [{"id": 8, "vector": [1.0, 2.0, 3.0, 4.0], "payload": {}}]}},
        {"delete": {"points": [8]}},
        {"upsert": {"points": [{"id": 7, "vector": [2.0, 1.0, 3.0, 4.0], "payload": {}}]}},
        {"delete": {"points": [10]}},
    ])
    assert_points(api, n, [{"id": 7, "vector": [2.0, 1.0, 3.0, 4.0], "payload": {}}],
                  nonexisting_ids=[8], with_vectors=True)
    status, body = api.post("/collections/%s/points" % n, json={"ids": [10]})
    assert status == 200 and body["result"] == []

    batch(api, n, [
        {"update_vectors": {"points": [{"id": 7, "vector": [1.0, 2.0, 3.0, 4.0]}]}},
        {"update_vectors": {"points": [{"id": 7, "vector": [9.0, 2.0, 4.0, 2.0]}]}},
    ])
    assert_points(api, n, [{"id": 7, "vector": [9.0, 2.0, 4.0, 2.0], "payload": {}}],
                  nonexisting_ids=[8], with_vectors=True)

    # upsert a point and delete its vector in one batch: it stays, with no vector
    batch(api, n, [
        {"upsert": {"points": [{"id": 9, "vector": [0.0, 5.0, 2.0, 1.0], "payload": {}}]}},
        {"delete_vectors": {"points": [9], "vector": [""]}},
    ])
    assert_points(api, n, [{"id": 7, "vector": [9.0, 2.0, 4.0, 2.0], "payload": {}},
                           {"id": 9, "vector": {}, "payload": {}}],
                  nonexisting_ids=[8], with_vectors=True)


def test_batch_update_payload(api, collection_name):
    """test_batch_update.py::test_batch_update_payload"""
    n = collection_name
    batch(api, n, [
        {"overwrite_payload": {"payload": {"test_payload": "1"}, "points": [1]}},
        {"overwrite_payload": {"payload": {"test_payload": "2"}, "points": [2]}},
    ])
    assert_points(api, n, [{"id": 1, "payload": {"test_payload": "1"}, "vector": None},
                           {"id": 2, "payload": {"test_payload": "2"}, "vector": None}])
    batch(api, n, [{"clear_payload": {"points": [1]}}, {"clear_payload": {"points": [2]}}])
    assert_points(api, n, [{"id": 1, "payload": {}}, {"id": 2, "payload": {}}])
    batch(api, n, [
        {"overwrite_payload": {"payload": {"test_payload_1": "1"}, "points": [1]}},
        {"set_payload": {"payload": {"test_payload_2": "2", "test_payload_3": "3"}, "points": [1]}},
        {"delete_payload": {"keys": ["test_payload_2"], "points": [1]}},
    ])
    assert_points(api, n, [{"id": 1, "payload": {"test_payload_1": "1", "test_payload_3": "3"}}])
