#include "output/results_reader.hpp"

#include "engine/uncertainty.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/accumulator.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/limits.hpp"
#include "input/text.hpp"
#include "output/hdf5.hpp"
#include "output/results_file.hpp"
#include "output/seal.hpp"
#include "output/units.hpp"

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;
using h5::Dims;
using h5::Group;

constexpr std::string_view kFileType = "ccgrisk-results";
// Largest results file read: far above any a 10,000-CCG run writes.
constexpr std::size_t kMaxResultsBytes = std::size_t{4} << 30;

// ---- Checked reads -----------------------------------------------------------

// The year read from a file of several years (schema 1.1): a dataset with a
// leading year axis (attribute leading_axis) is read at that year. Set by
// read_checked for the read in progress (results are read in one thread).
struct YearSlice {
  int year = -1;            // -1: a one-year read
  std::uint64_t years = 0;  // the file's years; 0: a one-year file
};
YearSlice g_slice;

// The shape of `path` as a one-year file has it (a per-year dataset of a
// file of several years without its leading year axis).
Dims year_shape(const Group& g, std::string_view path) {
  const h5::Dataset dataset = g.dataset(path);
  Dims dims = dataset.dims();
  if (g_slice.years > 0 && h5::has_attribute(dataset, "leading_axis") && !dims.empty())
    dims.erase(dims.begin());
  return dims;
}

// Names, codes and sources as every input has them (text_problem): UTF-8,
// no control character, of a bounded length; so that what summary, export
// and report print is text (a hand-made file could hold terminal escapes).
void check_texts(const std::vector<std::string>& values, const std::string& where) {
  constexpr std::size_t kMaxBytes = 4'000;  // sources; names and codes are shorter
  for (std::size_t i = 0; i < values.size(); ++i)
    if (const std::string problem = text_problem(values[i], kMaxBytes); !problem.empty())
      throw std::runtime_error(where + " entry " + std::to_string(i) + " " + problem);
}

// Reads `path` once its shape is checked to be `dims` (nothing is read, or
// allocated, for a dataset of another shape); in a file of several years,
// year g_slice.year of a per-year dataset. Texts are checked (check_texts).
template <class T>
std::vector<T> read(const Group& g, std::string_view path, const Dims& dims) {
  const h5::Dataset dataset = g.dataset(path);
  const Dims found = dataset.dims();
  const bool per_year = g_slice.years > 0 && h5::has_attribute(dataset, "leading_axis");
  Dims expected = dims;
  if (per_year) expected.insert(expected.begin(), g_slice.years);
  if (found != expected)
    throw std::runtime_error(g.child(path) + " has shape " + h5::dims_text(found) + ", expected " +
                             h5::dims_text(expected));
  std::vector<T> values = h5::read_dataset<T>(dataset).values;
  if constexpr (std::is_same_v<T, std::string>) check_texts(values, g.child(path));
  if (!per_year) return values;
  const std::size_t each = values.size() / g_slice.years;
  const auto first = values.begin() + static_cast<std::ptrdiff_t>(each * g_slice.year);
  return {first, first + static_cast<std::ptrdiff_t>(each)};
}

// A list of labels (1-D strings) of at most `most` entries: the CCG codes
// (at most limits::kMaxCcgs), names of groups, hubs, targets.
std::vector<std::string> labels(const Group& g, std::string_view path, std::uint64_t most) {
  const h5::Dataset dataset = g.dataset(path);
  const Dims dims = dataset.dims();
  if (dims.size() != 1 || dims[0] > most)
    throw std::runtime_error(g.child(path) + " has shape " + h5::dims_text(dims) +
                             ", expected a list of at most " + std::to_string(most));
  std::vector<std::string> values = h5::read_dataset<std::string>(dataset).values;
  check_texts(values, g.child(path));
  return values;
}

// A dataset of numbers; one in units of probability must hold
// probabilities (0 to 1, no NaN): summary sorts and prints them as read.
std::vector<double> doubles(const Group& g, std::string_view path, const Dims& dims) {
  std::vector<double> values = read<double>(g, path, dims);
  const h5::Dataset dataset = g.dataset(path);
  if (h5::has_attribute(dataset, "units") &&
      h5::read_string_attribute(dataset, "units") == units::kProbability)
    for (double p : values)
      if (!(p >= 0.0 && p <= 1.0))
        throw std::runtime_error(g.child(path) + " holds " + std::to_string(p) +
                                 ", not a probability");
  return values;
}

template <std::size_t N>
std::array<double, N> to_array(const std::vector<double>& v, std::size_t row) {
  std::array<double, N> out{};
  std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(row * N), N, out.begin());
  return out;
}

