"""Snapshots (QDRANT-COMPAT.md 4): collection and full-storage snapshots over REST, the .checksum sidecar,
recovery from file:// and from an upload, consistency under concurrent writes, and refusal of damaged or
malicious input with existing data left untouched. Every JSON response is validated against the contract."""
import hashlib
import os
import threading
import time

import requests

from helpers import create_collection, rand_vectors, scroll_all, upsert, wait_until

DIM = 8


def points(start, n, seed=1, tag="v1"):
    vecs = rand_vectors(n, DIM, seed)
    return [{"id": start + i, "vector": v, "payload": {"n": start + i, "tag": tag}} for i, v in enumerate(vecs)]


def snapshots_dir(server, collection=None):
    base = os.path.join(server.data_dir, "snapshots")
    return os.path.join(base, collection) if collection else base


def download(api, path):
    status, _ = api.request("GET", path)
    assert status == 200, (path, status, api.last.text[:200])
    assert api.last.headers["Content-Type"].startswith("application/octet-stream")
    return api.last.content


def state(api, name):
    pts = {p["id"]: (p["payload"], p["vector"]) for p in scroll_all(api, name)}
    queries = rand_vectors(5, DIM, 99)
    results = [[(h["id"], round(h["score"], 5)) for h in api.ok("POST", "/collections/%s/points/query" % name,
                                                                {"query": q, "limit": 10})["points"]]
               for q in queries]
    return pts, results


def upload(api, name, data, query=""):
    url = "%s/collections/%s/snapshots/upload%s" % (api.server.base_url, name, query)
    resp = requests.post(url, files={"snapshot": ("x.snapshot", data)}, timeout=60)
    body = api.contract.validate("POST", "/collections/%s/snapshots/upload" % name, resp.status_code,
                                 resp.headers.get("Content-Type"), resp.text)
    return resp.status_code, body


def test_create_list_download_delete_with_checksum_sidecar(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "books", size=DIM, distance="Cosine")
    upsert(api, "books", points(0, 200))

    metrics = api.session.get(server.base_url + "/metrics").text
    assert 'snapshot_created_total{id="books"} 0' in metrics
    desc = api.ok("POST", "/collections/books/snapshots")
    assert desc["name"].startswith("books-") and desc["name"].endswith(".snapshot")
    assert desc["size"] > 0 and len(desc["checksum"]) == 64
    metrics = api.session.get(server.base_url + "/metrics").text
    assert 'snapshot_created_total{id="books"} 1' in metrics
    assert 'snapshot_creation_running{id="books"} 0' in metrics

    listed = api.ok("GET", "/collections/books/snapshots")
    assert [d["name"] for d in listed] == [desc["name"]]
    assert listed[0]["checksum"] == desc["checksum"] and listed[0]["size"] == desc["size"]

    data = download(api, "/collections/books/snapshots/%s" % desc["name"])
    assert len(data) == desc["size"]
    assert hashlib.sha256(data).hexdigest() == desc["checksum"]
    sidecar = os.path.join(snapshots_dir(server, "books"), desc["name"] + ".checksum")
    with open(sidecar, "rb") as f:
        assert f.read() == desc["checksum"].encode()  # hex, no newline

    # HTTP Range.
    r = requests.get(server.base_url + "/collections/books/snapshots/%s" % desc["name"],
                     headers={"Range": "bytes=10-19"}, timeout=30)
    assert r.status_code == 206 and r.content == data[10:20]
    assert r.headers["Content-Range"] == "bytes 10-19/%d" % len(data)
    r = requests.get(server.base_url + "/collections/books/snapshots/%s" % desc["name"],
                     headers={"Range": "bytes=-7"}, timeout=30)
    assert r.status_code == 206 and r.content == data[-7:]
    r = requests.get(server.base_url + "/collections/books/snapshots/%s" % desc["name"],
                     headers={"Range": "bytes=%d-" % len(data)}, timeout=30)
    assert r.status_code == 416 and r.headers["Content-Range"] == "bytes */%d" % len(data)
    # Keep-alive still works after a streamed file body.
    session = requests.Session()
    for _ in range(3):
        r = session.get(server.base_url + "/collections/books/snapshots/%s" % desc["name"], timeout=30)
        assert r.status_code == 200 and r.content == data

    assert api.ok("DELETE", "/collections/books/snapshots/%s" % desc["name"]) is True
    assert not os.path.exists(sidecar)
    status, _ = api.get("/collections/books/snapshots/%s" % desc["name"])
    assert status == 404
    status, _ = api.delete("/collections/books/snapshots/%s" % desc["name"])
    assert status == 404
    status, _ = api.get("/collections/nope/snapshots")
    assert status == 404

    # wait=false answers 202 accepted; the snapshot appears later.
    status, body = api.post("/collections/books/snapshots?wait=false")
    assert status == 202 and body["status"] == "accepted"
    assert wait_until(lambda: len(api.ok("GET", "/collections/books/snapshots")) == 1, timeout=30)


