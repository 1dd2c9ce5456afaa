# hookshot: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= 2
CONFIG ?= config/hookshot.example.json

SAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
TSAN_DIR ?= build-tsan
FUZZ_SECONDS ?= 60

.PHONY: all deps web-deps build run test test-sanitizers test-tsan fuzz reliability screenshots bench clean

all: build

deps:
	@bash scripts/install-deps.sh

# playwright-core for the web page's browser tests (the browser is Debian's chromium).
web-deps: deps
	@test -f tests/web/node_modules/playwright-core/package.json || \
	  (cd tests/web && npm ci --no-audit --no-fund)

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/hookshot serve --config $(CONFIG)

# The whole suite, then every fuzz target over its seed corpus plus 10 seconds of fuzzing.
test: build web-deps
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) fuzz FUZZ_SECONDS=10

# libFuzzer (clang, with ASan + UBSan) on every parser of untrusted bytes: intake, API
# requests, config, stored values, URLs and the SSRF policy. FUZZ_SECONDS per target.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DHOOKSHOT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	bash tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The whole suite once more, built with AddressSanitizer + UndefinedBehaviorSanitizer; any
# finding fails the run (UBSan halts; LeakSanitizer turns a leak into a non-zero exit).
test-sanitizers: deps web-deps
	cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DHOOKSHOT_SANITIZE=address,undefined
	cmake --build $(SAN_DIR) -j $(JOBS)
	cd $(SAN_DIR) && UBSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/ubsan.supp:print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# The reliability figures in docs/reliability.md: the fault-injecting tests (kill -9, SIGTERM,
# full disk, hostile receivers and input, SSRF) and a minute of fuzzing per target.
reliability: build
	$(MAKE) fuzz FUZZ_SECONDS=60
	$(MAKE) test-tsan
	python3 scripts/reliability-report.py --build $(BUILD_DIR) --fuzz-build $(FUZZ_DIR) --tsan-build $(TSAN_DIR)

# ThreadSanitizer over the threads hookshot synchronises itself: the storage writer, the
# HTTP loop and server (unit, storage and net tests). Debian's CAF is not built with TSan, so
# its mailbox hand-offs are invisible to it and every message would be reported; the actor
# layer is covered by ASan/UBSan and the integration suite instead (docs/reliability.md).
test-tsan: deps
	cmake -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOOKSHOT_SANITIZE=thread
	cmake --build $(TSAN_DIR) -j $(JOBS) --target unit_tests storage_tests net_tests
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) -R "^(unit|storage|net):"

# The README's screenshots, taken by the browser tests.
screenshots: build web-deps
	cd tests/web && HOOKSHOT_BIN=$(CURDIR)/$(BUILD_DIR)/hookshot SCREENSHOT_DIR=$(CURDIR)/docs/screenshots \
	  node --test e2e.test.mjs

# Every scenario at full size (about 3.5 minutes; 10 with BENCH_ARGS="--rounds 3");
# `hookshot bench --quick` for a minute's run.
bench: build
	@bash scripts/install-deps.sh --bench
	./$(BUILD_DIR)/hookshot bench --json $(BUILD_DIR)/bench.json --svg $(BUILD_DIR)/bench.svg $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(FUZZ_DIR) $(TSAN_DIR)
