"""Static checks of deploy/monitoring: rules (promtool), their unit tests and coverage, runbooks,
generated files, Kubernetes objects, dashboards, and the Alertmanager example."""
import glob
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from expressions import DASHBOARDS
from stack import AM_EXAMPLE, REPO, RULES

MON = os.path.join(REPO, "deploy", "monitoring")
RULES_TESTS = sorted(glob.glob(os.path.join(REPO, "tests", "monitoring", "rules_test*.yaml")))
RUNBOOKS = os.path.join(REPO, "docs", "runbooks")


def run(*argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, **kwargs)


def alerts():
    with open(RULES) as f:
        return [r for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r]


def runbook_name(alertname):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", alertname).lower().replace("cron-job", "cronjob").replace(
        "stateful-set", "statefulset")


def test_promtool_check_rules():
    r = run("promtool", "check", "rules", RULES)
    assert r.returncode == 0, r.stdout + r.stderr


def test_promtool_unit_tests_pass():
    assert len(RULES_TESTS) == 2
    r = run("promtool", "test", "rules", *RULES_TESTS)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_alert_has_a_firing_and_a_silent_unit_test():
    cases = []
    for path in RULES_TESTS:
        with open(path) as f:
            cases += [c for t in yaml.safe_load(f)["tests"] for c in t.get("alert_rule_test", [])]
    fires = {c["alertname"] for c in cases if c.get("exp_alerts")}
    silent = {c["alertname"] for c in cases if not c.get("exp_alerts")}
    names = {a["alert"] for a in alerts()}
    assert names - fires == set(), "alerts without a test where they fire"
    assert names - silent == set(), "alerts without a test where they stay silent"
    assert (fires | silent) - names == set(), "tests of alerts that do not exist"


def test_unit_tests_catch_a_broken_rule(tmp_path):
    """The unit tests can fail: a copy of the rules with the error-rate threshold raised to 50%
    and the instance-down delay raised to 10m must fail them, naming both alerts."""
    with open(RULES) as f:
        text = f.read()
    broken = text.replace("instance:quiver_rest_error_ratio:rate5m > 0.05",
                          "instance:quiver_rest_error_ratio:rate5m > 0.5")
    broken = broken.replace("expr: up{job=\"quiver\"} == 0\n        for: 1m",
                            "expr: up{job=\"quiver\"} == 0\n        for: 10m")
    assert "error_ratio:rate5m > 0.5" in broken and "for: 10m" in broken, "rules changed: update this"
    (tmp_path / "rules.yaml").write_text(broken)
    copies = []
    for path in RULES_TESTS:
        with open(path) as f:
            tests = yaml.safe_load(f)
        tests["rule_files"] = [str(tmp_path / "rules.yaml")]
        copies.append(str(tmp_path / os.path.basename(path)))
        with open(copies[-1], "w") as f:
            yaml.safe_dump(tests, f)
    r = run("promtool", "test", "rules", *copies)
    assert r.returncode != 0
    assert "QuiverHighErrorRate" in r.stdout + r.stderr
    assert "QuiverInstanceDown" in r.stdout + r.stderr


@pytest.mark.parametrize("rule", alerts(), ids=lambda r: r["alert"])
def test_alert_has_labels_annotations_and_runbook(rule):
    assert rule["labels"]["severity"] in ("critical", "warning")
    assert rule["labels"]["service"] == "quiver"
    ann = rule["annotations"]
    assert ann["summary"] and ann["description"]
    name = runbook_name(rule["alert"])
    assert ann["runbook_url"].endswith("/docs/runbooks/%s.md" % name), ann["runbook_url"]
    path = os.path.join(RUNBOOKS, name + ".md")
    assert os.path.isfile(path), "missing runbook " + path
    with open(path) as f:
        text = f.read()
    assert text.startswith("# %s\n" % rule["alert"]), "runbook must start with '# %s'" % rule["alert"]
    for section in ("## Meaning", "## Impact", "## Diagnosis", "## Mitigation"):
        assert section in text, "%s lacks %s" % (path, section)


