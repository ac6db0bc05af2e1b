#include "output/results_file.hpp"

#include "engine/uncertainty.hpp"
#include "output/stress_file.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>

#include "output/dimension_scales.hpp"
#include "output/file_output.hpp"
#include "output/hdf5.hpp"
#include "output/seal.hpp"
#include "output/units.hpp"

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;
using h5::Dims;
using h5::Group;

using units::kCount;
using units::kLabel;
using units::kMoney;
using units::kProbability;

constexpr std::array<double, 3> kCountLevels = {0.05, 0.50, 0.95};
constexpr std::string_view kHistogramResolution =
    "quantiles and expected shortfall come from a per-CCG streaming histogram; they are exact "
    "to within one bin, whose width per CCG is in surplus_hist_resolution_k";
constexpr std::string_view kHorizonResolution =
    "quantiles come from a per-CCG streaming histogram; they are exact to within one bin, whose "
    "width per CCG is in ";
constexpr std::string_view kTotalResolution =
    "quantiles come from a streaming histogram of the total; they are exact to within one bin, "
    "whose width is in total_surplus_resolution_k";

std::string with_stage(std::string_view what, std::string_view stage) {
  return std::string(what) + ", " + std::string(stage);
}

// ---- Root attributes ---------------------------------------------------------

void write_provenance(const h5::File& file, const Provenance& p) {
  const std::array<std::int32_t, 2> schema{kSchemaMajor, kSchemaMinor};
  h5::write_attribute(file, "file_type", "ccgrisk-results");
  h5::write_attribute(file, "schema_version", schema);
  h5::write_attribute(file, "tool_version", p.tool_version);
  h5::write_attribute(file, "git_sha", p.git_sha);
  h5::write_attribute(file, "seed", p.seed);
  h5::write_attribute(file, "trials", p.trials);
  h5::write_attribute(file, "threads", static_cast<std::int64_t>(p.threads));
  h5::write_attribute(file, "wall_seconds", p.wall_seconds);
  h5::write_attribute(file, "created_utc", p.created_utc);
  h5::write_attribute(file, "scenario_toml", p.scenario_toml);
  h5::write_attribute(file, "scenario_path", p.scenario_path);
  h5::write_attribute(file, "ccg_table_sha256", p.ccg_table_sha256);
  h5::write_attribute(file, "ccg_table_path", p.ccg_table_path);
  h5::write_attribute(file, "rng", p.rng);
  h5::write_attribute(file, "antithetic", static_cast<std::int64_t>(p.antithetic));
  h5::write_attribute(file, "target_se", p.target_se);
  if (p.target_se > 0.0) h5::write_attribute(file, "se_reached", p.se_reached);
  h5::write_attribute(file, "trials_capped", p.trials_capped);
  if (p.cip_delivery_form.empty()) return;  // read from a file that did not record them
  h5::write_attribute(file, "cip_delivery_form", p.cip_delivery_form);
  h5::write_attribute(file, "cip_delivery_mean", p.cip_delivery_mean);
  h5::write_attribute(file, "cip_delivery_sd", p.cip_delivery_sd);
  h5::write_attribute(file, "cip_delivery_concentration", p.cip_delivery_concentration);
  h5::write_attribute(file, "cip_delivery_shape", p.cip_delivery_shape);
}

// ---- /ccg identity and plan ----------------------------------------------------

// Row of `groups` each CCG belongs to, -1 for none.
std::vector<std::int64_t> group_index(const std::vector<GroupStats>& groups, std::size_t n) {
  std::vector<std::int64_t> index(n, -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (int member : groups[g].members) {
      if (member < 0 || static_cast<std::size_t>(member) >= n)
        throw std::runtime_error("group '" + groups[g].code + "' has member " +
                                 std::to_string(member) + ", not a row of the " +
                                 std::to_string(n) + "-CCG table");
      index[static_cast<std::size_t>(member)] = static_cast<std::int64_t>(g);
    }
  }
  return index;
}

void write_identity(const Group& g, const Results& r) {
  const Dims dims{r.code.size()};
  h5::write_dataset(g, "code", r.code, dims, kLabel, "ODS code of each CCG, in table order");
  h5::write_dataset(g, "name", r.name, dims, kLabel, "CCG name, in table order");
  h5::write_dataset(g, "region", r.region, dims, kLabel, "NHS England region (name) of the CCG");
  h5::write_dataset(g, "area_team_code", r.area_team_code, dims, kLabel, "area team ODS code");
  h5::write_dataset(g, "area_team", r.area_team, dims, kLabel, "area team name");
  h5::write_dataset(g, "pool", r.pool, dims, kLabel, "risk-sharing pool name; empty if none");
}

void write_membership(const Group& g, const Results& r) {
  const std::size_t n = r.code.size();
  const Dims dims{n};
  h5::write_dataset(g, "region_index", group_index(r.regions, n), dims, kLabel,
                    "row of /region this CCG belongs to");
  h5::write_dataset(g, "area_team_index", group_index(r.area_teams, n), dims, kLabel,
                    "row of /area_team this CCG belongs to");
  h5::write_dataset(g, "pool_index", group_index(r.pools, n), dims, kLabel,
                    "row of /pool this CCG belongs to, -1 if in no pool "
                    "(members of pool p: code[pool_index == p])");
}

