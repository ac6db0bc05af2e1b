// The properties MODEL.md requires of every run.
#include <catch2/catch.hpp>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <numeric>

#include "engine/run.hpp"
#include "fixtures.hpp"
#include "model/trial.hpp"
#include "support.hpp"

using namespace ccgrisk;
using ccgrisk::test::one_driver_scenario;
using ccgrisk::test::small_table;

namespace {

// The shipped 2013-14 table with both pool rules in play.
struct Shipped {
  Scenario scenario;
  CcgTable table = read_ccg_table(ccgrisk::test::shipped_ccg_table());
  Shipped(Copula copula, std::int64_t trials) {
    scenario.run.copula = copula;
    scenario.run.trials = trials;
    scenario.pools.push_back(
        {"Staffordshire", {"04Y", "05D", "05G", "05Q", "05V", "05W"}, PoolRule::kFull, 1.0});
    scenario.pools.push_back(
        {"Cheshire", {"01C", "01R", "02D", "02E", "02F"}, PoolRule::kCover, 1.0});
  }
};

void require_identical(const CcgStats& a, const CcgStats& b) {
  REQUIRE(a.p_red == b.p_red);
  REQUIRE(a.p_miss_control == b.p_miss_control);
  REQUIRE(a.surplus_mean_k == b.surplus_mean_k);
  REQUIRE(a.surplus_sd_k == b.surplus_sd_k);
  REQUIRE(a.surplus_min_k == b.surplus_min_k);
  REQUIRE(a.surplus_max_k == b.surplus_max_k);
  REQUIRE(a.surplus_quantiles_k == b.surplus_quantiles_k);
  REQUIRE(a.surplus_es05_k == b.surplus_es05_k);
  REQUIRE(a.underlying_mean_k == b.underlying_mean_k);
  REQUIRE(a.hist_counts == b.hist_counts);
  REQUIRE(a.hist_edges_k == b.hist_edges_k);
}

void require_identical(const GroupStats& a, const GroupStats& b) {
  REQUIRE(a.count_red_pmf == b.count_red_pmf);
  REQUIRE(a.count_red_pmf_pooled == b.count_red_pmf_pooled);
  REQUIRE(a.count_unplanned_red_pmf == b.count_unplanned_red_pmf);
  REQUIRE(a.count_unplanned_red_pmf_pooled == b.count_unplanned_red_pmf_pooled);
  REQUIRE(a.total_surplus_quantiles_k == b.total_surplus_quantiles_k);
  REQUIRE(a.total_surplus_quantiles_pooled_k == b.total_surplus_quantiles_pooled_k);
  REQUIRE(a.total_surplus_mean_k == b.total_surplus_mean_k);
  REQUIRE(a.p_deficit == b.p_deficit);
}

// Poisson-binomial pmf of independent Bernoulli(p_i), by dynamic programming.
std::vector<double> poisson_binomial(const std::vector<double>& p) {
  std::vector<double> pmf{1.0};
  for (double q : p) {
    std::vector<double> next(pmf.size() + 1, 0.0);
    for (std::size_t k = 0; k < pmf.size(); ++k) {
      next[k] += pmf[k] * (1.0 - q);
      next[k + 1] += pmf[k] * q;
    }
    pmf = next;
  }
  return pmf;
}

// Closed form of the one-driver scenario: surplus_i = s_i - c_i - B_i sd Z
// with c_i the fixed part of the pressure, so the CCG is in the red when
// Z > (s_i - c_i) / (B_i sd). Returns that threshold per CCG.
std::vector<double> thresholds(const Scenario& s, const CcgTable& t, double sd) {
  std::vector<double> out;
  for (const CcgRecord& c : t.rows) {
    const double a = c.allocation_k;
    const double surplus = c.plan.planned_surplus_pct.value_or(s.plan.surplus_pct) / 100 * a;
    const double spend = a - surplus;
    const double fixed = s.mix.specialist * spend * (0.05 - 0.02) +
                         s.plan.cip_pct / 100 * a * (1 - s.cip_delivery.mean) +
                         s.plan.spec_transfer_pct / 100 * a * s.transfer_mismatch.mean;
    out.push_back((surplus - fixed) / (s.mix.acute * spend * sd));
  }
  return out;
}

// A table whose CCGs span P(red) from about 2% to 60% under the one-driver scenario.
CcgTable spread_table(int n) {
  CcgTable t = small_table(n);
  // Threshold x = (pct / 100 - 0.00845) / 0.005 runs from 2.0 (2%) to -0.3 (62%).
  for (int i = 0; i < n; ++i)
    t.rows[i].plan.planned_surplus_pct = 1.85 - 1.1 * i / (n - 1);
  return t;
}

}  // namespace

