// CIP delivery's two forms (docs/model.md "CIP delivery: two forms"). With a
// fixed concentration every CCG's delivery, trial by trial and through the
// very table the engine uses, never falls as the mean rises, so neither can
// any P(red); the mean-and-sd form fails the same checks. Bad input names
// its key; --set and the stress commands' mean moves keep the
// concentration; the results file records the form and its parameters.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "engine/run.hpp"
#include "engine/scenario_runs.hpp"
#include "input/ccg_table.hpp"
#include "input/overrides.hpp"
#include "input/text.hpp"
#include "model/inverse_beta.hpp"
#include "model/model.hpp"
#include "model/trial.hpp"
#include "output/hdf5.hpp"
#include "output/results_reader.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;
namespace fs = std::filesystem;

namespace {

const fs::path kBaseline = fs::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml";
const std::string kCipMean = "drivers.cip_delivery.mean";
// The baseline's concentration: an sd of 0.15 at its mean of 0.8.
constexpr double kBaselineConcentration = 0.8 * 0.2 / (0.15 * 0.15) - 1.0;

// The means 0.30, 0.31, ..., 0.97.
std::vector<double> mean_grid() {
  std::vector<double> means;
  for (int j = 30; j <= 97; ++j)
    means.push_back(j / 100.0);
  return means;
}

// z at which delivery is compared: every 1/256 over [-8, 8]; every node and
// midpoint of the tables' grids, the main one over [-8.5, 8.5] and the tail
// ones out to +-37; and beyond them (evaluated exactly). ccgrisk 0.1's table
// (philox4x64) evaluates Boost.Math in long double beyond +-8.5, slowly: for
// it, the tails every `tail_step` up to `tail_max` only.
std::vector<double> z_points(double tail_step = InverseBetaTable::kTailStep / 2,
                             double tail_max = InverseBetaTable::kTailZMax) {
  std::vector<double> z;
  for (int i = -8 * 256; i <= 8 * 256; ++i)
    z.push_back(i / 256.0);
  for (double v = -InverseBetaTable::kZMax; v <= InverseBetaTable::kZMax;
       v += InverseBetaTable::kStep / 2)
    z.push_back(v);
  for (double v = InverseBetaTable::kZMax; v <= tail_max; v += tail_step) {
    z.push_back(v);
    z.push_back(-v);
  }
  if (tail_max < InverseBetaTable::kTailZMax) return z;
  for (double v : {38.0, 40.0, 100.0, 1e3}) {
    z.push_back(v);
    z.push_back(-v);
  }
  return z;
}

// The baseline at each mean (and the other overrides), as the engine builds it.
std::vector<Model> baseline_models(const std::vector<double>& means, std::vector<Override> sets,
                                   const CcgTable& table) {
  std::vector<Model> models;
  for (double m : means) {
    std::vector<Override> all = sets;
    all.push_back({kCipMean, number_text(m)});
    models.push_back(build_model(load_scenario_with_overrides(kBaseline, all), table));
  }
  return models;
}

// Beyond |z| = kExactZ (a probability below 1e-72 a draw under the Gaussian
// copula; reached only through the Student-t scale) delivery is within 1e-7
// of 0 or 1, and the tables are accurate to their absolute tolerance there,
// not relatively: Boost.Math's inverse gives up and a bisection to 2^-64
// answers 2^-65 for any smaller quantile, and the tail grids interpolate
// within 1e-7. Neighbouring means can then differ by a few 1e-11 the wrong
// way (measured: at most 1.5e-11; GBP 0.0015 on a GBP 100m CIP plan, below
// the pound the outturns are settled in). Up to kExactZ, no fall at all.
constexpr double kExactZ = 18.0;
constexpr double kTailSlack = 1e-10;

// Where, over consecutive means, a model's delivery at some z is below the
// previous mean's: through the bulk transform (the CCGs' path in a trial) and
// one at a time (the hubs' path).
struct Falls {
  int count = 0;
  int within = 0;                          // at |z| <= kExactZ
  double z = 0.0, mean = 0.0, drop = 0.0;  // the largest drop
  double edge = 0.0;  // the largest distance from 0 or 1 of a delivery that falls
};

Falls delivery_falls(const std::vector<Model>& models, const std::vector<double>& z) {
  Falls falls;
  std::vector<double> previous(z.size()), current(z.size());
  models.front().cip_transform.transform(z.data(), previous.data(), z.size());
  for (std::size_t j = 1; j < models.size(); ++j) {
    const InverseBetaTable& table = models[j].cip_transform;
    table.transform(z.data(), current.data(), z.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
      const double one = table(z[i]);
      const double drop = previous[i] - std::min(current[i], one);
      if (!(drop > 0.0)) continue;
      ++falls.count;
      falls.within += std::abs(z[i]) <= kExactZ;
      falls.edge = std::max(falls.edge, std::min(previous[i], 1.0 - previous[i]));
      if (drop > falls.drop)
        falls = {falls.count, falls.within, z[i], models[j].cip_delivery.mean, drop, falls.edge};
    }
    std::swap(previous, current);
  }
  return falls;
}

}  // namespace

