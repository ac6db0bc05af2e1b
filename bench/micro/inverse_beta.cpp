// The CIP delivery transform d = F^-1_Beta(Phi(z)) at the baseline's
// parameters (mean 0.80, sd 0.15), per call, over 4,096 standard normal z
// taken in turn: the table, and Boost.Math's exact evaluation it replaces.
#include <benchmark/benchmark.h>

#include <boost/random/normal_distribution.hpp>

#include "baseline.hpp"
#include "model/inverse_beta.hpp"
#include "model/random.hpp"

namespace ccgrisk::bench {

namespace {

constexpr std::size_t kPoints = 4096;

std::vector<double> normal_points() {
  TrialStream rng(kSeed, 0, StreamPurpose::kLatentNormals);
  boost::random::normal_distribution<double> normal;
  std::vector<double> z(kPoints);
  for (double& x : z)
    x = normal(rng);
  return z;
}

const InverseBetaTable& baseline_table() {
  return baseline().model.cip_transform;
}

void BM_inverse_beta_table(benchmark::State& state) {
  const InverseBetaTable& table = baseline_table();
  const std::vector<double> z = normal_points();
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table(z[k]));
    k = (k + 1) % kPoints;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_inverse_beta_table);

void BM_inverse_beta_exact(benchmark::State& state) {
  const InverseBetaTable& table = baseline_table();
  const std::vector<double> z = normal_points();
  std::size_t k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.exact(z[k]));
    k = (k + 1) % kPoints;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_inverse_beta_exact);

}  // namespace

}  // namespace ccgrisk::bench
