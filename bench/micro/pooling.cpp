// Risk sharing on the baseline's 6-member Staffordshire pool, per call, with
// the members' surpluses of 1,024 simulated baseline trials taken in turn.
#include <benchmark/benchmark.h>

#include <span>

#include "baseline.hpp"
#include "model/pooling.hpp"

namespace ccgrisk::bench {

namespace {

constexpr int kInputs = 1024;

// The pool's members' surpluses in trials 0..kInputs-1, member-major per trial.
std::vector<std::int64_t> pool_inputs(const Baseline& b, const PoolModel& pool) {
  std::vector<std::int64_t> in;
  for (const TrialState& s : simulated_trials(b, kInputs))
    for (int i : pool.members)
      in.push_back(s.surplus[i]);
  return in;
}

void BM_pool_full(benchmark::State& state) {
  const Baseline& b = baseline();
  const PoolModel& pool = b.model.pools.at(0);
  const std::size_t size = pool.members.size();
  const std::vector<std::int64_t> in = pool_inputs(b, pool);
  std::vector<std::int64_t> out(size);
  std::size_t k = 0;
  for (auto _ : state) {
    pool_full(std::span(in).subspan(k * size, size), pool.allocation_gbp, out);
    benchmark::DoNotOptimize(out.data());
    k = (k + 1) % kInputs;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(size) + " members");
}
BENCHMARK(BM_pool_full);

void BM_pool_cover(benchmark::State& state) {
  const Baseline& b = baseline({"pool.Staffordshire.rule=cover"});
  const PoolModel& pool = b.model.pools.at(0);
  const std::size_t size = pool.members.size();
  const std::vector<std::int64_t> in = pool_inputs(b, pool);
  std::vector<std::int64_t> out(size), scratch(3 * size);
  std::size_t k = 0;
  for (auto _ : state) {
    pool_cover(std::span(in).subspan(k * size, size), pool.cap_gbp, out, scratch);
    benchmark::DoNotOptimize(out.data());
    k = (k + 1) % kInputs;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(size) + " members");
}
BENCHMARK(BM_pool_cover);

}  // namespace

}  // namespace ccgrisk::bench
