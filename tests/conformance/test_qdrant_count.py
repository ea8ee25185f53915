"""Port of qdrant/qdrant tests/openapi/test_count.py."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection

LONDON_OR_BERLIN = {"should": [{"key": "city", "match": {"value": "London"}},
                               {"key": "city", "match": {"value": "Berlin"}}]}


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_exact_count_search(api, collection_name):
    """test_count.py::test_exact_count_search"""
    status, body = api.post("/collections/%s/points/count" % collection_name, json={"filter": LONDON_OR_BERLIN})
    assert status == 200
    assert body["result"]["count"] == 4


def test_approx_count_search(api, collection_name):
    """test_count.py::test_approx_count_search"""
    status, body = api.post("/collections/%s/points/count" % collection_name,
                            json={"filter": LONDON_OR_BERLIN, "exact": False})
    assert status == 200
    assert 0 < body["result"]["count"] < 10
