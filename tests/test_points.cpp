// Several parameter points in one pass over the trials (run_points, the
// stress commands' engine): every point's statistics are bit-identical to a
// single run at that point, whatever is shared, at any thread count and
// block size; the cheap tallies keep exactly what they say they keep.
#include <catch2/catch.hpp>

#include <cstring>
#include <tuple>

#include "engine/breakeven.hpp"
#include "engine/run.hpp"
#include "engine/sweep.hpp"
#include "input/overrides.hpp"
#include "model/trial.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;

namespace {

// Two hubs, so the hubs' draws and tallies are shared and compared too.
const std::string kHubs =
    "[[hub]]\nname = \"H1\"\nbudget_k = 300000\ncip_pct = 2.0\n"
    "[[hub]]\nname = \"H2\"\nbudget_k = 200000\ncip_pct = 2.0\nshift_pct = 1.0\n";

// Bitwise equality (NaN equals NaN), so a test reads "the same bits".
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  // memcmp may not be given the null pointer of an empty vector.
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
bool same(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}
template <std::size_t N>
bool same(const std::array<double, N>& a, const std::array<double, N>& b) {
  return std::memcmp(a.data(), b.data(), N * sizeof(double)) == 0;
}

// What a kCounts point keeps (`full`: everything a results file holds).
void check_ccgs(const CcgStats& a, const CcgStats& b, bool full) {
  CHECK(same(a.p_red, b.p_red));
  CHECK(same(a.p_red_se, b.p_red_se));
  CHECK(same(a.p_red_variance_ratio, b.p_red_variance_ratio));
  CHECK(same(a.surplus_mean_k, b.surplus_mean_k));
  CHECK(same(a.surplus_sd_k, b.surplus_sd_k));
  if (!full) {
    CHECK(a.surplus_quantiles_k.empty());
    return;
  }
  CHECK(same(a.p_miss_control, b.p_miss_control));
  CHECK(same(a.surplus_min_k, b.surplus_min_k));
  CHECK(same(a.surplus_max_k, b.surplus_max_k));
  CHECK(same(a.surplus_quantiles_k, b.surplus_quantiles_k));
  CHECK(same(a.surplus_es05_k, b.surplus_es05_k));
  CHECK(same(a.underlying_mean_k, b.underlying_mean_k));
  CHECK(a.hist_counts == b.hist_counts);
  CHECK(same(a.hist_edges_k, b.hist_edges_k));
}

void check_group(const GroupStats& a, const GroupStats& b, bool full) {
  INFO("group " << a.code);
  CHECK(same(a.count_red_pmf, b.count_red_pmf));
  CHECK(same(a.count_red_pmf_pooled, b.count_red_pmf_pooled));
  CHECK(same(a.count_unplanned_red_pmf, b.count_unplanned_red_pmf));
  CHECK(same(a.count_unplanned_red_pmf_pooled, b.count_unplanned_red_pmf_pooled));
  CHECK(same(a.expected_red, b.expected_red));
  CHECK(same(a.expected_red_pooled, b.expected_red_pooled));
  CHECK(same(a.expected_red_se, b.expected_red_se));
  CHECK(same(a.expected_unplanned_red, b.expected_unplanned_red));
  CHECK(same(a.expected_unplanned_red_se, b.expected_unplanned_red_se));
  CHECK(same(a.expected_planned_red, b.expected_planned_red));
  CHECK(same(a.count_red_q05_q50_q95, b.count_red_q05_q50_q95));
  CHECK(same(a.count_red_q05_q50_q95_pooled, b.count_red_q05_q50_q95_pooled));
  CHECK(same(a.total_surplus_mean_k, b.total_surplus_mean_k));
  CHECK(same(a.total_surplus_mean_pooled_k, b.total_surplus_mean_pooled_k));
  CHECK(same(a.total_surplus_sd_k, b.total_surplus_sd_k));
  CHECK(same(a.p_deficit, b.p_deficit));
  CHECK(same(a.p_deficit_pooled, b.p_deficit_pooled));
  if (full) {
    CHECK(same(a.total_surplus_quantiles_k, b.total_surplus_quantiles_k));
    CHECK(same(a.total_surplus_quantiles_pooled_k, b.total_surplus_quantiles_pooled_k));
  }
}

void check_hub(const HubStats& a, const HubStats& b, bool full) {
  CHECK(same(a.p_overspend, b.p_overspend));
  CHECK(same(a.overspend_mean_k, b.overspend_mean_k));
  CHECK(same(a.overspend_sd_k, b.overspend_sd_k));
  if (full) CHECK(same(a.overspend_quantiles_k, b.overspend_quantiles_k));
}

// `point` (from run_points) against `single` (run_scenario); the point
// tallied the groups `levels` names, and has no others.
void check_point(const Results& point, const Results& single, bool full,
                 GroupLevels levels = GroupLevels::kAll) {
  CHECK(point.provenance.trials == single.provenance.trials);
  CHECK(point.provenance.trials_capped == single.provenance.trials_capped);
  check_ccgs(point.before, single.before, full);
  check_ccgs(point.after, single.after, full);
  check_group(point.national, single.national, full);
  const bool regions = levels != GroupLevels::kNation, all = levels == GroupLevels::kAll;
  for (auto [a, b, kept] : {std::tuple{&point.regions, &single.regions, regions},
                            std::tuple{&point.area_teams, &single.area_teams, all},
                            std::tuple{&point.pools, &single.pools, all}}) {
    if (!kept) {
      CHECK(a->empty());
      continue;
    }
    REQUIRE(a->size() == b->size());
    for (std::size_t g = 0; g < a->size(); ++g)
      check_group((*a)[g], (*b)[g], full);
  }
  REQUIRE(point.hubs.size() == single.hubs.size());
  for (std::size_t h = 0; h < point.hubs.size(); ++h)
    check_hub(point.hubs[h], single.hubs[h], full);
  check_hub(point.specialised, single.specialised, full);
  if (full) {
    CHECK(same(point.attribution.mean_k, single.attribution.mean_k));
    CHECK(same(point.attribution.mean_red_k, single.attribution.mean_red_k));
    CHECK(same(point.attribution.es_contribution_k, single.attribution.es_contribution_k));
  } else {
    CHECK(point.attribution.mean_k.empty());
  }
}

// The scenario of `fx` with each override set, one scenario per entry.
std::vector<Scenario> points_of(const StressFixture& fx,
                                const std::vector<std::vector<Override>>& sets) {
  std::vector<Scenario> out;
  for (const auto& set : sets)
    out.push_back(load_scenario_with_overrides(fx.scenario, set));
  return out;
}

// Parameters of every kind: the CIP beta (its own table per point), growth,
// a regional shift, a pool rule's cap, and two that change the draws
// themselves (the correlation shares and the Student-t degrees of freedom).
const std::vector<std::vector<Override>> kSets = {
    {},
    {{"drivers.cip_delivery.mean", "0.6"}},
    {{"drivers.cip_delivery.mean", "0.9"}, {"drivers.cip_delivery.sd", "0.1"}},
    {{"drivers.specialist_growth.mean", "0.07"}},
    {{"shift.region.North", "0.75"}},
    {{"drivers.sd_multiplier", "1.5"}},
    {{"correlation.national", "0.4"}},
    {{"hub.H2.shift_pct", "-2.0"}},
};

}  // namespace