// ===================================================== the shipped baseline

TEST_CASE("cip delivery: the baseline uses the fixed-concentration form, sd 0.15 at 0.8",
          "[cip_delivery]") {
  const Scenario s = load_scenario(kBaseline);
  CHECK(s.cip_delivery.form == BetaForm::kConcentration);
  CHECK(s.cip_delivery.mean == 0.8);
  CHECK(s.cip_delivery.concentration == Approx(kBaselineConcentration).epsilon(1e-15));
  CHECK(cip_sd(s.cip_delivery, s.sd_multiplier) == Approx(0.15).epsilon(1e-14));
  CHECK(s.run.rng == BitGenerator::kPhilox4x32);
}

TEST_CASE("cip delivery: with a fixed concentration delivery never falls as the mean rises",
          "[cip_delivery][monotone]") {
  // The tables the engine builds for the baseline at means 0.30..0.97, for
  // both stream families (philox4x64 keeps ccgrisk 0.1's table kind) and
  // with drivers.sd_multiplier narrowing and widening the beta; at every z
  // of [-8, 8], of the tables' whole range and beyond.
  const auto [rng, multiplier] = GENERATE(table<std::string, std::string>({
      {"philox4x32", "1"},
      {"philox4x32", "0.5"},
      {"philox4x32", "2"},
      {"philox4x64", "1"},
  }));
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  const std::vector<Model> models = baseline_models(
      mean_grid(), {{"run.rng", '"' + rng + '"'}, {"drivers.sd_multiplier", multiplier}}, table);
  for (const Model& m : models) {
    REQUIRE(m.cip_delivery.form == BetaForm::kConcentration);
    // The multiplier keeps one concentration at every mean.
    REQUIRE(m.cip_delivery.concentration == models.front().cip_delivery.concentration);
  }
  const Falls falls =
      delivery_falls(models, rng == "philox4x64" ? z_points(0.25, kExactZ + 2) : z_points());
  INFO(rng << ", sd_multiplier " << multiplier << ": " << falls.count << " falls, " << falls.within
           << " at |z| <= " << kExactZ << "; the largest " << falls.drop << " at z = " << falls.z
           << " on the way to mean " << falls.mean);
  CHECK(falls.within == 0);
  CHECK(falls.drop <= kTailSlack);
  CHECK(falls.edge <= 1e-7);
}

