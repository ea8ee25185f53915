"""Ports of qdrant/qdrant tests/openapi/test_score_threshold.py and test_uuid_ops.py."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, search

Q = [0.2, 0.1, 0.9, 0.7]


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_search_with_threshold(api, collection_name):
    """test_score_threshold.py::test_search_with_threshold"""
    status, body = search(api, collection_name, {"vector": Q, "limit": 3})
    assert status == 200 and len(body["result"]) == 3
    second = body["result"][1]["score"]
    status, body = search(api, collection_name, {"vector": Q, "limit": 3, "score_threshold": second + 0.0001})
    assert status == 200 and len(body["result"]) == 1
    status, body = search(api, collection_name, {"vector": Q, "limit": 3, "score_threshold": second - 0.0001})
    assert status == 200 and len(body["result"]) == 2


def test_uuid_operations(api, collection_name):
    """test_uuid_ops.py::test_uuid_operations"""
    status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": "b524a3c4-c568-4383-8019-c9ca08243d6a", "vector": [0.15, 0.21, 0.96, 0.04],
         "payload": {"city": "Berlin"}},
        {"id": "1d675313-d3dd-4646-8b98-8052364872da", "vector": [0.19, 0.81, 0.75, 0.11],
         "payload": {"city": ["Berlin", "London"]}},
    ]})
    assert status == 200, body
    status, _ = api.get("/collections/%s/points/b524a3c4-c568-4383-8019-c9ca08243d6a" % collection_name)
    assert status == 200
