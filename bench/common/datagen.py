#!/usr/bin/python3
"""Seeded clustered vector data for benchmarks (never uniform noise: recall on noise means nothing).

A Gaussian mixture with thousands of centres of varying spread, L2-normalised; queries drawn from the
same mixture (held out); exact ground truth (cosine) for the top 100; payloads with fields whose
filters select about 0.1%, 1%, 10% and 50% of the points.

    /usr/bin/python3 bench/common/datagen.py --n 1000000 --dim 384 --out /tmp/qv-bench
"""
import argparse
import json
import os

import numpy as np


def generate(n, dim, queries, centres, seed):
    rng = np.random.default_rng(seed)
    centre_vecs = rng.standard_normal((centres, dim), dtype=np.float32)
    # Cluster sizes follow a skewed (Zipf-like) distribution; spreads vary per centre.
    weights = 1.0 / np.arange(1, centres + 1) ** 0.5
    weights /= weights.sum()
    spreads = rng.uniform(0.15, 0.6, centres).astype(np.float32)
    total = n + queries
    assign = rng.choice(centres, size=total, p=weights)
    out = np.empty((total, dim), dtype=np.float32)
    step = 100_000
    for s in range(0, total, step):
        e = min(total, s + step)
        a = assign[s:e]
        noise = rng.standard_normal((e - s, dim), dtype=np.float32)
        out[s:e] = centre_vecs[a] + noise * spreads[a, None]
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    perm = rng.permutation(total)
    out = out[perm]
    assign = assign[perm]
    return out[:n], out[n:], assign[:n]


def ground_truth(base, queries, k=100):
    gt = np.empty((len(queries), k), dtype=np.int64)
    for s in range(0, len(queries), 100):
        sims = queries[s:s + 100] @ base.T
        top = np.argpartition(-sims, k, axis=1)[:, :k]
        order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
        gt[s:s + 100] = np.take_along_axis(top, order, axis=1)
    return gt


def payloads(n, assign, seed):
    """Fields: tag (0.1%), brand (1% per value), category (10% per value), flag (50%), price, year."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    for i in range(n):
        rows.append({
            "tag": "rare" if i % 1000 == 0 else "common",
            "brand": f"b{i % 100}",
            "category": f"c{int(assign[i]) % 10}",
            "flag": bool(i % 2),
            "price": round(float(rng.uniform(1, 1000)), 2),
            "year": int(1990 + i % 35),
        })
    return rows


FILTERS = {
    "0.1%": {"must": [{"key": "tag", "match": {"value": "rare"}}]},
    "1%": {"must": [{"key": "brand", "match": {"value": "b7"}}]},
    "10%": {"must": [{"key": "category", "match": {"value": "c3"}}]},
    "50%": {"must": [{"key": "flag", "match": {"value": True}}]},
}


def filter_mask(rows, name):
    if name == "0.1%":
        return np.array([r["tag"] == "rare" for r in rows])
    if name == "1%":
        return np.array([r["brand"] == "b7" for r in rows])
    if name == "10%":
        return np.array([r["category"] == "c3" for r in rows])
    return np.array([r["flag"] for r in rows])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--centres", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    base, queries, assign = generate(a.n, a.dim, a.queries, a.centres, a.seed)
    np.save(os.path.join(a.out, "base.npy"), base)
    np.save(os.path.join(a.out, "queries.npy"), queries)
    np.save(os.path.join(a.out, "gt.npy"), ground_truth(base, queries))
    rows = payloads(a.n, assign, a.seed)
    with open(os.path.join(a.out, "payload.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    for name in FILTERS:
        mask = filter_mask(rows, name)
        ids = np.nonzero(mask)[0]
        gt = ground_truth(base[ids], queries, k=10)
        np.save(os.path.join(a.out, f"gt_filter_{name.replace('%', 'pct')}.npy"), ids[gt])
    print(json.dumps({"n": a.n, "dim": a.dim, "queries": a.queries, "out": a.out}))


if __name__ == "__main__":
    main()
