# Quiver: the two commands of the README, and the pieces behind them.
.PHONY: run test build build-debug deps unit-test format format-check clean fuzz-smoke tsan soak

JOBS ?= $(shell nproc)
DATA_DIR ?= ./data

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

# Starts quiver serve on 127.0.0.1:6333 with data in ./data and hourly backups in ./data/backups
# (config/config.yaml; Ctrl-C stops it cleanly).
run: build
	@mkdir -p $(DATA_DIR)
	QUIVER__STORAGE__STORAGE_PATH=$(DATA_DIR)/storage \
	QUIVER__STORAGE__SNAPSHOTS_PATH=$(DATA_DIR)/snapshots \
	QUIVER__BACKUP__TARGET=$(DATA_DIR)/backups \
	./build/quiver serve --config config/config.yaml

# Every test: unit tests under ASan+UBSan (debug preset), then every tests/run-*.sh suite against the
# release binary (conformance, deploy checks, ingest, integration with crash and JS client, monitoring).
test: build build-debug
	@ctest --preset debug -j $(JOBS)
	@set -e; for suite in tests/run-*.sh; do echo "== $$suite"; bash $$suite; done

unit-test: build
	@ctest --preset release -j $(JOBS)

# libFuzzer targets (fuzz/, clang, ASan+UBSan, build-fuzz/): replay fuzz/regressions, then fuzz each
# target for FUZZ_SECONDS (default 12) from fuzz/corpus. Also run by `make test` (tests/run-fuzz-smoke.sh).
fuzz-smoke: deps
	@bash tests/run-fuzz-smoke.sh

# The concurrency-heavy unit tests under ThreadSanitizer (tsan preset, build-tsan/): scripts/tsan.sh.
tsan: deps
	@bash scripts/tsan.sh

# Mixed search/upsert load at 32 connections with wrk against a fresh server (bench/soak/run.sh).
# SOAK_SECONDS (default 600); results in docs/benchmarks.md.
soak: build
	@bash bench/soak/run.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build build-debug
