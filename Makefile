# hookshot: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= 2
CONFIG ?= config/hookshot.example.json

SAN_DIR ?= build-asan

.PHONY: all deps build run test test-sanitizers bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/hookshot serve --config $(CONFIG)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole suite once more, built with AddressSanitizer + UndefinedBehaviorSanitizer; any
# finding fails the run (UBSan halts; LeakSanitizer turns a leak into a non-zero exit).
test-sanitizers: deps
	cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DHOOKSHOT_SANITIZE=address,undefined
	cmake --build $(SAN_DIR) -j $(JOBS)
	cd $(SAN_DIR) && UBSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/ubsan.supp:print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# Every scenario at full size (about 5 minutes); `hookshot bench --quick` for a minute's run.
bench: build
	@bash scripts/install-deps.sh --bench
	./$(BUILD_DIR)/hookshot bench --json $(BUILD_DIR)/bench.json --svg $(BUILD_DIR)/bench.svg

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)
