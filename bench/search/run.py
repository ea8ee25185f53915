#!/usr/bin/python3
"""Search benchmark: quiver serve over REST vs hnswlib in-process, same data, same machine, same run.

    /usr/bin/python3 bench/search/run.py --n 200000            # quick
    /usr/bin/python3 bench/search/run.py --n 1000000 --write-docs

Reports time from the last upsert to `green`, recall@10 and QPS at several hnsw_ef with 1 and 2
client threads, latency percentiles, filtered search at ~0.1/1/10/50% selectivity, server peak RSS,
and hnswlib's build time, recall and QPS. Needs python3-numpy and libhnswlib-dev (Debian).
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "common"))
import datagen  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, method, path, body=None):
        data = json.dumps(body) if body is not None else None
        self.conn.request(method, path, body=data, headers={"content-type": "application/json"})
        r = self.conn.getresponse()
        payload = r.read()
        if r.status != 200:
            raise RuntimeError(f"{method} {path}: {r.status} {payload[:300]!r}")
        return json.loads(payload)["result"]


def load(port, base, rows, name, parallel=2, batch=500):
    n = len(base)
    chunks = list(range(0, n, batch))
    lock = threading.Lock()

    def worker():
        c = Client(port)
        while True:
            with lock:
                if not chunks:
                    return
                s = chunks.pop()
            e = min(n, s + batch)
            pts = [{"id": i, "vector": base[i].tolist(), "payload": rows[i]} for i in range(s, e)]
            c.call("PUT", f"/collections/{name}/points?wait=true", {"points": pts})

    ts = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run_queries(port, name, queries, gt, threads, params, flt=None, k=10):
    n = len(queries)
    results = [None] * n
    latencies = [0.0] * n
    counter = iter(range(n))
    lock = threading.Lock()

    def worker():
        c = Client(port)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            body = {"query": queries[i].tolist(), "limit": k, "params": params}
            if flt:
                body["filter"] = flt
            t0 = time.perf_counter()
            res = c.call("POST", f"/collections/{name}/points/query", body)
            latencies[i] = time.perf_counter() - t0
            results[i] = [p["id"] for p in res["points"]]

    t0 = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.perf_counter() - t0
    hits = sum(len(set(results[i]) & set(gt[i][:k].tolist())) for i in range(n))
    lat = np.array(latencies) * 1000
    return {"recall": hits / (n * k), "qps": n / secs, "p50_ms": float(np.percentile(lat, 50)),
            "p95_ms": float(np.percentile(lat, 95)), "p99_ms": float(np.percentile(lat, 99))}


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--data", default=None)
    ap.add_argument("--efs", default="32,64,128,256")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "quiver"))
    ap.add_argument("--write-docs", action="store_true")
    a = ap.parse_args()
    data = a.data or f"/tmp/quiver-bench-{a.n}-{a.dim}"
    if not os.path.exists(os.path.join(data, "gt.npy")):
        subprocess.check_call([sys.executable, os.path.join(ROOT, "bench/common/datagen.py"),
                               "--n", str(a.n), "--dim", str(a.dim), "--queries", str(a.queries),
                               "--out", data])
    base = np.load(os.path.join(data, "base.npy"))
    queries = np.load(os.path.join(data, "queries.npy"))
    gt = np.load(os.path.join(data, "gt.npy"))
    with open(os.path.join(data, "payload.jsonl")) as f:
        rows = [json.loads(line) for line in f]

    report = {"n": a.n, "dim": a.dim, "queries": len(queries), "machine": f"{os.cpu_count()} cores"}
    storage = tempfile.mkdtemp(prefix="quiver-bench-")
    port = free_port()
    env = dict(os.environ, QUIVER__SERVICE__HOST="127.0.0.1", QUIVER__SERVICE__HTTP_PORT=str(port),
               QUIVER__STORAGE__STORAGE_PATH=storage, QUIVER__LOG_LEVEL="warn")
    server = subprocess.Popen([a.binary, "serve"], env=env)
    try:
        for _ in range(100):
            try:
                Client(port).conn.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        c = Client(port)
        c.call("PUT", "/collections/bench", {"vectors": {"size": a.dim, "distance": "Cosine"},
                                             "hnsw_config": {"m": 16, "ef_construct": 100}})
        # Payload indexes before loading, as Qdrant advises: the planner uses them for filters.
        for field, schema in (("tag", "keyword"), ("brand", "keyword"), ("category", "keyword"),
                              ("flag", "bool"), ("price", "float"), ("year", "integer")):
            c.call("PUT", "/collections/bench/index?wait=true",
                   {"field_name": field, "field_schema": schema})
        t0 = time.perf_counter()
        load(port, base, rows, "bench")
        t_loaded = time.perf_counter()
        report["upload_seconds"] = t_loaded - t0
        while c.call("GET", "/collections/bench")["status"] != "green":
            time.sleep(0.5)
        report["last_upsert_to_green_seconds"] = time.perf_counter() - t_loaded
        info = c.call("GET", "/collections/bench")
        report["indexed_vectors"] = info["indexed_vectors_count"]
        report["segments"] = info["segments_count"]
        report["runs"] = []
        for ef in [int(x) for x in a.efs.split(",")]:
            for threads in (1, 2):
                r = run_queries(port, "bench", queries, gt, threads, {"hnsw_ef": ef})
                r.update({"hnsw_ef": ef, "threads": threads})
                report["runs"].append(r)
                print(json.dumps(r), flush=True)
        report["exact"] = run_queries(port, "bench", queries[:200], gt[:200], 1, {"exact": True})
        report["filtered"] = []
        for name, flt in datagen.FILTERS.items():
            fgt = np.load(os.path.join(data, f"gt_filter_{name.replace('%', 'pct')}.npy"))
            r = run_queries(port, "bench", queries, fgt, 1, {"hnsw_ef": 128}, flt)
            r.update({"selectivity": name, "hnsw_ef": 128})
            report["filtered"].append(r)
            print(json.dumps(r), flush=True)
        report["server_peak_rss_mb"] = peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        subprocess.call(["rm", "-rf", storage])

    peer = "/tmp/quiver_hnswlib_peer"
    subprocess.check_call(["g++", "-O3", "-march=native", "-std=c++17", "-pthread",
                           os.path.join(ROOT, "bench/search/hnswlib_peer.cpp"), "-o", peer])
    out = subprocess.check_output([peer, data, "16", "100", "2", a.efs], text=True)
    report["hnswlib"] = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))
    with open(os.path.join(data, "report.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
