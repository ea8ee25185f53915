#!/usr/bin/env bash
# The concurrency-heavy unit tests under ThreadSanitizer (`make tsan`): the tsan preset (g++,
# -fsanitize=thread, build-tsan/) builds only these test binaries and runs them:
#   quiver_engine_wal_test         WAL group commit: concurrent appenders, syncer thread, waiters
#   quiver_engine_collection_test  concurrent writes, searches, optimizer and checkpoints on one collection
#   quiver_base_test               the stats registry (atomic counters, histograms) under contention
#   quiver_faults_test             fsync failure and disk full while the WAL syncer runs
# Fails on any data race report (TSAN_OPTIONS halt_on_error=1). Not part of `make test` (the TSan
# build of the engine takes ~6 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."

tests=(quiver_engine_wal_test quiver_engine_collection_test quiver_base_test quiver_faults_test)
lock=/tmp/quiver-build.lock
if [ ! -f build-tsan/CMakeCache.txt ]; then
  flock "$lock" cmake --preset tsan >/dev/null
fi
flock "$lock" cmake --build --preset tsan -j "$(nproc)" --target "${tests[@]}"

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
rc=0
for t in "${tests[@]}"; do
  bin=$(find build-tsan -type f -name "$t" -perm -u+x | head -1)
  echo "== tsan: $t"
  if ! "$bin" --gtest_brief=1; then
    echo "tsan: $t FAILED" >&2
    rc=1
  fi
done
exit $rc
