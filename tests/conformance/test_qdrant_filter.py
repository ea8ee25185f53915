"""Ports of qdrant/qdrant tests/openapi/test_filter.py, test_filter_is_empty.py, test_filter_min_should.py and
test_match_any_empty.py (the strict-mode and formula-query cases of the last are left out: no strict mode,
no formula queries in Quiver)."""
import pytest

from qdrant_setup import (basic_collection_setup, drop_collection, multipayload_collection_setup, query, scroll,
                          search)

Q = [0.2, 0.1, 0.9, 0.7]


class TestFilter:
    """tests/openapi/test_filter.py"""

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api, collection_name):
        basic_collection_setup(api, collection_name)
        yield
        drop_collection(api, collection_name)

    def test_match_any(self, api, collection_name):
        """test_filter.py::test_match_any"""
        status, body = query(api, collection_name, {
            "query": Q, "limit": 3, "filter": {"must": [{"key": "city", "match": {"any": ["London", "Moscow"]}}]}})
        assert status == 200
        assert len(body["result"]["points"]) == 3
        ids = [x["id"] for x in body["result"]["points"]]
        assert 2 in ids and 3 in ids and 4 in ids

    def test_just_key(self, api, collection_name):
        """test_filter.py::test_just_key: a condition with only `key` is a 422 validation error."""
        status, body = query(api, collection_name, {
            "query": Q, "limit": 3, "filter": {"must": [{"key": "city"}]}})
        assert status == 422
        error = body["status"]["error"]
        assert "Validation error in JSON body" in error
        assert "At least one field condition must be specified" in error


class TestFilterIsEmpty:
    """tests/openapi/test_filter_is_empty.py"""

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api, collection_name):
        drop_collection(api, collection_name)
        assert api.put("/collections/%s" % collection_name,
                       json={"vectors": {"size": 3, "distance": "Dot"}})[0] == 200
        assert api.get("/collections/%s" % collection_name)[0] == 200
        assert api.put("/collections/%s/index?wait=true" % collection_name,
                       json={"field_name": "a", "field_schema": "keyword"})[0] == 200
        assert api.put("/collections/%s/points?wait=true" % collection_name, json={"points": [
            {"id": 1, "vector": [0.05, 0.61, 0.76]},
            {"id": 2, "vector": [0.19, 0.81, 0.75]},
            {"id": 3, "vector": [0.36, 0.55, 0.47]},
        ]})[0] == 200
        yield
        drop_collection(api, collection_name)

    def test_filter_is_empty(self, api, collection_name):
        """test_filter_is_empty.py::test_filter_is_empty (is_empty on an indexed field no point has)"""
        status, body = query(api, collection_name, {
            "filter": {"must": [{"is_empty": {"key": "a"}}]}, "query": [0.1, 0.1, 0.1], "limit": 2})
        assert status == 200
        assert len(body["result"]["points"]) == 2, body


MIN_SHOULD = {
    "conditions": [
        {"key": "city", "match": {"any": ["Berlin", "Moscow"]}},
        {"key": "color", "match": {"value": "red"}},
        {"key": "count", "match": {"value": 0}},
    ],
    "min_count": 2,
}


class TestMinShould:
    """tests/openapi/test_filter_min_should.py"""

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api, collection_name):
        multipayload_collection_setup(api, collection_name)
        yield
        drop_collection(api, collection_name)

    def test_min_should_never(self, api, collection_name):
        """test_filter_min_should.py::test_min_should_never"""
        status, body = query(api, collection_name, {"filter": {"min_should": {"conditions": [
            {"has_id": [1, 2]}, {"has_id": [4, 5, 6]}, {"has_id": [7, 8, 9, 10]}], "min_count": 2}}, "limit": 100})
        assert status == 200
        assert len(body["result"]["points"]) == 0

    def test_min_should(self, api, collection_name):
        """test_filter_min_should.py::test_min_should"""
        status, body = search(api, collection_name, {
            "vector": Q, "with_payload": ["city", "color", "count", "price"], "limit": 6,
            "filter": {"min_should": MIN_SHOULD}})
        assert status == 200
        assert len(body["result"]) == 6
        ids = [x["id"] for x in body["result"]]
        for i in (1, 4, 5, 6, 7, 8):
            assert i in ids

    def test_min_should_combined_with_must(self, api, collection_name):
        """test_filter_min_should.py::test_min_should_combined_with_must"""
        status, body = search(api, collection_name, {
            "vector": Q, "with_payload": ["city", "color", "count", "price"], "limit": 2,
            "filter": {"min_should": MIN_SHOULD, "must": [
                {"key": "price", "range": {"gt": None, "gte": 50.0, "lt": None, "lte": 200.0}}]}})
        assert status == 200
        assert len(body["result"]) == 2
        ids = [x["id"] for x in body["result"]]
        assert 7 in ids and 8 in ids

    def test_nested_min_should(self, api, collection_name):
        """test_filter_min_should.py::test_nested_min_should"""
        status, body = search(api, collection_name, {
            "vector": Q, "with_payload": ["city", "color", "count", "price"], "limit": 2,
            "filter": {"must_not": [{"min_should": MIN_SHOULD}]}})
        assert status == 200
        assert len(body["result"]) == 2
        ids = [x["id"] for x in body["result"]]
        assert 2 in ids and 3 in ids

    def test_missing_min_count(self, api, collection_name):
        """test_filter_min_should.py::test_missing_min_count: min_should without min_count is a 400."""
        status, _ = search(api, collection_name, {
            "vector": Q, "limit": 3,
            "filter": {"min_should": {"conditions": [{"key": "city", "match": {"any": ["London", "Moscow"]}}]}}})
        assert status == 400


