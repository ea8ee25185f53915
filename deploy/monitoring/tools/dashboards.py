"""The four Quiver Grafana dashboards. generate.py writes them to deploy/monitoring/dashboards/*.json
and into the grafana_dashboard ConfigMap; docs/operations/monitoring.md describes every panel."""

from grafana import (SEL, dashboard, gauge, row, stat, table, target, thresholds, timeseries)

RI = "$__rate_interval"
SEARCH_ENDPOINTS = 'endpoint=~".*/points/(search|query|recommend)(/batch)?"'
WRITE_ENDPOINTS = 'endpoint=~".*/points(/batch|/delete|/payload.*|/vectors.*)?"'


def quantiles(metric, by, extra="", legend_prefix=""):
    """p50/p95/p99 targets of a histogram, grouped by `by` (a label list or "")."""
    group = ("%s, le" % by) if by else "le"
    sel = SEL + (", " + extra if extra else "")
    return [target('histogram_quantile(%s, sum by (%s) (rate(%s_bucket{%s}[%s])))'
                   % (q, group, metric, sel, RI),
                   "%sp%s" % (legend_prefix, int(float(q) * 100)))
            for q in ("0.5", "0.95", "0.99")]


def overview():
    return dashboard("quiver-overview", "Quiver / Overview",
                     "Health, collections, request rate, errors and latency of Quiver servers.", [
        row("Health"),
        stat("Instances up", "Scrape targets answering /metrics (up == 1).",
             [target('sum(up{%s})' % SEL)],
             thresholds=thresholds((None, "red"), (1, "green"))),
        stat("Version", "Quiver version and git commit of each instance (quiver_build_info).",
             [target('quiver_build_info{%s}' % SEL, "{{version}} ({{instance}})", instant=True)],
             text_mode="name"),
        stat("Uptime", "Time since the oldest selected process started.",
             [target('min(time() - process_start_time_seconds{%s})' % SEL)], unit="s"),
        stat("Collections", "Collections on the selected instances (collections_total).",
             [target('sum(collections_total{%s})' % SEL)]),
        stat("Points", "Points in all collections (sum of collection_points).",
             [target('sum(collection_points{%s})' % SEL)]),
        stat("Firing alerts", "Quiver alerts firing now in this Prometheus (ALERTS).",
             [target('count(ALERTS{alertname=~"Quiver.*", alertstate="firing"}) or vector(0)')],
             thresholds=thresholds((None, "green"), (1, "red"))),
        row("Traffic"),
        timeseries("Request rate by endpoint",
                   "REST requests per second by method and route template.",
                   [target('sum by (method, endpoint) (rate(rest_responses_total{%s}[%s]))'
                           % (SEL, RI), "{{method}} {{endpoint}}")], unit="reqps"),
        timeseries("Responses by status", "REST responses per second by HTTP status.",
                   [target('sum by (status) (rate(rest_responses_total{%s}[%s]))' % (SEL, RI),
                           "{{status}}")], unit="reqps", stack=True),
        timeseries("Server error ratio (5xx)",
                   "Share of requests answered 5xx over 5 minutes; QuiverHighErrorRate fires "
                   "above 5% for 5 minutes.",
                   [target('instance:quiver_rest_error_ratio:rate5m{%s}' % SEL, "{{instance}}")],
                   unit="percentunit"),
        timeseries("Client error ratio (4xx)",
                   "Share of requests answered 4xx: bad requests, missing collections or points.",
                   [target('sum by (instance) (rate(rest_responses_total{%s, status=~"4.."}[%s]))'
                           ' / sum by (instance) (rate(rest_responses_total{%s}[%s]))'
                           % (SEL, RI, SEL, RI), "{{instance}}")], unit="percentunit"),
        row("Latency"),
        timeseries("Search latency (REST, successful)",
                   "p50/p95/p99 of search, query and recommend requests answered 200, as "
                   "clients see them; QuiverSearchLatencyHigh fires when p99 > 500ms for 10m.",
                   quantiles("rest_responses_duration_seconds", "", SEARCH_ENDPOINTS), unit="s"),
        timeseries("All requests latency (REST, successful)",
                   "p50/p95/p99 of every request answered 200.",
                   quantiles("rest_responses_duration_seconds", ""), unit="s"),
        timeseries("Search latency p99 by collection and plan",
                   "Engine time per search (quiver_search_duration_seconds) by collection and "
                   "plan: exact scan, graph (HNSW) or filtered.",
                   [target('histogram_quantile(0.99, sum by (collection, plan, le) '
                           '(rate(quiver_search_duration_seconds_bucket{%s}[%s])))' % (SEL, RI),
                           "{{collection}} {{plan}}")], unit="s"),
        timeseries("Searches per second by collection",
                   "Searches answered per second, by collection and plan.",
                   [target('sum by (collection, plan) '
                           '(rate(quiver_search_duration_seconds_count{%s}[%s]))' % (SEL, RI),
                           "{{collection}} {{plan}}")], unit="ops"),
        row("Collections"),
        timeseries("Points per collection", "collection_points by collection.",
                   [target('sum by (id) (collection_points{%s})' % SEL, "{{id}}")]),
        table("Collection status",
              "Current status of each collection: green (ready), yellow (optimizing), grey, red.",
              [target('quiver_collection_status{%s} == 1' % SEL, instant=True, fmt="table")]),
    ])