TEST_CASE("cip delivery: trial by trial, every CCG's delivery and outturn rise with the mean",
          "[cip_delivery][monotone]") {
  // The engine's own trials, the same random numbers at every mean, under
  // both copulas (Student-t scales z into the tables' tails).
  const std::string copula = GENERATE("gaussian", "student_t");
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  const std::vector<double> means = mean_grid();
  const std::vector<Model> models =
      baseline_models(means, {{"run.copula", '"' + copula + '"'}, {"run.dof", "3"}}, table);
  const std::size_t n = static_cast<std::size_t>(models.front().n);
  TrialState lo(models.front()), hi(models.front());
  std::int64_t rose = 0, tail_falls = 0, wrong = 0;  // wrong: a fall not allowed above
  for (std::int64_t t = 0; t < 300; ++t) {
    simulate_trial(models.front(), 20130401, t, lo);
    for (std::size_t j = 1; j < models.size(); ++j) {
      simulate_trial(models[j], 20130401, t, hi);
      for (std::size_t i = 0; i < n; ++i) {
        if (hi.delivery[i] < lo.delivery[i]) {  // only where delivery is within 1e-7 of 0 or 1
          ++tail_falls;
          const double z = hi.z[kCipDelivery * n + i];
          wrong += std::abs(z) <= kExactZ || lo.delivery[i] - hi.delivery[i] > kTailSlack;
        }
        wrong += hi.surplus[i] < lo.surplus[i];  // whole pounds: no exception
        // A full pool splits its total by largest remainder: a member can get
        // a pound less when the total rises (docs/stress-testing.md).
        wrong += hi.pooled[i] < lo.pooled[i] - 1;
        rose += hi.delivery[i] > lo.delivery[i];
      }
      for (std::size_t h = 0; h < hi.hub_overspend.size(); ++h)
        wrong += hi.hub_overspend[h] > lo.hub_overspend[h];
      if (wrong > 0)
        FAIL(copula << " trial " << t << ", mean " << means[j - 1] << " -> " << means[j]);
      std::swap(lo, hi);
    }
  }
  INFO(copula << ": " << tail_falls << " falls beyond |z| = " << kExactZ);
  if (copula == "gaussian") CHECK(tail_falls == 0);
  CHECK(rose > 300 * 67 * 200);  // nearly every step moves nearly every CCG
}

TEST_CASE("cip delivery: P(red) and the count in the red never rise with the mean (baseline)",
          "[cip_delivery][monotone]") {
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  const std::vector<double> means = {0.3, 0.45, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97};
  std::vector<Results> runs;
  for (double m : means) {
    Scenario s = load_scenario_with_overrides(kBaseline, {{kCipMean, number_text(m)}});
    s.run.trials = 2000;
    runs.push_back(run_scenario(s, table, RunOptions{0, 256}));
  }
  for (std::size_t j = 1; j < runs.size(); ++j) {
    const Results &a = runs[j - 1], &b = runs[j];
    INFO("mean " << means[j - 1] << " -> " << means[j]);
    CHECK(b.national.expected_red <= a.national.expected_red);
    CHECK(b.national.expected_red_pooled <= a.national.expected_red_pooled);
    for (std::size_t i = 0; i < b.code.size(); ++i) {
      INFO("CCG " << b.code[i]);
      REQUIRE(b.before.p_red[i] <= a.before.p_red[i]);
      REQUIRE(b.after.p_red[i] <= a.after.p_red[i]);
    }
    for (std::size_t h = 0; h < b.hubs.size(); ++h)
      REQUIRE(b.hubs[h].p_overspend <= a.hubs[h].p_overspend);
  }
  CHECK(runs.back().national.expected_red < runs.front().national.expected_red - 10);
}

// ================================================= the mean-and-sd form fails

