"""Port of qdrant/qdrant tests/openapi/test_conditional_update.py (`update_filter` on upsert and on vector
updates)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def version_lt(v):
    return {"must": {"key": "version", "range": {"lt": v}}}


def point6(api, name):
    status, body = api.get("/collections/%s/points/6" % name)
    assert status == 200
    return body["result"]


def test_conditional_update(api, collection_name):
    """test_conditional_update.py::test_conditional_update"""
    n = collection_name
    status, body = api.post("/collections/%s/points/payload?wait=true" % n,
                            json={"points": [6], "payload": {"version": 5}})
    assert status == 200, body
    status, body = api.put("/collections/%s/points?wait=true" % n, json={"points": [
        {"id": 6, "vector": [1.1, 1.2, 1.3, 1.4], "payload": {"version": 4, "test": "test_value"}}],
        "update_filter": version_lt(4)})
    assert status == 200, body
    assert point6(api, n)["payload"]["version"] == 5  # not updated
    status, body = api.put("/collections/%s/points?wait=true" % n, json={"points": [
        {"id": 6, "vector": [1.1, 1.2, 1.3, 1.4], "payload": {"version": 6, "test": "test_value"}}],
        "update_filter": version_lt(6)})
    assert status == 200, body
    assert point6(api, n)["payload"]["version"] == 6  # updated
    status, body = api.put("/collections/%s/points/vectors?wait=true" % n, json={
        "points": [{"id": 6, "vector": [2.1, 2.2, 2.3, 2.4]}], "update_filter": version_lt(4)})
    assert status == 200, body
    assert point6(api, n)["vector"][0] < 2.0  # not updated