class TestMatchAnyEmpty:
    """tests/openapi/test_match_any_empty.py (sections 1-5; the strict-mode section 6 is skipped)"""
    NAME = "test_match_any_empty"

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api):
        drop_collection(api, self.NAME)
        assert api.put("/collections/%s" % self.NAME, json={"vectors": {"size": 2, "distance": "Dot"}})[0] == 200
        assert api.put("/collections/%s/points?wait=true" % self.NAME, json={"points": [
            {"id": 1, "vector": [1.0, 0.0], "payload": {"n": 1, "tag": "a", "uid": "550e8400-e29b-41d4-a716-446655440001"}},
            {"id": 2, "vector": [0.0, 1.0], "payload": {"n": 2, "tag": "b", "uid": "550e8400-e29b-41d4-a716-446655440002"}},
            {"id": 3, "vector": [1.0, 1.0], "payload": {"n": 3, "tag": "c", "uid": "550e8400-e29b-41d4-a716-446655440003"}},
        ]})[0] == 200
        yield
        drop_collection(api, self.NAME)

    def ids(self, api, flt):
        status, body = scroll(api, self.NAME, {"filter": flt, "limit": 10, "with_payload": True})
        assert status == 200, body
        return sorted(p["id"] for p in body["result"]["points"])

    def check_empty_and_values(self, api, values):
        for key in ("n", "tag", "uid"):
            assert self.ids(api, {"must": [{"key": key, "match": {"any": []}}]}) == []
        for key, any_, want in values:
            assert self.ids(api, {"must": [{"key": key, "match": {"any": any_}}]}) == want

    def test_match_any_no_index(self, api):
        """test_match_any_empty.py::test_match_any_empty_{integer,keyword,uuid}_no_index,
        test_match_any_{integers,strings}_no_index"""
        self.check_empty_and_values(api, [("n", [1], [1]), ("tag", ["a"], [1])])

    def test_match_any_with_index(self, api):
        """test_match_any_empty.py::test_create_indexes, test_match_any_empty_*_with_index,
        test_match_any_{integers,strings}_with_index"""
        for field, schema in (("n", "integer"), ("tag", "keyword"), ("uid", "uuid")):
            assert api.put("/collections/%s/index?wait=true" % self.NAME,
                           json={"field_name": field, "field_schema": schema})[0] == 200
        self.check_empty_and_values(api, [("n", [1, 2], [1, 2]), ("tag", ["a", "b"], [1, 2])])
        # must_not over a no-op condition -> all points (from test_match_any_empty_with_strict_mode_in_must_not,
        # without the strict mode part)
        assert self.ids(api, {"must_not": [{"key": "n", "match": {"any": []}}]}) == [1, 2, 3]


class TestFilterValuesCount:
    """tests/openapi/test_filter_values_count.py"""

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api, collection_name):
        basic_collection_setup(api, collection_name)
        yield
        drop_collection(api, collection_name)

    def test_filter_values_count(self, api, collection_name):
        """test_filter_values_count.py::test_filter_values_count"""
        def run(cond):
            status, body = search(api, collection_name, {
                "vector": Q, "limit": 3, "filter": {"must": [{"key": "city", "values_count": cond}]}})
            assert status == 200
            return body["result"]
        assert len(run({"gt": 2})) == 0
        res = run({"gte": 2})
        assert len(res) == 3
        ids = [x["id"] for x in res]
        assert 2 in ids and 3 in ids and 4 in ids
        res = run({"lt": 2})
        assert len(res) == 3
        assert res[0]["id"] == 1


