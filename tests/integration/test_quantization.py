"""Scalar int8 quantization through the REST API: a quantized collection searches with recall against
exact search on clustered data, the search params quantization.ignore / rescore / oversampling are
accepted and do what they say, bad values are refused, and PATCH adding quantization re-quantizes
through the optimizer (and survives a restart)."""
import os
import random

import requests
from harness import Api
from helpers import create_collection, upsert, wait_until

DIM = 32
SCALAR = {"scalar": {"type": "int8", "quantile": 0.99, "always_ram": True}}


def clustered(n, seed, centres=300, dim=DIM):
    # A Gaussian mixture with many centres of varying spread (as bench/common/datagen.py).
    rng = random.Random(12345 + dim)
    cs = [[rng.gauss(0, 1) for _ in range(dim)] for _ in range(centres)]
    rng = random.Random(seed)
    spreads = [rng.uniform(0.15, 0.6) for _ in range(centres)]
    out = []
    for _ in range(n):
        k = rng.randrange(centres)
        out.append([x + rng.gauss(0, spreads[k]) for x in cs[k]])
    return out


def fill(api, name, dim=DIM, on_disk=None, **extra):
    create_collection(api, name, size=dim, distance="Cosine",
                      optimizers_config={"indexing_threshold": 10}, **extra)
    if on_disk is not None:  # create_collection takes only size and distance for the vectors
        api.ok("DELETE", "/collections/%s" % name)
        api.ok("PUT", "/collections/%s" % name,
               dict(vectors={"size": dim, "distance": "Cosine", "on_disk": on_disk},
                    optimizers_config={"indexing_threshold": 10}, **extra))
    vectors = clustered(3000, 1, dim=dim)
    for start in range(0, 3000, 500):
        upsert(api, name, [{"id": i, "vector": vectors[i]} for i in range(start, start + 500)])
    assert wait_until(lambda: api.ok("GET", "/collections/%s" % name)["status"] == "green", timeout=90)
    info = api.ok("GET", "/collections/%s" % name)
    assert info["indexed_vectors_count"] >= 2900, info


def compare(api, name, queries, params):
    """(recall@10 against exact search, number of results whose score is not the exact one)."""
    hits = total = approx = 0
    for q in queries:
        exact = api.ok("POST", "/collections/%s/points/query" % name,
                       {"query": q, "limit": 10, "params": {"exact": True}})["points"]
        got = api.ok("POST", "/collections/%s/points/query" % name,
                     {"query": q, "limit": 10, "params": params})["points"]
        truth = {p["id"]: p["score"] for p in exact}
        for p in got:
            if p["id"] in truth:
                hits += 1
                approx += abs(truth[p["id"]] - p["score"]) > 1e-5
        total += len(truth)
    return hits / total, approx


def test_quantized_collection_search_and_params(make_server):
    api = Api(make_server())
    fill(api, "q", quantization_config=SCALAR)
    config = api.ok("GET", "/collections/q")["config"]
    assert config["quantization_config"]["scalar"]["type"] == "int8"
    queries = clustered(30, 99)
    recall, approx = compare(api, "q", queries, {})
    assert recall >= 0.95 and approx == 0  # rescored by default: exact scores
    recall, approx = compare(api, "q", queries, {"quantization": {"rescore": False}})
    assert recall >= 0.8 and approx > 0  # the quantized scores themselves
    recall, _ = compare(api, "q", queries, {"quantization": {"rescore": True, "oversampling": 2.5}})
    assert recall >= 0.95
    recall, approx = compare(api, "q", queries, {"quantization": {"ignore": True}, "hnsw_ef": 64})
    assert recall >= 0.9 and approx == 0
    # The legacy search route takes the same params.
    res = api.ok("POST", "/collections/q/points/search",
                 {"vector": queries[0], "limit": 3, "params": {"quantization": {"oversampling": 3}}})
    assert len(res) == 3

    for bad in ({"oversampling": 0.5}, {"rescore": "yes"}, {"ignore": 1}):
        status, body = api.post("/collections/q/points/query",
                                {"query": queries[0], "params": {"quantization": bad}})
        assert status in (400, 422), (bad, status, body)


