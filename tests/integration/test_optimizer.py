"""The merge optimizer and GET /collections/{name}/optimizations through the REST API: a collection
with many small segments ends with at most default_segment_number segments and green, searches are
right during and after the merge, the merge survives a restart, and the optimizations report follows
the contract (every response is validated against it by the Api helper)."""
import threading

from harness import Api
from helpers import create_collection, upsert, wait_until
from test_indexing import DIM, clustered, overlap


def fill_small_segments(api, name, n=3000):
    # 16 KB segments = 512 vectors of 8 floats: 3,000 points make six segments.
    create_collection(api, name, size=DIM, distance="Cosine",
                      optimizers_config={"indexing_threshold": 10, "max_segment_size": 16})
    vectors = clustered(n, 1)
    for start in range(0, n, 500):
        upsert(api, name, [{"id": i, "vector": vectors[i], "payload": {"group": i % 4}}
                           for i in range(start, start + 500)])
    assert wait_until(lambda: api.ok("GET", "/collections/%s" % name)["status"] == "green", timeout=60)
    return vectors


def test_many_segments_merge_to_target_and_stay_searchable(make_server):
    s = make_server()
    api = Api(s)
    fill_small_segments(api, "m")
    info = api.ok("GET", "/collections/m")
    assert info["segments_count"] >= 5, info
    queries = clustered(20, 99)

    # Deletions before the merge stay deleted after it.
    api.ok("POST", "/collections/m/points/delete?wait=true", {"points": list(range(0, 3000, 10))})
    # Searches run all through the merge (own session); each must return a full page of live points.
    stop = threading.Event()
    errors = []
    searcher_api = Api(s)

    def run():
        i = 0
        while not stop.is_set():
            res = searcher_api.ok("POST", "/collections/m/points/query",
                                  {"query": queries[i % 20], "limit": 10})
            ids = [p["id"] for p in res["points"]]
            if len(ids) != 10 or any(pid % 10 == 0 for pid in ids):
                errors.append(ids)
            i += 1

    t = threading.Thread(target=run)
    t.start()
    try:
        api.ok("PATCH", "/collections/m",
               {"optimizers_config": {"default_segment_number": 2, "max_segment_size": 200000}})
        assert wait_until(lambda: api.ok("GET", "/collections/m")["status"] == "green", timeout=60)
    finally:
        stop.set()
        t.join()
    assert not errors, errors[:3]
    info = api.ok("GET", "/collections/m")
    assert info["segments_count"] <= 2, info
    assert info["points_count"] == 2700
    assert info["indexed_vectors_count"] >= 2600, info
    assert overlap(api, "m", queries) >= 0.9

    report = api.ok("GET", "/collections/m/optimizations?with=queued,completed,idle_segments")
    assert report["running"] == []
    assert report["summary"]["queued_optimizations"] == 0
    assert report["queued"] == []
    merges = [o for o in report["completed"] if o["optimizer"] == "merge"]
    assert merges and merges[0]["status"] == "done", report["completed"]
    assert len(merges[0]["segments"]) >= 2
    assert merges[0]["progress"]["finished_at"] is not None
    idle = report["idle_segments"]
    assert len(idle) == info["segments_count"]
    assert sum(seg["points_count"] for seg in idle) == 2700

    # Without `with`, only summary and running.
    plain = api.ok("GET", "/collections/m/optimizations")
    assert set(plain) == {"summary", "running"}
    limited = api.ok("GET", "/collections/m/optimizations?with=completed&completed_limit=1")
    assert len(limited["completed"]) == 1

    # The merged segments are persisted: after a restart, same shape, green at once.
    s.restart()
    info = api.ok("GET", "/collections/m")
    assert info["status"] == "green", info
    assert info["segments_count"] <= 2 and info["points_count"] == 2700
    assert overlap(api, "m", queries[:10]) >= 0.9


def test_optimizations_bad_requests(make_server):
    s = make_server()
    api = Api(s)
    create_collection(api, "o", size=DIM, distance="Dot")
    status, body = api.get("/collections/o/optimizations?with=everything")
    assert status == 400 and "with" in body["status"]["error"], body
    status, body = api.get("/collections/o/optimizations?with=completed&completed_limit=-1")
    assert status == 400, body
    status, body = api.get("/collections/missing/optimizations")
    assert status == 404, body
    report = api.ok("GET", "/collections/o/optimizations?with=queued")
    assert report["summary"] == {"queued_optimizations": 0, "queued_segments": 0, "queued_points": 0,
                                 "idle_segments": report["summary"]["idle_segments"]}
