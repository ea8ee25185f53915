"""Port of qdrant/qdrant tests/openapi/test_nesting_nested_payload_query.py (nested inside nested, with an index
on `arr1[].arr2[].a`)."""
import pytest

from qdrant_setup import drop_collection, scroll


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    drop_collection(api, collection_name)
    assert api.put("/collections/%s" % collection_name, json={
        "vectors": {"size": 4, "distance": "Dot", "on_disk": False}, "on_disk_payload": True})[0] == 200
    assert api.get("/collections/%s" % collection_name)[0] == 200
    status, body = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": 1, "vector": [0.05, 0.61, 0.76, 0.74], "payload": {"arr1": [
            {"arr2": [{"a": 1, "b": 2}]}, {"arr2": [{"a": 3, "b": 4}, {"a": 5, "b": 6}]}]}},
        {"id": 2, "vector": [0.15, 0.71, 0.78, 0.24], "payload": {"arr1": [
            {"arr2": [{"a": 2, "b": 3}]}, {"arr2": [{"a": 3, "b": 5}, {"a": 5, "b": 7}]}]}},
    ]})
    assert status == 200, body
    yield
    drop_collection(api, collection_name)


def nested(key, **flt):
    return {"nested": {"key": key, "filter": flt}}


def points(api, name, cond):
    status, body = scroll(api, name, {"filter": {"must": [cond]}, "limit": 3})
    assert status == 200, body
    return body["result"]["points"]


def m(key, value):
    return {"key": key, "match": {"value": value}}


def test_nesting_nested_payload_query_operations(api, collection_name):
    """test_nesting_nested_payload_query.py::test_nesting_nested_payload_query_operations"""
    n = collection_name
    assert api.get("/collections/%s" % n)[0] == 200
    assert api.put("/collections/%s/index?wait=true" % n,
                   json={"field_name": "arr1[].arr2[].a", "field_schema": "integer"})[0] == 200
    status, body = api.get("/collections/%s" % n)
    schema = body["result"]["payload_schema"]["arr1[].arr2[].a"]
    assert schema["data_type"] == "integer"
    assert schema["points"] == 2
    assert len(points(api, n, nested("arr1", must=[m("arr2[].a", 5)]))) == 2  # with index
    assert len(points(api, n, nested("arr1", must=[m("arr2[].a", 4)]))) == 0
    assert len(points(api, n, nested("arr1", must=[m("arr2[].b", 6)]))) == 1  # without index
    assert len(points(api, n, nested("arr1[].arr2", must=[m("b", 8)]))) == 0
    assert len(points(api, n, nested("arr1", must=[nested("arr2", must=[m("a", 5)])]))) == 2
    p = points(api, n, nested("arr1", must=[nested("arr2", must=[m("a", 5), m("b", 6)])]))
    assert len(p) == 1 and p[0]["id"] == 1
    assert len(points(api, n, nested("arr1", must=[nested("arr2", should=[m("a", 5), m("b", 6)])]))) == 2
