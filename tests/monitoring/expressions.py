"""Every PromQL expression Quiver ships (rules and dashboards), the metric names each one reads, and
where those metrics come from, so the live test knows which expressions must return data."""
import glob
import json
import os
import re

import yaml

from stack import REPO, RULES

DASHBOARDS = sorted(glob.glob(os.path.join(REPO, "deploy", "monitoring", "dashboards", "*.json")))

# Grafana variables → values for evaluating a panel query directly against Prometheus. Dashboards
# only use $job/$instance/$collection inside regex matchers (=~), where "All" means ".+".
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h",
                "$job": ".+", "$instance": ".+", "$collection": ".+"}

# Series Prometheus makes itself.
PROMETHEUS_SERIES = {"up", "ALERTS", "ALERTS_FOR_STATE"}
# Series other exporters provide in a kube-prometheus install (kube-state-metrics, kubelet/cAdvisor).
EXTERNAL_PREFIXES = ("kube_", "kubelet_", "container_")
# Documented in docs/operations/monitoring.md, emitted once their feature lands: backups and
# snapshots (issue 5, `quiver backup` and the server's snapshot code) and index builds (issue 3).
NOT_YET_EMITTED_PREFIXES = ("quiver_backup_", "quiver_snapshot_duration_seconds",
                            "quiver_index_build_duration_seconds")

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
             "offset", "bool", "inf", "nan"}


def metric_names(expr):
    """Metric (and recording rule) names read by a PromQL expression."""
    s = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)          # string literals
    s = re.sub(r"\{[^}]*\}", "", s)                       # label matchers
    s = re.sub(r"\[[^\]]*\]", "", s)                      # ranges and subqueries
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", s)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", s):
        token = m.group(0)
        rest = s[m.end():].lstrip()
        if rest.startswith("(") or token.lower() in _KEYWORDS:
            continue  # a function or aggregation, or a keyword
        if m.start() > 0 and (s[m.start() - 1].isdigit() or s[m.start() - 1] == "."):
            continue  # the exponent or unit of a number such as 1e9
        names.add(token)
    return names


def substitute_grafana(expr):
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, "unknown Grafana variable in %r" % expr
    return expr


def rule_expressions():
    """(where, expr, kind) for every rule; kind is 'record' or 'alert'."""
    with open(RULES) as f:
        groups = yaml.safe_load(f)["groups"]
    out = []
    for g in groups:
        for r in g["rules"]:
            if "record" in r:
                out.append(("record %s" % r["record"], r["expr"], "record", r["record"]))
            else:
                out.append(("alert %s" % r["alert"], r["expr"], "alert", r["alert"]))
    return out


def recording_rules():
    return {name: expr for _, expr, kind, name in rule_expressions() if kind == "record"}


def dashboard_expressions():
    """(where, expr) for every panel query and template variable query of every dashboard, with
    Grafana variables substituted. label_values(selector, label) is checked as its selector."""
    out = []
    for path in DASHBOARDS:
        with open(path) as f:
            dash = json.load(f)
        name = os.path.basename(path)
        for panel in dash["panels"]:
            for t in panel.get("targets", []):
                out.append(("%s: %s [%s]" % (name, panel["title"], t["refId"]),
                            substitute_grafana(t["expr"])))
        for var in dash["templating"]["list"]:
            if var["type"] != "query":
                continue
            m = re.fullmatch(r"label_values\((.*),\s*\w+\)", var["definition"])
            assert m, "%s: variable %s is not label_values(selector, label)" % (name, var["name"])
            out.append(("%s: variable $%s" % (name, var["name"]), substitute_grafana(m.group(1))))
    return out


def classify(names, emitted, recorded):
    """Splits names into (served, other, unknown): served come from a running quiver serve or
    Prometheus itself (up) or are recorded from those; other are external or not yet emitted;
    unknown are none of these (a typo, or a metric that was renamed)."""
    served, other, unknown = set(), set(), set()
    for n in names:
        if n in recorded:
            inputs = metric_names(recorded[n])
            s, o, u = classify(inputs, emitted, recorded)
            (unknown if u else other if o else served).add(n)
        elif n in emitted or n == "up":
            served.add(n)
        elif n in PROMETHEUS_SERIES or n.startswith(EXTERNAL_PREFIXES) or \
                n.startswith(NOT_YET_EMITTED_PREFIXES):
            other.add(n)
        else:
            unknown.add(n)
    return served, other, unknown
