"""kill -9 torture: random SIGKILLs during a mixed load of upserts, deletes, set/overwrite/delete
payload, with a low indexing threshold so that segments seal, get an HNSW graph and are vacuumed
while the load runs (and checkpoints every second).

Two writer threads own disjoint id ranges and send one operation at a time with wait=true. Each keeps
an exact model of its points: an answered (acknowledged) operation is applied to the model; the one
operation in flight when the server dies is in doubt. After every restart the stored points of each
writer must equal either the model (the in-doubt op absent) or the model with the in-doubt op applied
to all of its points (wholly applied): never partly applied, never another value, nothing lost.
QUIVER_TORTURE_KILLS sets the number of kills (default 100; docs/benchmarks.md has a longer run)."""
import copy
import os
import random
import threading
import time

import requests

from harness import Api
from helpers import f32

KILLS = int(os.environ.get("QUIVER_TORTURE_KILLS", "100"))
DIM = 16
COLL = "torture"
IDS_PER_WRITER = 300


def apply_op(state, op):
    """state: {id: {"vector": [...], "payload": {...}}}; returns a new state with op applied."""
    s = dict(state)
    kind = op["kind"]
    for pid in op["ids"]:
        if kind == "upsert":
            s[pid] = {"vector": op["vectors"][pid], "payload": copy.deepcopy(op["payload"][pid])}
        elif kind == "delete":
            s.pop(pid, None)
        elif pid in s:
            p = dict(s[pid]["payload"])
            if kind == "set_payload":
                p.update(copy.deepcopy(op["payload"]))
            elif kind == "overwrite_payload":
                p = copy.deepcopy(op["payload"])
            elif kind == "delete_payload":
                for k in op["keys"]:
                    p.pop(k, None)
            s[pid] = {"vector": s[pid]["vector"], "payload": p}
    return s


def request_of(op):
    kind, ids = op["kind"], op["ids"]
    base = "/collections/%s/points" % COLL
    if kind == "upsert":
        pts = [{"id": i, "vector": op["vectors"][i], "payload": op["payload"][i]} for i in ids]
        return "PUT", base, {"points": pts}
    if kind == "delete":
        return "POST", base + "/delete", {"points": ids}
    if kind == "set_payload":
        return "POST", base + "/payload", {"payload": op["payload"], "points": ids}
    if kind == "overwrite_payload":
        return "PUT", base + "/payload", {"payload": op["payload"], "points": ids}
    return "POST", base + "/payload/delete", {"keys": op["keys"], "points": ids}


class Writer:
    """One writer's model; run() is the body of one thread per server lifetime."""

    def __init__(self, first_id, seed):
        self.ids = list(range(first_id, first_id + IDS_PER_WRITER))
        self.rng = random.Random(seed)
        self.model = {}        # acknowledged state of this writer's points
        self.in_doubt = None   # the op in flight when the server died
        self.acked = 0
        self.error = None

    def start(self, url, pause_at):
        """pause_at: monotonic time at which to pause writes for 2 s (lets the optimizer run)."""
        self.url, self.pause_at = url, pause_at
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def next_op(self):
        r = self.rng.random()
        present = sorted(self.model)
        n = self.rng.randint(1, 12)
        seq = self.acked * 1000 + self.rng.randint(0, 999)
        if r < 0.45 or len(present) < 20:
            ids = sorted(self.rng.sample(self.ids, n))
            vecs = {i: [f32(self.rng.uniform(-1, 1)) for _ in range(DIM)] for i in ids}
            pay = {i: {"seq": seq, "owner": self.ids[0], "tag": "t%d" % self.rng.randint(0, 9),
                       "nested": {"k": [i, seq]}} for i in ids}
            return {"kind": "upsert", "ids": ids, "vectors": vecs, "payload": pay}
        ids = sorted(self.rng.sample(present, min(n, len(present))))
        if r < 0.60:
            return {"kind": "delete", "ids": ids}
        if r < 0.75:
            return {"kind": "set_payload", "ids": ids, "payload": {"extra": seq, "tag": "s%d" % seq}}
        if r < 0.87:
            return {"kind": "overwrite_payload", "ids": ids, "payload": {"seq": seq, "over": True}}
        return {"kind": "delete_payload", "ids": ids, "keys": self.rng.sample(["tag", "extra", "nested"], 2)}

    def run(self):
        session = requests.Session()
        while not self.stop.is_set():
            if self.pause_at is not None and time.monotonic() >= self.pause_at:
                self.pause_at = None
                self.stop.wait(2.0)  # > 1 s without writes: the optimizer seals and indexes
                continue
            op = self.next_op()
            method, path, body = request_of(op)
            self.in_doubt = op
            try:
                r = session.request(method, self.url + path + "?wait=true", json=body, timeout=30)
            except requests.RequestException:
                return  # the server died: op stays in doubt
            if r.status_code != 200 or r.json().get("result", {}).get("status") != "completed":
                self.error = "%s %s -> HTTP %d %s" % (method, path, r.status_code, r.text[:300])
                return
            self.model = apply_op(self.model, op)
            self.in_doubt = None
            self.acked += 1


