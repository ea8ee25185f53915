#!/usr/bin/env bash
# Black-box tests against a built server: the Python contract/integration suite and the official
# JS client compatibility suite. Usage (from anywhere): tests/run-integration.sh [extra pytest args]
# Needs build/quiver (or QUIVER_BIN). Fails if either suite fails.
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-integration: server binary $bin not found; build it first" >&2
  exit 2
fi

rc=0
/usr/bin/python3 -m pytest -q tests/integration "$@" || rc=1

if [ ! -d tests/compat/node_modules/@qdrant/js-client-rest ]; then
  (cd tests/compat && npm install --no-audit --no-fund) || rc=1
fi
node --test tests/compat/ || rc=1

exit $rc
