// Parameter uncertainty ([uncertainty], two-dimensional Monte Carlo): the
// outer samples' distributions and Sobol points, the summaries' closed
// forms, every sample equal to a single run at its values, identity across
// thread counts, the /uncertainty group, and bad input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "engine/run.hpp"
#include "engine/uncertainty.hpp"
#include "input/error.hpp"
#include "input/text.hpp"
#include "output/hdf5.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;

namespace {

UncertainParameter uniform(const std::string& key, double min, double max) {
  UncertainParameter p;
  p.key = key;
  p.distribution = Distribution::kUniform;
  p.min = min;
  p.max = max;
  return p;
}

// Two uncertain keys for the stress fixture's scenario.
const std::string kBlock =
    "[uncertainty]\nsamples = 6\n"
    "[[uncertainty.parameter]]\nkey = \"drivers.cip_delivery.mean\"\ndistribution = \"beta\"\n"
    "mean = 0.8\nsd = 0.05\nmin = 0.6\nmax = 0.95\nsource = \"a test\"\n"
    "[[uncertainty.parameter]]\nkey = \"shift.region.North\"\ndistribution = \"triangular\"\n"
    "min = -0.5\nmode = 0.0\nmax = 1.0\n";

}  // namespace

TEST_CASE("uncertainty: each distribution's quantiles, by closed form", "[uncertainty]") {
  const double z1 = boost::math::cdf(boost::math::normal(), 1.0);
  UncertainParameter n;
  n.distribution = Distribution::kNormal;
  n.mean = 0.05;
  n.sd = 0.01;
  CHECK(parameter_quantile(n, z1) == Approx(0.06).epsilon(1e-12));
  UncertainParameter l;
  l.distribution = Distribution::kLognormal;
  l.median = 2.0;
  l.sigma = 0.5;
  CHECK(parameter_quantile(l, 0.5) == Approx(2.0).epsilon(1e-12));
  CHECK(parameter_quantile(l, z1) == Approx(2.0 * std::exp(0.5)).epsilon(1e-12));
  CHECK(parameter_quantile(uniform("k", 1.0, 3.0), 0.25) == 1.5);
  UncertainParameter t;
  t.distribution = Distribution::kTriangular;
  t.min = 0.0, t.mode = 1.0, t.max = 4.0;
  CHECK(parameter_quantile(t, 0.25) == Approx(1.0).epsilon(1e-12));  // F(mode) = 1/4
  // The beta on [min, max] has the mean and sd given: the mean and sd of its
  // quantiles over a fine midpoint grid.
  UncertainParameter b;
  b.distribution = Distribution::kBeta;
  b.mean = 0.8, b.sd = 0.06, b.min = 0.5, b.max = 0.97;
  double sum = 0.0, sq = 0.0;
  const int m = 20000;
  for (int k = 0; k < m; ++k) {
    const double x = parameter_quantile(b, (k + 0.5) / m);
    CHECK(x > 0.5);
    CHECK(x < 0.97);
    sum += x, sq += x * x;
  }
  CHECK(sum / m == Approx(0.8).epsilon(1e-4));
  CHECK(std::sqrt(sq / m - (sum / m) * (sum / m)) == Approx(0.06).epsilon(2e-3));
}

