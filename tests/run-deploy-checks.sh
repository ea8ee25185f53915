#!/usr/bin/env bash
# Offline checks of deploy/: every Terraform file parses and its references, module inputs, pins, variables and
# tags check out; every kustomize overlay renders, validates against the Kubernetes schemas (no unknown fields)
# and passes the policies; the config files in the ConfigMaps pass `quiver serve --check-config`; and every check
# is shown to fail on a deliberately broken copy. Nothing touches a cloud or a cluster.
# Usage (from anywhere): tests/run-deploy-checks.sh [extra node --test args]. Needs node >= 20, kubectl, and
# build/quiver (or QUIVER_BIN). Code: tests/deploy/.
set -uo pipefail
cd "$(dirname "$0")/.."

# kubectl (with kustomize) renders deploy/k8s. This image ships it; a fresh Debian 12 does not (Debian's
# kubernetes-client is 1.20, too old for kustomize components, and conflicts with the image's kubectl). Without
# it, the Terraform and Dockerfile checks still run and the Kubernetes ones are reported as skipped.
skip_k8s=0
if ! command -v kubectl >/dev/null 2>&1 || ! kubectl kustomize --help >/dev/null 2>&1; then
  cat >&2 <<'MSG'
run-deploy-checks: SKIPPING the Kubernetes render checks: kubectl with kustomize (kubectl >= 1.27) is not on
  PATH. Install the official binary (https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/) to run
  them (and the ConfigMap config checks). The Terraform and Dockerfile checks run now.
MSG
  skip_k8s=1
fi

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "run-deploy-checks: node >= 20 is required (found ${node_major}); run scripts/install-deps.sh" >&2
  exit 1
fi

bin="${QUIVER_BIN:-build/quiver}"
if [ ! -x "$bin" ]; then
  echo "run-deploy-checks: server binary $bin not found; build it first (make build)" >&2
  exit 2
fi

if [ ! -f tests/deploy/node_modules/@cdktf/hcl2json/package.json ]; then
  (cd tests/deploy && { npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; }) || exit 1
fi

QUIVER_BIN="$(realpath "$bin")"
export QUIVER_BIN
cd tests/deploy || exit 1
tests=(./*.test.mjs)
[ "$skip_k8s" = 1 ] && tests=(./terraform.test.mjs ./docker.test.mjs)
exec node --test "$@" "${tests[@]}"
