// Runs of several financial years ([horizon] years = N, a [year.LABEL]
// table per later year laid over the scenario; model/horizon.hpp,
// input/horizon.hpp): a deterministic three-year run against a hand
// calculation, a one-year horizon against the plain run, money conserved by
// risk sharing in every year, the year-to-year correlation of the latent
// factors, the consistency of the across-years outcomes, bit-identical
// results for any thread count and block size, and bad input refused with a
// message naming the key and the year. The commands on a three-year file as
// a user runs them: summary (--year), read_results_years against the
// in-process run, export (--year), report (--ccg), sweep against run_horizon
// point by point, calibrate refused, a checkpointed run killed and resumed,
// and mpirun against the single-process file.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "cli_fixture.hpp"
#include "engine/run.hpp"
#include "input/error.hpp"
#include "input/horizon.hpp"
#include "input/overrides.hpp"
#include "model/horizon.hpp"
#include "model/simd.hpp"
#include "model/trial.hpp"
#include "output/checkpoint_file.hpp"
#include "output/hdf5.hpp"
#include "output/results_reader.hpp"
#include "support.hpp"

using namespace ccgrisk;
using Catch::Contains;
using ccgrisk::test::checkpoint_position;
using ccgrisk::test::Child;
using ccgrisk::test::joined;
using ccgrisk::test::TempDir;
using ccgrisk::test::wait_for_checkpoint;
using ccgrisk::test::write_file;

namespace {

// A folder holding ccgs.csv and the scenario h.toml (parsed from memory).
struct Inputs {
  TempDir dir;
  CcgTable table;
  Scenario scenario;
  Inputs(const std::string& csv, const std::string& toml) {
    write_file(dir / "ccgs.csv", csv);
    table = read_ccg_table(dir / "ccgs.csv");
    scenario = parse(toml);
  }
  Scenario parse(const std::string& toml) const { return parse_scenario(toml, dir / "h.toml"); }
};

// ------------------------------------------------------- hand calculation

// Three CCGs: C01 on target, C02 10% under target (underfunding pressure,
// and the pace-of-change uplift), C03 3% over target with a CIP of 0.5%
// (its table cell, which every year keeps).
const std::string kHandCsv =
    "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,target_distance_pct,"
    "cip_pct\n"
    "C01,CCG One,A1,Area One,North,100000,0,\n"
    "C02,CCG Two,A1,Area One,North,200000,-10,\n"
    "C03,CCG Three,A2,Area Two,South,150000,3,0.5\n";

// Every sd zero: every trial is the same. [year.2014-15] lowers the funded
// acute growth to 1.5%; [year.2015-16] lowers the CIP default to 2% (C03
// keeps its 0.5% from the table).
const std::string kHandToml = R"([run]
trials = 8
seed = 11

[data]
ccgs = "ccgs.csv"

[plan]
surplus_pct = 1.0
contingency_pct = 0.5
nonrecurrent_pct = 2.0
nonrecurrent_uncommitted = 0.25
cip_pct = 3.0
spec_transfer_pct = 10.0
control_total_pct = 1.0

[mix]
acute = 0.50
specialist = 0.05
other = 0.45

[drivers.acute_growth]
mean = 0.03
sd = 0
funded = 0.02

[drivers.specialist_growth]
mean = 0.05
sd = 0
funded = 0.02

[drivers.other_growth]
mean = 0.03
sd = 0
funded = 0.03

[drivers.cip_delivery]
mean = 0.8
sd = 0

[drivers.transfer_mismatch]
mean = 0.01
sd = 0

[underfunding]
pressure_per_pct_under_target = 0.1

[[pressure]]
name = "Better Care Fund"
pct = 0.1

[horizon]
years = 3
first_year = "2013-14"
cip_recurrent_share = 0.75
gap_plan_share = 0.5

[allocation]
uplift_pct = 2.0
over_target_uplift_pct = 1.0
pace_threshold_pct = 1.0
pace_extra_per_pct = 0.5
max_uplift_pct = 4.0
target_growth_pct = 2.5

[recovery]
years = 2
max_pct = 0.5

[year.2014-15.drivers.acute_growth]
funded = 0.015

[year.2015-16.plan]
cip_pct = 2.0
)";

// GBP thousands settled in whole pounds, as the engine does (model/money.hpp
// to_pounds: to nearest, halves away from zero).
double pounds(double k) {
  return std::round(k * 1000.0) / 1000.0;
}

// The hand calculation of kHandToml, year by year (GBP thousands).
struct HandYear {
  std::vector<double> allocation, distance, planned, surplus, underlying, cumulative, carried,
      repay;
};

std::vector<HandYear> hand_calculation() {
  constexpr int kYears = 3, kCcgs = 3;
  // [mix] w_c and the growth drivers' means, acute / specialist / other.
  const double w[3] = {0.50, 0.05, 0.45};
  const double mean[3] = {0.03, 0.05, 0.03};
  // Funded growth by year: [year.2014-15] funds 1.5% acute growth; 2015-16
  // is the scenario's own again (each year's table is laid over the base).
  const double funded[kYears][3] = {{0.02, 0.02, 0.03}, {0.015, 0.02, 0.03}, {0.02, 0.02, 0.03}};
  // CIP % by year and CCG: C03's table cell (0.5) beats every [plan] default.
  const double cip_pct[kYears][kCcgs] = {{3.0, 3.0, 0.5}, {3.0, 3.0, 0.5}, {2.0, 2.0, 0.5}};
  const double d = 0.8;          // CIP delivery (sd 0: exactly the mean)
  const double mismatch = 0.01;  // transfer mismatch m
  const double kappa = 0.1;      // underfunding per % under target
  const double bcf_pct = 0.1;    // [[pressure]] on every CCG
  const double rho = 0.75;       // horizon.cip_recurrent_share
  const double theta = 0.5;      // horizon.gap_plan_share
  const double surplus_pct = 1.0, contingency_pct = 0.5, nonrecurrent_pct = 2.0, u = 0.25,
               transfer_pct = 10.0;
  const int recovery_years = 2;
  const double recovery_max_pct = 0.5;

  // Allocations: year 1 from the table; later years by the uplift rule
  // (AllocationGrowth): over target (distance > 0) 1%; otherwise 2% plus
  // 0.5 per % beyond 1% under target, at most 4% in all; the distance moves
  // as (1 + d') = (1 + d)(1 + uplift) / (1 + 2.5%).
  std::vector<HandYear> out(kYears);
  out[0].allocation = {100000.0, 200000.0, 150000.0};
  out[0].distance = {0.0, -10.0, 3.0};
  for (int y = 1; y < kYears; ++y)
    for (int i = 0; i < kCcgs; ++i) {
      const double last = out[y - 1].distance[i];
      const double up =
          last > 0.0 ? 1.0 : 2.0 + std::min(4.0 - 2.0, 0.5 * std::max(0.0, -last - 1.0));
      out[y].allocation.push_back(out[y - 1].allocation[i] * (1.0 + up / 100.0));
      out[y].distance.push_back(100.0 * ((1.0 + last / 100.0) * (1.0 + up / 100.0) / 1.025 - 1.0));
    }

  std::vector<double> carried(kCcgs, 0.0), repay(kCcgs, 0.0), cumulative(kCcgs, 0.0);
  for (int y = 0; y < kYears; ++y) {
    HandYear& h = out[y];
    h.carried = carried;
    h.repay = repay;
    std::vector<double> next_carried(kCcgs), next_repay(kCcgs);
    for (int i = 0; i < kCcgs; ++i) {
      const double a = h.allocation[i];
      // The plan: s, c, n, reserves M = c + u n, CIP P, transfer T, spend E = A - s.
      const double s = surplus_pct / 100.0 * a;
      const double c = contingency_pct / 100.0 * a;
      const double n = nonrecurrent_pct / 100.0 * a;
      const double reserves = c + u * n;
      const double cip = cip_pct[y][i] / 100.0 * a;
      const double transfer = transfer_pct / 100.0 * a;
      const double spend = a - s;
      // Pressure parts: growth B_c (mean - funded) with B_c = w_c E; CIP
      // shortfall P (1 - d); the transfer mismatch T m in the first year only
      // (later years carry it); local: underfunding kappa max(0, -dist)% A,
      // the named pressure, the carried gap less what the plan covers with
      // savings C (1 - theta d), and the undelivered repayment R (1 - d).
      double growth[3];
      for (int k = 0; k < 3; ++k)
        growth[k] = w[k] * spend * (mean[k] - funded[y][k]);
      const double shortfall = cip * (1.0 - d);
      const double transfer_part = y == 0 ? transfer * mismatch : 0.0;
      const double local = kappa * std::max(0.0, -h.distance[i]) / 100.0 * a + bcf_pct / 100.0 * a +
                           carried[i] * (1.0 - theta * d) + repay[i] * (1.0 - d);
      const double pressure = growth[0] + growth[1] + growth[2] + shortfall + transfer_part + local;
      // Mitigation from reserves; the repayment raises the planned surplus.
      const double mitigation = std::min(std::max(pressure, 0.0), reserves);
      const double surplus = pounds(s + repay[i] - pressure + mitigation);
      // Underlying: less the non-recurrent reserves used, the repayment
      // delivered and the non-recurrent savings delivered (on the CIP and on
      // the carried gap).
      const double underlying =
          surplus - std::max(0.0, pounds(mitigation - c)) -
          pounds((repay[i] + cip * (1.0 - rho) + theta * (1.0 - rho) * carried[i]) * d);
      cumulative[i] += surplus;
      h.planned.push_back(s);
      h.surplus.push_back(surplus);
      h.underlying.push_back(underlying);
      h.cumulative.push_back(cumulative[i]);
      if (y + 1 == kYears) continue;
      // Into the next year: the recurrent gap (the carried gap less the
      // recurrent savings on it, the year's growth parts, CIP shortfall and
      // transfer part as settled, and the non-recurrent CIP delivered), grown
      // by the next year's funded growth sum_c w_c funded_c; the repayment
      // of the cumulative deficit over recovery.years, at most
      // recovery.max_pct% of the next year's allocation.
      double grow = 0.0;
      for (int k = 0; k < 3; ++k)
        grow += w[k] * funded[y + 1][k];
      next_carried[i] =
          (carried[i] * (1.0 - theta * rho * d) + pounds(growth[0]) + pounds(growth[1]) +
           pounds(growth[2]) + pounds(shortfall) + pounds(transfer_part) + cip * (1.0 - rho) * d) *
          (1.0 + grow);
      next_repay[i] = cumulative[i] < 0.0
                          ? std::min(-cumulative[i] / recovery_years,
                                     recovery_max_pct / 100.0 * out[y + 1].allocation[i])
                          : 0.0;
    }
    carried = next_carried;
    repay = next_repay;
  }
  return out;
}

