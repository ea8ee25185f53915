"""--from copies a collection between two running servers (scroll with vectors and payloads); retries
ride out a flaky proxy (503, 429 + Retry-After) and a server restarted in the middle of a load."""
import json
import time
import uuid

import pytest

from ingest_helpers import (FlakyProxy, ingest, record, self_signed_cert, start_ingest, vec,
                            write_jsonl)

DIM = 8


def test_copy_between_servers(server, make_server, tmp_path):
    target = make_server()
    server.create("src", {"vectors": {"text": {"size": DIM, "distance": "Cosine"},
                                      "image": {"size": 4, "distance": "Dot"}}})
    code, out = server.call("PUT", "/collections/src/index?wait=true",
                            {"field_name": "kind", "field_schema": "keyword"})
    assert code == 200, out
    n = 2500
    points = [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "p%d" % i)),
               "vector": {"text": vec(i, DIM), "image": vec(i, 4)},
               "payload": {"kind": "k%d" % (i % 3), "i": i, "nested": {"a": [i, "x"]}}} for i in range(n)]
    for k in range(0, n, 500):
        code, out = server.call("PUT", "/collections/src/points?wait=true", {"points": points[k:k + 500]})
        assert code == 200, out
    report = tmp_path / "copy.json"
    r = ingest("--url", target.url, "-c", "dst", "--from", server.url + "/src", "--batch-size", 256,
               "--report", report)
    assert r.returncode == 0, r.stderr
    assert "created collection dst with the vectors of src" in r.stderr
    info = target.info("dst")
    assert info["config"]["params"]["vectors"]["text"]["size"] == DIM
    assert info["config"]["params"]["vectors"]["image"]["distance"] == "Dot"
    assert info["payload_schema"]["kind"]["data_type"] == "keyword"
    src = {p["id"]: p for p in server.all_points("src")}
    dst = {p["id"]: p for p in target.all_points("dst")}
    assert src.keys() == dst.keys() and len(dst) == n
    for pid, p in src.items():
        assert dst[pid]["payload"] == p["payload"]
        assert dst[pid]["vector"]["image"] == p["vector"]["image"]
        # Cosine vectors are normalized again on insert: equal up to float rounding.
        assert dst[pid]["vector"]["text"] == pytest.approx(p["vector"]["text"], rel=1e-6, abs=1e-7)
    rep = json.loads(report.read_text())
    assert rep["format"] == "scroll" and rep["loaded"] == n and rep["source"] == server.url + "/src"
    # And back again, into an existing collection: the migration path works in both directions.
    r = ingest("--url", server.url, "-c", "src", "--from", target.url + "/collections/dst")
    assert r.returncode == 0, r.stderr
    assert server.count("src") == n


def test_copy_resumes_from_a_scroll_checkpoint(server, make_server, tmp_path):
    target = make_server()
    server.create("big", {"vectors": {"size": DIM, "distance": "Dot"}})
    n = 3000
    code, out = server.call("PUT", "/collections/big/points?wait=true",
                            {"points": [record(i, DIM) for i in range(1, n + 1)]})
    assert code == 200, out
    ckpt = tmp_path / "ckpt.json"
    args = ["--url", target.url, "-c", "copy", "--from", server.url + "/big", "--batch-size", 100,
            "--checkpoint", ckpt, "--create", "size=%d,distance=Dot" % DIM]
    r = ingest(*args, "--limit", 1000)  # stops after 1000 points, as if interrupted
    assert r.returncode == 0, r.stderr
    c = json.loads(ckpt.read_text())
    assert c["position"]["records"] == 1000 and c["position"]["scroll_offset"] == "1001"
    assert c["complete"] is False  # --limit stops this run, not the load
    r = ingest(*args)
    assert r.returncode == 0, r.stderr
    assert "resuming from checkpoint" in r.stderr
    assert target.count("copy") == n


def test_retries_through_a_flaky_proxy(server, tmp_path):
    proxy = FlakyProxy(server.port, fail_rate=0.3)
    try:
        n = 3000
        path = write_jsonl(str(tmp_path / "f.jsonl"), [record(i, DIM) for i in range(1, n + 1)])
        report = tmp_path / "report.json"
        r = ingest("--url", proxy.url, "-c", "flaky", "-f", path, "--create", "size=%d,distance=Dot" % DIM,
                   "--batch-size", 50, "--retries", 20, "--retry-max-delay", 0.05, "--report", report)
        assert r.returncode == 0, r.stderr
        assert server.count("flaky") == n
        rep = json.loads(report.read_text())
        assert proxy.failures["503"] > 0 and proxy.failures["429"] > 0
        assert rep["retries"] >= proxy.failures["503"] + proxy.failures["429"]
        assert rep["loaded"] == n and rep["rejected"] == 0
    finally:
        proxy.close()


def test_server_restarted_mid_load(make_server, tmp_path):
    srv = make_server()
    n = 30000
    path = write_jsonl(str(tmp_path / "r.jsonl"), [record(i, DIM) for i in range(1, n + 1)])
    report = tmp_path / "report.json"
    proc = start_ingest("--url", srv.url, "-c", "restart", "-f", path, "--create",
                        "size=%d,distance=Dot" % DIM, "--batch-size", 10, "-p", 2, "--report", report,
                        "--retry-max-delay", 0.5, "--retries", 30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # wait until the load is under way
        code, out = srv.call("GET", "/collections/restart")
        if code == 200 and out["result"]["points_count"] > 2000:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the load finished before the restart"
    srv.restart()
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert srv.count("restart") == n
    rep = json.loads(report.read_text())
    assert rep["retries"] > 0 and rep["loaded"] == n


def test_https(server, tmp_path):
    cert, key = self_signed_cert(str(tmp_path))
    proxy = FlakyProxy(server.port, fail_rate=0, tls=(cert, key))
    try:
        path = write_jsonl(str(tmp_path / "t.jsonl"), [record(i, DIM) for i in range(1, 101)])
        base = ["--url", proxy.url, "-f", path, "--create", "size=%d,distance=Dot" % DIM]
        r = ingest(*base, "-c", "tls_untrusted")
        assert r.returncode == 1, r.stderr
        assert "certificate" in r.stderr and "gave up" not in r.stderr  # not retried
        r = ingest(*base, "-c", "tls", "--ca-cert", cert)
        assert r.returncode == 0, r.stderr
        assert server.count("tls") == 100
        r = ingest(*base, "-c", "tls_insecure", "--insecure")
        assert r.returncode == 0, r.stderr
    finally:
        proxy.close()