std::vector<double> row_of(const std::vector<double>& v, std::size_t row, std::size_t width) {
  const auto first = v.begin() + static_cast<std::ptrdiff_t>(row * width);
  return {first, first + static_cast<std::ptrdiff_t>(width)};
}

// ---- Root attributes -----------------------------------------------------------

void check_header(const h5::File& file, const std::string& path) {
  const std::string type =
      h5::has_attribute(file, "file_type") ? h5::read_string_attribute(file, "file_type") : "";
  if (type != kFileType)
    throw InputError(path + ": not a ccgrisk results file (file_type is '" + type +
                     "', expected '" + std::string(kFileType) + "')");
  const std::vector<std::int32_t> version =
      h5::has_attribute(file, "schema_version")
          ? h5::read_attribute<std::int32_t>(file, "schema_version")
          : std::vector<std::int32_t>{};
  if (version.empty() || version[0] != kSchemaMajor) {
    std::string found = version.empty() ? "none" : std::to_string(version[0]);
    if (version.size() > 1) found.append(".").append(std::to_string(version[1]));
    throw InputError(path + ": results schema version " + found + ", but this ccgrisk " +
                     "reads schema " + std::to_string(kSchemaMajor) + ".x");
  }
  g_slice.years = 0;
  if (!h5::has_attribute(file, "horizon_years")) return;
  const std::vector<std::int64_t> years = h5::read_attribute<std::int64_t>(file, "horizon_years");
  if (years.size() != 1 || years[0] < 1 || years[0] > limits::kMaxYears)
    throw std::runtime_error("root attribute horizon_years is not a number of years (1 to " +
                             std::to_string(limits::kMaxYears) + ")");
  if (years[0] == 1) return;
  if (g_slice.year < 0)
    throw InputError(path + ": a run of " + std::to_string(years[0]) +
                     " years (schema 1.1): choose one with --year (docs/results-format.md, "
                     "\"Several years\")");
  if (g_slice.year >= years[0])
    throw InputError(path + ": --year: the file holds " + std::to_string(years[0]) + " years");
  g_slice.years = static_cast<std::uint64_t>(years[0]);
}

std::string optional_string(const h5::File& file, std::string_view name) {
  return h5::has_attribute(file, name) ? h5::read_string_attribute(file, name) : "";
}

template <class T>
T scalar_attribute(const h5::File& file, std::string_view name) {
  const std::vector<T> values = h5::read_attribute<T>(file, name);
  if (values.size() != 1)
    throw std::runtime_error("root attribute '" + std::string(name) + "' is not a single number");
  return values.front();
}

// The CIP delivery beta's record (added in schema 1.x: read when present).
void read_cip_delivery(const h5::File& file, Provenance& p) {
  if (!h5::has_attribute(file, "cip_delivery_form")) return;
  p.cip_delivery_form = h5::read_string_attribute(file, "cip_delivery_form");
  if (p.cip_delivery_form != "mean_sd" && p.cip_delivery_form != "concentration")
    throw std::runtime_error("root attribute 'cip_delivery_form' is '" + p.cip_delivery_form +
                             "', not mean_sd or concentration");
  p.cip_delivery_mean = scalar_attribute<double>(file, "cip_delivery_mean");
  p.cip_delivery_sd = scalar_attribute<double>(file, "cip_delivery_sd");
  p.cip_delivery_concentration = scalar_attribute<double>(file, "cip_delivery_concentration");
  const std::vector<double> shape = h5::read_attribute<double>(file, "cip_delivery_shape");
  if (shape.size() != 2)
    throw std::runtime_error("root attribute 'cip_delivery_shape' is not 2 numbers");
  p.cip_delivery_shape = {shape[0], shape[1]};
}