void write_plan(const Group& g, const Results& r) {
  const Dims dims{r.code.size()};
  h5::write_dataset(g, "allocation_k", r.allocation_k, dims, kMoney, "2013-14 allocation A_i");
  h5::write_dataset(g, "planned_surplus_k", r.planned_surplus_k, dims, kMoney,
                    "planned surplus s_i (negative = planned deficit)");
  h5::write_dataset(g, "control_total_k", r.control_total_k, dims, kMoney,
                    "control total: an outturn below it misses the control total");
  h5::write_dataset(g, "reserves_k", r.reserves_k, dims, kMoney,
                    "reserves available for mitigation M_i = c_i + u n_i");
  h5::write_dataset(g, "planned_deficit", r.planned_deficit, dims, kLabel,
                    "1 if the CCG planned a deficit (planned_surplus_k < 0), else 0");
}

// Where each per-CCG input came from (/ccg/<input>_basis), when known.
void write_input_bases(const Group& g, const Results& r) {
  const Dims dims{r.code.size()};
  for (int k = 0; k < kNumCcgInputs; ++k) {
    if (r.input_basis[k].empty()) continue;
    const CcgInputInfo& in = kCcgInputs[k];
    const h5::Dataset d = h5::write_dataset(
        g, in.basis_column, r.input_basis[k], dims, kLabel,
        "where each CCG's " + std::string(in.column) +
            " came from: the table's basis, 'table', 'scenario [ccg.CODE]', 'scenario default' "
            "or 'not given' (0)");
    h5::write_attribute(d, "input", in.column);
    h5::write_attribute(d, "input_units", in.units);
  }
}

// ---- Per-CCG statistics (/ccg before, /pooled after risk sharing) ---------------

void write_probabilities(const Group& g, const CcgStats& s, std::size_t n, std::string_view stage) {
  const Dims dims{n};
  h5::write_dataset(g, "p_red", s.p_red, dims, kProbability,
                    with_stage("P(in the red): P(surplus < 0)", stage));
  h5::write_dataset(g, "p_red_se", s.p_red_se, dims, kProbability,
                    with_stage("Monte Carlo standard error of p_red, sqrt(p (1 - p) / N)", stage));
  h5::write_dataset(g, "p_miss_control", s.p_miss_control, dims, kProbability,
                    with_stage("P(surplus < control_total_k)", stage));
  h5::write_dataset(
      g, "p_miss_control_se", s.p_miss_control_se, dims, kProbability,
      with_stage("Monte Carlo standard error of p_miss_control, sqrt(p (1 - p) / N)", stage));
}

void write_moments(const Group& g, const CcgStats& s, std::size_t n, std::string_view stage) {
  const Dims dims{n};
  h5::write_dataset(g, "surplus_mean_k", s.surplus_mean_k, dims, kMoney,
                    with_stage("mean outturn surplus", stage));
  h5::write_dataset(g, "surplus_sd_k", s.surplus_sd_k, dims, kMoney,
                    with_stage("sample sd of the outturn surplus (divisor N - 1)", stage));
  h5::write_dataset(g, "surplus_min_k", s.surplus_min_k, dims, kMoney,
                    with_stage("smallest outturn surplus over the trials", stage));
  h5::write_dataset(g, "surplus_max_k", s.surplus_max_k, dims, kMoney,
                    with_stage("largest outturn surplus over the trials", stage));
  h5::write_dataset(g, "underlying_mean_k", s.underlying_mean_k, dims, kMoney,
                    with_stage("mean underlying (recurrent) surplus", stage));
}

void write_tail(const Group& g, const CcgStats& s, std::size_t n, std::string_view stage) {
  const h5::Dataset quantiles = h5::write_dataset(
      g, "surplus_quantiles_k", s.surplus_quantiles_k, {n, kQuantileLevels.size()}, kMoney,
      with_stage("outturn surplus quantiles at `levels`", stage));
  h5::write_attribute(quantiles, "levels", kQuantileLevels);
  h5::write_attribute(quantiles, "resolution", kHistogramResolution);
  const h5::Dataset shortfall =
      h5::write_dataset(g, "surplus_es05_k", s.surplus_es05_k, {n}, kMoney,
                        with_stage("expected shortfall: mean of the worst 5% of outturns", stage));
  h5::write_attribute(shortfall, "tail", kShortfallLevel);
  h5::write_attribute(shortfall, "resolution", kHistogramResolution);
}

