"""Port of qdrant/qdrant tests/openapi/test_collection_exists.py."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection


@pytest.fixture(autouse=True)
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_collection_exists(api, collection_name):
    """test_collection_exists.py::test_collection_exists"""
    status, body = api.get("/collections/%s/exists" % collection_name)
    assert status == 200 and body["result"]["exists"]


def test_collection_not_found(api):
    """test_collection_exists.py::test_collection_not_found"""
    status, body = api.get("/collections/wrong/exists")
    assert status == 200 and not body["result"]["exists"]


def test_empty_collection_name(api):
    """test_collection_exists.py::test_empty_collection_name: 422 with an error status (not contract-validated,
    as in Qdrant's test)"""
    status, body = api.get("/collections//exists", validate=False)
    assert status == 422
    assert "error" in body["status"]


@pytest.mark.parametrize("invalid_name", ["\t", "\n", "\r", "name\twith\ttabs"])
def test_control_character_collection_name(api, invalid_name):
    """test_collection_exists.py::test_control_character_collection_name"""
    from urllib.parse import quote
    status, body = api.get("/collections/%s/exists" % quote(invalid_name, safe=""), validate=False)
    assert status == 422, "Expected 422 for name: %r" % invalid_name
    assert "error" in body["status"]
