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

// What an MPI job does at each combine (docs/scale-out.md): serialize a
// rank's tallies, and combine two serialized arrays word by word (the
// all-reduce's op); bytes/s is the serialized size over the time.
void BM_tallies_serialize(benchmark::State& state) {
  const Baseline& b = baseline();
  Accumulator part(b.layout);
  for (const TrialState& t : simulated_trials(b, kTrials))
    part.add(t);
  part.flush();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::vector<std::uint64_t> words = part.serialize();
    bytes = words.size() * sizeof(std::uint64_t);
    benchmark::DoNotOptimize(words.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_tallies_serialize)->Unit(benchmark::kMicrosecond);

void BM_tallies_combine(benchmark::State& state) {
  const Baseline& b = baseline();
  Accumulator part(b.layout);
  for (const TrialState& t : simulated_trials(b, kTrials))
    part.add(t);
  const std::vector<std::uint64_t> in = part.serialize();
  std::vector<std::uint64_t> inout = in;
  for (auto _ : state) {
    combine_tallies(in, inout);
    benchmark::DoNotOptimize(inout.data());
  }
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * in.size() * sizeof(std::uint64_t)));
}
BENCHMARK(BM_tallies_combine)->Unit(benchmark::kMicrosecond);

}  // namespace

}  // namespace ccgrisk::bench
