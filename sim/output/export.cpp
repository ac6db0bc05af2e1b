#include "output/export.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "engine/uncertainty.hpp"
#include "input/csv.hpp"
#include "input/text.hpp"
#include "output/file_output.hpp"
#include "output/results_file.hpp"
#include "output/units.hpp"

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMoney = units::kMoneyHeader;
using units::kCcgs;
using units::kProbability;

Column text(std::string name, std::vector<std::string> values) {
  return {std::move(name), "", std::move(values), {}};
}

Column numbers(std::string name, std::string units, std::vector<double> values) {
  return {std::move(name), std::move(units), {}, std::move(values)};
}

// "q05" for the 5% quantile.
std::string quantile_name(double level) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "q%02d", static_cast<int>(std::lround(level * 100)));
  return buf;
}

// Column `j` of a row-major table `width` values wide.
std::vector<double> column_of(std::span<const double> values, std::size_t j, std::size_t width) {
  std::vector<double> out;
  for (std::size_t i = j; i < values.size(); i += width)
    out.push_back(values[i]);
  return out;
}

// ---- Per-CCG tables --------------------------------------------------------------

void add_quantiles(Table& t, const std::string& prefix, std::span<const double> values) {
  const std::size_t width = kQuantileLevels.size();
  for (std::size_t j = 0; j < width; ++j)
    t.columns.push_back(
        numbers(prefix + quantile_name(kQuantileLevels[j]), kMoney, column_of(values, j, width)));
}

void add_ccg_stats(Table& t, const CcgStats& s) {
  t.columns.push_back(numbers("p_red", kProbability, s.p_red));
  t.columns.push_back(numbers("p_red_se", kProbability, s.p_red_se));
  t.columns.push_back(numbers("p_miss_control", kProbability, s.p_miss_control));
  t.columns.push_back(numbers("p_miss_control_se", kProbability, s.p_miss_control_se));
  t.columns.push_back(numbers("surplus_mean", kMoney, s.surplus_mean_k));
  t.columns.push_back(numbers("surplus_sd", kMoney, s.surplus_sd_k));
  t.columns.push_back(numbers("surplus_min", kMoney, s.surplus_min_k));
  t.columns.push_back(numbers("surplus_max", kMoney, s.surplus_max_k));
  add_quantiles(t, "surplus_", s.surplus_quantiles_k);
  t.columns.push_back(numbers("surplus_es05", kMoney, s.surplus_es05_k));
  t.columns.push_back(numbers("underlying_mean", kMoney, s.underlying_mean_k));
  t.columns.push_back(numbers("surplus_resolution", kMoney, s.hist_resolution_k));
}

Table ccg_table(const Results& r) {
  Table t{"ccg", {}};
  t.columns = {text("code", r.code),
               text("name", r.name),
               text("region", r.region),
               text("area_team_code", r.area_team_code),
               text("area_team", r.area_team),
               text("pool", r.pool),
               numbers("allocation", kMoney, r.allocation_k),
               numbers("planned_surplus", kMoney, r.planned_surplus_k),
               numbers("control_total", kMoney, r.control_total_k),
               numbers("reserves", kMoney, r.reserves_k)};
  if (!r.planned_deficit.empty()) {
    std::vector<std::string> planned;
    for (std::int64_t flag : r.planned_deficit)
      planned.push_back(flag != 0 ? "yes" : "no");
    t.columns.push_back(text("plans_deficit", planned));
  }
  // Where each input came from (e.g. allocation_basis "estimated from
  // population"), when the results file records it.
  for (int k = 0; k < kNumCcgInputs; ++k)
    if (!r.input_basis[k].empty())
      t.columns.push_back(text(std::string(kCcgInputs[k].basis_column), r.input_basis[k]));
  add_ccg_stats(t, r.before);
  return t;
}

// Whether each CCG's allocation is published or estimated, for the CCG
// tables other than `ccg` (which has every input's basis).
void add_allocation_basis(Table& t, const Results& r) {
  if (!r.input_basis[kInputAllocation].empty())
    t.columns.push_back(text(std::string(kCcgInputs[kInputAllocation].basis_column),
                             r.input_basis[kInputAllocation]));
}

