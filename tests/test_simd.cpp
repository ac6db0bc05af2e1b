// The engine's baseline and x86-64-v4 (AVX-512) builds of its loops give the
// same trials bit for bit, under both copulas and both pool rules.
#include <catch2/catch.hpp>

#include "app/common.hpp"
#include "engine/accumulator.hpp"
#include "fixtures.hpp"
#include "model/model.hpp"
#include "model/simd.hpp"
#include "model/trial.hpp"
#include "support.hpp"

using namespace ccgrisk;

namespace {

// Runs trials [0, trials) on `path` and returns every per-trial outcome.
std::vector<std::int64_t> outcomes(const Model& m, std::uint64_t seed, int trials, SimdPath path) {
  set_simd_path(path);
  TrialState s(m);
  std::vector<std::int64_t> all;
  for (int t = 0; t < trials; ++t) {
    simulate_trial(m, seed, t, s);
    for (const auto* v : {&s.surplus, &s.underlying, &s.pooled, &s.pooled_underlying, &s.components,
                          &s.hub_overspend})
      all.insert(all.end(), v->begin(), v->end());
  }
  return all;
}

void check_paths_agree(const Scenario& scenario, const CcgTable& table, int trials) {
  if (!simd_supported(SimdPath::kX86_64_V4)) {
    WARN("this CPU has no x86-64-v4 (AVX-512): only the baseline path can run here");
    return;
  }
  const Model m = build_model(scenario, table);
  const SimdPath before = simd_path();
  const auto base = outcomes(m, scenario.run.seed, trials, SimdPath::kBaseline);
  const auto v4 = outcomes(m, scenario.run.seed, trials, SimdPath::kX86_64_V4);
  set_simd_path(before);
  REQUIRE(base.size() == v4.size());
  std::size_t differ = 0;
  for (std::size_t k = 0; k < base.size(); ++k)
    differ += base[k] != v4[k];
  CHECK(differ == 0);
}

}  // namespace

TEST_CASE("simd: baseline and x86-64-v4 paths agree on the shipped baseline", "[simd]") {
  const std::string copula = GENERATE("gaussian", "student_t");
  INFO("copula " << copula);
  const Inputs in =
      load_inputs(std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml",
                  {{"run.copula", "\"" + copula + "\""}});
  check_paths_agree(in.scenario, in.table, 300);
}

TEST_CASE("simd: the paths agree with both pool rules, hubs, shifts and antithetic pairs",
          "[simd]") {
  Scenario s;
  s.run.seed = 99;
  s.run.antithetic = true;
  s.run.copula = Copula::kStudentT;
  s.shifts.region_pct["South"] = 0.3;
  s.hubs = {{"H1", 500000.0, 2.0, 1.0}};
  s.pools.push_back({"P1", {"C10", "C11", "C12"}, PoolRule::kFull, 1.0});
  s.pools.push_back({"P2", {"C14", "C15", "C16", "C17"}, PoolRule::kCover, 0.5});
  // 23 CCGs: the vector loops' remainders are exercised too.
  check_paths_agree(s, test::small_table(23), 2000);
}

TEST_CASE("simd: an unsupported path is refused, the baseline always accepted", "[simd]") {
  const SimdPath before = simd_path();
  CHECK(simd_supported(SimdPath::kBaseline));
  CHECK_NOTHROW(set_simd_path(SimdPath::kBaseline));
  CHECK(simd_path() == SimdPath::kBaseline);
  if (!simd_supported(SimdPath::kX86_64_V4))
    CHECK_THROWS_AS(set_simd_path(SimdPath::kX86_64_V4), std::invalid_argument);
  set_simd_path(before);
  CHECK(simd_name(SimdPath::kX86_64_V4) == "x86-64-v4");
}

TEST_CASE("simd: statistics agree between paths, trials beyond the staging bounds included",
          "[simd]") {
  // The x86-64-v4 path stages per-CCG tallies in 64-bit arrays; a trial with
  // an outturn 2^32 pounds or more from the centre, or an underlying
  // outturn of 2^47 or more, goes straight to the tallies. The baseline path
  // never stages. Both must give the same tallies.
  if (!simd_supported(SimdPath::kX86_64_V4)) {
    WARN("this CPU has no x86-64-v4 (AVX-512): only the baseline path can run here");
    return;
  }
  Scenario s;
  s.run.antithetic = true;
  s.pools.push_back({"P1", {"C13", "C14", "C15"}, PoolRule::kFull, 1.0});
  const Model m = build_model(s, test::small_table(13));
  const StatsLayout layout = make_layout(m);
  const SimdPath before = simd_path();
  auto tallies = [&](SimdPath path) {
    set_simd_path(path);
    Accumulator worker(layout), total(layout);
    TrialState state(m);
    for (std::int64_t trial = 0; trial < 3000; ++trial) {
      simulate_trial(m, 11, trial, state);
      if (trial % 97 == 5) state.surplus[trial % m.n] += std::int64_t{1} << 33;
      if (trial % 89 == 7) state.underlying[(trial * 3) % m.n] -= std::int64_t{1} << 48;
      if (trial % 83 == 9) state.pooled[3] -= std::int64_t{1} << 40;
      // Staged, but squares near 2^64: the staged sum of squares carries.
      const int far = static_cast<int>((trial * 7) % m.n);
      if (trial % 5 == 1)
        state.surplus[far] =
            layout.ccg_range[far].reference_gbp + (trial % 2 ? 1 : -1) * 4'200'000'000;
      worker.add(state, trial & 1);
    }
    total.merge(worker);
    std::vector<Wide> out;
    for (int phase = 0; phase < kPhases; ++phase) {
      for (int i = 0; i < m.n; ++i) {
        const CcgTally& c = total.ccg(phase, i);
        for (Wide v : {Wide{c.red}, Wide{c.pairs_both_red}, Wide{c.miss_control}, c.underlying_sum,
                       Wide{c.surplus.min}, Wide{c.surplus.max}, c.surplus.sum,
                       static_cast<Wide>(c.surplus.sum_sq.low), Wide{c.surplus.sum_sq.high},
                       c.surplus.under_sum, c.surplus.over_sum})
          out.push_back(v);
        out.insert(out.end(), c.surplus.bins.begin(), c.surplus.bins.end());
      }
    }
    return out;
  };
  const auto base = tallies(SimdPath::kBaseline);
  const auto v4 = tallies(SimdPath::kX86_64_V4);
  set_simd_path(before);
  CHECK(base == v4);
}
