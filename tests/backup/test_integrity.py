"""Interrupted backups, damaged objects, retention, encryption, snapshots under concurrent writes."""
import http.server
import json
import os
import shutil
import signal
import subprocess
import threading

import requests

from backup_helpers import (HEADERS, QUIVER_BIN, all_ids, backups, call, count, exists, load, manifest,
                            only_backup, quiver, upsert)


class StallingProxy:
    """Forwards to a server; the download of a snapshot of `stall_collection` never finishes. `stalled` is
    set when that request arrives, so a test can act at exactly that point (no sleeps)."""

    def __init__(self, target, stall_collection):
        self.stalled = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _forward(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                if (self.command == "GET" and
                        self.path.startswith("/collections/%s/snapshots/" % stall_collection)):
                    proxy.stalled.set()
                    proxy.release.wait(120)
                    return
                r = requests.request(self.command, target + self.path, data=body, headers=HEADERS, timeout=120)
                self.send_response(r.status_code)
                self.send_header("content-type", r.headers.get("content-type", "application/json"))
                self.send_header("content-length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()


def test_killed_backup_is_never_listed_as_complete(server, tmp_path):
    base = server.base_url
    for name in ("a", "b", "c"):
        load(base, name, 500, dim=8)
    store = str(tmp_path / "store")
    proxy = StallingProxy(base, "b")
    try:
        proc = subprocess.Popen([QUIVER_BIN, "backup", "run", "--url", proxy.url, "--to", "file://" + store],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert proxy.stalled.wait(120), "the backup never reached collection b"
        os.kill(proc.pid, signal.SIGKILL)  # collection a is stored, b is mid-transfer, no manifest
        proc.wait()
    finally:
        proxy.close()
    state = backups(store)
    assert len(state) == 1 and list(state.values()) == [False], state
    listing = quiver("backup", "list", "--from", store, check=0).stdout
    assert "INCOMPLETE" in listing and "complete " not in listing.replace("INCOMPLETE", "")
    r = quiver("restore", "--from", store, "--url", base, "--force", check=2)
    assert "no complete backup" in r.stderr
    r = quiver("restore", "--from", store, "--url", base, "--backup", list(state)[0], "--force", check=2)
    assert "incomplete" in r.stderr
    # The next good run (with retention) removes the debris of the killed one.
    old = list(state)[0]
    os.rename(os.path.join(store, old), os.path.join(store, "2020-01-01T00-00-00Z"))
    quiver("backup", "run", "--url", base, "--to", store, "--keep-last", "3", check=0)
    assert list(backups(store).values()) == [True]


def test_flipped_byte_is_refused_by_verify_and_restore(server, tmp_path):
    base = server.base_url
    load(base, "c", 1000, dim=8)
    store = str(tmp_path / "store")
    quiver("backup", "run", "--url", base, "--to", store, check=0)
    bid = only_backup(store)
    obj = os.path.join(store, manifest(store, bid)["collections"][0]["object"])
    with open(obj, "r+b") as f:
        f.seek(os.path.getsize(obj) // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x01]))
    v = quiver("backup", "verify", "--from", store, "--latest", check=3)
    assert "damaged" in v.stderr
    call("DELETE", base + "/collections/c")
    r = quiver("restore", "--from", store, "--url", base, check=3)
    assert "damaged" in r.stderr and "sha256" in r.stderr
    assert not exists(base, "c")
    # A truncated object is caught before any download.
    with open(obj, "r+b") as f:
        f.truncate(100)
    quiver("restore", "--from", store, "--url", base, check=3)
    assert not exists(base, "c")


def _clone_backup(store, src_id, new_id, complete=True):
    """A copy of backup src_id under another id (objects and manifest rewritten to the new id)."""
    shutil.copytree(os.path.join(store, src_id), os.path.join(store, new_id))
    path = os.path.join(store, new_id, "MANIFEST.json")
    if not complete:
        os.remove(path)
        return
    m = json.load(open(path))
    m["id"] = new_id
    for c in m["collections"]:
        c["object"] = c["object"].replace(src_id, new_id, 1)
    json.dump(m, open(path, "w"))


def test_retention_keeps_the_right_set(server, tmp_path):
    base = server.base_url
    load(base, "c", 100, dim=4)
    store = str(tmp_path / "store")
    quiver("backup", "run", "--url", base, "--to", store, check=0)
    first = only_backup(store)
    fakes = ["2026-01-05T06-00-00Z", "2026-01-05T18-00-00Z", "2026-01-06T06-00-00Z", "2026-01-06T18-00-00Z",
             "2026-01-07T12-00-00Z", "2026-01-12T12-00-00Z", "2026-01-20T12-00-00Z"]
    for f in fakes:
        _clone_backup(store, first, f)
    _clone_backup(store, first, "2026-01-07T00-00-00Z", complete=False)  # debris of a killed run
    quiver("restore", "--from", store, "--url", base, "--backup", "2026-01-06T06-00-00Z", "--force", check=0)
    # --before picks the newest complete backup at or before the time (the incomplete Jan 7 00:00 never).
    for before, expected in (("2026-01-06", "2026-01-05T18-00-00Z"), ("2026-01-07T11:00:00Z", "2026-01-06T18-00-00Z"),
                             ("2026-01-07T12:00:00Z", "2026-01-07T12-00-00Z")):
        r = quiver("restore", "--from", store, "--url", base, "--before", before, "--force", "--dry-run", check=0)
        assert "backup " + expected in r.stderr, (before, r.stderr)
    quiver("restore", "--from", store, "--url", base, "--before", "2025-12-31", "--dry-run", check=2)
    quiver("restore", "--from", store, "--url", base, "--before", "yesterday", "--dry-run", check=2)
    # keep-last 2: the new run and `first`; keep-daily 2: today's newest and Jan 20; keep-weekly 4: the
    # newest of this week, of the weeks of Mon Jan 19 and Mon Jan 12, and of the week of Mon Jan 5 (Jan 7).
    # Both Jan 6 backups go (one of them was just restored from), and so does the debris of Jan 7.
    quiver("backup", "run", "--url", base, "--to", store, "--keep-last", "2", "--keep-daily", "2",
           "--keep-weekly", "4", check=0)
    kept = sorted(b for b, complete in backups(store).items())
    assert all(backups(store).values())
    newest = kept[-1]
    assert kept == sorted(["2026-01-07T12-00-00Z", "2026-01-12T12-00-00Z", "2026-01-20T12-00-00Z", first,
                           newest]), kept
    # --max-age never deletes the newest good backup.
    quiver("backup", "run", "--url", base, "--to", store, "--max-age", "1s", check=0)
    after = backups(store)
    assert all(after.values()) and max(after) > newest and max(after) in after
    quiver("backup", "run", "--url", base, "--to", store, "--max-age", "nonsense", check=2)


def test_backup_under_concurrent_writes_restores_consistently(server, tmp_path):
    base = server.base_url
    load(base, "live", 20_000, dim=16)
    stop = threading.Event()
    written = []

    def writer():
        start = 100_000
        while not stop.is_set():
            upsert(base, "live", list(range(start, start + 100)), dim=16)  # one atomic batch
            written.append(start)
            start += 100

    t = threading.Thread(target=writer)
    t.start()
    try:
        store = str(tmp_path / "store")
        quiver("backup", "run", "--url", base, "--to", store, check=0)
    finally:
        stop.set()
        t.join()
    assert written, "the writer made no progress"
    m = manifest(store, only_backup(store))["collections"][0]
    call("DELETE", base + "/collections/live")
    # The restore itself checks the count against [points_before, points_after] and the sampled points.
    quiver("restore", "--from", store, "--url", base, check=0)
    ids = sorted(all_ids(base, "live"))
    assert ids[:20_000] == list(range(20_000))
    extra = ids[20_000:]
    # Batches are wholly in or wholly out, and a prefix of what was written (writes are ordered).
    assert len(extra) % 100 == 0
    assert extra == list(range(100_000, 100_000 + len(extra)))
    assert m["points_before"] <= len(ids) <= m["points_after"]


def test_encryption_round_trip_wrong_key_and_fail_closed(server, tmp_path):
    base = server.base_url
    load(base, "secret", 500, dim=8)
    key = tmp_path / "key"
    key.write_text("11" * 32 + "\n")
    wrong = tmp_path / "wrong"
    wrong.write_text("22" * 32)
    store = str(tmp_path / "store")

    # Fail closed: an unusable key stops the backup before anything is stored.
    for args, env in ((["--encryption-key-file", str(tmp_path / "missing")], {}),
                      (["--encryption-key-file", str(tmp_path / "store")], {}),
                      ([], {"QUIVER_BACKUP_ENCRYPTION_KEY": "not-a-key"})):
        r = quiver("backup", "run", "--url", base, "--to", store, *args, env=env, check=2)
        assert "key" in r.stderr
        assert backups(store) == {}

    quiver("backup", "run", "--url", base, "--to", store, "--encryption-key-file", str(key), check=0)
    bid = only_backup(store)
    m = manifest(store, bid)
    assert m["encryption"]["algorithm"] == "AES-256-GCM"
    obj = os.path.join(store, m["collections"][0]["object"])
    data = open(obj, "rb").read()
    assert data[:8] == b"QVBKENC1" and b"manifest.json" not in data and b"ustar" not in data

    call("DELETE", base + "/collections/secret")
    r = quiver("restore", "--from", store, "--url", base, check=2)
    assert "encrypted" in r.stderr
    r = quiver("restore", "--from", store, "--url", base, "--encryption-key-file", str(wrong), check=3)
    assert "wrong encryption key" in r.stderr
    assert not exists(base, "secret")
    quiver("backup", "verify", "--from", store, "--encryption-key-file", str(key), check=0)
    quiver("restore", "--from", store, "--url", base, env={"QUIVER_BACKUP_ENCRYPTION_KEY": "11" * 32}, check=0)
    assert count(base, "secret") == 500
    # An encrypted object that was tampered with fails authentication even with a matching sha256 claim.
    with open(obj, "r+b") as f:
        f.seek(40)
        f.write(b"\x00")
    quiver("backup", "verify", "--from", store, "--encryption-key-file", str(key), check=3)
