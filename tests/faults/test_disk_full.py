"""Disk full: the server's storage is a small tmpfs mounted by the test (needs root; skipped with the
reason otherwise). Fill it with a filler file while writing: writes fail with 507 and Qdrant's
"Insufficient storage" envelope, reads keep working, nothing acknowledged is lost, and writes resume
once the filler is deleted; a restart (which checkpoints) still has every acknowledged point."""
import os
import subprocess
import tempfile

import pytest

from harness import Api
from helpers import f32

DIM = 64
COLL = "full"


@pytest.fixture
def small_tmpfs():
    if os.geteuid() != 0:
        pytest.skip("disk-full test needs root to mount a tmpfs")
    mnt = tempfile.mkdtemp(prefix="quiver-tmpfs-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(mnt)
        pytest.skip("cannot mount a tmpfs here: %s" % (r.stderr.strip() or r.returncode))
    yield mnt
    subprocess.run(["umount", "-l", mnt], check=False)
    os.rmdir(mnt)


def batch(first, n, tag):
    return {"points": [{"id": i, "vector": [f32((i * 7 + k) % 13 / 13.0) for k in range(DIM)],
                        "payload": {"tag": tag, "i": i}} for i in range(first, first + n)]}


def fill(path):
    """Writes zeros to `path` until the file system is full."""
    with open(path, "wb") as f:
        chunk = b"\0" * 65536
        try:
            while True:
                f.write(chunk)
                f.flush()
        except OSError:
            pass


def scroll_ids(api):
    ids, offset = {}, None
    while True:
        body = {"limit": 1000, "with_payload": True}
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", "/collections/%s/points/scroll" % COLL, body)
        ids.update({p["id"]: p["payload"]["tag"] for p in res["points"]})
        offset = res.get("next_page_offset")
        if offset is None:
            return ids


def test_disk_full_fails_writes_with_507_and_recovers(make_server, small_tmpfs):
    srv = make_server(extra_env={"QUIVER__STORAGE__STORAGE_PATH": os.path.join(small_tmpfs, "storage")})
    api = Api(srv)
    api.ok("PUT", "/collections/%s" % COLL, {"vectors": {"size": DIM, "distance": "Dot"}})
    acked = {}
    for b in range(5):
        api.ok("PUT", "/collections/%s/points?wait=true" % COLL, batch(b * 100, 100, "before"))
        acked.update({i: "before" for i in range(b * 100, b * 100 + 100)})

    filler = os.path.join(small_tmpfs, "filler")
    fill(filler)
    errors = []
    next_id = 10000
    for _ in range(50):  # the WAL may have a little room left in its last page: write until refused
        code, body = api.put("/collections/%s/points?wait=true" % COLL, json=batch(next_id, 100, "full"))
        if code == 200:
            acked.update({i: "full" for i in range(next_id, next_id + 100)})
        else:
            errors.append((code, body))
            break
        next_id += 100
    assert errors, "no write failed although the storage file system is full"
    code, body = errors[0]
    print("disk full: %d points acknowledged, then %d %s" % (len(acked), code, body))
    assert code == 507, "a write on a full disk answered %d %r (expected 507)" % (code, body)
    assert body["status"]["error"].startswith("Insufficient storage"), body
    assert "No space left on device" in body["status"]["error"], body

    # Reads keep working and every acknowledged point is there; the refused batch is not.
    stored = scroll_ids(api)
    assert {i: acked[i] for i in acked} == {i: stored.get(i) for i in acked}
    assert not set(stored) - set(acked), "points of a refused write are visible"
    hits = api.ok("POST", "/collections/%s/points/query" % COLL, {"query": [1.0] * DIM, "limit": 3})
    assert len(hits["points"]) == 3
    code, _ = api.put("/collections/%s/points?wait=true" % COLL, json=batch(next_id, 100, "full"))
    assert code == 507

    # Space returns: writes resume.
    os.remove(filler)
    api.ok("PUT", "/collections/%s/points?wait=true" % COLL, batch(20000, 100, "after"))
    acked.update({i: "after" for i in range(20000, 20100)})
    srv.restart()
    stored = scroll_ids(api)
    assert stored == acked
