"""Search: /points/query, /points/query/batch and the legacy /points/search, /points/search/batch,
/points/recommend (QDRANT-COMPAT.md 2.5), checked against brute force computed here.

The collections are small (far below hnsw full_scan_threshold), where Qdrant searches exactly, so even the
default (non-exact) search must equal brute force."""
import pytest

from helpers import (HIGHER_IS_BETTER, assert_ranking, brute_force, f32, normalize, rand_vectors, score,
                     upsert)

DIM = 8
N = 300
DISTANCES = ["Cosine", "Dot", "Euclid", "Manhattan"]
VECTORS = {i + 1: v for i, v in enumerate(rand_vectors(N, DIM, seed=1234))}
QUERIES = rand_vectors(6, DIM, seed=99)


def payload_of(pid):
    return {"group": pid % 5, "name": "p%d" % pid, "extra": {"x": pid, "y": -pid}}


@pytest.fixture(scope="module")
def colls(api):
    names = {}
    for d in DISTANCES:
        name = "s_%s" % d.lower()
        api.ok("PUT", "/collections/%s" % name, {"vectors": {"size": DIM, "distance": d}})
        items = sorted(VECTORS.items())
        for start in range(0, N, 100):
            upsert(api, name, [{"id": pid, "vector": v, "payload": payload_of(pid)} for pid, v in items[start:start + 100]])
        names[d] = name
    return names


def Q(c, suffix="query"):
    return "/collections/%s/points/%s" % (c, suffix)


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_vector_matches_brute_force(api, colls, distance):
    for q in QUERIES:
        for body in ({"query": q, "limit": 10}, {"query": q, "limit": 10, "params": {"exact": True}},
                     {"query": {"nearest": q}, "limit": 10}):
            res = api.ok("POST", Q(colls[distance]), body)
            assert_ranking(res["points"], brute_force(VECTORS, q, distance, 10), VECTORS, q, distance)


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_with_filter(api, colls, distance):
    allowed = {pid for pid in VECTORS if payload_of(pid)["group"] == 2}
    flt = {"must": [{"key": "group", "match": {"value": 2}}]}
    for q in QUERIES[:3]:
        res = api.ok("POST", Q(colls[distance]), {"query": q, "limit": 7, "filter": flt, "with_payload": True})
        assert_ranking(res["points"], brute_force(VECTORS, q, distance, 7, allowed=allowed), VECTORS, q, distance)
        assert all(p["payload"]["group"] == 2 for p in res["points"])


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_by_point_id(api, colls, distance):
    # The point's own vector is the query and the point itself is excluded from the result.
    pid = 17
    res = api.ok("POST", Q(colls[distance]), {"query": pid, "limit": 5})
    others = {k: v for k, v in VECTORS.items() if k != pid}
    q = VECTORS[pid]
    assert_ranking(res["points"], brute_force(others, q, distance, 5), VECTORS, q, distance)


@pytest.mark.parametrize("distance", DISTANCES)
def test_limit_offset(api, colls, distance):
    q = QUERIES[1]
    res = api.ok("POST", Q(colls[distance]), {"query": q, "limit": 5, "offset": 5})
    assert_ranking(res["points"], brute_force(VECTORS, q, distance, 5, offset=5), VECTORS, q, distance)
    res = api.ok("POST", Q(colls[distance]), {"query": q, "limit": 5, "offset": N - 2})
    assert len(res["points"]) == 2


@pytest.mark.parametrize("distance", DISTANCES)
def test_score_threshold(api, colls, distance):
    q = QUERIES[2]
    ranked = brute_force(VECTORS, q, distance, N)
    # a threshold half-way between the 8th and 9th best scores keeps exactly the best 8;
    # for Euclid/Manhattan the threshold is an upper bound on the distance
    threshold = (ranked[7][1] + ranked[8][1]) / 2
    res = api.ok("POST", Q(colls[distance]), {"query": q, "limit": 50, "score_threshold": threshold})
    assert_ranking(res["points"], ranked[:8], VECTORS, q, distance)
    for p in res["points"]:
        assert p["score"] >= threshold if HIGHER_IS_BETTER[distance] else p["score"] <= threshold


