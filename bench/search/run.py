#!/usr/bin/python3
"""Search benchmark: quiver serve over REST vs hnswlib and faiss in-process, same data, same run.

    /usr/bin/python3 bench/search/run.py --n 200000            # quick
    /usr/bin/python3 bench/search/run.py --n 1000000 --write-docs

Reports time from the last upsert to `green`, server RSS at green, recall@10 and QPS at several
hnsw_ef with 1 and 2 client threads, latency percentiles, filtered search at ~0.1/1/10/50%
selectivity at several hnsw_ef, then (--quant-passes) PATCHes the collection to int8 and binary
quantization in turn and measures the time to green again, recall/QPS with rescoring and RSS;
server peak RSS. Peers (--peers): hnswlib 0.6.2 compiled with -O3 -march=native
(bench/search/hnswlib_peer.cpp) and faiss IndexHNSWFlat with IDSelector filters
(bench/search/faiss_peer.py). Needs python3-numpy, libhnswlib-dev and python3-faiss (Debian).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docs_section  # noqa: E402


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


def load_with_ingest(binary, port, data, rows, name):
    """`quiver ingest --bulk` from base.npy plus a payload file whose rows carry their index as
    `i` (the point id): indexing deferred during the load, then restored. Returns the seconds until
    every point was durable (the tool's own report)."""
    payloads = os.path.join(data, "payload-with-i.jsonl")
    if not os.path.exists(payloads):
        with open(payloads + ".tmp", "w") as f:
            for i, r in enumerate(rows):
                f.write(json.dumps(dict(r, i=i)) + "\n")
        os.rename(payloads + ".tmp", payloads)
    report = os.path.join(data, "ingest-report.json")
    subprocess.check_call([binary, "ingest", "--url", f"http://127.0.0.1:{port}", "-c", name,
                           "-f", os.path.join(data, "base.npy"), "--payload", payloads,
                           "--id", "field:i", "--bulk", "--progress", "none", "--report", report],
                          stdout=subprocess.DEVNULL)
    with open(report) as f:
        return json.load(f)


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


def server_mem_mb(pid):
    """VmRSS (now) and VmHWM (peak) of the server, in MB; and VmRSS split into RssAnon (heap and
    anonymous maps) and RssFile (mapped files: vector files on disk, clean, reclaimable)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM", "RssAnon", "RssFile")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_rss_mb": out.get("VmHWM", 0.0),
            "rss_anon_mb": out.get("RssAnon", 0.0), "rss_file_mb": out.get("RssFile", 0.0)}


def optimizer_busy(c, name):
    info = c.call("GET", f"/collections/{name}")
    opt = c.call("GET", f"/collections/{name}/optimizations")
    return (info["status"] != "green" or bool(opt.get("running"))
            or opt.get("summary", {}).get("queued_optimizations", 0) > 0)


def wait_reoptimized(c, name, start_window=5.0):
    """After a config change: waits for the optimizer to start (it may take a moment to turn the
    collection yellow) and then for green with nothing running. Returns (seconds, saw_busy)."""
    t0 = time.perf_counter()
    saw_busy = False
    while time.perf_counter() - t0 < start_window:
        if optimizer_busy(c, name):
            saw_busy = True
            break
        time.sleep(0.1)
    if not saw_busy:
        return None, False
    while optimizer_busy(c, name):
        time.sleep(0.2)
    return time.perf_counter() - t0, True


QUANT_CONFIGS = {
    "int8": {"scalar": {"type": "int8", "quantile": 0.99, "always_ram": True}},
    "binary": {"binary": {"always_ram": True}},
}


def quant_pass(c, port, server, kind, oversampling, efs, queries, gt):
    """PATCHes the collection to `kind` quantization, waits for green, measures 1-thread recall/QPS
    with rescoring at each ef, and the server's memory afterwards."""
    t0 = time.perf_counter()
    c.call("PATCH", "/collections/bench", {"quantization_config": QUANT_CONFIGS[kind]})
    secs, saw_busy = wait_reoptimized(c, "bench")
    info = c.call("GET", "/collections/bench")
    out = {"kind": kind, "oversampling": oversampling, "patch_to_green_seconds": secs,
           "optimizer_ran": saw_busy, "wall_seconds": time.perf_counter() - t0,
           "config": info["config"].get("quantization_config"),
           "indexed_vectors": info["indexed_vectors_count"], "segments": info["segments_count"],
           "runs": []}
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}), flush=True)
    for ef in efs:
        params = {"hnsw_ef": ef, "quantization": {"rescore": True, "oversampling": oversampling}}
        r = run_queries(port, "bench", queries, gt, 1, params)
        r.update({"hnsw_ef": ef, "threads": 1, "quant": kind})
        out["runs"].append(r)
        print(json.dumps(r), flush=True)
    out.update(server_mem_mb(server.pid))
    return out


