# The two commands of the README:
#   make run   — install dependencies, build, run `m3m serve` on the embedded SQLite default
#   make test  — install dependencies, build (ASan+UBSan), run every test
.PHONY: deps build run test test-build fuzz fuzz-build bench clean

BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
FUZZ_BUILD_DIR ?= build-fuzz
JOBS ?= $(shell nproc)
# Fuzzing (docs/development.md): `make test` runs every libFuzzer target for
# 60 s, two at a time, and schemathesis for 120 s; `make fuzz` runs longer.
FUZZ_JOBS ?= 2
FUZZ_SECONDS ?= 300
SCHEMATHESIS_SECONDS ?= 600
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

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

# The fuzz targets: a separate build with clang (libFuzzer), only the parsers' sources.
$(FUZZ_BUILD_DIR)/build.ninja:
	cmake -S fuzz -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++

fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS)

test: test-build fuzz-build
	cd $(TEST_BUILD_DIR) && $(SANITIZER_ENV) ctest --output-on-failure --timeout 900 -LE mongodb
	# The MongoDB files two at a time: each has its own FerretDB and database, and most of
	# their time is spent waiting (leases, heartbeats).
	cd $(TEST_BUILD_DIR) && $(SANITIZER_ENV) ctest --output-on-failure --timeout 900 -L mongodb -j 2
	cd $(FUZZ_BUILD_DIR) && $(SANITIZER_ENV) FUZZ_SECONDS=30 ctest -L fuzz -j $(FUZZ_JOBS) --output-on-failure

# Longer runs: each fuzz target FUZZ_SECONDS, then schemathesis SCHEMATHESIS_SECONDS.
fuzz: test-build fuzz-build
	cd $(FUZZ_BUILD_DIR) && $(SANITIZER_ENV) FUZZ_SECONDS=$(FUZZ_SECONDS) ctest -L fuzz -j $(FUZZ_JOBS) --output-on-failure
	cd $(TEST_BUILD_DIR) && $(SANITIZER_ENV) SCHEMATHESIS_SECONDS=$(SCHEMATHESIS_SECONDS) \
	  ctest -L schemathesis --output-on-failure --timeout $$(( $(SCHEMATHESIS_SECONDS) + 600 ))

# Benchmarks (not tests): installs wrk, nginx, Go + gin + goja from Debian, then
# prints the route table, cold start and idle memory figures (bench/README.md).
bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target m3m_bench_sqlite_ceiling
	bash bench/install-bench-deps.sh
	M3M_BIN=$(BUILD_DIR)/m3m bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(FUZZ_BUILD_DIR)
