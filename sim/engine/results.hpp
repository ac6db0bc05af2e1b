// Finished statistics of a run: what the HDF5 writer and the summary read.
// Money in GBP thousands, probabilities as fractions.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "input/input_basis.hpp"

namespace ccgrisk {

struct UncertaintyResult;  // engine/uncertainty.hpp

// Quantile levels reported everywhere (MODEL.md schema 1.0).
inline constexpr std::array<double, 9> kQuantileLevels = {0.01, 0.05, 0.10, 0.25, 0.50,
                                                          0.75, 0.90, 0.95, 0.99};
// Expected shortfall tail: the worst 5% of outturns.
inline constexpr double kShortfallLevel = 0.05;

// Per-CCG outturn statistics, either before or after risk sharing. Every
// vector has one entry per CCG (n), in table order; 2-D arrays are row-major.
struct CcgStats {
  std::vector<double> p_red;     // P(surplus < 0)
  std::vector<double> p_red_se;  // sqrt(p (1 - p) / N); from pair means if antithetic
  std::vector<double>
      p_red_variance_ratio;            // antithetic only: independent-trial variance / antithetic
  std::vector<double> p_miss_control;  // P(surplus < control_total_pct% A)
  std::vector<double> p_miss_control_se;  // sqrt(p (1 - p) / N)
  std::vector<double> surplus_mean_k;
  std::vector<double> surplus_sd_k;  // sample sd, divisor N - 1 (0 when N = 1)
  std::vector<double> surplus_min_k;
  std::vector<double> surplus_max_k;
  std::vector<double> surplus_quantiles_k;  // [n, 9] at kQuantileLevels
  std::vector<double> surplus_es05_k;       // mean of the worst 5% outturns
  std::vector<double> underlying_mean_k;    // mean recurrent surplus (step 5)
  std::vector<double> hist_resolution_k;    // fine histogram bin width per CCG
  std::vector<std::int64_t> hist_counts;    // [n, kReportBins]
  std::vector<double> hist_edges_k;         // [n, kReportBins + 1]
};

// A set of CCGs reported together: the nation, a region, an area team or a pool.
struct GroupStats {
  std::string code;  // region: its name; area team: "Q44"; pool: its name; "England"
  std::string name;
  std::vector<int> members;  // CCG indices
  // P(exactly k members in the red), k = 0..n where n is the number of CCGs
  // in the whole table (entries above members.size() are zero), so groups
  // of every size stack into one [groups, n + 1] array.
  std::vector<double> count_red_pmf;
  std::vector<double> count_red_pmf_pooled;
  double expected_red = 0.0;
  double expected_red_pooled = 0.0;
  double expected_red_se = 0.0;  // Monte Carlo error of expected_red: sd(count) / sqrt(N)
  // The same for members that did not plan a deficit ("unplanned" red);
  // planned red = red - unplanned red.
  std::vector<double> count_unplanned_red_pmf;
  std::vector<double> count_unplanned_red_pmf_pooled;
  double expected_unplanned_red = 0.0;
  double expected_unplanned_red_pooled = 0.0;
  double expected_unplanned_red_se = 0.0;
  double expected_planned_red = 0.0;
  double expected_planned_red_pooled = 0.0;
  std::array<double, 3> count_red_q05_q50_q95{};  // count quantiles (lower, inverse cdf)
  std::array<double, 3> count_red_q05_q50_q95_pooled{};
  double total_surplus_mean_k = 0.0;  // risk sharing moves money between groups
  double total_surplus_mean_pooled_k = 0.0;
  double total_surplus_sd_k = 0.0;  // before risk sharing (sharing moves money within pools)
  std::array<double, 9> total_surplus_quantiles_k{};
  std::array<double, 9> total_surplus_quantiles_pooled_k{};
  double total_hist_resolution_k = 0.0;
  double p_deficit = 0.0;  // P(sum of members' surpluses < 0)
  double p_deficit_pooled = 0.0;
};

// A specialised commissioning hub's overspend (MODEL.md step 7), or NHS
// England's total over all hubs (its specialised deficit).
struct HubStats {
  std::string name;
  double budget_k = 0.0;
  double p_overspend = 0.0;  // P(overspend > 0)
  double overspend_mean_k = 0.0;
  double overspend_sd_k = 0.0;
  std::array<double, 9> overspend_quantiles_k{};
  double hist_resolution_k = 0.0;
};

// What drives each CCG's risk (before risk sharing). Components, in order:
// acute, specialist and other growth, CIP shortfall, transfer mismatch and
// local (underfunding plus shifts); each settled in pounds per trial, so
// they add up exactly to the attributed pressure.
struct Attribution {
  std::vector<std::string> components;
  std::vector<double> mean_k;      // [n x components] E[component]
  std::vector<double> mean_red_k;  // [n x components] E[component | CCG in the red]; NaN if never
  // Euler allocation of the national expected shortfall: the mean national
  // deficit (minus the total surplus) over the worst `tail` share of years,
  // and each CCG's mean deficit over the same years; they add up.
  double tail = 0.05;
  double national_es_k = 0.0;
  std::vector<double> es_contribution_k;  // [n]
};

// A published figure and the run's value of the same statistic (run --targets).
struct TargetCheck {
  std::string name;
  std::string statistic;
  std::string group;
  std::string source;
  double value = 0.0;  // the published figure
  double tolerance = 0.0;
  double model = 0.0;     // this run
  double model_se = 0.0;  // its Monte Carlo standard error
  // false: known not to be reproduced yet (input/targets.hpp); a miss is
  // "open" rather than "NO".
  bool reproduced = true;
};

struct Provenance {
  std::string tool_version;
  std::string git_sha;
  std::uint64_t seed = 0;
  std::int64_t trials = 0;
  int threads = 0;
  double wall_seconds = 0.0;
  std::string created_utc;  // ISO 8601, e.g. 2026-11-23T15:08:00Z
  std::string scenario_toml;
  std::string scenario_path;
  std::string ccg_table_sha256;
  std::string ccg_table_path;
  std::string rng;  // engine and stream layout, one line
  bool antithetic = false;
  double target_se = 0.0;  // 0: a fixed number of trials
  // With target_se: the measure the stopping rule compared with it when the
  // run stopped (worst_p_red_se: the largest of every CCG's P(red) standard
  // error and Wilson error, before and after sharing); NaN otherwise, or
  // read from a file that did not record it.
  double se_reached = std::numeric_limits<double>::quiet_NaN();
  // Trials in which a pressure reached the settlement bound and was held at
  // it (input/limits.hpp kMaxPressureGbp); 0 with any real figures.
  std::int64_t trials_capped = 0;
  // The CIP delivery beta the engine used (Model::cip_delivery,
  // drivers.sd_multiplier applied): its form, "mean_sd" or "concentration"
  // (empty when read from a file written before they were recorded), mean,
  // sd at the mean, concentration a + b and shapes {a, b} (0 and {0, 0}: a
  // fixed delivery).
  std::string cip_delivery_form;
  double cip_delivery_mean = 0.0;
  double cip_delivery_sd = 0.0;
  double cip_delivery_concentration = 0.0;
  std::array<double, 2> cip_delivery_shape{};
};

// A year of a run of several years: the outcomes across years as they stand
// at that year (HorizonResults' points, docs/results-format.md "Several
// years"). Each array: [0] before, [1] after risk sharing.
struct HorizonYear {
  std::vector<std::string> labels;  // the run's years
  int year = 0;                     // this one, an index into labels
  // Over the whole run, per CCG [n] (first_red_year_pmf: [n, years + 1],
  // last column never).
  std::array<std::vector<double>, 2> p_red_any_year, p_red_any_year_se, p_red_every_year,
      first_red_year_pmf;
  // To the end of this year, per CCG: P(red in some year so far), the
  // cumulative outturn's mean, P(< 0) and quantiles [n, 9]; this year's
  // underlying outturn's P(< 0) and quantiles [n, 9].
  std::array<std::vector<double>, 2> p_red_by_year, cumulative_mean_k, p_cumulative_deficit,
      cumulative_quantiles_k, p_underlying_deficit, underlying_quantiles_k;
  // The bin width behind each CCG's cumulative and underlying quantiles [n]
  // (the same before and after risk sharing; empty in files written before
  // they were recorded).
  std::vector<double> cumulative_resolution_k, underlying_resolution_k;
  // England: the count in the red in any year [n + 1] and its expectation;
  // the total cumulative and underlying outturn's quantiles this year.
  std::array<std::vector<double>, 2> count_red_any_year_pmf;
  std::array<double, 2> expected_red_any_year{};
  std::array<std::array<double, 9>, 2> cumulative_total_quantiles_k{},
      underlying_total_quantiles_k{};
  double specialised_cumulative_mean_k = 0.0;  // with hubs
};

struct Results {
  Provenance provenance;

