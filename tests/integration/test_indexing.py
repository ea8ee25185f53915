"""HNSW indexing through the REST API: the optimizer seals and indexes a segment in the background
(collection yellow → green, indexed_vectors_count), search through the graph agrees with exact search
on clustered data, filters and deletions are honoured, and the graph survives a restart."""
import random

from helpers import create_collection, upsert, wait_until

DIM = 8


def clustered(n, seed):
    rng = random.Random(seed)
    centres = [[rng.gauss(0, 1) for _ in range(DIM)] for _ in range(25)]
    out = []
    for i in range(n):
        c = centres[i % len(centres)]
        out.append([x + rng.gauss(0, 0.15) for x in c])
    return out


def overlap(api, name, queries, extra=None):
    hits = total = 0
    for q in queries:
        body = {"query": q, "limit": 10}
        body.update(extra or {})
        approx = api.ok("POST", "/collections/%s/points/query" % name, body)["points"]
        exact = api.ok("POST", "/collections/%s/points/query" % name,
                       dict(body, params={"exact": True}))["points"]
        truth = {p["id"] for p in exact}
        hits += sum(1 for p in approx if p["id"] in truth)
        total += len(truth)
    return hits / total


def test_background_indexing_and_search(make_server):
    s = make_server()
    from harness import Api
    api = Api(s)
    # 10 KB threshold = 320 vectors of 8 floats: this small collection gets a graph.
    create_collection(api, "idx", size=DIM, distance="Cosine",
                      optimizers_config={"indexing_threshold": 10})
    vectors = clustered(3000, 1)
    for start in range(0, 3000, 500):
        upsert(api, "idx", [{"id": i, "vector": vectors[i], "payload": {"group": i % 4}}
                            for i in range(start, start + 500)])
    info = api.ok("GET", "/collections/idx")
    assert info["status"] == "yellow", info  # sealing and indexing are pending
    assert wait_until(lambda: api.ok("GET", "/collections/idx")["status"] == "green", timeout=60)
    info = api.ok("GET", "/collections/idx")
    assert info["indexed_vectors_count"] >= 2900, info
    assert info["points_count"] == 3000

    queries = clustered(30, 99)
    assert overlap(api, "idx", queries) >= 0.9
    # A filter keeps only matching points, and keeps recall.
    flt = {"must": [{"key": "group", "match": {"value": 2}}]}
    res = api.ok("POST", "/collections/idx/points/query",
                 {"query": queries[0], "limit": 20, "filter": flt, "with_payload": True})["points"]
    assert len(res) == 20 and all(p["payload"]["group"] == 2 for p in res)
    assert overlap(api, "idx", queries, {"filter": flt}) >= 0.9
    # Deleted points are masked in the graph.
    top = api.ok("POST", "/collections/idx/points/query", {"query": queries[1], "limit": 5})["points"]
    gone = [p["id"] for p in top]
    api.ok("POST", "/collections/idx/points/delete?wait=true", {"points": gone})
    again = api.ok("POST", "/collections/idx/points/query", {"query": queries[1], "limit": 5})["points"]
    assert not set(gone) & {p["id"] for p in again}

    # The graph is persisted: after a restart the collection is green and indexed at once.
    s.restart()
    info = api.ok("GET", "/collections/idx")
    assert info["status"] == "green", info
    assert info["indexed_vectors_count"] >= 2890, info
    assert info["points_count"] == 2995
    assert overlap(api, "idx", queries[:10]) >= 0.9
