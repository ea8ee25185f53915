"""A small builder for Grafana dashboard JSON (schema 39, Grafana 10.4 and later).

Panels are laid out left to right in rows of 24 grid units; every query uses the `$datasource`
variable, and every selector filters on the `$job` and `$instance` variables (regex matchers, so
"All" expands to `.+`). dashboards.py holds the four Quiver dashboards written with it.
"""

SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# The selector every Quiver query carries.
SEL = 'job=~"$job", instance=~"$instance"'


def target(expr, legend="", instant=False, fmt=None):
    t = {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend or "__auto"}
    if instant:
        t["instant"] = True
        t["range"] = False
    if fmt:
        t["format"] = fmt
    return t


def _panel(kind, title, description, targets, unit, width, height, options, custom=None):
    defaults = {"unit": unit}
    if custom is not None:
        defaults["custom"] = custom
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": targets,
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
        "_size": (width, height),
    }


def timeseries(title, description, targets, unit="short", width=12, height=8, stack=False):
    custom = {
        "drawStyle": "line",
        "lineWidth": 1,
        "fillOpacity": 10,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
    }
    options = {
        "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                   "calcs": ["lastNotNull", "max"]},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return _panel("timeseries", title, description, targets, unit, width, height, options, custom)


def stat(title, description, targets, unit="short", width=4, height=4, text_mode="auto",
         thresholds=None):
    panel = _panel("stat", title, description, targets, unit, width, height, {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "colorMode": "value",
        "graphMode": "area",
        "textMode": text_mode,
        "justifyMode": "auto",
        "orientation": "auto",
    })
    if thresholds:
        panel["fieldConfig"]["defaults"]["thresholds"] = thresholds
    return panel


def gauge(title, description, targets, unit="percentunit", width=6, height=8, steps=None):
    panel = _panel("gauge", title, description, targets, unit, width, height, {
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        "showThresholdLabels": False,
        "showThresholdMarkers": True,
    })
    defaults = panel["fieldConfig"]["defaults"]
    defaults["min"] = 0
    defaults["max"] = 1
    if steps:
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    return panel


def table(title, description, targets, width=12, height=8):
    panel = _panel("table", title, description, targets, "short", width, height,
                   {"showHeader": True, "cellHeight": "sm"})
    panel["transformations"] = [
        {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True}}}]
    return panel


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "_size": (24, 1)}


def thresholds(*steps):
    """thresholds((None, "green"), (0.8, "orange"), (0.95, "red"))"""
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def _variable(name, label, query, include_all=True):
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "definition": query,
        "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery",
                  "qryType": 1},
        "refresh": 2,
        "includeAll": include_all,
        "multi": True,
        "allValue": ".+",
        "current": {},
        "options": [],
        "sort": 1,
        "hide": 0,
        "regex": "",
    }


def variables(collection=False):
    out = [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "options": [], "refresh": 1, "regex": "", "hide": 0},
        _variable("job", "Job", 'label_values(app_info{name="quiver"}, job)'),
        _variable("instance", "Instance",
                  'label_values(app_info{name="quiver", job=~"$job"}, instance)'),
    ]
    if collection:
        out.append(_variable("collection", "Collection",
                             'label_values(collection_points{%s}, id)' % SEL))
    return out


def _layout(panels):
    x = y = row_height = 0
    next_id = 1
    out = []
    for p in panels:
        w, h = p.pop("_size")
        if x + w > 24:
            x, y, row_height = 0, y + row_height, 0
        p["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        p["id"] = next_id
        next_id += 1
        for i, t in enumerate(p.get("targets", [])):
            t["refId"] = chr(ord("A") + i)
        x += w
        row_height = max(row_height, h)
        out.append(p)
    return out


def dashboard(uid, title, description, panels, collection_variable=False):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["quiver", "vector-database"],
        "editable": True,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "refresh": "30s",
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "weekStart": "",
        "id": None,
        "links": [{"type": "dashboards", "tags": ["quiver"], "asDropdown": True,
                   "title": "Quiver dashboards", "includeVars": True, "keepTime": True}],
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": variables(collection_variable)},
        "panels": _layout(panels),
    }
