"""The rest of Qdrant's universal query: prefetch (nested) with fusion (rrf, dbsf) or rescoring, order_by and
sample queries, recommend strategies best_score / sum_scores, discovery and context queries, lookup_from, groups
(query/search/recommend, with_lookup), facets and the legacy discover routes.

Expected results are computed here from the stored vectors with Qdrant's formulas (score_fusion.rs,
reciprocal_rank_fusion.rs, reco_query.rs, discovery_query.rs, context_query.rs). Collections are small, so every
search is exact."""
import math
from collections import Counter

import pytest

from helpers import rand_vectors, upsert

DIM = 6
N = 120
A = {i + 1: v for i, v in enumerate(rand_vectors(N, DIM, seed=7))}
B = {i + 1: v for i, v in enumerate(rand_vectors(N, DIM, seed=8))}
Q1, Q2 = rand_vectors(2, DIM, seed=9)


def payload_of(pid):
    return {"color": ["red", "green", "blue"][pid % 3], "shop": pid % 7, "price": (pid * 37) % 101,
            "tags": ["t%d" % (pid % 4), "t%d" % (pid % 5)]}


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def ranked(vectors, query, allowed=None, limit=10):
    scored = [(pid, dot(v, query)) for pid, v in vectors.items() if allowed is None or pid in allowed]
    scored.sort(key=lambda t: (-t[1], t[0]))
    return scored[:limit]


def fast_sigmoid(x):
    return x / (1.0 + abs(x))


def scaled_fast_sigmoid(x):
    return 0.5 * (fast_sigmoid(x) + 1.0)


@pytest.fixture(scope="module")
def coll(api):
    name = "adv"
    api.ok("PUT", "/collections/%s" % name,
           {"vectors": {"a": {"size": DIM, "distance": "Dot"}, "b": {"size": DIM, "distance": "Dot"}}})
    pts = [{"id": pid, "vector": {"a": A[pid], "b": B[pid]}, "payload": payload_of(pid)} for pid in A]
    upsert(api, name, pts)
    for field, schema in (("price", "integer"), ("color", "keyword"), ("shop", "integer")):
        api.ok("PUT", "/collections/%s/index?wait=true" % name, {"field_name": field, "field_schema": schema})
    return name


def query(api, coll, body, suffix="query"):
    return api.ok("POST", "/collections/%s/points/%s" % (coll, suffix), body)


def close(a, b, tol=1e-4):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def test_prefetch_rrf_matches_formula(api, coll):
    la, lb = ranked(A, Q1, limit=20), ranked(B, Q2, limit=20)
    expected = Counter()
    for lst in (la, lb):
        for pos, (pid, _) in enumerate(lst):
            expected[pid] += 1.0 / (pos + 2)  # k = 2
    res = query(api, coll, {"prefetch": [{"query": Q1, "using": "a", "limit": 20},
                                         {"query": Q2, "using": "b", "limit": 20}],
                            "query": {"fusion": "rrf"}, "limit": 15})["points"]
    assert len(res) == 15
    want = sorted(expected.items(), key=lambda t: -t[1])
    assert [round(p["score"], 5) for p in res] == [round(s, 5) for _, s in want[:15]]
    for p in res:
        assert close(p["score"], expected[p["id"]])


def test_rrf_parameters_and_weights(api, coll):
    la, lb = ranked(A, Q1, limit=10), ranked(B, Q2, limit=10)
    k, weights = 5, [3.0, 1.0]
    expected = Counter()
    for lst, w in zip((la, lb), weights):
        for pos, (pid, _) in enumerate(lst):
            expected[pid] += 1.0 / ((pos + 1) / w + k - 1)
    res = query(api, coll, {"prefetch": [{"query": Q1, "using": "a"}, {"query": Q2, "using": "b"}],
                            "query": {"rrf": {"k": k, "weights": weights}}, "limit": 20})["points"]
    assert {p["id"] for p in res} == set(expected)
    for p in res:
        assert close(p["score"], expected[p["id"]])
    status, body = api.post("/collections/%s/points/query" % coll,
                            json={"prefetch": [{"query": Q1, "using": "a"}],
                                  "query": {"rrf": {"weights": [1.0, 2.0]}}})
    assert status == 422 and "weights" in body["status"]["error"]


def test_prefetch_dbsf_matches_formula(api, coll):
    lists = [ranked(A, Q1, limit=12), ranked(B, Q2, limit=12)]
    expected = Counter()
    for lst in lists:
        scores = [s for _, s in lst]
        mean = sum(scores) / len(scores)
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1))
        lo, hi = mean - 3 * sd, mean + 3 * sd
        for pid, s in lst:
            expected[pid] += (s - lo) / (hi - lo)
    res = query(api, coll, {"prefetch": [{"query": Q1, "using": "a", "limit": 12},
                                         {"query": Q2, "using": "b", "limit": 12}],
                            "query": {"fusion": "dbsf"}, "limit": 30})["points"]
    assert {p["id"] for p in res} == set(expected)
    assert [p["score"] for p in res] == sorted((p["score"] for p in res), reverse=True)
    for p in res:
        assert close(p["score"], expected[p["id"]], tol=1e-3)