constexpr double kPound = 1.001e-3;  // GBP k: one pound, for settlement in whole pounds

// --------------------------------------------------------- random scenario

// Six CCGs in two regions and three area teams.
const std::string kCsv =
    "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,target_distance_pct\n"
    "C01,CCG One,A1,Area One,North,219307,-7.58\n"
    "C02,CCG Two,A1,Area One,North,193566,-6.24\n"
    "C03,CCG Three,A2,Area Two,North,117632,-1.2\n"
    "C04,CCG Four,A3,Area Three,South,165143,2.1\n"
    "C05,CCG Five,A3,Area Three,South,161062,\n"
    "C06,CCG Six,A3,Area Three,South,541520,0.5\n";

// The default drivers (every sd > 0), a "full" and a "cover" pool.
const std::string kBaseToml = R"([run]
trials = 1000
seed = 7

[data]
ccgs = "ccgs.csv"

[[pool]]
name = "North"
members = ["C01", "C02", "C03"]
rule = "full"

[[pool]]
name = "South"
members = ["C04", "C05"]
rule = "cover"
cap_pct = 1.5
)";

const std::string kHorizonToml = kBaseToml + R"(
[horizon]
years = 3
cip_recurrent_share = 0.8
gap_plan_share = 0.6

[horizon.year_correlation]
national = 0.5
region = 0.3
area_team = 0.2
own = 0.4

[allocation]
uplift_pct = 2.1
pace_threshold_pct = 1.0
pace_extra_per_pct = 0.3
max_uplift_pct = 3.5

[recovery]
years = 2
max_pct = 1.0

[year.2014-15.drivers.acute_growth]
mean = 0.03

[year.2015-16.pool.South]
cap_pct = 0.5
)";

// Exact equality, bit for bit (so NaN equals NaN).
bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}
template <class T, std::size_t N>
bool same_bits(const std::array<T, N>& a, const std::array<T, N>& b) {
  return std::memcmp(a.data(), b.data(), N * sizeof(T)) == 0;
}

void require_identical(const CcgStats& a, const CcgStats& b) {
  REQUIRE(same_bits(a.p_red, b.p_red));
  REQUIRE(same_bits(a.p_red_se, b.p_red_se));
  REQUIRE(same_bits(a.p_red_variance_ratio, b.p_red_variance_ratio));
  REQUIRE(same_bits(a.p_miss_control, b.p_miss_control));
  REQUIRE(same_bits(a.p_miss_control_se, b.p_miss_control_se));
  REQUIRE(same_bits(a.surplus_mean_k, b.surplus_mean_k));
  REQUIRE(same_bits(a.surplus_sd_k, b.surplus_sd_k));
  REQUIRE(same_bits(a.surplus_min_k, b.surplus_min_k));
  REQUIRE(same_bits(a.surplus_max_k, b.surplus_max_k));
  REQUIRE(same_bits(a.surplus_quantiles_k, b.surplus_quantiles_k));
  REQUIRE(same_bits(a.surplus_es05_k, b.surplus_es05_k));
  REQUIRE(same_bits(a.underlying_mean_k, b.underlying_mean_k));
  REQUIRE(same_bits(a.hist_resolution_k, b.hist_resolution_k));
  REQUIRE(same_bits(a.hist_counts, b.hist_counts));
  REQUIRE(same_bits(a.hist_edges_k, b.hist_edges_k));
}

void require_identical(const GroupStats& a, const GroupStats& b) {
  REQUIRE(a.code == b.code);
  REQUIRE(a.members == b.members);
  REQUIRE(same_bits(a.count_red_pmf, b.count_red_pmf));
  REQUIRE(same_bits(a.count_red_pmf_pooled, b.count_red_pmf_pooled));
  REQUIRE(same_bits(a.count_unplanned_red_pmf, b.count_unplanned_red_pmf));
  REQUIRE(same_bits(a.count_unplanned_red_pmf_pooled, b.count_unplanned_red_pmf_pooled));
  REQUIRE(same_bits(a.expected_red, b.expected_red));
  REQUIRE(same_bits(a.expected_red_pooled, b.expected_red_pooled));
  REQUIRE(same_bits(a.expected_red_se, b.expected_red_se));
  REQUIRE(same_bits(a.count_red_q05_q50_q95, b.count_red_q05_q50_q95));
  REQUIRE(same_bits(a.count_red_q05_q50_q95_pooled, b.count_red_q05_q50_q95_pooled));
  REQUIRE(same_bits(a.total_surplus_mean_k, b.total_surplus_mean_k));
  REQUIRE(same_bits(a.total_surplus_mean_pooled_k, b.total_surplus_mean_pooled_k));
  REQUIRE(same_bits(a.total_surplus_sd_k, b.total_surplus_sd_k));
  REQUIRE(same_bits(a.total_surplus_quantiles_k, b.total_surplus_quantiles_k));
  REQUIRE(same_bits(a.total_surplus_quantiles_pooled_k, b.total_surplus_quantiles_pooled_k));
  REQUIRE(same_bits(a.p_deficit, b.p_deficit));
  REQUIRE(same_bits(a.p_deficit_pooled, b.p_deficit_pooled));
}

void require_identical(const Results& a, const Results& b) {
  REQUIRE(same_bits(a.allocation_k, b.allocation_k));
  REQUIRE(same_bits(a.planned_surplus_k, b.planned_surplus_k));
  require_identical(a.before, b.before);
  require_identical(a.after, b.after);
  require_identical(a.national, b.national);
  const auto groups = [](const std::vector<GroupStats>& x, const std::vector<GroupStats>& y) {
    REQUIRE(x.size() == y.size());
    for (std::size_t g = 0; g < x.size(); ++g)
      require_identical(x[g], y[g]);
  };
  groups(a.regions, b.regions);
  groups(a.area_teams, b.area_teams);
  groups(a.pools, b.pools);
  REQUIRE(a.provenance.trials == b.provenance.trials);
  REQUIRE(a.provenance.trials_capped == b.provenance.trials_capped);
}

// Every point of a horizon run.
std::vector<const Results*> points_of(const HorizonResults& h) {
  std::vector<const Results*> out;
  for (const auto* list : {&h.years, &h.cumulative, &h.underlying, &h.red_by})
    for (const Results& r : *list)
      out.push_back(&r);
  out.push_back(&h.red_every);
  return out;
}