void write_histogram(const Group& g, const CcgStats& s, std::size_t n, std::string_view stage) {
  const std::size_t bins = n == 0 ? 0 : s.hist_counts.size() / n;
  h5::write_dataset(
      g, "surplus_hist_resolution_k", s.hist_resolution_k, {n}, kMoney,
      with_stage("bin width of the fine streaming histogram behind quantiles", stage));
  h5::write_dataset(g, "surplus_hist_counts", s.hist_counts, {n, bins}, kCount,
                    with_stage("trials per reporting histogram bin, one row per CCG", stage));
  h5::write_dataset(g, "surplus_hist_edges_k", s.hist_edges_k, {n, bins + 1}, kMoney,
                    with_stage("reporting histogram bin edges, one row per CCG", stage));
}

void write_ccg_stats(const Group& g, const CcgStats& s, std::size_t n, std::string_view stage) {
  h5::write_attribute(g, "description", with_stage("per-CCG outturn statistics", stage));
  write_probabilities(g, s, n, stage);
  write_moments(g, s, n, stage);
  write_tail(g, s, n, stage);
  write_histogram(g, s, n, stage);
}

// ---- Group statistics (/national, /region, /area_team, /pool) ------------------

// Groups written together: one row each, or the nation alone without the
// leading axis (shape () or (k,) instead of (g,) or (g, k)).
struct GroupSet {
  std::span<const GroupStats> groups;
  bool national = false;
  std::size_t n = 0;  // CCGs in the table

  Dims shape(Dims inner) const {
    if (!national) inner.insert(inner.begin(), groups.size());
    return inner;
  }
};

void append(std::vector<double>& out, double x) {
  out.push_back(x);
}
template <class Range>
void append(std::vector<double>& out, const Range& values) {
  out.insert(out.end(), values.begin(), values.end());
}

// Stacks field(group) of every group, each `width` values wide.
template <class Field>
std::vector<double> gather(const GroupSet& set, std::string_view name, std::size_t width,
                           Field field) {
  std::vector<double> out;
  for (const GroupStats& group : set.groups) {
    const std::size_t before = out.size();
    append(out, field(group));
    if (out.size() - before != width)
      throw std::runtime_error("group '" + group.code + "': " + std::string(name) +
                               " does not have " + std::to_string(width) + " values");
  }
  return out;
}

template <class Field>
h5::Dataset write_field(const Group& g, const GroupSet& set, std::string_view name, Dims inner,
                        std::string_view units, std::string_view description, Field field) {
  const std::size_t width = inner.empty() ? 1 : inner.front();
  return h5::write_dataset(g, name, gather(set, name, width, field), set.shape(inner), units,
                           description);
}

void write_count_red(const Group& g, const GroupSet& set, bool pooled) {
  const std::string suffix = pooled ? "_pooled" : "";
  const std::string_view stage = pooled ? "after risk sharing" : "before risk sharing";
  write_field(
      g, set, "count_red_pmf" + suffix, {set.n + 1}, kProbability,
      with_stage("P(exactly k CCGs in the red), k = 0..n (n = CCGs in the table)", stage),
      [&](const GroupStats& s) { return pooled ? s.count_red_pmf_pooled : s.count_red_pmf; });
  write_field(g, set, "expected_red" + suffix, {}, kCount,
              with_stage("expected number of CCGs in the red", stage),
              [&](const GroupStats& s) { return pooled ? s.expected_red_pooled : s.expected_red; });
  const h5::Dataset quantiles = write_field(
      g, set, "count_red_quantiles" + suffix, {3}, kCount,
      with_stage("quantiles of the number of CCGs in the red at `levels` (lower inverse cdf)",
                 stage),
      [&](const GroupStats& s) {
        return pooled ? s.count_red_q05_q50_q95_pooled : s.count_red_q05_q50_q95;
      });
  h5::write_attribute(quantiles, "levels", kCountLevels);
  write_field(g, set, "count_unplanned_red_pmf" + suffix, {set.n + 1}, kProbability,
              with_stage("P(exactly k CCGs that planned no deficit are in the red)", stage),
              [&](const GroupStats& s) {
                return pooled ? s.count_unplanned_red_pmf_pooled : s.count_unplanned_red_pmf;
              });
  write_field(g, set, "expected_unplanned_red" + suffix, {}, kCount,
              with_stage("expected number of CCGs in the red that planned no deficit", stage),
              [&](const GroupStats& s) {
                return pooled ? s.expected_unplanned_red_pooled : s.expected_unplanned_red;
              });
  write_field(g, set, "expected_planned_red" + suffix, {}, kCount,
              with_stage("expected number of CCGs in the red that planned a deficit", stage),
              [&](const GroupStats& s) {
                return pooled ? s.expected_planned_red_pooled : s.expected_planned_red;
              });
}

