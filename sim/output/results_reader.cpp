#include "output/results_reader.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "input/error.hpp"
#include "output/hdf5.hpp"
#include "output/results_file.hpp"

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;
using h5::Dims;
using h5::Group;

constexpr std::string_view kFileType = "ccgrisk-results";

// ---- Checked reads -----------------------------------------------------------

std::string shape_text(const Dims& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i)
    s.append(i ? ", " : "").append(std::to_string(dims[i]));
  return s + ")";
}

// Reads `path` and checks its shape is `dims`.
template <class T>
std::vector<T> read(const Group& g, std::string_view path, const Dims& dims) {
  h5::Array<T> a = h5::read_dataset<T>(g, path);
  if (a.dims != dims)
    throw std::runtime_error(g.child(path) + " has shape " + shape_text(a.dims) + ", expected " +
                             shape_text(dims));
  return std::move(a.values);
}

std::vector<double> doubles(const Group& g, std::string_view path, const Dims& dims) {
  return read<double>(g, path, dims);
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

h5::File open_checked(const fs::path& path) {
  if (!fs::exists(path)) throw InputError(path.string() + ": no such file");
  if (fs::is_directory(path)) throw InputError(path.string() + ": is a folder, not a file");
  try {
    return h5::File::open(path);
  } catch (const std::runtime_error&) {
    throw InputError(path.string() + ": not an HDF5 file (expected a ccgrisk results file)");
  }
}

void check_header(const h5::File& file, const fs::path& path) {
  const std::string type =
      h5::has_attribute(file, "file_type") ? h5::read_string_attribute(file, "file_type") : "";
  if (type != kFileType)
    throw InputError(path.string() + ": not a ccgrisk results file (file_type is '" + type +
                     "', expected '" + std::string(kFileType) + "')");
  const std::vector<std::int32_t> version =
      h5::has_attribute(file, "schema_version")
          ? h5::read_attribute<std::int32_t>(file, "schema_version")
          : std::vector<std::int32_t>{};
  if (version.empty() || version[0] != kSchemaMajor) {
    std::string found = version.empty() ? "none" : std::to_string(version[0]);
    if (version.size() > 1) found.append(".").append(std::to_string(version[1]));
    throw InputError(path.string() + ": results schema version " + found + ", but this ccgrisk " +
                     "reads schema " + std::to_string(kSchemaMajor) + ".x");
  }
}

std::string optional_string(const h5::File& file, std::string_view name) {
  return h5::has_attribute(file, name) ? h5::read_string_attribute(file, name) : "";
}

template <class T>
T scalar_attribute(const h5::File& file, std::string_view name) {
  const std::vector<T> values = h5::read_attribute<T>(file, name);
  if (values.size() != 1) throw std::runtime_error("root attribute '" + std::string(name) +
                                                   "' is not a single number");
  return values.front();
}

Provenance read_provenance(const h5::File& file) {
  Provenance p;
  p.tool_version = h5::read_string_attribute(file, "tool_version");
  p.git_sha = h5::read_string_attribute(file, "git_sha");
  p.seed = scalar_attribute<std::uint64_t>(file, "seed");
  p.trials = scalar_attribute<std::int64_t>(file, "trials");
  p.threads = static_cast<int>(scalar_attribute<std::int64_t>(file, "threads"));
  p.wall_seconds = scalar_attribute<double>(file, "wall_seconds");
  p.created_utc = h5::read_string_attribute(file, "created_utc");
  p.scenario_toml = h5::read_string_attribute(file, "scenario_toml");
  p.scenario_path = optional_string(file, "scenario_path");
  p.ccg_table_sha256 = h5::read_string_attribute(file, "ccg_table_sha256");
  p.ccg_table_path = optional_string(file, "ccg_table_path");
  p.rng = h5::read_string_attribute(file, "rng");
  return p;
}

// ---- /ccg and /pooled ------------------------------------------------------------

void read_identity(const Group& g, Results& r) {
  r.code = h5::read_dataset<std::string>(g, "code").values;
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
  const h5::Array<std::int64_t> counts = h5::read_dataset<std::int64_t>(g, "surplus_hist_counts");
  const std::uint64_t bins = counts.dims.size() == 2 ? counts.dims[1] : 0;
  s.hist_counts = read<std::int64_t>(g, "surplus_hist_counts", {n, bins});
  s.hist_edges_k = doubles(g, "surplus_hist_edges_k", {n, bins + 1});
  return s;
}

// ---- Groups: /national, /region, /area_team, /pool ----------------------------------

// Reads row `row` of every group statistic; `rows` empty for /national
// (no leading axis).
struct GroupReader {
  const Group& g;
  Dims rows;
  std::size_t n;  // CCGs in the table

  std::vector<double> field(std::string_view name, Dims inner) const {
    inner.insert(inner.begin(), rows.begin(), rows.end());
    return doubles(g, name, inner);
  }

  void read_pooled_pair(std::vector<GroupStats>& out, bool pooled) const {
    const std::string sfx = pooled ? "_pooled" : "";
    const std::string deficit = rows.empty() ? "p_sector_deficit" : "p_deficit";
    const auto pmf = field("count_red_pmf" + sfx, {n + 1});
    const auto expected = field("expected_red" + sfx, {});
    const auto count_q = field("count_red_quantiles" + sfx, {3});
    const auto mean = field("total_surplus_mean" + sfx + "_k", {});
    const auto total_q = field("total_surplus_quantiles" + sfx + "_k", {kQuantileLevels.size()});
    const auto p_deficit = field(deficit + sfx, {});
    for (std::size_t i = 0; i < out.size(); ++i) {
      GroupStats& s = out[i];
      (pooled ? s.count_red_pmf_pooled : s.count_red_pmf) = row_of(pmf, i, n + 1);
      (pooled ? s.expected_red_pooled : s.expected_red) = expected[i];
      (pooled ? s.count_red_q05_q50_q95_pooled : s.count_red_q05_q50_q95) = to_array<3>(count_q, i);
      (pooled ? s.total_surplus_mean_pooled_k : s.total_surplus_mean_k) = mean[i];
      (pooled ? s.total_surplus_quantiles_pooled_k : s.total_surplus_quantiles_k) =
          to_array<kQuantileLevels.size()>(total_q, i);
      (pooled ? s.p_deficit_pooled : s.p_deficit) = p_deficit[i];
    }
  }

  void read_stats(std::vector<GroupStats>& out) const {
    read_pooled_pair(out, false);
    read_pooled_pair(out, true);
    const auto resolution = field("total_surplus_resolution_k", {});
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i].total_hist_resolution_k = resolution[i];
  }
};