TEST_CASE("results are bit-identical for any thread count and block size", "[properties]") {
  const Copula copula = GENERATE(Copula::kGaussian, Copula::kStudentT);
  const BitGenerator rng = GENERATE(BitGenerator::kPhilox4x64, BitGenerator::kPhilox4x32);
  Shipped shipped(copula, 3000);
  shipped.scenario.run.rng = rng;
  const Results reference = run_scenario(shipped.scenario, shipped.table, RunOptions{1, 1024});
  const int threads = GENERATE(1, 2, 8);
  const std::int64_t block = GENERATE(1, 7, 256, 5000);
  CAPTURE(threads, block);
  const Results r = run_scenario(shipped.scenario, shipped.table, RunOptions{threads, block});
  require_identical(reference.before, r.before);
  require_identical(reference.after, r.after);
  require_identical(reference.national, r.national);
  for (std::size_t g = 0; g < r.area_teams.size(); ++g)
    require_identical(reference.area_teams[g], r.area_teams[g]);
  for (std::size_t g = 0; g < r.pools.size(); ++g)
    require_identical(reference.pools[g], r.pools[g]);
}

TEST_CASE("a different seed gives different results", "[properties]") {
  Shipped shipped(Copula::kGaussian, 2000);
  const Results a = run_scenario(shipped.scenario, shipped.table, RunOptions{2, 1024});
  shipped.scenario.run.seed += 1;
  const Results b = run_scenario(shipped.scenario, shipped.table, RunOptions{2, 1024});
  CHECK(a.before.p_red != b.before.p_red);
}

TEST_CASE("one normal driver: P(red) matches the closed form within 4 se", "[properties]") {
  const double sd = 0.01;
  const std::int64_t trials = 200000;
  const Copula copula = GENERATE(Copula::kGaussian, Copula::kStudentT);
  const BitGenerator rng = GENERATE(BitGenerator::kPhilox4x64, BitGenerator::kPhilox4x32);
  Scenario s = one_driver_scenario(sd, trials);
  s.run.copula = copula;
  s.run.rng = rng;
  const CcgTable t = spread_table(12);
  const Results r = run_scenario(s, t, RunOptions{0, 1024});
  const boost::math::normal_distribution<double> normal;
  const boost::math::students_t_distribution<double> student(s.run.dof);
  const auto x = thresholds(s, t, sd);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double p = copula == Copula::kGaussian
                         ? boost::math::cdf(boost::math::complement(normal, x[i]))
                         : boost::math::cdf(boost::math::complement(student, x[i]));
    const double se = std::sqrt(p * (1 - p) / trials);
    INFO("CCG " << i << " closed form " << p << " simulated " << r.before.p_red[i]);
    REQUIRE(p > 0.01);
    CHECK(std::abs(r.before.p_red[i] - p) < 4 * se);
    CHECK(r.before.p_red_se[i] ==
          Approx(std::sqrt(r.before.p_red[i] * (1 - r.before.p_red[i]) / trials)));
  }
}

TEST_CASE("independent CCGs: the count in the red is Poisson-binomial", "[properties]") {
  const double sd = 0.01;
  const std::int64_t trials = 100000;
  Scenario s = one_driver_scenario(sd, trials);
  s.correlation = {0.0, 0.0, 0.0};
  const CcgTable t = spread_table(16);
  const boost::math::normal_distribution<double> normal;
  std::vector<double> p;
  for (double x : thresholds(s, t, sd))
    p.push_back(boost::math::cdf(boost::math::complement(normal, x)));
  const std::vector<double> expected = poisson_binomial(p);

  // Largest deviation of the simulated pmf, in standard errors.
  auto worst_z = [&](const Results& r) {
    double worst = 0.0;
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const double se = std::sqrt(std::max(expected[k] * (1 - expected[k]), 1e-12) / trials);
      worst = std::max(worst, std::abs(r.national.count_red_pmf[k] - expected[k]) / se);
    }
    return worst;
  };
  const Results independent = run_scenario(s, t, RunOptions{0, 1024});
  CHECK(worst_z(independent) < 4.5);
  // The same CCGs with a shared national factor are not Poisson-binomial:
  // the check above can fail.
  s.correlation = {0.5, 0.0, 0.0};
  const Results correlated = run_scenario(s, t, RunOptions{0, 1024});
  CHECK(worst_z(correlated) > 10.0);
}

TEST_CASE("risk sharing conserves money in every trial and respects caps", "[properties]") {
  Shipped shipped(Copula::kStudentT, 0);
  const Model model = build_model(shipped.scenario, shipped.table);
  TrialState state(model);
  for (std::int64_t trial = 0; trial < 3000; ++trial) {
    simulate_trial(model, 99, trial, state);
    for (const PoolModel& pool : model.pools) {
      std::int64_t before = 0, after = 0;
      for (std::size_t j = 0; j < pool.members.size(); ++j) {
        const int i = pool.members[j];
        before += state.surplus[i];
        after += state.pooled[i];
        if (pool.rule == PoolRule::kCover) {
          const std::int64_t given = state.surplus[i] - state.pooled[i];
          REQUIRE(given <= std::max<std::int64_t>(0, pool.cap_gbp[j]));
        }
      }
      REQUIRE(after == before);
    }
    const auto sum = [](const std::vector<std::int64_t>& v) {
      return std::accumulate(v.begin(), v.end(), std::int64_t{0});
    };
    REQUIRE(sum(state.pooled) == sum(state.surplus));
  }
}