void write_totals(const Group& g, const GroupSet& set, bool pooled) {
  const std::string suffix = pooled ? "_pooled" : "";
  const std::string_view stage = pooled ? "after risk sharing" : "before risk sharing";
  write_field(g, set, "total_surplus_mean" + suffix + "_k", {}, kMoney,
              with_stage("mean total surplus of the CCGs", stage), [&](const GroupStats& s) {
                return pooled ? s.total_surplus_mean_pooled_k : s.total_surplus_mean_k;
              });
  const h5::Dataset quantiles = write_field(
      g, set, "total_surplus_quantiles" + suffix + "_k", {kQuantileLevels.size()}, kMoney,
      with_stage("quantiles of the total surplus at `levels`", stage), [&](const GroupStats& s) {
        return pooled ? s.total_surplus_quantiles_pooled_k : s.total_surplus_quantiles_k;
      });
  h5::write_attribute(quantiles, "levels", kQuantileLevels);
  h5::write_attribute(quantiles, "resolution", kTotalResolution);
  write_field(g, set, std::string(set.national ? "p_sector_deficit" : "p_deficit") + suffix, {},
              kProbability, with_stage("P(total surplus < 0)", stage),
              [&](const GroupStats& s) { return pooled ? s.p_deficit_pooled : s.p_deficit; });
}

void write_group_stats(const Group& g, const GroupSet& set) {
  write_field(g, set, "expected_red_se", {}, kCount,
              "Monte Carlo standard error of expected_red, sd(count) / sqrt(N)",
              [](const GroupStats& s) { return s.expected_red_se; });
  write_field(g, set, "expected_unplanned_red_se", {}, kCount,
              "Monte Carlo standard error of expected_unplanned_red",
              [](const GroupStats& s) { return s.expected_unplanned_red_se; });
  write_field(g, set, "total_surplus_sd_k", {}, kMoney,
              "sd of the total surplus, before risk sharing",
              [](const GroupStats& s) { return s.total_surplus_sd_k; });
  write_count_red(g, set, false);
  write_count_red(g, set, true);
  write_totals(g, set, false);
  write_totals(g, set, true);
  write_field(g, set, "total_surplus_resolution_k", {}, kMoney,
              "bin width of the streaming histogram of the total surplus",
              [](const GroupStats& s) { return s.total_hist_resolution_k; });
}

void write_group_labels(const Group& g, std::span<const GroupStats> groups) {
  std::vector<std::string> code, name;
  std::vector<std::int64_t> n_ccgs;
  for (const GroupStats& group : groups) {
    code.push_back(group.code);
    name.push_back(group.name);
    n_ccgs.push_back(static_cast<std::int64_t>(group.members.size()));
  }
  const Dims dims{groups.size()};
  h5::write_dataset(g, "code", code, dims, kLabel,
                    "code of each group (a region's code is its name)");
  h5::write_dataset(g, "name", name, dims, kLabel, "display name of each group");
  h5::write_dataset(g, "n_ccgs", n_ccgs, dims, kCount, "number of member CCGs");
}

void write_groups(const Group& g, std::span<const GroupStats> groups, std::size_t n,
                  std::string_view what) {
  h5::write_attribute(g, "description", std::string(what) + ", one row per group");
  write_group_labels(g, groups);
  write_group_stats(g, {groups, false, n});
}

void write_national(const Group& g, const GroupStats& national, std::size_t n) {
  h5::write_attribute(g, "description", "all CCGs in the table together");
  const std::vector<std::int64_t> n_ccgs{static_cast<std::int64_t>(national.members.size())};
  h5::write_dataset(g, "n_ccgs", n_ccgs, {}, kCount, "number of CCGs");
  write_group_stats(g, {{&national, 1}, true, n});
}

// ---- Specialised commissioning (/hub, /national/specialised_*) -----------------

std::vector<double> stack_quantiles(std::span<const HubStats> hubs, bool as_pct) {
  std::vector<double> out;
  for (const HubStats& h : hubs)
    for (double q : h.overspend_quantiles_k)
      out.push_back(as_pct ? 100.0 * q / h.budget_k : q);
  return out;
}

template <class Field>
std::vector<double> hub_column(std::span<const HubStats> hubs, Field field) {
  std::vector<double> out;
  for (const HubStats& h : hubs)
    out.push_back(field(h));
  return out;
}

void write_hubs(const Group& g, std::span<const HubStats> hubs) {
  h5::write_attribute(g, "description",
                      "NHS England area teams commissioning specialised services, scenario order");
  std::vector<std::string> names;
  for (const HubStats& h : hubs)
    names.push_back(h.name);
  const Dims dims{hubs.size()};
  h5::write_dataset(g, "name", names, dims, kLabel, "hub name");
  h5::write_dataset(g, "budget_k", hub_column(hubs, [](auto& h) { return h.budget_k; }), dims,
                    kMoney, "specialised commissioning budget");
  h5::write_dataset(g, "p_overspend", hub_column(hubs, [](auto& h) { return h.p_overspend; }), dims,
                    kProbability, "P(overspend > 0)");
  h5::write_dataset(g, "overspend_mean_k",
                    hub_column(hubs, [](auto& h) { return h.overspend_mean_k; }), dims, kMoney,
                    "mean overspend against budget (negative = underspend)");
  h5::write_dataset(
      g, "overspend_mean_pct",
      hub_column(hubs, [](auto& h) { return 100.0 * h.overspend_mean_k / h.budget_k; }), dims,
      "percent", "mean overspend as % of budget");
  h5::write_dataset(g, "overspend_sd_k", hub_column(hubs, [](auto& h) { return h.overspend_sd_k; }),
                    dims, kMoney, "sd of the overspend");
  const Dims q{hubs.size(), kQuantileLevels.size()};
  auto k = h5::write_dataset(g, "overspend_quantiles_k", stack_quantiles(hubs, false), q, kMoney,
                             "quantiles of the overspend at `levels`");
  h5::write_attribute(k, "levels", kQuantileLevels);
  auto pct = h5::write_dataset(g, "overspend_quantiles_pct", stack_quantiles(hubs, true), q,
                               "percent", "quantiles of the overspend as % of budget at `levels`");
  h5::write_attribute(pct, "levels", kQuantileLevels);
}

