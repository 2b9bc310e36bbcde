# The two commands of the README:
#   make run   — install dependencies, build, run `m3m serve` on the embedded SQLite default
#   make test  — install dependencies, build (ASan+UBSan), run every test
.PHONY: deps build run test test-build bench clean

BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
JOBS ?= $(shell nproc)

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DM3M_BUILD_TESTS=OFF

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target m3m

run: build
	./$(BUILD_DIR)/m3m serve $(if $(CONFIG),--config $(CONFIG),)

$(TEST_BUILD_DIR)/build.ninja:
	cmake -S . -B $(TEST_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DM3M_SANITIZE=ON -DM3M_BUILD_BENCH=OFF

test-build: deps $(TEST_BUILD_DIR)/build.ninja
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)

test: test-build
	cd $(TEST_BUILD_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 900

# Benchmarks (not tests): installs wrk, nginx, Go + gin + goja from Debian, then
# prints the route table, cold start and idle memory figures (bench/README.md).
bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target m3m_bench_sqlite_ceiling
	bash bench/install-bench-deps.sh
	M3M_BIN=$(BUILD_DIR)/m3m bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
