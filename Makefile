# ccgrisk: the two commands of the README, and a few more.
#   make run    install what is missing, build Release, run the 2013-14 baseline, report it
#   make test   install what is missing, build, run the whole test suite (CTest)
#   make bench  build Release, run the micro-benchmarks and `ccgrisk bench` (docs/performance.md)
#   make fuzz   build the libFuzzer targets with clang 14 and run each FUZZ_SECONDS (fuzz/README.md)
#   make sanitize  build and run the whole suite under AddressSanitizer + UBSan (build-asan)
#   make tsan   the engine tests under ThreadSanitizer, against a TSan-built oneTBB (docs/reliability.md)

BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
RESULTS   ?= results
SCENARIO  ?= scenarios/baseline-2013-14.toml
BENCH_TRIALS ?= 200000
BENCH_ROUNDS ?= 3
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= scenario ccg_table targets results

# Debian 12 packages the build, the tests and the analysis need.
DEBIAN_PACKAGES = build-essential cmake libeigen3-dev libtbb-dev libboost-dev \
  libboost-random-dev libhdf5-dev hdf5-tools catch2 libcli11-dev libtomlplusplus-dev \
  librandom123-dev libbenchmark-dev python3-h5py python3-numpy \
  pkg-config libxlsxwriter-dev python3-matplotlib python3-openpyxl python3-xarray python3-h5netcdf \
  libssl-dev nlohmann-json3-dev libopenmpi-dev openmpi-bin
# Only `make fuzz` needs these: clang 14, libFuzzer and the sanitizer
# runtimes, llvm-symbolizer for readable stacks.
FUZZ_PACKAGES = clang-14 libfuzzer-14-dev libclang-rt-14-dev llvm-14

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test bench fuzz sanitize tsan clean

all: build

# Installs only the packages that are missing (apt-get needs root or sudo).
deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(RESULTS)
	$(BUILD_DIR)/sim/ccgrisk run $(SCENARIO) -o $(RESULTS)/baseline-2013-14.h5 \
	  --targets scenarios/targets-2013-14.toml
	$(BUILD_DIR)/sim/ccgrisk report $(RESULTS)/baseline-2013-14.h5 -o $(RESULTS)/baseline-2013-14-report
	@echo "Open it in a browser: file://$(abspath $(RESULTS))/baseline-2013-14-report/index.html"

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# Micro-benchmarks of the hot parts (about 30 s), then whole runs of the
# baseline at 1, 2, 4, ... threads, with the default streams (philox4x32)
# and with run.rng = "philox4x64"; the tables also go to $(BUILD_DIR)/bench*.json.
bench: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target ccgrisk ccgrisk_micro ccgrisk_scaling
	$(BUILD_DIR)/bench/ccgrisk_micro --benchmark_min_time=0.2
	$(BUILD_DIR)/sim/ccgrisk bench $(SCENARIO) --trials $(BENCH_TRIALS) --rounds $(BENCH_ROUNDS) \
	  --json $(BUILD_DIR)/bench.json
	$(BUILD_DIR)/sim/ccgrisk bench $(SCENARIO) --trials $(BENCH_TRIALS) --rounds $(BENCH_ROUNDS) \
	  --set 'run.rng="philox4x64"' --json $(BUILD_DIR)/bench-philox4x64.json

# Every fuzz target built with clang 14 (ASan, UBSan, coverage of the whole
# library) in $(FUZZ_DIR), then run for FUZZ_SECONDS each; fails on any crash,
# leak or timeout, whose input lands in $(FUZZ_DIR)/artifacts/<target>/.
fuzz:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(DEBIAN_PACKAGES) $(FUZZ_PACKAGES)"
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCCGRISK_BUILD_FUZZERS=ON -DCCGRISK_BUILD_TESTS=OFF -DCCGRISK_BUILD_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target ccgrisk $(addprefix fuzz_,$(FUZZ_TARGETS))
	fuzz/make_results_seed.sh $(FUZZ_DIR)/sim/ccgrisk $(FUZZ_DIR)/seed/results/every-section.h5
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The whole suite under ASan + UBSan (the `asan` preset: any UBSan report
# aborts, LeakSanitizer on); fails on any report or test failure.
sanitize: deps
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp:print_suppressions=0 ctest --preset asan -j $(JOBS)

# ThreadSanitizer needs every library that hands work between threads built
# with it: oneTBB from Debian's source package (deb-src), then the engine
# tests against it (tools/tsan.sh; all of it under TSAN_WORK, outside the tree).
TSAN_WORK ?= /tmp/ccgrisk-tsan
tsan: deps
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(DEBIAN_PACKAGES) dpkg-dev ninja-build"
	@if [ ! -f $(TSAN_WORK)/onetbb-*/CMakeLists.txt ]; then \
	  mkdir -p $(TSAN_WORK) && cd $(TSAN_WORK) && \
	  if ! apt-get source onetbb=$$(dpkg-query -W -f='$${Version}' libtbb-dev); then \
	    echo "apt-get source needs a deb-src entry (see docs/reliability.md, ThreadSanitizer)"; exit 1; \
	  fi; \
	fi
	WORK=$(TSAN_WORK) TBB_SRC=$$(ls -d $(TSAN_WORK)/onetbb-*/ | head -1) SRC=$(CURDIR) tools/tsan.sh

clean:
	rm -rf $(BUILD_DIR)
