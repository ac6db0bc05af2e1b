#!/usr/bin/env bash
# ThreadSanitizer run of the engine tests against a TSan-built oneTBB.
#
# Debian's libtbb12 is not built with -fsanitize=thread, so TSan cannot see
# the synchronisation inside it and reports every task hand-off as a race.
# This script builds oneTBB from Debian's own source package with TSan
# (outside the repository), builds the engine tests with the `tsan` preset's
# flags against it, and runs them. See docs/tsan-notes.md.
#
# Usage: tools/tsan.sh            (everything under $WORK, default /work/tsan)
# Needs the source already unpacked (step 1 in docs/tsan-notes.md):
#   $WORK/onetbb-2021.8.0   from `apt-get source onetbb` (deb-src enabled)
# Environment knobs:
#   WORK=/work/tsan          where the TBB build/prefix, snapshot and build go
#   TBB_SRC=$WORK/onetbb-2021.8.0
#   COMMIT=HEAD              project commit to snapshot (git archive; the
#                            working tree may be mid-edit). SRC=<dir> instead
#                            builds that directory as is (e.g. the repo root).
#   JOBS=2                   parallel compile jobs
#   TESTS='^(test_properties|test_golden|test_accumulator|test_sweep|test_breakeven)'
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/work/tsan}
TBB_SRC=${TBB_SRC:-$WORK/onetbb-2021.8.0}
TBB_PREFIX=$WORK/tbb-tsan
JOBS=${JOBS:-2}
TESTS=${TESTS:-'^(test_properties|test_golden|test_accumulator|test_sweep|test_breakeven)'}
TARGETS=(ccgrisk test_properties test_golden test_accumulator test_sweep test_breakeven)

[[ -f $TBB_SRC/CMakeLists.txt ]] || {
  echo "no oneTBB source at $TBB_SRC: run 'apt-get source onetbb' in $WORK first" >&2; exit 1; }
installed=$(dpkg-query -W -f='${Version}' libtbb-dev 2>/dev/null || true)
echo "libtbb-dev installed: ${installed:-none}; source: $(sed -n '1s/.*(\(.*\)).*/\1/p' "$TBB_SRC/debian/changelog" 2>/dev/null)"

# 1. oneTBB with TSan (TBB_SANITIZE=thread is upstream's switch: adds
#    -fsanitize=thread and turns IPO off). No tests, no -Werror.
if [[ ! -f $TBB_PREFIX/lib/cmake/TBB/TBBConfig.cmake ]]; then
  cmake -S "$TBB_SRC" -B "$WORK/tbb-build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$TBB_PREFIX" \
    -DTBB_SANITIZE=thread -DCMAKE_CXX_FLAGS="-fno-omit-frame-pointer" \
    -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBB4PY_BUILD=OFF -DTBB_STRICT=OFF
  cmake --build "$WORK/tbb-build" -j"$JOBS"
  cmake --install "$WORK/tbb-build"
fi

# 2. The project source: a snapshot of one commit unless SRC is given.
if [[ -z ${SRC:-} ]]; then
  commit=$(git -C "$REPO" rev-parse "${COMMIT:-HEAD}")
  SRC=$WORK/src
  if [[ $(cat "$SRC/.snapshot-commit" 2>/dev/null) != "$commit" ]]; then
    rm -rf "$SRC" "$WORK/build"
    mkdir -p "$SRC"
    git -C "$REPO" archive "$commit" | tar -x -C "$SRC"
    echo "$commit" > "$SRC/.snapshot-commit"
  fi
  echo "project snapshot: $commit"
fi

# 3. The tsan preset's flags, against the TSan TBB, benchmarks off.
cmake -S "$SRC" -B "$WORK/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DTBB_DIR="$TBB_PREFIX/lib/cmake/TBB" \
  -DCCGRISK_BUILD_BENCH=OFF
cmake --build "$WORK/build" -j"$JOBS" --target "${TARGETS[@]}"

# 4. Run. Reports go to $WORK/logs/tsan.<pid> (one file per process that
#    reported anything); a reporting process exits 66, so its test fails.
rm -rf "$WORK/logs" && mkdir -p "$WORK/logs"
status=0
(cd "$WORK/build" &&
  TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 log_path=$WORK/logs/tsan" \
  LD_LIBRARY_PATH="$TBB_PREFIX/lib" \
  ctest -R "$TESTS" --output-on-failure -j1) || status=$?
reports=$(cat "$WORK"/logs/tsan.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer' || true)
echo "TSan reports: $reports (logs in $WORK/logs)"
exit $(( status != 0 || reports != 0 ))
