#!/bin/sh
# Runs each built fuzz target for SECONDS seconds, one after another, and
# prints one summary line per target. Exits non-zero if any target crashed,
# leaked, timed out or ran out of memory; its input is then under
# BUILD/artifacts/<target>/ and its log in BUILD/fuzz-<target>.log.
#   fuzz/run.sh BUILD SECONDS TARGET...     (make fuzz calls it)
# Each target grows its own corpus in BUILD/corpus/<target>, seeded from
# fuzz/corpus/<target> and the generated BUILD/seed/<target> if any.
# fuzz/regressions/ is not a seed: a saved crash that is not fixed yet would
# stop the target at once; CTest replays those.
set -u
build=$1 seconds=$2
shift 2

# UBSan prints no stack unless asked; a symbolizer gives names in stacks;
# lsan.supp holds the leaks of other libraries (one, in HDF5).
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$(dirname "$0")/lsan.supp:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] &&
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

# The value of libFuzzer's final statistic $2 in log $1 (-print_final_stats=1).
final_stat() {
  sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

failed=0
for target in "$@"; do
  corpus=$build/corpus/$target artifacts=$build/artifacts/$target/
  log=$build/fuzz-$target.log
  mkdir -p "$corpus" "$artifacts"
  # -timeout: one input running 10 s is a hang, reported like a crash.
  seeds="fuzz/corpus/$target"
  [ -d "$build/seed/$target" ] && seeds="$seeds $build/seed/$target"
  # shellcheck disable=SC2086 # $seeds: folder names without spaces
  "$build/fuzz/fuzz_$target" "$corpus" $seeds \
    -dict="fuzz/$target.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1
  rc=$?
  runs=$(final_stat "$log" number_of_executed_units)
  per_second=$(final_stat "$log" average_exec_per_sec)
  summary="fuzz_$target: ${runs:-?} executions (${per_second:-?}/s), corpus $(ls "$corpus" | wc -l) files"
  if [ "$rc" -eq 0 ]; then
    echo "$summary: ok"
  else
    failed=1
    finding=$(grep -m 1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log")
    input=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    echo "$summary: FAILED (exit $rc) ${finding:-see $log}; input ${input:-none saved}"
  fi
done
exit $failed
