// ccgrisk sweep: common random numbers make P(red) move monotonically with
// CIP delivery, every point equals a separate run, the file holds /sweep,
// and bad parameters are input errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/run.hpp"
#include "engine/sweep.hpp"
#include "input/error.hpp"
#include "input/text.hpp"
#include "model/inverse_beta.hpp"
#include "model/trial.hpp"
#include "output/hdf5.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;

namespace {

const std::string kCipMean = "drivers.cip_delivery.mean";

// Whether d(z) = F^-1_Beta(Phi(z)) is non-decreasing in the mean, at fixed
// sd, for every z of a fine grid over the table's range and each pair of
// consecutive means: the condition under which a higher mean can only
// raise every CCG's delivery, trial by trial.
bool quantiles_rise_with_mean(const std::vector<double>& means, double sd) {
  std::vector<InverseBetaTable> tables;
  for (double m : means)
    tables.emplace_back(m, sd);
  for (std::size_t j = 0; j + 1 < means.size(); ++j)
    for (double z = -InverseBetaTable::kZMax; z <= InverseBetaTable::kZMax; z += 1.0 / 64)
      if (tables[j + 1](z) < tables[j](z)) return false;
  return true;
}

}  // namespace

TEST_CASE("P(red) never rises with CIP delivery mean, at every step, for every CCG", "[sweep]") {
  // At sd 0.1 the beta quantiles rise with the mean over 0.5..0.7 at every z
  // (checked first); pressure falls as delivery rises and settlement is
  // monotone, so with common random numbers no trial can turn red.
  StressFixture fx("[drivers.cip_delivery]\nsd = 0.1\n");
  ScenarioRuns runs = fx.runs();
  const SweepResult s = run_sweep(runs, {kCipMean, 0.5, 0.7, 5});
  REQUIRE(quantiles_rise_with_mean(s.values, 0.1));
  const int n = s.n;
  int falls = 0;
  for (std::size_t j = 0; j + 1 < s.values.size(); ++j) {
    for (int i = 0; i < n; ++i) {
      INFO("step " << j << " CCG " << i);
      CHECK(s.p_red[(j + 1) * n + i] <= s.p_red[j * n + i]);
      CHECK(s.p_red_pooled[(j + 1) * n + i] <= s.p_red_pooled[j * n + i]);
      falls += s.p_red[(j + 1) * n + i] < s.p_red[j * n + i];
    }
    CHECK(s.expected_red[j + 1] <= s.expected_red[j]);
  }
  CHECK(falls > n);  // the curves do move
}

TEST_CASE("trial by trial, a higher CIP delivery mean never turns a CCG red", "[sweep]") {
  StressFixture fx("[drivers.cip_delivery]\nsd = 0.1\n");
  ScenarioRuns runs = fx.runs();
  const std::vector<double> means = {0.5, 0.6, 0.7};
  REQUIRE(quantiles_rise_with_mean(means, 0.1));
  std::vector<Model> models;
  for (double m : means)
    models.push_back(build_model(runs.with(kCipMean, m), runs.table()));
  TrialState lo(models[0]), hi(models[0]);
  int turned_green = 0;
  for (std::int64_t t = 0; t < 2000; ++t) {
    for (std::size_t j = 0; j + 1 < models.size(); ++j) {
      simulate_trial(models[j], 11, t, lo);
      simulate_trial(models[j + 1], 11, t, hi);
      for (int i = 0; i < models[j].n; ++i) {
        INFO("trial " << t << " CCG " << i << " mean " << means[j]);
        REQUIRE(hi.surplus[i] >= lo.surplus[i]);
        REQUIRE(hi.pooled[i] >= lo.pooled[i]);
        turned_green += lo.surplus[i] < 0 && hi.surplus[i] >= 0;
      }
    }
  }
  CHECK(turned_green > 0);
}

TEST_CASE("at sd 0.15 the beta's worst outcomes get worse as its mean rises", "[sweep]") {
  // Why the monotonicity tests use sd 0.1 over 0.5..0.7: with the sd held,
  // a higher mean squeezes the beta against 1, and its long left tail grows.
  // At sd 0.15 the 0.13% quantile (z = -3) falls from 0.24 at mean 0.8 to
  // 0.16 at mean 0.9, so in a trial with a very poor delivery draw a better
  // average delivery plan can still push a CCG into the red.
  const InverseBetaTable m80(0.8, 0.15), m90(0.9, 0.15);
  CHECK(m80(-3.0) == Approx(0.237).margin(0.002));
  CHECK(m90(-3.0) == Approx(0.165).margin(0.002));
  CHECK(m90(0.0) > m80(0.0));
  CHECK(!quantiles_rise_with_mean({0.80, 0.85}, 0.15));
}

