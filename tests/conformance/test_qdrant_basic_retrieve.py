"""Port of qdrant/qdrant tests/openapi/test_basic_retrieve_api.py (retrieve, search, scroll, recommend, is_empty,
is_null, nested keys, with_vectors alias) onto Quiver's harness."""
import pytest

from qdrant_setup import basic_collection_setup, drop_collection, scroll, search

Q = [0.2, 0.1, 0.9, 0.7]
LONDON = {"should": [{"key": "city", "match": {"value": "London"}}]}


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    yield
    drop_collection(api, collection_name)


def test_points_retrieve(api, collection_name):
    """test_basic_retrieve_api.py::test_points_retrieve"""
    status, _ = api.get("/collections/%s/points/2" % collection_name)
    assert status == 200
    status, body = api.post("/collections/%s/points" % collection_name, json={"ids": [1, 2]})
    assert status == 200 and len(body["result"]) == 2
    status, body = api.get("/collections/%s" % collection_name)
    assert status == 200 and body["result"]["points_count"] == 10
    status, body = search(api, collection_name, {"vector": Q, "limit": 3})
    assert status == 200 and len(body["result"]) == 3
    status, body = search(api, collection_name, {"filter": LONDON, "vector": Q, "limit": 3})
    assert status == 200
    assert len(body["result"]) == 2  # only 2 London records in collection
    status, body = scroll(api, collection_name, {"offset": 2, "limit": 2, "with_vector": True})
    assert status == 200 and len(body["result"]["points"]) == 2


def test_exclude_payload(api, collection_name):
    """test_basic_retrieve_api.py::test_exclude_payload"""
    status, body = search(api, collection_name, {
        "vector": Q, "limit": 5, "filter": LONDON, "with_payload": {"exclude": ["city"]}})
    assert status == 200
    assert len(body["result"]) > 0
    for result in body["result"]:
        assert "city" not in result["payload"]


def test_batch_search(api, collection_name):
    """test_basic_retrieve_api.py::test_batch_search"""
    status, body = api.post("/collections/%s/points/search/batch" % collection_name, json={"searches": [
        {"vector": Q, "limit": 3},
        {"filter": LONDON, "vector": Q, "limit": 3},
    ]})
    assert status == 200
    assert len(body["result"]) == 2
    assert len(body["result"][0]) == 3
    assert len(body["result"][1]) == 2
    status, body = api.post("/collections/%s/points/search/batch" % collection_name, json={"searches": []})
    assert status == 200
    assert len(body["result"]) == 0


def test_is_empty_condition(api, collection_name):
    """test_basic_retrieve_api.py::test_is_empty_condition"""
    status, body = search(api, collection_name, {
        "vector": Q, "limit": 5, "filter": {"should": [{"is_empty": {"key": "city"}}]}, "with_payload": True})
    assert status == 200
    assert len(body["result"]) == 4
    ids = [x["id"] for x in body["result"]]
    for i in (5, 6, 7, 8):
        assert i in ids
    status, body2 = search(api, collection_name, {
        "vector": Q, "limit": 5, "filter": {"should": [{"key": "city", "is_empty": True}]}, "with_payload": True})
    assert status == 200
    assert ids == [x["id"] for x in body2["result"]]


def test_is_null_condition(api, collection_name):
    """test_basic_retrieve_api.py::test_is_null_condition"""
    status, body = search(api, collection_name, {
        "vector": Q, "limit": 5, "filter": {"should": [{"is_null": {"key": "city"}}]}, "with_payload": True})
    assert status == 200
    assert len(body["result"]) == 1
    ids = [x["id"] for x in body["result"]]
    assert 7 in ids
    status, body2 = search(api, collection_name, {
        "vector": Q, "limit": 5, "filter": {"should": [{"key": "city", "is_null": True}]}, "with_payload": True})
    assert status == 200
    assert ids == [x["id"] for x in body2["result"]]

    # With must_not (as recommended in Qdrant's docs)
    def must_not_is_null(field):
        status, body = search(api, collection_name, {
            "vector": Q, "limit": 5, "filter": {"must_not": [{"is_null": {"key": field}}]}, "with_payload": True})
        assert status == 200
        assert len(body["result"]) == 5
        ids = [x["id"] for x in body["result"]]
        assert 5 not in ids and 6 not in ids and 7 not in ids
        assert 1 in ids and 2 in ids
        status, body2 = search(api, collection_name, {
            "vector": Q, "limit": 5, "filter": {"must": [{"key": field, "is_null": False}]}, "with_payload": True})
        assert status == 200
        assert ids == [x["id"] for x in body2["result"]]

    must_not_is_null("city")
    must_not_is_null("city[]")


def test_recommendation(api, collection_name):
    """test_basic_retrieve_api.py::test_recommendation"""
    status, body = api.post("/collections/%s/points/recommend" % collection_name, json={
        "limit": 3, "negative": [], "positive": [1], "with_vector": False, "with_payload": True})
    assert len(body["result"]) == 3
    assert body["result"][0]["payload"] is not None
    assert status == 200


def test_query_single_condition(api, collection_name):
    """test_basic_retrieve_api.py::test_query_single_condition (`must` given as one condition, not a list)"""
    status, body = search(api, collection_name, {
        "filter": {"must": {"key": "city", "match": {"value": "London"}}}, "vector": Q, "limit": 3})
    assert status == 200
    assert len(body["result"]) == 2


def test_query_nested(api, collection_name):
    """test_basic_retrieve_api.py::test_query_nested"""
    status, _ = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": 8, "vector": [0.15, 0.31, 0.76, 0.74],
         "payload": {"database_id": {"type": "keyword", "value": "8594ff5d-265f-4785-a9f5-b3b4b9665506"}}}]})
    assert status == 200
    status, body = scroll(api, collection_name, {
        "offset": None, "limit": 10, "with_vector": True,
        "filter": {"must": [{"key": "database_id.value",
                             "match": {"value": "8594ff5d-265f-4785-a9f5-b3b4b9665506"}}]}})
    assert status == 200
    assert len(body["result"]["points"]) == 1


def test_with_vectors_alias_of_with_vector(api, collection_name):
    """test_basic_retrieve_api.py::test_with_vectors_alias_of_with_vector"""
    database_id = "8594ff5d-265f-adfh-a9f5-b3b4b9665506"
    vector = [0.15, 0.31, 0.76, 0.74]
    status, _ = api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
        {"id": 8, "vector": vector, "payload": {"database_id": database_id}}]})
    assert status == 200
    for keyword in ("with_vector", "with_vectors"):
        status, body = scroll(api, collection_name, {
            keyword: True, "filter": {"must": [{"key": "database_id", "match": {"value": database_id}}]},
            "limit": 1})
        assert status == 200
        assert body["result"]["points"][0]["vector"] == vector