def cpp_client():
    """Builds the C++ REST client (bench/search/rest_client.cpp) once."""
    exe = "/tmp/quiver_rest_client"
    subprocess.check_call(["g++", "-O2", "-std=c++17", "-pthread",
                           os.path.join(ROOT, "bench/search/rest_client.cpp"), "-o", exe])
    return exe


def run_cpp(exe, port, data, gt_file, threads, ef, flt=None):
    """The same queries from the C++ client: the server's speed without Python's ~0.25 ms."""
    cmd = [exe, str(port), "bench", os.path.join(data, "queries.npy"), os.path.join(data, gt_file),
           str(threads), str(ef), json.dumps(flt) if flt else ""]
    r = json.loads(subprocess.check_output(cmd, text=True).strip().splitlines()[-1])
    return r


def run_peers(a, data, report):
    efs = a.efs
    for peer in [p for p in a.peers.split(",") if p]:
        if peer == "hnswlib":
            exe = "/tmp/quiver_hnswlib_peer"
            subprocess.check_call(["g++", "-O3", "-march=native", "-std=c++17", "-pthread",
                                   os.path.join(ROOT, "bench/search/hnswlib_peer.cpp"), "-o", exe])
            cmd = [exe, data, "16", "100", "2", efs]
        elif peer == "faiss":
            # Debian's python3-faiss lives in the system interpreter.
            cmd = ["/usr/bin/python3", os.path.join(ROOT, "bench/search/faiss_peer.py"), data,
                   "--m", "16", "--ef-construct", "100", "--threads", "2", "--efs", efs,
                   "--filter-efs", a.filter_efs]
        else:
            raise SystemExit(f"unknown peer {peer}")
        t0 = time.perf_counter()
        out = subprocess.check_output(cmd, text=True)
        report[peer] = json.loads(out.strip().splitlines()[-1])
        report[peer]["wall_seconds"] = time.perf_counter() - t0
        print(json.dumps(report[peer]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--data", default=None)
    ap.add_argument("--efs", default="32,64,128,256")
    ap.add_argument("--filter-efs", default="64,128", help="hnsw_ef values for filtered search")
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "quiver"))
    ap.add_argument("--write-docs", action="store_true")
    ap.add_argument("--quantization", choices=["none", "int8"], default="none",
                    help="int8: create the collection with scalar quantization (quantile 0.99,"
                         " always_ram); all searches rescore")
    ap.add_argument("--oversampling", type=float, default=1.0,
                    help="oversampling of the searches when --quantization int8")
    ap.add_argument("--quant-passes", default="int8,binary",
                    help="after the float measurements, PATCH the collection to each of these"
                         " quantizations in turn and measure again ('' to skip)")
    ap.add_argument("--int8-oversampling", type=float, default=1.0)
    ap.add_argument("--binary-oversampling", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=30.0,
                    help="seconds to wait after green before measuring (the last checkpoint)")
    ap.add_argument("--loader", choices=["python", "ingest"], default="python",
                    help="python: batches of 500 with wait=true, indexing during the load; ingest:"
                         " quiver ingest --bulk (indexing deferred, then restored)")
    ap.add_argument("--peers", default="hnswlib,faiss", help="comma list of hnswlib, faiss")
    ap.add_argument("--on-disk", action="store_true",
                    help="vectors.on_disk: sealed segments keep the originals in mapped files")
    ap.add_argument("--restart", action="store_true",
                    help="after green, restart the server on the same storage and measure RSS"
                         " again (what a loaded server holds, without the build's freed heap)")
    ap.add_argument("--keep-storage", default=None,
                    help="use this (new) directory as the server's storage and keep it afterwards"
                         " (for experiments on the loaded collection)")
    a = ap.parse_args()
    passes = [p for p in a.quant_passes.split(",") if p]
    for p in passes:
        if p not in QUANT_CONFIGS:
            raise SystemExit(f"unknown quant pass {p}")
    efs = [int(x) for x in a.efs.split(",")]
    filter_efs = [int(x) for x in a.filter_efs.split(",") if x]
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

    report = {"n": len(base), "dim": base.shape[1], "queries": len(queries),
              "machine": f"{os.cpu_count()} cores"}
    storage = a.keep_storage or tempfile.mkdtemp(prefix="quiver-bench-")
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
        spec = {"vectors": {"size": report["dim"], "distance": "Cosine"},
                "hnsw_config": {"m": 16, "ef_construct": 100}}
        if a.quantization == "int8":
            spec["quantization_config"] = QUANT_CONFIGS["int8"]
        if a.on_disk:
            spec["vectors"]["on_disk"] = True
        c.call("PUT", "/collections/bench", spec)
        report["quantization"] = a.quantization
        report["on_disk"] = a.on_disk
        # Payload indexes before loading, as Qdrant advises: the planner uses them for filters.
        for field, schema in (("tag", "keyword"), ("brand", "keyword"), ("category", "keyword"),
                              ("flag", "bool"), ("price", "float"), ("year", "integer")):
            c.call("PUT", "/collections/bench/index?wait=true",
                   {"field_name": field, "field_schema": schema})
        t0 = time.perf_counter()
        report["loader"] = a.loader
        report["settle"] = a.settle
        if a.loader == "ingest":
            # The tool waits for green itself; the last upsert was when its load became durable.
            ing = load_with_ingest(a.binary, port, data, rows, "bench")
            report["ingest_durable_seconds"] = ing["seconds"]
            t_loaded = t0 + ing["seconds"]
        else:
            load(port, base, rows, "bench")
            t_loaded = time.perf_counter()
        report["upload_seconds"] = t_loaded - t0
        while c.call("GET", "/collections/bench")["status"] != "green":
            time.sleep(0.5)
        report["last_upsert_to_green_seconds"] = time.perf_counter() - t_loaded
        # Once green, the last checkpoint writes the merged segments and graphs (~2 GB at 1M) for
        # a while; queries measured during it compete with that I/O. Let it finish first.
        time.sleep(a.settle)
        mem = server_mem_mb(server.pid)
        report["server_rss_at_green_mb"] = mem["rss_mb"]
        report["server_rss_anon_file_at_green_mb"] = [mem["rss_anon_mb"], mem["rss_file_mb"]]
        report["server_peak_rss_to_green_mb"] = mem["peak_rss_mb"]
        if a.restart:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=120)
            t_restart = time.perf_counter()
            server = subprocess.Popen([a.binary, "serve"], env=env)
            while True:
                try:
                    if Client(port).call("GET", "/collections/bench")["status"] == "green":
                        break
                except (OSError, http.client.HTTPException, RuntimeError):
                    pass
                time.sleep(0.1)
            report["restart_to_green_seconds"] = time.perf_counter() - t_restart
            c = Client(port)
            mem = server_mem_mb(server.pid)
            report["server_rss_after_restart_mb"] = mem["rss_mb"]
            report["server_rss_anon_file_after_restart_mb"] = [mem["rss_anon_mb"],
                                                               mem["rss_file_mb"]]
        info = c.call("GET", "/collections/bench")
        report["indexed_vectors"] = info["indexed_vectors_count"]
        report["segments"] = info["segments_count"]
        report["runs"] = []
        def params_at(ef):
            params = {"hnsw_ef": ef}
            if a.quantization != "none":
                params["quantization"] = {"rescore": True, "oversampling": a.oversampling}
            return params

        for ef in efs:
            for threads in (1, 2):
                r = run_queries(port, "bench", queries, gt, threads, params_at(ef))
                r.update({"hnsw_ef": ef, "threads": threads})
                report["runs"].append(r)
                print(json.dumps(r), flush=True)
        exe = cpp_client()
        report["runs_cpp"] = []
        for ef in efs:
            for threads in (1, 2):
                r = run_cpp(exe, port, data, "gt.npy", threads, ef)
                report["runs_cpp"].append(r)
                print(json.dumps(r), flush=True)
        # Before the exact searches, which read every row (with on-disk vectors: the whole file).
        mem = server_mem_mb(server.pid)
        report["server_rss_after_searches_mb"] = mem["rss_mb"]
        report["server_rss_anon_file_after_searches_mb"] = [mem["rss_anon_mb"], mem["rss_file_mb"]]
        report["exact"] = run_queries(port, "bench", queries[:200], gt[:200], 1, {"exact": True})
        report["filtered"] = []
        for name, flt in datagen.FILTERS.items():
            fgt = np.load(os.path.join(data, f"gt_filter_{name.replace('%', 'pct')}.npy"))
            for ef in filter_efs:
                r = run_queries(port, "bench", queries, fgt, 1, params_at(ef), flt)
                r.update({"selectivity": name, "hnsw_ef": ef})
                gt_file = f"gt_filter_{name.replace('%', 'pct')}.npy"
                r["cpp"] = run_cpp(exe, port, data, gt_file, 1, ef, flt)
                report["filtered"].append(r)
                print(json.dumps(r), flush=True)
        mem = server_mem_mb(server.pid)
        report["server_rss_after_float_mb"] = mem["rss_mb"]
        report["server_peak_rss_float_mb"] = mem["peak_rss_mb"]
        report["quant_passes"] = []
        for kind in passes:
            over = a.int8_oversampling if kind == "int8" else a.binary_oversampling
            report["quant_passes"].append(quant_pass(c, port, server, kind, over, efs, queries, gt))
        report["server_peak_rss_mb"] = server_mem_mb(server.pid)["peak_rss_mb"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            print("server did not exit 120 s after SIGTERM; killing it", file=sys.stderr)
            server.kill()
            server.wait()
        if not a.keep_storage:
            subprocess.call(["rm", "-rf", storage])

    run_peers(a, data, report)
    print(json.dumps(report, indent=1))
    with open(os.path.join(data, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    if a.write_docs:
        docs_section.write_docs(report, " ".join(sys.argv[1:]), os.path.join(ROOT, "docs",
                                                                               "benchmarks.md"))


if __name__ == "__main__":
    main()
