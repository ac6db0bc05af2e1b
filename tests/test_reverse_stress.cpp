// ccgrisk reverse-stress: the reported shock reaches K CCGs in the red in
// expectation and 98% of it does not; the combined direction is no worse
// than any single driver; the direction formula; bad input is exit 2.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>

#include <cmath>

#include "engine/reverse_stress.hpp"
#include "input/text.hpp"
#include "output/hdf5.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;

namespace {

double expected_red_at(ScenarioRuns& runs, const DriverVector& shock) {
  std::string text = "[";
  for (int k = 0; k < kNumDrivers; ++k)
    text.append(k ? ", " : "").append(number_text(shock[k]));
  const Override o{"stress.national_shock", text.append("]")};
  return runs.run(runs.with(std::vector<Override>{o})).national.expected_red;
}

ReverseStressResult stress(ScenarioRuns& runs, double k, double smax = 10.0,
                           double tolerance = 0.005) {
  const Results base = runs.run(runs.base());
  ReverseStressSpec spec;
  spec.red = k;
  spec.smax = smax;
  spec.tolerance = tolerance;
  return run_reverse_stress(runs, base, spec);
}

// The fixture with CIP delivery fixed at its mean (fast runs: no beta
// table) and a larger specialist share, so that four drivers can tip CCGs.
const std::string kFixture =
    kFixedDelivery + "[mix]\nacute = 0.45\nspecialist = 0.15\nother = 0.40\n";

}  // namespace

TEST_CASE("the reported shock reaches K, 98% of it does not", "[reverse_stress]") {
  StressFixture fx(kFixture);
  ScenarioRuns runs = fx.runs();
  const ReverseStressResult r = stress(runs, 6.0);
  REQUIRE(r.base_expected_red < 6.0);
  REQUIRE(r.directions.size() == 6);
  for (const StressDirection& d : r.directions) {
    INFO(d.name << " shock " << d.shock);
    if (d.name == "cip_delivery") {  // fixed delivery: no shock of it moves anything
      CHECK(d.status == StressStatus::kNotReached);
      CHECK(d.runs == 0);
      continue;
    }
    REQUIRE(d.status == StressStatus::kReached);
    const DriverVector x = d.shock * d.unit;
    CHECK(expected_red_at(runs, x) >= 6.0);
    CHECK(expected_red_at(runs, 0.98 * x) < 6.0);
    CHECK(d.expected_red >= 6.0);
    CHECK(d.expected_red_below < 6.0);
    CHECK(d.tipping.size() == 6);
    for (std::size_t j = 1; j < d.tipping.size(); ++j)
      CHECK(d.p_red[d.tipping[j - 1]] >= d.p_red[d.tipping[j]]);
  }
}

TEST_CASE("the combined direction needs no larger a shock than any single driver",
          "[reverse_stress]") {
  StressFixture fx(kFixture);  // identity driver correlation: Mahalanobis = Euclidean length
  ScenarioRuns runs = fx.runs();
  const ReverseStressResult r = stress(runs, 6.0);
  const StressDirection& combined = r.directions.back();
  REQUIRE(combined.name == "combined");
  CHECK(combined.mahalanobis == Approx(combined.shock));
  int reached = 0;
  for (int k = 0; k < kNumDrivers; ++k) {
    const StressDirection& d = r.directions[k];
    INFO(d.name << " " << d.shock << " vs combined " << combined.shock);
    if (d.status != StressStatus::kReached) continue;
    ++reached;
    CHECK(d.mahalanobis == Approx(d.shock));
    CHECK(combined.shock <= d.shock);
  }
  CHECK(reached == 4);  // all but CIP delivery, fixed here
  // Every component of u is in its driver's adverse direction (CIP: none).
  for (int k = 0; k < kNumDrivers; ++k)
    CHECK(combined.unit[k] * kAdverseSign[k] >= 0);
  CHECK(combined.unit[kCipDelivery] == 0.0);
}

