// Issue 3 features: specialised hubs, local shifts, size-dependent volatility.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/run.hpp"
#include "fixtures.hpp"

using namespace ccgrisk;
using ccgrisk::test::deterministic_scenario;
using ccgrisk::test::one_driver_scenario;
using ccgrisk::test::small_table;

namespace {

Results run(const Scenario& s, const CcgTable& t) {
  return run_scenario(s, t, RunOptions{1, 64});
}

// No reserves: every pound of pressure reaches the outturn.
Scenario no_reserves() {
  Scenario s = deterministic_scenario();
  s.plan.contingency_pct = 0.0;
  s.plan.nonrecurrent_pct = 0.0;
  return s;
}

}  // namespace

TEST_CASE("deterministic hubs equal the hand calculation", "[hubs]") {
  Scenario s = deterministic_scenario();
  s.hubs = {{"Big", 100000.0, 2.0, 1.0}, {"Small", 50000.0, 0.0, -2.0}};
  s.hub_shift_pct = 0.5;  // added to both hubs' shifts
  const Results r = run(s, small_table(4));
  // Big:   100,000 x (0.05 - 0.02) + 2,000 x (1 - 0.8) + 1.5% x 100,000 = 3,000 + 400 + 1,500
  // Small:  50,000 x 0.03 + 0 + (-1.5%) x 50,000 = 1,500 - 750
  REQUIRE(r.hubs.size() == 2);
  CHECK(r.hubs[0].overspend_mean_k == Approx(4900.0).margin(1e-9));
  CHECK(r.hubs[1].overspend_mean_k == Approx(750.0).margin(1e-9));
  CHECK(r.hubs[0].p_overspend == 1.0);
  CHECK(r.specialised.overspend_mean_k == Approx(5650.0).margin(1e-9));
  CHECK(r.specialised.budget_k == 150000.0);
  for (double q : r.specialised.overspend_quantiles_k)
    CHECK(q == Approx(5650.0).margin(1e-9));
  // Hubs do not touch the CCGs.
  const Results without = run(deterministic_scenario(), small_table(4));
  CHECK(r.before.surplus_mean_k == without.before.surplus_mean_k);
}

TEST_CASE("random hubs: totals add up and CCG draws are unchanged", "[hubs]") {
  Scenario s;
  s.run.trials = 4000;
  s.run.copula = GENERATE(Copula::kGaussian, Copula::kStudentT);
  s.hubs = {{"A", 300000.0, 2.0, 0.0}, {"B", 200000.0, 1.0, 3.0}, {"C", 100000.0, 0.0, -1.0}};
  const CcgTable t = small_table(8);
  const Results r = run(s, t);
  double sum = 0.0;
  for (const HubStats& h : r.hubs)
    sum += h.overspend_mean_k;
  // Means are exact sums of pounds: the total's mean is the sum of the hubs' means.
  CHECK(r.specialised.overspend_mean_k == Approx(sum).epsilon(1e-12));
  Scenario no_hubs = s;
  no_hubs.hubs.clear();
  CHECK(run(no_hubs, t).before.surplus_mean_k == r.before.surplus_mean_k);
}

TEST_CASE("region and area-team shifts change exactly the CCGs they name", "[shifts]") {
  const CcgTable t = small_table(8);  // areas A0..A3; North = A0, A1
  const Results base = run(no_reserves(), t);
  Scenario s = no_reserves();
  s.shifts.region_pct["North"] = 1.0;
  s.shifts.area_team_pct["A2"] = 0.5;
  const Results shifted = run(s, t);
  for (int i = 0; i < 8; ++i) {
    const int area = i % 4;
    const double pct = area < 2 ? 1.0 : (area == 2 ? 0.5 : 0.0);
    const double expected = base.before.surplus_mean_k[i] - pct / 100.0 * t.rows[i].allocation_k;
    INFO("CCG " << i);
    CHECK(shifted.before.surplus_mean_k[i] == Approx(expected).margin(1e-3));
    if (pct == 0.0) CHECK(shifted.before.surplus_mean_k[i] == base.before.surplus_mean_k[i]);
  }
}

TEST_CASE("a shift naming an unknown region or area team is an input error", "[shifts]") {
  Scenario s = no_reserves();
  s.shifts.region_pct["Atlantis"] = 1.0;
  CHECK_THROWS_WITH(build_model(s, small_table(4)),
                    Catch::Contains("shift.region.\"Atlantis\"") && Catch::Contains("North"));
  s.shifts.region_pct.clear();
  s.shifts.area_team_pct["Q99"] = 1.0;
  CHECK_THROWS_WITH(build_model(s, small_table(4)),
                    Catch::Contains("shift.area_team.\"Q99\"") && Catch::Contains("A0"));
}

TEST_CASE("size scaling changes exactly the CCGs whose population differs", "[volatility]") {
  const std::int64_t trials = 40000;
  Scenario s = one_driver_scenario(0.01, trials);
  s.correlation = {0.0, 0.0, 0.0};  // all variance is the CCG's own
  CcgTable t = small_table(4);
  t.rows[1].population = 75000;    // a quarter of the reference: own shock x 2
  t.rows[2].population = 1200000;  // four times: own shock x 1/2
  const Results plain = run(s, t);
  s.volatility = {true, 300000.0};
  const Results scaled = run(s, t);
  // Population 250,000 (rows 0, 3): factor sqrt(300/250); rows 1, 2 as above.
  const double factor[4] = {std::sqrt(1.2), 2.0, 0.5, std::sqrt(1.2)};
  for (int i = 0; i < 4; ++i) {
    const double ratio = scaled.before.surplus_sd_k[i] / plain.before.surplus_sd_k[i];
    INFO("CCG " << i << " sd ratio " << ratio);
    CHECK(ratio == Approx(factor[i]).epsilon(1e-6));  // same draws, scaled exactly
  }
  t.rows[0].population = 300000;  // exactly the reference: bit-identical to no scaling
  s.volatility.size_scaling = false;
  const Results plain2 = run(s, t);
  s.volatility.size_scaling = true;
  CHECK(run(s, t).before.surplus_mean_k[0] == plain2.before.surplus_mean_k[0]);
}

TEST_CASE("size scaling needs every population", "[volatility]") {
  Scenario s = no_reserves();
  s.volatility.size_scaling = true;
  CcgTable t = small_table(4);
  t.rows[2].population = 0;
  CHECK_THROWS_WITH(build_model(s, t), Catch::Contains("population") && Catch::Contains("C12"));
}

TEST_CASE("planned and unplanned deficits are counted apart", "[planned]") {
  Scenario s = deterministic_scenario();
  CcgTable t = small_table(4);
  t.rows[2].plan.planned_surplus_pct = -2.0;   // planned red
  s.ccg_overrides["C13"].plan.cip_pct = 40.0;  // unplanned red: a CIP it cannot deliver
  const Results r = run(s, t);
  CHECK(r.planned_deficit == std::vector<std::int64_t>{0, 0, 1, 0});
  CHECK(r.before.p_red == std::vector<double>{0, 0, 1, 1});
  CHECK(r.national.expected_red == 2.0);
  CHECK(r.national.expected_unplanned_red == 1.0);
  CHECK(r.national.expected_planned_red == 1.0);
  CHECK(r.national.count_unplanned_red_pmf[1] == 1.0);
  CHECK(r.regions.at(1).expected_unplanned_red == 1.0);  // South: C12, C13
}