// Relative closeness for sums of many pounds.
bool close(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

// Pearson correlation of two samples.
double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t t = 0; t < x.size(); ++t) {
    sxy += (x[t] - mx) * (y[t] - my);
    sxx += (x[t] - mx) * (x[t] - mx);
    syy += (y[t] - my) * (y[t] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// The message of the InputError `f` throws ("" when it throws none).
template <class F>
std::string input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ===================================================== hand calculation

TEST_CASE("horizon: a deterministic three-year run equals the hand calculation", "[horizon]") {
  Inputs in(kHandCsv, kHandToml);
  const std::vector<HandYear> hand = hand_calculation();

  // The hand calculation itself, first year on paper (GBP k):
  //   C01: A 100,000, E 99,000; acute 0.5 x 99,000 x 1% = 495, specialist
  //        0.05 x 99,000 x 3% = 148.5, shortfall 3,000 x 0.2 = 600, transfer
  //        10,000 x 1% = 100, BCF 100: pressure 1,443.5 > M = 1,000;
  //        surplus 1,000 - 1,443.5 + 1,000 = 556.5; underlying 556.5 - 500
  //        - 3,000 x 0.25 x 0.8 = -543.5.
  //   C02: pressure 990 + 297 + 1,200 + 200 + underfunding 2,000 + 200 =
  //        4,887; surplus 2,000 - 4,887 + 2,000 = -887 (in the red);
  //        underlying -887 - 1,000 - 1,200 = -3,087.
  //   C03: pressure 742.5 + 222.75 + 150 + 150 + 150 = 1,415.25 < M = 1,500:
  //        reserves cover it, surplus 1,500; underlying 1,500 - 665.25 - 150
  //        = 684.75.
  CHECK(hand[0].surplus == std::vector<double>{556.5, -887.0, 1500.0});
  CHECK(hand[0].underlying == std::vector<double>{-543.5, -3087.0, 684.75});
  //   Carried into 2014-15, grown by 0.5 x 1.5% + 0.05 x 2% + 0.45 x 3% = 2.2%:
  //   C01 (495 + 148.5 + 600 + 100 + 3,000 x 0.25 x 0.8) x 1.022 = 1,986.257.
  CHECK(hand[1].carried[0] == Approx(1986.257).margin(1e-9));
  //   C02 repays half its deficit of 887 in 2014-15 ...
  CHECK(hand[1].repay == std::vector<double>{0.0, 443.5, 0.0});
  // ... and in 2015-16 at most 0.5% of its allocation (the cap binds).
  CHECK(hand[2].repay[1] == Approx(0.005 * hand[2].allocation[1]).epsilon(1e-15));
  CHECK(-hand[1].cumulative[1] / 2.0 > hand[2].repay[1]);
  // C01 falls into the red in 2014-15 and repays in 2015-16.
  CHECK(hand[1].cumulative[0] < 0.0);
  CHECK(hand[2].repay[0] > 0.0);
  // Allocations: C01 +2% (1% under target is the threshold), C02 +4% (the
  // cap), C03 +1% (over target).
  CHECK(hand[1].allocation[0] == Approx(102000.0).epsilon(1e-15));
  CHECK(hand[1].allocation[1] == Approx(208000.0).epsilon(1e-15));
  CHECK(hand[1].allocation[2] == Approx(151500.0).epsilon(1e-15));

  const HorizonResults r = run_horizon(in.scenario, in.table, RunOptions{1, 4});
  REQUIRE(r.labels == std::vector<std::string>{"2013-14", "2014-15", "2015-16"});
  REQUIRE(r.years.size() == 3);
  REQUIRE(r.cumulative.size() == 3);
  REQUIRE(r.underlying.size() == 3);
  REQUIRE(r.red_by.size() == 3);
  for (int y = 0; y < 3; ++y) {
    const HandYear& h = hand[y];
    const Results& year = r.years[y];
    for (std::size_t i = 0; i < 3; ++i) {
      INFO(r.labels[y] << ", CCG " << year.code[i]);
      CHECK(year.allocation_k[i] == Approx(h.allocation[i]).epsilon(1e-12));
      CHECK(year.planned_surplus_k[i] == Approx(h.planned[i]).epsilon(1e-12));
      CHECK(year.before.surplus_mean_k[i] == Approx(h.surplus[i]).margin(kPound));
      CHECK(year.before.surplus_sd_k[i] == 0.0);
      CHECK(year.before.underlying_mean_k[i] == Approx(h.underlying[i]).margin(kPound));
      CHECK(year.before.p_red[i] == (h.surplus[i] < 0.0 ? 1.0 : 0.0));
      // No pools: the outturn after risk sharing is the same.
      CHECK(year.after.surplus_mean_k[i] == year.before.surplus_mean_k[i]);
      CHECK(r.cumulative[y].before.surplus_mean_k[i] == Approx(h.cumulative[i]).margin(3 * kPound));
      CHECK(r.cumulative[y].before.p_red[i] == (h.cumulative[i] < 0.0 ? 1.0 : 0.0));
      CHECK(r.underlying[y].before.surplus_mean_k[i] == Approx(h.underlying[i]).margin(kPound));
      CHECK(r.underlying[y].before.surplus_mean_k[i] == year.before.underlying_mean_k[i]);
      // Red by this year: in the red in any year so far.
      bool red_by = false;
      for (int k = 0; k <= y; ++k)
        red_by = red_by || hand[k].surplus[i] < 0.0;
      CHECK(r.red_by[y].before.p_red[i] == (red_by ? 1.0 : 0.0));
    }
  }
  for (std::size_t i = 0; i < 3; ++i) {
    bool every = true;
    for (int y = 0; y < 3; ++y)
      every = every && hand[y].surplus[i] < 0.0;
    INFO("CCG " << r.years[0].code[i]);
    CHECK(r.red_every.before.p_red[i] == (every ? 1.0 : 0.0));
  }
  // The first year is the scenario as written: its distances from target.
  CHECK(r.years[0].allocation_k == std::vector<double>{100000.0, 200000.0, 150000.0});
}

// ====================================================== one year = plain

TEST_CASE("horizon: years = 1 gives the plain run's results bit for bit", "[horizon]") {
  Inputs in(kCsv, kBaseToml);
  const Scenario with = in.parse(kBaseToml + "\n[horizon]\nyears = 1\n");
  REQUIRE(with.horizon.years == 1);
  const Results plain = run_scenario(in.scenario, in.table, RunOptions{2, 256});
  const Results one = run_scenario(with, in.table, RunOptions{2, 256});
  require_identical(plain, one);
  CHECK(plain.before.p_red == one.before.p_red);
  CHECK(plain.before.surplus_quantiles_k == one.before.surplus_quantiles_k);
  CHECK(plain.national.count_red_pmf == one.national.count_red_pmf);
  CHECK(plain.after.p_red == one.after.p_red);

  // run_horizon on the one-year scenario: its one year is the plain run.
  const HorizonResults h = run_horizon(with, in.table, RunOptions{2, 256});
  REQUIRE(h.years.size() == 1);
  REQUIRE(h.labels == std::vector<std::string>{"2013-14"});
  require_identical(plain, h.years[0]);
}

// A later year's histograms are widened for what earlier years carry in, but
// not so much that the quantiles lose their resolution: over ten years every
// CCG keeps many fine bins between its 1% and 99% outturns (widening by the
// earlier years' widened spans had left none by the ninth year).
TEST_CASE("horizon: ten years keep every CCG's quantiles resolved", "[horizon]") {
  Inputs in(kCsv, kHorizonToml);
  std::string toml = kHorizonToml;
  toml.replace(toml.find("years = 3"), 9, "years = 10");
  const HorizonResults h = run_horizon(in.parse(toml), in.table, RunOptions{2, 256});
  REQUIRE(h.years.size() == 10);
  const std::size_t n = h.years.front().code.size();
  double fewest = 1e300;
  for (std::size_t y = 0; y < h.years.size(); ++y) {
    const CcgStats& s = h.years[y].before;
    for (std::size_t i = 0; i < n; ++i) {
      const double spread = s.surplus_quantiles_k[i * 9 + 8] - s.surplus_quantiles_k[i * 9];
      fewest = std::min(fewest, spread / s.hist_resolution_k[i]);
    }
  }
  CHECK(fewest >= 20);
}

// =========================================================== conservation

TEST_CASE("horizon: risk sharing conserves money in every year and in the cumulative",
          "[horizon]") {
  Inputs in(kCsv, kHorizonToml);
  const HorizonResults r = run_horizon(in.scenario, in.table, RunOptions{2, 256});
  REQUIRE(r.years.size() == 3);
  for (std::size_t y = 0; y < 3; ++y) {
    INFO(r.labels[y]);
    for (const Results* point : {&r.years[y], &r.cumulative[y]}) {
      const GroupStats& n = point->national;
      CHECK(close(n.total_surplus_mean_k, n.total_surplus_mean_pooled_k));
      // Within each pool too, and CCG by CCG summed.
      for (const GroupStats& pool : point->pools)
        CHECK(close(pool.total_surplus_mean_k, pool.total_surplus_mean_pooled_k));
      const double before = std::accumulate(point->before.surplus_mean_k.begin(),
                                            point->before.surplus_mean_k.end(), 0.0);
      const double after = std::accumulate(point->after.surplus_mean_k.begin(),
                                           point->after.surplus_mean_k.end(), 0.0);
      CHECK(close(before, after));
      CHECK(close(before, n.total_surplus_mean_k));
    }
    // The pools moved money (the check is not empty).
    CHECK(r.years[y].after.surplus_mean_k != r.years[y].before.surplus_mean_k);
  }

  // Trial by trial, to the pound, in every year's and cumulative point.
  const std::vector<Scenario> scenarios = year_scenarios(in.scenario);
  const HorizonModel h = build_horizon(scenarios, in.table);
  const int years = h.count(), points = horizon_points(years);
  std::vector<TrialState> states;
  for (int p = 0; p < points; ++p)
    states.emplace_back(h.years[horizon_point_year(years, p)]);
  const auto sum = [](const std::vector<std::int64_t>& v) {
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
  };
  for (std::int64_t trial = 0; trial < 500; ++trial) {
    simulate_horizon_trial(h, 7, trial, states);
    for (int y = 0; y < years; ++y)
      for (const HorizonPoint kind : {HorizonPoint::kYear, HorizonPoint::kCumulative}) {
        const TrialState& s = states[horizon_point(years, kind, y)];
        REQUIRE(sum(s.pooled) == sum(s.surplus));
        for (const PoolModel& pool : h.years[y].pools) {
          std::int64_t before = 0, after = 0;
          for (int i : pool.members)
            before += s.surplus[i], after += s.pooled[i];
          REQUIRE(before == after);
        }
      }
  }
}

// ============================================ year-to-year correlation

TEST_CASE("horizon: the national factor persists with year_correlation.national", "[horizon]") {
  Inputs in(kCsv, R"([run]
trials = 10

[data]
ccgs = "ccgs.csv"

[correlation]
national = 0.6
region = 0.1
area_team = 0.1

[horizon]
years = 3

[horizon.year_correlation]
national = 0.6
)");
  const HorizonModel h = build_horizon(year_scenarios(in.scenario), in.table);
  const int years = h.count(), points = horizon_points(years);
  REQUIRE(years == 3);
  CHECK(h.phi[0] == 0.6);
  CHECK(h.phi[1] == 0.0);
  CHECK(h.phi[2] == 0.0);
  CHECK(h.phi[3] == 0.0);
  std::vector<TrialState> states;
  for (int p = 0; p < points; ++p)
    states.emplace_back(h.years[horizon_point_year(years, p)]);
  constexpr int kTrials = 20000;
  std::vector<std::vector<double>> x(years), cip(years);
  for (std::int64_t trial = 0; trial < kTrials; ++trial) {
    simulate_horizon_trial(h, 20130401, trial, states);
    for (int y = 0; y < years; ++y) {
      x[y].push_back(states[y].national[0]);
      cip[y].push_back(states[y].national[kCipDelivery]);
    }
  }
  // Standard error of a correlation r: about (1 - r^2) / sqrt(N).
  const auto within = [&](double r, double expected) {
    INFO("r = " << r << ", expected " << expected);
    CHECK(std::abs(r - expected) < 4.0 * (1.0 - expected * expected) / std::sqrt(kTrials));
  };
  within(pearson(x[0], x[1]), 0.6);
  within(pearson(x[1], x[2]), 0.6);
  within(pearson(x[0], x[2]), 0.36);  // two steps: phi^2
  within(pearson(cip[0], cip[1]), 0.6);
  // Each year's factor is still a standard normal.
  for (int y = 0; y < years; ++y) {
    const double mean = std::accumulate(x[y].begin(), x[y].end(), 0.0) / kTrials;
    double var = 0.0;
    for (double v : x[y])
      var += (v - mean) * (v - mean);
    var /= kTrials - 1;
    INFO("year " << y << ": mean " << mean << ", variance " << var);
    CHECK(std::abs(mean) < 4.0 / std::sqrt(kTrials));
    CHECK(std::abs(var - 1.0) < 4.0 * std::sqrt(2.0 / kTrials));
  }
}

// ======================================================= across years

TEST_CASE("horizon: red in any year, every year and the first red year are consistent",
          "[horizon]") {
  Inputs in(kCsv, kHorizonToml);
  const HorizonResults r = run_horizon(in.scenario, in.table, RunOptions{2, 256});
  const std::size_t years = r.years.size(), n = r.years[0].code.size();
  REQUIRE(years == 3);
  bool some_red = false;
  for (const bool pooled : {false, true}) {
    const auto stats = [&](const Results& x) -> const CcgStats& {
      return pooled ? x.after : x.before;
    };
    for (std::size_t i = 0; i < n; ++i) {
      INFO((pooled ? "after" : "before") << " risk sharing, CCG " << r.years[0].code[i]);
      double most = 0.0, least = 1.0;
      for (std::size_t y = 0; y < years; ++y) {
        const double p = stats(r.years[y]).p_red[i];
        most = std::max(most, p);
        least = std::min(least, p);
        // Red by year y: at least red in year y, and no less than by year y - 1.
        CHECK(stats(r.red_by[y]).p_red[i] >= p);
        if (y > 0) CHECK(stats(r.red_by[y]).p_red[i] >= stats(r.red_by[y - 1]).p_red[i]);
      }
      some_red = some_red || most > 0.0;
      const double any = stats(r.red_by.back()).p_red[i];
      const double every = stats(r.red_every).p_red[i];
      CHECK(any >= most);
      CHECK(every <= least);
      CHECK(every <= any);
      // P(first in the red in year y) = P(red by y) - P(red by y - 1); last: never.
      std::vector<double> first;
      double before = 0.0;
      for (std::size_t y = 0; y < years; ++y) {
        const double by = stats(r.red_by[y]).p_red[i];
        first.push_back(by - before);
        before = by;
      }
      first.push_back(1.0 - before);
      for (double p : first) {
        CHECK(p >= -1e-12);
        CHECK(p <= 1.0 + 1e-12);
      }
      CHECK(std::abs(std::accumulate(first.begin(), first.end(), 0.0) - 1.0) <= 1e-12);
    }
  }
  CHECK(some_red);  // the checks above are not all of zeros
}

// ========================================================= reproducible

TEST_CASE("horizon: results are bit-identical for any thread count and block size", "[horizon]") {
  Inputs in(kCsv, kHorizonToml);
  const HorizonResults reference = run_horizon(in.scenario, in.table, RunOptions{1, 1024});
  const int threads = GENERATE(1, 2, 3);
  const std::int64_t block = GENERATE(std::int64_t{1}, std::int64_t{77}, std::int64_t{1024});
  CAPTURE(threads, block);
  const HorizonResults r = run_horizon(in.scenario, in.table, RunOptions{threads, block});
  REQUIRE(r.labels == reference.labels);
  const std::vector<const Results*> a = points_of(reference), b = points_of(r);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() == 4 * 3 + 1);
  for (std::size_t p = 0; p < a.size(); ++p) {
    INFO("point " << p);
    require_identical(*a[p], *b[p]);
  }
}

TEST_CASE("horizon: hubs are tallied for each year and the cumulative overspend, no other point",
          "[horizon]") {
  const std::string hubs =
      "\n[[hub]]\nname = \"H1\"\nbudget_k = 300000\ncip_pct = 2.0\n"
      "[[hub]]\nname = \"H2\"\nbudget_k = 200000\ncip_pct = 2.0\nshift_pct = 1.0\n";
  Inputs in(kCsv, kHorizonToml + hubs);
  const HorizonResults r = run_horizon(in.scenario, in.table, RunOptions{2, 100});
  REQUIRE(r.years.size() == 3);
  double cumulative = 0.0;
  for (int y = 0; y < 3; ++y) {
    INFO(r.labels[y]);
    CHECK(r.years[y].hubs.size() == 2);
    CHECK(r.cumulative[y].hubs.size() == 2);
    // The underlying, red-by and red-every points report no hubs.
    CHECK(r.underlying[y].hubs.empty());
    if (y > 0) CHECK(r.red_by[y].hubs.empty());
    // The cumulative overspend's mean is the sum of the years' (exact
    // sums of pounds over the same trials).
    cumulative += r.years[y].specialised.overspend_mean_k;
    CHECK(r.cumulative[y].specialised.overspend_mean_k == Approx(cumulative).epsilon(1e-12));
    REQUIRE(r.years[y].horizon);
    CHECK(r.years[y].horizon->specialised_cumulative_mean_k ==
          r.cumulative[y].specialised.overspend_mean_k);
  }
  CHECK(r.red_every.hubs.empty());
}

TEST_CASE("horizon: the baseline and x86-64-v4 loops give the same run", "[horizon][simd]") {
  if (!simd_supported(SimdPath::kX86_64_V4)) {
    WARN("this CPU has no x86-64-v4 (AVX-512): only the baseline path can run here");
    return;
  }
  Inputs in(kCsv, kHorizonToml);
  const SimdPath before = simd_path();
  set_simd_path(SimdPath::kBaseline);
  const HorizonResults base = run_horizon(in.scenario, in.table, RunOptions{1, 1024});
  set_simd_path(SimdPath::kX86_64_V4);
  const HorizonResults v4 = run_horizon(in.scenario, in.table, RunOptions{1, 1024});
  set_simd_path(before);
  const std::vector<const Results*> a = points_of(base), b = points_of(v4);
  REQUIRE(a.size() == b.size());
  for (std::size_t p = 0; p < a.size(); ++p) {
    INFO("point " << p);
    require_identical(*a[p], *b[p]);
  }
}

// ============================================================ bad input

TEST_CASE("horizon: bad horizon and year-table input is refused, naming key and year",
          "[horizon][input]") {
  Inputs in(kCsv, kBaseToml);
  const auto refused = [&](const std::string& toml) {
    return input_error([&] { year_scenarios(in.parse(toml)); });
  };
  const std::string three = kBaseToml + "\n[horizon]\nyears = 3\nfirst_year = \"2013-14\"\n";

  SECTION("years out of range") {
    for (const char* years : {"0", "11"}) {
      INFO("years = " << years);
      CHECK_THAT(refused(kBaseToml + "\n[horizon]\nyears = " + years + "\n"),
                 Contains("horizon.years"));
    }
    CHECK(refused(kBaseToml + "\n[horizon]\nyears = 10\n").empty());
  }
  SECTION("a year after the run") {
    const std::string message = refused(three + "\n[year.2016-17.plan]\ncip_pct = 2.0\n");
    CHECK_THAT(message, Contains("year.2016-17"));
    CHECK_THAT(message, Contains("2015-16"));
    // And through run_horizon.
    CHECK_THAT(input_error([&] {
                 run_horizon(in.parse(three + "\n[year.2016-17.plan]\ncip_pct = 2.0\n"), in.table,
                             RunOptions{1, 1024});
               }),
               Contains("year.2016-17"));
  }
  SECTION("the first year's own table") {
    CHECK_THAT(refused(three + "\n[year.2013-14.plan]\ncip_pct = 2.0\n"), Contains("year.2013-14"));
  }
  SECTION("a later year's table in a one-year run") {
    const std::string message =
        refused(kBaseToml + "\n[horizon]\nyears = 1\n\n[year.2014-15.plan]\ncip_pct = 2.0\n");
    CHECK_THAT(message, Contains("year.2014-15"));
    CHECK_THAT(message, Contains("horizon.years = 1"));
  }
  SECTION("a section that cannot vary by year") {
    const std::string message = refused(three + "\n[year.2014-15.run]\ntrials = 5\n");
    CHECK_THAT(message, Contains("year.2014-15.run"));
    CHECK_THAT(message, Contains("cannot be set per year"));
  }
  SECTION("a value the scenario reader refuses, in a year") {
    const std::string message = refused(three + "\n[year.2014-15.plan]\ncip_pct = 200\n");
    CHECK_THAT(message, Contains("plan.cip_pct"));
    CHECK_THAT(message, Contains("2014-15"));
  }
  SECTION("a pool's members cannot change") {
    CHECK_THAT(refused(three + "\n[year.2014-15.pool.North]\nmembers = [\"C01\"]\n"),
               Contains("members"));
    CHECK_THAT(refused(three + "\n[year.2014-15.pool.East]\ncap_pct = 1.0\n"), Contains("East"));
  }
  SECTION("first_year is not a financial year") {
    CHECK_THAT(refused(kBaseToml + "\n[horizon]\nyears = 2\nfirst_year = \"2013-15\"\n"),
               Contains("horizon.first_year"));
  }
  SECTION("precision on demand in a run of several years") {
    std::string with = three;
    with.replace(with.find("seed = 7"), 8, "seed = 7\ntarget_se = 0.01");
    CHECK_THAT(refused(with), Contains("run.target_se") && Contains("one-year runs"));
  }
  SECTION("a run whose years would end after 9999-00") {
    CHECK_THAT(refused(kBaseToml + "\n[horizon]\nyears = 10\nfirst_year = \"9995-96\"\n"),
               Contains("horizon.first_year") && Contains("after 9999-00"));
    CHECK(refused(kBaseToml + "\n[horizon]\nyears = 5\nfirst_year = \"9995-96\"\n").empty());
  }
  SECTION("pools are not added, dropped or replaced in a year") {
    const std::string message = refused(
        three + "\n[[year.2014-15.pool]]\nname = \"North\"\nmembers = [\"C01\", \"C02\"]\n");
    CHECK_THAT(message, Contains("year.2014-15.pool") && Contains("same in every year"));
  }
  SECTION("keys only the first year reads") {
    for (const char* table :
         {"[year.2014-15.recovery]\nyears = 1\n", "[year.2014-15.plan]\nspec_transfer_pct = 5\n",
          "[year.2014-15.drivers.transfer_mismatch]\nmean = 0.5\n",
          "[year.2015-16.ccg.C01]\ntransfer_mismatch_k = 5\n",
          "[year.2015-16.ccg.C01]\nspec_transfer_pct = 5\n",
          "[year.2014-15.ccg.C01]\ntarget_distance_pct = -3\n"}) {
      INFO(table);
      CHECK_THAT(refused(three + "\n" + table), Contains("not read after the first year"));
    }
  }
  SECTION("a valid table is accepted") {
    const std::vector<Scenario> years =
        year_scenarios(in.parse(three + "\n[year.2015-16.plan]\ncip_pct = 2.0\n"));
    REQUIRE(years.size() == 3);
    CHECK(years[0].plan.cip_pct == 3.0);
    CHECK(years[1].plan.cip_pct == 3.0);
    CHECK(years[2].plan.cip_pct == 2.0);
  }
}

// ================================================================== CLI

namespace {

// The CLI fixture's scenario made a three-year run.
std::string three_year_cli_scenario() {
  return ccgrisk::test::cli::kValidScenario + "\n[horizon]\nyears = 3\n";
}

// The same with a year table: 2014-15 plans CIP of 2.5%.
std::string with_year_table() {
  return three_year_cli_scenario() + "\n[year.2014-15.plan]\ncip_pct = 2.5\n";
}

}  // namespace

TEST_CASE("horizon cli: a three-year run writes its file", "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = with_year_table();
  const ccgrisk::test::CliResult r = c.run("--quiet");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitOk);
  CHECK(fs::is_regular_file(c.out_path()));
  CHECK(c.leftovers({kOutName}).empty());
}

