"""Crash test: kill -9 at random moments while a writer upserts with wait=true.

A 200 answer to a wait=true upsert means the write is applied and durable (Qdrant writes it to the WAL
before acknowledging). After every crash and restart on the same data dir:
  * every acknowledged point is present with the identical vector and payload;
  * every point present was really sent (the in-flight batch at the crash may or may not be there) and has
    exactly the content that was sent;
  * the payload index agrees with the data (filtered count == points seen).
Dot distance is used so that vectors are stored as given (Cosine would normalize them).
QUIVER_CRASH_ROUNDS overrides the number of rounds (default 20)."""
import os
import random
import threading
import time

import requests

from harness import Api
from helpers import assert_vec, f32

ROUNDS = int(os.environ.get("QUIVER_CRASH_ROUNDS", "20"))
DIM = 8
BATCH = 25
COLL = "crash"


class Writer(threading.Thread):
    def __init__(self, base_url, round_no, first_id, rng, sent, acked):
        super().__init__(daemon=True)
        self.url = base_url + "/collections/%s/points?wait=true" % COLL
        self.round_no, self.next_id, self.rng = round_no, first_id, rng
        self.sent, self.acked = sent, acked
        self.stop = threading.Event()
        self.batches_acked = 0
        self.unexpected = None

    def make_point(self, pid):
        vec = [f32(self.rng.uniform(-10, 10)) for _ in range(DIM)]
        payload = {"round": self.round_no, "pid": pid, "s": "%x" % self.rng.getrandbits(48),
                   "nested": {"f": f32(self.rng.random()), "list": [pid, pid * 2]}}
        return {"id": pid, "vector": vec, "payload": payload}

    def run(self):
        session = requests.Session()
        while not self.stop.is_set():
            points = [self.make_point(self.next_id + k) for k in range(BATCH)]
            self.next_id += BATCH
            for p in points:
                self.sent[p["id"]] = p
            try:
                r = session.put(self.url, json={"points": points}, timeout=10)
            except requests.RequestException:
                return  # the server died mid-request: this batch is in doubt
            if r.status_code != 200:
                self.unexpected = "HTTP %d: %s" % (r.status_code, r.text[:300])
                return
            if r.json()["result"]["status"] != "completed":
                self.unexpected = "wait=true answered %s" % r.text[:300]
                return
            for p in points:
                self.acked[p["id"]] = p
            self.batches_acked += 1


def verify(api, sent, acked, round_no):
    present = {}
    offset = None
    while True:
        body = {"limit": 1000, "with_payload": True, "with_vector": True}
        if offset is not None:
            body["offset"] = offset
        res = api.ok("POST", "/collections/%s/points/scroll" % COLL, body)
        for p in res["points"]:
            present[p["id"]] = p
        offset = res.get("next_page_offset")
        if offset is None:
            break
    missing = sorted(set(acked) - set(present))
    assert not missing, "round %d: %d acknowledged points lost after kill -9, e.g. %s" % (
        round_no, len(missing), missing[:10])
    for pid, p in present.items():
        assert pid in sent, "round %d: point %r was never written" % (round_no, pid)
        want = sent[pid]
        assert p["payload"] == want["payload"], "round %d: point %r payload %r != %r" % (
            round_no, pid, p["payload"], want["payload"])
        assert_vec(p["vector"], want["vector"], tol=1e-6)
    count = api.ok("POST", "/collections/%s/points/count" % COLL, {"exact": True})["count"]
    assert count == len(present), "round %d: count %d but scroll saw %d" % (round_no, count, len(present))
    info = api.ok("GET", "/collections/%s" % COLL)
    assert info["points_count"] == len(present)
    assert info["payload_schema"]["round"]["data_type"] == "integer"
    for r in {round_no, max(0, round_no - 1)}:
        want = sum(1 for p in present.values() if p["payload"]["round"] == r)
        got = api.ok("POST", "/collections/%s/points/count" % COLL,
                     {"exact": True, "filter": {"must": [{"key": "round", "match": {"value": r}}]}})["count"]
        assert got == want, "round %d: index says %d points of round %d, data has %d" % (round_no, got, r, want)
    return present


def test_kill9_during_writes(make_server):
    started = time.monotonic()
    srv = make_server()
    api = Api(srv)
    api.ok("PUT", "/collections/%s" % COLL, {"vectors": {"size": DIM, "distance": "Dot"}})
    api.ok("PUT", "/collections/%s/index?wait=true" % COLL, {"field_name": "round", "field_schema": "integer"})
    rng = random.Random(20240601)
    sent, acked = {}, {}
    next_id = 1
    total_acked_batches = 0
    in_doubt_present = 0
    for round_no in range(ROUNDS):
        writer = Writer(srv.base_url, round_no, next_id, random.Random(rng.random()), sent, acked)
        writer.start()
        time.sleep(rng.uniform(0.05, 0.5))
        srv.kill9()
        writer.stop.set()
        writer.join(15)
        assert not writer.is_alive(), "writer thread hung after the server was killed"
        assert writer.unexpected is None, "round %d: %s" % (round_no, writer.unexpected)
        next_id = writer.next_id
        total_acked_batches += writer.batches_acked
        srv.start()
        present = verify(api, sent, acked, round_no)
        in_doubt_present = len(set(present) - set(acked))
    elapsed = time.monotonic() - started
    assert total_acked_batches >= ROUNDS, "writer made almost no progress (%d batches acknowledged in %d rounds)" % (
        total_acked_batches, ROUNDS)
    print("crash test: %d rounds, %d points acknowledged, %d unacknowledged-but-present after the last crash, %.1fs"
          % (ROUNDS, len(acked), in_doubt_present, elapsed))
