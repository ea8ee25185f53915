"""Port of qdrant/qdrant tests/openapi/test_query.py: /points/query against the legacy search/scroll/recommend/
discover routes, its validation messages, `root_and_rescored_query` (each query at the root and over a
`prefetch`, same result), recommend best_score, discovery and context, rrf and dbsf fusion checked against
Qdrant's reference formulas (its helpers.py), mmr, and score_threshold over fusion."""
from math import isclose, sqrt

import pytest

from qdrant_setup import basic_collection_setup, drop_collection, scroll, search

U64_MAX = 18446744073709551615


@pytest.fixture(autouse=True, scope="module")
def setup(api, collection_name):
    basic_collection_setup(api, collection_name)
    status, body = api.put("/collections/%s/index" % collection_name,
                           json={"field_name": "price", "field_schema": "float"})
    assert status == 200, body
    yield
    drop_collection(api, collection_name)


def query(api, name, body):
    return api.post("/collections/%s/points/query" % name, json=body)


def root_query(api, name, q, limit=None, with_payload=None):
    """Qdrant's root_and_rescored_query: the root result must equal the same query over a prefetch."""
    status, body = query(api, name, {"query": q, "limit": limit, "with_payload": with_payload})
    assert status == 200, body
    root = body["result"]["points"]
    status, body = query(api, name, {"prefetch": {"limit": 1000}, "query": q, "with_payload": with_payload})
    assert status == 200, body
    assert body["result"]["points"] == root
    return root


def test_query_validation(api, collection_name):
    """test_query.py::test_query_validation"""
    status, body = query(api, collection_name, {"prefetch": [{"query": {"recommend": {"positive": [1]}}}]})
    assert status != 200
    assert body["status"]["error"] == ("Bad request: A query is needed to merge the prefetches. "
                                       "Can't have prefetches without defining a query.")
    status, body = query(api, collection_name, {"score_threshold": 10})
    assert status != 200
    assert body["status"]["error"] == ("Bad request: A query is needed to use the score_threshold. "
                                       "Can't have score_threshold without defining a query.")
    status, body = query(api, collection_name, {"score_threshold": 10, "query": {"order_by": {"key": "price"}}})
    assert status != 200
    assert body["status"]["error"] == "Bad request: Can't use score_threshold with an order_by query."
    status, body = query(api, collection_name, {"query": {"recommend": {"positive": [1]}}, "limit": 0})
    assert status != 200
    assert body["status"]["error"] == ("Validation error in JSON body: "
                                       "[internal.limit: value 0 invalid, must be 1 or larger]")


@pytest.mark.parametrize("limit", [None, U64_MAX], ids=["default", "u64_max"])
def test_basic_search(api, collection_name, limit):
    """test_query.py::test_basic_search, test_basic_search_high_limit (qdrant/qdrant#5483: no panic on u64::MAX)"""
    status, body = search(api, collection_name, {"vector": [0.1, 0.2, 0.3, 0.4], "limit": limit or 10})
    assert status == 200
    search_result = body["result"]
    assert search_result == root_query(api, collection_name, [0.1, 0.2, 0.3, 0.4], limit=limit)
    assert search_result == root_query(api, collection_name, {"nearest": [0.1, 0.2, 0.3, 0.4]}, limit=limit)


def test_basic_scroll(api, collection_name):
    """test_query.py::test_basic_scroll"""
    status, body = scroll(api, collection_name, {})
    assert status == 200
    scroll_result = body["result"]["points"]
    status, body = query(api, collection_name, {"with_payload": True})
    assert status == 200
    for record, scored in zip(scroll_result, body["result"]["points"]):
        assert record.get("id") == scored.get("id")
        assert record.get("payload") == scored.get("payload")


def test_basic_scroll_offset(api, collection_name):
    """test_query.py::test_basic_scroll_offset"""
    status, body = scroll(api, collection_name, {"offset": 2})  # start at id 2
    assert status == 200
    scroll_result = body["result"]["points"]
    status, body = query(api, collection_name, {"with_payload": True, "offset": 1})  # skip one record
    assert status == 200
    for record, scored in zip(scroll_result, body["result"]["points"]):
        assert record.get("id") == scored.get("id")
        assert record.get("payload") == scored.get("payload")


def test_basic_recommend_avg(api, collection_name):
    """test_query.py::test_basic_recommend_avg"""
    status, body = api.post("/collections/%s/points/recommend" % collection_name,
                            json={"positive": [1, 2, 3, 4], "negative": [3], "limit": 10})
    assert status == 200
    assert body["result"] == root_query(api, collection_name, {"recommend": {"positive": [1, 2, 3, 4],
                                                                             "negative": [3]}})


def test_basic_order_by(api, collection_name):
    """test_query.py::test_basic_order_by"""
    status, body = scroll(api, collection_name, {"order_by": "price"})
    assert status == 200, body
    scroll_result = body["result"]["points"]
    query_result = root_query(api, collection_name, {"order_by": "price"}, with_payload=True)
    for record, scored in zip(scroll_result, query_result):
        assert record.get("id") == scored.get("id")
        assert record.get("payload") == scored.get("payload")


def test_basic_random_query(api, collection_name):
    """test_query.py::test_basic_random_query"""
    orders = set()
    for _ in range(4):
        status, body = query(api, collection_name, {"query": {"sample": "random"}})
        assert status == 200, body
        points = body["result"]["points"]
        assert len(points) == 10
        assert set(p["id"] for p in points) == set(range(1, 11))
        orders.add(str([p["id"] for p in points]))
    assert len(orders) > 1  # the order differs at least once