def test_patch_adds_quantization_through_the_optimizer(make_server):
    s = make_server()
    api = Api(s)
    fill(api, "p")
    queries = clustered(20, 7)
    _, approx = compare(api, "p", queries, {"quantization": {"rescore": False}})
    assert approx == 0  # nothing quantized yet
    api.ok("PATCH", "/collections/p", {"quantization_config": SCALAR})
    assert wait_until(lambda: api.ok("GET", "/collections/p")["status"] == "green", timeout=60)
    report = api.ok("GET", "/collections/p/optimizations?with=completed")
    assert any(o["optimizer"] == "config_mismatch" for o in report["completed"]), report
    recall, approx = compare(api, "p", queries, {"quantization": {"rescore": False}})
    assert approx > 0 and recall >= 0.8
    assert compare(api, "p", queries, {})[0] >= 0.95

    s.restart()
    assert api.ok("GET", "/collections/p")["status"] == "green"
    assert api.ok("GET", "/collections/p")["config"]["quantization_config"]["scalar"]["quantile"] == 0.99
    recall, approx = compare(api, "p", queries[:10], {"quantization": {"rescore": False}})
    assert approx > 0 and recall >= 0.8


def test_binary_quantization_with_oversampling(make_server):
    api = Api(make_server())
    # One bit per value needs many dimensions to rank well (Qdrant advises it for large models).
    fill(api, "b", dim=256, quantization_config={"binary": {"always_ram": True}})
    assert "binary" in api.ok("GET", "/collections/b")["config"]["quantization_config"]
    queries = clustered(30, 5, dim=256)
    raw, approx = compare(api, "b", queries, {"quantization": {"rescore": False}})
    assert approx > 0  # binary scores: the binary path was used
    recall, approx = compare(api, "b", queries, {"quantization": {"oversampling": 4.0}})
    assert approx == 0 and recall >= 0.9 and recall > raw


def vector_files(server):
    found = []
    for root, _, files in os.walk(os.path.join(server.data_dir, "storage")):
        found += [os.path.join(root, f) for f in files if f.endswith(".vec")]
    return found


def test_on_disk_vectors_with_int8_in_ram(make_server):
    """vectors.on_disk: sealed segments keep their originals in mapped vector files while the int8
    copy stays in RAM; searches rescore from the files, through kill -9, a restart and a snapshot."""
    s = make_server()
    api = Api(s)
    fill(api, "d", on_disk=True, quantization_config=SCALAR)
    assert api.ok("GET", "/collections/d")["config"]["params"]["vectors"]["on_disk"] is True
    api.ok("POST", "/collections/d/snapshots")  # a checkpoint: the data files name the vector files
    assert len(vector_files(s)) >= 1
    queries = clustered(20, 11)
    recall, approx = compare(api, "d", queries, {})
    assert recall >= 0.95 and approx == 0, (recall, approx)
    point = api.ok("POST", "/collections/d/points", {"ids": [17], "with_vector": True})[0]
    assert len(point["vector"]) == DIM

    s.kill9()
    s.restart_after_kill9()
    assert api.ok("GET", "/collections/d")["points_count"] == 3000
    assert compare(api, "d", queries, {}) == (recall, approx)
    assert api.ok("POST", "/collections/d/points", {"ids": [17], "with_vector": True})[0] == point

    desc = api.ok("POST", "/collections/d/snapshots")
    resp = requests.get("%s/collections/d/snapshots/%s" % (s.base_url, desc["name"]), timeout=60)
    assert resp.status_code == 200
    resp = requests.post("%s/collections/copy/snapshots/upload" % s.base_url,
                         files={"snapshot": ("d.snapshot", resp.content)}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert compare(api, "copy", queries, {}) == (recall, approx)
    assert api.ok("POST", "/collections/copy/points", {"ids": [17], "with_vector": True})[0] == point