TEST_CASE("the pressure gradient and the worst direction", "[reverse_stress]") {
  StressFixture fx;
  ScenarioRuns runs = fx.runs();
  const Model m = build_model(runs.base(), runs.table());
  const DriverVector g = pressure_gradient(m);
  // Acute: sum_i w_acute (A_i - s_i) sd / A_i, planned surplus 0.2 (i mod 6) %.
  double acute = 0.0;
  for (int i = 0; i < 12; ++i)
    acute += 0.5 * (1.0 - 0.002 * (i % 6)) * 0.01;
  CHECK(g[kAcuteGrowth] == Approx(acute).epsilon(1e-12));
  CHECK(g[kTransferMismatch] == Approx(12 * 0.19 * 0.02).epsilon(1e-12));
  // CIP: -P_i d'(0) / A_i, d'(0) = phi(0) / f_Beta(d(0)) of the beta(0.8, 0.15).
  CHECK(g[kCipDelivery] < 0);
  const double slope = -g[kCipDelivery] / (12 * 0.03);
  CHECK(slope ==
        Approx((m.cip_transform.exact(1e-4) - m.cip_transform.exact(-1e-4)) / 2e-4).epsilon(1e-4));

  DriverMatrix c = DriverMatrix::Identity();
  c(0, 2) = c(2, 0) = 0.5;
  c(3, 4) = c(4, 3) = -0.3;
  const DriverVector u = worst_direction(g, c);
  CHECK(mahalanobis(u, c) == Approx(1.0));
  // No direction of Mahalanobis length 1 raises g'x more (first order).
  for (int k = 0; k < kNumDrivers; ++k) {
    DriverVector e = DriverVector::Zero();
    e[k] = kAdverseSign[k];
    e /= mahalanobis(e, c);
    CHECK(g.dot(u) >= g.dot(e));
  }
  CHECK(g.dot(u) == Approx(std::sqrt(g.dot(c * g))));
}

TEST_CASE("K not reached within smax, and K reached without a shock", "[reverse_stress]") {
  StressFixture fx(kFixture);
  ScenarioRuns runs = fx.runs();
  const ReverseStressResult far = stress(runs, 12.0, 0.25);
  for (const StressDirection& d : far.directions) {
    CHECK(d.status == StressStatus::kNotReached);
    CHECK(std::isnan(d.shock));
    CHECK(d.expected_red < 12.0);
  }
  const ReverseStressResult near = stress(runs, 0.5);
  REQUIRE(near.base_expected_red >= 0.5);
  for (const StressDirection& d : near.directions) {
    CHECK(d.status == StressStatus::kAtBase);
    CHECK(d.shock == 0.0);
    CHECK(d.runs == 0);
  }
}

TEST_CASE("ccgrisk reverse-stress writes /reverse_stress and prints a table",
          "[reverse_stress][cli]") {
  StressFixture fx(kFixture);
  const auto out = fx.dir / "rs.h5";
  const CliResult r = run_cli("reverse-stress " + quote(fx.scenario.string()) +
                              " --red 6 --trials 2000 -o " + quote(out.string()));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("combined") && Catch::Contains("cip_delivery -"));
  const h5::File f = h5::File::open(out);
  CHECK(h5::read_dataset<double>(f, "reverse_stress/shock_vector").dims == h5::Dims{6, 5});
  CHECK(h5::read_dataset<std::string>(f, "reverse_stress/tipping_code").dims == h5::Dims{6, 6});
  CHECK(h5::read_dataset<double>(f, "ccg/p_red").values.size() == 12);
  check_documented(f, "reverse_stress");
  check_runs_recorded(f, "reverse_stress", r.out);
}

TEST_CASE("ccgrisk reverse-stress: bad input is exit 2 with no output", "[reverse_stress][cli]") {
  StressFixture fx;
  const auto fails = [&fx](const std::string& args, const std::string& message) {
    fx.input_error("reverse-stress", args, message);
  };
  fails("--red 0", "--red 0");
  fails("--red 13", "(0, 12]");
  fails("--red 3 --smax 60", "--smax 60");
  fails("--red 3 --set stress.national_shock=[1,2]", "stress.national_shock");
}
