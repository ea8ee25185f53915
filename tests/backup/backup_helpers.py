"""Helpers for the backup tests: run the `quiver` binary, load points fast, read a collection back."""
import json
import os
import random
import subprocess

import requests

from harness import QUIVER_BIN

HEADERS = {"content-type": "application/json"}


def quiver(*args, env=None, check=None, timeout=600):
    """Runs `quiver ARGS`; returns CompletedProcess (text). check=N asserts the exit code."""
    full_env = dict(os.environ)
    full_env.pop("QUIVER_BACKUP_ENCRYPTION_KEY", None)
    full_env.update(env or {})
    p = subprocess.run([QUIVER_BIN] + list(args), env=full_env, capture_output=True, text=True,
                       timeout=timeout)
    if check is not None:
        assert p.returncode == check, "quiver %s exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(args), p.returncode, check, p.stdout, p.stderr)
    return p


def call(method, url, body=None, ok=True):
    r = requests.request(method, url, data=None if body is None else json.dumps(body), headers=HEADERS,
                         timeout=120)
    if ok:
        assert r.status_code == 200, "%s %s -> %d %s" % (method, url, r.status_code, r.text[:300])
    return r


def create_collection(base, name, dim=32):
    call("PUT", "%s/collections/%s" % (base, name), {"vectors": {"size": dim, "distance": "Cosine"}})


def vector(rng, dim):
    return [round(rng.uniform(-1, 1), 6) for _ in range(dim)]


def upsert(base, name, ids, dim=32, seed=0):
    rng = random.Random(seed * 1_000_003 + ids[0])
    points = [{"id": i, "vector": vector(rng, dim),
               "payload": {"i": i, "tag": "t%d" % (i % 7), "nested": {"even": i % 2 == 0}}} for i in ids]
    call("PUT", "%s/collections/%s/points?wait=true" % (base, name), {"points": points})


def load(base, name, n, dim=32, batch=5000):
    create_collection(base, name, dim)
    for start in range(0, n, batch):
        upsert(base, name, list(range(start, min(n, start + batch))), dim)


def count(base, name):
    return call("POST", "%s/collections/%s/points/count" % (base, name), {"exact": True}).json()["result"]["count"]


def exists(base, name):
    return requests.get("%s/collections/%s" % (base, name), timeout=30).status_code == 200


def search(base, name, query, limit=10):
    r = call("POST", "%s/collections/%s/points/query" % (base, name),
             {"query": query, "limit": limit, "with_payload": True})
    return [(p["id"], round(p["score"], 5), p.get("payload")) for p in r.json()["result"]["points"]]


def retrieve(base, name, ids):
    r = call("POST", "%s/collections/%s/points" % (base, name),
             {"ids": ids, "with_payload": True, "with_vector": True})
    return sorted(((p["id"], json.dumps(p["payload"], sort_keys=True), p["vector"]) for p in r.json()["result"]),
                  key=lambda t: t[0])


def all_ids(base, name):
    ids, offset = [], None
    while True:
        body = {"limit": 10000, "with_payload": False, "with_vector": False}
        if offset is not None:
            body["offset"] = offset
        res = call("POST", "%s/collections/%s/points/scroll" % (base, name), body).json()["result"]
        ids += [p["id"] for p in res["points"]]
        offset = res.get("next_page_offset")
        if offset is None:
            return ids


def backups(store_dir):
    """{id: complete?} from the directory layout."""
    out = {}
    if not os.path.isdir(store_dir):
        return out
    for name in sorted(os.listdir(store_dir)):
        if os.path.isdir(os.path.join(store_dir, name)):
            out[name] = os.path.exists(os.path.join(store_dir, name, "MANIFEST.json"))
    return out


def manifest(store_dir, backup_id):
    with open(os.path.join(store_dir, backup_id, "MANIFEST.json")) as f:
        return json.load(f)


def only_backup(store_dir):
    ids = [b for b, complete in backups(store_dir).items() if complete]
    assert len(ids) == 1, ids
    return ids[0]