Table ccg_pooled_table(const Results& r) {
  Table t{"ccg_pooled", {text("code", r.code), text("name", r.name), text("pool", r.pool)}};
  add_allocation_basis(t, r);
  add_ccg_stats(t, r.after);
  return t;
}

// ---- Group tables ----------------------------------------------------------------

template <class Field>
std::vector<double> gather(const std::vector<GroupStats>& groups, Field field) {
  std::vector<double> out;
  for (const GroupStats& g : groups)
    out.push_back(field(g));
  return out;
}

// A group's statistics before or after risk sharing.
struct Stage {
  double expected_red;
  double expected_unplanned_red;
  double expected_planned_red;
  std::array<double, 3> count_red_q;  // 5%, 50%, 95%
  double p_deficit;
  double total_surplus_mean_k;
  std::array<double, kQuantileLevels.size()> total_surplus_q_k;
};

Stage stage_of(const GroupStats& g, bool pooled) {
  if (pooled)
    return {g.expected_red_pooled,
            g.expected_unplanned_red_pooled,
            g.expected_planned_red_pooled,
            g.count_red_q05_q50_q95_pooled,
            g.p_deficit_pooled,
            g.total_surplus_mean_pooled_k,
            g.total_surplus_quantiles_pooled_k};
  return {
      g.expected_red, g.expected_unplanned_red, g.expected_planned_red,     g.count_red_q05_q50_q95,
      g.p_deficit,    g.total_surplus_mean_k,   g.total_surplus_quantiles_k};
}

// Whether the file split the count into planned and unplanned deficits.
bool has_planned_split(const std::vector<GroupStats>& groups) {
  return !groups.empty() && !groups.front().count_unplanned_red_pmf.empty();
}

void add_group_stage(Table& t, const std::vector<GroupStats>& groups, bool pooled) {
  std::vector<Stage> s;
  for (const GroupStats& g : groups)
    s.push_back(stage_of(g, pooled));
  const std::string sfx = pooled ? "_pooled" : "";
  const auto add = [&](std::string name, const char* units, auto field) {
    std::vector<double> values;
    for (const Stage& x : s)
      values.push_back(field(x));
    t.columns.push_back(numbers(std::move(name) + sfx, units, std::move(values)));
  };
  add("expected_red", kCcgs, [](const Stage& x) { return x.expected_red; });
  if (has_planned_split(groups)) {
    add("expected_unplanned_red", kCcgs, [](const Stage& x) { return x.expected_unplanned_red; });
    add("expected_planned_red", kCcgs, [](const Stage& x) { return x.expected_planned_red; });
  }
  const std::array<const char*, 3> count_names = {"count_red_q05", "count_red_q50",
                                                  "count_red_q95"};
  for (std::size_t j = 0; j < 3; ++j)
    add(count_names[j], kCcgs, [j](const Stage& x) { return x.count_red_q[j]; });
  add("p_deficit", kProbability, [](const Stage& x) { return x.p_deficit; });
  add("total_surplus_mean", kMoney, [](const Stage& x) { return x.total_surplus_mean_k; });
  for (std::size_t j = 0; j < kQuantileLevels.size(); ++j)
    add("total_surplus_" + quantile_name(kQuantileLevels[j]), kMoney,
        [j](const Stage& x) { return x.total_surplus_q_k[j]; });
}

Table group_table(std::string name, const std::vector<GroupStats>& groups) {
  Table t{std::move(name), {}};
  std::vector<std::string> code, label;
  for (const GroupStats& g : groups) {
    code.push_back(g.code);
    label.push_back(g.name);
  }
  t.columns = {text("code", code), text("name", label),
               numbers("n_ccgs", kCcgs, gather(groups, [](const GroupStats& g) {
                         return static_cast<double>(g.members.size());
                       }))};
  add_group_stage(t, groups, false);
  add_group_stage(t, groups, true);
  return t;
}

