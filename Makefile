# ccgrisk: the two commands of the README, and a few more.
#   make run    install what is missing, build Release, run the 2013-14 baseline
#   make test   install what is missing, build, run the whole test suite (CTest)

BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
RESULTS   ?= results
SCENARIO  ?= scenarios/baseline-2013-14.toml

# Debian 12 packages the build, the tests and the analysis need.
DEBIAN_PACKAGES = build-essential cmake libeigen3-dev libtbb-dev libboost-dev \
  libboost-random-dev libhdf5-dev hdf5-tools catch2 libcli11-dev libtomlplusplus-dev \
  librandom123-dev libbenchmark-dev python3-h5py python3-numpy

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test clean

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

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
