// A whole trial of the baseline (latent factors, finance, pooling, hubs):
// simulate_trial per iteration; counter ccg_trials is CCG-trials per second.
//
// The finance step (pressure, mitigation, outturn) is not benchmarked on its
// own: it lives inside simulate_trial (sim/model/trial.cpp) with no separate
// entry point. Roughly, finance = simulate_trial - latent normals - the
// inverse-beta calls (one per CCG), from BM_latent_normals_per_trial and
// BM_inverse_beta_table.
#include <benchmark/benchmark.h>

#include "baseline.hpp"

namespace ccgrisk::bench {

namespace {

void run_trials(benchmark::State& state, const Baseline& b) {
  TrialState s(b.model);
  std::int64_t trial = 0;
  for (auto _ : state) {
    simulate_trial(b.model, kSeed, trial++, s);
    benchmark::DoNotOptimize(s.pooled.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ccg_trials"] = benchmark::Counter(
      static_cast<double>(state.iterations() * b.model.n), benchmark::Counter::kIsRate);
}

// The baseline as shipped: Gaussian copula, the Staffordshire "full" pool, 10 hubs.
void BM_simulate_trial_gaussian(benchmark::State& state) {
  run_trials(state, baseline());
}
BENCHMARK(BM_simulate_trial_gaussian);

// The Student-t copula (one chi-squared draw per trial on its own stream).
void BM_simulate_trial_student_t(benchmark::State& state) {
  run_trials(state, baseline({"run.copula=student_t"}));
}
BENCHMARK(BM_simulate_trial_student_t);

// The baseline with the Philox4x32 streams (run.rng; normals by slot).
void BM_simulate_trial_philox4x32(benchmark::State& state) {
  run_trials(state, baseline({"run.rng=philox4x32"}));
}
BENCHMARK(BM_simulate_trial_philox4x32);

// The Staffordshire pool under the "cover" rule instead of "full".
void BM_simulate_trial_cover_pool(benchmark::State& state) {
  run_trials(state, baseline({"pool.Staffordshire.rule=cover"}));
}
BENCHMARK(BM_simulate_trial_cover_pool);

}  // namespace

}  // namespace ccgrisk::bench
