"""The server's scheduled local backups (`backup:` config): each run writes one snapshot per
collection and MANIFEST.json last; retention keeps the newest keep_last complete backups; a backup
file restores through the snapshot upload endpoint with identical points."""
import hashlib
import json
import os

from harness import Api
from helpers import create_collection, upsert, wait_until


def complete_backups(target):
    if not os.path.isdir(target):
        return []
    return sorted(d for d in os.listdir(target) if os.path.isfile(os.path.join(target, d, "MANIFEST.json")))


def test_scheduled_backups_retention_and_restore(make_server, tmp_path):
    target = str(tmp_path / "backups")
    s = make_server(extra_env={"QUIVER__BACKUP__ENABLED": "true", "QUIVER__BACKUP__SCHEDULE": "@every 1s",
                               "QUIVER__BACKUP__TARGET": target, "QUIVER__BACKUP__KEEP_LAST": "2"})
    api = Api(s)
    create_collection(api, "books", size=4, distance="Dot")
    points = [{"id": i, "vector": [i, 1, 0, 0.5], "payload": {"n": i}} for i in range(200)]
    upsert(api, "books", points)
    # Backups keep coming; retention keeps exactly the newest two complete ones.
    assert wait_until(lambda: len(complete_backups(target)) >= 2, timeout=20)
    first = complete_backups(target)[0]
    assert wait_until(lambda: first not in complete_backups(target), timeout=20)
    assert len(complete_backups(target)) <= 2
    newest = complete_backups(target)[-1]
    manifest = json.load(open(os.path.join(target, newest, "MANIFEST.json")))
    [entry] = [c for c in manifest["collections"] if c["name"] == "books"]
    path = os.path.join(target, newest, entry["file"])
    data = open(path, "rb").read()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert entry["size"] == len(data) and entry["points"] == 200
    # The backup restores into a new collection with identical points.
    r = s_upload(api, "restored", data, entry["sha256"])
    assert r.status_code == 200, r.text
    got = api.ok("POST", "/collections/restored/points", {"ids": list(range(200)), "with_vector": True})
    assert sorted(p["id"] for p in got) == list(range(200))
    assert all(p["payload"]["n"] == p["id"] for p in got)
    # /metrics reports the last success.
    text = api.session.get(s.base_url + "/metrics").text
    assert 'quiver_backup_runs_total{schedule="server",result="success"}' in text
    # `quiver backup verify` reads the server's directory layout and manifest (no run in progress after
    # the stop, so the listing is stable).
    s.stop()
    import subprocess
    import harness
    r = subprocess.run([harness.QUIVER_BIN, "backup", "verify", "--from", "file://" + target, "--latest"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def s_upload(api, name, data, checksum):
    return api.session.post(api.server.base_url + "/collections/%s/snapshots/upload?wait=true&checksum=%s"
                            % (name, checksum), files={"snapshot": ("backup.snapshot", data)})


def test_bad_schedule_stops_start_up():
    import subprocess
    import harness
    env = dict(os.environ, QUIVER__BACKUP__ENABLED="true", QUIVER__BACKUP__SCHEDULE="61 * * * *")
    r = subprocess.run([harness.QUIVER_BIN, "serve", "--check-config"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "backup.schedule" in (r.stdout + r.stderr)