def ingest():
    return dashboard("quiver-ingest", "Quiver / Ingest and indexing",
                     "Writes, write-ahead log, segments and the optimizer.", [
        row("Writes"),
        timeseries("Write requests by endpoint",
                   "Upserts, deletes, payload and vector updates per second.",
                   [target('sum by (method, endpoint) (rate(rest_responses_total{%s, %s, '
                           'method=~"PUT|POST|DELETE|PATCH"}[%s]))' % (SEL, WRITE_ENDPOINTS, RI),
                           "{{method}} {{endpoint}}")], unit="reqps"),
        timeseries("Rejected writes by status",
                   "Write requests answered 4xx (bad vectors, ids, payloads) or 5xx per second.",
                   [target('sum by (status) (rate(rest_responses_total{%s, %s, '
                           'method=~"PUT|POST|DELETE|PATCH", status!="200"}[%s]))'
                           % (SEL, WRITE_ENDPOINTS, RI), "{{status}}")], unit="reqps"),
        timeseries("Upsert latency (successful)", "p50/p95/p99 of PUT .../points answered 200.",
                   quantiles("rest_responses_duration_seconds", "",
                             'method="PUT", endpoint=~".*/points"'), unit="s"),
        timeseries("Points added per second", "Growth of collection_points, by collection.",
                   [target('sum by (id) (deriv(collection_points{%s}[5m]))' % SEL, "{{id}}")],
                   unit="ops"),
        row("Write-ahead log"),
        timeseries("WAL appends", "Records appended to write-ahead logs per second.",
                   [target('sum by (instance) (rate(quiver_wal_appends_total{%s}[%s]))'
                           % (SEL, RI), "{{instance}}")], unit="ops", width=8),
        timeseries("WAL throughput", "Bytes appended to write-ahead logs per second.",
                   [target('sum by (instance) (rate(quiver_wal_appended_bytes_total{%s}[%s]))'
                           % (SEL, RI), "{{instance}}")], unit="Bps", width=8),
        timeseries("WAL fsync latency",
                   "p50/p95/p99 of WAL fsyncs (group commit: one fsync covers many writes); "
                   "QuiverWalFsyncSlow fires when p99 > 100ms for 10m.",
                   quantiles("quiver_wal_fsync_duration_seconds", "instance", "",
                             "{{instance}} "), unit="s", width=8),
        timeseries("WAL size per collection",
                   "Bytes in live WAL files; drops at each checkpoint. Steady growth means "
                   "checkpoints are not happening.",
                   [target('sum by (collection) (quiver_wal_size_bytes{%s})' % SEL,
                           "{{collection}}")], unit="bytes"),
        timeseries("WAL fsync failures", "Failed fsyncs (QuiverWalFsyncFailing).",
                   [target('sum by (instance) (increase(quiver_wal_fsync_failures_total{%s}[%s]))'
                           % (SEL, RI), "{{instance}}")]),
        row("Segments and optimizer"),
        timeseries("Segments by state",
                   "Segments per state: appendable (takes writes), sealed (waiting for an "
                   "index), indexed.",
                   [target('sum by (state) (quiver_segments{%s})' % SEL, "{{state}}")],
                   stack=True),
        timeseries("Optimizer queue and running tasks",
                   "Segments waiting for an index build or vacuum, and optimizations running.",
                   [target('sum by (collection) (quiver_optimizer_queue_length{%s})' % SEL,
                           "queued {{collection}}"),
                    target('sum by (collection) (quiver_optimizer_running_tasks{%s})' % SEL,
                           "running {{collection}}")]),
        timeseries("Collections by status",
                   "Collections per status; yellow for over an hour fires QuiverOptimizerStuck.",
                   [target('sum by (status) (quiver_collection_status{%s})' % SEL,
                           "{{status}}")], stack=True),
        timeseries("Index build time",
                   "p50/p95/p99 of HNSW index builds per segment.",
                   quantiles("quiver_index_build_duration_seconds", ""), unit="s"),
    ])


