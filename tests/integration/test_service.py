"""Service endpoints: GET /, probes, /metrics, /telemetry, /cluster (QDRANT-COMPAT.md 2.1, 2.7, 5)."""
import re

from helpers import create_collection, upsert


def _touch_whitelisted_routes(api, name):
    # Qdrant reports REST timings only for its whitelist of point routes (src/common/metrics.rs),
    # so exercise two of them: upsert and query.
    upsert(api, name, [{"id": 1, "vector": [0.1, 0.2, 0.3, 0.4]}])
    api.ok("POST", "/collections/%s/points/query" % name, {"query": [0.1, 0.2, 0.3, 0.4], "limit": 1})


def test_root_is_bare_version_info(api):
    status, body = api.get("/")
    assert status == 200
    # Qdrant answers GET / with a bare VersionInfo, not the {"result","status","time"} envelope.
    assert set(body) == {"title", "version", "commit"}, body
    assert body["version"] == "1.19.0"
    assert re.fullmatch(r"[0-9a-f]{40}", body["commit"] or ""), body["commit"]
    assert api.last.headers["Content-Type"].startswith("application/json")


def test_root_title_names_quiver(api):
    # Issue #2: the title names Quiver (clients only compare `version`, QDRANT-COMPAT.md 2.9)
    _, body = api.get("/")
    assert "quiver" in body["title"].lower(), body


def test_healthz_livez_readyz_plain_text(api):
    for path, text in (("/healthz", "healthz check passed"), ("/livez", "healthz check passed"),
                       ("/readyz", "all shards are ready")):
        status, body = api.get(path)
        assert status == 200, path
        assert api.last.headers["Content-Type"].startswith("text/plain"), (path, api.last.headers)
        assert body.strip() == text, (path, body)


def test_metrics_prometheus_text(api):
    create_collection(api, "metrics_c")
    _touch_whitelisted_routes(api, "metrics_c")
    status, text = api.get("/metrics")
    assert status == 200
    assert api.last.headers["Content-Type"].startswith("text/plain")
    for name in ("app_info", "collections_total", "rest_responses_total", "rest_responses_duration_seconds_bucket"):
        assert re.search(r"^%s(\{| )" % name, text, re.M), "metric %s missing" % name
    assert re.search(r"^# TYPE app_info gauge$", text, re.M)
    assert re.search(r"^# TYPE rest_responses_total counter$", text, re.M)
    assert re.search(r"^# TYPE rest_responses_duration_seconds histogram$", text, re.M)
    m = re.search(r"^collections_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)$", text, re.M)
    assert m and float(m.group(1)) >= 1, "collections_total should count metrics_c"
    # app_info carries the version label, like Qdrant's app_info{name="qdrant",version="1.19.0"} 1
    assert re.search(r'^app_info\{[^}]*version="1\.19\.0"[^}]*\} 1(\.0)?$', text, re.M), "app_info version label"
    # The endpoint label is the route template, e.g. /collections/{collection_name}/points/query.
    assert re.search(r'^rest_responses_total\{[^}]*endpoint="/collections/\{collection_name\}/points/query"',
                     text, re.M), "no rest_responses_total sample for the query route template"
    # Every sample line must parse as Prometheus text exposition.
    sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                        r'[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|NaN|[+-]?Inf)( \d+)?$')
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert sample.match(line), "bad metrics line: %r" % line


def test_metrics_histogram_buckets_are_cumulative(api):
    create_collection(api, "metrics_h")
    _touch_whitelisted_routes(api, "metrics_h")
    _, text = api.get("/metrics")
    buckets = {}
    for m in re.finditer(r"^rest_responses_duration_seconds_bucket\{(.*)\} (\S+)$", text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        le = labels.pop("le")
        key = tuple(sorted(labels.items()))
        buckets.setdefault(key, []).append((float("inf") if le == "+Inf" else float(le), float(m.group(2))))
    assert buckets, "no histogram buckets"
    for key, series in buckets.items():
        series.sort()
        counts = [c for _, c in series]
        assert counts == sorted(counts), "buckets not cumulative for %s" % (key,)
        assert series[-1][0] == float("inf"), "no +Inf bucket for %s" % (key,)
        # Qdrant's bucket bounds (src/common/metrics.rs)
        assert [le for le, _ in series] == [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 5, 10, 50, float("inf")], key


def test_telemetry(api):
    status, body = api.get("/telemetry")
    assert status == 200
    result = body["result"]
    assert "app" in result and result["app"]["version"] == "1.19.0"


def test_cluster_standalone(api):
    status, body = api.get("/cluster")
    assert status == 200
    assert body["result"] == {"status": "disabled"}


def test_trailing_slash_is_trimmed(api):
    # Qdrant wraps its app in NormalizePath::trim: /collections/ is /collections.
    status, body = api.get("/collections/")
    assert status == 200 and "collections" in body["result"]


def test_sigterm_exits_zero(make_server):
    srv = make_server()
    assert srv.stop() == 0
