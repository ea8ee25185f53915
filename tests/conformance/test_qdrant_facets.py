"""Port of qdrant/qdrant tests/openapi/test_facets.py: /collections/{name}/facet over keyword, integer, uuid and
bool indexes, hits sorted by count then value. The extra points carry a zero vector here (Qdrant's have `{}`,
which its dense+sparse fixture accepts; ours has the dense vector only)."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection

EXTRA = [  # id, integer, uuid, boolean
    (100, 3, "a64a8051-3ee7-4881-8bc6-691d25c70d54", True),
    (101, 3, "a64a8051-3ee7-4881-8bc6-691d25c70d54", True),
    (102, 3, "7cb46fb3-e348-4762-93ad-7fb983d2b85e", False),
    (103, 0, "2b016c50-282c-4d80-b784-cefead291180", True),
    (104, 3, "a64a8051-3ee7-4881-8bc6-691d25c70d54", True),
    (105, 1, "a64a8051-3ee7-4881-8bc6-691d25c70d54", False),
    (106, 2, "7cb46fb3-e348-4762-93ad-7fb983d2b85e", False),
    (107, 0, "a64a8051-3ee7-4881-8bc6-691d25c70d54", True),
]


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    points = [{"id": i, "vector": [0.0, 0.0, 0.0, 0.0], "payload": {"integer": n, "uuid": u, "boolean": b}} for i, n, u, b in EXTRA]
    api.ok("PUT", "/collections/%s/points?wait=true" % collection_name, {"points": points})
    for field, schema in (("city", "keyword"), ("integer", "integer"), ("uuid", "uuid"), ("boolean", "bool")):
        api.ok("PUT", "/collections/%s/index?wait=true" % collection_name,
               {"field_name": field, "field_schema": schema})
    yield
    drop_collection(api, collection_name)


def facet(api, name, body):
    status, res = api.post("/collections/%s/facet" % name, json=body)
    assert status == 200, res
    return res["result"]


def test_basic_facet(api, collection_name):
    """test_facets.py::test_basic_facet"""
    assert facet(api, collection_name, {"key": "city"}) == {"hits": [
        {"value": "Berlin", "count": 3}, {"value": "London", "count": 2}, {"value": "Moscow", "count": 2}]}


def test_integer_facet(api, collection_name):
    """test_facets.py::test_integer_facet"""
    assert facet(api, collection_name, {"key": "integer"}) == {"hits": [
        {"value": 3, "count": 4}, {"value": 0, "count": 2}, {"value": 1, "count": 1}, {"value": 2, "count": 1}]}


def test_uuid_facet(api, collection_name):
    """test_facets.py::test_uuid_facet"""
    assert facet(api, collection_name, {"key": "uuid"}) == {"hits": [
        {"value": "a64a8051-3ee7-4881-8bc6-691d25c70d54", "count": 5},
        {"value": "7cb46fb3-e348-4762-93ad-7fb983d2b85e", "count": 2},
        {"value": "2b016c50-282c-4d80-b784-cefead291180", "count": 1}]}


def test_boolean_facet(api, collection_name):
    """test_facets.py::test_boolean_facet"""
    assert facet(api, collection_name, {"key": "boolean"}) == {"hits": [
        {"value": True, "count": 5}, {"value": False, "count": 3}]}
