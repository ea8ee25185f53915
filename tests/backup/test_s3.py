"""`quiver backup` / `quiver restore` against s3rver (tests/s3), through the SigV4-checking gateway: the same
round trip as test_round_trip.py, and a backup killed in the middle of an upload."""
import os
import random
import signal
import subprocess
import time
import sys
from pathlib import Path

import pytest

from backup_helpers import QUIVER_BIN, call, count, load, quiver, retrieve, search, vector

S3_TESTS = Path(__file__).resolve().parent.parent / "s3"
sys.path.insert(0, str(S3_TESTS))
if not (S3_TESTS / "node_modules" / ".bin" / "s3rver").exists():
    pytest.skip("s3rver is not installed (scripts/install-deps.sh)", allow_module_level=True)

from s3_gateway import S3Gateway  # noqa: E402
from s3rver_fixture import S3rver  # noqa: E402

BUCKET = "backups"


@pytest.fixture
def s3(tmp_path):
    srv = S3rver(tmp_path / "s3rver", buckets=[BUCKET]).start()
    gw = S3Gateway(srv).start()
    yield srv, gw
    gw.release()
    gw.stop()
    srv.stop()
    assert gw.bad_requests() == [], "requests with a wrong SigV4 signature"


def test_round_trip_through_s3(server, s3, tmp_path):
    srv, gw = s3
    env = srv.env(gw.endpoint)
    base = server.base_url
    load(base, "docs", 50_000)
    rng = random.Random(3)
    queries = [vector(rng, 32) for _ in range(10)]
    before = [search(base, "docs", q) for q in queries]
    ids = rng.sample(range(50_000), 100)
    points = retrieve(base, "docs", ids)
    target = "s3://%s/quiver/prod" % BUCKET

    quiver("backup", "run", "--url", base, "--to", target, "--sse", "AES256", env=env, check=0)
    listing = quiver("backup", "list", "--from", target, env=env, check=0).stdout
    assert "complete" in listing and "INCOMPLETE" not in listing
    puts = [r for r in gw.requests if r.method == "PUT"]
    assert puts and all(r.headers.get("x-amz-server-side-encryption") == "AES256"
                        for r in puts if "partNumber" not in r.query)
    quiver("backup", "verify", "--from", target, "--latest", env=env, check=0)

    call("DELETE", base + "/collections/docs")
    quiver("restore", "--from", target, "--url", base, env=env, check=0)
    assert count(base, "docs") == 50_000
    assert [search(base, "docs", q) for q in queries] == before
    assert retrieve(base, "docs", ids) == points


def test_backup_killed_mid_upload_to_s3_is_not_complete(server, s3, tmp_path):
    srv, gw = s3
    env = dict(os.environ, **srv.env(gw.endpoint))
    base = server.base_url
    load(base, "a", 2000, dim=8)
    load(base, "b", 2000, dim=8)
    target = "s3://%s/q" % BUCKET
    # Hold the upload of the second collection's snapshot, then kill the backup right there.
    gw.hold(lambda method, path, query: method == "PUT" and path.endswith("collection-1.snapshot"))
    proc = subprocess.Popen([QUIVER_BIN, "backup", "run", "--url", base, "--to", target,
                             "--s3-part-size", "4096", "--s3-parallel-parts", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert gw.held.wait(120), "the backup never uploaded the second snapshot"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        gw.hold(None)
        gw.release()
    listing = quiver("backup", "list", "--from", target, env=env, check=0).stdout
    assert "INCOMPLETE" in listing and " complete " not in listing
    r = quiver("restore", "--from", target, "--url", base, "--force", env=env, check=2)
    assert "no complete backup" in r.stderr
    # A later run with retention completes and removes the debris, including the killed run's open
    # multipart upload (the snapshot went up in 4 KiB parts, one of them held when it was killed).
    time.sleep(1.1)  # upload start times have 1 s resolution; only earlier uploads are aborted
    later = quiver("backup", "run", "--url", base, "--to", target, "--keep-last", "5", env=env, check=0)
    assert "aborted 1 incomplete upload" in later.stderr
    listing = quiver("backup", "list", "--from", target, env=env, check=0).stdout
    assert "INCOMPLETE" not in listing and listing.count(" complete ") == 1
