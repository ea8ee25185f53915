"""Backup → delete → restore of a 50k-point collection; verify; dry run; rename; --force."""
import os
import random

from backup_helpers import (all_ids, backups, call, count, exists, load, manifest, only_backup, quiver,
                            retrieve, search, vector)


def test_round_trip_50k_points_identical_search_and_payloads(server, tmp_path):
    base = server.base_url
    load(base, "docs", 50_000)
    load(base, "small", 300, dim=8)
    rng = random.Random(7)
    queries = [vector(rng, 32) for _ in range(20)]
    before = [search(base, "docs", q) for q in queries]
    sample_ids = rng.sample(range(50_000), 200)
    before_points = retrieve(base, "docs", sample_ids)
    store = str(tmp_path / "store")

    quiver("backup", "run", "--url", base, "--to", "file://" + store, check=0)
    bid = only_backup(store)
    m = manifest(store, bid)
    by_name = {c["name"]: c for c in m["collections"]}
    assert set(by_name) == {"docs", "small"}
    assert by_name["docs"]["points_before"] == by_name["docs"]["points_after"] == 50_000
    assert by_name["docs"]["config"]["params"]["vectors"]["size"] == 32
    assert len(by_name["docs"]["sample"]) > 0
    assert m["nodes"][0]["url"] == base and m["nodes"][0]["server_version"]
    assert os.path.getsize(os.path.join(store, by_name["docs"]["object"])) == by_name["docs"]["size"]
    # The server-side snapshot was deleted after the upload.
    assert call("GET", base + "/collections/docs/snapshots").json()["result"] == []
    listing = quiver("backup", "list", "--from", "file://" + store, check=0).stdout
    assert bid in listing and "complete" in listing

    call("DELETE", base + "/collections/docs")
    call("DELETE", base + "/collections/small")
    assert not exists(base, "docs")
    out = quiver("restore", "--from", "file://" + store, "--latest", "--url", base, check=0)
    assert "matches the backup" in out.stderr
    assert count(base, "docs") == 50_000 and count(base, "small") == 300
    assert [search(base, "docs", q) for q in queries] == before
    assert retrieve(base, "docs", sample_ids) == before_points
    assert sorted(all_ids(base, "docs")) == list(range(50_000))

    quiver("backup", "verify", "--from", "file://" + store, bid, check=0)


def test_existing_collection_needs_force_dry_run_and_rename(server, tmp_path):
    base = server.base_url
    load(base, "c", 1000, dim=8)
    store = "file://" + str(tmp_path / "store")
    quiver("backup", "run", "--url", base, "--to", store, "--collections", "c", check=0)
    call("PUT", base + "/collections/c/points?wait=true",
         {"points": [{"id": 5000, "vector": [0.1] * 8, "payload": {"new": True}}]})

    refused = quiver("restore", "--from", store, "--url", base, check=2)
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert count(base, "c") == 1001

    dry = quiver("restore", "--from", store, "--url", base, "--force", "--dry-run", check=0)
    assert "would restore c" in dry.stderr
    assert count(base, "c") == 1001  # nothing changed

    quiver("restore", "--from", store, "--url", base, "--rename", "c=c_copy", check=0)
    assert count(base, "c_copy") == 1000 and count(base, "c") == 1001
    assert retrieve(base, "c_copy", [1, 2, 3]) == retrieve(base, "c", [1, 2, 3])

    quiver("restore", "--from", store, "--url", base, "--force", check=0)
    assert count(base, "c") == 1000

    call("DELETE", base + "/collections/c")
    quiver("restore", "--from", store, "--url", base, "--dry-run", check=0)
    assert not exists(base, "c")
    bad = quiver("restore", "--from", store, "--url", base, "--collections", "nope", check=2)
    assert "not in backup" in bad.stderr
    quiver("restore", "--from", store, "--url", base, "--rename", "c", check=2)


def test_restore_drill_into_scratch_server(make_server, tmp_path):
    prod, scratch = make_server(), make_server()
    load(prod.base_url, "c", 2000, dim=8)
    store = "file://" + str(tmp_path / "store")
    quiver("backup", "run", "--url", prod.base_url, "--to", store, check=0)
    quiver("backup", "verify", "--from", store, "--latest", "--restore-into", scratch.base_url, check=0)
    assert count(scratch.base_url, "c") == 2000
    assert retrieve(scratch.base_url, "c", [0, 1999]) == retrieve(prod.base_url, "c", [0, 1999])


def test_nothing_to_restore_and_bad_locations(server, tmp_path):
    empty = "file://" + str(tmp_path / "empty")
    r = quiver("restore", "--from", empty, "--url", server.base_url, check=2)
    assert "no complete backup" in r.stderr
    quiver("backup", "run", "--url", server.base_url, "--to", "ftp://x/y", check=2)
    quiver("backup", "run", "--url", server.base_url, "--to", "file://relative", check=2)
    quiver("backup", "run", "--url", server.base_url, "--to", empty, "--collections", "missing", check=2)
    assert not any(backups(str(tmp_path / "empty")).values())
