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
        try:
            self.conn.request(method, path, body=data, headers={"content-type": "application/json"})
            r = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection: reconnect once, as clients do.
            self.conn.close()
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
    ap.add_argument("--quantization", choices=["none", "int8"], default="none",
                    help="int8: scalar quantization (quantile 0.99, always_ram); searches rescore")
    ap.add_argument("--oversampling", type=float, default=1.0)
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
        spec = {"vectors": {"size": a.dim, "distance": "Cosine"},
                "hnsw_config": {"m": 16, "ef_construct": 100}}
        if a.quantization == "int8":
            spec["quantization_config"] = {"scalar": {"type": "int8", "quantile": 0.99,
                                                      "always_ram": True}}
        c.call("PUT", "/collections/bench", spec)
        report["quantization"] = a.quantization
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
                params = {"hnsw_ef": ef}
                if a.quantization != "none":
                    params["quantization"] = {"rescore": True, "oversampling": a.oversampling}
                r = run_queries(port, "bench", queries, gt, threads, params)
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
    if a.write_docs:
        write_docs(report, " ".join(sys.argv[1:]))


def write_docs(r, args):
    """Replaces the search section of docs/benchmarks.md (between its markers) with this run."""
    h = r["hnswlib"]
    lines = [
        "<!-- search:begin -->",
        "## Search: quiver serve over REST vs hnswlib in-process",
        "",
        f"Command: `/usr/bin/python3 bench/search/run.py {args}` (data: `bench/common/datagen.py`, a seeded",
        f"Gaussian mixture of 2,000 centres, L2-normalised, Cosine). n = {r['n']:,}, dim = {r['dim']},"
        f" {r['queries']} held-out queries, m = 16, ef_construct = 100, machine: {r['machine']}.",
        "Quiver is measured over REST from a Python client (http.client, keep-alive), which itself costs",
        "about 0.2-0.3 ms per request; hnswlib is measured in-process (C++, one thread).",
        "",
        f"- Upload ({r['n']:,} points with payloads, 2 connections, batches of 500, `wait=true`):"
        f" {r['upload_seconds']:.1f} s; last upsert to `green`: {r['last_upsert_to_green_seconds']:.1f} s"
        f" ({r['segments']} segments, {r['indexed_vectors']:,} vectors in graphs).",
        f"- hnswlib 0.6.2 (`-O3 -march=native`, 2 threads) build: {h['build_seconds']:.1f} s.",
        f"- Quiver server peak RSS: {r['server_peak_rss_mb']:.0f} MB.",
        "",
        "| hnsw_ef | Quiver recall@10 | Quiver QPS (1 thread) | p50 / p95 / p99 ms | QPS (2 threads) |"
        " hnswlib recall@10 | hnswlib QPS |",
        "|---|---|---|---|---|---|---|",
    ]
    peer = {run["ef"]: run for run in h["runs"]}
    by = {(x["hnsw_ef"], x["threads"]): x for x in r["runs"]}
    for ef in sorted({x["hnsw_ef"] for x in r["runs"]}):
        one, two, p = by[(ef, 1)], by[(ef, 2)], peer.get(ef, {})
        lines.append(f"| {ef} | {one['recall']:.4f} | {one['qps']:.0f} | {one['p50_ms']:.2f} /"
                     f" {one['p95_ms']:.2f} / {one['p99_ms']:.2f} | {two['qps']:.0f} |"
                     f" {p.get('recall', 0):.4f} | {p.get('qps', 0):.0f} |")
    e = r["exact"]
    lines += ["", f"Exact search (`params.exact`): recall {e['recall']:.4f}, {e['qps']:.0f} QPS.", "",
              "Filtered search (payload indexes on the filtered fields, hnsw_ef = 128, 1 thread):", "",
              "| selectivity | recall@10 | QPS | p50 / p99 ms |", "|---|---|---|---|"]
    for f in r["filtered"]:
        lines.append(f"| {f['selectivity']} | {f['recall']:.4f} | {f['qps']:.0f} |"
                     f" {f['p50_ms']:.2f} / {f['p99_ms']:.2f} |")
    lines.append("<!-- search:end -->")
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    section = "\n".join(lines)
    if "<!-- search:begin -->" in text:
        head, rest = text.split("<!-- search:begin -->", 1)
        tail = rest.split("<!-- search:end -->", 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
