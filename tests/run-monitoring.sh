#!/usr/bin/env bash
# Monitoring tests (issue 6), run by `make test`: static checks of deploy/monitoring (promtool check
# and unit tests of every alert, generated PrometheusRule/dashboards up to date, Kubernetes objects,
# dashboards, runbooks, amtool), then live tests: a real Prometheus scraping a real quiver serve
# evaluates every rule and dashboard query, and an end-to-end alert through Alertmanager to a
# webhook. About a minute. Needs build/quiver (or QUIVER_BIN), prometheus and
# prometheus-alertmanager (scripts/install-deps.sh). Usage: tests/run-monitoring.sh [pytest args]
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-monitoring: server binary $bin not found; build it first" >&2
  exit 2
fi
for tool in promtool prometheus prometheus-alertmanager amtool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-monitoring: $tool not found; run scripts/install-deps.sh" >&2
    exit 2
  fi
done

export PYTHONDONTWRITEBYTECODE=1
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/monitoring "$@"