Provenance read_provenance(const h5::File& file) {
  Provenance p;
  p.tool_version = h5::read_string_attribute(file, "tool_version");
  p.git_sha = h5::read_string_attribute(file, "git_sha");
  p.seed = scalar_attribute<std::uint64_t>(file, "seed");
  p.trials = scalar_attribute<std::int64_t>(file, "trials");
  if (p.trials < 1 || p.trials > kMaxTrials)
    throw std::runtime_error("root attribute 'trials' is " + std::to_string(p.trials) +
                             ", not a trial count of 1 to " + std::to_string(kMaxTrials));
  const std::int64_t threads = scalar_attribute<std::int64_t>(file, "threads");
  if (threads < 1 || threads > limits::kMaxThreads)
    throw std::runtime_error("root attribute 'threads' is " + std::to_string(threads) +
                             ", not a thread count of 1 to " + std::to_string(limits::kMaxThreads));
  p.threads = static_cast<int>(threads);
  p.wall_seconds = scalar_attribute<double>(file, "wall_seconds");
  if (!(p.wall_seconds >= 0) || !std::isfinite(p.wall_seconds))
    throw std::runtime_error("root attribute 'wall_seconds' is not a time in seconds");
  p.created_utc = h5::read_string_attribute(file, "created_utc");
  p.scenario_toml = h5::read_string_attribute(file, "scenario_toml");
  p.scenario_path = optional_string(file, "scenario_path");
  p.ccg_table_sha256 = h5::read_string_attribute(file, "ccg_table_sha256");
  p.ccg_table_path = optional_string(file, "ccg_table_path");
  p.rng = h5::read_string_attribute(file, "rng");
  if (h5::has_attribute(file, "antithetic"))
    p.antithetic = scalar_attribute<std::int64_t>(file, "antithetic") != 0;
  if (h5::has_attribute(file, "target_se"))
    p.target_se = scalar_attribute<double>(file, "target_se");
  if (h5::has_attribute(file, "se_reached"))
    p.se_reached = scalar_attribute<double>(file, "se_reached");
  if (h5::has_attribute(file, "trials_capped"))
    p.trials_capped = scalar_attribute<std::int64_t>(file, "trials_capped");
  read_cip_delivery(file, p);
  return p;
}

// ---- /ccg and /pooled ------------------------------------------------------------

void read_identity(const Group& g, Results& r) {
  r.code = labels(g, "code", limits::kMaxCcgs);
  const Dims dims{r.code.size()};
  r.name = read<std::string>(g, "name", dims);
  r.region = read<std::string>(g, "region", dims);
  r.area_team_code = read<std::string>(g, "area_team_code", dims);
  r.area_team = read<std::string>(g, "area_team", dims);
  r.pool = read<std::string>(g, "pool", dims);
  r.allocation_k = doubles(g, "allocation_k", dims);
  r.planned_surplus_k = doubles(g, "planned_surplus_k", dims);
  r.control_total_k = doubles(g, "control_total_k", dims);
  r.reserves_k = doubles(g, "reserves_k", dims);
  if (g.exists("planned_deficit"))
    r.planned_deficit = read<std::int64_t>(g, "planned_deficit", dims);
  for (int k = 0; k < kNumCcgInputs; ++k) {  // added in schema 1.x: read when present
    const std::string_view name = kCcgInputs[k].basis_column;
    if (g.exists(name)) r.input_basis[k] = read<std::string>(g, name, dims);
  }
}

CcgStats read_ccg_stats(const Group& g, std::size_t n) {
  const Dims dims{n};
  CcgStats s;
  s.p_red = doubles(g, "p_red", dims);
  s.p_red_se = doubles(g, "p_red_se", dims);
  s.p_miss_control = doubles(g, "p_miss_control", dims);
  s.p_miss_control_se = doubles(g, "p_miss_control_se", dims);
  s.surplus_mean_k = doubles(g, "surplus_mean_k", dims);
  s.surplus_sd_k = doubles(g, "surplus_sd_k", dims);
  s.surplus_min_k = doubles(g, "surplus_min_k", dims);
  s.surplus_max_k = doubles(g, "surplus_max_k", dims);
  s.surplus_quantiles_k = doubles(g, "surplus_quantiles_k", {n, kQuantileLevels.size()});
  s.surplus_es05_k = doubles(g, "surplus_es05_k", dims);
  s.underlying_mean_k = doubles(g, "underlying_mean_k", dims);
  s.hist_resolution_k = doubles(g, "surplus_hist_resolution_k", dims);
  const Dims counts = year_shape(g, "surplus_hist_counts");
  const std::uint64_t bins = counts.size() == 2 ? counts[1] : 0;
  if (bins > kFineBins + 2)
    throw std::runtime_error(g.child("surplus_hist_counts") + " has " + std::to_string(bins) +
                             " bins, more than the " + std::to_string(kFineBins + 2) +
                             " a histogram can have");
  s.hist_counts = read<std::int64_t>(g, "surplus_hist_counts", {n, bins});
  s.hist_edges_k = doubles(g, "surplus_hist_edges_k", {n, bins + 1});
  if (g.exists("p_red_variance_ratio"))
    s.p_red_variance_ratio = doubles(g, "p_red_variance_ratio", dims);
  return s;
}

// ---- Groups: /national, /region, /area_team, /pool ----------------------------------

// Reads the group statistics into `out`, one group per row; `rows` is empty
// for /national (no leading axis). Fields added after schema 1.0 are read
// when the file has them.
class GroupReader {
 public:
  GroupReader(const Group& g, Dims rows, std::size_t n) : g_(g), rows_(std::move(rows)), n_(n) {}