class TestMatchExceptEmpty:
    """tests/openapi/test_match_except_empty.py: `except: []` excludes nothing, with and without an index."""
    NAME = "test_match_except_empty"

    @pytest.fixture(autouse=True, scope="class")
    def setup(self, api):
        drop_collection(api, self.NAME)
        assert api.put("/collections/%s" % self.NAME, json={"vectors": {"size": 2, "distance": "Dot"}})[0] == 200
        assert api.put("/collections/%s/points?wait=true" % self.NAME, json={"points": [
            {"id": 1, "vector": [1.0, 0.0], "payload": {"n": 1, "tag": "a"}},
            {"id": 2, "vector": [0.0, 1.0], "payload": {"n": 2, "tag": "b"}},
            {"id": 3, "vector": [1.0, 1.0], "payload": {"n": 3, "tag": "c"}},
        ]})[0] == 200
        yield
        drop_collection(api, self.NAME)

    def ids(self, api, key):
        status, body = scroll(api, self.NAME, {"filter": {"must": [{"key": key, "match": {"except": []}}]},
                                               "limit": 10, "with_payload": True})
        assert status == 200
        return sorted(p["id"] for p in body["result"]["points"])

    def test_match_except_empty_no_index(self, api):
        """test_match_except_empty.py::test_match_except_empty_{integer,keyword}_no_index"""
        assert self.ids(api, "n") == [1, 2, 3]
        assert self.ids(api, "tag") == [1, 2, 3]

    def test_match_except_empty_with_index(self, api):
        """test_match_except_empty.py::test_match_except_empty_{integer,keyword}_with_index"""
        for field, schema in (("n", "integer"), ("tag", "keyword")):
            assert api.put("/collections/%s/index?wait=true" % self.NAME,
                           json={"field_name": field, "field_schema": schema})[0] == 200
            assert self.ids(api, field) == [1, 2, 3]


class TestIsNullArrayConsistency:
    """tests/openapi/test_is_null_array_consistency.py: is_null matches arrays containing null, indexed or not."""
    POINTS = [
        {"id": 1, "payload": {"s": [None, "a"]}, "vector": [0.2, 0.3]},
        {"id": 2, "payload": {"s": None}, "vector": [0.2, 0.4]},
        {"id": 3, "payload": {"s": ["a"]}, "vector": [0.1, 0.4]},
        {"id": 4, "payload": {"s": [None]}, "vector": [0.1, 0.5]},
    ]

    @pytest.fixture(scope="class")
    def collections(self, api):
        names = ("test_is_null_array_indexed", "test_is_null_array_unindexed")
        for name, indexed in zip(names, (True, False)):
            drop_collection(api, name)
            assert api.put("/collections/%s" % name, json={"vectors": {"size": 2, "distance": "Dot"}})[0] == 200
            if indexed:
                assert api.put("/collections/%s/index?wait=true" % name,
                               json={"field_name": "s", "field_schema": "keyword"})[0] == 200
            assert api.put("/collections/%s/points?wait=true" % name, json={"points": self.POINTS})[0] == 200
        yield names
        for name in names:
            drop_collection(api, name)

    @pytest.mark.parametrize("filter_body", [
        pytest.param({"must": [{"is_null": {"key": "s"}}]}, marks=pytest.mark.xfail(strict=True, reason=(
            "qdrant/qdrant#10096: Qdrant's regression test wants {is_null:{key}} to match [null, ...] like the "
            "shorthand; Quiver's engine (filter_matcher.cpp, IsNullCondition) matches only an explicit null, "
            "as its unit test pins. Engine change for the lead if the target release has the fix."))),
        {"must": [{"key": "s", "is_null": True}]},
    ], ids=["IsNullCondition", "FieldCondition_is_null"])
    def test_is_null_array_consistent_indexed_and_unindexed(self, api, collections, filter_body):
        """test_is_null_array_consistency.py::test_is_null_array_consistent_indexed_and_unindexed"""
        got = []
        for name in collections:
            status, body = scroll(api, name, {"filter": filter_body, "limit": 100, "with_payload": True})
            assert status == 200
            got.append({p["id"] for p in body["result"]["points"]})
        assert got[0] == {1, 2, 4}
        assert got[1] == {1, 2, 4}
        assert got[0] == got[1]