def storage():
    return dashboard("quiver-storage", "Quiver / Storage and memory",
                     "Disk space of the data volumes, memory against its limit, process resources.",
                     [
        row("Disk"),
        gauge("Free disk by volume",
              "Share of the file system still free (df semantics); QuiverDiskAlmostFull fires "
              "below 5%.",
              [target('instance_volume:quiver_storage_disk_free:ratio{%s}' % SEL,
                      "{{instance}} {{volume}}")],
              steps=[{"color": "red", "value": None}, {"color": "orange", "value": 0.05},
                     {"color": "green", "value": 0.25}]),
        timeseries("Disk used and free", "Bytes used and available by volume.",
                   [target('quiver_storage_disk_used_bytes{%s}' % SEL,
                           "used {{instance}} {{volume}}"),
                    target('quiver_storage_disk_free_bytes{%s}' % SEL,
                           "free {{instance}} {{volume}}")], unit="bytes", width=9),
        timeseries("Free disk in 24h (linear prediction)",
                   "Free bytes predicted a day ahead from the last 6 hours; below zero means "
                   "QuiverDiskFillingUp.",
                   [target('predict_linear(quiver_storage_disk_free_bytes{%s}[6h], 86400)' % SEL,
                           "{{instance}} {{volume}}")], unit="bytes", width=9),
        timeseries("PVC usage (kubelet)",
                   "Used share of the Quiver PersistentVolumeClaims, from kubelet volume stats.",
                   [target('kubelet_volume_stats_used_bytes{persistentvolumeclaim=~".*quiver.*"} '
                           '/ kubelet_volume_stats_capacity_bytes{persistentvolumeclaim=~'
                           '".*quiver.*"}', "{{namespace}}/{{persistentvolumeclaim}}")],
                   unit="percentunit"),
        row("Memory"),
        gauge("Memory used of limit",
              "Resident memory over the memory limit (cgroup limit or physical memory); "
              "QuiverMemoryNearLimit fires above 90%.",
              [target('instance:quiver_memory_usage:ratio{%s}' % SEL, "{{instance}}")],
              steps=[{"color": "green", "value": None}, {"color": "orange", "value": 0.8},
                     {"color": "red", "value": 0.9}]),
        timeseries("Memory", "Resident set, allocator view (allocated, retained) and the limit.",
                   [target('memory_resident_bytes{%s}' % SEL, "resident {{instance}}"),
                    target('memory_allocated_bytes{%s}' % SEL, "allocated {{instance}}"),
                    target('memory_retained_bytes{%s}' % SEL, "retained {{instance}}"),
                    target('quiver_memory_limit_bytes{%s}' % SEL, "limit {{instance}}")],
                   unit="bytes", width=18),
        timeseries("Container working set (cAdvisor)",
                   "What the kubelet measures for out-of-memory kills, against the limit.",
                   [target('container_memory_working_set_bytes{container="quiver"}',
                           "{{namespace}}/{{pod}}")], unit="bytes"),
        timeseries("Page faults", "Major faults read from disk (mmap'd data not in memory).",
                   [target('rate(process_major_page_faults_total{%s}[%s])' % (SEL, RI),
                           "major {{instance}}"),
                    target('rate(process_minor_page_faults_total{%s}[%s])' % (SEL, RI),
                           "minor {{instance}}")], unit="ops"),
        row("Process"),
        timeseries("CPU", "CPU seconds used per second (1 = one core).",
                   [target('rate(process_cpu_seconds_total{%s}[%s])' % (SEL, RI),
                           "{{instance}}")], unit="short", width=6),
        timeseries("Threads", "Threads of the process.",
                   [target('process_threads{%s}' % SEL, "{{instance}}")], width=6),
        timeseries("File descriptors used", "Open file descriptors over the limit.",
                   [target('process_open_fds{%s} / process_max_fds{%s}' % (SEL, SEL),
                           "{{instance}}")], unit="percentunit", width=6),
        timeseries("Memory maps used", "Open mmaps over vm.max_map_count.",
                   [target('process_open_mmaps{%s} / system_max_mmaps{%s}' % (SEL, SEL),
                           "{{instance}}")], unit="percentunit", width=6),
    ])