TEST_CASE("cip delivery: with the sd held, a higher mean lowers the worst deliveries",
          "[cip_delivery][monotone]") {
  // The example: at z = -3 (the 0.13% quantile) the mean-and-sd
  // form delivers 0.237 at mean 0.8 and 0.165 at mean 0.9; the
  // fixed-concentration form, identical at 0.8, delivers 0.356 at 0.9.
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  const auto old_form = [&](double mean) {
    Scenario s = load_scenario(kBaseline);
    s.cip_delivery = BetaDriver{mean, 0.15};
    return build_model(s, table);
  };
  const std::vector<Model> fixed = baseline_models({0.8, 0.9}, {}, table);
  CHECK(old_form(0.8).cip_transform(-3.0) == Approx(0.237442).margin(1e-6));
  CHECK(old_form(0.9).cip_transform(-3.0) == Approx(0.164836).margin(1e-6));
  CHECK(fixed[0].cip_transform(-3.0) == Approx(0.237442).margin(1e-6));
  CHECK(fixed[1].cip_transform(-3.0) == Approx(0.355874).margin(1e-6));
  // The grid check above, on the mean-and-sd form: it finds the falls.
  std::vector<Model> models;
  for (double m : mean_grid())
    models.push_back(old_form(m));
  const Falls falls = delivery_falls(models, z_points());
  INFO("largest fall " << falls.drop << " at z = " << falls.z << " to mean " << falls.mean);
  CHECK(falls.count > 1000);
  CHECK(falls.drop > 0.1);  // 0.12 at z = -2.18, mean 0.96 -> 0.97
}

TEST_CASE("cip delivery: with the sd held, raising the mean can raise a CCG's P(red)",
          "[cip_delivery][monotone]") {
  // Mean 0.9 -> 0.97 at sd 0.15: the beta's a + b falls from 2.7 to 0.29, a
  // U shape with much of its weight near 0. The expected count in the red
  // still falls (18.0 to 15.0), but CCGs whose risk is in the tail of
  // delivery (measured: 60 of 211, by up to 0.0085) become more likely to end
  // in the red; the fixed-concentration form's test above finds none.
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  std::vector<Results> runs;
  for (const double mean : {0.9, 0.97}) {
    Scenario s = load_scenario(kBaseline);
    s.cip_delivery = BetaDriver{mean, 0.15};
    s.run.trials = 2000;
    runs.push_back(run_scenario(s, table, RunOptions{0, 256}));
  }
  int rising = 0;
  for (std::size_t i = 0; i < runs[0].code.size(); ++i)
    rising += runs[1].before.p_red[i] > runs[0].before.p_red[i];
  INFO("expected red at 0.9: " << runs[0].national.expected_red
                               << ", at 0.97: " << runs[1].national.expected_red);
  CHECK(rising > 20);
}

// ======================================================== sd_multiplier

TEST_CASE("cip delivery: sd_multiplier scales the sd at every mean, keeping the concentration",
          "[cip_delivery]") {
  BetaDriver b{0.8, 0.15, BetaForm::kConcentration, kBaselineConcentration};
  CHECK(cip_concentration(b, 1.0) == b.concentration);
  CHECK(cip_sd(b, 1.0) == Approx(0.15).epsilon(1e-14));
  for (const double k : {0.25, 0.5, 2.0, 2.5}) {
    for (const double mean : {0.3, 0.8, 0.95}) {
      b.mean = mean;
      const double sd_1 = std::sqrt(mean * (1 - mean) / (kBaselineConcentration + 1));
      INFO("k " << k << " mean " << mean);
      CHECK(cip_sd(b, k) == Approx(k * sd_1).epsilon(1e-12));
      CHECK(cip_concentration(b, k) ==
            Approx((kBaselineConcentration + 1) / (k * k) - 1).epsilon(1e-14));
    }
  }
  CHECK(cip_concentration(b, 0.0) == 0.0);  // a fixed delivery
  CHECK(cip_sd(b, 0.0) == 0.0);
  // The mean-and-sd form: the sd times k, as before.
  const BetaDriver old{0.8, 0.15};
  CHECK(cip_sd(old, 2.0) == 0.3);
  CHECK(cip_concentration(old, 1.0) == Approx(kBaselineConcentration).epsilon(1e-14));
}

