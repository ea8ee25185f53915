#!/usr/bin/env bash
# The S3 client (src/ops/s3) against s3rver (npm, pinned in tests/s3/package.json) started by the tests
# on 127.0.0.1, through a gateway that recomputes every request's SigV4 signature with botocore; web
# identity through a fake STS. Usage (from anywhere): tests/run-s3.sh [extra pytest args].
# Needs build/src/ops/s3/quiver_s3_tool (or QUIVER_S3_TOOL) and scripts/install-deps.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

tool="${QUIVER_S3_TOOL:-build/src/ops/s3/quiver_s3_tool}"
if [ ! -x "$tool" ]; then
  echo "run-s3: $tool not found; build it first (cmake --build --preset release --target quiver_s3_tool)" >&2
  exit 2
fi
if [ ! -x tests/s3/node_modules/.bin/s3rver ]; then
  echo "run-s3: s3rver missing; run scripts/install-deps.sh" >&2
  exit 2
fi

exec /usr/bin/python3 -m pytest -q tests/s3 "$@"