void write_specialised(const Group& g, const HubStats& s) {
  const std::vector<double> mean{s.overspend_mean_k}, sd{s.overspend_sd_k}, p{s.p_overspend};
  h5::write_dataset(g, "specialised_deficit_mean_k", mean, {}, kMoney,
                    "NHS England's mean specialised commissioning deficit (sum of hub overspends)");
  h5::write_dataset(g, "specialised_deficit_sd_k", sd, {}, kMoney,
                    "sd of the specialised commissioning deficit");
  h5::write_dataset(g, "p_specialised_deficit", p, {}, kProbability,
                    "P(specialised commissioning in deficit)");
  auto q = h5::write_dataset(g, "specialised_deficit_quantiles_k", s.overspend_quantiles_k,
                             {kQuantileLevels.size()}, kMoney,
                             "quantiles of the specialised commissioning deficit at `levels`");
  h5::write_attribute(q, "levels", kQuantileLevels);
}

// ---- /attribution: what drives each CCG's risk -------------------------------

void write_attribution(const Group& g, const Attribution& a, std::size_t n) {
  h5::write_attribute(g, "description",
                      "risk attribution before risk sharing: pressure components and Euler "
                      "contributions to the national expected shortfall");
  const std::size_t k = a.components.size();
  h5::write_dataset(g, "component", a.components, {k}, kLabel,
                    "pressure components (columns of the [n, component] arrays)");
  h5::write_dataset(g, "mean_k", a.mean_k, {n, k}, kMoney,
                    "mean of each pressure component (overspend against plan)");
  h5::write_dataset(g, "mean_in_red_k", a.mean_red_k, {n, k}, kMoney,
                    "mean of each pressure component in the trials where the CCG is in the red "
                    "(NaN if never); rows add up to the mean pressure in those trials");
  const std::vector<double> es{a.national_es_k}, tail{a.tail};
  auto es_ds = h5::write_dataset(g, "national_es_k", es, {}, kMoney,
                                 "expected shortfall: mean national deficit (minus total "
                                 "surplus) in the worst `tail` share of years");
  h5::write_attribute(es_ds, "tail", a.tail);
  h5::write_dataset(g, "es_contribution_k", a.es_contribution_k, {n}, kMoney,
                    "Euler contribution of each CCG to national_es_k: its mean deficit in the "
                    "same worst years; they add up to national_es_k");
}

// ---- /targets: published figures next to this run's values ----------------------

void write_targets(const Group& g, std::span<const TargetCheck> targets) {
  h5::write_attribute(g, "description",
                      "published figures (run --targets) and this run's value of each");
  std::vector<std::string> name, statistic, group, source;
  std::vector<double> value, tolerance, model, model_se;
  std::vector<std::int64_t> met, reproduced;
  for (const TargetCheck& t : targets) {
    reproduced.push_back(t.reproduced);
    name.push_back(t.name), statistic.push_back(t.statistic), group.push_back(t.group);
    source.push_back(t.source), value.push_back(t.value), tolerance.push_back(t.tolerance);
    model.push_back(t.model), model_se.push_back(t.model_se);
    met.push_back(std::abs(t.model - t.value) <= t.tolerance);
  }
  const Dims dims{targets.size()};
  h5::write_dataset(g, "name", name, dims, kLabel, "target name");
  h5::write_dataset(g, "statistic", statistic, dims, kLabel,
                    "statistic measured (docs/calibration.md)");
  h5::write_dataset(g, "group", group, dims, kLabel, "national, region:NAME, hub:NAME, ...");
  h5::write_dataset(g, "source", source, dims, kLabel, "where the published figure comes from");
  h5::write_dataset(g, "value", value, dims, "1", "the published figure (units of the statistic)");
  h5::write_dataset(g, "tolerance", tolerance, dims, "1", "|model - value| <= tolerance is met");
  h5::write_dataset(g, "model", model, dims, "1", "this run's value of the statistic");
  h5::write_dataset(g, "model_se", model_se, dims, "1", "Monte Carlo standard error of model");
  h5::write_dataset(g, "met", met, dims, kLabel, "1 if the target is met, else 0");
  h5::write_dataset(g, "reproduced", reproduced, dims, kLabel,
                    "0 for a target known not to be reproduced yet (an open target; "
                    "docs/calibration.md), else 1");
}