def test_with_payload_and_vector_selectors(api, colls):
    c, q = colls["Dot"], QUERIES[0]
    res = api.ok("POST", Q(c), {"query": q, "limit": 3})
    for p in res["points"]:  # defaults: neither payload nor vector
        assert p.get("payload") is None and p.get("vector") is None
    res = api.ok("POST", Q(c), {"query": q, "limit": 3, "with_payload": True, "with_vector": True})
    for p in res["points"]:
        assert p["payload"] == payload_of(p["id"])
        assert len(p["vector"]) == DIM
        assert all(abs(a - b) < 1e-5 for a, b in zip(p["vector"], VECTORS[p["id"]]))
        assert isinstance(p["version"], int)
    res = api.ok("POST", Q(c), {"query": q, "limit": 3, "with_payload": False, "with_vector": False})
    assert all(p.get("payload") is None and p.get("vector") is None for p in res["points"])
    res = api.ok("POST", Q(c), {"query": q, "limit": 3, "with_payload": ["group", "extra.x"]})
    for p in res["points"]:
        assert p["payload"] == {"group": p["id"] % 5, "extra": {"x": p["id"]}}
    res = api.ok("POST", Q(c), {"query": q, "limit": 3, "with_payload": {"include": ["name"]}})
    assert all(p["payload"] == {"name": "p%d" % p["id"]} for p in res["points"])
    res = api.ok("POST", Q(c), {"query": q, "limit": 3, "with_payload": {"exclude": ["extra", "group"]}})
    assert all(p["payload"] == {"name": "p%d" % p["id"]} for p in res["points"])


def test_cosine_stores_normalized_vectors(api, colls):
    rec = api.ok("GET", "/collections/%s/points/5" % colls["Cosine"])
    want = normalize(VECTORS[5])
    assert all(abs(a - b) < 1e-5 for a, b in zip(rec["vector"], want)), (rec["vector"], want)


def test_query_batch(api, colls):
    c = colls["Euclid"]
    searches = [{"query": QUERIES[0], "limit": 4},
                {"query": QUERIES[1], "limit": 6, "filter": {"must": [{"key": "group", "match": {"any": [0, 1]}}]}}]
    res = api.ok("POST", Q(c, "query/batch"), {"searches": searches})
    assert len(res) == 2
    assert_ranking(res[0]["points"], brute_force(VECTORS, QUERIES[0], "Euclid", 4), VECTORS, QUERIES[0], "Euclid")
    allowed = {p for p in VECTORS if p % 5 in (0, 1)}
    assert_ranking(res[1]["points"], brute_force(VECTORS, QUERIES[1], "Euclid", 6, allowed=allowed),
                   VECTORS, QUERIES[1], "Euclid")


def test_named_vectors_using(api):
    a_vecs = VECTORS
    b_vecs = {pid: [f32(x * 0.5) for x in v[:4]] for pid, v in VECTORS.items()}
    api.ok("PUT", "/collections/s_named", {"vectors": {"a": {"size": DIM, "distance": "Dot"},
                                                       "b": {"size": 4, "distance": "Euclid"}}})
    items = sorted(VECTORS)
    for start in range(0, N, 100):
        upsert(api, "s_named", [{"id": pid, "vector": {"a": a_vecs[pid], "b": b_vecs[pid]}}
                                for pid in items[start:start + 100]])
    qb = [0.1, -0.2, 0.3, 0.05]
    res = api.ok("POST", Q("s_named"), {"query": qb, "using": "b", "limit": 6})
    assert_ranking(res["points"], brute_force(b_vecs, qb, "Euclid", 6), b_vecs, qb, "Euclid")
    res = api.ok("POST", Q("s_named"), {"query": QUERIES[0], "using": "a", "limit": 6, "with_vector": ["b"]})
    assert_ranking(res["points"], brute_force(a_vecs, QUERIES[0], "Dot", 6), a_vecs, QUERIES[0], "Dot")
    assert all(set(p["vector"]) == {"b"} for p in res["points"])
    # legacy search names the vector in the request body
    res = api.ok("POST", Q("s_named", "search"), {"vector": {"name": "b", "vector": qb}, "limit": 6})
    assert_ranking(res, brute_force(b_vecs, qb, "Euclid", 6), b_vecs, qb, "Euclid")
    # an unknown vector name is a client error
    status, body = api.post(Q("s_named"), json={"query": qb, "using": "nope", "limit": 3})
    assert status == 400, body


