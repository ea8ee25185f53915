"""The S3 object store (src/ops/s3) against s3rver, through a gateway that recomputes every request's
SigV4 signature with botocore and fails the test on any mismatch (see conftest.gateway)."""
import hashlib
import os
import signal

import pytest

from conftest import BUCKET

URL = f"s3://{BUCKET}/quiver-tests"


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_small_objects_round_trip(tool, gateway, tmp_path):
    tool.run("put-bytes", URL, "a/hello world.txt", "hello")
    assert tool.run("cat", URL, "a/hello world.txt").stdout == "hello"
    src = tmp_path / "small.bin"
    src.write_bytes(os.urandom(10_000))
    tool.run("put", URL, "a/small.bin", src)
    dst = tmp_path / "out.bin"
    tool.run("get", URL, "a/small.bin", dst)
    assert sha(dst) == sha(src)
    assert [p.name for p in tmp_path.iterdir() if ".s3tmp-" in p.name] == []
    puts = [r for r in gateway.requests if r.method == "PUT"]
    assert len(puts) == 2 and all(r.query == {} for r in puts)  # single PutObject each


def test_multipart_round_trip_with_parallel_parts(tool, gateway, s3rver, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(1_000_000))
    tool.run("--part-size", 65536, "--parallel", 4, "put", URL, "mp/big.bin", src)
    dst = tmp_path / "big.out"
    tool.run("get", URL, "mp/big.bin", dst)
    assert sha(dst) == sha(src)
    creates = [r for r in gateway.requests if r.method == "POST" and "uploads" in r.query]
    parts = [r for r in gateway.requests if r.method == "PUT" and "partNumber" in r.query]
    completes = [r for r in gateway.requests if r.method == "POST" and "uploadId" in r.query]
    assert len(creates) == 1 and len(completes) == 1
    assert sorted(int(r.query["partNumber"]) for r in parts) == list(range(1, 17))  # 1e6 / 64 KiB
    assert s3rver.upload_dirs(BUCKET) == []
    listed = tool.run("list", URL, "mp/").stdout.split("\n")
    assert "1000000 mp/big.bin" in listed


def test_listing_paginates_and_strips_the_prefix(tool, gateway):
    keys = [f"pages/k{i:03d}" for i in range(23)]
    for k in keys:
        tool.run("put-bytes", URL, k, k)
    out = tool.run("--page-size", 5, "list", URL, "pages/").stdout.splitlines()
    assert out == [f"{len(k)} {k}" for k in keys]
    lists = [r for r in gateway.requests if r.method == "GET" and r.query.get("list-type") == "2"]
    assert len(lists) == 5  # 23 keys in pages of 5
    assert sum("continuation-token" in r.query for r in lists) == 4
    # A listing of a prefix that has nothing is empty, not an error.
    assert tool.run("list", URL, "nothing-here/").stdout == ""


def test_delete(tool):
    tool.run("put-bytes", URL, "del/x", "1")
    tool.run("delete", URL, "del/x")
    assert tool.run("list", URL, "del/").stdout == ""
    tool.run("delete", URL, "del/x")  # deleting a missing key is not an error


def test_missing_bucket_and_key_are_clear_errors(tool, tmp_path):
    r = tool.run("list", "s3://no-such-bucket/x", check=False)
    assert r.returncode == 1
    assert "NoSuchBucket" in r.stderr and "s3://no-such-bucket/x/" in r.stderr
    r = tool.run("get", URL, "missing/key", tmp_path / "out", check=False)
    assert r.returncode == 1 and "NoSuchKey" in r.stderr
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temp file
    r = tool.run("put-bytes", "s3://no-such-bucket/x", "k", "v", check=False)
    assert r.returncode == 1 and "NoSuchBucket" in r.stderr


def test_bad_options_and_urls_are_refused(tool):
    for args, words in [(("--sse", "rot13", "list", URL), "server-side encryption"),
                        (("--kms-key-id", "k", "list", URL), "aws:kms"),
                        (("list", "s3://Bad_Bucket/x"), "invalid S3 bucket name"),
                        (("list", "s3://bucket/../x"), "invalid S3 prefix"),
                        (("--endpoint", "ftp://x", "list", URL), "invalid S3 endpoint"),
                        (("put-bytes", URL, "../escape", "x"), "invalid object key")]:
        r = tool.run(*args, check=False)
        assert r.returncode == 1 and words in r.stderr, (args, r.stderr)


