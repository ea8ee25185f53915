"""Every input format loads the same points: JSONL (plain, gzip, zstd, stdin), CSV/TSV, NPY
(float32/float16, with payloads), fvecs; ids from records or derived deterministically."""
import json
import os
import uuid

import pytest

from ingest_helpers import (gzip_open, ingest, record, vec, write_fvecs, write_jsonl, write_npy,
                            write_zstd)

DIM = 8
N = 300


def check_loaded(server, name, n=N, payload=True, ids=None):
    points = {p["id"]: p for p in server.all_points(name)}
    assert len(points) == n
    expected_ids = ids if ids is not None else list(range(1, n + 1))
    assert sorted(points, key=str) == sorted(expected_ids, key=str)
    return points


def run_ok(*args, **kw):
    r = ingest(*args, **kw)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize("compression", ["plain", "gzip", "zstd"])
def test_jsonl(server, tmp_path, compression):
    records = [record(i, DIM) for i in range(1, N + 1)]
    path = str(tmp_path / "points.jsonl")
    if compression == "gzip":
        path = write_jsonl(path + ".gz", records, opener=gzip_open)
    elif compression == "zstd":
        text = "".join(json.dumps(r) + "\n" for r in records).encode()
        path = write_zstd(path + ".zst", text)
    else:
        write_jsonl(path, records)
    name = "jsonl_" + compression
    report = tmp_path / "report.json"
    run_ok("--url", server.url, "-c", name, "-f", path, "--create", "size=%d,distance=Dot" % DIM,
           "--report", report, "--batch-size", 64)
    points = check_loaded(server, name)
    assert points[7]["vector"] == vec(7, DIM)
    assert points[7]["payload"] == {"n": 7, "name": "item 7", "even": False}
    rep = json.loads(report.read_text())
    assert rep["status"] == "success" and rep["exit_code"] == 0
    assert rep["records"] == N and rep["loaded"] == N and rep["rejected"] == 0
    assert rep["requests"] >= N // 64
    assert rep["reject_file"] is None


def test_stdin_and_line_ids(server, tmp_path):
    lines = "".join(json.dumps({"vector": vec(i, DIM), "payload": {"k": i}}) + "\n" for i in range(50))
    run_ok("--url", server.url, "-c", "stdin", "-f", "-", "--id", "line",
           "--create", "size=%d,distance=Euclid" % DIM, stdin=lines)
    points = check_loaded(server, "stdin", n=50, ids=list(range(1, 51)))
    assert points[1]["payload"] == {"k": 0}  # line 1 is the first record


def test_uuid5_ids_are_deterministic(server, tmp_path):
    recs = [{"vector": vec(i, DIM), "payload": {"url": "https://example.com/%d" % i}} for i in range(40)]
    path = write_jsonl(str(tmp_path / "u.jsonl"), recs)
    for _ in range(2):  # a second load overwrites the same points
        run_ok("--url", server.url, "-c", "uuid", "-f", path, "--id", "uuid5:url",
               "--create", "size=%d,distance=Cosine" % DIM)
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, "https://example.com/%d" % i)) for i in range(40)]
    check_loaded(server, "uuid", n=40, ids=ids)


def test_csv_json_vector_column_and_typed_payload(server, tmp_path):
    path = tmp_path / "items.csv"
    with open(path, "w") as f:
        f.write("id,vector,title,year:int,price:float,in_stock:bool,tags:json\n")
        for i in range(1, N + 1):
            f.write('%d,"%s","Title, %d",%d,%s,%s,"[""t%d""]"\n' % (
                i, json.dumps(vec(i, DIM)), i, 1900 + i, i / 4, "true" if i % 2 else "false", i))
    run_ok("--url", server.url, "-c", "csv", "-f", path, "--create", "size=%d,distance=Dot" % DIM)
    points = check_loaded(server, "csv")
    assert points[3]["vector"] == vec(3, DIM)
    assert points[3]["payload"] == {"title": "Title, 3", "year": 1903, "price": 0.75,
                                    "in_stock": True, "tags": ["t3"]}