  void read(std::vector<GroupStats>& out) const {
    for (const bool pooled : {false, true})
      read_stage(out, pooled);
    scalar(out, "total_surplus_resolution_k", &GroupStats::total_hist_resolution_k);
    optional_scalar(out, "expected_red_se", &GroupStats::expected_red_se);
    optional_scalar(out, "expected_unplanned_red_se", &GroupStats::expected_unplanned_red_se);
    optional_scalar(out, "total_surplus_sd_k", &GroupStats::total_surplus_sd_k);
  }

 private:
  using Scalar = double GroupStats::*;
  using Row = std::vector<double> GroupStats::*;
  template <std::size_t N>
  using Fixed = std::array<double, N> GroupStats::*;

  void read_stage(std::vector<GroupStats>& out, bool pooled) const {
    const std::string sfx = pooled ? "_pooled" : "";
    const auto pick = [pooled](auto before, auto after) { return pooled ? after : before; };
    row(out, "count_red_pmf" + sfx,
        pick(&GroupStats::count_red_pmf, &GroupStats::count_red_pmf_pooled));
    scalar(out, "expected_red" + sfx,
           pick(&GroupStats::expected_red, &GroupStats::expected_red_pooled));
    fixed<3>(out, "count_red_quantiles" + sfx,
             pick(&GroupStats::count_red_q05_q50_q95, &GroupStats::count_red_q05_q50_q95_pooled));
    scalar(out, "total_surplus_mean" + sfx + "_k",
           pick(&GroupStats::total_surplus_mean_k, &GroupStats::total_surplus_mean_pooled_k));
    fixed<kQuantileLevels.size()>(out, "total_surplus_quantiles" + sfx + "_k",
                                  pick(&GroupStats::total_surplus_quantiles_k,
                                       &GroupStats::total_surplus_quantiles_pooled_k));
    scalar(out, (rows_.empty() ? "p_sector_deficit" : "p_deficit") + sfx,
           pick(&GroupStats::p_deficit, &GroupStats::p_deficit_pooled));
    read_planned_split(out, sfx, pooled);
  }

  void read_planned_split(std::vector<GroupStats>& out, const std::string& sfx, bool pooled) const {
    const std::string pmf = "count_unplanned_red_pmf" + sfx;
    if (g_.exists(pmf))
      row(out, pmf,
          pooled ? &GroupStats::count_unplanned_red_pmf_pooled
                 : &GroupStats::count_unplanned_red_pmf);
    optional_scalar(
        out, "expected_unplanned_red" + sfx,
        pooled ? &GroupStats::expected_unplanned_red_pooled : &GroupStats::expected_unplanned_red);
    optional_scalar(
        out, "expected_planned_red" + sfx,
        pooled ? &GroupStats::expected_planned_red_pooled : &GroupStats::expected_planned_red);
  }

  std::vector<double> field(const std::string& name, Dims inner) const {
    inner.insert(inner.begin(), rows_.begin(), rows_.end());
    return doubles(g_, name, inner);
  }

  void scalar(std::vector<GroupStats>& out, const std::string& name, Scalar m) const {
    const std::vector<double> v = field(name, {});
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].*m = v[i];
  }

  void optional_scalar(std::vector<GroupStats>& out, const std::string& name, Scalar m) const {
    if (g_.exists(name)) scalar(out, name, m);
  }

  void row(std::vector<GroupStats>& out, const std::string& name, Row m) const {
    const std::vector<double> v = field(name, {n_ + 1});
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].*m = row_of(v, i, n_ + 1);
  }

  template <std::size_t N>
  void fixed(std::vector<GroupStats>& out, const std::string& name, Fixed<N> m) const {
    const std::vector<double> v = field(name, {N});
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].*m = to_array<N>(v, i);
  }

  const Group& g_;
  Dims rows_;
  std::size_t n_;  // CCGs in the table
};

// Members of each group from the per-CCG row index; -1 (no group) is
// accepted only where `optional` (pools: every CCG has a region and an area
// team).
void assign_members(std::vector<GroupStats>& groups, const std::vector<std::int64_t>& index,
                    std::string_view what, bool optional) {
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (index[i] == -1 && optional) continue;
    if (index[i] < 0)
      throw std::runtime_error(std::string(what) + " of CCG " + std::to_string(i) + " is " +
                               std::to_string(index[i]) +
                               (optional ? ", not a group or -1 (none)" : ", not a group"));
    if (static_cast<std::size_t>(index[i]) >= groups.size())
      throw std::runtime_error(std::string(what) + " of CCG " + std::to_string(i) + " is " +
                               std::to_string(index[i]) + ", beyond the " +
                               std::to_string(groups.size()) + " groups");
    groups[static_cast<std::size_t>(index[i])].members.push_back(static_cast<int>(i));
  }
}

