"""Port of qdrant/qdrant tests/openapi/test_validation.py: path, body and query parameter validation errors."""
from urllib.parse import quote

import pytest

from qdrant_setup import basic_collection_setup, drop_collection

LONG_NAME = ("                extremelylongnameextremelylongnameextremelylongname" * 6) + "                "


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_validation_collection_name(api):
    """test_validation.py::test_validation_collection_name: names are limited to 255 characters"""
    status, body = api.get("/collections/%s/points/1" % quote(LONG_NAME, safe=""))
    assert status != 200
    assert "Validation error" in body["status"]["error"]


def test_validation_body_param(api, collection_name):
    """test_validation.py::test_validation_body_param"""
    status, body = api.put("/collections/%s" % collection_name, json={
        "vectors": {"size": 4, "distance": "Dot"}, "hnsw_config": {"ef_construct": 0}})
    assert status != 200
    assert "Validation error" in body["status"]["error"]
    assert "hnsw_config.ef_construct" in body["status"]["error"]


def test_validation_query_param(api, collection_name):
    """test_validation.py::test_validation_query_param"""
    status, body = api.put("/collections/%s?timeout=0" % collection_name,
                           json={"vectors": {"size": 4, "distance": "Dot"}})
    assert status != 200
    assert "Validation error" in body["status"]["error"]
    assert "timeout: value 0 invalid" in body["status"]["error"]
