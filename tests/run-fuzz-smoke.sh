#!/usr/bin/env bash
# Fuzz smoke run (part of `make test`; alone: `make fuzz-smoke`): builds the libFuzzer targets of
# fuzz/ (clang, ASan+UBSan, the `fuzz` preset in build-fuzz/), replays every file of
# fuzz/regressions/<target>/ (inputs that once crashed), then fuzzes each target for
# FUZZ_SECONDS (default 12) from its seed corpus fuzz/corpus/<target>/. Fails on any crash, leak,
# sanitizer report or timeout; the failing input is saved in build-fuzz/artifacts/.
# FUZZ_TARGETS="fuzz_filter fuzz_wal_reader" limits the run; longer local runs: FUZZ_SECONDS=300.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-12}"
lock=/tmp/quiver-build.lock
build() { flock "$lock" "$@"; }
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  build cmake --preset fuzz >/dev/null
fi
build cmake --build --preset fuzz -j "$(nproc)" --target fuzzers

targets="${FUZZ_TARGETS:-$(cd build-fuzz/fuzz && ls fuzz_* | grep -v '\.' || true)}"
if [ -z "$targets" ]; then
  echo "run-fuzz-smoke: no fuzz targets built" >&2
  exit 2
fi
mkdir -p build-fuzz/artifacts
work=$(mktemp -d /tmp/quiver-fuzz-smoke-XXXXXX)
trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"  # scratch files of the tar and multipart targets
rc=0
for t in $targets; do
  bin="build-fuzz/fuzz/$t"
  opts=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=0
        "-artifact_prefix=build-fuzz/artifacts/$t-")
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! "$bin" "${opts[@]}" fuzz/regressions/"$t"/* >"$work/$t.replay.log" 2>&1; then
      echo "run-fuzz-smoke: $t FAILED replaying fuzz/regressions/$t" >&2
      tail -40 "$work/$t.replay.log" >&2
      rc=1
      continue
    fi
  fi
  mkdir -p "$work/$t"
  seeds=()
  [ -d "fuzz/corpus/$t" ] && seeds=("fuzz/corpus/$t")
  if "$bin" "${opts[@]}" -max_total_time="$seconds" "$work/$t" "${seeds[@]}" >"$work/$t.log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1 || true)
    echo "run-fuzz-smoke: $t ok (${runs:-?} in ${seconds}s)"
  else
    echo "run-fuzz-smoke: $t FAILED (input saved in build-fuzz/artifacts/$t-*)" >&2
    grep -v '^#' "$work/$t.log" | tail -60 >&2
    rc=1
  fi
done
exit $rc