TEST_CASE("uncertainty: outer samples are Sobol points, or seeded uniform draws", "[uncertainty]") {
  UncertaintySpec spec;
  spec.samples = 4;
  spec.sampler = OuterSampler::kSobol;
  spec.parameters = {uniform("a", 0.0, 1.0), uniform("b", 0.0, 1.0)};
  const auto s = outer_samples(spec);
  // Sobol's two-dimensional sequence (after its zero): (1/2, 1/2),
  // (3/4, 1/4), (1/4, 3/4), (3/8, 3/8); each point centred in its 2^-53 cell.
  const double expected[4][2] = {{0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j)
      CHECK(s[i][j] == Approx(expected[i][j]).margin(1e-15));
  spec.sampler = OuterSampler::kRandom;
  const auto r1 = outer_samples(spec);
  CHECK(r1 == outer_samples(spec));  // reproducible
  spec.seed = 2;
  CHECK(r1 != outer_samples(spec));
  for (const auto& row : r1)
    for (double x : row)
      CHECK((x > 0.0 && x < 1.0));
}

TEST_CASE("uncertainty: a Latin hypercube has one sample in each stratum of every coordinate",
          "[uncertainty]") {
  UncertaintySpec spec;  // the default sampler
  spec.samples = 50;
  spec.parameters = {uniform("a", 0.0, 1.0), uniform("b", 10.0, 20.0), uniform("c", -1.0, 0.0)};
  REQUIRE(spec.sampler == OuterSampler::kLatinHypercube);
  const auto s = outer_samples(spec);
  for (std::size_t j = 0; j < 3; ++j) {
    const double lo = spec.parameters[j].min, width = spec.parameters[j].max - lo;
    std::vector<int> in_stratum(50, 0);
    for (const auto& row : s) {
      const double u = (row[j] - lo) / width;
      REQUIRE((u > 0.0 && u < 1.0));
      ++in_stratum[static_cast<std::size_t>(u * 50)];
    }
    CHECK(in_stratum == std::vector<int>(50, 1));
  }
  // The coordinates are paired differently: not the same order.
  CHECK(s[0][0] * 50 != Approx((s[0][1] - 10.0) * 5));
  CHECK(outer_samples(spec) == s);  // reproducible
  spec.seed = 7;
  CHECK(outer_samples(spec) != s);
}

TEST_CASE("uncertainty: the Latin hypercube's keys are paired with rank correlations near 0",
          "[uncertainty]") {
  // 64 samples of 11 keys: shuffled strata alone correlate a pair by 0.10
  // on average (the largest of the 55 pairs above 0.22 in 99% of
  // shuffles); the restricted pairing leaves 0.03 on average and the
  // largest below 0.13 in 99% (simulated, 300 shuffles).
  UncertaintySpec spec;
  spec.samples = 64;
  for (int j = 0; j < 11; ++j)
    spec.parameters.push_back(uniform(std::to_string(j).insert(0, 1, 'k'), 0.0, 1.0));
  for (std::uint64_t seed : {1, 2, 3}) {
    spec.seed = seed;
    const auto s = outer_samples(spec);
    double largest = 0.0, mean = 0.0;
    std::vector<double> a(64), b(64);
    for (int i = 0; i < 11; ++i)
      for (int j = i + 1; j < 11; ++j) {
        for (int r = 0; r < 64; ++r)
          a[r] = s[r][i], b[r] = s[r][j];
        const double c = std::abs(rank_correlation(a, b));
        largest = std::max(largest, c);
        mean += c / 55;
      }
    CAPTURE(seed);
    CHECK(mean < 0.05);
    CHECK(largest < 0.2);
  }
  // With no more samples than keys there is nothing to re-pair: still one
  // sample in each stratum.
  spec.samples = 5;
  const auto few = outer_samples(spec);
  for (int j = 0; j < 11; ++j) {
    std::vector<int> in_stratum(5, 0);
    for (const auto& row : few)
      ++in_stratum[static_cast<std::size_t>(row[j] * 5)];
    CHECK(in_stratum == std::vector<int>(5, 1));
  }
}

TEST_CASE("uncertainty: the first-order index of a key without effect is 0 on average",
          "[uncertainty]") {
  // 64 samples of 11 keys; the count depends on keys 0 and 2 only. Keys
  // without effect average about 1 / bins = 0.12 without the correction.
  const auto index_of = [](OuterSampler sampler, std::uint64_t seed) {
    UncertaintySpec spec;
    spec.samples = 64;
    spec.sampler = sampler;
    spec.seed = seed;
    for (int j = 0; j < 11; ++j)
      spec.parameters.push_back(uniform(std::to_string(j).insert(0, 1, 'k'), 0.0, 1.0));
    const auto s = outer_samples(spec);
    std::vector<double> y, x(64);
    for (const auto& row : s)
      y.push_back(std::exp(2.0 * row[2] + 0.7 * row[0]));
    std::vector<double> index;
    for (int j = 0; j < 11; ++j) {
      for (int k = 0; k < 64; ++k)
        x[k] = s[k][j];
      index.push_back(first_order_index(x, y));
    }
    return index;
  };
  std::vector<double> mean(11, 0.0);
  const int seeds = 100;
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto index = index_of(OuterSampler::kLatinHypercube, seed);
    for (int j = 0; j < 11; ++j)
      mean[j] += index[j] / seeds;
  }
  CHECK(mean[2] > 0.6);
  for (int j : {1, 3, 4, 5, 6, 7, 8, 9, 10})
    CHECK(mean[j] < 0.05);  // clamped at 0: a little above 0
  // Why Sobol points are not used for it: with 64 of them, each eighth of
  // the 9th coordinate holds the 3rd from one half only, so the 9th takes
  // on the 3rd's effect.
  CHECK(index_of(OuterSampler::kSobol, 1)[8] > 0.2);
}