TEST_CASE("cip delivery: sd_multiplier 0 makes delivery its mean in both forms", "[cip_delivery]") {
  const CcgTable table = read_ccg_table(load_scenario(kBaseline).ccgs);
  const Model m =
      build_model(load_scenario_with_overrides(kBaseline, {{"drivers.sd_multiplier", "0"}}), table);
  CHECK(m.cip_transform(-5.0) == 0.8);
  CHECK(m.cip_transform(5.0) == 0.8);
  CHECK(m.cip_delivery.concentration == 0.0);
  CHECK(m.cip_delivery.sd == 0.0);
}

// ======================================================== bad input

TEST_CASE("cip delivery: sd and concentration together are refused, naming both keys",
          "[cip_delivery][errors][cli]") {
  cli::Case c;
  cli::replace_once(c.scenario, "sd = 0.15\n", "sd = 0.15\nconcentration = 6\n");
  cli::check_rejected(c, c.run(),
                      {cli::kScenarioName, "drivers.cip_delivery.sd",
                       "drivers.cip_delivery.concentration", "not both"});
  // Also when --set adds the second key to a scenario with the first.
  cli::Case d;
  cli::check_rejected(d, d.run("--quiet --set drivers.cip_delivery.concentration=6"),
                      {"drivers.cip_delivery.sd", "drivers.cip_delivery.concentration",
                       "--set drivers.cip_delivery.concentration=6"});
}

TEST_CASE("cip delivery: a concentration not above 0 or above 1e9 is refused with its key",
          "[cip_delivery][errors][cli]") {
  const std::string value = GENERATE("0", "-1", "2e9", "1e300", "inf", "\"6\"");
  cli::Case c;
  cli::replace_once(c.scenario, "sd = 0.15\n", "concentration = " + value + "\n");
  const std::string message =
      cli::check_rejected(c, c.run(), {cli::kScenarioName, "drivers.cip_delivery.concentration"});
  if (value != "\"6\"" && value != "inf")
    CHECK_THAT(message, Catch::Contains("must be in (0, 1e+09]"));
}

TEST_CASE("cip delivery: an sd_multiplier wider than any beta, or too narrow, names the keys",
          "[cip_delivery][errors][cli]") {
  // Concentration 3: the multiplier must be below sqrt(4) = 2, and 0 or at
  // least sqrt(4 / (1e9 + 1)).
  const auto [multiplier, message] = GENERATE(table<std::string, std::string>({
      {"2", "must be < sqrt(concentration + 1) = 2"},
      {"50", "must be < sqrt(concentration + 1) = 2"},
      {"1e-06", "must be 0 (a fixed delivery) or at least 6.32456e-05"},
  }));
  cli::Case c;
  cli::replace_once(c.scenario, "sd = 0.15\n", "concentration = 3\n");
  cli::check_rejected(
      c, c.run("--quiet --set drivers.sd_multiplier=" + multiplier),
      {"drivers.sd_multiplier = " + multiplier, "drivers.cip_delivery.concentration 3", message});
}

TEST_CASE("cip delivery: the largest allowed concentration and a tiny one both run",
          "[cip_delivery][bounds]") {
  const std::string value = GENERATE("1e9", "1e-300");
  const std::string mean = GENERATE("0.001", "0.5", "0.999");
  cli::Case c;
  cli::replace_once(c.scenario, "mean = 0.80\nsd = 0.15\n",
                    "mean = " + mean + "\nconcentration = " + value + "\n");
  const CliResult r = c.run();
  INFO(r.err);
  CHECK(r.exit_code == cli::kExitOk);
}

// ============================================ --set, sweep and breakeven