TEST_CASE("every point of a pass equals its single run, bit for bit", "[points]") {
  const std::string copula = GENERATE(std::string("gaussian"), std::string("student_t"));
  const bool antithetic = GENERATE(false, true);
  // The counts points tally every group, the nation and regions, or the
  // nation (as sweep's, breakeven's and calibrate's points may).
  const GroupLevels levels =
      GENERATE(GroupLevels::kAll, GroupLevels::kRegions, GroupLevels::kNation);
  INFO(copula << (antithetic ? ", antithetic" : "") << ", groups " << static_cast<int>(levels));
  StressFixture fx(kHubs, 2000);
  std::vector<std::vector<Override>> sets = kSets;
  for (auto& set : sets) {
    set.push_back({"run.copula", '"' + copula + '"'});
    set.push_back({"run.antithetic", antithetic ? "true" : "false"});
  }
  if (copula == "student_t") sets.push_back({{"run.copula", "\"student_t\""}, {"run.dof", "3"}});
  const std::vector<Scenario> scenarios = points_of(fx, sets);
  const CcgTable table = read_ccg_table(scenarios.front().ccgs);
  // The first point complete, the others counts only; one thread, blocks of
  // 1000 (single runs) against two threads and blocks of 96 (the pass).
  std::vector<Tallies> kinds(scenarios.size(), Tallies::kCounts);
  kinds[0] = Tallies::kFull;
  kinds[3] = Tallies::kFull;
  const std::vector<Results> pass = run_points(scenarios, table, RunOptions{2, 96}, kinds, levels);
  REQUIRE(pass.size() == scenarios.size());
  for (std::size_t p = 0; p < scenarios.size(); ++p) {
    INFO("point " << p);
    const Results single = run_scenario(scenarios[p], table, RunOptions{1, 1000});
    const bool full = kinds[p] == Tallies::kFull;
    check_point(pass[p], single, full, full ? GroupLevels::kAll : levels);
  }
}

