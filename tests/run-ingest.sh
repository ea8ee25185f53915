#!/usr/bin/env bash
# `quiver ingest` against real `quiver serve` processes on loopback: every input format, rejects and
# exit codes, resume after kill -9, copy between servers, retries (flaky proxy, server restart).
# Usage (from anywhere): tests/run-ingest.sh [extra pytest args]. Needs build/quiver (or QUIVER_BIN).
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-ingest: binary $bin not found; build it first" >&2
  exit 2
fi
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/ingest "$@"