  // CCG identity and plan, table order.
  std::vector<std::string> code, name, region, area_team_code, area_team, pool;  // pool "" = none
  std::vector<double> allocation_k;
  std::vector<double> planned_surplus_k;      // s_i
  std::vector<double> control_total_k;        // control_total_pct% A_i
  std::vector<double> reserves_k;             // M_i = c_i + u n_i
  std::vector<std::int64_t> planned_deficit;  // 1 if s_i < 0
  // Where each per-CCG input came from, by CcgInput (input/input_basis.hpp):
  // e.g. input_basis[kInputAllocation][i] = "estimated from population".
  // Each is empty when read from a file written before they existed.
  std::array<std::vector<std::string>, kNumCcgInputs> input_basis;

  CcgStats before;  // /ccg
  CcgStats after;   // /pooled

  GroupStats national;
  std::vector<GroupStats> regions;     // in order of first appearance in the table
  std::vector<GroupStats> area_teams;  // likewise
  std::vector<GroupStats> pools;       // scenario order
  std::vector<std::string> pool_rule;  // "full" or "cover", per pool

  std::vector<HubStats> hubs;  // scenario order; empty without [[hub]]
  HubStats specialised;        // NHS England: the sum of the hubs' overspends

  std::vector<TargetCheck> targets;  // empty unless run with --targets
  Attribution attribution;
  // Parameter uncertainty (/uncertainty), when the scenario had [uncertainty].
  std::shared_ptr<const UncertaintyResult> uncertainty;
  // A year of a run of several years; null for a one-year run.
  std::shared_ptr<const HorizonYear> horizon;
};

// A run of several years (model/horizon.hpp): the finished statistics of
// each year (with its HorizonYear) and of the outcomes across years, each
// as a whole Results of its year (identity and plan of that year). Entry 0
// of cumulative and red_by is the first year's outturn itself.
struct HorizonResults {
  std::vector<std::string> labels;  // "2013-14", ...
  std::vector<Results> years;       // each year's outturn
  std::vector<Results> cumulative;  // outturn summed to the end of each year
  std::vector<Results> underlying;  // each year's recurrent outturn
  std::vector<Results> red_by;      // smallest outturn to each year: p_red = P(red by then)
  Results red_every;                // largest outturn of all years: p_red = P(red every year)
};

// The indexes of `values` from the largest to the smallest, ties in table
// order: the CCGs most likely in the red first, as every list prints them.
inline std::vector<std::size_t> descending_order(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&values](std::size_t a, std::size_t b) { return values[a] > values[b]; });
  return order;
}

}  // namespace ccgrisk