TEST_CASE("cip delivery: --set concentration switches a scenario to the new form",
          "[cip_delivery][overrides]") {
  StressFixture fx("[drivers.cip_delivery]\nmean = 0.7\n");
  const Scenario s = fx.runs({{"drivers.cip_delivery.concentration", "12.5"}}).base();
  CHECK(s.cip_delivery.form == BetaForm::kConcentration);
  CHECK(s.cip_delivery.concentration == 12.5);
  CHECK(s.cip_delivery.mean == 0.7);
  // A scenario without the section gets ccgrisk 0.1's default (sd 0.15).
  const Scenario plain = StressFixture().runs().base();
  CHECK(plain.cip_delivery.form == BetaForm::kMeanSd);
  CHECK(plain.cip_delivery.sd == 0.15);
}

TEST_CASE("cip delivery: moving the mean (sweep, breakeven) keeps the concentration",
          "[cip_delivery][overrides]") {
  StressFixture fx("[drivers.cip_delivery]\nmean = 0.7\nconcentration = 9\n");
  const ScenarioRuns runs = fx.runs();
  for (const double m : {0.3, 0.95}) {
    const Scenario s = runs.with(kCipMean, m);
    CHECK(s.cip_delivery.form == BetaForm::kConcentration);
    CHECK(s.cip_delivery.concentration == 9.0);
    CHECK(s.cip_delivery.mean == m);
  }
}

TEST_CASE("cip delivery: a sweep of the mean in the new form never raises P(red)",
          "[cip_delivery][cli][monotone]") {
  // Means up to 0.97, where the mean-and-sd form at sd 0.15 turns U-shaped.
  StressFixture fx("[drivers.cip_delivery]\nmean = 0.8\nconcentration = 6.111111111111111\n");
  const fs::path out = fx.dir / "sweep.h5";
  const CliResult r =
      run_cli("sweep " + quote(fx.scenario.string()) + " -o " + quote(out.string()) + " --param " +
              kCipMean + " --from 0.37 --to 0.97 --steps 11 --trials 2000 --quiet");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const h5::File f = h5::File::open(out);
  const std::vector<double> expected = h5::read_dataset<double>(f, "sweep/expected_red").values;
  REQUIRE(expected.size() == 11);
  for (std::size_t j = 1; j < expected.size(); ++j)
    CHECK(expected[j] <= expected[j - 1]);
  CHECK(expected.back() < expected.front());
}

// ============================================================ results file

TEST_CASE("cip delivery: the results file records the form and the beta used",
          "[cip_delivery][results]") {
  const auto [section, form, concentration] = GENERATE(table<std::string, std::string, double>({
      {"mean = 0.80\nsd = 0.15\n", "mean_sd", kBaselineConcentration},
      {"mean = 0.80\nconcentration = 6.111111111111111\n", "concentration", kBaselineConcentration},
  }));
  cli::Case c;
  cli::replace_once(c.scenario, "mean = 0.80\nsd = 0.15\n", section);
  const CliResult r = c.run();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  {
    const h5::File f = h5::File::open(c.out_path());
    CHECK(h5::read_string_attribute(f, "cip_delivery_form") == form);
    CHECK(h5::read_attribute<double>(f, "cip_delivery_mean").front() == 0.8);
    CHECK(h5::read_attribute<double>(f, "cip_delivery_sd").front() == Approx(0.15).epsilon(1e-14));
    CHECK(h5::read_attribute<double>(f, "cip_delivery_concentration").front() ==
          Approx(concentration).epsilon(1e-14));
    const std::vector<double> shape = h5::read_attribute<double>(f, "cip_delivery_shape");
    REQUIRE(shape.size() == 2);
    CHECK(shape[0] == Approx(0.8 * concentration).epsilon(1e-14));
    CHECK(shape[1] == Approx(0.2 * concentration).epsilon(1e-13));
  }
  const Results back = read_results_file(c.out_path());
  CHECK(back.provenance.cip_delivery_form == form);
  CHECK(back.provenance.cip_delivery_mean == 0.8);
  CHECK(back.provenance.cip_delivery_concentration == Approx(concentration).epsilon(1e-14));
}
