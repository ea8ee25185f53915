"""Port of qdrant/qdrant tests/openapi/test_filtered_delete.py: 3,000 points in an indexed collection, deleted by
keyword filter in five rounds; nothing is left."""
import random
import time

import pytest

from qdrant_setup import drop_collection


def setup_big_collection(api, name, num_points, dim, keywords=5):
    drop_collection(api, name)
    status, body = api.put("/collections/%s" % name, json={
        "vectors": {"size": dim, "distance": "Dot", "on_disk": False},
        "optimizers_config": {"default_segment_number": 4, "indexing_threshold": 10}})
    assert status == 200, body
    assert api.get("/collections/%s" % name)[0] == 200
    assert api.put("/collections/%s/index?wait=true" % name,
                   json={"field_name": "a", "field_schema": "keyword"})[0] == 200
    rng = random.Random(7)
    points = [{"id": i, "vector": [rng.random() for _ in range(dim)], "payload": {"a": "keyword_%d" % (i % keywords)}}
              for i in range(num_points)]
    for i in range(0, len(points), 100):
        status, body = api.put("/collections/%s/points?wait=true" % name, json={"points": points[i:i + 100]})
        assert status == 200, body


def wait_collection_green(api, name, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        status, body = api.get("/collections/%s" % name)
        assert status == 200
        if body["result"]["status"] == "green":
            return
        assert time.monotonic() < deadline, "collection not green after %ss" % timeout
        time.sleep(0.2)


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    setup_big_collection(api, collection_name, num_points=3000, dim=4)
    wait_collection_green(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_delete_by_payload_filter(api, collection_name):
    """test_filtered_delete.py::test_delete_by_payload_filter"""
    for k in range(5):
        status, _ = api.post("/collections/%s/points/delete?wait=true" % collection_name,
                             json={"filter": {"must": [{"key": "a", "match": {"value": "keyword_%d" % k}}]}})
        assert status == 200
    status, body = api.post("/collections/%s/points/query" % collection_name, json={"limit": 1000})
    assert status == 200
    assert len(body["result"]["points"]) == 0
