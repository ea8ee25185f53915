#!/usr/bin/env bash
# Soak/load test (`make soak`): a fresh `quiver serve` on 127.0.0.1, a collection of SOAK_POINTS
# random SOAK_DIM-d vectors, then wrk with bench/soak/soak.lua at SOAK_CONNECTIONS (32) connections
# for SOAK_SECONDS (600) mixing searches and wait=true upserts (SOAK_UPSERT_PCT, 20%) that overwrite
# existing ids (so the data size stays flat). Samples the server's RSS every SOAK_SAMPLE_SECONDS (10)
# into $OUT/rss.csv and prints errors, latency percentiles and RSS (first/after warm-up/last/max).
# Fails when any request failed or the server died; SOAK_MAX_RSS_GROWTH (1.5) bounds last RSS over
# the RSS after the first quarter of the run (runs of 120 s or more). Results: docs/benchmarks.md ("Soak").
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${SOAK_SECONDS:-600}"
conns="${SOAK_CONNECTIONS:-32}"
sample="${SOAK_SAMPLE_SECONDS:-10}"
export SOAK_DIM="${SOAK_DIM:-128}" SOAK_POINTS="${SOAK_POINTS:-20000}"
export SOAK_UPSERT_PCT="${SOAK_UPSERT_PCT:-20}" SOAK_BATCH="${SOAK_BATCH:-10}"
bin="${QUIVER_BIN:-build/quiver}"
command -v wrk >/dev/null || { echo "soak: wrk not installed (scripts/install-deps.sh)" >&2; exit 2; }
[ -x "$bin" ] || { echo "soak: $bin not built" >&2; exit 2; }

out="${OUT:-$(mktemp -d /tmp/quiver-soak-XXXXXX)}"
mkdir -p "$out"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
QUIVER__SERVICE__HOST=127.0.0.1 QUIVER__SERVICE__HTTP_PORT=$port \
  QUIVER__STORAGE__STORAGE_PATH="$out/storage" QUIVER__STORAGE__SNAPSHOTS_PATH="$out/snapshots" \
  QUIVER__LOG_LEVEL=warn "$bin" serve >"$out/server.log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.1; done

/usr/bin/python3 - "$url" <<'PY'
import os, random, sys, requests
url, dim, n = sys.argv[1], int(os.environ["SOAK_DIM"]), int(os.environ["SOAK_POINTS"])
r = requests.put(url + "/collections/soak", json={"vectors": {"size": dim, "distance": "Cosine"}})
r.raise_for_status()
rng = random.Random(1)
for first in range(0, n, 1000):
    pts = [{"id": i, "vector": [rng.uniform(-1, 1) for _ in range(dim)], "payload": {"g": i % 97}}
           for i in range(first, min(n, first + 1000))]
    requests.put(url + "/collections/soak/points?wait=true", json={"points": pts}).raise_for_status()
print("soak: loaded %d points of %d dimensions" % (n, dim))
PY

echo "t_seconds,rss_kb" >"$out/rss.csv"
(
  t=0
  while kill -0 "$pid" 2>/dev/null; do
    echo "$t,$(awk '/VmRSS/ {print $2}' /proc/$pid/status)" >>"$out/rss.csv"
    sleep "$sample"
    t=$((t + sample))
  done
) &
sampler=$!

echo "soak: wrk -t2 -c$conns -d${seconds}s, ${SOAK_UPSERT_PCT}% upserts of $SOAK_BATCH points (output in $out)"
wrk -t2 -c"$conns" -d"${seconds}s" --timeout 30s --latency -s bench/soak/soak.lua "$url" | tee "$out/wrk.txt"
kill "$sampler" 2>/dev/null || true
echo "$((seconds)),$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)" >>"$out/rss.csv"

rc=0
if ! kill -0 "$pid" 2>/dev/null; then
  echo "soak: FAILED: the server died" >&2
  tail -20 "$out/server.log" >&2
  rc=1
fi
errors=$(awk '/^SOAK errors/ {split($3,a,"="); split($4,b,"="); print a[2]+b[2]}' "$out/wrk.txt")
if [ "${errors:-1}" != "0" ]; then
  echo "soak: FAILED: $errors failed requests" >&2
  rc=1
fi
/usr/bin/python3 - "$out/rss.csv" "${SOAK_MAX_RSS_GROWTH:-1.5}" "$seconds" <<'PY' || rc=1
import csv, sys
rows = [(int(r["t_seconds"]), int(r["rss_kb"])) for r in csv.DictReader(open(sys.argv[1])) if r["rss_kb"]]
if not rows:
    sys.exit("soak: no RSS samples")
warm = rows[max(0, len(rows) // 4)][1]
last, peak = rows[-1][1], max(r[1] for r in rows)
print("SOAK rss_mb first=%.0f after_warmup=%.0f last=%.0f max=%.0f samples=%d" % (
    rows[0][1] / 1024, warm / 1024, last / 1024, peak / 1024, len(rows)))
if int(sys.argv[3]) < 120:
    print("soak: run shorter than 120 s: RSS growth not judged (warm-up)")
elif last > warm * float(sys.argv[2]):
    sys.exit("soak: FAILED: RSS grew from %.0f MB to %.0f MB" % (warm / 1024, last / 1024))
PY
exit $rc