// ---- The file --------------------------------------------------------------------

void write_ccg_group(const Group& g, const Results& r) {
  write_identity(g, r);
  write_membership(g, r);
  write_plan(g, r);
  write_input_bases(g, r);
  write_ccg_stats(g, r.before, r.code.size(), "before risk sharing");
}

void write_pools(const Group& g, const Results& r) {
  write_groups(g, r.pools, r.code.size(), "risk-sharing pools, scenario order");
  h5::write_dataset(g, "rule", r.pool_rule, {r.pools.size()}, kLabel,
                    "risk-sharing rule: full or cover (members: /ccg/pool_index)");
}

// A year of a run of several years: the outcomes across years, in /ccg,
// /pooled and /national (docs/results-format.md "Several years"), and the
// run's years in /year/label. In a schema 1.1 file the datasets of this year
// gain the leading year axis (YearStacker); those of the whole run do not.
void write_horizon_year(const h5::File& file, const HorizonYear& h, std::size_t n) {
  const std::size_t years = h.labels.size();
  const Group year = file.group("/year");
  h5::write_attribute(year, "description", "the financial years of the run, in order");
  h5::write_dataset(year, "label", h.labels, {years}, kLabel,
                    "financial year: the leading axis of every per-year dataset (attribute "
                    "leading_axis)");
  std::vector<std::string> first_red = h.labels;
  first_red.emplace_back("never");
  h5::write_dataset(file.group("/ccg"), "first_red_year", first_red, {years + 1}, kLabel,
                    "first year in the red: the years of /year/label, then never (the last axis "
                    "of first_red_year_pmf)");
  const Dims q{n, kQuantileLevels.size()};
  for (const int phase : {0, 1}) {
    const Group g = file.group(phase == 0 ? "/ccg" : "/pooled");
    const std::string_view stage = phase == 0 ? "before risk sharing" : "after risk sharing";
    h5::write_dataset(g, "p_red_any_year", h.p_red_any_year[phase], {n}, kProbability,
                      with_stage("P(in the red in at least one year of the run)", stage));
    h5::write_dataset(g, "p_red_any_year_se", h.p_red_any_year_se[phase], {n}, kProbability,
                      with_stage("Monte Carlo standard error of p_red_any_year", stage));
    h5::write_dataset(g, "p_red_every_year", h.p_red_every_year[phase], {n}, kProbability,
                      with_stage("P(in the red in every year of the run)", stage));
    const h5::Dataset first = h5::write_dataset(
        g, "first_red_year_pmf", h.first_red_year_pmf[phase], {n, years + 1}, kProbability,
        with_stage("P(first in the red in year k) for each year of /year/label; last column: "
                   "never in the red",
                   stage));
    h5::write_attribute(first, "last_column", "never");
    h5::write_dataset(g, "p_red_by_year", h.p_red_by_year[phase], {n}, kProbability,
                      with_stage("P(in the red in at least one year up to this one)", stage));
    h5::write_dataset(g, "cumulative_surplus_mean_k", h.cumulative_mean_k[phase], {n}, kMoney,
                      with_stage("mean cumulative outturn to the end of the year", stage));
    h5::write_dataset(g, "p_cumulative_deficit", h.p_cumulative_deficit[phase], {n}, kProbability,
                      with_stage("P(cumulative outturn to the end of the year < 0)", stage));
    h5::write_dataset(g, "p_underlying_deficit", h.p_underlying_deficit[phase], {n}, kProbability,
                      with_stage("P(underlying (recurrent) outturn of the year < 0)", stage));
    for (const auto& [name, values, what, resolution, widths] :
         {std::tuple{"cumulative_surplus_quantiles_k", &h.cumulative_quantiles_k[phase],
                     "quantiles at `levels` of the cumulative outturn to the end of the year",
                     "cumulative_surplus_resolution_k", &h.cumulative_resolution_k},
          std::tuple{"underlying_quantiles_k", &h.underlying_quantiles_k[phase],
                     "quantiles at `levels` of the underlying (recurrent) outturn of the year",
                     "underlying_resolution_k", &h.underlying_resolution_k}}) {
      const h5::Dataset d = h5::write_dataset(g, name, *values, q, kMoney, with_stage(what, stage));
      h5::write_attribute(d, "levels", kQuantileLevels);
      h5::write_attribute(d, "resolution", std::string(kHorizonResolution) + resolution);
      h5::write_dataset(g, resolution, *widths, {n}, kMoney,
                        "bin width of the histogram behind " + std::string(name));
    }
    const Group national = file.group("/national");
    const std::string suffix = phase == 0 ? "" : "_pooled";
    h5::write_dataset(national, "count_red_any_year_pmf" + suffix, h.count_red_any_year_pmf[phase],
                      {n + 1}, kProbability,
                      with_stage("P(exactly k CCGs in the red in at least one year)", stage));
    const std::vector<double> expected{h.expected_red_any_year[phase]};
    h5::write_dataset(national, "expected_red_any_year" + suffix, expected, {}, kCount,
                      with_stage("expected number of CCGs in the red in at least one year", stage));
    for (const auto& [name, values, what] :
         {std::tuple{"cumulative_total_quantiles" + suffix + "_k",
                     &h.cumulative_total_quantiles_k[phase],
                     "quantiles of the CCGs' total cumulative outturn to the end of the year"},
          std::tuple{"underlying_total_quantiles" + suffix + "_k",
                     &h.underlying_total_quantiles_k[phase],
                     "quantiles of the CCGs' total underlying (recurrent) outturn"}}) {
      const h5::Dataset d = h5::write_dataset(national, name, *values, {kQuantileLevels.size()},
                                              kMoney, with_stage(what, stage));
      h5::write_attribute(d, "levels", kQuantileLevels);
    }
  }
  const std::vector<double> specialised{h.specialised_cumulative_mean_k};
  h5::write_dataset(file.group("/national"), "specialised_cumulative_deficit_mean_k", specialised,
                    {}, kMoney,
                    "NHS England's mean cumulative specialised commissioning deficit to the end "
                    "of the year (0 without hubs)");
}