def test_no_runbook_without_an_alert():
    names = {runbook_name(a["alert"]) + ".md" for a in alerts()}
    files = {os.path.basename(p) for p in glob.glob(os.path.join(RUNBOOKS, "*.md"))}
    assert files - names - {"README.md"} == set()


def test_generated_files_are_up_to_date():
    r = run("/usr/bin/python3", os.path.join(MON, "tools", "generate.py"), "--check")
    assert r.returncode == 0, r.stderr


def k8s_objects():
    if shutil.which("kubectl"):
        r = run("kubectl", "kustomize", os.path.join(MON, "k8s"))
        assert r.returncode == 0, r.stderr
        return list(yaml.safe_load_all(r.stdout))
    with open(os.path.join(MON, "k8s", "kustomization.yaml")) as f:
        resources = yaml.safe_load(f)["resources"]
    objs = []
    for res in resources:
        with open(os.path.join(MON, "k8s", res)) as f:
            objs.extend(yaml.safe_load_all(f))
    return objs


def test_kubernetes_objects():
    objs = {o["kind"]: o for o in k8s_objects()}
    assert set(objs) == {"ServiceMonitor", "PrometheusRule", "ConfigMap"}
    sm = objs["ServiceMonitor"]
    assert sm["metadata"]["labels"]["release"]
    assert sm["spec"]["jobLabel"] == "app.kubernetes.io/name"
    assert sm["spec"]["endpoints"][0]["port"] == "http"
    assert sm["spec"]["endpoints"][0]["path"] == "/metrics"
    rule = objs["PrometheusRule"]
    assert rule["metadata"]["labels"]["release"] == sm["metadata"]["labels"]["release"]
    with open(RULES) as f:
        assert rule["spec"]["groups"] == yaml.safe_load(f)["groups"]
    cm = objs["ConfigMap"]
    assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
    for path in DASHBOARDS:
        with open(path) as f:
            assert json.loads(cm["data"][os.path.basename(path)]) == json.load(f)


def test_prometheusrule_spec_passes_promtool(tmp_path):
    with open(os.path.join(MON, "k8s", "prometheusrule.yaml")) as f:
        spec = yaml.safe_load(f)["spec"]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    r = run("promtool", "check", "rules", str(tmp_path / "spec.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path", DASHBOARDS, ids=os.path.basename)
def test_dashboard_shape(path):
    with open(path) as f:
        dash = json.load(f)
    assert dash["schemaVersion"] >= 39 and dash["uid"].startswith("quiver-")
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    for p in dash["panels"]:
        pos = p["gridPos"]
        assert 0 <= pos["x"] and pos["x"] + pos["w"] <= 24, p["title"]
        if p["type"] == "row":
            continue
        assert p["type"] in ("timeseries", "stat", "gauge", "table"), p["type"]
        assert p.get("description"), "panel %r has no description" % p["title"]
        assert p["targets"], p["title"]
        for t in p["targets"]:
            assert t["datasource"]["uid"] == "${datasource}"
            # variables only where "All" (.+) is meaningful
            for m in re.finditer(r'(\w+)\s*(=~|!~|=|!=)\s*"[^"]*\$(job|instance|collection)', t["expr"]):
                assert m.group(2) == "=~", "%s: $%s outside a =~ matcher" % (p["title"], m.group(3))
    names = [v["name"] for v in dash["templating"]["list"]]
    assert names[:3] == ["datasource", "job", "instance"]


def test_dashboard_uids_are_unique():
    uids = []
    for path in DASHBOARDS:
        with open(path) as f:
            uids.append(json.load(f)["uid"])
    assert len(uids) == len(set(uids)) == 4


def test_alertmanager_example_is_valid():
    r = run("amtool", "check-config", AM_EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