def test_basic_recommend_best_score(api, collection_name):
    """test_query.py::test_basic_recommend_best_score"""
    status, body = api.post("/collections/%s/points/recommend" % collection_name,
                            json={"positive": [1, 2, 3, 4], "negative": [3], "limit": 10, "strategy": "best_score"})
    assert status == 200
    status, q = query(api, collection_name, {"query": {"recommend": {"positive": [1, 2, 3, 4], "negative": [3],
                                                                     "strategy": "best_score"}}})
    assert status == 200
    assert body["result"] == q["result"]["points"]


def test_basic_discover(api, collection_name):
    """test_query.py::test_basic_discover"""
    status, body = api.post("/collections/%s/points/discover" % collection_name,
                            json={"target": 2, "context": [{"positive": 3, "negative": 4}], "limit": 10})
    assert status == 200
    assert body["result"] == root_query(api, collection_name, {"discover": {
        "target": 2, "context": [{"positive": 3, "negative": 4}]}})


def test_basic_context(api, collection_name):
    """test_query.py::test_basic_context"""
    status, body = api.post("/collections/%s/points/discover" % collection_name,
                            json={"context": [{"positive": 2, "negative": 4}], "limit": 100})
    assert status == 200
    status, q = query(api, collection_name, {"query": {"context": [{"positive": 2, "negative": 4}]}, "limit": 100})
    assert status == 200
    assert {p["id"] for p in body["result"]} == {p["id"] for p in q["result"]["points"]}


def reciprocal_rank_fusion(responses, limit=10):
    """Qdrant's tests/openapi/helpers/helpers.py reference."""
    def compute_score(pos):
        return 1 / (2 + pos)  # ranking constant 2, 0-based position
    scores = {}
    for response in responses:
        for i, p in enumerate(response):
            scores[p["id"]] = scores.get(p["id"], 0) + compute_score(i)
    ranked = sorted(scores.items(), key=lambda t: t[1], reverse=True)
    return [{"id": pid, "score": sc} for pid, sc in ranked][:limit]


def distribution_based_score_fusion(responses, limit=10):
    """Qdrant's tests/openapi/helpers/helpers.py reference."""
    def normalize(scores):
        mean = sum(scores) / len(scores)
        std = sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
        lo, hi = mean - 3 * std, mean + 3 * std
        return [(s - lo) / (hi - lo) for s in scores]
    fused = {}
    for response in responses:
        if not response:
            continue
        for p, n in zip(response, normalize([p["score"] for p in response])):
            fused[p["id"]] = fused.get(p["id"], 0) + n
    ranked = sorted(fused.items(), key=lambda t: t[1], reverse=True)
    return [{"id": pid, "score": sc} for pid, sc in ranked][:limit]


def two_searches(api, name):
    out = []
    for v in ([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]):
        status, body = search(api, name, {"vector": v, "limit": 10})
        assert status == 200
        out.append(body["result"])
    return out


FUSION_PREFETCH = [{"query": [0.1, 0.2, 0.3, 0.4]}, {"query": [0.5, 0.6, 0.7, 0.8]}]


def test_basic_rrf(api, collection_name):
    """test_query.py::test_basic_rrf"""
    expected = reciprocal_rank_fusion(two_searches(api, collection_name), limit=10)
    status, body = query(api, collection_name, {"prefetch": FUSION_PREFETCH, "query": {"fusion": "rrf"}})
    assert status == 200, body
    got = body["result"]["points"]
    for e, r in zip(sorted(expected, key=lambda p: p["id"]), sorted(got, key=lambda p: p["id"])):
        assert e["id"] == r["id"]
        assert isclose(e["score"], r["score"], rel_tol=1e-5)


def test_basic_dbsf(api, collection_name):
    """test_query.py::test_basic_dbsf"""
    expected = distribution_based_score_fusion(two_searches(api, collection_name), limit=10)
    status, body = query(api, collection_name, {"prefetch": FUSION_PREFETCH, "query": {"fusion": "dbsf"}})
    assert status == 200, body
    for p, e in zip(body["result"]["points"], expected):
        assert p["id"] == e["id"]
        assert isclose(p["score"], e["score"], rel_tol=1e-5)


def test_nearest_with_mmr(api, collection_name):
    """test_query.py::test_nearest_with_mmr"""
    v = [0.35, 0.08, 0.11, 0.47]
    status, body = query(api, collection_name, {"query": {"nearest": v}})
    assert status == 200, body
    plain = body["result"]["points"]
    status, body = query(api, collection_name,
                         {"query": {"nearest": v, "mmr": {"diversity": 0.5, "candidates_limit": 100}}})
    assert status == 200, body
    mmr = body["result"]["points"]
    assert [p["id"] for p in plain] != [p["id"] for p in mmr]
    for p in mmr:
        assert p.get("payload") is None
        assert p.get("vector") is None
    status, body = query(api, collection_name, {"query": {"nearest": v, "mmr": {}}})
    assert status == 200, body
    assert body["result"]["points"] == mmr


@pytest.mark.parametrize("body", [{"prefetch": FUSION_PREFETCH, "query": {"fusion": "rrf"}},
                                  {"query": [0.1, 0.2, 0.3, 0.4]}], ids=["rrf", "nearest"])
def test_score_threshold(api, collection_name, body):
    """test_query.py::test_score_threshold"""
    status, res = query(api, collection_name, body)
    assert status == 200, res
    points = res["result"]["points"]
    assert len(points) == 8
    threshold = points[3]["score"]
    status, res = query(api, collection_name, dict(body, score_threshold=threshold))
    assert status == 200, res
    points = res["result"]["points"]
    assert len(points) < 8
    assert all(p["score"] >= threshold for p in points)
