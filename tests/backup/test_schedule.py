"""`quiver backup run --schedule`: keeps backing up, writes the metrics the dashboards and alerts use, stops
cleanly on SIGTERM; one-shot runs count failures in the same file."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

from backup_helpers import QUIVER_BIN, backups, load, quiver

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def parse_metrics(lines):
    out = {}
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        out[name] = float(value)
    return out


def metrics_of(path):
    return parse_metrics(open(path)) if os.path.exists(path) else {}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def names_used_by_monitoring():
    names = set()
    for d in ("deploy/monitoring/rules", "deploy/monitoring/dashboards"):
        for root, _, files in os.walk(os.path.join(REPO, d)):
            for f in files:
                names |= set(re.findall(r"quiver_backup_[a-z_]+", open(os.path.join(root, f)).read()))
    return names


def test_schedule_runs_repeatedly_and_writes_metrics(server, tmp_path):
    load(server.base_url, "c", 200, dim=4)
    store = str(tmp_path / "store")
    mfile = str(tmp_path / "backup.prom")
    port = free_port()
    proc = subprocess.Popen([QUIVER_BIN, "backup", "run", "--url", server.base_url, "--to", store,
                             "--schedule", "@every 1s", "--schedule-name", "hourly", "--keep-last", "2",
                             "--metrics-file", mfile, "--metrics-listen", "127.0.0.1:%d" % port],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120  # a bound on waiting, not a measurement
        key = 'quiver_backup_runs_total{schedule="hourly",result="success"}'
        while metrics_of(mfile).get(key, 0) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "fewer than 3 scheduled runs"
            time.sleep(0.2)
        # The same metrics over HTTP (--metrics-listen), for Prometheus to scrape the process itself.
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            served = parse_metrics(r.read().decode().splitlines())
        assert served[key] >= 3
        assert names_used_by_monitoring() - {k.split("{")[0] for k in served} == set()
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0
    m = metrics_of(mfile)
    assert m['quiver_backup_last_success_timestamp_seconds{schedule="hourly"}'] > 0
    assert m['quiver_backup_schedule_interval_seconds{schedule="hourly"}'] == 1
    assert m['quiver_backup_bytes{schedule="hourly"}'] > 0
    assert m['quiver_backup_runs_total{schedule="hourly",result="failure"}'] == 0
    # Every quiver_backup_* family the alerts and dashboards query is in the file.
    present = {k.split("{")[0] for k in m}
    assert names_used_by_monitoring() - present == set()
    assert len(backups(store)) == 2 and all(backups(store).values())  # --keep-last 2 after each run
    if shutil.which("promtool"):
        r = subprocess.run(["promtool", "check", "metrics"], stdin=open(mfile), capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_one_shot_failure_is_counted(tmp_path):
    mfile = str(tmp_path / "backup.prom")
    quiver("backup", "run", "--url", "http://127.0.0.1:9", "--to", str(tmp_path / "s"), "--metrics-file", mfile,
           check=1)
    m = metrics_of(mfile)
    assert m['quiver_backup_runs_total{schedule="cli",result="failure"}'] == 1
    assert m['quiver_backup_last_failure_timestamp_seconds{schedule="cli"}'] > 0
    assert m['quiver_backup_last_success_timestamp_seconds{schedule="cli"}'] == 0
    quiver("backup", "run", "--url", "http://127.0.0.1:9", "--to", str(tmp_path / "s"), "--metrics-file", mfile,
           check=1)
    assert metrics_of(mfile)['quiver_backup_runs_total{schedule="cli",result="failure"}'] == 2
    r = quiver("backup", "run", "--url", "http://127.0.0.1:9", "--to", str(tmp_path / "s"), "--schedule", "bad",
               check=2)
    assert "schedule" in r.stderr.lower() or "cron" in r.stderr.lower()
