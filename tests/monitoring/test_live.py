"""A real Prometheus scrapes a real `quiver serve` (behind an API key, as in production) under a
little load. Every PromQL expression of the rules and dashboards is evaluated through Prometheus'
HTTP API: all must parse, and those that describe a running server must return data."""
import random
import re
import subprocess
import threading
import time

import pytest
import requests

import expressions
import load
from stack import RULES, Prometheus, Quiver, cleanup, wait_until, workdir

API_KEY = "monitoring-test-key"
# Qdrant's own names that promtool's linter dislikes (gauges named *_total); kept for compatibility.
ALLOWED_LINT = {
    'collections_total non-counter metrics should not have "_total" suffix',
    'collections_vector_total non-counter metrics should not have "_total" suffix',
}


@pytest.fixture(scope="module")
def stack():
    wd = workdir("live")
    q = Quiver(wd, api_key=API_KEY).start()
    prom = Prometheus(wd, ["127.0.0.1:%d" % q.port], [RULES], bearer=API_KEY).start()
    stop = threading.Event()
    errors = []

    def traffic():
        rng = random.Random(11)
        while not stop.is_set():
            try:
                load.round_of_traffic(q, rng)
            except Exception as e:  # noqa: BLE001 - reported by the test
                errors.append(e)
                return
            stop.wait(0.2)

    load.setup(q)
    thread = threading.Thread(target=traffic, daemon=True)
    thread.start()
    try:
        yield q, prom, errors
    finally:
        stop.set()
        thread.join(timeout=30)
        prom.stop()
        q.stop()
        cleanup(wd)


def metrics_text(q, params=""):
    r = q.session.get(q.url + "/metrics" + params, timeout=10)
    assert r.status_code == 200, r.text
    return r.text


def test_metrics_need_the_api_key(stack):
    q, _, _ = stack
    assert requests.get(q.url + "/metrics", timeout=5).status_code == 401
    r = requests.get(q.url + "/metrics", headers={"Authorization": "Bearer " + API_KEY}, timeout=5)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("params", ["", "?per_collection=true"])
def test_promtool_check_metrics(stack, params):
    q, _, _ = stack
    text = metrics_text(q, params)
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    findings = {line.strip() for line in (r.stdout + r.stderr).splitlines() if line.strip()}
    assert findings <= ALLOWED_LINT, "promtool check metrics: %s" % (findings - ALLOWED_LINT)


def test_per_collection_labels_rest_metrics(stack):
    q, _, _ = stack
    per = metrics_text(q, "?per_collection=true")
    assert re.search(r'rest_responses_total\{method="POST",endpoint="/collections/\{collection_name\}'
                     r'/points/query",status="200",collection="books"\} \d+', per)
    glob = metrics_text(q)
    assert 'collection="books"}' not in glob.split("# TYPE rest_responses_duration_seconds")[0]


def test_server_families_present(stack):
    q, _, _ = stack
    text = metrics_text(q)
    for family in ["app_info", "collections_total", "collection_points", "collection_vectors",
                   "collection_running_optimizations", "snapshot_creation_running",
                   "snapshot_recovery_running", "snapshot_created_total", "rest_responses_total",
                   "rest_responses_duration_seconds", "memory_resident_bytes",
                   "memory_allocated_bytes", "process_open_fds", "quiver_build_info",
                   "quiver_wal_appends_total", "quiver_wal_fsync_duration_seconds",
                   "quiver_segments", "quiver_optimizer_queue_length",
                   "quiver_search_duration_seconds", "quiver_storage_disk_free_bytes",
                   "quiver_memory_limit_bytes"]:
        assert "\n# TYPE %s " % family in text, family
    assert 'quiver_storage_disk_free_bytes{volume="snapshots"}' in text