def backups():
    return dashboard("quiver-backups", "Quiver / Snapshots and backups",
                     "Snapshots in the server, and backups made by quiver backup (issue 5).", [
        row("Snapshots"),
        timeseries("Snapshots being created", "snapshot_creation_running by collection.",
                   [target('sum by (id) (snapshot_creation_running{%s})' % SEL, "{{id}}")],
                   width=8),
        timeseries("Snapshot recoveries running",
                   "snapshot_recovery_running by collection; QuiverSnapshotRecoveryTooLong fires "
                   "after 30 minutes.",
                   [target('sum by (id) (snapshot_recovery_running{%s})' % SEL, "{{id}}")],
                   width=8),
        timeseries("Snapshots created per hour", "increase(snapshot_created_total[1h]).",
                   [target('sum by (id) (increase(snapshot_created_total{%s}[1h]))' % SEL,
                           "{{id}}")], width=8),
        timeseries("Snapshot duration", "p50/p95/p99 of snapshot creation.",
                   quantiles("quiver_snapshot_duration_seconds", ""), unit="s"),
        row("Backups"),
        stat("Last successful backup", "Age of the newest successful backup per schedule.",
             [target('time() - max by (schedule) '
                     '(quiver_backup_last_success_timestamp_seconds)', "{{schedule}}")],
             unit="s", width=6),
        stat("Backup schedule", "Interval of each backup schedule; QuiverBackupStale fires "
             "when the last success is older than twice this.",
             [target('max by (schedule) (quiver_backup_schedule_interval_seconds)',
                     "{{schedule}}")], unit="s", width=6),
        timeseries("Backup duration", "Duration of the last backup run per schedule.",
                   [target('max by (schedule) (quiver_backup_duration_seconds)',
                           "{{schedule}}")], unit="s", width=6),
        timeseries("Backup size", "Bytes written by the last backup run per schedule.",
                   [target('max by (schedule) (quiver_backup_bytes)', "{{schedule}}")],
                   unit="bytes", width=6),
        timeseries("Backup runs by result", "Backup runs per hour, successful or failed.",
                   [target('sum by (schedule, result) (increase(quiver_backup_runs_total[1h]))',
                           "{{schedule}} {{result}}")]),
        table("Backup CronJobs (kube-state-metrics)",
              "Seconds since each Quiver backup and restore-drill CronJob last succeeded.",
              [target('time() - kube_cronjob_status_last_successful_time{cronjob=~'
                      '".*quiver.*(backup|restore-drill).*"}', instant=True, fmt="table")]),
    ])


ALL = {
    "quiver-overview.json": overview,
    "quiver-ingest.json": ingest,
    "quiver-storage.json": storage,
    "quiver-backups.json": backups,
}
