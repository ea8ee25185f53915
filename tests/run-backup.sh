#!/usr/bin/env bash
# `quiver backup` / `quiver restore` against real `quiver serve` processes on loopback: 50k-point round trip,
# killed backups, damaged objects, retention, encryption, snapshots under concurrent writes, and the
# arguments the Kubernetes manifests in deploy/k8s pass. Usage (from anywhere): tests/run-backup.sh [pytest args].
# Needs build/quiver (or QUIVER_BIN).
set -uo pipefail
cd "$(dirname "$0")/.."

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-backup: binary $bin not found; build it first" >&2
  exit 2
fi
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/backup "$@"
