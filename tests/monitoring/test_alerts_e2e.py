"""End to end: quiver serve → Prometheus (Quiver's rules) → Alertmanager (the example routing tree)
→ a webhook. A burst of failing writes delivers QuiverHighErrorRate; stopping the server delivers
QuiverInstanceDown. The rules are a copy with every duration divided by 60 (`for: 5m` → 5s,
`rate(...[5m])` → 5s windows), scraped and evaluated every second, so this takes about a minute."""
import random
import re
import threading
import time

import pytest
import yaml

import load
from stack import (RULES, Alertmanager, Prometheus, Quiver, Webhook, cleanup, wait_until,
                   workdir)

SCALE = 60
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def scaled(duration):
    seconds = sum(int(n) * UNITS[u] for n, u in re.findall(r"(\d+)([smhd])", duration))
    return "%ds" % max(1, seconds // SCALE)


def scaled_rules(path):
    """The rules with `for:` and every range and offset in expressions divided by SCALE."""
    with open(RULES) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = scaled(rule["for"])
            rule["expr"] = re.sub(r"\[(\w+)\]", lambda m: "[%s]" % scaled(m.group(1)), rule["expr"])
            rule["expr"] = re.sub(r"offset (\w+)", lambda m: "offset " + scaled(m.group(1)),
                                  rule["expr"])
    with open(path, "w") as f:
        yaml.safe_dump(doc, f)
    return path


def test_scaling_keeps_the_meaning():
    assert scaled("5m") == "5s" and scaled("1h") == "60s" and scaled("6h") == "360s"
    assert scaled("1m") == "1s"


@pytest.fixture(scope="module")
def stack():
    wd = workdir("e2e")
    hook = Webhook().start()
    am = Alertmanager(wd, hook).start()
    # 1 MiB file-size limit: any write whose WAL record passes it fails with EFBIG → 500
    q = Quiver(wd, file_size_limit=1 << 20).start()
    prom = Prometheus(wd, ["127.0.0.1:%d" % q.port], [scaled_rules(wd + "/rules.yaml")],
                      alertmanager_url=am.url).start()
    try:
        yield q, prom, am, hook
    finally:
        for p in (prom, q, am):
            p.stop()
        hook.stop()
        cleanup(wd)


def quiver_alerts(hook):
    return [(n["receiver"], a["labels"]["alertname"]) for n in list(hook.notifications)
            for a in n["payload"]["alerts"] if a["labels"].get("service") == "quiver"]


def test_failing_requests_then_a_stopped_server_page(stack):
    q, prom, am, hook = stack
    load.setup(q)
    q.call("PUT", "/collections/wide", {"vectors": {"size": 256, "distance": "Dot"}}, expect=200)
    target = "127.0.0.1:%d" % q.port
    stop = threading.Event()

    def healthy_traffic():  # ~10 successful requests per second throughout
        rng = random.Random(5)
        while not stop.is_set():
            try:
                q.call("POST", "/collections/books/points/query",
                       {"query": load.vec(rng), "limit": 3})
            except Exception:  # noqa: BLE001 - the server is stopped at the end
                pass
            stop.wait(0.1)

    thread = threading.Thread(target=healthy_traffic, daemon=True)
    thread.start()
    try:
        # Healthy: rules evaluate on real data and nothing is delivered.
        wait_until("the error ratio to be recorded",
                   lambda: prom.query('instance:quiver_rest_error_ratio:rate5m')[1], 30)
        time.sleep(4)
        assert quiver_alerts(hook) == [], "alerts delivered while healthy"

        # A burst of failing writes: each upsert's WAL record passes the file-size limit.
        body = load.failing_upsert_body()
        r = q.call("PUT", "/collections/wide/points?wait=true", body)
        assert r.status_code >= 500, (r.status_code, r.text[:200])
        start = time.monotonic()

        def delivered():
            q.call("PUT", "/collections/wide/points?wait=true", body)
            return hook.firing("QuiverHighErrorRate")

        fired = wait_until("QuiverHighErrorRate at the webhook", delivered, 60, interval=0.05)
        receiver, alert = fired[0]
        assert receiver == "quiver-pager"
        assert alert["labels"]["severity"] == "critical"
        assert alert["labels"]["instance"] == target
        assert alert["annotations"]["runbook_url"].endswith("/quiver-high-error-rate.md")
        print("error-rate alert delivered %.1fs after the burst started" % (time.monotonic() - start))
    finally:
        stop.set()
        thread.join(timeout=10)

    # Stop the server: the instance-down alert reaches the pager.
    assert q.stop() == 0
    start = time.monotonic()
    fired = wait_until("QuiverInstanceDown at the webhook",
                       lambda: hook.firing("QuiverInstanceDown"), 60)
    receiver, alert = fired[0]
    assert receiver == "quiver-pager"
    assert alert["labels"]["instance"] == target and alert["labels"]["job"] == "quiver"
    assert alert["annotations"]["summary"] == "Quiver instance %s is down" % target
    print("instance-down alert delivered %.1fs after the server stopped" % (time.monotonic() - start))