Table pool_table(const Results& r) {
  Table t = group_table("pool", r.pools);
  std::vector<std::string> members;
  for (const GroupStats& g : r.pools) {
    std::string list;
    for (int i : g.members)
      list.append(list.empty() ? "" : " ").append(r.code[static_cast<std::size_t>(i)]);
    members.push_back(list);
  }
  t.columns.insert(t.columns.begin() + 2, text("rule", r.pool_rule));
  t.columns.insert(t.columns.begin() + 3, text("members", members));
  return t;
}

// Specialised commissioning hubs and NHS England's total (last row).
Table hub_table(const Results& r) {
  std::vector<HubStats> hubs = r.hubs;
  hubs.push_back(r.specialised);
  Table t{"hub", {}};
  std::vector<std::string> names;
  for (const HubStats& h : hubs)
    names.push_back(h.name);
  t.columns.push_back(text("name", names));
  const auto add = [&](std::string name, const char* units, auto field) {
    std::vector<double> values;
    for (const HubStats& h : hubs)
      values.push_back(field(h));
    t.columns.push_back(numbers(std::move(name), units, std::move(values)));
  };
  add("budget", kMoney, [](const HubStats& h) { return h.budget_k; });
  add("p_overspend", kProbability, [](const HubStats& h) { return h.p_overspend; });
  add("overspend_mean", kMoney, [](const HubStats& h) { return h.overspend_mean_k; });
  add("overspend_sd", kMoney, [](const HubStats& h) { return h.overspend_sd_k; });
  for (std::size_t j = 0; j < kQuantileLevels.size(); ++j)
    add("overspend_" + quantile_name(kQuantileLevels[j]), kMoney,
        [j](const HubStats& h) { return h.overspend_quantiles_k[j]; });
  return t;
}

// Published figures next to this run's values (run --targets); the units
// are those of each statistic.
Table targets_table(const Results& r) {
  Table t{"targets", {}};
  std::vector<std::string> name, statistic, group, met, source;
  std::vector<double> value, tolerance, model, model_se;
  for (const TargetCheck& c : r.targets) {
    name.push_back(c.name);
    statistic.push_back(c.statistic);
    group.push_back(c.group);
    met.push_back(std::abs(c.model - c.value) <= c.tolerance ? "yes"
                  : c.reproduced                             ? "no"
                                                             : "open");
    source.push_back(c.source);
    value.push_back(c.value);
    tolerance.push_back(c.tolerance);
    model.push_back(c.model);
    model_se.push_back(c.model_se);
  }
  const std::string units = "units of the statistic";
  t.columns = {text("name", name),
               text("statistic", statistic),
               text("group", group),
               numbers("published", units, value),
               numbers("tolerance", units, tolerance),
               numbers("model", units, model),
               numbers("model_se", units, model_se),
               text("met", met),
               text("source", source)};
  return t;
}

// What drives each CCG's risk: each pressure component's mean, its mean in
// the years the CCG is in the red (blank if never), and the CCG's Euler
// contribution to the national expected shortfall.
Table attribution_table(const Results& r) {
  const Attribution& a = r.attribution;
  const std::size_t k = a.components.size();
  Table t{"attribution", {text("code", r.code), text("name", r.name)}};
  add_allocation_basis(t, r);
  for (std::size_t c = 0; c < k; ++c) {
    t.columns.push_back(numbers(a.components[c] + "_mean", kMoney, column_of(a.mean_k, c, k)));
    t.columns.push_back(
        numbers(a.components[c] + "_mean_in_red", kMoney, column_of(a.mean_red_k, c, k)));
  }
  t.columns.push_back(numbers("es_contribution", kMoney, a.es_contribution_k));
  return t;
}

