#!/usr/bin/env python3
"""Ingest benchmark: `quiver ingest` against a naive single-connection loader, side by side, each into
a fresh `quiver serve` on this machine, plus the parse-only time of the same file.

  make build && /usr/bin/python3 bench/ingest/bench_ingest.py --rows 200000 --dim 384 [--update-docs]

For each loader: seconds until every record is durable (the loader returned; quiver ingest ends
with a wait=true barrier, the naive loader sends every batch with wait=true), records/s, seconds from
then until the collection is green, peak RSS of the loader and of the server, and a count check.
The data is a seeded Gaussian mixture with payloads (gen_data.py), generated once into --data-dir.
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
QUIVER = os.environ.get("QUIVER_BIN") or os.path.join(REPO, "build", "quiver")
PY = "/usr/bin/python3"
DOC = os.path.join(REPO, "docs", "benchmarks.md")
BEGIN, END = "<!-- ingest:begin -->", "<!-- ingest:end -->"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="quiver-bench-")
        self.port = free_port()
        env = dict(os.environ, QUIVER__SERVICE__HOST="127.0.0.1", QUIVER__SERVICE__HTTP_PORT=str(self.port),
                   QUIVER__STORAGE__STORAGE_PATH=os.path.join(self.dir, "storage"),
                   QUIVER__STORAGE__SNAPSHOTS_PATH=os.path.join(self.dir, "snapshots"), QUIVER__LOG_LEVEL="warn")
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen([QUIVER, "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = "http://127.0.0.1:%d" % self.port
        for _ in range(400):
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def peak_rss_mb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1)) / 1024

    def info(self, name):
        return requests.get("%s/collections/%s" % (self.url, name), timeout=30).json()["result"]

    def count(self, name):
        r = requests.post("%s/collections/%s/points/count" % (self.url, name), json={"exact": True}, timeout=60)
        return r.json()["result"]["count"]

    def wait_green(self, name, timeout=3600):
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.info(name)["status"] == "green":
                return time.monotonic() - t0
            time.sleep(0.1)
        return float("nan")

    def close(self):
        os.kill(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run_measured(cmd):
    """Runs cmd; returns (exit code, wall seconds, peak RSS MB, stdout+stderr)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    while True:
        chunk = proc.stdout.read()
        if not chunk:
            break
        out += chunk
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - t0, usage.ru_maxrss / 1024, out.decode("utf-8", "replace")


