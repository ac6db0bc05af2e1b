// Micro-benchmarks of the engine's hot parts (issue 6): normal generation,
// a whole trial, risk pooling, the statistics update and the inverse-beta
// table. Rates are per draw, per call, per trial or per CCG-trial as each
// benchmark says; see docs/performance.md for the numbers on this machine.
// Run: build/bench/ccgrisk_micro --benchmark_min_time=0.2
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