std::vector<GroupStats> read_groups(const h5::File& file, std::string_view name,
                                    std::string_view index_path, std::size_t n) {
  const Group g = file.open_group(name);
  const std::vector<std::string> code = labels(g, "code", n);
  const Dims rows{code.size()};
  const std::vector<std::string> label = read<std::string>(g, "name", rows);
  std::vector<GroupStats> groups(code.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i].code = code[i];
    groups[i].name = label[i];
  }
  GroupReader(g, rows, n).read(groups);
  assign_members(groups, read<std::int64_t>(file, index_path, {n}), index_path, name == "/pool");
  return groups;
}

GroupStats read_national(const h5::File& file, std::size_t n) {
  std::vector<GroupStats> one(1);
  one[0].code = "England";
  one[0].name = "England";
  const Group national = file.open_group("/national");
  GroupReader(national, {}, n).read(one);
  for (std::size_t i = 0; i < n; ++i)
    one[0].members.push_back(static_cast<int>(i));
  return one[0];
}

// ---- Specialised commissioning (/hub, /national/specialised_*) -------------------

std::vector<HubStats> read_hubs(const h5::File& file) {
  if (!file.exists("/hub/name")) return {};
  const Group g = file.open_group("/hub");
  const std::vector<std::string> names = labels(g, "name", limits::kMaxHubs);
  const Dims dims{names.size()};
  const auto budget = doubles(g, "budget_k", dims), p = doubles(g, "p_overspend", dims);
  const auto mean = doubles(g, "overspend_mean_k", dims), sd = doubles(g, "overspend_sd_k", dims);
  const auto q = doubles(g, "overspend_quantiles_k", {names.size(), kQuantileLevels.size()});
  std::vector<HubStats> hubs(names.size());
  for (std::size_t h = 0; h < hubs.size(); ++h) {
    hubs[h].name = names[h];
    hubs[h].budget_k = budget[h];
    hubs[h].p_overspend = p[h];
    hubs[h].overspend_mean_k = mean[h];
    hubs[h].overspend_sd_k = sd[h];
    hubs[h].overspend_quantiles_k = to_array<kQuantileLevels.size()>(q, h);
  }
  return hubs;
}

// NHS England's specialised deficit: the sum of the hubs' overspends.
HubStats read_specialised(const h5::File& file, const std::vector<HubStats>& hubs) {
  HubStats s;
  if (!file.exists("/national/specialised_deficit_mean_k")) return s;
  const Group g = file.open_group("/national");
  s.name = "NHS England specialised commissioning";
  for (const HubStats& h : hubs)
    s.budget_k += h.budget_k;
  s.p_overspend = doubles(g, "p_specialised_deficit", {}).front();
  s.overspend_mean_k = doubles(g, "specialised_deficit_mean_k", {}).front();
  s.overspend_sd_k = doubles(g, "specialised_deficit_sd_k", {}).front();
  s.overspend_quantiles_k = to_array<kQuantileLevels.size()>(
      doubles(g, "specialised_deficit_quantiles_k", {kQuantileLevels.size()}), 0);
  return s;
}

// ---- /targets: published figures next to the run's values (run --targets) -----------

std::vector<TargetCheck> read_targets(const h5::File& file) {
  if (!file.exists("/targets/name")) return {};
  const Group g = file.open_group("/targets");
  const std::vector<std::string> names = labels(g, "name", limits::kMaxTargets);
  const Dims dims{names.size()};
  const auto statistic = read<std::string>(g, "statistic", dims);
  const auto group = read<std::string>(g, "group", dims);
  const auto source = read<std::string>(g, "source", dims);
  const auto value = doubles(g, "value", dims), tolerance = doubles(g, "tolerance", dims);
  const auto model = doubles(g, "model", dims), model_se = doubles(g, "model_se", dims);
  const auto reproduced = g.exists("reproduced") ? read<std::int64_t>(g, "reproduced", dims)
                                                 : std::vector<std::int64_t>(names.size(), 1);
  std::vector<TargetCheck> targets(names.size());
  for (std::size_t t = 0; t < targets.size(); ++t)
    targets[t] = {names[t],     statistic[t], group[t],    source[t],         value[t],
                  tolerance[t], model[t],     model_se[t], reproduced[t] != 0};
  return targets;
}

// ---- /attribution: what drives each CCG's risk -------------------------------------

