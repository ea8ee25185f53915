"""Helpers for the `quiver ingest` integration tests: a real `quiver serve` on loopback, running the
ingester, writing input files in every format, reading a collection back, and a flaky HTTP proxy.

Environment: QUIVER_BIN (default <repo>/build/quiver), QUIVER_KEEP_DATA=1 keeps temp dirs.
"""
import atexit
import gzip
import http.client
import http.server
import json
import os
import random
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time

import requests

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
QUIVER_BIN = os.path.abspath(os.environ.get("QUIVER_BIN") or os.path.join(REPO_ROOT, "build", "quiver"))
_PIDS = set()


@atexit.register
def _kill_leftovers():
    for pid in list(_PIDS):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `quiver serve` with its own data dir; restart() keeps the data dir and the port."""

    def __init__(self, extra_env=None):
        self.dir = tempfile.mkdtemp(prefix="quiver-ingest-it-")
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.proc = None
        self.log = os.path.join(self.dir, "server.log")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        env = dict(os.environ)
        env.update({
            "QUIVER__SERVICE__HOST": "127.0.0.1",
            "QUIVER__SERVICE__HTTP_PORT": str(self.port),
            "QUIVER__STORAGE__STORAGE_PATH": os.path.join(self.dir, "storage"),
            "QUIVER__STORAGE__SNAPSHOTS_PATH": os.path.join(self.dir, "snapshots"),
            "QUIVER__LOG_LEVEL": "warn",
        })
        env.update(self.extra_env)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([QUIVER_BIN, "serve"], env=env, cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        _PIDS.add(self.proc.pid)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "quiver serve exited: %s" % self.log_tail()
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError("quiver serve not ready: %s" % self.log_tail())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            _PIDS.discard(self.proc.pid)

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        if not os.environ.get("QUIVER_KEEP_DATA"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n=40):
        try:
            with open(self.log, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    # --- REST helpers -------------------------------------------------------------------------
    def call(self, method, path, body=None, headers=None):
        r = requests.request(method, self.url + path, json=body, headers=headers, timeout=60)
        return r.status_code, (r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text)

    def create(self, name, body):
        code, out = self.call("PUT", "/collections/" + name, body)
        assert code == 200, out

    def info(self, name):
        code, out = self.call("GET", "/collections/" + name)
        assert code == 200, out
        return out["result"]

    def count(self, name):
        code, out = self.call("POST", "/collections/%s/points/count" % name, {"exact": True})
        assert code == 200, out
        return out["result"]["count"]

    def all_points(self, name, with_vector=True):
        points, offset = [], None
        while True:
            body = {"limit": 1000, "with_payload": True, "with_vector": with_vector}
            if offset is not None:
                body["offset"] = offset
            code, out = self.call("POST", "/collections/%s/points/scroll" % name, body)
            assert code == 200, out
            points += out["result"]["points"]
            offset = out["result"].get("next_page_offset")
            if offset is None:
                return points


def ingest(*args, stdin=None, timeout=120, env=None):
    """Runs `quiver ingest ARGS`; returns CompletedProcess (text output)."""
    e = dict(os.environ)
    e.update(env or {})
    args = [str(a) for a in args]
    if "--progress" not in args:
        args = ["--progress", "log"] + args
    return subprocess.run([QUIVER_BIN, "ingest", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, env=e)


def start_ingest(*args, cwd=None):
    proc = subprocess.Popen([QUIVER_BIN, "ingest", "--progress", "none", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cwd)
    _PIDS.add(proc.pid)
    return proc


# --- input files -----------------------------------------------------------------------------
def vec(i, dim):
    """A deterministic vector with exactly representable floats."""
    return [((i * 31 + j * 7) % 97 - 48) / 16.0 for j in range(dim)]


def record(i, dim):
    return {"id": i, "vector": vec(i, dim), "payload": {"n": i, "name": "item %d" % i, "even": i % 2 == 0}}


def write_jsonl(path, records, opener=open):
    with opener(path, "wt") as f:
        for r in records:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
    return path


def write_zstd(path, data):
    """A valid zstd frame made of raw (uncompressed) blocks: no zstd module needed."""
    out = bytearray(struct.pack("<I", 0xFD2FB528))
    out.append(0x00)  # frame header descriptor: no content size, checksum or dictionary
    out.append(0x58)  # window descriptor: 2^(10+11) = 2 MiB window
    block = 1 << 16
    chunks = [data[i:i + block] for i in range(0, len(data), block)] or [b""]
    for k, chunk in enumerate(chunks):
        last = 1 if k == len(chunks) - 1 else 0
        header = last | (0 << 1) | (len(chunk) << 3)  # Block_Type 0 = raw
        out += struct.pack("<I", header)[:3] + chunk
    with open(path, "wb") as f:
        f.write(bytes(out))
    return path


def write_npy(path, rows, dtype="<f4"):
    dims = len(rows[0])
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (dtype, len(rows), dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    fmt = "<%d%s" % (dims, "e" if dtype == "<f2" else "f")
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        for r in rows:
            f.write(struct.pack(fmt, *r))
    return path


def write_fvecs(path, rows):
    with open(path, "wb") as f:
        for r in rows:
            f.write(struct.pack("<i%df" % len(r), len(r), *r))
    return path


def gzip_open(path, mode):
    return gzip.open(path, mode)


# --- a flaky proxy ---------------------------------------------------------------------------
class FlakyProxy:
    """HTTP/1.1 keep-alive proxy to `upstream` that answers some requests itself: 503, or 429 with
    Retry-After: 0. Failures are decided by a seeded RNG, and only for point upserts."""

    def __init__(self, upstream_port, fail_rate=0.25, seed=7, tls=None):
        self.upstream_port = upstream_port
        self.fail_rate = fail_rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.failures = {"503": 0, "429": 0}
        self.forwarded = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _answer(self, code, body, headers=()):
                data = body.encode()
                self.send_response(code)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if self.command == "PUT" and "/points" in self.path:
                    with proxy.lock:
                        roll = proxy.rng.random()
                    if roll < proxy.fail_rate / 2:
                        with proxy.lock:
                            proxy.failures["503"] += 1
                        return self._answer(503, '{"status":{"error":"Service unavailable"},"time":0}')
                    if roll < proxy.fail_rate:
                        with proxy.lock:
                            proxy.failures["429"] += 1
                        return self._answer(429, '{"status":{"error":"Too many requests"},"time":0}',
                                            [("Retry-After", "0")])
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                with proxy.lock:
                    proxy.forwarded += 1
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _any

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls:  # (cert.pem, key.pem): serve https
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed_cert(directory):
    """(cert.pem, key.pem) for 127.0.0.1, made with the openssl CLI."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key