def scraped_names(q):
    names = set()
    for line in metrics_text(q).splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def wait_for_data(prom):
    """Until the raw series the recording rules read have two samples since the load started, and
    the rules have been evaluated on them (raw queries, so that a broken rule is reported by the
    check that follows rather than by a timeout here)."""
    wait_until("the scrape target to be up", lambda: len(prom.targets_up()) == 1, 30)
    for expr in ("rate(rest_responses_total[1m])", "rate(quiver_wal_fsync_duration_seconds_count[1m])",
                 "rate(quiver_search_duration_seconds_count[1m])"):
        wait_until("data for " + expr, lambda: prom.query(expr)[1], 60)
    time.sleep(2.5)  # two more rule evaluations (every second)


def test_every_expression_parses_and_returns_data(stack):
    q, prom, traffic_errors = stack
    wait_for_data(prom)
    assert not traffic_errors, traffic_errors
    emitted = scraped_names(q)
    recorded = expressions.recording_rules()
    checked = []
    for where, expr, kind, _ in expressions.rule_expressions():
        checked.append((where, expr, kind == "record"))
    for where, expr in expressions.dashboard_expressions():
        checked.append((where, expr, True))
    problems, needs_data, empty_ok = [], 0, 0
    for where, expr, data_expected in checked:
        served, other, unknown = expressions.classify(expressions.metric_names(expr), emitted,
                                                      recorded)
        if unknown:
            problems.append("%s: unknown metric(s) %s" % (where, sorted(unknown)))
        status, result = prom.query(expr)
        if status != "success":
            problems.append("%s: %s\n    %s" % (where, result, expr))
        elif data_expected and not other and not unknown:
            needs_data += 1
            if not result:
                problems.append("%s: returned no data\n    %s" % (where, expr))
        else:
            empty_ok += 1
    print("%d expressions checked: %d must return data, %d may be empty" % (
        len(checked), needs_data, empty_ok))
    assert not problems, "\n".join(problems)
    # alerts are checked for parsing only (a healthy server fires none); the rest needs data
    assert needs_data >= 60, (needs_data, empty_ok)


def test_prometheus_loaded_every_rule(stack):
    _, prom, _ = stack
    groups = requests.get(prom.url + "/api/v1/rules", timeout=5).json()["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) == len(expressions.rule_expressions())
    wait_until("every rule evaluated without error",
               lambda: all(r["health"] == "ok" for g in requests.get(
                   prom.url + "/api/v1/rules", timeout=5).json()["data"]["groups"]
                   for r in g["rules"]), 20)


def test_the_expression_check_can_fail(stack):
    """The checker itself: a syntax error and an unknown metric are reported."""
    q, prom, _ = stack
    assert prom.query("sum(rate(rest_responses_total[5m])")[0] == "error"
    _, _, unknown = expressions.classify({"quiver_no_such_metric"}, scraped_names(q),
                                         expressions.recording_rules())
    assert unknown == {"quiver_no_such_metric"}


def test_scrape_cost_does_not_grow_with_data():
    """/metrics reads counters, not points: as fast with 40,000 points (and a payload index, which
    makes GET /collections/{name} walk every point) as with none."""
    import statistics

    wd = workdir("cost")
    q = Quiver(wd).start()
    try:
        def median_ms(path, n=30):
            times = []
            for _ in range(n):
                start = time.perf_counter()
                assert q.session.get(q.url + path, timeout=10).ok
                times.append(time.perf_counter() - start)
            return statistics.median(times) * 1000

        q.call("PUT", "/collections/c", {"vectors": {"size": 16, "distance": "Dot"}}, expect=200)
        q.call("PUT", "/collections/c/index", {"field_name": "k", "field_schema": "keyword"},
               expect=200)
        empty = median_ms("/metrics")
        rng = random.Random(1)
        for b in range(40):
            points = [{"id": b * 1000 + i, "vector": [rng.random() for _ in range(16)],
                       "payload": {"k": str(i % 7)}} for i in range(1000)]
            q.call("PUT", "/collections/c/points?wait=true", {"points": points}, expect=200)
        full = median_ms("/metrics")
        info = median_ms("/collections/c", n=5)
        print("/metrics %.2f ms empty, %.2f ms with 40k points (collection info %.2f ms)" % (
            empty, full, info))
        assert full < 3 * empty + 2, (empty, full)
    finally:
        q.stop()
        cleanup(wd)