def test_prefetch_then_rescore_with_other_vector(api, coll):
    red = {pid for pid in A if payload_of(pid)["color"] == "red"}
    cands = {pid for pid, _ in ranked(A, Q1, allowed=red, limit=30)}
    want = ranked(B, Q2, allowed=cands, limit=5)
    res = query(api, coll, {"prefetch": {"query": Q1, "using": "a", "limit": 30},
                            "query": Q2, "using": "b", "limit": 5,
                            "filter": {"must": [{"key": "color", "match": {"value": "red"}}]},
                            "with_payload": True})["points"]
    assert [p["id"] for p in res] == [pid for pid, _ in want]
    assert all(close(p["score"], s) for p, (_, s) in zip(res, want))
    assert all(p["payload"]["color"] == "red" for p in res)  # the root filter reaches the prefetch


def test_nested_prefetch(api, coll):
    inner = {pid for pid, _ in ranked(A, Q1, limit=40)}
    middle = {pid for pid, _ in ranked(B, Q2, allowed=inner, limit=10)}
    want = ranked(A, Q2, allowed=middle, limit=3)
    res = query(api, coll, {"prefetch": {"prefetch": {"query": Q1, "using": "a", "limit": 40},
                                         "query": Q2, "using": "b", "limit": 10},
                            "query": Q2, "using": "a", "limit": 3})["points"]
    assert [p["id"] for p in res] == [pid for pid, _ in want]


def test_fusion_needs_prefetch(api, coll):
    status, body = api.post("/collections/%s/points/query" % coll, json={"query": {"fusion": "rrf"}})
    assert status == 400 and "prefetch" in body["status"]["error"]


def test_order_by_query_equals_scroll(api, coll):
    scroll = api.ok("POST", "/collections/%s/points/scroll" % coll,
                    {"order_by": {"key": "price", "direction": "desc"}, "limit": 15, "with_payload": True})
    res = query(api, coll, {"query": {"order_by": {"key": "price", "direction": "desc"}}, "limit": 15,
                            "with_payload": True})["points"]
    assert [p["id"] for p in res] == [p["id"] for p in scroll["points"]]
    prices = [p["payload"]["price"] for p in res]
    assert prices == sorted(prices, reverse=True)
    assert all(p["order_value"] == p["payload"]["price"] for p in res)


def test_sample_random(api, coll):
    seen_orders = set()
    for _ in range(5):
        res = query(api, coll, {"query": {"sample": "random"}, "limit": 200,
                                "filter": {"must": [{"key": "shop", "match": {"value": 3}}]}})["points"]
        shop3 = {pid for pid in A if payload_of(pid)["shop"] == 3}
        assert {p["id"] for p in res} == shop3
        seen_orders.add(tuple(p["id"] for p in res))
    assert len(seen_orders) > 1


@pytest.mark.parametrize("strategy", ["best_score", "sum_scores"])
def test_recommend_strategies(api, coll, strategy):
    pos, neg = [3, 17], [40]
    expected = []
    for pid, v in A.items():
        if pid in pos + neg:
            continue
        ps = [dot(A[e], v) for e in pos]
        ns = [dot(A[e], v) for e in neg]
        if strategy == "sum_scores":
            s = sum(ps) - sum(ns)
        else:
            s = scaled_fast_sigmoid(max(ps)) if max(ps) > max(ns) else -scaled_fast_sigmoid(max(ns))
        expected.append((pid, s))
    expected.sort(key=lambda t: (-t[1], t[0]))
    res = query(api, coll, {"query": {"recommend": {"positive": pos, "negative": neg, "strategy": strategy}},
                            "using": "a", "limit": 8})["points"]
    assert [p["id"] for p in res] == [pid for pid, _ in expected[:8]]
    assert all(close(p["score"], s) for p, (_, s) in zip(res, expected))
    legacy = api.ok("POST", "/collections/%s/points/recommend" % coll,
                    {"positive": pos, "negative": neg, "strategy": strategy, "using": "a", "limit": 8})
    assert [p["id"] for p in legacy] == [p["id"] for p in res]


