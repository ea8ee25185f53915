"""The server's own scheduled backups (`backup:` config) to s3://BUCKET/PREFIX, against s3rver behind the
SigV4-checking gateway (tests/s3): each run uploads one snapshot per collection and MANIFEST.json last,
the objects' sha256 match the manifest, retention keeps keep_last complete backups, incomplete leftovers
are removed, and `quiver backup verify` / `quiver restore --from s3://...` read what the server wrote."""
import hashlib
import json
import sys
from pathlib import Path

import pytest

from backup_helpers import count, create_collection, exists, quiver, retrieve, upsert

S3_TESTS = Path(__file__).resolve().parent.parent / "s3"
sys.path.insert(0, str(S3_TESTS))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "integration"))
if not (S3_TESTS / "node_modules" / ".bin" / "s3rver").exists():
    pytest.skip("s3rver is not installed (scripts/install-deps.sh)", allow_module_level=True)

import botocore.config  # noqa: E402
import botocore.session  # noqa: E402
from helpers import wait_until  # noqa: E402
from s3_gateway import S3Gateway  # noqa: E402
from s3rver_fixture import ACCESS_KEY, REGION, SECRET_KEY, S3rver  # noqa: E402

BUCKET = "backups"
PREFIX = "server/prod"
KEEP = 2


@pytest.fixture
def s3(tmp_path):
    srv = S3rver(tmp_path / "s3rver", buckets=[BUCKET]).start()
    gw = S3Gateway(srv).start()
    yield srv, gw
    gw.release()
    gw.stop()
    srv.stop()
    assert gw.bad_requests() == [], "requests with a wrong SigV4 signature"


def s3_client(srv):
    session = botocore.session.get_session()
    return session.create_client(
        "s3", endpoint_url=srv.endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY, config=botocore.config.Config(s3={"addressing_style": "path"}))


def keys(client):
    out = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PREFIX + "/"):
        out += [o["Key"][len(PREFIX) + 1:] for o in page.get("Contents", [])]
    return sorted(out)


def complete_backups(client):
    return sorted(k.split("/")[0] for k in keys(client) if k.endswith("/MANIFEST.json"))


def get(client, key):
    return client.get_object(Bucket=BUCKET, Key=PREFIX + "/" + key)["Body"].read()


def has_books(client, n):
    """True once the newest complete backup holds collection books with n points."""
    complete = complete_backups(client)
    if not complete:
        return False
    manifest = json.loads(get(client, complete[-1] + "/MANIFEST.json"))
    return any(c["name"] == "books" and c["points"] == n for c in manifest["collections"])


def server_env(srv, gw, extra=None):
    env = dict(srv.env(gw.endpoint))
    env.update({"QUIVER__BACKUP__ENABLED": "true", "QUIVER__BACKUP__SCHEDULE": "@every 1s",
                "QUIVER__BACKUP__TARGET": "s3://%s/%s" % (BUCKET, PREFIX),
                "QUIVER__BACKUP__KEEP_LAST": str(KEEP), "QUIVER__BACKUP__S3__SSE": "AES256"})
    env.update(extra or {})
    return env