TEST_CASE("horizon cli: a --set of a key that a year table sets warns that the table wins there",
          "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = with_year_table();
  const ccgrisk::test::CliResult r = c.run("--quiet --set plan.cip_pct=2");
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitOk);
  CHECK_THAT(r.err, Contains("ccgrisk: warning: --set plan.cip_pct=2 applies to 2013-14, "
                             "2015-16 only: [year.2014-15] in "));
  // As the warning says: the override in the other years, the table's value in its own.
  const Scenario s =
      scenario_with_overrides(c.scenario, c.scenario_path(), {Override{"plan.cip_pct", "2"}});
  const std::vector<Scenario> years = year_scenarios(s);
  REQUIRE(years.size() == 3);
  CHECK(years[0].plan.cip_pct == 2.0);
  CHECK(years[1].plan.cip_pct == 2.5);
  CHECK(years[2].plan.cip_pct == 2.0);
  // A key no year table sets: no warning.
  const ccgrisk::test::CliResult quiet = c.run("--quiet --set plan.surplus_pct=1.5");
  CHECK(quiet.exit_code == kExitOk);
  CHECK_THAT(quiet.err, !Contains("warning"));
}

TEST_CASE("horizon cli: a --set that changes no year of the run warns so", "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  SECTION("allocation, recovery and horizon keys in a one-year run") {
    Case c;
    c.scenario = kValidScenario;
    for (const std::string key :
         {"allocation.uplift_pct=3", "recovery.years=2", "horizon.year_correlation.own=0.5"}) {
      const ccgrisk::test::CliResult r = c.run("--quiet --set " + key);
      INFO(key << "\nstderr: " << r.err);
      CHECK(r.exit_code == kExitOk);
      CHECK_THAT(r.err, Contains("ccgrisk: warning: --set " + key +
                                 " changes nothing in a one-year run (horizon.years = 1)"));
    }
    // horizon.years itself makes the run longer: no warning.
    CHECK_THAT(c.run("--quiet --set horizon.years=1").err, !Contains("warning"));
  }
  SECTION("an allocation key every later year's table sets") {
    Case c;
    c.scenario = three_year_cli_scenario() +
                 "\n[year.2014-15.allocation]\nuplift_pct = 2\n"
                 "[year.2015-16.allocation]\nuplift_pct = 2\n";
    const ccgrisk::test::CliResult r = c.run("--quiet --set allocation.uplift_pct=5");
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == kExitOk);
    CHECK_THAT(r.err, Contains("ccgrisk: warning: --set allocation.uplift_pct=5 changes no year "
                               "of this run: [year.2014-15], [year.2015-16] in "));
    CHECK_THAT(r.err, Contains(", and 2013-14 does not read it"));
    // One later year without a table: the override applies there, and only there.
    c.scenario = three_year_cli_scenario() + "\n[year.2015-16.allocation]\nuplift_pct = 2\n";
    const ccgrisk::test::CliResult one = c.run("--quiet --set allocation.uplift_pct=5");
    CHECK_THAT(one.err, Contains("--set allocation.uplift_pct=5 applies to 2014-15 only: "
                                 "[year.2015-16] in "));
  }
}