TEST_CASE("uncertainty: quantiles, rank correlation and first-order index", "[uncertainty]") {
  CHECK(sample_quantile({3.0, 1.0, 2.0, 4.0, 5.0}, 0.5) == 3.0);
  CHECK(sample_quantile({1.0, 2.0}, 0.25) == 1.25);
  const std::vector<double> x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::vector<double> cube, falling, noise;
  for (double v : x) {
    cube.push_back(v * v * v);
    falling.push_back(-v);
    noise.push_back(std::fmod(v * 7.0, 5.0));  // unrelated to x's order
  }
  CHECK(rank_correlation(x, cube) == Approx(1.0));
  CHECK(rank_correlation(x, falling) == Approx(-1.0));
  CHECK(rank_correlation({1, 1, 2, 2}, {1, 1, 2, 2}) == Approx(1.0));  // ties
  CHECK(first_order_index(x, x) > 0.9);
  CHECK(first_order_index(x, noise) < 0.3);
  CHECK(first_order_index(x, std::vector<double>(16, 2.0)) == 0.0);
}

TEST_CASE("uncertainty: every outer sample is the single run at its values, at any thread count",
          "[uncertainty]") {
  StressFixture fx(kBlock, 2000);
  ScenarioRuns runs = fx.runs();
  const UncertaintySpec& spec = runs.base().uncertainty;
  REQUIRE(spec.active());
  Results base;
  const UncertaintyResult u = run_uncertainty(runs, spec, base);
  REQUIRE(u.samples == 6);
  REQUIRE(u.values.size() == 12);
  const int n = u.n;
  for (int s : {0, 5}) {
    const Scenario at = runs.with({{"drivers.cip_delivery.mean", number_text(u.values[2 * s])},
                                   {"shift.region.North", number_text(u.values[2 * s + 1])}});
    const Results single = run_scenario(at, runs.table(), RunOptions{1, 1000});
    for (int i = 0; i < n; ++i) {
      CHECK(u.p_red[s * n + i] == single.before.p_red[i]);
      CHECK(u.p_red_pooled[s * n + i] == single.after.p_red[i]);
    }
    CHECK(u.expected_red[s] == single.national.expected_red);
  }
  // The scenario as given: complete, as a single run.
  const Results given = run_scenario(runs.base(), runs.table(), RunOptions{1, 1000});
  CHECK(base.before.surplus_quantiles_k == given.before.surplus_quantiles_k);
  // Lower delivery raises the count: delivery's rank correlation is negative.
  CHECK(u.rank_correlation[0] < 0.0);
  CHECK((u.epistemic_share >= 0.0 && u.epistemic_share <= 1.0));
  for (int i = 0; i < n; ++i)
    CHECK((u.p_red_q05[i] <= u.p_red_q50[i] && u.p_red_q50[i] <= u.p_red_q95[i]));

  ScenarioRuns other(fx.scenario, {}, RunOptions{2, 77});
  Results base2;
  const UncertaintyResult v = run_uncertainty(other, spec, base2);
  CHECK(v.p_red == u.p_red);
  CHECK(v.expected_red == u.expected_red);
  CHECK(v.rank_correlation == u.rank_correlation);
  CHECK(v.epistemic_share == u.epistemic_share);
}