Attribution read_attribution(const h5::File& file, std::size_t n) {
  Attribution a;
  if (!file.exists("/attribution/component")) return a;
  const Group g = file.open_group("/attribution");
  a.components = labels(g, "component", kNumComponents);
  const Dims table{n, a.components.size()};
  a.mean_k = doubles(g, "mean_k", table);
  a.mean_red_k = doubles(g, "mean_in_red_k", table);
  a.national_es_k = doubles(g, "national_es_k", {}).front();
  const h5::Dataset es = g.dataset("national_es_k");
  if (h5::has_attribute(es, "tail")) a.tail = h5::read_attribute<double>(es, "tail").at(0);
  a.es_contribution_k = doubles(g, "es_contribution_k", {n});
  return a;
}

// ---- /uncertainty: outer samples of the uncertain parameters ------------------------

std::shared_ptr<const UncertaintyResult> read_uncertainty(const h5::File& file, std::size_t n) {
  if (!file.exists("/uncertainty/parameter")) return nullptr;
  const Group g = file.open_group("/uncertainty");
  auto u = std::make_shared<UncertaintyResult>();
  u->keys = labels(g, "parameter", limits::kMaxUncertainParameters);
  const std::size_t k = u->keys.size();
  const std::vector<std::int64_t> samples = h5::read_attribute<std::int64_t>(g, "samples");
  if (samples.size() != 1 || samples[0] < 1 || samples[0] > limits::kMaxOuterSamples)
    throw std::runtime_error("/uncertainty: attribute 'samples' is not a count of 1 to " +
                             std::to_string(limits::kMaxOuterSamples));
  const std::size_t s = static_cast<std::size_t>(samples[0]);
  u->samples = static_cast<int>(s);
  u->n = static_cast<int>(n);
  u->sampler = h5::read_string_attribute(g, "sampler");
  // The time and count of every run (the scenario as given and each
  // sample); files written before these attributes leave them 0.
  if (h5::has_attribute(g, "runs") && h5::has_attribute(g, "wall_seconds")) {
    const std::vector<std::int64_t> runs = h5::read_attribute<std::int64_t>(g, "runs");
    const std::vector<double> seconds = h5::read_attribute<double>(g, "wall_seconds");
    if (runs.size() != 1 || runs[0] < 1 || runs[0] > limits::kMaxOuterSamples + 1 ||
        seconds.size() != 1 || !(seconds[0] >= 0))
      throw std::runtime_error(
          "/uncertainty: attributes 'runs' and 'wall_seconds' are not a run count and seconds");
    u->runs = static_cast<int>(runs[0]);
    u->seconds = seconds[0];
  }
  u->distributions = read<std::string>(g, "distribution", {k});
  u->sources = read<std::string>(g, "source", {k});
  u->values = doubles(g, "values", {s, k});
  u->p_red = doubles(g, "p_red", {s, n});
  u->p_red_pooled = doubles(g, "p_red_pooled", {s, n});
  u->expected_red = doubles(g, "expected_red", {s});
  u->expected_red_pooled = doubles(g, "expected_red_pooled", {s});
  u->count_red_variance = doubles(g, "count_red_variance", {s});
  u->p_red_mean = doubles(g, "p_red_mean", {n});
  u->p_red_q05 = doubles(g, "p_red_q05", {n});
  u->p_red_q50 = doubles(g, "p_red_q50", {n});
  u->p_red_q95 = doubles(g, "p_red_q95", {n});
  u->p_red_pooled_q05 = doubles(g, "p_red_pooled_q05", {n});
  u->p_red_pooled_q95 = doubles(g, "p_red_pooled_q95", {n});
  const std::vector<double> national = doubles(g, "expected_red_summary", {4});
  u->expected_red_mean = national[0], u->expected_red_q05 = national[1];
  u->expected_red_q50 = national[2], u->expected_red_q95 = national[3];
  u->epistemic_share = doubles(g, "epistemic_share", {}).front();
  u->rank_correlation = doubles(g, "rank_correlation", {k});
  u->first_order = doubles(g, "first_order", {k});
  return u;
}