// Members of each of `count` groups from the per-CCG row index (-1 = none).
void assign_members(std::vector<GroupStats>& groups, const std::vector<std::int64_t>& index,
                    std::string_view what) {
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (index[i] < 0) continue;
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
  const std::vector<std::string> code = h5::read_dataset<std::string>(g, "code").values;
  const Dims rows{code.size()};
  const std::vector<std::string> label = read<std::string>(g, "name", rows);
  std::vector<GroupStats> groups(code.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    groups[i].code = code[i];
    groups[i].name = label[i];
  }
  GroupReader{g, rows, n}.read_stats(groups);
  assign_members(groups, read<std::int64_t>(file, index_path, {n}), index_path);
  return groups;
}

GroupStats read_national(const h5::File& file, std::size_t n) {
  std::vector<GroupStats> one(1);
  one[0].code = "England";
  one[0].name = "England";
  GroupReader{file.open_group("/national"), {}, n}.read_stats(one);
  for (std::size_t i = 0; i < n; ++i)
    one[0].members.push_back(static_cast<int>(i));
  return one[0];
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
  return r;
}

}  // namespace

Results read_results_file(const fs::path& path) {
  const h5::File file = open_checked(path);
  try {
    check_header(file, path);
    return read_all(file);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError(path.string() + ": incomplete or damaged results file: " + e.what());
  }
}

}  // namespace ccgrisk