TEST_CASE("horizon cli: a bad year table exits 2 and writes no file", "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  SECTION("a year after the run") {
    Case c;
    c.scenario = three_year_cli_scenario() + "\n[year.2016-17.plan]\ncip_pct = 2.5\n";
    check_rejected(c, c.run(), {"year.2016-17"});
  }
  SECTION("a value out of range in a year") {
    Case c;
    c.scenario = three_year_cli_scenario() + "\n[year.2014-15.plan]\ncip_pct = 200\n";
    check_rejected(c, c.run(), {"plan.cip_pct", "2014-15"});
  }
  SECTION("a section that cannot vary by year") {
    Case c;
    c.scenario = three_year_cli_scenario() + "\n[year.2014-15.run]\ntrials = 5\n";
    check_rejected(c, c.run(), {"year.2014-15.run", "cannot be set per year"});
  }
  SECTION("a year table set on the command line names the --set") {
    Case c;
    c.scenario = three_year_cli_scenario();
    check_rejected(
        c, c.run("--set year.2016-17.plan.cip_pct=1"),
        {"year.2016-17", "(set on the command line by --set year.2016-17.plan.cip_pct=1)"});
  }
  SECTION("a bad year table fails the stress commands before any run") {
    Case c;
    c.scenario = three_year_cli_scenario() + "\n[year.2014-15.plan]\ncip_pct = 200\n";
    check_rejected(c,
                   c.run_args("sweep " + ccgrisk::test::quote(c.scenario_path()) +
                              " --param plan.cip_pct --from 2 --to 3 --steps 2 -q -o " +
                              ccgrisk::test::quote(c.out_path())),
                   {"plan.cip_pct", "2014-15"});
  }
}