def test_recover_from_file_into_new_collection_is_identical(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    # 10 KB threshold = 320 vectors of 8 floats: the collection gets an HNSW graph, which the snapshot carries.
    create_collection(api, "src", size=DIM, distance="Euclid", optimizers_config={"indexing_threshold": 10})
    upsert(api, "src", points(0, 3000))
    assert wait_until(lambda: api.ok("GET", "/collections/src")["status"] == "green", timeout=60)
    assert api.ok("GET", "/collections/src")["indexed_vectors_count"] >= 2900
    api.ok("POST", "/collections/src/points/delete?wait=true", {"points": [5, 6]})
    before = state(api, "src")
    desc = api.ok("POST", "/collections/src/snapshots")
    upsert(api, "src", points(5000, 10, seed=3))  # after the snapshot: not in it

    location = "file://" + os.path.join(snapshots_dir(server, "src"), desc["name"])
    assert api.ok("PUT", "/collections/copy/snapshots/recover",
                  {"location": location, "checksum": desc["checksum"], "priority": "snapshot"}) is True
    assert state(api, "copy") == before
    info = api.ok("GET", "/collections/copy")
    assert info["points_count"] == 2998
    assert info["indexed_vectors_count"] >= 2900, info  # the graph came back with the snapshot
    # It survives a restart and takes writes.
    upsert(api, "copy", points(9000, 3, seed=4))
    server.restart()
    assert api.ok("GET", "/collections/copy")["points_count"] == 3001

    # Recovering over an existing collection replaces it.
    assert api.ok("PUT", "/collections/copy/snapshots/recover", {"location": location}) is True
    assert state(api, "copy") == before


def test_recover_errors(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "a", size=DIM)
    upsert(api, "a", points(0, 10))
    desc = api.ok("POST", "/collections/a/snapshots")
    inside = os.path.join(snapshots_dir(server, "a"), desc["name"])

    status, body = api.put("/collections/b/snapshots/recover", {"location": "file:///etc/passwd"})
    assert status == 403
    assert body["status"]["error"] == "Forbidden: Snapshot file path must be inside the snapshots directory"
    traversal = "file://" + snapshots_dir(server, "a") + "/../../storage/aliases.meta"
    status, _ = api.put("/collections/b/snapshots/recover", {"location": traversal})
    assert status == 403
    status, _ = api.put("/collections/b/snapshots/recover",
                        {"location": "file://" + snapshots_dir(server, "a") + "/missing.snapshot"})
    assert status == 400
    status, body = api.put("/collections/b/snapshots/recover", {"location": "http://127.0.0.1:1/x.snapshot"})
    assert status == 400 and "cannot download" in body["status"]["error"]  # nothing listens there
    status, _ = api.put("/collections/b/snapshots/recover", {"location": "ftp://x/y"})
    assert status == 400
    status, _ = api.put("/collections/b/snapshots/recover", {"location": "file://" + inside, "checksum": "0" * 64})
    assert status == 400
    status, _ = api.put("/collections/b/snapshots/recover", {"location": "file://" + inside, "priority": "x"})
    assert status == 400
    assert api.get("/collections/b")[0] == 404
    # An existing collection with other vectors is not replaced (as Qdrant).
    create_collection(api, "other", size=DIM + 1)
    status, body = api.put("/collections/other/snapshots/recover", {"location": "file://" + inside})
    assert status == 400 and "not compatible" in body["status"]["error"]
    assert api.ok("GET", "/collections/other")["config"]["params"]["vectors"]["size"] == DIM + 1


def test_upload_recover(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "a", size=DIM)
    upsert(api, "a", points(0, 300))
    before = state(api, "a")
    desc = api.ok("POST", "/collections/a/snapshots")
    data = download(api, "/collections/a/snapshots/%s" % desc["name"])

    status, body = upload(api, "up", data, "?checksum=%s&priority=snapshot" % desc["checksum"])
    assert status == 200 and body["result"] is True, body
    assert state(api, "up") == before
    status, body = upload(api, "up2", data, "?checksum=%s" % ("f" * 64))
    assert status == 400 and "checksum" in body["status"]["error"].lower()
    assert api.get("/collections/up2")[0] == 404
    # Uploads leave no files behind in the snapshots directory listing.
    assert api.ok("GET", "/collections/up/snapshots") == []


def test_damaged_snapshot_is_refused_and_data_untouched(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "a", size=DIM)
    upsert(api, "a", points(0, 500))
    desc = api.ok("POST", "/collections/a/snapshots")
    data = bytearray(download(api, "/collections/a/snapshots/%s" % desc["name"]))
    upsert(api, "a", points(0, 500, seed=7, tag="v2"))  # differs from the snapshot
    current = state(api, "a")

    seg = next(i for i in range(0, len(data), 512) if data[i:i + 9] == b"segments/")  # a tar header
    data[seg + 512 + 64] ^= 0x01  # one flipped bit inside a segment file
    status, body = upload(api, "a", bytes(data))
    assert status == 400, body
    assert "is damaged: sha256" in body["status"]["error"], body
    assert state(api, "a") == current
    status, body = upload(api, "fresh", bytes(data))
    assert status == 400
    assert api.get("/collections/fresh")[0] == 404

    # Not a tar at all; truncated.
    status, _ = upload(api, "a", b"hello" * 1000)
    assert status == 400
    status, _ = upload(api, "a", bytes(data[: len(data) // 3]))
    assert status == 400
    assert state(api, "a") == current


def test_snapshot_under_concurrent_writes_is_consistent(make_server):
    """Each write upserts a batch of 20 points sharing a batch number: a restored snapshot must hold every
    batch wholly or not at all, and all batches up to some point (writes are serialized)."""
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "live", size=DIM)
    stop = threading.Event()
    done = []
    errors = []

    def writer():
        session = requests.Session()
        b = 0
        while not stop.is_set():
            batch = [{"id": b * 20 + i, "vector": v, "payload": {"batch": b}}
                     for i, v in enumerate(rand_vectors(20, DIM, b))]
            r = session.put(server.base_url + "/collections/live/points?wait=true", json={"points": batch},
                            timeout=30)
            if r.status_code != 200:
                errors.append(r.text)
                return
            done.append(b)
            b += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        while len(done) < 20:
            time.sleep(0.01)
        descs = [api.ok("POST", "/collections/live/snapshots") for _ in range(3)]
        time.sleep(0.2)
    finally:
        stop.set()
        t.join()
    assert not errors, errors
    for i, desc in enumerate(descs):
        loc = "file://" + os.path.join(snapshots_dir(server, "live"), desc["name"])
        name = "restored%d" % i
        assert api.ok("PUT", "/collections/%s/snapshots/recover" % name, {"location": loc}) is True
        got = {}
        for p in scroll_all(api, name):
            got.setdefault(p["payload"]["batch"], set()).add(p["id"])
        assert got, "snapshot taken after 20 acknowledged writes holds no points"
        for b, ids in got.items():
            assert ids == set(range(b * 20, b * 20 + 20)), "batch %d is partial: %d points" % (b, len(ids))
        assert sorted(got) == list(range(len(got))), "batches are not a prefix"


def test_snapshot_names_are_validated(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "a", size=DIM)
    os.makedirs(snapshots_dir(server, "a"), exist_ok=True)
    secret = os.path.join(server.data_dir, "secret.snapshot")
    with open(secret, "w") as f:
        f.write("TOPSECRETDATA")
    for name in ["..%2F..%2Fsecret.snapshot", "%2E%2E", ".hidden.snapshot", "..%5Csecret.snapshot"]:
        for path in ["/collections/a/snapshots/" + name, "/snapshots/" + name]:
            status, _ = api.get(path)
            assert status in (400, 404), (path, status)
            assert b"TOPSECRETDATA" not in api.last.content
            status, _ = api.delete(path)
            assert status in (400, 404), (path, status)
    assert os.path.exists(secret)


def test_full_storage_snapshots(make_server):
    server = make_server()
    api = __import__("harness").Api(server)
    create_collection(api, "a", size=DIM)
    create_collection(api, "b", size=DIM)
    upsert(api, "b", points(0, 50))
    api.ok("POST", "/collections/aliases", {"actions": [{"create_alias": {"collection_name": "b", "alias_name": "bb"}}]})
    desc = api.ok("POST", "/snapshots")
    assert desc["name"].startswith("full-snapshot-") and len(desc["checksum"]) == 64
    listed = api.ok("GET", "/snapshots")
    assert [d["name"] for d in listed] == [desc["name"]]
    data = download(api, "/snapshots/%s" % desc["name"])
    assert hashlib.sha256(data).hexdigest() == desc["checksum"]
    assert b"collections_mapping" in data and b"collections_aliases" in data
    assert api.ok("DELETE", "/snapshots/%s" % desc["name"]) is True
    assert api.get("/snapshots/%s" % desc["name"])[0] == 404
    assert api.ok("GET", "/snapshots") == []
    status, body = api.post("/snapshots?wait=false")
    assert status == 202 and body["status"] == "accepted"
    assert wait_until(lambda: len(api.ok("GET", "/snapshots")) == 1, timeout=30)