@pytest.mark.parametrize("distance", DISTANCES)
def test_legacy_search(api, colls, distance):
    q = QUERIES[3]
    res = api.ok("POST", Q(colls[distance], "search"), {"vector": q, "limit": 5})
    assert isinstance(res, list)
    assert_ranking(res, brute_force(VECTORS, q, distance, 5), VECTORS, q, distance)
    # `top` is an alias of `limit`
    res = api.ok("POST", Q(colls[distance], "search"), {"vector": q, "top": 3, "with_payload": True})
    assert_ranking(res, brute_force(VECTORS, q, distance, 3), VECTORS, q, distance)
    assert all(p["payload"] == payload_of(p["id"]) for p in res)
    allowed = {p for p in VECTORS if p % 5 == 4}
    res = api.ok("POST", Q(colls[distance], "search"),
                 {"vector": q, "limit": 4, "offset": 2, "filter": {"must": [{"key": "group", "match": {"value": 4}}]}})
    assert_ranking(res, brute_force(VECTORS, q, distance, 4, offset=2, allowed=allowed), VECTORS, q, distance)


def test_legacy_search_batch(api, colls):
    c = colls["Manhattan"]
    res = api.ok("POST", Q(c, "search/batch"), {"searches": [{"vector": QUERIES[4], "limit": 3},
                                                               {"vector": QUERIES[5], "limit": 5}]})
    assert len(res) == 2 and isinstance(res[0], list)
    assert_ranking(res[0], brute_force(VECTORS, QUERIES[4], "Manhattan", 3), VECTORS, QUERIES[4], "Manhattan")
    assert_ranking(res[1], brute_force(VECTORS, QUERIES[5], "Manhattan", 5), VECTORS, QUERIES[5], "Manhattan")


def _avg(vs):
    return [sum(xs) / len(vs) for xs in zip(*vs)]


def recommend_expected(distance, positive, negative, limit):
    """average_vector strategy: avg(pos) + (avg(pos) - avg(neg)); the examples are excluded from the result.
    The averaged vectors are the stored ones (normalized for Cosine)."""
    stored = {k: normalize(v) if distance == "Cosine" else v for k, v in VECTORS.items()}
    ap = _avg([stored[p] for p in positive])
    q = ap if not negative else [2 * a - b for a, b in zip(ap, _avg([stored[n] for n in negative]))]
    pool = {k: v for k, v in VECTORS.items() if k not in positive and k not in negative}
    return q, brute_force(pool, q, distance, limit)


@pytest.mark.parametrize("distance", ["Dot", "Cosine", "Euclid"])
def test_legacy_recommend(api, colls, distance):
    c = colls[distance]
    q, expected = recommend_expected(distance, [3, 8], [], 6)
    res = api.ok("POST", Q(c, "recommend"), {"positive": [3, 8], "limit": 6})
    assert_ranking(res, expected, VECTORS, q, distance)
    q, expected = recommend_expected(distance, [3, 8, 21], [40], 6)
    res = api.ok("POST", Q(c, "recommend"), {"positive": [3, 8, 21], "negative": [40], "limit": 6,
                                             "strategy": "average_vector"})
    assert_ranking(res, expected, VECTORS, q, distance)
    assert not {3, 8, 21, 40} & {p["id"] for p in res}
    # the same recommendation through the query API
    res = api.ok("POST", Q(c), {"query": {"recommend": {"positive": [3, 8, 21], "negative": [40]}}, "limit": 6})
    assert_ranking(res["points"], expected, VECTORS, q, distance)


def test_recommend_missing_example_404(api, colls):
    status, body = api.post(Q(colls["Dot"], "recommend"), json={"positive": [123456], "limit": 3})
    assert status == 404, body
    assert "No point with id 123456" in body["status"]["error"], body


def test_search_empty_collection(api):
    api.ok("PUT", "/collections/s_empty", {"vectors": {"size": 3, "distance": "Cosine"}})
    assert api.ok("POST", Q("s_empty"), {"query": [1, 0, 0], "limit": 5}) == {"points": []}
    assert api.ok("POST", Q("s_empty", "search"), {"vector": [1, 0, 0], "limit": 5}) == []


def test_scores_are_finite_and_ordered(api, colls):
    for d, c in colls.items():
        res = api.ok("POST", Q(c), {"query": QUERIES[0], "limit": 50})["points"]
        scores = [p["score"] for p in res]
        assert scores == sorted(scores, reverse=HIGHER_IS_BETTER[d]), d
        assert all(abs(s - score(d, VECTORS[p["id"]], QUERIES[0])) < 1e-3 for s, p in zip(scores, res))
