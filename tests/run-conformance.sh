#!/usr/bin/env bash
# Qdrant's own REST API tests (qdrant/qdrant tests/openapi), ported to Quiver's harness, against a built
# server. Usage (from anywhere): tests/run-conformance.sh [extra pytest args]. Needs build/quiver (or QUIVER_BIN).
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-conformance: server binary $bin not found; build it first" >&2
  exit 2
fi

exec /usr/bin/python3 -m pytest -q tests/conformance "$@"