TEST_CASE("every sweep point is the run of that value, bit for bit", "[sweep]") {
  StressFixture fx;
  ScenarioRuns runs = fx.runs();
  const SweepResult s = run_sweep(runs, {"shift.region.North", -0.5, 0.5, 3});
  REQUIRE(s.values == std::vector<double>{-0.5, 0.0, 0.5});
  const Scenario at = load_scenario_with_overrides(fx.scenario, {{"shift.region.North", "0.5"}});
  const Results r = run_scenario(at, read_ccg_table(at.ccgs), RunOptions{1, 1000});
  const int n = s.n;
  for (int i = 0; i < n; ++i) {
    CHECK(s.p_red[2 * n + i] == r.before.p_red[i]);
    CHECK(s.p_red_pooled[2 * n + i] == r.after.p_red[i]);
  }
  CHECK(s.expected_red[2] == r.national.expected_red);
  CHECK(s.count_red_q95[2] == r.national.count_red_q05_q50_q95[2]);
  REQUIRE(s.region_name == std::vector<std::string>{"North", "South"});
  CHECK(s.region_expected_red[2 * 2 + 0] == r.regions[0].expected_red);
  // The shift hits the North only.
  CHECK(s.region_expected_red[2 * 2 + 0] > s.region_expected_red[0 * 2 + 0]);
  CHECK(s.region_expected_red[2 * 2 + 1] == s.region_expected_red[0 * 2 + 1]);
}

TEST_CASE("sweep values are tidy and include both ends", "[sweep]") {
  CHECK(sweep_values(0.5, 0.95, 10)[7] == 0.85);
  CHECK(sweep_values(1.0, 0.0, 3) == std::vector<double>{1.0, 0.5, 0.0});
}

TEST_CASE("ccgrisk sweep writes the base results and /sweep", "[sweep][cli]") {
  StressFixture fx;
  const auto out = fx.dir / "sweep.h5";
  const CliResult r = run_cli("sweep " + quote(fx.scenario.string()) + " --param " + kCipMean +
                              " --from 0.6 --to 0.9 --steps 4 --trials 2000 -o " +
                              quote(out.string()) + " --quiet --threads 2");
  REQUIRE(r.exit_code == 0);
  const h5::File f = h5::File::open(out);
  CHECK(h5::read_dataset<double>(f, "ccg/p_red").values.size() == 12);
  CHECK(h5::read_string_attribute(f.open_group("sweep"), "param") == kCipMean);
  CHECK(h5::read_dataset<double>(f, "sweep/values").values ==
        std::vector<double>{0.6, 0.7, 0.8, 0.9});
  CHECK(h5::read_dataset<double>(f, "sweep/p_red").dims == h5::Dims{4, 12});
  CHECK(h5::read_dataset<double>(f, "sweep/region_expected_red_pooled").dims == h5::Dims{4, 2});
  check_documented(f, "sweep");
}

TEST_CASE("ccgrisk sweep with run.target_se says how many trials the runs took", "[sweep][cli]") {
  StressFixture fx;
  const auto out = fx.dir / "sweep.h5";
  // A loose target: each pass stops after its first round, not at --trials.
  const CliResult r = run_cli("sweep " + quote(fx.scenario.string()) + " --param " + kCipMean +
                              " --from 0.6 --to 0.9 --steps 4 --trials 2000 --set run.target_se=0.5"
                              " -o " +
                              quote(out.string()) + " --threads 2");
  INFO("stdout: " << r.out << "stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto trials = h5::read_attribute<std::int64_t>(h5::File::open(out), "trials").front();
  CHECK(trials != 2000);
  CHECK_THAT(r.out, Catch::Contains("; " + with_commas(trials) + " trials each, seed"));
}

TEST_CASE("ccgrisk sweep: bad parameters are input errors, with no output", "[sweep][cli]") {
  StressFixture fx;
  const auto fails = [&fx](const std::string& args, const std::string& message) {
    fx.input_error("sweep", args, message);
  };
  fails("--param drivers.cip_delivery.meen --from 0.5 --to 0.9 --steps 3",
        "unknown key 'drivers.cip_delivery.meen'");
  fails("--param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 1",
        "--steps: '1' is not a whole number from 2 to 1000");
  fails("--param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 2000000000",
        "--steps: '2000000000' is not a whole number from 2 to 1000");
  fails("--param drivers.cip_delivery.mean --from 0.7 --to 0.7 --steps 3", "--from and --to");
  fails("--param drivers.cip_delivery.mean --from 0.5 --to 1.5 --steps 3",
        "drivers.cip_delivery.mean = 1: must be in [0.001, 0.999] (set on the command line by "
        "--param");
  fails("--param run.seed --from 1 --to 5 --steps 3", "same random numbers");
  fails("--param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 3 --set x.y=1", "unknown");
}
