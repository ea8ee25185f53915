#!/usr/bin/python3
"""Peer for the search benchmark: faiss IndexHNSWFlat (Debian python3-faiss 1.7.3) on the same data.

Inner product on the L2-normalised vectors (= Cosine), M and efConstruction as given, built with
THREADS OpenMP threads. For each ef: recall@10 and QPS searching one query at a time with one
thread (comparable with one REST client thread), plus batch QPS with THREADS threads. Filtered
search at each selectivity of datagen.FILTERS with an IDSelectorBitmap through
SearchParametersHNSW, at each filter ef. Prints one JSON line.

    /usr/bin/python3 bench/search/faiss_peer.py DATA_DIR [--m 16] [--ef-construct 100]
        [--threads 2] [--efs 32,64,128,256] [--filter-efs 64,128]
"""
import argparse
import json
import os
import sys
import time

import faiss
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "common"))
import datagen  # noqa: E402


def recall(found, gt, k=10):
    hits = 0
    for row, truth in zip(found, gt):
        hits += len(set(int(x) for x in row[:k] if x >= 0) & set(truth[:k].tolist()))
    return hits / (len(gt) * k)


def one_by_one(index, queries, k, params=None):
    """Searches queries one at a time; returns (ids, seconds, per-query latencies in ms)."""
    ids = np.empty((len(queries), k), dtype=np.int64)
    lat = np.empty(len(queries))
    t0 = time.perf_counter()
    for i in range(len(queries)):
        q0 = time.perf_counter()
        if params is None:
            _, ids[i:i + 1] = index.search(queries[i:i + 1], k)
        else:
            _, ids[i:i + 1] = index.search(queries[i:i + 1], k, params=params)
        lat[i] = (time.perf_counter() - q0) * 1000
    return ids, time.perf_counter() - t0, lat


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construct", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--efs", default="32,64,128,256")
    ap.add_argument("--filter-efs", default="64,128")
    a = ap.parse_args()
    base = np.ascontiguousarray(np.load(os.path.join(a.data, "base.npy")), dtype=np.float32)
    queries = np.ascontiguousarray(np.load(os.path.join(a.data, "queries.npy")), dtype=np.float32)
    gt = np.load(os.path.join(a.data, "gt.npy"))
    n, dim = base.shape
    k = 10

    faiss.omp_set_num_threads(a.threads)
    index = faiss.IndexHNSWFlat(dim, a.m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = a.ef_construct
    t0 = time.perf_counter()
    index.add(base)
    build = time.perf_counter() - t0
    out = {"peer": f"faiss-{faiss.__version__} IndexHNSWFlat", "n": n, "build_seconds": build,
           "build_threads": a.threads, "runs": [], "filtered": [],
           # Debian's build says "OPTIMIZE GENERIC": no AVX2 kernels.
           "compile_options": faiss.get_compile_options().strip()}

    for ef in [int(x) for x in a.efs.split(",") if x]:
        index.hnsw.efSearch = ef
        faiss.omp_set_num_threads(1)
        ids, secs, lat = one_by_one(index, queries, k)
        faiss.omp_set_num_threads(a.threads)
        t0 = time.perf_counter()
        _, batch_ids = index.search(queries, k)
        batch_secs = time.perf_counter() - t0
        out["runs"].append({"ef": ef, "recall": recall(ids, gt), "qps": len(queries) / secs,
                            "p50_ms": float(np.percentile(lat, 50)),
                            "p99_ms": float(np.percentile(lat, 99)),
                            "batch_recall": recall(batch_ids, gt),
                            "batch_qps": len(queries) / batch_secs,
                            "batch_threads": a.threads})

    with open(os.path.join(a.data, "payload.jsonl")) as f:
        rows = [json.loads(line) for line in f]
    faiss.omp_set_num_threads(1)
    for name in datagen.FILTERS:
        mask = datagen.filter_mask(rows, name)
        bits = np.packbits(mask, bitorder="little")
        sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
        fgt = np.load(os.path.join(a.data, f"gt_filter_{name.replace('%', 'pct')}.npy"))
        for ef in [int(x) for x in a.filter_efs.split(",") if x]:
            params = faiss.SearchParametersHNSW(efSearch=ef, sel=sel)
            ids, secs, lat = one_by_one(index, queries, k, params)
            returned = ids[ids >= 0]
            if not mask[returned].all():  # the selector must really filter
                raise SystemExit(f"faiss returned ids outside filter {name} at ef={ef}")
            out["filtered"].append({"selectivity": name, "ef": ef, "recall": recall(ids, fgt),
                                    "qps": len(queries) / secs,
                                    "p50_ms": float(np.percentile(lat, 50)),
                                    "p99_ms": float(np.percentile(lat, 99)),
                                    # faiss's HNSW returns -1 when the filtered walk finds < k ids
                                    "filled": float(returned.size / ids.size)})
        del sel, bits
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