def test_transient_errors_are_retried(tool, gateway, tmp_path):
    src = tmp_path / "r.bin"
    src.write_bytes(os.urandom(300_000))
    gateway.fail(lambda m, p, q: q.get("partNumber") == "2", 503, "SlowDown", times=2)
    gateway.fail(lambda m, p, q: m == "GET" and p.endswith("/retry/r.bin"), 500, "InternalError")
    tool.run("--part-size", 65536, "put", URL, "retry/r.bin", src)
    tool.run("get", URL, "retry/r.bin", tmp_path / "r.out")
    assert sha(tmp_path / "r.out") == sha(src)
    part2 = [r for r in gateway.requests if r.query.get("partNumber") == "2"]
    assert len(part2) == 3


def test_failed_part_aborts_the_upload(tool, gateway, s3rver, tmp_path):
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(500_000))
    gateway.fail(lambda m, p, q: q.get("partNumber") == "3", 403, "AccessDenied", times=1000)
    r = tool.run("--part-size", 65536, "put", URL, "fail/f.bin", src, check=False)
    assert r.returncode == 1
    assert "AccessDenied" in r.stderr and "part 3" in r.stderr
    aborts = [x for x in gateway.requests if x.method == "DELETE" and "uploadId" in x.query]
    assert len(aborts) == 1
    assert s3rver.upload_dirs(BUCKET) == []  # no parts left behind
    assert tool.run("list", URL, "fail/").stdout == ""


def test_failed_complete_aborts_the_upload(tool, gateway, s3rver, tmp_path):
    src = tmp_path / "c.bin"
    src.write_bytes(os.urandom(200_000))
    gateway.fail(lambda m, p, q: m == "POST" and "uploadId" in q, 500, "InternalError", times=1000)
    r = tool.run("--part-size", 65536, "--retries", 1, "put", URL, "complete/c.bin", src,
                 check=False)
    assert r.returncode == 1 and "InternalError" in r.stderr and "complete" in r.stderr
    assert s3rver.upload_dirs(BUCKET) == []
    assert tool.run("list", URL, "complete/").stdout == ""


def test_killed_upload_leaves_no_object(tool, gateway, s3rver, tmp_path):
    src = tmp_path / "k.bin"
    src.write_bytes(os.urandom(400_000))
    gateway.hold(lambda m, p, q: q.get("partNumber") == "4")
    proc = tool.popen("--part-size", 65536, "--parallel", 1, "put", URL, "killed/k.bin", src)
    assert gateway.held.wait(60), "the upload never reached part 4"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gateway.hold(None)
    gateway.release()
    assert tool.run("list", URL, "killed/").stdout == ""
    # kill -9 cannot abort: the upload stays until the next run (or a lifecycle rule) removes it.
    assert len(s3rver.upload_dirs(BUCKET)) == 1
    # Uploads initiated before a cut-off (here: the future) under the prefix are aborted.
    assert tool.run("abort-incomplete", URL, 0).stdout == "0\n"  # none that old
    assert tool.run("abort-incomplete", URL, 4_000_000_000).stdout == "1\n"
    assert s3rver.upload_dirs(BUCKET) == []
    assert tool.run("abort-incomplete", URL, 4_000_000_000).stdout == "0\n"


def test_sse_and_storage_class_headers_are_sent_and_signed(tool, gateway, tmp_path):
    src = tmp_path / "e.bin"
    src.write_bytes(os.urandom(150_000))
    tool.run("--sse", "aws:kms", "--kms-key-id", "alias/backups", "--storage-class", "STANDARD_IA",
             "--part-size", 65536, "put", URL, "sse/e.bin", src)
    create = [r for r in gateway.requests if "uploads" in r.query][0]
    assert create.headers["x-amz-server-side-encryption"] == "aws:kms"
    assert create.headers["x-amz-server-side-encryption-aws-kms-key-id"] == "alias/backups"
    assert create.headers["x-amz-storage-class"] == "STANDARD_IA"
    tool.run("--sse", "AES256", "put-bytes", URL, "sse/small", "x")
    put = [r for r in gateway.requests if r.method == "PUT" and r.path.endswith("/sse/small")][0]
    assert put.headers["x-amz-server-side-encryption"] == "AES256"