// Every group and dataset of a results file (all but its dimension scales).
void write_contents(const h5::File& file, const Results& r, const ExtraGroups& extra) {
  const std::size_t n = r.code.size();
  write_provenance(file, r.provenance);
  write_ccg_group(file.group("/ccg"), r);
  write_ccg_stats(file.group("/pooled"), r.after, n, "after risk sharing");
  write_national(file.group("/national"), r.national, n);
  write_groups(file.group("/region"), r.regions, n, "NHS England regions");
  write_groups(file.group("/area_team"), r.area_teams, n, "area teams");
  write_pools(file.group("/pool"), r);
  write_hubs(file.group("/hub"), r.hubs);
  if (!r.hubs.empty()) write_specialised(file.group("/national"), r.specialised);
  if (!r.targets.empty()) write_targets(file.group("/targets"), r.targets);
  if (!r.attribution.components.empty())
    write_attribution(file.group("/attribution"), r.attribution, n);
  if (r.uncertainty) write_uncertainty_group(file, *r.uncertainty);
  if (r.horizon) write_horizon_year(file, *r.horizon, n);
  if (!r.before.p_red_variance_ratio.empty()) {
    h5::write_dataset(file.group("/ccg"), "p_red_variance_ratio", r.before.p_red_variance_ratio,
                      {n}, kLabel,
                      "antithetic pairs: variance of P(red) with independent trials / with pairs");
  }
  if (extra) extra(file);
}

// The file's bytes, sealed (seal.hpp), with its dimension scales added.
std::vector<unsigned char> sealed_image(h5::File& file) {
  add_dimension_scales(file);
  std::vector<unsigned char> image = file.image();
  file.close();
  seal_image(image);
  return image;
}

// The whole file, built in memory: HDF5 never writes to the disk itself, so
// a full disk or a lost folder is one clean write error (file_output.hpp).
std::vector<unsigned char> file_image(const Results& r, const fs::path& path,
                                      const ExtraGroups& extra) {
  h5::File file = h5::File::create_in_memory(path.string(), kSealBytes);
  write_contents(file, r, extra);
  // A year of a run of several, written as a one-year file: which year.
  if (r.horizon)
    h5::write_attribute(file.group("/year"), "year_index",
                        static_cast<std::int64_t>(r.horizon->year));
  return sealed_image(file);
}

// ---- Several years: schema 1.1 ----------------------------------------------------

// Datasets that are the same in every year (labels and membership); every
// other dataset describes one year and gains a leading year axis.
bool same_every_year(std::string_view group, std::string_view name) {
  constexpr std::array<std::string_view, 9> kCcgLabels = {
      "code", "name",         "region",          "area_team_code", "area_team",
      "pool", "region_index", "area_team_index", "pool_index"};
  constexpr std::array<std::string_view, 5> kWholeRun = {"p_red_any_year", "p_red_any_year_se",
                                                         "p_red_every_year", "first_red_year_pmf",
                                                         "first_red_year"};
  if (group == "/targets" || group == "/year") return true;
  if ((group == "/ccg" || group == "/pooled") &&
      std::ranges::find(kWholeRun, name) != kWholeRun.end())
    return true;
  if (group == "/national" &&
      (name.starts_with("count_red_any_year_pmf") || name.starts_with("expected_red_any_year")))
    return true;
  if (group == "/ccg")
    return std::ranges::find(kCcgLabels, name) != kCcgLabels.end() || name.ends_with("_basis");
  if (group == "/region" || group == "/area_team" || group == "/pool")
    return name == "code" || name == "name" || name == "n_ccgs";
  if (group == "/hub") return name == "name";
  if (group == "/national") return name == "n_ccgs";
  if (group == "/attribution") return name == "component";
  return false;
}

