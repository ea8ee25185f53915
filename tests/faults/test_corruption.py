"""Bit flips and truncation of the files in a stopped server's storage directory (collection.meta,
segment files, the HNSW graph file, WAL files): the server must never serve damaged data. Damage to
a checkpoint file (meta, segment, graph) or in the middle of the WAL makes start-up fail with the damaged
file's name in the log; damage at the end of the last WAL file is a torn write: the server starts, drops
the damaged tail records and serves everything before them unchanged."""
import os
import shutil
import time

import pytest

from harness import Api
from helpers import f32

DIM = 16
COLL = "damaged"


def point(i, round_no):
    return {"id": i, "vector": [f32(((i * 31 + k * 7) % 17) / 17.0 - 0.5) for k in range(DIM)],
            "payload": {"round": round_no, "i": i}}


def scroll(api):
    out, offset = {}, None
    while True:
        body = {"limit": 1000, "with_payload": True, "with_vector": True}
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", "/collections/%s/points/scroll" % COLL, body)
        out.update({p["id"]: (p["payload"], p["vector"]) for p in res["points"]})
        offset = res.get("next_page_offset")
        if offset is None:
            return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A storage dir with a checkpoint (segments incl. an indexed one with its graph) and WAL records after
    it; returns (storage dir copy, {id: (payload, vector)} as served before the damage)."""
    from harness import QuiverServer
    srv = QuiverServer()
    srv.start()
    try:
        api = Api(srv)
        api.ok("PUT", "/collections/%s" % COLL, {
            "vectors": {"size": DIM, "distance": "Dot"}, "hnsw_config": {"m": 8, "ef_construct": 32},
            "optimizers_config": {"indexing_threshold": 8}})
        api.ok("PUT", "/collections/%s/points?wait=true" % COLL, {"points": [point(i, 1) for i in range(400)]})
        for _ in range(100):  # the optimizer seals and indexes after 1 s without writes
            if api.ok("GET", "/collections/%s" % COLL)["indexed_vectors_count"] > 0:
                break
            time.sleep(0.1)
        srv.restart()  # SIGTERM: checkpoint with the graph
        for k in range(20):  # WAL records after the checkpoint, one op each
            api.ok("PUT", "/collections/%s/points?wait=true" % COLL, {"points": [point(1000 + k, 2)]})
        served = scroll(api)
        srv.kill9()
        keep = str(tmp_path_factory.mktemp("pristine") / "storage")
        shutil.copytree(os.path.join(srv.data_dir, "storage"), keep)
    finally:
        srv.close(check=False)
    return keep, served


def collection_files(storage):
    out = []
    for root, _, names in os.walk(os.path.join(storage, "collections")):
        for n in names:
            out.append(os.path.relpath(os.path.join(root, n), storage))
    return sorted(out)


def damage(path, how):
    data = bytearray(open(path, "rb").read())
    if how == "flip":
        data[len(data) // 3] ^= 0x04
    elif how == "truncate":
        del data[len(data) // 2:]
    elif how == "flip_last_byte":
        data[-1] ^= 0x80
    open(path, "wb").write(bytes(data))


def test_storage_has_every_kind_of_file(pristine):
    kinds = {os.path.splitext(f)[1] or os.path.basename(f) for f in collection_files(pristine[0])}
    assert {".wal", ".hnsw", ".meta"} <= kinds, kinds


@pytest.mark.parametrize("how", ["flip", "truncate", "flip_last_byte"])
def test_damaged_file_is_never_served(make_server, pristine, how):
    storage, served = pristine
    checked = 0
    for rel in collection_files(storage):
        if os.path.getsize(os.path.join(storage, rel)) < 2:
            continue
        srv = make_server(start=False)
        shutil.copytree(storage, os.path.join(srv.data_dir, "storage"))
        target = os.path.join(srv.data_dir, "storage", rel)
        damage(target, how)
        name = os.path.basename(rel)
        try:
            srv.start()
        except AssertionError as e:  # refused to start: the log must name the damaged file
            assert name in str(e) or name in open(srv.log_path).read(), (
                "%s (%s): start-up failed without naming the file:\n%s" % (rel, how, e))
            checked += 1
            continue
        # It started: only a torn WAL tail may be recovered from, and what is served is the pristine data
        # minus the last WAL records.
        assert rel.endswith(".wal"), "%s (%s): the server started and served a damaged file" % (rel, how)
        assert how != "flip", "%s: a bit flip in the middle of the WAL was taken for a torn tail" % rel
        now = scroll(Api(srv))
        lost = sorted(set(served) - set(now))
        assert all(i >= 1000 for i in lost), "%s (%s): checkpointed points lost: %s" % (rel, how, lost[:10])
        assert not set(now) - set(served)
        for i, (payload, vector) in now.items():
            assert payload == served[i][0] and vector == served[i][1], "%s (%s): point %d changed" % (rel, how, i)
        # Acknowledged order: a lost record is never followed by a kept one.
        if lost:
            assert max(now) < min(lost), "%s (%s): a record in the middle was dropped" % (rel, how)
        srv.stop()
        checked += 1
    assert checked >= 4
