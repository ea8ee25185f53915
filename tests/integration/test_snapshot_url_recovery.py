"""Snapshot recovery from http(s) URLs (issue 5; SSRF rules of issue 8), streamed uploads larger than
max_request_size_mb, and the start-up flags --snapshot / --storage-snapshot / --force-snapshot.

The snapshots are made by the server itself and served by a python http.server on 127.0.0.1 started here; it
records every request so that tests can prove which URLs were (not) contacted."""
import hashlib
import http.server
import os
import subprocess
import threading

import pytest
import requests

from harness import QUIVER_BIN, Api, QuiverServer
from helpers import create_collection, rand_vectors, scroll_all, upsert

DIM = 8


class FileServer:
    """Serves `files` (name -> bytes) on 127.0.0.1; /redirect/<name>?to=<url> answers 302 to `to`."""

    def __init__(self):
        self.files = {}
        self.requests = []  # (path, headers)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                if self.path.startswith("/redirect?to="):
                    self.send_response(302)
                    self.send_header("Location", requests.utils.unquote(self.path.split("=", 1)[1]))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = outer.files.get(self.path.split("?")[0].lstrip("/"))
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name, host="127.0.0.1"):
        return "http://%s:%d/%s" % (host, self.port, name)

    def paths(self):
        return [p for p, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def files():
    f = FileServer()
    yield f
    f.close()


def points(n, seed=1, tag="v1"):
    return [{"id": i, "vector": v, "payload": {"n": i, "tag": tag}} for i, v in enumerate(rand_vectors(n, DIM, seed))]


def content(api, name):
    return sorted((p["id"], p["payload"]["tag"]) for p in scroll_all(api, name))


def make_snapshot(api, name, n=300, tag="v1"):
    """Creates collection `name` with n points and returns (snapshot bytes, sha256 hex)."""
    create_collection(api, name, size=DIM)
    upsert(api, name, points(n, tag=tag))
    desc = api.ok("POST", "/collections/%s/snapshots" % name)
    status, _ = api.request("GET", "/collections/%s/snapshots/%s" % (name, desc["name"]))
    assert status == 200
    data = api.last.content
    assert hashlib.sha256(data).hexdigest() == desc["checksum"]
    return data, desc["checksum"]


def error_of(body):
    return body["status"]["error"]


def test_recover_from_url_with_checksum(make_server, files):
    api = Api(make_server())
    data, checksum = make_snapshot(api, "src")
    files.files["s.snapshot"] = data
    want = content(api, "src")

    body = api.ok("PUT", "/collections/copy/snapshots/recover",
                  {"location": files.url("s.snapshot"), "checksum": checksum, "priority": "snapshot"})
    assert body is True
    assert content(api, "copy") == want

    # Wrong checksum: refused, the existing collection keeps its data.
    upsert(api, "copy", points(10, seed=5, tag="v2"))
    current = content(api, "copy")
    status, body = api.put("/collections/copy/snapshots/recover",
                           {"location": files.url("s.snapshot"), "checksum": "0" * 64})
    assert status == 400 and "checksum" in error_of(body).lower(), body
    assert content(api, "copy") == current

    # A URL that answers 404: a clear error, data untouched, no file left behind.
    status, body = api.put("/collections/copy/snapshots/recover", {"location": files.url("missing.snapshot")})
    assert status == 400 and "404" in error_of(body), body
    assert content(api, "copy") == current
    assert api.ok("GET", "/collections/copy/snapshots") == []

    # Not a snapshot at all.
    files.files["junk.snapshot"] = b"not a tar" * 100
    status, body = api.put("/collections/copy/snapshots/recover", {"location": files.url("junk.snapshot")})
    assert status == 400, body
    assert content(api, "copy") == current

    # The request's api_key goes to the snapshot server as the `api-key` header.
    api.ok("PUT", "/collections/keyed/snapshots/recover",
           {"location": files.url("s.snapshot"), "api_key": "secret-123"})
    assert files.requests[-1][1].get("api-key") == "secret-123"
    assert content(api, "keyed") == want


def test_url_recovery_disabled(make_server, files):
    api = Api(make_server(extra_env={"QUIVER__SERVICE__ENABLE_SNAPSHOT_URL_RECOVERY": "false"}))
    data, _ = make_snapshot(api, "src")
    files.files["s.snapshot"] = data
    for location in (files.url("s.snapshot"), "https://example.invalid/s.snapshot"):
        status, body = api.put("/collections/src/snapshots/recover", {"location": location})
        assert status == 403, body
        assert "Snapshot recovery from remote URLs is disabled" in error_of(body)
    assert files.requests == []  # refused before any download
    assert len(content(api, "src")) == 300


def test_allow_list_and_redirects(make_server, files):
    api = Api(make_server(extra_env={"QUIVER__SERVICE__SNAPSHOT_URL_ALLOWED_HOSTS": "127.0.0.1, *.example.org"}))
    data, checksum = make_snapshot(api, "src")
    files.files["s.snapshot"] = data

    # Same server under a host name that is not in the list: refused without contacting it.
    status, body = api.put("/collections/x/snapshots/recover", {"location": files.url("s.snapshot", "localhost")})
    assert status == 403 and "snapshot_url_allowed_hosts" in error_of(body), body
    assert files.requests == []
    assert api.get("/collections/x")[0] == 404

    # A redirect from an allowed host to a host that is not allowed is not followed.
    target = files.url("s.snapshot", "localhost")
    status, body = api.put("/collections/x/snapshots/recover",
                           {"location": files.url("redirect?to=" + requests.utils.quote(target, safe=""))})
    assert status == 403 and "snapshot_url_allowed_hosts" in error_of(body), body
    assert files.paths() == ["/redirect?to=" + requests.utils.quote(target, safe="")]
    assert api.get("/collections/x")[0] == 404

    # A redirect that stays on allowed hosts is followed.
    target = files.url("s.snapshot")
    api.ok("PUT", "/collections/x/snapshots/recover",
           {"location": files.url("redirect?to=" + requests.utils.quote(target, safe="")), "checksum": checksum})
    assert files.paths()[-1] == "/s.snapshot"
    assert content(api, "x") == content(api, "src")

    # Schemes other than http(s) and file are refused.
    status, body = api.put("/collections/x/snapshots/recover", {"location": "ftp://127.0.0.1/s.snapshot"})
    assert status == 400, body


def rss_peak_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_upload_larger_than_request_limit_is_streamed(make_server):
    server = make_server(extra_env={"QUIVER__SERVICE__MAX_REQUEST_SIZE_MB": "1"})
    api = Api(server)
    create_collection(api, "big", size=256)
    vecs = rand_vectors(3000, 256, 3)
    for start in range(0, 3000, 100):  # batches under the 1 MB body limit
        upsert(api, "big", [{"id": start + i, "vector": v} for i, v in enumerate(vecs[start:start + 100])])
    want = api.ok("POST", "/collections/big/points/count", {"exact": True})["count"]
    desc = api.ok("POST", "/collections/big/snapshots")
    status, _ = api.request("GET", "/collections/big/snapshots/%s" % desc["name"])
    data = api.last.content
    assert len(data) > 1 << 20  # over max_request_size_mb

    # 96 MiB of another form field before the snapshot: if the body were held in memory, the peak RSS
    # would grow by at least that much.
    padding = 96 << 20
    boundary = "quiverboundary7d1f"

    def body():
        yield ("--%s\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n" % boundary).encode()
        chunk = b"p" * (1 << 20)
        for _ in range(padding >> 20):
            yield chunk
        yield ("\r\n--%s\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"b.snapshot\"\r\n"
               "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode()
        yield data
        yield ("\r\n--%s--\r\n" % boundary).encode()

    before = rss_peak_kb(server.pid)
    resp = requests.post("%s/collections/restored/snapshots/upload?checksum=%s" % (server.base_url, desc["checksum"]),
                         data=body(), headers={"Content-Type": "multipart/form-data; boundary=" + boundary},
                         timeout=300)
    api.contract.validate("POST", "/collections/restored/snapshots/upload", resp.status_code,
                          resp.headers.get("Content-Type"), resp.text)
    assert resp.status_code == 200, resp.text
    grown_mb = (rss_peak_kb(server.pid) - before) / 1024
    assert grown_mb < 48, "peak RSS grew by %.0f MB during a %d MB upload" % (grown_mb, padding >> 20)
    assert api.ok("POST", "/collections/restored/points/count", {"exact": True})["count"] == want
    # Nothing left in the spool directory.
    spool = os.path.join(server.data_dir, "snapshots", ".uploads")
    assert not os.path.isdir(spool) or os.listdir(spool) == []

    # A normal (non-upload) request over the limit is still refused.
    status, body = api.put("/collections/big/points?wait=true",
                           {"points": [{"id": 1, "vector": [0.5] * 256, "payload": {"s": "x" * (2 << 20)}}]})
    assert status == 413, body


# --- start-up flags -----------------------------------------------------------------------------------------


def run_serve_expecting_failure(server, args):
    """Runs `quiver serve ARGS` with the server's environment; it must exit 1 at start-up."""
    from harness import free_port
    server.port = free_port()
    proc = subprocess.run([QUIVER_BIN, "serve"] + args, env=server.env(), cwd=server.data_dir,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    return (proc.stdout + proc.stderr).decode("utf-8", "replace")


def test_startup_snapshot_flags(make_server, tmp_path):
    src = make_server()
    api = Api(src)
    data_a, _ = make_snapshot(api, "a", n=120, tag="a")
    data_b, _ = make_snapshot(api, "b", n=80, tag="b")
    api.ok("POST", "/collections/aliases", {"actions": [{"create_alias": {"collection_name": "a", "alias_name": "al"}}]})
    full = api.ok("POST", "/snapshots")
    status, _ = api.request("GET", "/snapshots/%s" % full["name"])
    assert status == 200
    full_path = tmp_path / "full.snapshot"
    full_path.write_bytes(api.last.content)
    a_path, b_path = tmp_path / "a.snapshot", tmp_path / "b.snapshot"
    a_path.write_bytes(data_a)
    b_path.write_bytes(data_b)
    want_a, want_b = content(api, "a"), content(api, "b")

    # --snapshot PATH:NAME (repeatable) on an empty storage.
    dst = make_server(args=["--snapshot", "%s:one" % a_path, "--snapshot", "%s:two" % b_path])
    dapi = Api(dst)
    assert content(dapi, "one") == want_a and content(dapi, "two") == want_b
    dst.args = []  # later restarts without flags

    # An existing collection is not replaced without --force-snapshot: start-up fails, data untouched.
    upsert(dapi, "one", points(5, seed=9, tag="local"))
    current = content(dapi, "one")
    dst.stop()
    out = run_serve_expecting_failure(dst, ["--snapshot", "%s:one" % b_path])
    assert "already exists" in out and "--force-snapshot" in out, out
    dst.start()
    assert content(dapi, "one") == current

    # Bad input: a missing file, a malformed flag, a file that is not a snapshot.
    dst.stop()
    out = run_serve_expecting_failure(dst, ["--snapshot", "%s:three" % (tmp_path / "nope.snapshot")])
    assert "does not exist" in out, out
    out = run_serve_expecting_failure(dst, ["--snapshot", "no-colon-here"])
    assert "<snapshot_file_path>:<target_collection_name>" in out, out
    junk = tmp_path / "junk.snapshot"
    junk.write_bytes(b"junk" * 1000)
    out = run_serve_expecting_failure(dst, ["--snapshot", "%s:one" % junk, "--force-snapshot"])
    dst.start()
    assert content(dapi, "one") == current
    assert dapi.get("/collections/three")[0] == 404

    # --force-snapshot replaces it.
    dst.stop()
    dst.args = ["--snapshot", "%s:one" % b_path, "--force-snapshot"]
    dst.start()
    assert content(dapi, "one") == want_b

    # --storage-snapshot: every collection and alias of a full snapshot.
    fresh = make_server(args=["--storage-snapshot", str(full_path)])
    fapi = Api(fresh)
    assert content(fapi, "a") == want_a and content(fapi, "b") == want_b
    fresh.args = []
    assert {"alias_name": "al", "collection_name": "a"} in fapi.ok("GET", "/aliases")["aliases"]
    # ... refused over existing collections unless forced.
    fresh.stop()
    out = run_serve_expecting_failure(fresh, ["--storage-snapshot", str(full_path)])
    assert "already exists" in out, out
    out = run_serve_expecting_failure(fresh, ["--storage-snapshot", str(a_path)])  # a collection snapshot
    assert "not a full-storage snapshot" in out, out
    fresh.args = ["--storage-snapshot", str(full_path), "--force-snapshot"]
    fresh.start()
    assert content(fapi, "a") == want_a