// Copies each year's file (written by write_contents) into `out`: datasets
// that are the same every year once, the others stacked along a leading
// year axis, labelled by the group's own `year` scale (the labels of
// /year/label), which add_dimension_scales then leaves alone, labelling the
// other axes as in a one-year file. Every group's and dataset's attributes
// go with them.
class YearStacker {
 public:
  YearStacker(const std::vector<h5::File>& years, std::span<const std::string> labels)
      : years_(years), labels_(labels) {}

  void copy_group(const Group& out, const std::string& path) {
    const Group first = years_.front().open_group(path);
    if (path != "/") h5::copy_attributes(first, out);
    const h5::Members members = h5::list_members(first);
    for (const std::string& name : members.datasets)
      copy_dataset(first, out, path, name);
    for (const std::string& name : members.groups)
      copy_group(out.group(name), path == "/" ? "/" + name : path + "/" + name);
  }

 private:
  void copy_dataset(const Group& first, const Group& out, const std::string& path,
                    const std::string& name) {
    const h5::Dataset source = first.dataset(name);
    const bool shared = same_every_year(path, name);
    switch (source.kind()) {
      case h5::Dataset::Kind::Float:
        return stack<double>(first, out, path, name, shared);
      case h5::Dataset::Kind::Integer:
        return stack<std::int64_t>(first, out, path, name, shared);
      case h5::Dataset::Kind::String:
        return stack<std::string>(first, out, path, name, shared);
      default:
        throw std::runtime_error(source.label() + ": not a dataset a results file holds");
    }
  }

  template <class T>
  void stack(const Group& first, const Group& out, const std::string& path, const std::string& name,
             bool shared) {
    const std::string full = path + "/" + name;
    const h5::Array<T> one = h5::read_dataset<T>(first, name);
    std::vector<T> values = one.values;
    Dims dims = one.dims;
    if (!shared) {
      for (std::size_t y = 1; y < years_.size(); ++y) {
        const h5::Array<T> next = h5::read_dataset<T>(years_[y], full);
        if (next.dims != one.dims)
          throw std::runtime_error(full + ": its shape differs between years");
        values.insert(values.end(), next.values.begin(), next.values.end());
      }
      dims.insert(dims.begin(), labels_.size());
    }
    const h5::Dataset source = first.dataset(name);
    const h5::Dataset d = h5::write_dataset(out, name, std::span<const T>(values), dims,
                                            h5::read_string_attribute(source, "units"), "");
    h5::copy_attributes(source, d);
    if (shared) return;
    h5::write_attribute(
        d, "description",
        h5::read_string_attribute(source, "description") + "; one row per year (/year/label)");
    h5::write_attribute(d, "leading_axis", "year");
    if (!out.exists("year")) {
      const h5::Dataset scale = h5::write_dataset(out, "year", labels_, {labels_.size()}, kLabel,
                                                  "financial year: coordinate of dimension year");
      h5::set_dimension_scale(scale, "year");
    }
    h5::attach_dimension_scale(d, out.dataset("year"), 0);
  }

  const std::vector<h5::File>& years_;
  std::span<const std::string> labels_;
};

std::vector<unsigned char> horizon_image(const HorizonResults& h, const fs::path& path,
                                         const ExtraGroups& extra) {
  std::vector<std::vector<unsigned char>> images;
  std::vector<h5::File> years;
  for (std::size_t y = 0; y < h.years.size(); ++y) {
    h5::File one = h5::File::create_in_memory(path.string() + " (" + h.labels[y] + ")");
    write_contents(one, h.years[y], {});
    images.push_back(one.image());
    one.close();
  }
  for (std::size_t y = 0; y < h.years.size(); ++y)
    years.push_back(h5::File::open_image(images[y], path.string() + " (" + h.labels[y] + ")"));
  h5::File file = h5::File::create_in_memory(path.string(), kSealBytes);
  YearStacker(years, h.labels).copy_group(file, "/");
  write_provenance(file, h.years.front().provenance);
  const std::array<std::int32_t, 2> schema{kSchemaMajor, kHorizonSchemaMinor};
  h5::write_attribute(file, "schema_version", schema);
  h5::write_attribute(file, "horizon_years", static_cast<std::int64_t>(h.years.size()));
  h5::set_dimension_scale(file.dataset("/year/label"), "year");
  if (extra) extra(file);
  return sealed_image(file);
}

}  // namespace

std::vector<unsigned char> results_image(const Results& results, const std::string& name) {
  return file_image(results, name, {});
}

void write_results_file(const Results& results, const fs::path& path, const ExtraGroups& extra) {
  const std::vector<unsigned char> image = file_image(results, path, extra);
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(image.data()), image.size()));
}

void write_horizon_file(const HorizonResults& results, const fs::path& path,
                        const ExtraGroups& extra) {
  const std::vector<unsigned char> image = horizon_image(results, path, extra);
  write_file_atomically(
      path, std::string_view(reinterpret_cast<const char*>(image.data()), image.size()));
}

}  // namespace ccgrisk