// The scenario reader refuses a [year.LABEL] table in a one-year run, so
// every command does.
TEST_CASE("horizon cli: a year table in a one-year run exits 2 and writes no file",
          "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = kValidScenario + "\n[year.2014-15.plan]\ncip_pct = 2.5\n";
  check_rejected(c, c.run(), {"year.2014-15"});
}

// ================================================= commands on a 3-year file

// summary, export, report, sweep, calibrate, checkpoint and mpirun on the CLI
// fixture's three-year run (2013-14 to 2015-16), as a user runs them.

namespace {

const std::vector<std::string> kLabels = {"2013-14", "2014-15", "2015-16"};

// A folder holding the three-year scenario (s.toml, ccgs.csv) and its
// results file OUT.h5, written by `ccgrisk run`.
struct ThreeYearFile {
  ccgrisk::test::cli::Case c;
  explicit ThreeYearFile(const std::string& extra = "--quiet") {
    c.scenario = three_year_cli_scenario();
    const ccgrisk::test::CliResult r = c.run(extra);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == ccgrisk::test::cli::kExitOk);
  }
  std::filesystem::path path() const { return c.out_path(); }
  std::string file() const { return ccgrisk::test::quote(path().string()); }
  std::filesystem::path operator/(const std::string& name) const { return c.dir / name; }
};

// The same run in this process (the scenario as the CLI reads it).
HorizonResults run_in_process(const Scenario& scenario) {
  return run_horizon(scenario, read_ccg_table(scenario.ccgs), RunOptions{2, 256});
}

// A CSV file: its header, and its columns by header.
struct CsvFile {
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> columns;
  std::size_t rows = 0;

  explicit CsvFile(const std::filesystem::path& path) {
    const auto records = ccgrisk::test::parse_csv(ccgrisk::test::read_file(path));
    REQUIRE(!records.empty());
    header = records.front();
    rows = records.size() - 1;
    for (std::size_t r = 1; r < records.size(); ++r) {
      REQUIRE(records[r].size() == header.size());
      for (std::size_t j = 0; j < header.size(); ++j)
        columns[header[j]].push_back(records[r][j]);
    }
  }
  bool has(const std::string& name) const { return columns.contains(name); }
  // Column `name` as numbers (the export writes each in its shortest exact form).
  std::vector<double> numbers(const std::string& name) const {
    INFO("column " << name);
    REQUIRE(has(name));
    std::vector<double> out;
    for (const std::string& cell : columns.at(name)) {
      double x = 0.0;
      const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), x);
      INFO("cell '" << cell << "'");
      REQUIRE(ec == std::errc());
      REQUIRE(end == cell.data() + cell.size());
      out.push_back(x);
    }
    return out;
  }
};

// The names in a folder, sorted.
std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The first number after `label` at the start of a line of `text` (NaN if none).
double number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.find("\n" + label);
  if (at == std::string::npos) return std::nan("");
  return std::strtod(text.c_str() + at + 1 + label.size(), nullptr);
}

// "%.2f" of x, as the summary prints it.
std::string two_places(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

// The Python the report uses ($CCGRISK_PYTHON, else Debian's), when it can
// import what the report needs.
std::string report_python() {
  const char* env = std::getenv("CCGRISK_PYTHON");
  const std::string python = env != nullptr && *env != '\0' ? env : "/usr/bin/python3";
  if (env == nullptr && !std::filesystem::exists(python)) return "";
  const std::string cmd =
      ccgrisk::test::quote(python) + " -c 'import h5py, numpy, matplotlib' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0 ? python : "";
}

}  // namespace

TEST_CASE("horizon cli: summary shows the years side by side, and one year with --year",
          "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  const ThreeYearFile f;

  SECTION("the years side by side") {
    const ccgrisk::test::CliResult r = ccgrisk::test::run_cli("summary " + f.file());
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == kExitOk);
    CHECK_THAT(r.out, Contains("Year by year (2013-14 to 2015-16"));
    for (const std::string& label : kLabels)
      CHECK_THAT(r.out, Contains("\n  " + label + "  "));  // a row of the table
    CHECK_THAT(r.out, Contains("in the red in any year"));
    // The top list's first red year comes with its chance, from the file's pmf.
    CHECK_THAT(r.out, Contains("  first red: the year most likely to be the first in the red"));
    {
      const Results last = read_results_file(f.path(), true, 2);
      const HorizonYear& h = *last.horizon;
      const std::size_t columns = h.labels.size() + 1;
      std::size_t top = 0;  // the list's first row: the largest P(any year), first of ties
      for (std::size_t i = 1; i < last.code.size(); ++i)
        if (h.p_red_any_year[0][i] > h.p_red_any_year[0][top]) top = i;
      const double* first = h.first_red_year_pmf[0].data() + top * columns;
      const std::size_t most =
          static_cast<std::size_t>(std::max_element(first, first + h.labels.size()) - first);
      char tail[64];
      std::snprintf(tail, sizeof tail, "  %s %5.3f\n", h.labels[most].c_str(), first[most]);
      const std::size_t row = r.out.find("\n  " + last.code[top] + " ",
                                         r.out.find("Most likely to be in the red in some year"));
      REQUIRE(row != std::string::npos);
      CHECK(r.out.substr(row, r.out.find('\n', row + 1) - row + 1).ends_with(tail));
    }
    // The first year's one-year summary comes first, under its year.
    CHECK(r.out.find("CCGs in the red at the end of 2013-14 ") < r.out.find("expected number"));
    CHECK(r.out.find("expected number") < r.out.find("Year by year"));
    // The rate counts every CCG's every year: trials x CCGs x 3 / wall time.
    const Results first = read_results_file(f.path(), true, 0);
    const Provenance& p = first.provenance;
    const double millions = static_cast<double>(p.trials) * static_cast<double>(first.code.size()) *
                            3.0 / p.wall_seconds / 1e6;
    char rate[64];
    std::snprintf(rate, sizeof rate,
                  millions >= 1 ? " s wall, %.1f million CCG-years/s\n"
                                : " s wall, %.2g million CCG-years/s\n",
                  millions);
    CHECK_THAT(r.out, Contains(rate));
  }

  SECTION("--year 2014-15: that year's one-year summary") {
    const ccgrisk::test::CliResult r =
        ccgrisk::test::run_cli("summary " + f.file() + " --year 2014-15");
    INFO("stderr: " << r.err);
    INFO("stdout: " << r.out);
    REQUIRE(r.exit_code == kExitOk);
    CHECK_THAT(r.out, !Contains("Year by year"));
    // The summary names its year, not only the run's first.
    CHECK_THAT(r.out, Contains("  year 2014-15 of a run of 3 years, 2013-14 to 2015-16\n"));
    CHECK_THAT(r.out, Contains("CCGs in the red at the end of 2014-15 "));
    const Results year = read_results_file(f.path(), true, 1);
    REQUIRE(year.horizon);
    CHECK(year.horizon->year == 1);
    const double shown = number_after(r.out, "  expected number");
    REQUIRE(std::isfinite(shown));
    CHECK(two_places(shown) == two_places(year.national.expected_red));
    // Not the first year's (the check can tell the years apart).
    const Results first = read_results_file(f.path(), true, 0);
    CHECK(two_places(first.national.expected_red) != two_places(year.national.expected_red));
  }

  SECTION("--year 2016-17, after the run: exit 2 naming --year") {
    const ccgrisk::test::CliResult r =
        ccgrisk::test::run_cli("summary " + f.file() + " --year 2016-17");
    INFO("stdout: " << r.out);
    CHECK(r.exit_code == kExitBadInput);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
    CHECK_THAT(r.err, Contains("--year") && Contains("2016-17"));
  }
}

TEST_CASE("horizon cli: summary --year names the year the published figures were checked on",
          "[horizon][cli]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = three_year_cli_scenario();
  write_file(c.dir / "targets.toml",
             "[[target]]\nname = \"red\"\nstatistic = \"expected_red\"\n"
             "group = \"national\"\nvalue = 1\ntolerance = 0.4\n");
  const ccgrisk::test::CliResult run =
      c.run("--quiet --targets " + ccgrisk::test::quote(c.dir / "targets.toml"));
  INFO("stderr: " << run.err);
  REQUIRE(run.exit_code == kExitOk);
  for (const std::string extra : {"", " --year 2015-16"}) {
    const ccgrisk::test::CliResult r =
        ccgrisk::test::run_cli("summary " + ccgrisk::test::quote(c.out_path()) + extra);
    INFO("summary" << extra << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == kExitOk);
    // The targets are checked on the first year, whichever year is shown.
    CHECK_THAT(r.out,
               Contains("Against the published figures (recorded in the results file), 2013-14\n"));
  }
}