def discover_expected(target, pairs, exclude):
    out = []
    for pid, v in A.items():
        if pid in exclude:
            continue
        rank = sum(1 if dot(A[p], v) > dot(A[n], v) else -1 for p, n in pairs)
        s = rank + 0.5 * (fast_sigmoid(dot(target, v)) + 1.0) if target is not None else sum(
            fast_sigmoid(min(dot(A[p], v) - dot(A[n], v) - 1.1920929e-07, 0.0)) for p, n in pairs)
        out.append((pid, s))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def test_discover_and_context(api, coll):
    pairs = [(5, 9), (11, 30)]
    ctx = [{"positive": p, "negative": n} for p, n in pairs]
    exclude = {5, 9, 11, 30}
    want = discover_expected(Q1, pairs, exclude)
    res = query(api, coll, {"query": {"discover": {"target": Q1, "context": ctx}}, "using": "a",
                            "limit": 6})["points"]
    assert [p["id"] for p in res] == [pid for pid, _ in want[:6]]
    legacy = api.ok("POST", "/collections/%s/points/discover" % coll,
                    {"target": Q1, "context": ctx, "using": "a", "limit": 6})
    assert [p["id"] for p in legacy] == [p["id"] for p in res]
    want_ctx = discover_expected(None, pairs, exclude)
    res = query(api, coll, {"query": {"context": ctx}, "using": "a", "limit": 5})["points"]
    assert all(close(p["score"], s) for p, (_, s) in zip(res, want_ctx))
    assert all(p["score"] <= 0 for p in res)
    batch = api.ok("POST", "/collections/%s/points/discover/batch" % coll,
                   {"searches": [{"target": Q1, "context": ctx, "using": "a", "limit": 6}]})
    assert [p["id"] for p in batch[0]] == [pid for pid, _ in want[:6]]


def test_lookup_from_other_collection(api, coll):
    api.ok("PUT", "/collections/adv_lookup", {"vectors": {"size": DIM, "distance": "Dot"}})
    upsert(api, "adv_lookup", [{"id": 1, "vector": Q1}])
    want = ranked(A, Q1, limit=5)
    res = query(api, coll, {"query": 1, "using": "a", "limit": 5,
                            "lookup_from": {"collection": "adv_lookup"}})["points"]
    assert [p["id"] for p in res] == [pid for pid, _ in want]  # point 1 of `adv` is not excluded
    status, body = api.post("/collections/%s/points/query" % coll,
                            json={"query": 1, "using": "a", "lookup_from": {"collection": "missing"}})
    assert status == 404, body


def test_query_groups(api, coll):
    res = api.ok("POST", "/collections/%s/points/query/groups" % coll,
                 {"query": Q1, "using": "a", "group_by": "color", "group_size": 2, "limit": 3,
                  "with_payload": True})
    full = ranked(A, Q1, limit=N)
    want = {}
    order = []
    for pid, s in full:
        c = payload_of(pid)["color"]
        if c not in want:
            want[c] = []
            order.append(c)
        if len(want[c]) < 2:
            want[c].append(pid)
    assert [g["id"] for g in res["groups"]] == order
    for g in res["groups"]:
        assert [h["id"] for h in g["hits"]] == want[g["id"]]
        assert all(h["payload"]["color"] == g["id"] for h in g["hits"])


def test_groups_on_arrays_and_with_lookup(api, coll):
    api.ok("PUT", "/collections/adv_shops", {"vectors": {"size": 2, "distance": "Dot"}})
    upsert(api, "adv_shops", [{"id": s, "vector": [1, 0], "payload": {"shop_name": "shop %d" % s}}
                              for s in range(7)])
    res = api.ok("POST", "/collections/%s/points/search/groups" % coll,
                 {"vector": {"name": "a", "vector": Q1}, "group_by": "shop", "group_size": 1, "limit": 7,
                  "with_lookup": {"collection": "adv_shops", "with_payload": ["shop_name"]}})
    assert sorted(g["id"] for g in res["groups"]) == list(range(7))
    for g in res["groups"]:
        assert g["lookup"]["id"] == g["id"]
        assert g["lookup"]["payload"] == {"shop_name": "shop %d" % g["id"]}
    tags = api.ok("POST", "/collections/%s/points/recommend/groups" % coll,
                  {"positive": [1], "using": "a", "group_by": "tags", "group_size": 50, "limit": 10})
    ids = sorted(g["id"] for g in tags["groups"])
    assert ids == ["t0", "t1", "t2", "t3", "t4"]
    for g in tags["groups"]:
        members = {pid for pid in A if g["id"] in payload_of(pid)["tags"] and pid != 1}
        assert {h["id"] for h in g["hits"]} == members


def test_facet_counts(api, coll):
    res = api.ok("POST", "/collections/%s/facet" % coll, {"key": "color"})
    counts = Counter(payload_of(pid)["color"] for pid in A)
    assert {h["value"]: h["count"] for h in res["hits"]} == dict(counts)
    assert [h["count"] for h in res["hits"]] == sorted(counts.values(), reverse=True)
    res = api.ok("POST", "/collections/%s/facet" % coll,
                 {"key": "shop", "limit": 2, "filter": {"must": [{"key": "color", "match": {"value": "red"}}]}})
    counts = Counter(payload_of(pid)["shop"] for pid in A if payload_of(pid)["color"] == "red")
    assert len(res["hits"]) == 2
    assert all(counts[h["value"]] == h["count"] for h in res["hits"])
    status, body = api.post("/collections/%s/facet" % coll, json={"key": "tags"})
    assert status == 400 and "Index required" in body["status"]["error"]
    status, body = api.post("/collections/%s/facet" % coll, json={"limit": 3})
    assert status == 400
