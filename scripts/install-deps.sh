#!/usr/bin/env bash
# Installs every Debian and npm package Quiver needs. Idempotent: safe to run again on a machine that
# already has everything (it then only checks). Usage: scripts/install-deps.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libboost-dev libboost-system-dev
  libsimdjson-dev libfast-float-dev libhwy-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libssl-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest python3-requests python3-jsonschema python3-yaml
  nodejs npm clang-format
)
# quiver ingest (src/ops/ingest): gzip and zstd input files (zlib, libzstd); libcurl and simdjson above.
# Its tests make a self-signed certificate with the openssl CLI; bench/ingest generates data with numpy.
DEB_PACKAGES+=(zlib1g-dev libzstd-dev openssl python3-numpy python3-faiss)
# bench/search: the hnswlib peer (hnswlib_peer.cpp, compiled by run.py with -O3 -march=native).
DEB_PACKAGES+=(libhnswlib-dev)
# snapshots (src/ops/snapshot): libarchive writes and reads the snapshot tar files; sha256 comes from
# libssl-dev above.
DEB_PACKAGES+=(libarchive-dev)
# access control (src/api/auth.cpp): libjwt verifies the HS256 tokens of service.jwt_rbac. TLS for the REST
# port uses libssl-dev above; tests/integration/test_security.py makes its certificates with the openssl CLI.
DEB_PACKAGES+=(libjwt-dev)
# quiver backup / restore (src/ops/backup_tool): nlohmann-json reads and writes the backup manifest (an
# untrusted input on restore); AES-256-GCM and sha256 come from libssl-dev, HTTP from libcurl above.
DEB_PACKAGES+=(nlohmann-json3-dev)
# monitoring tests (tests/run-monitoring.sh): Prometheus (includes promtool) and Alertmanager (includes
# amtool). Their services are never started by the packages here (no systemd); the tests start their own.
DEB_PACKAGES+=(prometheus prometheus-alertmanager)
# fuzzing (fuzz/, `make fuzz-smoke`, tests/run-fuzz-smoke.sh): clang 14 with libFuzzer and its sanitizer
# runtimes. Soak/load driver (bench/soak): wrk.
DEB_PACKAGES+=(clang libclang-rt-14-dev wrk)
# S3 client (src/ops/s3): tinyxml2 parses S3/STS XML responses. Its tests (tests/run-s3.sh) recompute
# SigV4 signatures with botocore's signer; s3rver comes from npm (tests/s3, below).
DEB_PACKAGES+=(libtinyxml2-dev python3-botocore)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node may come from outside Debian (e.g. nodesource); accept any node >= 20 and npm on PATH.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# npm packages (pinned; see ../shared/ENVIRONMENT.md) for the client-compatibility tests.
if [ ! -f tests/compat/node_modules/@qdrant/js-client-rest/package.json ]; then
  echo "install-deps: installing npm packages in tests/compat"
  (cd tests/compat && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --no-audit --no-fund --loglevel=error)
else
  echo "install-deps: npm packages present"
fi

# --- deploy checks (tests/deploy, run by tests/run-deploy-checks.sh) ---------------------------------------------
# npm packages pinned in tests/deploy/package.json (+ package-lock.json): @cdktf/hcl2json (Terraform parser),
# kubernetes-models, yaml. kubectl (for `kubectl kustomize`) is not installed here: Debian's kubernetes-client
# conflicts with the kubectl of this image; tests/run-deploy-checks.sh explains how to get one if it is missing.
if [ ! -f tests/deploy/node_modules/@cdktf/hcl2json/package.json ]; then
  echo "install-deps: installing npm packages in tests/deploy"
  (cd tests/deploy && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --no-audit --no-fund --loglevel=error)
else
  echo "install-deps: deploy-check npm packages present"
fi

# --- S3 client tests (tests/s3, run by tests/run-s3.sh): s3rver@3.7.1 pinned in tests/s3/package.json ---------
if [ ! -f tests/s3/node_modules/s3rver/package.json ]; then
  echo "install-deps: installing npm packages in tests/s3"
  (cd tests/s3 && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
    npm install --no-audit --no-fund --loglevel=error)
else
  echo "install-deps: s3 test npm packages present"
fi
