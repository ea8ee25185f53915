#!/usr/bin/env python3
"""The naive baseline loader: what a first script usually looks like. One requests.Session (one
keep-alive connection), JSONL read line by line, batches of 64 points, each sent with wait=true (the
Python client's default) before the next is read.

  /usr/bin/python3 bench/ingest/naive_load.py URL COLLECTION FILE [--batch 64]
"""
import argparse
import json
import sys

import requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("collection")
    ap.add_argument("file")
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    session = requests.Session()
    endpoint = "%s/collections/%s/points?wait=true" % (args.url.rstrip("/"), args.collection)
    batch, sent = [], 0

    def flush():
        nonlocal batch, sent
        r = session.put(endpoint, json={"points": batch}, timeout=600)
        r.raise_for_status()
        sent += len(batch)
        batch = []

    with open(args.file) as f:
        for line in f:
            if line.strip():
                batch.append(json.loads(line))
                if len(batch) == args.batch:
                    flush()
    if batch:
        flush()
    print(sent)


if __name__ == "__main__":
    sys.exit(main())
