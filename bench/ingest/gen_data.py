#!/usr/bin/env python3
"""Seeded generator of clustered vectors with payloads, for the ingest (and search) benchmarks.

Vectors are a Gaussian mixture (`--clusters` centres, unit-variance centres, `--spread` noise), the
kind of data on which approximate search and recall numbers mean something (isotropic noise does
not). Same seed, same bytes.

  /usr/bin/python3 bench/ingest/gen_data.py --rows 200000 --dim 384 --out data.jsonl
  /usr/bin/python3 bench/ingest/gen_data.py --rows 200000 --dim 384 --format npy --out data.npy
      (writes data.npy and data.payload.jsonl)

JSONL lines are Qdrant point objects: {"id": n, "vector": [...], "payload": {...}}; ids run from 1.
"""
import argparse
import json
import sys

import numpy as np

CATEGORIES = ["books", "films", "music", "games", "science", "travel", "food", "sport"]
WORDS = ["quiet", "river", "north", "amber", "signal", "orbit", "paper", "stone", "glass", "ember",
         "harbor", "cedar", "lumen", "vector", "delta", "meadow"]


def payload(rng, i):
    words = rng.choice(len(WORDS), size=3, replace=False)
    return {
        "title": " ".join(WORDS[w] for w in words) + " %d" % i,
        "category": CATEGORIES[int(rng.integers(len(CATEGORIES)))],
        "year": int(rng.integers(1950, 2025)),
        "price": round(float(rng.random() * 100), 2),
        "tags": [WORDS[int(w)] for w in rng.choice(len(WORDS), size=2, replace=False)],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--clusters", type=int, default=1000)
    ap.add_argument("--spread", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--format", choices=["jsonl", "npy"], default="jsonl")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((args.clusters, args.dim)).astype(np.float32)
    prng = np.random.default_rng(args.seed + 1)
    chunk = 10000
    fmt = "[" + ",".join(["%.7g"] * args.dim) + "]"
    if args.format == "npy":
        out = np.lib.format.open_memmap(args.out, mode="w+", dtype="<f4", shape=(args.rows, args.dim))
        payload_path = args.out[:-4] + ".payload.jsonl" if args.out.endswith(".npy") else args.out + ".payload.jsonl"
        pf = open(payload_path, "w")
    else:
        f = open(args.out, "w")
    for start in range(0, args.rows, chunk):
        n = min(chunk, args.rows - start)
        which = rng.integers(args.clusters, size=n)
        vecs = centres[which] + args.spread * rng.standard_normal((n, args.dim)).astype(np.float32)
        if args.format == "npy":
            out[start:start + n] = vecs
            for i in range(n):
                pf.write(json.dumps(payload(prng, start + i + 1), separators=(",", ":")) + "\n")
        else:
            lines = []
            for i in range(n):
                lines.append('{"id":%d,"vector":%s,"payload":%s}\n' % (
                    start + i + 1, fmt % tuple(vecs[i].tolist()),
                    json.dumps(payload(prng, start + i + 1), separators=(",", ":"))))
            f.write("".join(lines))
        sys.stderr.write("\rgenerated %d/%d" % (start + n, args.rows))
    sys.stderr.write("\n")
    if args.format == "npy":
        out.flush()
        pf.close()
    else:
        f.close()


if __name__ == "__main__":
    main()
