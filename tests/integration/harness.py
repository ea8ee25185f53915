"""Server process and HTTP client used by Quiver's black-box integration tests.

QuiverServer runs `build/quiver serve` on a free 127.0.0.1 port with a fresh data directory, configured by
QUIVER__* environment variables; it can SIGTERM-restart on the same data dir or be killed with SIGKILL.
Api validates every JSON response against Qdrant's contract (contract.py), so a malformed body fails the
test that received it.

Environment: QUIVER_BIN (default <repo>/build/quiver), QUIVER_KEEP_DATA=1 keeps the temp dirs.
"""
import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from contract import REPO_ROOT, get_contract

QUIVER_BIN = os.environ.get("QUIVER_BIN") or os.path.join(REPO_ROOT, "build", "quiver")
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
_STARTED_PIDS = set()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@atexit.register
def _kill_leftovers():
    for pid in list(_STARTED_PIDS):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


class QuiverServer:
    """One `quiver serve` process. restart() keeps the data dir; kill9() simulates a crash."""

    def __init__(self, extra_env=None, data_dir=None, scheme="http", ca_cert=None, client_cert=None,
                 args=None):
        """scheme="https" with ca_cert (CA file to verify the server) and client_cert ((cert, key) when
        the server requires client certificates) for TLS servers; args: extra `serve` arguments."""
        if not os.path.isfile(QUIVER_BIN) or not os.access(QUIVER_BIN, os.X_OK):
            pytest.fail("quiver binary not found at %s (build it, or set QUIVER_BIN)" % QUIVER_BIN)
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="quiver-it-")
        self.extra_env = dict(extra_env or {})
        self.scheme = scheme
        self.ca_cert = ca_cert
        self.client_cert = client_cert
        self.args = list(args or [])
        self.proc = None
        self._killed = False
        self.port = None
        self.starts = 0
        self.log_path = os.path.join(self.data_dir, "server.log")

    @property
    def base_url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def env(self):
        env = dict(os.environ)
        env.update({
            "QUIVER__SERVICE__HOST": "127.0.0.1",
            "QUIVER__SERVICE__HTTP_PORT": str(self.port),
            "QUIVER__STORAGE__STORAGE_PATH": os.path.join(self.data_dir, "storage"),
            "QUIVER__STORAGE__SNAPSHOTS_PATH": os.path.join(self.data_dir, "snapshots"),
            "QUIVER__LOG_LEVEL": "warn",
        })
        env.update(self.extra_env)
        return env

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.port = free_port()
        self.starts += 1
        log = open(self.log_path, "ab")
        log.write(("\n===== start #%d on port %d =====\n" % (self.starts, self.port)).encode())
        log.flush()
        self.proc = subprocess.Popen([QUIVER_BIN, "serve"] + self.args, env=self.env(), cwd=self.data_dir,
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        _STARTED_PIDS.add(self.proc.pid)
        self._killed = False
        self.wait_ready()
        return self

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("quiver exited with %s during start-up\n%s" % (
                    self.proc.returncode, self.log_tail()))
            try:
                r = requests.get(self.base_url + "/healthz", timeout=1, verify=self.ca_cert or True,
                                 cert=self.client_cert)
                if r.status_code == 200:
                    return
                last = r.status_code
            except requests.RequestException as e:
                last = e
            time.sleep(0.05)
        self.kill9()
        raise AssertionError("quiver not ready within %.0fs (last: %s)\n%s" % (timeout, last, self.log_tail()))

    def _forget(self):
        if self.proc is not None:
            _STARTED_PIDS.discard(self.proc.pid)

    def died_unexpectedly(self):
        """Exit code if the server process ended without us stopping or killing it, else None."""
        if self.proc is not None and not self._killed and self.proc.poll() is not None:
            return self.proc.returncode
        return None

    def stop(self, check=True):
        """SIGTERM by PID; Qdrant-like servers exit 0 on SIGTERM. Returns the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            self._forget()
            died = self.died_unexpectedly()
            if check and died is not None:
                self._killed = True  # report it once
                raise AssertionError("quiver died on its own with exit code %s%s\n%s" % (
                    died, " (signal %d)" % -died if died < 0 else "", self.log_tail()))
            return self.proc.returncode if self.proc else None
        self._killed = True
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self._forget()
            if check:
                raise AssertionError("quiver did not exit within %.0fs of SIGTERM\n%s" % (STOP_TIMEOUT, self.log_tail()))
            return None
        self._forget()
        if check and code != 0:
            raise AssertionError("quiver exited with %s after SIGTERM (expected 0)\n%s" % (code, self.log_tail()))
        return code

    def kill9(self):
        self._killed = True
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._forget()

    def restart(self):
        self.stop()
        return self.start()

    def restart_after_kill9(self):
        self.kill9()
        return self.start()

    def log_tail(self, n=60):
        died = self.died_unexpectedly()
        status = "" if died is None else "--- quiver process died with exit code %s%s ---\n" % (
            died, " (signal %d)" % -died if died < 0 else "")
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return status + "--- server log tail ---\n" + "\n".join(lines[-n:])
        except OSError:
            return status + "(no server log)"

    def close(self, check=True):
        try:
            return self.stop(check=check)
        finally:
            if not os.environ.get("QUIVER_KEEP_DATA"):
                shutil.rmtree(self.data_dir, ignore_errors=True)


_MISSING = object()


class Api:
    """requests.Session wrapper: returns (status_code, body) and validates every response against the contract."""

    def __init__(self, server, headers=None):
        """headers: sent with every request (e.g. {"api-key": ...}); TLS settings come from the server."""
        self.server = server
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.contract = get_contract()
        self.last = None

    def request(self, method, path, json=_MISSING, data=None, headers=None, validate=True, timeout=60):
        kwargs = {"timeout": timeout, "headers": headers}
        if self.server.ca_cert:  # per request: REQUESTS_CA_BUNDLE would override a session setting
            kwargs["verify"] = self.server.ca_cert
        if self.server.client_cert:
            kwargs["cert"] = self.server.client_cert
        if json is not _MISSING:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        resp = self.session.request(method, self.server.base_url + path, **kwargs)
        self.last = resp
        if validate:
            body = self.contract.validate(method, path, resp.status_code, resp.headers.get("Content-Type"), resp.text)
        else:
            try:
                body = resp.json()
            except ValueError:
                body = resp.text
        return resp.status_code, body

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def put(self, path, json=_MISSING, **kw):
        return self.request("PUT", path, json=json, **kw)

    def post(self, path, json=_MISSING, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=_MISSING, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, json=_MISSING, **kw):
        return self.request("DELETE", path, json=json, **kw)

    def ok(self, method, path, json=_MISSING, **kw):
        """Performs the request, asserts HTTP 200 and returns `result`."""
        status, body = self.request(method, path, json=json, **kw)
        assert status == 200, "%s %s -> %s: %s" % (method, path, status, body)
        return body["result"]