// P(exactly k CCGs in the red) and P(at most k), before and after risk sharing.
Table national_count_table(const GroupStats& national) {
  const std::size_t size = national.count_red_pmf.size();
  std::vector<double> k(size), cdf(size), cdf_pooled(size);
  double sum = 0, sum_pooled = 0;
  for (std::size_t i = 0; i < size; ++i) {
    k[i] = static_cast<double>(i);
    cdf[i] = sum += national.count_red_pmf[i];
    cdf_pooled[i] = sum_pooled += national.count_red_pmf_pooled[i];
  }
  return {
      "national_count",
      {numbers("ccgs_in_red", kCcgs, k), numbers("p_exactly", kProbability, national.count_red_pmf),
       numbers("p_at_most", kProbability, cdf),
       numbers("p_exactly_pooled", kProbability, national.count_red_pmf_pooled),
       numbers("p_at_most_pooled", kProbability, cdf_pooled)}};
}

// "concentration: mean 0.8, sd 0.15, concentration 6.11111" (the beta the
// engine used); empty for a file that did not record it.
std::string cip_delivery_text(const Provenance& p) {
  if (p.cip_delivery_form.empty()) return "";
  char text[160];
  std::snprintf(text, sizeof text, "%s: mean %.9g, sd %.9g, concentration %.9g",
                p.cip_delivery_form.c_str(), p.cip_delivery_mean, p.cip_delivery_sd,
                p.cip_delivery_concentration);
  return text;
}

Table provenance_table(const Results& r, const std::string& source) {
  const Provenance& p = r.provenance;
  std::vector<std::pair<std::string, std::string>> rows = {
      {"results_file", source},
      {"schema_version", std::to_string(kSchemaMajor) + "." +
                             std::to_string(r.horizon ? kHorizonSchemaMinor : kSchemaMinor)},
      {"tool_version", p.tool_version},
      {"git_sha", p.git_sha},
      {"seed", std::to_string(p.seed)},
      {"trials", std::to_string(p.trials)},
      {"threads", std::to_string(p.threads)},
      {"wall_seconds", std::to_string(p.wall_seconds)},
      {"created_utc", p.created_utc},
      {"scenario_path", p.scenario_path},
      {"ccg_table_path", p.ccg_table_path},
      {"ccg_table_sha256", p.ccg_table_sha256},
      {"rng", p.rng},
      {"cip_delivery", cip_delivery_text(p)},
      {"money_units", "GBP thousands (GBP k) throughout"},
      {"scenario_toml", p.scenario_toml}};
  // With [uncertainty], wall_seconds is the scenario's share of the passes;
  // these are every run's (the scenario as given and each sample).
  if (r.uncertainty && r.uncertainty->runs > 0) {
    rows.emplace_back("uncertainty_runs", std::to_string(r.uncertainty->runs));
    rows.emplace_back("uncertainty_wall_seconds", std::to_string(r.uncertainty->seconds));
  }
  Table t{"provenance", {text("key", {}), text("value", {})}};
  for (const auto& [key, value] : rows) {
    t.columns[0].text.push_back(key);
    t.columns[1].text.push_back(value);
  }
  return t;
}

// ---- Parameter uncertainty ---------------------------------------------------------

// Per CCG: P(red) as given with its Monte Carlo error beside its spread over
// the outer samples.
Table uncertainty_ccg_table(const Results& r, const UncertaintyResult& u) {
  Table t{"uncertainty_ccg", {text("code", r.code), text("name", r.name)}};
  add_allocation_basis(t, r);
  for (Column& c :
       std::vector<Column>{numbers("p_red_as_given", kProbability, r.before.p_red),
                           numbers("p_red_se", kProbability, r.before.p_red_se),
                           numbers("p_red_mean", kProbability, u.p_red_mean),
                           numbers("p_red_q05", kProbability, u.p_red_q05),
                           numbers("p_red_q50", kProbability, u.p_red_q50),
                           numbers("p_red_q95", kProbability, u.p_red_q95),
                           numbers("p_red_pooled_q05", kProbability, u.p_red_pooled_q05),
                           numbers("p_red_pooled_q95", kProbability, u.p_red_pooled_q95)})
    t.columns.push_back(std::move(c));
  return t;
}

