"""Port of qdrant/qdrant tests/openapi/test_alias.py (the collection is named after the module, `test_alias`,
as Qdrant's conftest does; the test searches it by that name)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, search

Q = [0.2, 0.1, 0.9, 0.7]


@pytest.fixture(scope="module")
def collection_name():
    return "test_alias"


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)
    drop_collection(api, collection_name + "_2")
    # Qdrant's suite gets a fresh alias table per test module run; here aliases left by a test are removed
    status, body = api.get("/aliases")
    for a in body["result"]["aliases"]:
        api.post("/collections/aliases", json={"actions": [{"delete_alias": {"alias_name": a["alias_name"]}}]})


def aliases(api, path="/aliases"):
    status, body = api.get(path)
    assert status == 200
    return body["result"]["aliases"]


def test_cant_create_alias_if_collection_exists(api, collection_name):
    """test_alias.py::test_cant_create_alias_if_collection_exists: 409"""
    second = collection_name + "_2"
    basic_collection_setup(api, second)
    status, _ = api.post("/collections/aliases", json={"actions": [
        {"create_alias": {"alias_name": second, "collection_name": collection_name}}]})
    assert status == 409


def test_cant_create_collection_if_alias_exists(api, collection_name):
    """test_alias.py::test_cant_create_collection_if_alias_exists: 400"""
    second = collection_name + "_3"
    assert api.delete("/collections/%s" % second)[0] == 200
    status, _ = api.post("/collections/aliases", json={"actions": [
        {"create_alias": {"alias_name": second, "collection_name": collection_name}}]})
    assert status == 200
    assert len(aliases(api)) == 1
    status, _ = api.put("/collections/%s" % second, json={"vectors": {"size": 4, "distance": "Dot"}})
    assert status == 400


def test_alias_operations(api, collection_name):
    """test_alias.py::test_alias_operations"""
    status, _ = api.post("/collections/aliases", json={"actions": [
        {"create_alias": {"alias_name": "alias", "collection_name": collection_name}}]})
    assert status == 200
    for path in ("/aliases", "/collections/%s/aliases" % collection_name):
        got = aliases(api, path)
        assert len(got) == 1
        assert got[0]["alias_name"] == "alias"
        assert got[0]["collection_name"] == collection_name
    status, body = search(api, collection_name, {"vector": Q, "limit": 3})
    assert status == 200 and len(body["result"]) == 3
    status, body = search(api, "test_alias", {"vector": Q, "limit": 3})
    assert status == 200 and len(body["result"]) == 3
    status, _ = api.post("/collections/aliases", json={"actions": [{"delete_alias": {"alias_name": "alias"}}]})
    assert status == 200
    assert len(aliases(api)) == 0
    status, _ = search(api, "alias", {"vector": Q, "limit": 3})
    assert status == 404
