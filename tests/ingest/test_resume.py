"""--checkpoint: after kill -9 (or Ctrl-C) of the ingester at a random point, rerunning the same
command finishes the load with every record exactly once, each bad record rejected once, and the
--bulk settings restored."""
import json
import os
import random
import signal
import time

import pytest

from ingest_helpers import gzip_open, ingest, record, start_ingest, write_jsonl

DIM = 16
N = 40000
BAD = {1234, 15000, 27777, 39999}


def make_input(tmp_path, compression):
    lines = []
    for i in range(1, N + 1):
        lines.append('{"id": %d, "vector": [1, 2]}' % i if i in BAD else json.dumps(record(i, DIM)))
    if compression == "gzip":
        return write_jsonl(str(tmp_path / "in.jsonl.gz"), lines, opener=gzip_open)
    return write_jsonl(str(tmp_path / "in.jsonl"), lines)


def read_checkpoint(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait_for_progress(proc, ckpt, target):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        c = read_checkpoint(ckpt)
        if c and c["position"]["records"] >= target:
            return c
        if proc.poll() is not None:
            pytest.fail("ingest ended before the kill point:\n" + proc.stdout.read())
        time.sleep(0.005)
    pytest.fail("no checkpoint progress")


def check_final(server, name, tmp_path, report, rejects):
    rep = json.loads(open(report).read())
    assert rep["status"] == "partial" and rep["exit_code"] == 2, rep
    assert rep["resumed"] is True
    assert rep["records"] == N and rep["rejected"] == len(BAD) and rep["loaded"] == N - len(BAD)
    points = server.all_points(name, with_vector=False)
    ids = [p["id"] for p in points]
    assert len(ids) == len(set(ids)) == N - len(BAD)
    assert set(ids) == set(range(1, N + 1)) - BAD
    assert server.count(name) == N - len(BAD)
    lines = [json.loads(l)["line"] for l in open(rejects)]
    assert lines == sorted(BAD)  # each bad record once, in order


@pytest.mark.parametrize("compression", ["plain", "gzip"])
def test_resume_after_kill9(server, tmp_path, compression):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    name = "resume_" + compression
    server.create(name, {"vectors": {"size": DIM, "distance": "Dot"},
                         "optimizers_config": {"indexing_threshold": 12345}})
    path = make_input(tmp_path, compression)
    ckpt, report, rejects = tmp_path / "ckpt.json", tmp_path / "report.json", tmp_path / "rejects.jsonl"
    args = ["--url", server.url, "-c", name, "-f", path, "--checkpoint", ckpt, "--checkpoint-interval",
            "0.05", "--batch-size", 10, "-p", 2, "--reject-file", rejects, "--report", report, "--bulk"]
    proc = start_ingest(*args)
    target = rng.randint(N // 20, N * 4 // 10)
    wait_for_progress(proc, ckpt, target)
    time.sleep(rng.random() * 0.05)
    assert proc.poll() is None, "ingest finished before kill -9 (seed %d)" % seed
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    c = read_checkpoint(ckpt)
    assert c["complete"] is False and c["bulk_active"] is True
    assert c["original_indexing_threshold"] == 12345
    assert server.info(name)["config"]["optimizer_config"]["indexing_threshold"] == 0
    assert server.count(name) < N  # the kill really happened mid-load
    r = ingest(*args)
    assert r.returncode == 2, "seed %d\n%s" % (seed, r.stderr)
    assert "resuming from checkpoint" in r.stderr
    check_final(server, name, tmp_path, report, rejects)
    assert server.info(name)["config"]["optimizer_config"]["indexing_threshold"] == 12345
    assert read_checkpoint(ckpt)["complete"] is True
    r = ingest(*args)  # a third run has nothing left to do
    assert r.returncode == 2 and "nothing to send" in r.stderr, r.stderr


def test_ctrl_c_saves_a_checkpoint(server, tmp_path):
    path = make_input(tmp_path, "plain")
    ckpt, report, rejects = tmp_path / "ckpt.json", tmp_path / "report.json", tmp_path / "rejects.jsonl"
    args = ["--url", server.url, "-c", "interrupted", "-f", path, "--create", "size=%d,distance=Dot" % DIM,
            "--checkpoint", ckpt, "--checkpoint-interval", "0.05", "--batch-size", 10, "-p", 1,
            "--reject-file", rejects, "--report", report]
    proc = start_ingest(*args)
    wait_for_progress(proc, ckpt, N // 10)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "rerun the same command to resume" in out
    c = read_checkpoint(ckpt)
    assert not c["complete"] and c["position"]["records"] >= N // 10
    assert json.loads(open(report).read())["status"] == "interrupted"
    r = ingest(*args)
    assert r.returncode == 2, r.stderr
    check_final(server, "interrupted", tmp_path, report, rejects)


def test_ctrl_c_with_the_server_gone_exits_promptly(server, tmp_path):
    # The final wait=true request of an interrupted load tries once more, not the whole retry
    # policy (10 retries with backoff took over 30 s); the checkpoint keeps the durable prefix.
    path = make_input(tmp_path, "plain")
    ckpt = tmp_path / "ckpt.json"
    args = ["--url", server.url, "-c", "gone", "-f", path, "--create", "size=%d,distance=Dot" % DIM,
            "--checkpoint", ckpt, "--checkpoint-interval", "0.05", "--batch-size", 10, "-p", 1,
            "--reject-file", tmp_path / "rejects.jsonl"]
    proc = start_ingest(*args)
    wait_for_progress(proc, ckpt, N // 10)
    server.stop()
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    waited = time.monotonic() - t0
    assert proc.returncode == 130, out
    assert waited < 15, "an interrupted ingest waited %.1f s for a server that is gone" % waited
    c = read_checkpoint(ckpt)
    assert not c["complete"] and c["position"]["records"] >= N // 10
    server.start()
    r = ingest(*args)  # resumes from the checkpoint and completes (partial: the planted bad records)
    assert r.returncode == 2 and "resuming from checkpoint" in r.stderr, r.stderr
    assert server.count("gone") == N - len(BAD)


def test_checkpoint_of_another_load_is_refused(server, tmp_path):
    path = write_jsonl(str(tmp_path / "a.jsonl"), [record(i, DIM) for i in range(1, 11)])
    ckpt = tmp_path / "ckpt.json"
    r = ingest("--url", server.url, "-c", "ck1", "-f", path, "--create", "size=%d" % DIM, "--checkpoint", ckpt)
    assert r.returncode == 0, r.stderr
    r = ingest("--url", server.url, "-c", "ck2", "-f", path, "--create", "size=%d" % DIM, "--checkpoint", ckpt)
    assert r.returncode == 1 and "belongs to a different load" in r.stderr


def test_bulk_setting_restored_after_a_kill_between_last_checkpoint_and_restore(server, tmp_path):
    path = write_jsonl(str(tmp_path / "b.jsonl"), [record(i, DIM) for i in range(1, 11)])
    ckpt = tmp_path / "ckpt.json"
    args = ["--url", server.url, "-c", "bulkdone", "-f", path, "--create", "size=%d" % DIM,
            "--checkpoint", ckpt, "--bulk"]
    r = ingest(*args)
    assert r.returncode == 0, r.stderr
    # As if killed after the final checkpoint but before restoring: threshold 0, bulk still active.
    code, out = server.call("PATCH", "/collections/bulkdone", {"optimizers_config": {"indexing_threshold": 0}})
    assert code == 200, out
    c = json.loads(open(ckpt).read())
    c["bulk_active"], c["original_indexing_threshold"] = True, 777
    open(ckpt, "w").write(json.dumps(c))
    r = ingest(*args)
    assert r.returncode == 0 and "nothing to send" in r.stderr, r.stderr
    assert server.info("bulkdone")["config"]["optimizer_config"]["indexing_threshold"] == 777