def scroll_all(api):
    present, offset = {}, None
    while True:
        body = {"limit": 1000, "with_payload": True, "with_vector": True}
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", "/collections/%s/points/scroll" % COLL, body)
        for p in res["points"]:
            present[p["id"]] = {"vector": p["vector"], "payload": p["payload"]}
        offset = res.get("next_page_offset")
        if offset is None:
            return present


def same(a, b):
    if a.keys() != b.keys():
        return False
    for pid, x in a.items():
        y = b[pid]
        if x["payload"] != y["payload"] or len(x["vector"]) != len(y["vector"]):
            return False
        if any(abs(u - v) > 1e-6 for u, v in zip(x["vector"], y["vector"])):
            return False
    return True


def reconcile(writer, stored, round_no):
    """Checks the writer's points after a restart and fixes its model to what is stored."""
    mine = {pid: p for pid, p in stored.items() if writer.ids[0] <= pid <= writer.ids[-1]}
    if same(mine, writer.model):
        return "absent"
    if writer.in_doubt is not None:
        applied = apply_op(writer.model, writer.in_doubt)
        if same(mine, applied):
            writer.model = applied
            return "applied"
    diff = sorted(pid for pid in set(mine) | set(writer.model)
                  if pid not in mine or pid not in writer.model or not same({0: mine[pid]}, {0: writer.model[pid]}))
    raise AssertionError("round %d: writer %d: stored points are neither the acknowledged state nor it plus the "
                         "in-doubt op %s; differing ids %s; e.g. stored %r vs acknowledged %r" % (
                             round_no, writer.ids[0], writer.in_doubt and writer.in_doubt["kind"], diff[:10],
                             mine.get(diff[0]) if diff else None, writer.model.get(diff[0]) if diff else None))


def test_kill9_torture_mixed_load(make_server):
    started = time.monotonic()
    srv = make_server()
    api = Api(srv)
    api.ok("PUT", "/collections/%s" % COLL, {
        "vectors": {"size": DIM, "distance": "Dot"},
        "hnsw_config": {"m": 8, "ef_construct": 32},
        "optimizers_config": {"indexing_threshold": 8, "deleted_threshold": 0.1,
                              "vacuum_min_vector_number": 100, "flush_interval_sec": 1},
        "wal_config": {"wal_capacity_mb": 1}})
    api.ok("PUT", "/collections/%s/index?wait=true" % COLL, {"field_name": "tag", "field_schema": "keyword"})
    rng = random.Random(8080)
    writers = [Writer(1, 1), Writer(1 + IDS_PER_WRITER, 2)]
    outcomes = {"absent": 0, "applied": 0}
    max_indexed = 0
    max_segments = 0
    for round_no in range(KILLS):
        pause_round = round_no % 4 == 3
        for w in writers:
            w.start(srv.base_url, time.monotonic() + rng.uniform(0.05, 0.3) if pause_round else None)
        time.sleep(rng.uniform(1.4, 3.0) if pause_round else rng.uniform(0.03, 0.5))
        if pause_round:  # did the optimizer index a segment while the load ran? (a read, then the kill)
            info = api.ok("GET", "/collections/%s" % COLL)
            max_indexed = max(max_indexed, info.get("indexed_vectors_count") or 0)
        srv.kill9()
        for w in writers:
            w.stop.set()
            w.thread.join(40)
            assert not w.thread.is_alive(), "writer hung after kill -9"
            assert w.error is None, "round %d: %s" % (round_no, w.error)
        srv.start()
        stored = scroll_all(api)
        for w in writers:
            outcomes[reconcile(w, stored, round_no)] += 1
        count = api.ok("POST", "/collections/%s/points/count" % COLL, {"exact": True})["count"]
        assert count == len(stored), "round %d: count %d but scroll saw %d" % (round_no, count, len(stored))
        for tag in ("t1", "s%d" % 0):
            want = sum(1 for p in stored.values() if p["payload"].get("tag") == tag)
            got = api.ok("POST", "/collections/%s/points/count" % COLL,
                         {"exact": True, "filter": {"must": [{"key": "tag", "match": {"value": tag}}]}})["count"]
            assert got == want, "round %d: index says %d points tagged %s, data has %d" % (round_no, got, tag, want)
        info = api.ok("GET", "/collections/%s" % COLL)
        max_indexed = max(max_indexed, info.get("indexed_vectors_count") or 0)
        max_segments = max(max_segments, info["segments_count"])
    acked = sum(w.acked for w in writers)
    elapsed = time.monotonic() - started
    print("kill -9 torture: %d kills, %d acknowledged ops, in-doubt ops after restart: %d applied, %d absent; "
          "max indexed vectors %d, max segments after a restart %d; %.1fs" % (
              KILLS, acked, outcomes["applied"], outcomes["absent"], max_indexed, max_segments, elapsed))
    assert acked >= KILLS, "the load made almost no progress (%d ops acknowledged in %d rounds)" % (acked, KILLS)
    assert max_indexed > 0, "the optimizer never indexed a segment during the torture (no HNSW graph seen)"