TEST_CASE("ccgrisk run with an uncertainty block writes /uncertainty and prints the intervals",
          "[uncertainty][cli]") {
  StressFixture fx(kBlock, 1000);
  const auto out = fx.dir / "u.h5";
  const CliResult r = run_cli("run " + quote(fx.scenario.string()) + " -o " + quote(out.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Parameter uncertainty: 6 outer samples (lhs)"));
  // The header's time and rate are those of all 7 runs (the scenario and 6 samples).
  CHECK_THAT(r.out, Catch::Contains(" s wall for 7 runs, "));
  CHECK_THAT(r.out, Catch::Contains("drivers.cip_delivery.mean"));
  // The middle of the count over the parameters is the median, and says so.
  CHECK_THAT(r.out, Catch::Contains("over the parameters' uncertainty median "));
  const h5::File f = h5::File::open(out);
  CHECK(h5::read_dataset<double>(f, "uncertainty/values").dims == h5::Dims{6, 2});
  // Its columns are the keys of /uncertainty/parameter (the group has no `param`).
  CHECK_THAT(h5::read_string_attribute(f.dataset("uncertainty/values"), "units"),
             Catch::Contains("named by parameter"));
  CHECK(h5::read_dataset<double>(f, "uncertainty/p_red").dims == h5::Dims{6, 12});
  CHECK(h5::read_dataset<double>(f, "uncertainty/p_red_q95").dims == h5::Dims{12});
  CHECK(h5::read_dataset<double>(f, "uncertainty/rank_correlation").dims == h5::Dims{2});
  CHECK(h5::read_dataset<double>(f, "ccg/p_red").values.size() == 12);
  // export writes the uncertainty tables: each CCG's interval, each key's
  // indices, England's summary.
  REQUIRE(run_cli("export " + quote(out.string()) + " --csv " + quote((fx.dir / "csv").string()))
              .exit_code == 0);
  const auto rows = parse_csv(read_file(fx.dir / "csv" / "uncertainty_ccg.csv"));
  REQUIRE(rows.size() == 13);
  const auto q95 = h5::read_dataset<double>(f, "uncertainty/p_red_q95").values;
  const std::size_t q95_column = static_cast<std::size_t>(
      std::find(rows[0].begin(), rows[0].end(), "p_red_q95 (probability)") - rows[0].begin());
  REQUIRE(q95_column < rows[0].size());
  for (std::size_t i = 0; i < 12; ++i)
    CHECK(std::strtod(rows[i + 1][q95_column].c_str(), nullptr) == q95[i]);
  const auto keys = parse_csv(read_file(fx.dir / "csv" / "uncertainty_parameters.csv"));
  REQUIRE(keys.size() == 3);
  CHECK(keys[1][0] == "drivers.cip_delivery.mean");
  CHECK(keys[1][2] == "a test");
  CHECK_THAT(read_file(fx.dir / "csv" / "uncertainty_national.csv"),
             Catch::Contains("epistemic_share,"));
  // Every CCG table says whether each allocation is published or estimated.
  const auto ccg = parse_csv(read_file(fx.dir / "csv" / "ccg.csv"));
  REQUIRE(std::find(ccg[0].begin(), ccg[0].end(), "allocation_basis") != ccg[0].end());
  for (const char* table : {"uncertainty_ccg", "ccg_pooled", "attribution"}) {
    const auto header = parse_csv(read_file(fx.dir / "csv" / (std::string(table) + ".csv")))[0];
    CHECK(std::find(header.begin(), header.end(), "allocation_basis") != header.end());
  }
  // The provenance table has every run's count and time beside the scenario's share.
  const h5::Group group = f.open_group("uncertainty");
  const double seconds = h5::read_attribute<double>(group, "wall_seconds").at(0);
  std::map<std::string, std::string> provenance;
  for (const auto& row : parse_csv(read_file(fx.dir / "csv" / "provenance.csv")))
    provenance[row.at(0)] = row.at(1);
  CHECK(provenance["uncertainty_runs"] == "7");
  CHECK(provenance["uncertainty_wall_seconds"] == std::to_string(seconds));
  // summary reads /uncertainty back and prints what run printed, the
  // header's time and count of runs included.
  const CliResult again = run_cli("summary " + quote(out.string()));
  REQUIRE(again.exit_code == 0);
  const auto line = [](const std::string& text, const std::string& start) {
    const std::size_t at = text.find(start);
    return at == std::string::npos ? std::string() : text.substr(at, text.find('\n', at) - at);
  };
  for (const char* start :
       {"  1,000 trials of 12 CCGs", "Parameter uncertainty:", "  Expected CCGs in the red:",
        "  Share of the variance", "    drivers.cip_delivery.mean"}) {
    CHECK(!line(again.out, start).empty());
    CHECK(line(again.out, start) == line(r.out, start));
  }
}

TEST_CASE("uncertainty from Sobol points: no first-order index, and the summary says why",
          "[uncertainty][cli]") {
  const std::size_t header = kBlock.find('\n') + 1;  // after [uncertainty]
  StressFixture fx(kBlock.substr(0, header) + "sampler = \"sobol\"\n" + kBlock.substr(header),
                   1000);
  const auto out = fx.dir / "u.h5";
  const CliResult r = run_cli("run " + quote(fx.scenario.string()) + " -o " + quote(out.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("6 outer samples (sobol)"));
  CHECK_THAT(r.out, Catch::Contains("n/a") &&
                        Catch::Contains("first-order indices are not estimated from Sobol points"));
  const h5::File f = h5::File::open(out);
  for (double x : h5::read_dataset<double>(f, "uncertainty/first_order").values)
    CHECK(std::isnan(x));
  for (double x : h5::read_dataset<double>(f, "uncertainty/rank_correlation").values)
    CHECK(std::isfinite(x));
}

TEST_CASE("uncertainty block: bad input is exit 2 naming the key, nothing written",
          "[uncertainty][cli]") {
  const auto bad = [](const std::string& block, const std::string& message) {
    StressFixture fx(block, 100);
    fx.input_error("run", "", message);
  };
  bad("[uncertainty]\nsamples = 4\n", "uncertainty.parameter");
  bad("[uncertainty]\n[[uncertainty.parameter]]\nkey = \"shift.region.North\"\n"
      "distribution = \"uniform\"\nmin = 0\nmax = 1\n",
      "uncertainty.samples: missing");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"shift.region.North\"\n"
      "distribution = \"gamma\"\n",
      "uncertainty.parameter[0].distribution");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"shift.region.North\"\n"
      "distribution = \"normal\"\nmean = 0\n",
      "needs 'sd'");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"shift.region.North\"\n"
      "distribution = \"uniform\"\nmin = 1\nmax = 0\n",
      "min must be below max");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"run.seed\"\n"
      "distribution = \"uniform\"\nmin = 1\nmax = 2\n",
      "cannot be uncertain");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"shift.region.North\"\n"
      "distribution = \"uniform\"\nmin = 0\nmax = 1\nmode = 0.5\n",
      "not a parameter of a uniform distribution");
  // A sampled value the scenario refuses: named with its sample.
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"drivers.cip_delivery.mean\"\n"
      "distribution = \"uniform\"\nmin = 0.5\nmax = 1.5\n",
      "[uncertainty] sample");
  bad("[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\nkey = \"drivers.no_such.mean\"\n"
      "distribution = \"uniform\"\nmin = 0.5\nmax = 0.6\n",
      "drivers.no_such");
}