def test_tsv_numbered_columns_named_vector(server, tmp_path):
    path = tmp_path / "items.tsv"
    with open(path, "w") as f:
        f.write("\t".join(["key"] + ["emb_%d" % j for j in range(DIM)] + ["note"]) + "\n")
        for i in range(1, N + 1):
            f.write("\t".join(["%d" % (i * 10)] + [repr(x) for x in vec(i, DIM)] + ["n%d" % i]) + "\n")
    run_ok("--url", server.url, "-c", "tsv", "-f", path, "--id-column", "key", "--vector-column", "emb",
           "--vector-name", "text", "--create", "size=%d,distance=Dot,name=text" % DIM)
    points = check_loaded(server, "tsv", ids=[i * 10 for i in range(1, N + 1)])
    assert points[20]["vector"] == {"text": vec(2, DIM)}
    assert points[20]["payload"] == {"note": "n2"}


@pytest.mark.parametrize("dtype", ["<f4", "<f2"])
def test_npy_with_payload_file(server, tmp_path, dtype):
    rows = [vec(i, DIM) for i in range(1, N + 1)]
    npy = write_npy(str(tmp_path / "v.npy"), rows, dtype)
    payloads = write_jsonl(str(tmp_path / "p.jsonl"), [{"sku": "s%d" % i} for i in range(1, N + 1)])
    name = "npy" + dtype[-1]
    run_ok("--url", server.url, "-c", name, "-f", npy, "--payload", payloads, "--id", "uuid5:sku",
           "--create", "size=%d,distance=Dot" % DIM)
    ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, "s%d" % i)) for i in range(1, N + 1)]
    points = check_loaded(server, name, ids=ids)
    p = points[ids[4]]
    assert p["vector"] == vec(5, DIM)  # these values are exact in float16 too
    assert p["payload"] == {"sku": "s5"}


def test_fvecs_row_ids(server, tmp_path):
    rows = [vec(i, DIM) for i in range(1, N + 1)]
    path = write_fvecs(str(tmp_path / "base.fvecs"), rows)
    run_ok("--url", server.url, "-c", "fvecs", "-f", path, "--create", "size=%d,distance=Euclid" % DIM)
    points = check_loaded(server, "fvecs")  # rows are numbered from 1
    assert points[N]["vector"] == vec(N, DIM)


def test_existing_collection_indexes_and_wait_indexed(server, tmp_path):
    server.create("existing", {"vectors": {"size": DIM, "distance": "Dot"}})
    path = write_jsonl(str(tmp_path / "e.jsonl"), [record(i, DIM) for i in range(1, 101)])
    r = run_ok("--url", server.url, "-c", "existing", "-f", path, "--index", "name:keyword",
               "--index", "n:integer", "--wait-indexed")
    assert "green" in r.stderr
    info = server.info("existing")
    assert info["points_count"] == 100
    assert info["payload_schema"]["name"]["data_type"] == "keyword"
    assert info["payload_schema"]["n"]["data_type"] == "integer"


def test_progress_bar_and_log_lines(server, tmp_path):
    path = write_jsonl(str(tmp_path / "p.jsonl"), [record(i, DIM) for i in range(1, 20001)])
    r = ingest("--url", server.url, "-c", "progress", "-f", path, "--create", "size=%d" % DIM,
               "--progress", "bar", "--batch-size", 10, "-p", 1)
    assert r.returncode == 0, r.stderr
    assert "\x1b[K" in r.stderr and "rec/s" in r.stderr and "%" in r.stderr  # redrawn in place
    r = ingest("--url", server.url, "-c", "progress", "-f", path, "--progress", "log",
               "--log-interval", "0.01", "--batch-size", 10, "-p", 1)
    assert r.returncode == 0, r.stderr
    assert "records/s" in r.stderr and "\x1b[K" not in r.stderr
