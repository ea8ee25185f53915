#!/usr/bin/env bash
# Fault tests against the real server (tests/faults): kill -9 torture under a mixed load, bit flips
# and truncation of WAL and data files, disk full on a small tmpfs (needs root; skipped otherwise).
# Usage: tests/run-faults.sh [extra pytest args]. QUIVER_TORTURE_KILLS=N runs a longer torture.
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-faults: server binary $bin not found; build it first" >&2
  exit 2
fi
exec /usr/bin/python3 -m pytest -q -rs tests/faults "$@"
