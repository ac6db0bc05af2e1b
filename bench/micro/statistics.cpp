// The statistics update: Accumulator::add of one baseline trial (every
// CCG's tallies before and after sharing, every group's, the hubs' and the
// attribution sums), over 256 simulated trials taken in turn; counter
// ccg_trials is CCG-trials per second. And the merge of two accumulators,
// which the engine does once per thread at the end of a run.
#include <benchmark/benchmark.h>

#include "baseline.hpp"

namespace ccgrisk::bench {

namespace {

constexpr int kTrials = 256;

void BM_accumulator_add(benchmark::State& state) {
  const Baseline& b = baseline();
  const std::vector<TrialState> trials = simulated_trials(b, kTrials);
  Accumulator acc(b.layout);
  std::size_t k = 0;
  for (auto _ : state) {
    acc.add(trials[k]);
    k = (k + 1) % kTrials;
  }
  benchmark::DoNotOptimize(acc.trials());
  state.SetItemsProcessed(state.iterations());
  state.counters["ccg_trials"] = benchmark::Counter(
      static_cast<double>(state.iterations() * b.model.n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_accumulator_add);

void BM_accumulator_merge(benchmark::State& state) {
  const Baseline& b = baseline();
  Accumulator part(b.layout), total(b.layout);
  for (const TrialState& t : simulated_trials(b, kTrials))
    part.add(t);
  for (auto _ : state)
    total.merge(part);
  benchmark::DoNotOptimize(total.trials());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_accumulator_merge)->Unit(benchmark::kMicrosecond);

}  // namespace

}  // namespace ccgrisk::bench
