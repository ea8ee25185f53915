"""Port of qdrant/qdrant tests/openapi/test_payload_operations.py: set (POST) / overwrite (PUT) / delete / clear
payload by ids and by filter, `key` paths (nested, `[0]`, `[]`, missing), idempotence, and payload indexes that
follow overwritten nested values. Writes use wait=true (Qdrant's test relies on its helper's timing)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, scroll


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def payload_of(api, name, pid):
    status, body = api.get("/collections/%s/points/%d" % (name, pid))
    assert status == 200, body
    return body["result"]["payload"]


def write(api, method, name, path, body):
    status, res = api.request(method, "/collections/%s/points/%s?wait=true" % (name, path), json=body)
    assert status == 200, res


def count_matching(api, name, key, value):
    status, body = scroll(api, name, {"filter": {"must": [{"key": key, "match": {"value": value}}]}})
    assert status == 200, body
    return len(body["result"]["points"])


def test_payload_operations(api, collection_name):
    """test_payload_operations.py::test_payload_operations"""
    n = collection_name
    write(api, "POST", n, "payload", {"payload": {"test_payload": "keyword"}, "points": [6]})
    assert len(payload_of(api, n, 6)) == 1
    write(api, "POST", n, "payload/clear", {"filter": {"must": [{"has_id": [6]}]}})
    assert len(payload_of(api, n, 6)) == 0
    write(api, "POST", n, "payload", {"payload": {"test_payload": "keyword"}, "points": [6]})
    write(api, "POST", n, "payload/delete", {"keys": ["test_payload"], "points": [6]})
    assert len(payload_of(api, n, 6)) == 0

    # PUT (overwrite) vs POST (set)
    write(api, "PUT", n, "payload", {"payload": {"key1": "aaa", "key2": "bbb"}, "points": [6]})
    assert len(payload_of(api, n, 6)) == 2
    write(api, "POST", n, "payload", {"payload": {"key1": "ccc"}, "points": [6]})
    p = payload_of(api, n, 6)
    assert len(p) == 2 and p["key1"] == "ccc" and p["key2"] == "bbb"
    write(api, "PUT", n, "payload", {"payload": {"key2": "eee"}, "points": [6]})
    p = payload_of(api, n, 6)
    assert len(p) == 1 and p["key2"] == "eee"

    # set by ids, then by filter
    write(api, "POST", n, "payload", {"payload": {"key4": "aaa"}, "points": [1, 2, 3]})
    assert count_matching(api, n, "key4", "aaa") == 3
    write(api, "POST", n, "payload", {"payload": {"key5": "bbb"},
                                      "filter": {"must": [{"key": "key4", "match": {"value": "aaa"}}]}})
    assert count_matching(api, n, "key5", "bbb") == 3

    # `key: null` sets at the top level
    write(api, "POST", n, "payload", {"payload": {"key6": "xxx"}, "points": [1], "key": None})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"] == "xxx"
    write(api, "POST", n, "payload", {"payload": {"key6": {
        "subkey": "xxx", "arraykey": [{"a1": {"a1k": "xxx"}}, {"a2": {"a2k": "xxx"}}],
        "subkey2": {"subkey3": "xxx"}}}, "points": [1]})
    write(api, "POST", n, "payload", {"payload": {"subkey": "yyy"}, "points": [1], "key": "key6"})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"]["subkey"] == "yyy"
    write(api, "POST", n, "payload", {"payload": {"subkey3": "yyy"}, "points": [1], "key": "key6.subkey2"})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"]["subkey2"]["subkey3"] == "yyy"
    write(api, "POST", n, "payload", {"payload": {"a1k": "yyy"}, "points": [1], "key": "key6.arraykey[0].a1"})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"]["arraykey"][0]["a1"]["a1k"] == "yyy"
    write(api, "POST", n, "payload", {"payload": {"a2k": "yyy"}, "points": [1], "key": "key6.arraykey[].a2"})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"]["arraykey"][1]["a2"]["a2k"] == "yyy"
    write(api, "POST", n, "payload", {"payload": {"key": "xxx"}, "points": [1], "key": "key6.subkey7"})
    p = payload_of(api, n, 1)
    assert len(p) == 5 and p["key6"]["subkey7"]["key"] == "xxx"

    # idempotence
    for _ in range(2):
        write(api, "POST", n, "payload", {"payload": {"key": "xxx"}, "points": [9], "key": "key"})
        p = payload_of(api, n, 9)
        assert len(p) == 1 and p["key"] == {"key": "xxx"}

    write(api, "POST", n, "payload/delete", {"keys": ["key5"],
                                             "filter": {"must": [{"key": "key5", "match": {"value": "bbb"}}]}})
    assert count_matching(api, n, "key5", "bbb") == 0


def test_payload_index_overwrite(api, collection_name):
    """test_payload_operations.py::test_payload_index_overwrite: setting `a: {y: 1}` replaces `a: {x: 1}`, and
    integer indexes on the nested keys follow."""
    n = collection_name
    drop_collection(api, n)
    assert api.put("/collections/%s" % n, json={"vectors": {"size": 4, "distance": "Dot"}})[0] == 200
    for field in ["a.x", "a.y", "b", "nested.a.x", "nested.a.y", "nested.b"]:
        assert api.put("/collections/%s/index?wait=true" % n,
                       json={"field_name": field, "field_schema": "integer"})[0] == 200
    status, body = api.put("/collections/%s/points?wait=true" % n, json={"points": [
        {"id": 1, "vector": [1, 2, 3, 4],
         "payload": {"a": {"x": 1}, "b": 1, "nested": {"a": {"x": 1}, "b": 1}}}]})
    assert status == 200, body
    write(api, "POST", n, "payload", {"payload": {"a": {"y": 1}}, "points": [1]})
    assert count_matching(api, n, "a.x", 1) == 0
    assert count_matching(api, n, "a.y", 1) == 1
    write(api, "POST", n, "payload", {"payload": {"a": {"y": 1}}, "points": [1], "key": "nested"})
    assert count_matching(api, n, "nested.a.x", 1) == 0
    assert count_matching(api, n, "nested.a.y", 1) == 1
