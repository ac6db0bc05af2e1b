// Risk attribution, antithetic pairs and precision on demand (issue 4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "engine/accumulator.hpp"
#include "engine/finalize.hpp"
#include "engine/run.hpp"
#include "fixtures.hpp"
#include "model/trial.hpp"
#include "output/results_reader.hpp"
#include "support.hpp"

using namespace ccgrisk;
using ccgrisk::test::one_driver_scenario;
using ccgrisk::test::small_table;

namespace {

Scenario random_scenario(std::int64_t trials) {
  Scenario s;
  s.run.trials = trials;
  s.run.seed = 11;
  s.shifts.region_pct["North"] = 0.4;
  return s;
}

}  // namespace

TEST_CASE("attribution components add up to the pressure in the red trials", "[attribution]") {
  const Scenario s = random_scenario(6000);
  const CcgTable t = small_table(12);
  const Results r = run_scenario(s, t, RunOptions{2, 256});
  const Attribution& a = r.attribution;
  REQUIRE(a.components.size() == kNumComponents);
  // Recompute the same sums trial by trial, serially.
  const Model m = build_model(s, t);
  TrialState state(m);
  std::vector<Wide> red_sum(m.n, 0);
  std::vector<std::int64_t> red_count(m.n, 0);
  for (std::int64_t trial = 0; trial < s.run.trials; ++trial) {
    simulate_trial(m, s.run.seed, trial, state);
    for (int i = 0; i < m.n; ++i) {
      std::int64_t pressure = 0;
      for (int c = 0; c < kNumComponents; ++c)
        pressure += state.component(c)[i];
      // The parts, each settled in pounds, match the outturn to a few pounds.
      const std::int64_t mitigated = m.planned_surplus_k[i] * 1000 - pressure;
      REQUIRE(state.surplus[i] >= mitigated - kNumComponents);
      if (state.surplus[i] < 0) red_sum[i] += pressure, ++red_count[i];
    }
  }
  for (int i = 0; i < m.n; ++i) {
    INFO("CCG " << i);
    REQUIRE(red_count[i] > 0);
    double sum = 0.0;
    for (int c = 0; c < kNumComponents; ++c)
      sum += a.mean_red_k[i * kNumComponents + c];
    const double expected = static_cast<double>(red_sum[i]) / red_count[i] / 1000.0;
    CHECK(sum == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("Euler contributions add up to the national expected shortfall", "[attribution]") {
  const Scenario s = random_scenario(20000);
  const CcgTable t = small_table(12);
  const Results r = run_scenario(s, t, RunOptions{2, 256});
  const Attribution& a = r.attribution;
  const double sum = std::accumulate(a.es_contribution_k.begin(), a.es_contribution_k.end(), 0.0);
  CHECK(sum == Approx(a.national_es_k).epsilon(1e-10));
  // The ES itself: the mean national deficit in the worst 5% of years,
  // computed directly from sorted totals, within the histogram's resolution.
  const Model m = build_model(s, t);
  TrialState state(m);
  std::vector<double> deficit;
  for (std::int64_t trial = 0; trial < s.run.trials; ++trial) {
    simulate_trial(m, s.run.seed, trial, state);
    deficit.push_back(-std::accumulate(state.surplus.begin(), state.surplus.end(), 0.0) / 1000.0);
  }
  std::sort(deficit.rbegin(), deficit.rend());
  const std::size_t tail = deficit.size() / 20;
  const double direct = std::accumulate(deficit.begin(), deficit.begin() + tail, 0.0) / tail;
  INFO("direct " << direct << " engine " << a.national_es_k);
  CHECK(a.national_es_k == Approx(direct).margin(4 * r.national.total_hist_resolution_k));
}

TEST_CASE("antithetic pairs are unbiased on a closed-form case", "[antithetic]") {
  const double sd = 0.01;
  const std::int64_t trials = 100000;
  Scenario s = one_driver_scenario(sd, trials);
  s.run.antithetic = true;
  CcgTable t = small_table(6);
  for (int i = 0; i < 6; ++i)
    t.rows[i].plan.planned_surplus_pct = 1.6 - 0.15 * i;
  const Results r = run_scenario(s, t, RunOptions{2, 1000});
  const boost::math::normal_distribution<double> normal;
  for (int i = 0; i < 6; ++i) {
    // Closed form as in test_properties: red when Z > (s - fixed) / (B sd).
    const double a = t.rows[i].allocation_k,
                 surplus = t.rows[i].plan.planned_surplus_pct.value() / 100 * a;
    const double spend = a - surplus;
    const double fixed = 0.05 * spend * 0.03 + 0.03 * a * 0.2 + 0.19 * a * 0.005;
    const double x = (surplus - fixed) / (0.5 * spend * sd);
    const double p = boost::math::cdf(boost::math::complement(normal, x));
    INFO("CCG " << i << " closed form " << p << " antithetic " << r.before.p_red[i] << " +- "
                << r.before.p_red_se[i]);
    CHECK(std::abs(r.before.p_red[i] - p) < 4 * r.before.p_red_se[i]);
    // The surplus is linear in Z here, so every pair averages to its mean:
    // the antithetic mean is the exact mean, to the pound.
    CHECK(r.before.surplus_mean_k[i] == Approx(surplus - fixed).margin(2e-3));
    CHECK(r.before.p_red_variance_ratio[i] > 0.9);
  }
}

TEST_CASE("antithetic runs need an even number of trials", "[antithetic]") {
  ccgrisk::test::TempDir dir;
  ccgrisk::test::write_file(dir / "c.csv",
                            "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k\n"
                            "A1,One,Q1,Team,North,1000\n");
  const auto scenario = ccgrisk::test::write_file(dir / "s.toml", "[data]\nccgs = \"c.csv\"\n");
  const auto r = ccgrisk::test::run_cli("run " + ccgrisk::test::quote(scenario.string()) + " -o " +
                                        ccgrisk::test::quote((dir / "o.h5").string()) +
                                        " --trials 1001 --antithetic --quiet");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("run.trials = 1001") && Catch::Contains("even"));
  CHECK_FALSE(std::filesystem::exists(dir / "o.h5"));
}

TEST_CASE("precision on demand meets its target, identically at 1 and 2 threads", "[precision]") {
  Scenario s = random_scenario(0);
  s.run.target_se = 0.004;
  s.run.max_trials = 400000;
  const CcgTable t = small_table(12);
  const Results one = run_scenario(s, t, RunOptions{1, 512});
  const Results two = run_scenario(s, t, RunOptions{2, 97});
  CHECK(one.provenance.trials == two.provenance.trials);
  CHECK(one.before.p_red == two.before.p_red);
  CHECK(one.after.surplus_quantiles_k == two.after.surplus_quantiles_k);
  CHECK(one.provenance.trials % 10000 == 0);
  CHECK(one.provenance.trials < s.run.max_trials);
  for (std::size_t i = 0; i < one.before.p_red.size(); ++i) {
    CHECK(one.before.p_red_se[i] <= s.run.target_se);
    CHECK(wilson_se(one.before.p_red[i], one.provenance.trials) <= s.run.target_se);
  }
  // A cap below the need stops at the cap.
  s.run.target_se = 0.001;
  s.run.max_trials = 20000;
  CHECK(run_scenario(s, t, RunOptions{2, 512}).provenance.trials == 20000);
}

TEST_CASE("precision on demand: a cap reached first, and options it does not use, are said",
          "[precision][cli]") {
  ccgrisk::test::TempDir dir;
  ccgrisk::test::write_file(dir / "c.csv",
                            "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k\n"
                            "A1,One,Q1,Team,North,1000\nA2,Two,Q1,Team,North,2000\n");
  const auto scenario = ccgrisk::test::write_file(dir / "s.toml", "[data]\nccgs = \"c.csv\"\n");
  const std::string run = "run " + ccgrisk::test::quote(scenario.string()) + " -o " +
                          ccgrisk::test::quote((dir / "o.h5").string());
  // The cap stops it with the standard error above the target: a warning, not "reached".
  const auto capped = ccgrisk::test::run_cli(run + " --target-se 0.001 --max-trials 200");
  REQUIRE(capped.exit_code == 0);
  CHECK_THAT(capped.out, Catch::Contains("WARNING: precision on demand stopped at the cap of 200 "
                                         "trials (run.max_trials)"));
  CHECK_THAT(capped.out, !Catch::Contains("reached"));
  // No CCG is ever in the red (every sd 0): the standard errors are 0, but
  // the stopping rule's Wilson error of 0 in 200 trials is above the target,
  // so the cap stopped the run; the file records the rule's measure.
  const auto certain = ccgrisk::test::run_cli(
      run + " --target-se 0.001 --max-trials 200 --set drivers.sd_multiplier=0");
  REQUIRE(certain.exit_code == 0);
  const Results r = read_results_file(dir / "o.h5");
  CHECK(r.before.p_red_se == std::vector<double>{0.0, 0.0});
  CHECK(r.provenance.se_reached == Approx(wilson_se(0.0, 200)));
  CHECK(r.provenance.se_reached > 0.001);
  CHECK_THAT(certain.out, Catch::Contains("WARNING: precision on demand stopped at the cap"));
  // --max-trials without --target-se, --trials with it: warnings.
  const auto cap_only = ccgrisk::test::run_cli(run + " --trials 300 --max-trials 500 --quiet");
  CHECK(cap_only.exit_code == 0);
  CHECK_THAT(cap_only.err, Catch::Contains("warning: --max-trials caps precision on demand, which "
                                           "is off (no --target-se): the run takes run.trials = "
                                           "300"));
  const auto both = ccgrisk::test::run_cli(run + " --trials 300 --target-se 0.2 --quiet");
  CHECK(both.exit_code == 0);
  CHECK_THAT(both.err, Catch::Contains("warning: --trials is not used with precision on demand"));
}

TEST_CASE("Wilson standard error is positive at 0 and 1 and close to sqrt(p(1-p)/n) inside",
          "[precision]") {
  CHECK(wilson_se(0.0, 1000) > 0.0);
  CHECK(wilson_se(1.0, 1000) == Approx(wilson_se(0.0, 1000)));
  CHECK(wilson_se(0.3, 100000) == Approx(std::sqrt(0.3 * 0.7 / 100000)).epsilon(1e-3));
}

TEST_CASE("attribution sums stay exact when a part is too large to stage", "[attribution]") {
  // Parts of 2^47 pounds or more are not staged in 64 bits: the trial is
  // added in 128 bits. Both ways must give the plain 128-bit sums.
  Scenario s;
  const Model m = build_model(s, test::small_table(9));
  const StatsLayout layout = make_layout(m);
  TrialState state(m);
  Accumulator worker(layout), total(layout);
  std::vector<Wide> all(static_cast<std::size_t>(m.n) * kNumComponents, 0);
  std::vector<Wide> red(all.size(), 0);
  for (std::int64_t trial = 0; trial < 50; ++trial) {
    simulate_trial(m, 7, trial, state);
    if (trial % 7 == 3) state.components[trial % state.components.size()] = std::int64_t{1} << 61;
    if (trial % 11 == 5)
      state.components[(trial * 5) % state.components.size()] = -(std::int64_t{1} << 50);
    for (int c = 0; c < kNumComponents; ++c) {
      for (int i = 0; i < m.n; ++i) {
        const std::int64_t part = state.component(c)[i];
        all[static_cast<std::size_t>(i) * kNumComponents + c] += part;
        if (state.surplus[i] < 0) red[static_cast<std::size_t>(i) * kNumComponents + c] += part;
      }
    }
    worker.add(state);
  }
  total.merge(worker);
  CHECK(total.attribution().all == all);
  CHECK(total.attribution().red == red);
}
