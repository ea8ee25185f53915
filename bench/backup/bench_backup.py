#!/usr/bin/env python3
"""Backup and restore benchmark (issue 5): for an N x D collection (default 1M x 384, clustered data from
bench/ingest/gen_data.py), measure
  - snapshot creation time (POST /collections/{name}/snapshots?wait=true),
  - `quiver backup run` to s3rver (snapshot + download + sha256 + upload + manifest),
  - `quiver restore --latest` from s3rver into a fresh server, until it is green and answers searches exactly
    as the original did (the "lose the machine, be back in a minute" number; target <= 60 s here).

  /usr/bin/python3 bench/backup/bench_backup.py [--rows 1000000] [--dim 384] [--update-docs]

Everything runs on 127.0.0.1: two `quiver serve` processes and s3rver (tests/s3/node_modules), all stopped by
PID at the end. Timings are wall-clock on this machine; loading and indexing the collection first takes minutes.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "s3"))
from s3rver_fixture import S3rver, free_port, wait_for_port  # noqa: E402

QUIVER = str(REPO / "build" / "quiver")
DOCS = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- backup:begin -->", "<!-- backup:end -->"


class Server:
    def __init__(self, root, name):
        self.dir = Path(root) / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        env = dict(os.environ, QUIVER__SERVICE__HOST="127.0.0.1", QUIVER__SERVICE__HTTP_PORT=str(self.port),
                   QUIVER__STORAGE__STORAGE_PATH=str(self.dir / "storage"),
                   QUIVER__STORAGE__SNAPSHOTS_PATH=str(self.dir / "snapshots"), QUIVER__LOG_LEVEL="warn")
        self.log = open(self.dir / "server.log", "w")
        self.proc = subprocess.Popen([QUIVER, "serve"], env=env, stdout=self.log, stderr=self.log)
        wait_for_port(self.port, self.proc, "quiver serve")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=120)
        self.log.close()

    def rss_mb(self):
        for line in open("/proc/%d/status" % self.proc.pid):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0


def run(cmd, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("command failed (%d): %s\n%s\n%s" % (p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return dt, p


def searches(url, queries):
    out = []
    for q in queries:
        r = requests.post(url + "/collections/bench/points/query", json={"query": q, "limit": 10}, timeout=60)
        r.raise_for_status()
        out.append([p["id"] for p in r.json()["result"]["points"]])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--data-dir", default="/tmp/quiver-bench-backup")
    ap.add_argument("--update-docs", action="store_true")
    args = ap.parse_args()
    root = Path(args.data_dir)
    root.mkdir(parents=True, exist_ok=True)
    data = root / ("clustered-%dx%d.npy" % (args.rows, args.dim))
    if not data.exists():
        subprocess.run([sys.executable, str(REPO / "bench/ingest/gen_data.py"), "--rows", str(args.rows),
                        "--dim", str(args.dim), "--format", "npy", "--out", str(data)], check=True)
    payload = data.with_suffix(".payload.jsonl")
    s3 = S3rver(root / "s3", buckets=["backups"]).start()
    s3_env = dict(os.environ, **s3.env())
    a = b = None
    try:
        a = Server(root, "origin")
        load_s, _ = run([QUIVER, "ingest", "--url", a.url, "--collection", "bench", "--file", str(data),
                         "--payload", str(payload), "--create", "size=%d,distance=Cosine" % args.dim,
                         "--bulk", "--parallel", "4", "--progress", "none"])
        info = requests.get(a.url + "/collections/bench", timeout=60).json()["result"]
        points = info["points_count"]
        import numpy as np
        vecs = np.load(data, mmap_mode="r")
        queries = [vecs[i].tolist() for i in range(0, args.rows, max(1, args.rows // 20))][:20]
        before = searches(a.url, queries)

        t0 = time.monotonic()
        r = requests.post(a.url + "/collections/bench/snapshots?wait=true", timeout=3600)
        r.raise_for_status()
        snap_s = time.monotonic() - t0
        snap = r.json()["result"]
        requests.delete(a.url + "/collections/bench/snapshots/" + snap["name"], timeout=600)

        backup_s, _ = run([QUIVER, "backup", "run", "--url", a.url, "--to", "s3://backups/bench"], env=s3_env)
        a_rss = a.rss_mb()
        a.stop()
        a = None  # the machine is lost

        b = Server(root, "replacement")
        restore_s, _ = run([QUIVER, "restore", "--from", "s3://backups/bench", "--latest", "--url", b.url],
                           env=s3_env)
        t1 = time.monotonic()
        after = searches(b.url, queries)
        first_search_s = time.monotonic() - t1
        same = after == before
        b_rss = b.rss_mb()
    finally:
        for s in (a, b):
            if s is not None:
                s.stop()
        s3.stop()

    result = {
        "rows": args.rows, "dim": args.dim, "points": points, "snapshot_bytes": snap["size"],
        "load_s": round(load_s, 1), "snapshot_s": round(snap_s, 1), "backup_s": round(backup_s, 1),
        "restore_to_green_s": round(restore_s, 1), "searches_after_restore_s": round(first_search_s, 2),
        "same_results": same, "origin_peak_rss_mb": round(a_rss), "replacement_peak_rss_mb": round(b_rss),
    }
    print(json.dumps(result, indent=2))
    if args.update_docs:
        write_docs(result)
    if not same:
        sys.exit("restored collection answers differently")


def write_docs(r):
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    gib = r["snapshot_bytes"] / 2**30
    text = f"""{BEGIN}
## Backup and restore: {r['rows']:,} x {r['dim']} through s3rver

Command: `/usr/bin/python3 bench/backup/bench_backup.py --rows {r['rows']} --dim {r['dim']} --update-docs`
({time.strftime('%Y-%m-%d')}, build {commit}). Clustered data from `bench/ingest/gen_data.py` (seed 42) with
payloads; two `quiver serve` processes and s3rver (npm, Node 20) on one machine: {platform.platform()},
2 cores.

| step | seconds |
|---|---:|
| load with `quiver ingest --bulk` until green (setup, not a backup number) | {r['load_s']} |
| snapshot creation (`POST /collections/bench/snapshots?wait=true`, {gib:.2f} GiB) | {r['snapshot_s']} |
| `quiver backup run` to s3rver (snapshot, download, sha256, multipart upload, manifest) | {r['backup_s']} |
| `quiver restore --latest` from s3rver into a fresh server, until green and counts checked | {r['restore_to_green_s']} |
| then 20 searches on the restored server | {r['searches_after_restore_s']} |

Restored server answers the 20 searches exactly as the original: {'yes' if r['same_results'] else 'NO'}.
Points: {r['points']:,}. Peak RSS: original server {r['origin_peak_rss_mb']} MB, restored server
{r['replacement_peak_rss_mb']} MB. The issue's target is restore to ready in at most 60 s.
{END}"""
    doc = DOCS.read_text()
    if BEGIN in doc:
        doc = doc[:doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOCS.write_text(doc)


if __name__ == "__main__":
    main()
