// Random numbers: the Philox bit stream, one ziggurat normal (Boost's and
// the engine's inline one, the same numbers), and all the latent normals of
// one baseline trial as the engine draws them (the floor under
// simulate_trial), and one at a time through Boost for comparison.
#include <benchmark/benchmark.h>

#include <boost/random/normal_distribution.hpp>
#include <vector>

#include "baseline.hpp"
#include "model/random.hpp"

namespace ccgrisk::bench {

namespace {

// One 64-bit word of a trial's stream, drawn one at a time (a refill
// every 32 words). Argument: the bit generator.
void BM_philox_word(benchmark::State& state) {
  const auto generator = static_cast<BitGenerator>(state.range(0));
  state.SetLabel(rng_name(generator));
  TrialStream rng(kSeed, 0, StreamPurpose::kLatentNormals, generator);
  for (auto _ : state)
    benchmark::DoNotOptimize(rng());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_philox_word)
    ->Arg(static_cast<int>(BitGenerator::kPhilox4x64))
    ->Arg(static_cast<int>(BitGenerator::kPhilox4x32));

// One standard normal: Boost's ziggurat over the Philox stream, per draw.
void BM_normal_draw(benchmark::State& state) {
  TrialStream rng(kSeed, 0, StreamPurpose::kLatentNormals);
  boost::random::normal_distribution<double> normal;
  for (auto _ : state)
    benchmark::DoNotOptimize(normal(rng));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_normal_draw);

// The same draws through the engine's inline rectangle test (Boost for the
// rest): standard_normal.
void BM_normal_draw_inline(benchmark::State& state) {
  TrialStream rng(kSeed, 0, StreamPurpose::kLatentNormals);
  for (auto _ : state)
    benchmark::DoNotOptimize(standard_normal(rng));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_normal_draw_inline);

std::size_t latent_draws(const Model& m) {
  return kNumDrivers * (1 + m.regions.size() + m.area_teams.size() + static_cast<std::size_t>(m.n));
}

void count_trials(benchmark::State& state, const Model& m) {
  state.counters["normals"] = benchmark::Counter(
      static_cast<double>(state.iterations() * latent_draws(m)), benchmark::Counter::kIsRate);
  state.counters["ccg_trials"] = benchmark::Counter(static_cast<double>(state.iterations() * m.n),
                                                    benchmark::Counter::kIsRate);
}

// Every latent normal of one baseline trial as the engine draws them
// (fill_normals), stream set-up included: 5 national, 5 per region, 5 per
// area team, 5 per CCG. Counter ccg_trials: the CCG-trials per second this
// part alone would allow. Argument: the bit generator (run.rng).
void BM_latent_normals_per_trial(benchmark::State& state) {
  const Model& m = baseline().model;
  const auto generator = static_cast<BitGenerator>(state.range(0));
  state.SetLabel(rng_name(generator));
  std::vector<double> out(latent_draws(m));
  std::int64_t trial = 0;
  for (auto _ : state) {
    TrialStream rng(kSeed, trial++, StreamPurpose::kLatentNormals, generator);
    fill_normals(rng, 1.0, out.data(), out.size());
    benchmark::DoNotOptimize(out.data());
  }
  count_trials(state, m);
}
BENCHMARK(BM_latent_normals_per_trial)
    ->Arg(static_cast<int>(BitGenerator::kPhilox4x64))
    ->Arg(static_cast<int>(BitGenerator::kPhilox4x32));

// The same normals drawn one at a time with Boost's normal_distribution
// (how the first engine drew them).
void BM_latent_normals_per_trial_boost(benchmark::State& state) {
  const Model& m = baseline().model;
  const std::size_t draws = latent_draws(m);
  std::int64_t trial = 0;
  for (auto _ : state) {
    TrialStream rng(kSeed, trial++, StreamPurpose::kLatentNormals);
    boost::random::normal_distribution<double> normal;
    double sum = 0.0;
    for (std::size_t k = 0; k < draws; ++k)
      sum += normal(rng);
    benchmark::DoNotOptimize(sum);
  }
  count_trials(state, m);
}
BENCHMARK(BM_latent_normals_per_trial_boost);

}  // namespace

}  // namespace ccgrisk::bench
