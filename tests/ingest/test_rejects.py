"""Bad records go to the reject file with their line and reason and the load goes on; --strict stops;
exit codes tell success (0), partial (2) and failure (1) apart; the JSON report says the same."""
import json

from ingest_helpers import ingest, record, vec, write_jsonl

DIM = 4


def planted(n=200):
    """Records 1..n, with bad ones on known lines (the line number is the record's position)."""
    lines = [json.dumps(record(i, DIM)) for i in range(1, n + 1)]
    bad = {
        10: ('{"id": 10, "vector": [1, 2, 3]}', "Vector dimension error: expected dim: 4, got 3"),
        20: ('{"id": 20, "vector": [1, 2, 3, 4', "invalid JSON"),
        30: ('{"id": -30, "vector": [1, 2, 3, 4]}', "bad id -30"),
        40: ('{"id": 40, "vector": [1, "x", 3, 4]}', "vector element 1 is not a finite number"),
        50: ('{"id": 50, "vector": [1, 2, 3, 4], "payload": 7}', "payload is not a JSON object"),
        60: ('{"id": "not-a-uuid", "vector": [1, 2, 3, 4]}', "bad id `not-a-uuid`"),
        # Only the server can tell: a number out of range passes the client's quick checks, so the
        # batch is rejected with 400 and split until this record is isolated.
        70: ('{"id": 70, "vector": [1, 2, 1e999, 4]}', None),
    }
    for line, (text, _) in bad.items():
        lines[line - 1] = text
    return lines, bad


def read_rejects(path):
    with open(path) as f:
        return [json.loads(l) for l in f]


def test_rejects_file_exit_code_and_report(server, tmp_path):
    lines, bad = planted()
    path = write_jsonl(str(tmp_path / "in.jsonl"), lines)
    rejects = tmp_path / "rejects.jsonl"
    report = tmp_path / "report.json"
    r = ingest("--url", server.url, "-c", "rej", "-f", path, "--create", "size=4,distance=Dot",
               "--reject-file", rejects, "--report", report, "--batch-size", 32)
    assert r.returncode == 2, r.stderr
    assert "partial" in r.stderr and "7 rejected" in r.stderr
    entries = read_rejects(rejects)
    assert [e["line"] for e in entries] == sorted(bad)
    for e in entries:
        text, reason = bad[e["line"]]
        assert e["record"] == text
        if reason:
            assert reason in e["reason"], e
        else:
            assert e["reason"], e  # the server's message
    assert server.count("rej") == 200 - len(bad)
    rep = json.loads(report.read_text())
    assert rep["status"] == "partial" and rep["exit_code"] == 2
    assert rep["records"] == 200 and rep["loaded"] == 193 and rep["rejected"] == 7
    assert rep["splits"] >= 1  # the server-side reject was isolated by splitting
    assert rep["reject_file"] == str(rejects)


def test_strict_stops_at_the_first_bad_record(server, tmp_path):
    lines, _ = planted()
    path = write_jsonl(str(tmp_path / "in.jsonl"), lines)
    report = tmp_path / "report.json"
    r = ingest("--url", server.url, "-c", "strict", "-f", path, "--create", "size=4,distance=Dot",
               "--strict", "--reject-file", tmp_path / "r.jsonl", "--report", report, "-p", 1,
               "--batch-size", 8)
    assert r.returncode == 1, r.stderr
    assert "--strict: record 10 rejected" in r.stderr
    rep = json.loads(report.read_text())
    assert rep["status"] == "failed" and "record 10" in rep["error"]
    assert server.count("strict") < 200


def test_failures_exit_1(server, tmp_path):
    path = write_jsonl(str(tmp_path / "ok.jsonl"), [record(i, DIM) for i in range(1, 11)])
    r = ingest("--url", server.url, "-c", "missing", "-f", path)
    assert r.returncode == 1 and "does not exist; add --create" in r.stderr
    r = ingest("--url", server.url, "-c", "missing", "-f", str(tmp_path / "nope.jsonl"), "--create", "size=4")
    assert r.returncode == 1 and "cannot open" in r.stderr
    server.create("dims", {"vectors": {"size": 8, "distance": "Dot"}})
    r = ingest("--url", server.url, "-c", "dims", "-f", path, "--create", "size=4,distance=Dot")
    assert r.returncode == 1 and "exists with other vectors" in r.stderr
    r = ingest("--url", "http://127.0.0.1:1", "-c", "x", "-f", path, "--create", "size=4", "--retries", 1)
    assert r.returncode == 1 and "gave up after 2 attempts" in r.stderr
    r = ingest("--url", server.url, "-c", "x", "-f", path, "--create", "size=4,colour=red")
    assert r.returncode == 1 and "unknown key `colour`" in r.stderr


def test_every_record_bad_is_partial_not_success(server, tmp_path):
    path = write_jsonl(str(tmp_path / "bad.jsonl"), ['{"id": %d, "vector": [1]}' % i for i in range(1, 6)])
    r = ingest("--url", server.url, "-c", "allbad", "-f", path, "--create", "size=4,distance=Dot",
               "--reject-file", tmp_path / "r.jsonl")
    assert r.returncode == 2, r.stderr
    assert len(read_rejects(tmp_path / "r.jsonl")) == 5


def test_api_key_is_used_and_never_printed(make_server, tmp_path):
    secret = "s3cr3t-key-value"
    srv = make_server(extra_env={"QUIVER__SERVICE__API_KEY": secret})
    path = write_jsonl(str(tmp_path / "k.jsonl"), [record(i, DIM) for i in range(1, 21)])
    report = tmp_path / "report.json"
    r = ingest("--url", srv.url, "-c", "keyed", "-f", path, "--create", "size=4,distance=Dot",
               "--api-key", secret, "--report", report)
    assert r.returncode == 0, r.stderr
    assert secret not in r.stderr + r.stdout + report.read_text()
    r = ingest("--url", srv.url, "-c", "keyed", "-f", path, "--api-key", "wrong-key")
    assert r.returncode == 1 and "wrong-key" not in r.stderr + r.stdout
    r = ingest("--url", srv.url, "-c", "keyed2", "-f", path, "--create", "size=4,distance=Dot",
               env={"QDRANT_API_KEY": secret})
    assert r.returncode == 0, r.stderr