TEST_CASE("points share the draws exactly when the correlation structure is the same", "[points]") {
  StressFixture fx(kHubs, 10);
  const std::vector<Scenario> s = points_of(fx, kSets);
  const CcgTable table = read_ccg_table(s.front().ccgs);
  const Model base = build_model(s[0], table);
  CHECK(same_draws(base, build_model(s[1], table)));   // CIP delivery
  CHECK(same_draws(base, build_model(s[4], table)));   // a shift
  CHECK(same_draws(base, build_model(s[5], table)));   // sd multiplier: after the draws
  CHECK(!same_draws(base, build_model(s[6], table)));  // correlation shares: the factors
  // Points that may reuse the base's settlement parts: only the CIP delivery
  // or a hub moved.
  CHECK(same_settlement(base, build_model(s[1], table)));
  CHECK(same_settlement(base, build_model(s[2], table)));
  CHECK(same_settlement(base, build_model(s[7], table)));
  CHECK(!same_settlement(base, build_model(s[3], table)));  // specialist growth
  CHECK(!same_settlement(base, build_model(s[4], table)));  // a shift: the local part
  CHECK(!same_settlement(base, build_model(s[5], table)));  // sd multiplier: growth sds
  CHECK(!same_settlement(base, build_model(s[6], table)));
  const Scenario t = load_scenario_with_overrides(fx.scenario, {{"run.copula", "\"student_t\""}});
  CHECK(!same_draws(base, build_model(t, table)));
  const Scenario r = load_scenario_with_overrides(fx.scenario, {{"run.rng", "\"philox4x64\""}});
  CHECK(!same_draws(base, build_model(r, table)));
}

TEST_CASE("a pass gives the same results at any thread count and block size", "[points]") {
  StressFixture fx(kHubs, 1500);
  const std::vector<Scenario> scenarios = points_of(fx, kSets);
  const CcgTable table = read_ccg_table(scenarios.front().ccgs);
  const std::vector<Tallies> kinds(scenarios.size(), Tallies::kCounts);
  const std::vector<Results> one = run_points(scenarios, table, RunOptions{1, 1500}, kinds);
  const int threads = GENERATE(2, 3);
  const std::int64_t block = GENERATE(std::int64_t{1}, std::int64_t{77});
  const std::vector<Results> other =
      run_points(scenarios, table, RunOptions{threads, block}, kinds);
  for (std::size_t p = 0; p < scenarios.size(); ++p)
    check_point(other[p], one[p], false);
}