TEST_CASE("horizon cli: read_results_years gives the in-process run's years bit for bit",
          "[horizon][cli]") {
  const ThreeYearFile f;
  const std::vector<Results> years = read_results_years(f.path());
  const HorizonResults h = run_in_process(load_scenario(f.c.scenario_path()));
  REQUIRE(years.size() == 3);
  REQUIRE(h.years.size() == 3);
  REQUIRE(h.labels == kLabels);
  for (std::size_t y = 0; y < 3; ++y) {
    INFO("year " << kLabels[y]);
    CHECK(same_bits(years[y].before.p_red, h.years[y].before.p_red));
    CHECK(same_bits(years[y].after.p_red, h.years[y].after.p_red));
    REQUIRE(years[y].horizon);
    const HorizonYear& hy = *years[y].horizon;
    CHECK(hy.year == static_cast<int>(y));
    CHECK(hy.labels == kLabels);
    // In the red in any year, over the whole run: the last red_by point.
    CHECK(same_bits(hy.p_red_any_year[0], h.red_by.back().before.p_red));
    CHECK(same_bits(hy.p_red_any_year[1], h.red_by.back().after.p_red));
    // And so far, to the end of this year.
    CHECK(same_bits(hy.p_red_by_year[0], h.red_by[y].before.p_red));
    // The bin widths behind the cumulative and underlying quantiles.
    CHECK(same_bits(hy.cumulative_resolution_k, h.cumulative[y].before.hist_resolution_k));
    CHECK(same_bits(hy.underlying_resolution_k, h.underlying[y].before.hist_resolution_k));
    CHECK(!hy.underlying_resolution_k.empty());
  }
  // The file's probabilities are not all alike (the checks above can fail).
  CHECK(years[0].before.p_red != years[1].before.p_red);
}

TEST_CASE("horizon cli: export writes the years tables, then one year's tables suffixed",
          "[horizon][cli][export]") {
  using namespace ccgrisk::test::cli;
  const ThreeYearFile f;
  const std::vector<Results> years = read_results_years(f.path());
  REQUIRE(years.size() == 3);
  const HorizonYear& last = *years.back().horizon;

  SECTION("the first year by default") {
    const fs::path dir = f / "tables";
    const ccgrisk::test::CliResult r =
        ccgrisk::test::run_cli("export " + f.file() + " --csv " + ccgrisk::test::quote(dir));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == kExitOk);
    const std::vector<std::string> names = names_in(dir);
    INFO("files: " << Catch::Detail::stringify(names));
    for (const char* name :
         {"years.csv", "ccg_years.csv", "ccg_2013-14.csv", "ccg_pooled_2013-14.csv",
          "national_2013-14.csv", "region_2013-14.csv", "provenance_2013-14.csv"})
      CHECK(std::find(names.begin(), names.end(), name) != names.end());
    // Every other table is the first year's, suffixed.
    for (const std::string& name : names)
      if (name != "years.csv" && name != "ccg_years.csv") CHECK(ends_with(name, "_2013-14.csv"));

    // years.csv: England, one row per year.
    const CsvFile by_year(dir / "years.csv");
    CHECK(by_year.rows == 3);
    CHECK(by_year.columns.at("year") == kLabels);
    const std::vector<double> expected_red = by_year.numbers("expected_red (CCGs)");
    for (std::size_t y = 0; y < 3; ++y)
      CHECK(same_bits(expected_red[y], years[y].national.expected_red));

    // ccg_years.csv: per CCG, P(red) each year and in any year, as the file holds.
    const CsvFile ccg(dir / "ccg_years.csv");
    CHECK(ccg.rows == years[0].code.size());
    CHECK(ccg.columns.at("code") == years[0].code);
    for (std::size_t y = 0; y < 3; ++y) {
      const std::string column = "p_red " + kLabels[y] + " (probability)";
      INFO(column);
      CHECK(same_bits(ccg.numbers(column), years[y].before.p_red));
    }
    CHECK(same_bits(ccg.numbers("p_red_any_year (probability)"), last.p_red_any_year[0]));
    CHECK(same_bits(ccg.numbers("p_red_any_year_pooled (probability)"), last.p_red_any_year[1]));
    CHECK(same_bits(ccg.numbers("p_red_every_year (probability)"), last.p_red_every_year[0]));

    // The first year's CCG table: that year's P(red).
    CHECK(same_bits(CsvFile(dir / "ccg_2013-14.csv").numbers("p_red (probability)"),
                    years[0].before.p_red));
    // The provenance gives the file's schema, 1.1 for a run of several years.
    CHECK_THAT(ccgrisk::test::read_file(dir / "provenance_2013-14.csv"),
               Contains("\nschema_version,1.1\r\n"));
  }

  SECTION("--year 2015-16") {
    const fs::path dir = f / "tables";
    const ccgrisk::test::CliResult r = ccgrisk::test::run_cli(
        "export " + f.file() + " --year 2015-16 --csv " + ccgrisk::test::quote(dir));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == kExitOk);
    const std::vector<std::string> names = names_in(dir);
    INFO("files: " << Catch::Detail::stringify(names));
    CHECK(std::find(names.begin(), names.end(), "ccg_2015-16.csv") != names.end());
    CHECK(std::find(names.begin(), names.end(), "years.csv") != names.end());
    CHECK(std::find(names.begin(), names.end(), "ccg_years.csv") != names.end());
    for (const std::string& name : names)
      if (name != "years.csv" && name != "ccg_years.csv") CHECK(ends_with(name, "_2015-16.csv"));
    CHECK(same_bits(CsvFile(dir / "ccg_2015-16.csv").numbers("p_red (probability)"),
                    years[2].before.p_red));
  }

  SECTION("--year 2099-00, not a year of the run: exit 2, nothing written") {
    const fs::path dir = f / "tables";
    const ccgrisk::test::CliResult r = ccgrisk::test::run_cli(
        "export " + f.file() + " --year 2099-00 --csv " + ccgrisk::test::quote(dir));
    CHECK(r.exit_code == kExitBadInput);
    CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
    CHECK_THAT(r.err, Contains("--year"));
    CHECK_FALSE(fs::exists(dir));
    CHECK(f.c.leftovers({kOutName}).empty());
  }
}

TEST_CASE("horizon cli: the outlook's summary and ccg_years mark the estimated allocations",
          "[horizon][cli][export]") {
  namespace fs = std::filesystem;
  using ccgrisk::test::cli::kExitOk;
  TempDir dir;
  const fs::path outlook = fs::path(CCGRISK_SOURCE_DIR) / "scenarios/outlook-2013-16.toml";
  const fs::path file = dir / "outlook.h5";
  const ccgrisk::test::CliResult r = ccgrisk::test::run_cli(
      "run " + ccgrisk::test::quote(outlook) + " --trials 300 -q -o " + ccgrisk::test::quote(file));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == kExitOk);
  const std::vector<Results> years = read_results_years(file);
  const std::vector<std::string>& basis = years.front().input_basis[kInputAllocation];
  REQUIRE(basis.size() == years.front().code.size());

  // The summary's list of CCGs by P(red in some year) marks each estimated one.
  const ccgrisk::test::CliResult summary =
      ccgrisk::test::run_cli("summary " + ccgrisk::test::quote(file));
  REQUIRE(summary.exit_code == kExitOk);
  const std::string list = summary.out.substr(summary.out.find("in the red in some year"));
  std::size_t rows = 0;
  for (std::size_t i = 0; i < basis.size(); ++i) {
    const std::size_t at = list.find("\n  " + years.front().code[i] + "  ");
    if (at == std::string::npos) continue;
    ++rows;
    const std::string row = list.substr(at + 1, list.find('\n', at + 1) - at - 1);
    INFO(row);
    CHECK((row.find(" * ") != std::string::npos) == is_estimated(basis[i]));
  }
  CHECK(rows == 15);
  CHECK_THAT(list, Contains("* allocation estimated, not published"));

  // ccg_years.csv: the first year's allocation basis, as the one-year CCG table.
  const ccgrisk::test::CliResult exported = ccgrisk::test::run_cli(
      "export " + ccgrisk::test::quote(file) + " --csv " + ccgrisk::test::quote(dir / "tables"));
  REQUIRE(exported.exit_code == kExitOk);
  CHECK(CsvFile(dir / "tables" / "ccg_years.csv").columns.at("allocation_basis") == basis);
}

TEST_CASE("horizon cli: report of a three-year file has its year-by-year section",
          "[horizon][cli][report]") {
  using namespace ccgrisk::test::cli;
  const ThreeYearFile f;

  SECTION("--ccg of no CCG: exit 2 and no folder") {
    const fs::path dir = f / "report";
    const ccgrisk::test::CliResult r = ccgrisk::test::run_cli(
        "report " + f.file() + " -o " + ccgrisk::test::quote(dir) + " --ccg NOPE");
    CHECK(r.exit_code == kExitBadInput);
    CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
    CHECK_THAT(r.err, Contains("--ccg NOPE"));
    CHECK_FALSE(fs::exists(dir));
    CHECK(f.c.leftovers({kOutName}).empty());
  }

  SECTION("the report") {
    if (report_python().empty()) {
      WARN(
          "skipped: no Python with h5py, numpy and matplotlib (/usr/bin/python3 or "
          "$CCGRISK_PYTHON) to draw the report");
      return;
    }
    const fs::path dir = f / "report";
    const ccgrisk::test::CliResult r =
        ccgrisk::test::run_cli("report " + f.file() + " -o " + ccgrisk::test::quote(dir));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == kExitOk);
    const std::string page = ccgrisk::test::read_file(dir / "index.html");
    CHECK_THAT(page, Contains("Year by year"));
    for (const std::string& label : kLabels)
      CHECK_THAT(page, Contains(label));
  }
}

