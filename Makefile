# Quiver: the two commands of the README, and the pieces behind them.
.PHONY: run test build build-debug deps unit-test unit-test-debug integration-test format format-check clean

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

# Starts quiver serve on 127.0.0.1:6333 with data in ./data (Ctrl-C stops it cleanly).
run: build
	@mkdir -p $(DATA_DIR)
	QUIVER__STORAGE__STORAGE_PATH=$(DATA_DIR)/storage \
	QUIVER__STORAGE__SNAPSHOTS_PATH=$(DATA_DIR)/snapshots \
	./build/quiver serve --config config/config.yaml

# Every test: unit tests under ASan+UBSan (debug preset), then the integration, crash and client
# tests against the release binary.
test: build build-debug
	@ctest --preset debug -j $(JOBS)
	@set -e; for suite in tests/run-*.sh; do echo "== $$suite"; bash $$suite; done

unit-test: build
	@ctest --preset release -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build build-debug