TEST_CASE("the stress commands run their points together, each as its single run", "[points]") {
  StressFixture fx(kHubs, 3000);
  ScenarioRuns runs = fx.runs();
  Results base;
  const SweepResult s = run_sweep(runs, {"drivers.cip_delivery.mean", 0.5, 0.9, 5}, &base);
  CHECK(runs.runs() == 6);    // the scenario as given and 5 points
  CHECK(runs.passes() == 1);  // in one pass
  // The base is complete and equals a single run of the scenario as given.
  check_point(base, run_scenario(runs.base(), runs.table(), RunOptions{1, 1000}), true);
  const Results at =
      run_scenario(runs.with("drivers.cip_delivery.mean", 0.7), runs.table(), RunOptions{1, 1000});
  const int n = s.n;
  for (int i = 0; i < n; ++i) {
    CHECK(same(s.p_red[2 * n + i], at.before.p_red[i]));
    CHECK(same(s.p_red_pooled[2 * n + i], at.after.p_red[i]));
  }
  CHECK(same(s.expected_red_se[2], at.national.expected_red_se));
  CHECK(same(s.count_red_q05_pooled[2], at.national.count_red_q05_q50_q95_pooled[0]));

  // Breakeven: at most kPointsPerPass values a pass; its grid is the
  // sweep's at the same values.
  ScenarioRuns search_runs = fx.runs();
  BreakevenSpec spec;
  spec.param = "drivers.cip_delivery.mean";
  spec.from = 0.5;
  spec.to = 0.9;
  spec.grid = 5;
  spec.p = 0.2;
  spec.tolerance = 0.001;
  spec.max_red = 2.0;
  Results search_base;
  const BreakevenResult b = run_breakeven(search_runs, spec, &search_base);
  check_point(search_base, base, true);
  for (std::size_t k = 0; k < s.p_red.size(); ++k)
    CHECK(same(b.grid_p_red[k], s.p_red[k]));
  int points = 0;
  for (int level : b.points_per_level)
    points += level;
  CHECK(b.runs == points);
  CHECK(search_runs.passes() <=
        (points + 1 + 11) / 12 + static_cast<int>(b.points_per_level.size()));
}

TEST_CASE("k-section: with few brackets open, a level cuts each into many parts", "[points]") {
  // Few searches (the system count, and the North's CCGs whose P(red)
  // reaches 1 at the top of the range), so every level after the grid fills
  // a pass: 12 values, where bisection would run one per open bracket.
  StressFixture fx(kFixedDelivery, 2000);
  ScenarioRuns runs = fx.runs();
  BreakevenSpec spec;
  spec.param = "shift.region.North";
  spec.from = -3.0;
  spec.to = 3.0;
  spec.grid = 3;
  spec.p = 0.999999;
  spec.tolerance = 0.0005;
  spec.max_red = 4.0;
  const BreakevenResult b = run_breakeven(runs, spec);
  REQUIRE(b.system.status[0] == Crossing::kCrosses);
  REQUIRE(b.points_per_level.size() >= 2);
  INFO("points per level: " << ::Catch::Detail::stringify(b.points_per_level));
  CHECK(b.points_per_level[1] == 12);
  // Bisection from a bracket of 3 to 0.0005 takes 13 levels.
  CHECK(b.levels <= 6);
  // The answer keeps the count within K, and a value one tolerance further
  // towards the bad end does not.
  const double v = b.system.value[0];
  const Results at = run_scenario(runs.with(spec.param, v), runs.table(), RunOptions{0, 256});
  CHECK(at.national.expected_red <= 4.0);
  const double further = v + static_cast<double>(b.system.direction[0]) * spec.tolerance;
  const Results past =
      run_scenario(runs.with(spec.param, further), runs.table(), RunOptions{0, 256});
  CHECK(past.national.expected_red > 4.0);
}