// Per uncertain key: its distribution and source, and how much it matters.
Table uncertainty_parameters_table(const UncertaintyResult& u) {
  return {"uncertainty_parameters",
          {text("key", u.keys), text("distribution", u.distributions), text("source", u.sources),
           numbers("rank_correlation", "", u.rank_correlation),
           numbers("first_order_index", "", u.first_order)}};
}

// England over the outer samples: the expected number in the red and the
// share of its variance from the parameters.
Table uncertainty_national_table(const UncertaintyResult& u) {
  return {"uncertainty_national",
          {text("statistic", {"samples", "expected_red_mean", "expected_red_q05",
                              "expected_red_q50", "expected_red_q95", "epistemic_share"}),
           numbers("value", "",
                   {static_cast<double>(u.samples), u.expected_red_mean, u.expected_red_q05,
                    u.expected_red_q50, u.expected_red_q95, u.epistemic_share})}};
}

// ---- CSV -------------------------------------------------------------------------

// A text cell as a spreadsheet would read it: a text that starts with '=',
// '+', '-', '@', a tab or a carriage return (and is not a number) would be
// taken for a formula when the CSV is opened in Excel or LibreOffice, so it
// gets a leading apostrophe, which both show as text and hide. Numbers
// written as text ("-0.5") are kept as they are.
std::string spreadsheet_text(const std::string& s) {
  if (s.empty() || std::string_view("=+-@\t\r").find(s.front()) == std::string_view::npos ||
      parse_cell_number(s))
    return s;
  return "'" + s;
}

std::string cell(const Column& c, std::size_t row) {
  if (c.is_text()) return csv_field(spreadsheet_text(c.text[row]));
  return std::isnan(c.numbers[row]) ? std::string() : number_text(c.numbers[row]);
}

void write_csv_rows(const Table& t, std::ostream& out) {
  for (std::size_t j = 0; j < t.columns.size(); ++j)
    out << (j ? "," : "") << csv_field(t.columns[j].header());
  out << "\r\n";
  for (std::size_t i = 0; i < t.rows(); ++i) {
    for (std::size_t j = 0; j < t.columns.size(); ++j)
      out << (j ? "," : "") << cell(t.columns[j], i);
    out << "\r\n";
  }
}

}  // namespace

std::string Column::header() const {
  return units.empty() ? name : std::string(name).append(" (").append(units).append(")");
}

std::vector<Table> export_tables(const Results& r, const std::string& source) {
  std::vector<Table> tables = {ccg_table(r),
                               ccg_pooled_table(r),
                               group_table("region", r.regions),
                               group_table("area_team", r.area_teams),
                               pool_table(r),
                               group_table("national", {r.national}),
                               national_count_table(r.national)};
  if (!r.hubs.empty()) tables.push_back(hub_table(r));
  if (!r.targets.empty()) tables.push_back(targets_table(r));
  if (!r.attribution.components.empty()) tables.push_back(attribution_table(r));
  if (r.uncertainty) {
    tables.push_back(uncertainty_ccg_table(r, *r.uncertainty));
    tables.push_back(uncertainty_parameters_table(*r.uncertainty));
    tables.push_back(uncertainty_national_table(*r.uncertainty));
  }
  tables.push_back(provenance_table(r, source));
  return tables;
}

