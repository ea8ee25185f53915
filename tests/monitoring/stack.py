"""Processes for the monitoring tests, all on 127.0.0.1 with free ports and temporary directories:
a real `quiver serve`, Debian's Prometheus and Alertmanager, and a webhook receiver (a thread).
Every process is started and stopped by its PID; anything still running at exit is killed.

Environment: QUIVER_BIN (default <repo>/build/quiver), MONITORING_KEEP=1 keeps the temp dirs,
MONITORING_RULES another rules file than deploy/monitoring/rules/quiver-rules.yaml.
"""
import atexit
import http.server
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

import requests
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUIVER_BIN = os.environ.get("QUIVER_BIN") or os.path.join(REPO, "build", "quiver")
# MONITORING_RULES points the tests at another copy of the rules (e.g. a deliberately broken one).
RULES = os.environ.get("MONITORING_RULES") or os.path.join(REPO, "deploy", "monitoring", "rules",
                                                           "quiver-rules.yaml")
AM_EXAMPLE = os.path.join(REPO, "deploy", "monitoring", "alertmanager", "alertmanager.example.yaml")
_PIDS = set()


@atexit.register
def _kill_leftovers():
    for pid in list(_PIDS):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, predicate, timeout, interval=0.2):
    """Polls predicate() until it returns a truthy value (returned), or raises naming `what`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - report the last failure on timeout
            last = e
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s (last error: %s)" % (timeout, what, last))


class Process:
    """One child process with its log file in `workdir`."""

    def __init__(self, name, workdir):
        self.name = name
        self.workdir = workdir
        self.proc = None
        self.log_path = os.path.join(workdir, name + ".log")

    def spawn(self, argv, env=None, preexec_fn=None):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, env=env, cwd=self.workdir, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=preexec_fn)
        _PIDS.add(self.proc.pid)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM by PID, then SIGKILL after `timeout`. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        _PIDS.discard(self.proc.pid)
        return self.proc.returncode

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no %s log)" % self.name
        return "--- %s log tail ---\n%s" % (self.name, "\n".join(lines[-n:]))


class Quiver(Process):
    """`quiver serve`. file_size_limit (bytes) sets RLIMIT_FSIZE with SIGXFSZ ignored, so that a
    write past it fails with EFBIG, as a full disk would: the server answers those writes 5xx."""

    def __init__(self, workdir, api_key=None, file_size_limit=None):
        super().__init__("quiver", workdir)
        self.api_key = api_key
        self.file_size_limit = file_size_limit
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.session = requests.Session()
        if api_key:
            self.session.headers["api-key"] = api_key

    def start(self):
        assert os.access(QUIVER_BIN, os.X_OK), "quiver binary %s not found: build it first" % QUIVER_BIN
        env = dict(os.environ)
        env.update({
            "QUIVER__SERVICE__HOST": "127.0.0.1",
            "QUIVER__SERVICE__HTTP_PORT": str(self.port),
            "QUIVER__STORAGE__STORAGE_PATH": os.path.join(self.workdir, "storage"),
            "QUIVER__STORAGE__SNAPSHOTS_PATH": os.path.join(self.workdir, "snapshots"),
            "QUIVER__LOG_LEVEL": "WARN",
        })
        if self.api_key:
            env["QUIVER__SERVICE__API_KEY"] = self.api_key
        os.makedirs(os.path.join(self.workdir, "snapshots"), exist_ok=True)
        limit = self.file_size_limit

        def limit_file_size():
            if limit:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # stays ignored across exec
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        self.spawn([QUIVER_BIN, "serve"], env=env, preexec_fn=limit_file_size)
        wait_until("quiver to answer /healthz",
                   lambda: self._alive() and requests.get(self.url + "/healthz", timeout=1).ok, 20)
        return self

    def _alive(self):
        if not self.running():
            raise AssertionError("quiver exited with %s\n%s" % (self.proc.returncode, self.log_tail()))
        return True

    def call(self, method, path, body=None, expect=None):
        r = self.session.request(method, self.url + path, json=body, timeout=30)
        if expect is not None:
            assert r.status_code == expect, "%s %s → %d %s" % (method, path, r.status_code, r.text[:300])
        return r


class Prometheus(Process):
    """Prometheus scraping `targets` (host:port) as job="quiver" every second, evaluating
    `rule_files` every second, sending alerts to `alertmanager_url` when given."""

    def __init__(self, workdir, targets, rule_files, alertmanager_url=None, bearer=None):
        super().__init__("prometheus", workdir)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        scrape = {"job_name": "quiver", "scrape_interval": "1s", "scrape_timeout": "1s",
                  "static_configs": [{"targets": list(targets)}]}
        if bearer:
            scrape["authorization"] = {"type": "Bearer", "credentials": bearer}
        config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                  "rule_files": list(rule_files), "scrape_configs": [scrape]}
        if alertmanager_url:
            host = urllib.parse.urlparse(alertmanager_url).netloc
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [host]}]}]}
        self.config_path = os.path.join(workdir, "prometheus.yml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f)

    def start(self):
        self.spawn(["prometheus", "--config.file=" + self.config_path,
                    "--storage.tsdb.path=" + os.path.join(self.workdir, "tsdb"),
                    "--web.listen-address=127.0.0.1:%d" % self.port,
                    "--rules.alert.resend-delay=1s", "--log.level=warn"])
        wait_until("prometheus to be ready",
                   lambda: self._alive() and requests.get(self.url + "/-/ready", timeout=1).ok, 30)
        return self

    def _alive(self):
        if not self.running():
            raise AssertionError("prometheus exited\n" + self.log_tail())
        return True

    def query(self, expr):
        """Instant query: (status, data or error text). Never raises for PromQL errors."""
        r = requests.get(self.url + "/api/v1/query", params={"query": expr}, timeout=10)
        body = r.json()
        if body.get("status") != "success":
            return "error", "%s: %s" % (body.get("errorType"), body.get("error"))
        return "success", body["data"]["result"]

    def targets_up(self):
        r = requests.get(self.url + "/api/v1/targets", timeout=5).json()
        return [t for t in r["data"]["activeTargets"] if t["health"] == "up"]


class Webhook:
    """Alertmanager webhook receiver: records every notification with the receiver name given in
    the URL's ?receiver= parameter."""

    def __init__(self):
        self.port = free_port()
        self.notifications = []
        lock = threading.Lock()
        store = self.notifications

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                with lock:
                    store.append({"receiver": query.get("receiver", [""])[0],
                                  "payload": json.loads(body)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, receiver):
        return "http://127.0.0.1:%d/?receiver=%s" % (self.port, receiver)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def firing(self, alertname):
        """(receiver, alert) pairs of firing notifications for `alertname`."""
        out = []
        for n in list(self.notifications):
            for a in n["payload"].get("alerts", []):
                if a["labels"].get("alertname") == alertname and a["status"] == "firing":
                    out.append((n["receiver"], a))
        return out


class Alertmanager(Process):
    """Alertmanager running the routing tree of deploy/monitoring/alertmanager/alertmanager.example.yaml,
    with every receiver replaced by the webhook and the timers shortened for a test."""

    def __init__(self, workdir, webhook):
        super().__init__("alertmanager", workdir)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        with open(AM_EXAMPLE) as f:
            config = yaml.safe_load(f)

        def shorten(route):
            route.update(group_wait="1s", group_interval="1s", repeat_interval="1m")
            for child in route.get("routes", []):
                shorten(child)

        shorten(config["route"])
        config["receivers"] = [{"name": r["name"], "webhook_configs": [
            {"url": webhook.url(r["name"]), "send_resolved": False}]} for r in config["receivers"]]
        self.config_path = os.path.join(workdir, "alertmanager.yml")
        with open(self.config_path, "w") as f:
            yaml.safe_dump(config, f)

    def start(self):
        self.spawn(["prometheus-alertmanager", "--config.file=" + self.config_path,
                    "--storage.path=" + os.path.join(self.workdir, "am-data"),
                    "--web.listen-address=127.0.0.1:%d" % self.port,
                    "--cluster.listen-address=", "--log.level=warn"])
        wait_until("alertmanager to be ready",
                   lambda: self.running() and requests.get(self.url + "/-/ready", timeout=1).ok, 30)
        return self


def workdir(prefix):
    return tempfile.mkdtemp(prefix="quiver-mon-%s-" % prefix)


def cleanup(path):
    if not os.environ.get("MONITORING_KEEP"):
        shutil.rmtree(path, ignore_errors=True)