TEST_CASE("horizon cli: sweep runs every value over all years and calibrate refuses several years",
          "[horizon][cli][sweep]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = three_year_cli_scenario();
  const std::string key = "drivers.cip_delivery.mean";

  SECTION("sweep") {
    const ccgrisk::test::CliResult r = c.run_args(
        "sweep " + ccgrisk::test::quote(c.scenario_path()) + " --param " + key +
        " --from 0.6 --to 0.8 --steps 2 --quiet -o " + ccgrisk::test::quote(c.out_path()));
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == kExitOk);
    const h5::File file = h5::File::open(c.out_path());
    CHECK(h5::read_attribute<std::int32_t>(file, "schema_version") ==
          std::vector<std::int32_t>{1, 1});
    REQUIRE(file.exists("/sweep"));
    const std::vector<double> values = h5::read_dataset<double>(file, "/sweep/values").values;
    REQUIRE(values == std::vector<double>{0.6, 0.8});
    const h5::Array<double> p_red = h5::read_dataset<double>(file, "/sweep/p_red");
    const h5::Array<double> pooled = h5::read_dataset<double>(file, "/sweep/p_red_pooled");
    const std::string text = ccgrisk::test::read_file(c.scenario_path());
    for (std::size_t j = 0; j < values.size(); ++j) {
      char buf[32];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, values[j]);
      REQUIRE(ec == std::errc());
      const std::string value(buf, end);
      INFO(key << " = " << value);
      const Scenario s = scenario_with_overrides(text, c.scenario_path(), {Override{key, value}});
      REQUIRE(s.horizon.years == 3);
      REQUIRE(s.cip_delivery.mean == values[j]);
      const HorizonResults h = run_in_process(s);
      const std::size_t n = h.years[0].code.size();
      REQUIRE(p_red.dims == h5::Dims{values.size(), n});
      const std::vector<double> row(
          p_red.values.begin() + static_cast<std::ptrdiff_t>(j * n),
          p_red.values.begin() + static_cast<std::ptrdiff_t>((j + 1) * n));
      const std::vector<double> row_pooled(
          pooled.values.begin() + static_cast<std::ptrdiff_t>(j * n),
          pooled.values.begin() + static_cast<std::ptrdiff_t>((j + 1) * n));
      // P(red) of a point: in the red in at least one of the years.
      CHECK(same_bits(row, h.red_by.back().before.p_red));
      CHECK(same_bits(row_pooled, h.red_by.back().after.p_red));
      // By region too: the expected count in the red in at least one year,
      // every region of the table, adding up to England's.
      const Results& any = h.red_by.back();
      const std::vector<std::string> regions =
          h5::read_dataset<std::string>(file, "/sweep/region_name").values;
      const h5::Array<double> by_region =
          h5::read_dataset<double>(file, "/sweep/region_expected_red");
      REQUIRE(regions.size() == h.years[0].regions.size());
      REQUIRE(!regions.empty());
      REQUIRE(by_region.dims == h5::Dims{values.size(), regions.size()});
      double total = 0.0;
      for (std::size_t k = 0; k < regions.size(); ++k) {
        CHECK(regions[k] == any.regions[k].name);
        CHECK(by_region.values[j * regions.size() + k] == any.regions[k].expected_red);
        total += any.regions[k].expected_red;
      }
      CHECK(total == Approx(any.national.expected_red).epsilon(1e-12));
    }
    // A lower delivery puts more CCGs in the red (the values differ).
    CHECK(p_red.values != std::vector<double>(p_red.values.size(), p_red.values.front()));
  }

  SECTION("calibrate: exit 2 naming horizon.years, no file") {
    write_file(c.dir / "targets.toml",
               "[calibration]\ntrials = 200\n[[target]]\nname = \"red\"\n"
               "statistic = \"expected_red\"\ngroup = \"national\"\nvalue = 1\n"
               "tolerance = 0.4\nparameter = \"shift.region.North\"\nlower = -3.0\n"
               "upper = 3.0\n");
    const fs::path out = c.dir / "fitted.toml";
    const ccgrisk::test::CliResult r = c.run_args(
        "calibrate " + ccgrisk::test::quote(c.scenario_path()) + " --targets " +
        ccgrisk::test::quote(c.dir / "targets.toml") + " -o " + ccgrisk::test::quote(out));
    INFO("stdout: " << r.out);
    CHECK(r.exit_code == kExitBadInput);
    // Refused before it starts (no "calibrating ... targets" first).
    CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
    CHECK_THAT(r.err, Contains("horizon.years = 3: calibrate fits one year"));
    CHECK_FALSE(fs::exists(out));
  }

  SECTION("sweep --param horizon.years: exit 2 naming the key, no file") {
    const fs::path out = c.dir / "years.h5";
    const ccgrisk::test::CliResult r =
        c.run_args("sweep " + ccgrisk::test::quote(c.scenario_path()) +
                   " --param horizon.years --from 2 --to 4 --steps 3 --trials 100 -q -o " +
                   ccgrisk::test::quote(out));
    CHECK(r.exit_code == kExitBadInput);
    CHECK_THAT(r.err, Contains("--param horizon.years: cannot vary the number of years"));
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("horizon cli: a checkpointed three-year run killed with SIGKILL resumes exactly",
          "[horizon][cli][checkpoint][kill]") {
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = three_year_cli_scenario();
  c.write_inputs();
  const fs::path reference = c.dir / "reference.h5", out = c.out_path(), ck = c.dir / "ck.h5";
  constexpr std::int64_t kTrials = 600000;  // some seconds on one thread
  const auto args = [&](const fs::path& o, std::vector<std::string> extra) {
    std::vector<std::string> all = {"run",      c.scenario_path().string(), "-o",      o.string(),
                                    "--trials", std::to_string(kTrials),    "--quiet", "--threads",
                                    "1"};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  const ccgrisk::test::CliResult uninterrupted =
      ccgrisk::test::run_cli(joined(args(reference, {})));
  INFO("stderr: " << uninterrupted.err);
  REQUIRE(uninterrupted.exit_code == kExitOk);

  const std::vector<std::string> checkpointing = {"--checkpoint", ck.string(), "--checkpoint-every",
                                                  "0"};
  std::int64_t position = -1;
  // Killed just after a checkpoint appears, then some way into a later chunk.
  for (const int delay_ms : {0, 40}) {
    CAPTURE(delay_ms, position);
    std::vector<std::string> extra = checkpointing;
    if (position >= 0) extra.insert(extra.end(), {"--resume", ck.string()});
    Child child(args(out, extra), c.dir.path());
    REQUIRE(wait_for_checkpoint(ck, position) > position);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child.signal(SIGKILL);
    CHECK(child.wait() == 128 + SIGKILL);
    CHECK_FALSE(fs::exists(out));
    position = checkpoint_position(ck);
  }
  REQUIRE(position > 0);
  REQUIRE(position < kTrials);
  const ccgrisk::test::CliResult resumed =
      ccgrisk::test::run_cli(joined(args(out, {"--resume", ck.string()})));
  INFO("stderr: " << resumed.err);
  REQUIRE(resumed.exit_code == kExitOk);
  CHECK(ccgrisk::test::results_file_differences(reference, out).empty());
  CHECK(read_results_years(out).size() == 3);
}

TEST_CASE("horizon cli: mpirun -n 2 of a three-year run gives the single-process file",
          "[horizon][cli][mpi]") {
#if CCGRISK_HAVE_MPI
  if (std::system("command -v mpiexec >/dev/null 2>&1") != 0) {
    WARN("skipped: no mpiexec on PATH (apt-get install openmpi-bin)");
    return;
  }
  using namespace ccgrisk::test::cli;
  Case c;
  c.scenario = three_year_cli_scenario();
  const fs::path single = c.dir / "single.h5", out = c.out_path();
  const std::string args =
      "run " + ccgrisk::test::quote(c.scenario_path()) + " --trials 20000 --quiet --threads 1 -o ";
  const ccgrisk::test::CliResult one = c.run_args(args + ccgrisk::test::quote(single));
  INFO("stderr: " << one.err);
  REQUIRE(one.exit_code == kExitOk);
  const ccgrisk::test::CliResult r = ccgrisk::test::run_cli(
      args + ccgrisk::test::quote(out), "mpiexec --oversubscribe --allow-run-as-root -n 2");
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == kExitOk);
  CHECK(r.err.empty());
  CHECK(ccgrisk::test::results_file_differences(single, out).empty());
#else
  WARN("skipped: ccgrisk was built without MPI (CCGRISK_MPI=OFF)");
#endif
}