// The outcomes across years of a year of a run of several (HorizonYear),
// when the file holds them: a year of a schema 1.1 file, or a one-year
// file written from one (its /year/year_index says which).
std::shared_ptr<const HorizonYear> read_horizon(const h5::File& file, std::size_t n) {
  if (!file.exists("/ccg/p_red_any_year")) {
    // A file of several years always has them.
    if (g_slice.years > 0)
      throw std::runtime_error("/ccg/p_red_any_year is missing from a run of " +
                               std::to_string(g_slice.years) + " years");
    return nullptr;
  }
  auto h = std::make_shared<HorizonYear>();
  h->labels = labels(file, "/year/label", limits::kMaxYears);
  const std::size_t years = h->labels.size();
  if (g_slice.years > 0) {
    h->year = g_slice.year;
  } else {
    const Group year = file.open_group("/year");
    const std::vector<std::int64_t> index = h5::read_attribute<std::int64_t>(year, "year_index");
    if (index.size() != 1 || index[0] < 0 || static_cast<std::size_t>(index[0]) >= years)
      throw std::runtime_error("/year attribute year_index is not one of its years");
    h->year = static_cast<int>(index[0]);
  }
  const Dims dims{n}, q{n, kQuantileLevels.size()};
  for (const int phase : {0, 1}) {
    const Group g = file.open_group(phase == 0 ? "/ccg" : "/pooled");
    h->p_red_any_year[phase] = doubles(g, "p_red_any_year", dims);
    h->p_red_any_year_se[phase] = doubles(g, "p_red_any_year_se", dims);
    h->p_red_every_year[phase] = doubles(g, "p_red_every_year", dims);
    h->first_red_year_pmf[phase] = doubles(g, "first_red_year_pmf", {n, years + 1});
    h->p_red_by_year[phase] = doubles(g, "p_red_by_year", dims);
    h->cumulative_mean_k[phase] = doubles(g, "cumulative_surplus_mean_k", dims);
    h->p_cumulative_deficit[phase] = doubles(g, "p_cumulative_deficit", dims);
    h->cumulative_quantiles_k[phase] = doubles(g, "cumulative_surplus_quantiles_k", q);
    h->p_underlying_deficit[phase] = doubles(g, "p_underlying_deficit", dims);
    h->underlying_quantiles_k[phase] = doubles(g, "underlying_quantiles_k", q);
    if (phase == 0 && g.exists("cumulative_surplus_resolution_k")) {
      h->cumulative_resolution_k = doubles(g, "cumulative_surplus_resolution_k", dims);
      h->underlying_resolution_k = doubles(g, "underlying_resolution_k", dims);
    }
    const Group national = file.open_group("/national");
    const std::string suffix = phase == 0 ? "" : "_pooled";
    h->count_red_any_year_pmf[phase] =
        doubles(national, "count_red_any_year_pmf" + suffix, {n + 1});
    h->expected_red_any_year[phase] =
        doubles(national, "expected_red_any_year" + suffix, {}).front();
    h->cumulative_total_quantiles_k[phase] =
        to_array<9>(doubles(national, "cumulative_total_quantiles" + suffix + "_k", {9}), 0);
    h->underlying_total_quantiles_k[phase] =
        to_array<9>(doubles(national, "underlying_total_quantiles" + suffix + "_k", {9}), 0);
  }
  h->specialised_cumulative_mean_k =
      doubles(file, "/national/specialised_cumulative_deficit_mean_k", {}).front();
  return h;
}

Results read_all(const h5::File& file) {
  Results r;
  r.provenance = read_provenance(file);
  read_identity(file.open_group("/ccg"), r);
  const std::size_t n = r.code.size();
  r.before = read_ccg_stats(file.open_group("/ccg"), n);
  r.after = read_ccg_stats(file.open_group("/pooled"), n);
  r.national = read_national(file, n);
  r.regions = read_groups(file, "/region", "/ccg/region_index", n);
  r.area_teams = read_groups(file, "/area_team", "/ccg/area_team_index", n);
  r.pools = read_groups(file, "/pool", "/ccg/pool_index", n);
  r.pool_rule = read<std::string>(file, "/pool/rule", {r.pools.size()});
  r.hubs = read_hubs(file);
  r.specialised = read_specialised(file, r.hubs);
  r.targets = read_targets(file);
  r.attribution = read_attribution(file, n);
  r.uncertainty = read_uncertainty(file, n);
  r.horizon = read_horizon(file, n);
  return r;
}

// Any failure past the header is a damaged file, reported as bad input.
Results read_checked(const h5::File& file, const std::string& name) {
  try {
    check_header(file, name);
    return read_all(file);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError(name + ": incomplete or damaged results file: " + e.what());
  }
}

}  // namespace

Results read_results_file(const fs::path& path, bool verify, int year) {
  const std::string bytes = read_input_file(path, "the results file", kMaxResultsBytes);
  return read_results_image({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()},
                            path.string(), verify, year);
}

std::vector<Results> read_results_years(const fs::path& path, bool verify) {
  std::vector<Results> years{read_results_file(path, verify, 0)};
  if (!years.front().horizon) return years;
  const std::size_t count = years.front().horizon->labels.size();
  for (std::size_t y = 1; y < count; ++y)
    years.push_back(read_results_file(path, verify, static_cast<int>(y)));
  return years;
}