TEST_CASE("the shipped uncertain baseline is the baseline, 20,000 trials a sample, and a block",
          "[uncertainty]") {
  const std::filesystem::path dir = std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios";
  const std::string base = read_file(dir / "baseline-2013-14.toml");
  const std::string uncertain = read_file(dir / "baseline-2013-14-uncertain.toml");
  // Line by line: the same but for the title and run.trials, then the block.
  std::istringstream a(base), b(uncertain);
  std::string x, y;
  int line = 0, differ = 0;
  while (std::getline(a, x)) {
    ++line;
    REQUIRE(std::getline(b, y));
    if (x != y) {
      ++differ;
      const bool allowed =
          line == 1 || (x.rfind("trials = ", 0) == 0 && y.rfind("trials = 20000", 0) == 0);
      INFO("line " << line << ": " << x << " | " << y);
      CHECK(allowed);
    }
  }
  CHECK(differ == 2);
  const Scenario s = load_scenario(dir / "baseline-2013-14-uncertain.toml");
  CHECK(s.run.trials == 20000);
  REQUIRE(s.uncertainty.active());
  CHECK(s.uncertainty.samples == 64);
  CHECK(s.uncertainty.parameters.size() == 11);
  for (const UncertainParameter& p : s.uncertainty.parameters)
    CHECK(!p.source.empty());
  // The calibrated keys are centred on the baseline's fitted values (to the
  // 4 decimals the block gives).
  const Scenario b0 = load_scenario(dir / "baseline-2013-14.toml");
  for (const UncertainParameter& p : s.uncertainty.parameters)
    if (p.key == "shift.region.North")
      CHECK(p.mean == Approx(b0.shifts.region_pct.at("North")).margin(1e-4));
}