def load(label, rows, dim, data, cmd_for):
    srv = Server()
    try:
        name = "bench"
        if not label.startswith("quiver ingest"):
            requests.put("%s/collections/%s" % (srv.url, name), timeout=30,
                         json={"vectors": {"size": dim, "distance": "Cosine"}}).raise_for_status()
        code, wall, rss, out = run_measured(cmd_for(srv.url, name))
        if code != 0:
            raise RuntimeError("%s failed (%d):\n%s" % (label, code, out[-3000:]))
        report = {}
        if os.path.exists("/tmp/quiver-bench-report.json"):
            report = json.load(open("/tmp/quiver-bench-report.json"))
            os.unlink("/tmp/quiver-bench-report.json")
        durable = report.get("seconds", wall)
        green = report.get("seconds_to_green")
        if green is None:
            green = srv.wait_green(name)
        count = srv.count(name)
        assert count == rows, "%s loaded %d of %d" % (label, count, rows)
        return {"label": label, "durable_s": durable, "wall_s": wall, "rate": rows / durable, "green_s": green,
                "loader_rss_mb": rss, "server_rss_mb": srv.peak_rss_mb(), "count": count}
    finally:
        srv.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--data-dir", default="/tmp/quiver-bench")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--update-docs", action="store_true", help="rewrite the ingest section of docs/benchmarks.md")
    args = ap.parse_args()

    os.makedirs(args.data_dir, exist_ok=True)
    data = os.path.join(args.data_dir, "clustered-%dx%d.jsonl" % (args.rows, args.dim))
    if not os.path.exists(data):
        subprocess.run([PY, os.path.join(HERE, "gen_data.py"), "--rows", str(args.rows), "--dim", str(args.dim),
                        "--out", data + ".tmp"], check=True)
        os.rename(data + ".tmp", data)
    size_mb = os.path.getsize(data) / 2**20
    spec = "size=%d,distance=Cosine" % args.dim
    rep = "/tmp/quiver-bench-report.json"

    code, parse_s, parse_rss, out = run_measured(
        [QUIVER, "ingest", "-c", "x", "-f", data, "--dry-run", "--create", spec, "--progress", "none",
         "-p", str(args.parallel)])
    assert code == 0, out
    results = []
    ingest = lambda extra: (lambda url, name: [QUIVER, "ingest", "--url", url, "-c", name, "-f", data, "--create",
                                                spec, "--progress", "none", "-p", str(args.parallel), "--report",
                                                rep] + extra)
    results.append(load("quiver ingest", args.rows, args.dim, data, ingest([])))
    results.append(load("quiver ingest --bulk", args.rows, args.dim, data, ingest(["--bulk"])))
    if not args.skip_naive:
        results.append(load("naive: Python requests, 1 connection, batch 64, wait=true", args.rows, args.dim, data,
                            lambda url, name: [PY, os.path.join(HERE, "naive_load.py"), url, name, data]))

    cpu = "?"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1)
    except (OSError, AttributeError):
        pass
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    lines = [
        "## Ingest: `quiver ingest` vs a naive loader",
        "",
        "Command: `/usr/bin/python3 bench/ingest/bench_ingest.py --rows %d --dim %d --update-docs` (%s). "
        "Each loader fills a fresh `quiver serve` (default configuration) from the same JSONL file; the "
        "collection is created with `size=%d,distance=Cosine`. \"Durable\" is when the loader returned: "
        "`quiver ingest` ends with a `wait=true` barrier, the naive loader sends every batch with `wait=true`. "
        "\"Green\" is measured from then until the collection reports `green` (its HNSW graphs built)." % (
            args.rows, args.dim, time.strftime("%Y-%m-%d"), args.dim),
        "",
        "Machine: %d cores (%s), %s; loader and server on the same machine. Build: %s%s." % (
            os.cpu_count(), cpu, platform.platform(), commit, " plus uncommitted changes" if dirty else ""),
        "Data: %d x %d float32 as JSONL with payloads, %.0f MB (gen_data.py, seed 42, 1000 clusters)." % (
            args.rows, args.dim, size_mb),
        "",
        "Parse only (`quiver ingest --dry-run -p %d`: read, parse, check every record, send nothing): "
        "%.1f s, %.0f records/s, %.0f MB/s, peak RSS %.0f MB." % (
            args.parallel, parse_s, args.rows / parse_s, size_mb / parse_s, parse_rss),
        "",
        "| loader | s until all durable | records/s | then s until green | loader peak RSS | server peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append("| %s | %.1f | %s | %.1f | %.0f MB | %.0f MB |" % (
            r["label"], r["durable_s"], format(int(r["rate"]), ","), r["green_s"], r["loader_rss_mb"],
            r["server_rss_mb"]))
    base = results[-1] if not args.skip_naive else None
    if base:
        lines += ["", "Speed-up of `quiver ingest` over the naive loader: %.1fx (default), %.1fx (--bulk, to durable)." % (
            base["durable_s"] / results[0]["durable_s"], base["durable_s"] / results[1]["durable_s"])]
    text = "\n".join(lines)
    print(text)
    if args.update_docs:
        section = BEGIN + "\n" + text + "\n" + END
        doc = open(DOC).read() if os.path.exists(DOC) else "# Benchmarks\n"
        if BEGIN in doc:
            doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda m: section, doc, flags=re.S)
        else:
            doc += "\n" + section + "\n"
        open(DOC, "w").write(doc)
        print("updated", DOC)


if __name__ == "__main__":
    main()