namespace {

// Quantile `level` of every row of a [rows, 9] array.
std::vector<double> quantile_column(std::span<const double> values, double level) {
  const auto at = std::find(kQuantileLevels.begin(), kQuantileLevels.end(), level);
  return column_of(values, static_cast<std::size_t>(at - kQuantileLevels.begin()),
                   kQuantileLevels.size());
}

Table years_table(const std::vector<Results>& years) {
  const std::vector<std::string>& labels = years.front().horizon->labels;
  Table t{"years", {text("year", labels)}};
  const auto per_year = [&](std::string name, std::string units, auto value) {
    std::vector<double> values;
    for (const Results& r : years)
      values.push_back(value(r));
    t.columns.push_back(numbers(std::move(name), std::move(units), std::move(values)));
  };
  per_year("expected_red", kCcgs, [](const Results& r) { return r.national.expected_red; });
  per_year("expected_red_pooled", kCcgs,
           [](const Results& r) { return r.national.expected_red_pooled; });
  per_year("p_sector_deficit", kProbability, [](const Results& r) { return r.national.p_deficit; });
  per_year("expected_red_any_year_so_far", kCcgs, [](const Results& r) {
    double sum = 0.0;
    for (double p : r.horizon->p_red_by_year[0])
      sum += p;
    return sum;
  });
  for (const double level : {0.05, 0.50, 0.95}) {
    const std::size_t j = static_cast<std::size_t>(
        std::find(kQuantileLevels.begin(), kQuantileLevels.end(), level) - kQuantileLevels.begin());
    const std::string q = quantile_name(level);
    per_year("total_surplus_" + q, kMoney,
             [j](const Results& r) { return r.national.total_surplus_quantiles_k[j]; });
    per_year("total_underlying_" + q, kMoney,
             [j](const Results& r) { return r.horizon->underlying_total_quantiles_k[0][j]; });
    per_year("total_cumulative_" + q, kMoney,
             [j](const Results& r) { return r.horizon->cumulative_total_quantiles_k[0][j]; });
  }
  return t;
}

Table ccg_years_table(const std::vector<Results>& years) {
  const Results& first = years.front();
  const HorizonYear& last = *years.back().horizon;
  const std::vector<std::string>& labels = last.labels;
  Table t{"ccg_years",
          {text("code", first.code), text("name", first.name), text("region", first.region)}};
  // The first year's basis: later years' allocations grow from it.
  add_allocation_basis(t, first);
  for (const Results& r : years)
    t.columns.push_back(numbers("p_red " + labels[r.horizon->year], kProbability, r.before.p_red));
  t.columns.push_back(numbers("p_red_any_year", kProbability, last.p_red_any_year[0]));
  t.columns.push_back(numbers("p_red_any_year_pooled", kProbability, last.p_red_any_year[1]));
  t.columns.push_back(numbers("p_red_every_year", kProbability, last.p_red_every_year[0]));
  for (std::size_t y = 0; y <= labels.size(); ++y)
    t.columns.push_back(numbers(y < labels.size() ? "p_first_red " + labels[y] : "p_never_red",
                                kProbability,
                                column_of(last.first_red_year_pmf[0], y, labels.size() + 1)));
  for (const Results& r : years)
    t.columns.push_back(numbers("underlying_q50 " + labels[r.horizon->year], kMoney,
                                quantile_column(r.horizon->underlying_quantiles_k[0], 0.50)));
  for (const Results& r : years)
    t.columns.push_back(numbers("cumulative_q50 " + labels[r.horizon->year], kMoney,
                                quantile_column(r.horizon->cumulative_quantiles_k[0], 0.50)));
  return t;
}

}  // namespace

std::vector<Table> export_horizon_tables(const std::vector<Results>& years, std::size_t shown,
                                         const std::string& source) {
  std::vector<Table> tables = {years_table(years), ccg_years_table(years)};
  const std::string& label = years.front().horizon->labels.at(shown);
  for (Table& t : export_tables(years.at(shown), source)) {
    t.name += "_" + label;
    tables.push_back(std::move(t));
  }
  return tables;
}

std::vector<std::string> csv_file_names(const std::vector<Table>& tables) {
  std::vector<std::string> names;
  for (const Table& t : tables)
    names.push_back(t.name + ".csv");
  return names;
}

void stage_csv(const std::vector<Table>& tables, const fs::path& dir, StagedOutputs& outputs) {
  auto folder = std::make_unique<OutputFolder>(dir);
  const fs::path path = folder->path();
  outputs.add(std::move(folder));
  const std::vector<std::string> names = csv_file_names(tables);
  for (std::size_t k = 0; k < tables.size(); ++k) {
    std::ostringstream text;
    write_csv_rows(tables[k], text);
    auto file = std::make_unique<TempFile>(path / names[k]);
    file->write(text.str());
    outputs.add(std::move(file));
  }
}

}  // namespace ccgrisk