def test_server_backs_up_to_s3_with_retention_and_restores(make_server, s3, tmp_path):
    srv, gw = s3
    client = s3_client(srv)
    # A leftover of an interrupted run (no manifest) and an unrelated object under the prefix.
    client.put_object(Bucket=BUCKET, Key=PREFIX + "/2000-01-01T00-00-00Z/collection-0.snapshot", Body=b"x")
    client.put_object(Bucket=BUCKET, Key=PREFIX + "/README.txt", Body=b"not a backup")

    s = make_server(extra_env=server_env(srv, gw))
    base = s.base_url
    create_collection(base, "books", dim=8)
    upsert(base, "books", list(range(300)), dim=8)
    ids = list(range(0, 300, 7))
    points = retrieve(base, "books", ids)

    # Backups keep coming; once one made after the upsert is complete, the oldest ones go.
    assert wait_until(lambda: has_books(client, 300), timeout=30)
    assert wait_until(lambda: len(complete_backups(client)) >= KEEP, timeout=30)
    first = complete_backups(client)[0]
    assert wait_until(lambda: first not in complete_backups(client), timeout=30)
    s.stop()  # no run in progress from here on: the listing is stable
    complete = complete_backups(client)
    assert 1 <= len(complete) <= KEEP
    listed = keys(client)
    assert "2000-01-01T00-00-00Z/collection-0.snapshot" not in listed  # incomplete leftover removed
    assert "README.txt" in listed  # not a backup: left alone
    # Every backup id present is complete (a run stopped mid-way would leave one without a manifest,
    # which the next run removes; the server finishes its run before it stops).
    assert {k.split("/")[0] for k in listed if "/" in k} == set(complete)

    newest = complete[-1]
    manifest = json.loads(get(client, newest + "/MANIFEST.json"))
    assert manifest["format"] == "quiver-backup" and manifest["id"] == newest
    [entry] = [c for c in manifest["collections"] if c["name"] == "books"]
    assert entry["object"] == newest + "/" + entry["file"]
    data = get(client, entry["object"])
    assert hashlib.sha256(data).hexdigest() == entry["sha256"] == entry["snapshot_sha256"]
    assert entry["size"] == len(data) and entry["points"] == 300
    # The manifest was uploaded after the snapshot, and with the configured SSE.
    puts = [r for r in gw.requests if r.method == "PUT" and newest in r.path]
    assert puts[-1].path.endswith("/MANIFEST.json")
    assert all(r.headers.get("x-amz-server-side-encryption") == "AES256"
               for r in puts if "partNumber" not in r.query)
    # The staging files were removed after upload.
    staging = Path(s.data_dir) / "snapshots" / ".backup:staging"
    assert staging.is_dir() and list(staging.iterdir()) == []

    # The `quiver backup` tool reads what the server wrote, and restores it into a fresh server.
    env = srv.env(gw.endpoint)
    target = "s3://%s/%s" % (BUCKET, PREFIX)
    quiver("backup", "verify", "--from", target, "--latest", env=env, check=0)
    fresh = make_server()
    quiver("restore", "--from", target, "--backup", newest, "--url", fresh.base_url, env=env, check=0)
    assert count(fresh.base_url, "books") == 300
    assert retrieve(fresh.base_url, "books", ids) == points


def test_damaged_s3_backup_is_refused_by_restore(make_server, s3):
    srv, gw = s3
    client = s3_client(srv)
    s = make_server(extra_env=server_env(srv, gw))
    create_collection(s.base_url, "books", dim=8)
    upsert(s.base_url, "books", list(range(50)), dim=8)
    assert wait_until(lambda: has_books(client, 50), timeout=30)
    s.stop()
    newest = complete_backups(client)[-1]
    manifest = json.loads(get(client, newest + "/MANIFEST.json"))
    [entry] = [c for c in manifest["collections"] if c["name"] == "books"]
    data = bytearray(get(client, entry["object"]))
    data[len(data) // 2] ^= 0x01
    client.put_object(Bucket=BUCKET, Key=PREFIX + "/" + entry["object"], Body=bytes(data))
    env = srv.env(gw.endpoint)
    target = "s3://%s/%s" % (BUCKET, PREFIX)
    fresh = make_server()
    r = quiver("restore", "--from", target, "--backup", newest, "--url", fresh.base_url, env=env)
    assert r.returncode != 0
    assert "sha256" in (r.stdout + r.stderr)
    assert not exists(fresh.base_url, "books")


def test_s3_target_without_credentials_stops_start_up(tmp_path):
    import os
    import subprocess
    from backup_helpers import QUIVER_BIN
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": str(tmp_path), "QUIVER__SERVICE__HOST": "127.0.0.1", "QUIVER__SERVICE__HTTP_PORT": "0",
                "QUIVER__STORAGE__STORAGE_PATH": str(tmp_path / "storage"),
                "QUIVER__STORAGE__SNAPSHOTS_PATH": str(tmp_path / "snapshots"),
                "QUIVER__BACKUP__ENABLED": "true", "QUIVER__BACKUP__TARGET": "s3://%s/%s" % (BUCKET, PREFIX)})
    r = subprocess.run([QUIVER_BIN, "serve"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "backup.target" in r.stdout + r.stderr and "credentials" in r.stdout + r.stderr