int year_index(const Results& results, const std::string& label) {
  if (!results.horizon) throw InputError("--year " + label + ": the file holds a one-year run");
  const std::vector<std::string>& labels = results.horizon->labels;
  const auto it = std::find(labels.begin(), labels.end(), label);
  if (it == labels.end())
    throw InputError("--year " + label + ": the file holds " + labels.front() + " to " +
                     labels.back());
  return static_cast<int>(it - labels.begin());
}

namespace {

Results read_image(std::span<const unsigned char> image, const std::string& name, int year) {
  g_slice.year = year;
  h5::File file;
  try {
    file = h5::File::open_image(image, name);
  } catch (const std::runtime_error&) {
    throw InputError(name + ": not an HDF5 file (expected a ccgrisk results file)");
  }
  return read_checked(file, name);
}

// HDF5 1.10 itself crashes, hangs, allocates gigabytes or silently damages
// memory on some damaged or crafted files (found by fuzzing;
// docs/reliability.md), and a seal proves only that the bytes were not
// changed since they were sealed (anyone can compute a SHA-256). So this
// process never lets HDF5 parse a file it is given. A child process,
// limited in time and memory, reads the file and sends back either the
// message refusing it ("E" + text) or the results written anew as a sealed
// file ("R" + bytes), made by ccgrisk's own writer; this process reads that.
// A child that crashes, hangs or says nothing means a damaged file.
constexpr int kChildSeconds = 5;
#if defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang's way of saying __SANITIZE_ADDRESS__
#define CCGRISK_ASAN 1
#endif
#endif
#ifndef CCGRISK_ASAN
#define CCGRISK_ASAN 0
#endif

[[noreturn]] void child_reads(std::span<const unsigned char> image, const std::string& name,
                              int out, int year) {
  // A crash here ends this child, which is the point: no handler inherited
  // from the parent (a fuzzer's, a test's) is to report it as its own.
  for (const int signal : {SIGALRM, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL})
    std::signal(signal, SIG_DFL);
#if !defined(__SANITIZE_ADDRESS__) && !CCGRISK_ASAN  // ASan reserves terabytes of address space
  constexpr rlim_t kChildMemory = rlim_t{8} << 30;
  const rlimit memory{kChildMemory, kChildMemory};
  ::setrlimit(RLIMIT_AS, &memory);
#endif
  ::alarm(kChildSeconds);
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) ::dup2(null, STDERR_FILENO);  // a crash report is not for the user
  std::string reply;
  try {
    const std::vector<unsigned char> sealed = results_image(read_image(image, name, year), name);
    reply.assign("R").append(sealed.begin(), sealed.end());
  } catch (const InputError& e) {
    reply.assign("E").append(e.what());
  } catch (...) {
    ::_exit(3);
  }
  for (std::string_view rest = reply; !rest.empty();) {
    const ssize_t wrote = ::write(out, rest.data(), rest.size());
    if (wrote <= 0) ::_exit(4);
    rest.remove_prefix(static_cast<std::size_t>(wrote));
  }
  ::_exit(0);
}

std::string drain(int fd) {
  std::string all;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got > 0) {
      all.append(buffer, static_cast<std::size_t>(got));
    } else if (got == 0 || errno != EINTR) {
      return all;
    }
  }
}

Results read_in_child(std::span<const unsigned char> image, const std::string& name, int year) {
  std::cout.flush();
  std::cerr.flush();
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("cannot create a pipe");
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("cannot start a process to read " + name);
  if (child == 0) {
    ::close(pipe_fds[0]);
    child_reads(image, name, pipe_fds[1], year);
  }
  ::close(pipe_fds[1]);
  const std::string reply = drain(pipe_fds[0]);
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !reply.empty();
  if (finished && reply[0] == 'E') throw InputError(reply.substr(1));
  if (finished && reply[0] == 'R') {
    const auto sealed =
        std::span(reinterpret_cast<const unsigned char*>(reply.data()) + 1, reply.size() - 1);
    if (check_seal(sealed) == SealState::kValid) return read_image(sealed, name, -1);
  }
  const std::string why = WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM
                              ? "it did not finish within " + std::to_string(kChildSeconds) + " s"
                          : WIFSIGNALED(status)
                              ? "it crashed (signal " + std::to_string(WTERMSIG(status)) + ")"
                              : "it failed";
  throw InputError(name + ": damaged results file: the HDF5 library could not read it (" + why +
                   ")");
}

}  // namespace

Results read_results_image(std::span<const unsigned char> image, const std::string& name,
                           bool verify, int year) {
  if (verify && check_seal(image) == SealState::kBroken)
    throw InputError(name +
                     ": changed since ccgrisk wrote it (the SHA-256 in its seal does not "
                     "match): it may be damaged or cut short; if it was changed on purpose, "
                     "read it with --no-verify");
  return read_in_child(image, name, year);
}

}  // namespace ccgrisk
