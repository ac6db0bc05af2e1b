// The HDF5 layer (sim/output/hdf5.hpp) and the results file, schema 1.0.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "output/hdf5.hpp"
#include "output/results_file.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using ccgrisk::GroupStats;
using ccgrisk::Results;
using ccgrisk::test::TempDir;
namespace h5 = ccgrisk::h5;
using Kind = h5::Dataset::Kind;

namespace {

constexpr std::size_t kCcgs = 3;
constexpr std::size_t kBins = 4;

// `count` distinct values start, start + 1/7, ... (not exactly representable
// in decimal, so a lossy round trip would show).
std::vector<double> seq(std::size_t count, double start) {
  std::vector<double> v(count);
  for (std::size_t i = 0; i < count; ++i)
    v[i] = start + static_cast<double>(i) / 7.0;
  return v;
}

ccgrisk::CcgStats make_stats(double base) {
  ccgrisk::CcgStats s;
  s.p_red = seq(kCcgs, base + 0.01);
  s.p_red_se = seq(kCcgs, base + 0.02);
  s.p_miss_control = seq(kCcgs, base + 0.03);
  s.p_miss_control_se = seq(kCcgs, base + 0.04);
  s.surplus_mean_k = seq(kCcgs, base + 100);
  s.surplus_sd_k = seq(kCcgs, base + 200);
  s.surplus_min_k = seq(kCcgs, base - 300);
  s.surplus_max_k = seq(kCcgs, base + 400);
  s.surplus_quantiles_k = seq(kCcgs * 9, base - 50);
  s.surplus_es05_k = seq(kCcgs, base - 500);
  s.underlying_mean_k = seq(kCcgs, base + 600);
  s.hist_resolution_k = seq(kCcgs, base + 0.5);
  for (std::size_t i = 0; i < kCcgs * kBins; ++i)
    s.hist_counts.push_back(static_cast<std::int64_t>(base) * 1000 + static_cast<std::int64_t>(i));
  s.hist_edges_k = seq(kCcgs * (kBins + 1), base - 700);
  return s;
}

GroupStats make_group(std::string code, std::string name, std::vector<int> members, double base) {
  GroupStats g;
  g.code = std::move(code);
  g.name = std::move(name);
  g.members = std::move(members);
  g.count_red_pmf = seq(kCcgs + 1, base + 0.1);
  g.count_red_pmf_pooled = seq(kCcgs + 1, base + 0.2);
  g.count_unplanned_red_pmf = seq(kCcgs + 1, base + 0.3);
  g.count_unplanned_red_pmf_pooled = seq(kCcgs + 1, base + 0.4);
  g.expected_red = base + 0.3;
  g.expected_red_pooled = base + 0.4;
  g.count_red_q05_q50_q95 = {base, base + 1, base + 2};
  g.count_red_q05_q50_q95_pooled = {base + 3, base + 4, base + 5};
  g.total_surplus_mean_k = base + 10;
  g.total_surplus_mean_pooled_k = base + 11;
  for (std::size_t i = 0; i < 9; ++i) {
    g.total_surplus_quantiles_k[i] = base + 20 + static_cast<double>(i) / 3.0;
    g.total_surplus_quantiles_pooled_k[i] = base + 30 + static_cast<double>(i) / 3.0;
  }
  g.total_hist_resolution_k = base + 0.125;
  g.p_deficit = base / 100 + 0.001;
  g.p_deficit_pooled = base / 100 + 0.002;
  return g;
}

// 3 CCGs in 2 regions and 2 area teams; CCGs 0 and 1 share one pool.
Results make_results() {
  Results r;
  auto& p = r.provenance;
  p.tool_version = "0.1.0";
  p.git_sha = "abcdef123456";
  p.seed = 18'446'744'073'709'551'557ULL;  // above INT64_MAX: must stay unsigned
  p.trials = 200'000;
  p.threads = 8;
  p.wall_seconds = 12.375;
  p.created_utc = "2026-11-23T15:08:00Z";
  p.scenario_toml = "[run]\ntrials = 200000\nseed = 20130401\n# £ and ü survive\n";
  p.scenario_path = "/data/scenarios/base.toml";
  p.ccg_table_sha256 = std::string(64, 'e');
  p.ccg_table_path = "/data/ccg_2013_14.csv";
  p.rng = "Philox4x64-10, stream = (seed, block, purpose)";
  r.code = {"04Y", "05D", "99Z"};
  r.name = {"NHS Cannock Chase CCG", "NHS East Staffordshire CCG", "NHS Test — Ünicode CCG"};
  r.region = {"North", "Midlands", "North"};
  r.area_team_code = {"Q44", "Q45", "Q45"};
  r.area_team = {"Cheshire", "Staffs", "Staffs"};
  r.pool = {"Staffordshire", "Staffordshire", ""};
  r.allocation_k = seq(kCcgs, 150'000.5);
  r.planned_surplus_k = seq(kCcgs, 1500.25);
  r.control_total_k = seq(kCcgs, 1400.75);
  r.reserves_k = seq(kCcgs, 3000.125);
  r.planned_deficit.assign(kCcgs, 0);
  r.planned_deficit[1] = 1;
  r.before = make_stats(1);
  r.after = make_stats(2);
  r.national = make_group("England", "England", {0, 1, 2}, 5);
  r.regions = {make_group("North", "North", {0, 2}, 6), make_group("Midlands", "Midlands", {1}, 7)};
  r.area_teams = {make_group("Q44", "Cheshire", {0}, 8), make_group("Q45", "Staffs", {1, 2}, 9)};
  r.pools = {make_group("Staffordshire", "Staffordshire", {0, 1}, 10)};
  r.pool_rule = {"cover"};
  return r;
}

struct Expected {
  std::string path;
  Kind kind;
  h5::Dims dims;
};

std::vector<Expected> ccg_stats_paths(const std::string& group) {
  const std::uint64_t n = kCcgs;
  std::vector<Expected> e;
  for (const char* name : {"p_red", "p_red_se", "p_miss_control", "p_miss_control_se",
                           "surplus_mean_k", "surplus_sd_k", "surplus_min_k", "surplus_max_k",
                           "surplus_es05_k", "underlying_mean_k", "surplus_hist_resolution_k"})
    e.push_back({group + "/" + name, Kind::Float, {n}});
  e.push_back({group + "/surplus_quantiles_k", Kind::Float, {n, 9}});
  e.push_back({group + "/surplus_hist_counts", Kind::Integer, {n, kBins}});
  e.push_back({group + "/surplus_hist_edges_k", Kind::Float, {n, kBins + 1}});
  return e;
}

// Group statistics: `rows` empty for /national (no leading axis).
std::vector<Expected> group_stats_paths(const std::string& group, h5::Dims rows) {
  const auto shape = [&](h5::Dims inner) {
    inner.insert(inner.begin(), rows.begin(), rows.end());
    return inner;
  };
  const std::string deficit = rows.empty() ? "p_sector_deficit" : "p_deficit";
  std::vector<Expected> e;
  for (const std::string suffix : {"", "_pooled"}) {
    e.push_back({group + "/count_red_pmf" + suffix, Kind::Float, shape({kCcgs + 1})});
    e.push_back({group + "/expected_red" + suffix, Kind::Float, shape({})});
    e.push_back({group + "/count_red_quantiles" + suffix, Kind::Float, shape({3})});
    e.push_back({group + "/total_surplus_mean" + suffix + "_k", Kind::Float, shape({})});
    e.push_back({group + "/total_surplus_quantiles" + suffix + "_k", Kind::Float, shape({9})});
    e.push_back({group + "/" + deficit + suffix, Kind::Float, shape({})});
  }
  e.push_back({group + "/total_surplus_resolution_k", Kind::Float, shape({})});
  e.push_back({group + "/n_ccgs", Kind::Integer, shape({})});
  if (!rows.empty()) {
    e.push_back({group + "/code", Kind::String, rows});
    e.push_back({group + "/name", Kind::String, rows});
  }
  return e;
}

std::vector<Expected> schema_paths(std::uint64_t pools) {
  const std::uint64_t n = kCcgs;
  std::vector<Expected> e;
  for (const char* name : {"code", "name", "region", "area_team", "area_team_code", "pool"})
    e.push_back({std::string("/ccg/") + name, Kind::String, {n}});
  for (const char* name : {"allocation_k", "planned_surplus_k", "control_total_k", "reserves_k"})
    e.push_back({std::string("/ccg/") + name, Kind::Float, {n}});
  for (const char* name : {"region_index", "area_team_index", "pool_index"})
    e.push_back({std::string("/ccg/") + name, Kind::Integer, {n}});
  for (const std::string group : {"/ccg", "/pooled"})
    for (Expected& x : ccg_stats_paths(group))
      e.push_back(std::move(x));
  for (Expected& x : group_stats_paths("/national", {}))
    e.push_back(std::move(x));
  for (Expected& x : group_stats_paths("/region", {2}))
    e.push_back(std::move(x));
  for (Expected& x : group_stats_paths("/area_team", {2}))
    e.push_back(std::move(x));
  for (Expected& x : group_stats_paths("/pool", {pools}))
    e.push_back(std::move(x));
  e.push_back({"/pool/rule", Kind::String, {pools}});
  return e;
}

void check_schema(const fs::path& path, std::uint64_t pools) {
  const std::set<std::string> units = {"GBP thousands", "probability", "count", "1"};
  const h5::File file = h5::File::open(path);
  for (const Expected& e : schema_paths(pools)) {
    INFO(e.path);
    REQUIRE(file.exists(e.path));
    const h5::Dataset ds = file.dataset(e.path);
    CHECK(ds.kind() == e.kind);
    CHECK(ds.dims() == e.dims);
    if (e.kind != Kind::String) CHECK(ds.element_bytes() == 8);
    REQUIRE(h5::has_attribute(ds, "units"));
    CHECK(units.count(h5::read_string_attribute(ds, "units")) == 1);
    REQUIRE(h5::has_attribute(ds, "description"));
    CHECK(h5::read_string_attribute(ds, "description").size() > 10);
  }
}

std::vector<double> read_doubles(const h5::File& file, const std::string& path) {
  return h5::read_dataset<double>(file, path).values;
}

// Keeps a copy of a written file for manual checks (h5py) when asked.
void keep_copy(const fs::path& path) {
  if (const char* dir = std::getenv("CCGRISK_TEST_KEEP_DIR"))
    fs::copy_file(path, fs::path(dir) / path.filename(), fs::copy_options::overwrite_existing);
}

std::vector<fs::path> folder_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir))
    entries.push_back(entry.path().filename());
  return entries;
}

// HDF5 objects open in any file (files, groups, datasets, attributes).
ssize_t open_file_objects() {
  return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

}  // namespace

// ---- The HDF5 layer ------------------------------------------------------------

TEST_CASE("h5: datasets and attributes round-trip with their shapes", "[hdf5]") {
  TempDir dir;
  const fs::path path = dir / "layer.h5";
  const std::vector<double> grid = seq(6, -1.5);
  const std::vector<std::int64_t> counts = {-3, 0, 9'000'000'000'000};
  const std::vector<std::string> words = {"alpha", "", "£ thousands — ü"};
  {
    h5::File file = h5::File::create(path);
    const h5::Group g = file.group("/a/b");  // creates the parent too
    const h5::Dataset d = h5::write_dataset(g, "grid", grid, {2, 3}, "1", "a 2 x 3 grid");
    h5::write_dataset(g, "counts", counts, {3}, "count", "three counts");
    h5::write_dataset(g, "words", words, {3}, "1", "three words");
    h5::write_attribute(d, "levels", std::vector<double>{0.5, 0.25});
    h5::write_attribute(d, "version", std::vector<std::int32_t>{1, 0});
    h5::write_attribute(d, "big", std::uint64_t{18'000'000'000'000'000'000ULL});
    h5::write_attribute(d, "note", "first");
    h5::write_attribute(d, "note", "second");  // replaces
    file.close();
  }
  const h5::File file = h5::File::open(path);
  CHECK(file.exists("/a/b/grid"));
  CHECK(file.exists("a/b"));
  CHECK_FALSE(file.exists("/a/c/grid"));
  const h5::Group g = file.open_group("/a/b");
  const auto grid_back = h5::read_dataset<double>(g, "grid");
  CHECK(grid_back.values == grid);
  CHECK(grid_back.dims == h5::Dims{2, 3});
  CHECK(h5::read_dataset<std::int64_t>(file, "/a/b/counts").values == counts);
  CHECK(h5::read_dataset<std::string>(g, "words").values == words);
  const h5::Dataset d = g.dataset("grid");
  CHECK(h5::read_attribute<double>(d, "levels") == std::vector<double>{0.5, 0.25});
  CHECK(h5::read_attribute<std::int32_t>(d, "version") == std::vector<std::int32_t>{1, 0});
  CHECK(h5::read_attribute<std::uint64_t>(d, "big") ==
        std::vector<std::uint64_t>{18'000'000'000'000'000'000ULL});
  CHECK(h5::read_string_attribute(d, "note") == "second");
  CHECK(h5::read_string_attribute(d, "units") == "1");
  CHECK(h5::read_string_attribute(d, "description") == "a 2 x 3 grid");
  CHECK_FALSE(h5::has_attribute(d, "missing"));
}

TEST_CASE("h5: fixed-length strings written by other tools read back", "[hdf5]") {
  TempDir dir;
  const fs::path path = dir / "fixed.h5";
  {
    // Raw C API on purpose: ccgrisk itself writes variable-length strings.
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, 5);
    const hsize_t dims[1] = {2};
    const hid_t space = H5Screate_simple(1, dims, nullptr);
    const hid_t ds = H5Dcreate2(file, "s", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const char data[10] = {'0', '4', 'Y', '\0', '\0', 'a', 'b', 'c', 'd', 'e'};
    REQUIRE(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
  }
  const h5::File file = h5::File::open(path);
  CHECK(file.dataset("s").element_bytes() == 5);
  CHECK(h5::read_dataset<std::string>(file, "s").values ==
        std::vector<std::string>{"04Y", "abcde"});
}

TEST_CASE("h5: a large 2-D dataset is compressed and round-trips", "[hdf5]") {
  TempDir dir;
  const fs::path path = dir / "big.h5";
  std::vector<double> values(300 * 212);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<double>(i % 97) / 3.0;
  {
    h5::File file = h5::File::create(path);
    h5::write_dataset(file, "big", values, {300, 212}, "1", "a big grid");
    file.close();
  }
  CHECK(fs::file_size(path) < values.size() * sizeof(double) / 2);
  const auto back = h5::read_dataset<double>(h5::File::open(path), "big");
  CHECK(back.values == values);
  CHECK(back.dims == h5::Dims{300, 212});
}

TEST_CASE("h5: failures throw with the file and object path", "[hdf5]") {
  TempDir dir;
  const fs::path path = dir / "errors.h5";
  h5::File file = h5::File::create(path);
  const std::vector<double> three = {1, 2, 3};
  CHECK_THROWS_WITH(h5::write_dataset(file, "x", three, {2, 2}, "1", "wrong shape"),
                    Catch::Contains(path.string() + ":/x") && Catch::Contains("(2, 2)"));
  h5::write_dataset(file, "x", three, {3}, "1", "three");
  CHECK_THROWS_WITH(h5::write_dataset(file, "x", three, {3}, "1", "again"),
                    Catch::Contains("create dataset " + path.string() + ":/x"));
  CHECK_THROWS_WITH(file.dataset("/nope/y"), Catch::Contains(path.string() + ":/nope/y"));
  CHECK_THROWS_WITH(h5::read_dataset<std::string>(file, "x"), Catch::Contains(":/x"));
  CHECK_THROWS_WITH(h5::read_string_attribute(file, "absent"), Catch::Contains("'absent'"));
  CHECK_THROWS_WITH(h5::File::open(dir / "missing.h5"), Catch::Contains("missing.h5"));
}

// ---- The results file ------------------------------------------------------------

TEST_CASE("results file: every schema 1.0 dataset, shape, type, units, description", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  ccgrisk::write_results_file(make_results(), path);
  keep_copy(path);
  check_schema(path, 1);
}

TEST_CASE("results file: root attributes round-trip", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  const Results r = make_results();
  ccgrisk::write_results_file(r, path);
  const h5::File file = h5::File::open(path);
  CHECK(h5::read_string_attribute(file, "file_type") == "ccgrisk-results");
  CHECK(h5::read_attribute<std::int32_t>(file, "schema_version") ==
        std::vector<std::int32_t>{1, 0});
  CHECK(h5::read_attribute<std::uint64_t>(file, "seed") ==
        std::vector<std::uint64_t>{r.provenance.seed});
  CHECK(h5::read_attribute<std::int64_t>(file, "trials") == std::vector<std::int64_t>{200'000});
  CHECK(h5::read_attribute<std::int64_t>(file, "threads") == std::vector<std::int64_t>{8});
  CHECK(h5::read_attribute<double>(file, "wall_seconds") == std::vector<double>{12.375});
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"tool_version", r.provenance.tool_version},
           {"git_sha", r.provenance.git_sha},
           {"created_utc", r.provenance.created_utc},
           {"scenario_toml", r.provenance.scenario_toml},
           {"scenario_path", r.provenance.scenario_path},
           {"ccg_table_sha256", r.provenance.ccg_table_sha256},
           {"ccg_table_path", r.provenance.ccg_table_path},
           {"rng", r.provenance.rng}}) {
    INFO(name);
    CHECK(h5::read_string_attribute(file, name) == value);
  }
  CHECK_THAT(h5::read_string_attribute(file.object("/pooled"), "description"),
             Catch::Contains("after risk sharing"));
}

TEST_CASE("results file: per-CCG values round-trip exactly", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  const Results r = make_results();
  ccgrisk::write_results_file(r, path);
  const h5::File file = h5::File::open(path);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/code").values == r.code);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/name").values == r.name);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/region").values == r.region);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/area_team_code").values == r.area_team_code);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/area_team").values == r.area_team);
  CHECK(h5::read_dataset<std::string>(file, "/ccg/pool").values == r.pool);
  CHECK(read_doubles(file, "/ccg/allocation_k") == r.allocation_k);
  CHECK(read_doubles(file, "/ccg/planned_surplus_k") == r.planned_surplus_k);
  CHECK(read_doubles(file, "/ccg/control_total_k") == r.control_total_k);
  CHECK(read_doubles(file, "/ccg/reserves_k") == r.reserves_k);
  CHECK(h5::read_dataset<std::int64_t>(file, "/ccg/pool_index").values ==
        std::vector<std::int64_t>{0, 0, -1});
  CHECK(h5::read_dataset<std::int64_t>(file, "/ccg/region_index").values ==
        std::vector<std::int64_t>{0, 1, 0});
  CHECK(h5::read_dataset<std::int64_t>(file, "/ccg/area_team_index").values ==
        std::vector<std::int64_t>{0, 1, 1});
  for (const auto& [group, s] : {std::pair{"/ccg/", &r.before}, std::pair{"/pooled/", &r.after}}) {
    const std::string g = group;
    INFO(g);
    CHECK(read_doubles(file, g + "p_red") == s->p_red);
    CHECK(read_doubles(file, g + "p_red_se") == s->p_red_se);
    CHECK(read_doubles(file, g + "p_miss_control") == s->p_miss_control);
    CHECK(read_doubles(file, g + "p_miss_control_se") == s->p_miss_control_se);
    CHECK(read_doubles(file, g + "surplus_mean_k") == s->surplus_mean_k);
    CHECK(read_doubles(file, g + "surplus_sd_k") == s->surplus_sd_k);
    CHECK(read_doubles(file, g + "surplus_min_k") == s->surplus_min_k);
    CHECK(read_doubles(file, g + "surplus_max_k") == s->surplus_max_k);
    CHECK(read_doubles(file, g + "surplus_quantiles_k") == s->surplus_quantiles_k);
    CHECK(read_doubles(file, g + "surplus_es05_k") == s->surplus_es05_k);
    CHECK(read_doubles(file, g + "underlying_mean_k") == s->underlying_mean_k);
    CHECK(read_doubles(file, g + "surplus_hist_resolution_k") == s->hist_resolution_k);
    CHECK(h5::read_dataset<std::int64_t>(file, g + "surplus_hist_counts").values == s->hist_counts);
    CHECK(read_doubles(file, g + "surplus_hist_edges_k") == s->hist_edges_k);
    const h5::Dataset q = file.dataset(g + "surplus_quantiles_k");
    CHECK(h5::read_attribute<double>(q, "levels") ==
          std::vector<double>(ccgrisk::kQuantileLevels.begin(), ccgrisk::kQuantileLevels.end()));
    CHECK_THAT(h5::read_string_attribute(q, "resolution"),
               Catch::Contains("surplus_hist_resolution_k"));
  }
}

namespace {

// Concatenates field(group) over groups.
template <class Field>
std::vector<double> stack(const std::vector<GroupStats>& groups, Field field) {
  std::vector<double> out;
  for (const GroupStats& g : groups) {
    const auto values = field(g);
    if constexpr (std::is_same_v<decltype(values), const double>)
      out.push_back(values);
    else
      out.insert(out.end(), values.begin(), values.end());
  }
  return out;
}

void check_group_values(const h5::File& file, const std::string& group,
                        const std::vector<GroupStats>& gs, bool national) {
  INFO(group);
  const std::string g = group + "/";
  const std::string deficit = national ? "p_sector_deficit" : "p_deficit";
  CHECK(read_doubles(file, g + "count_red_pmf") ==
        stack(gs, [](auto& s) { return s.count_red_pmf; }));
  CHECK(read_doubles(file, g + "count_red_pmf_pooled") ==
        stack(gs, [](auto& s) { return s.count_red_pmf_pooled; }));
  CHECK(read_doubles(file, g + "expected_red") ==
        stack(gs, [](auto& s) { return s.expected_red; }));
  CHECK(read_doubles(file, g + "expected_red_pooled") ==
        stack(gs, [](auto& s) { return s.expected_red_pooled; }));
  CHECK(read_doubles(file, g + "count_red_quantiles") ==
        stack(gs, [](auto& s) { return s.count_red_q05_q50_q95; }));
  CHECK(read_doubles(file, g + "count_red_quantiles_pooled") ==
        stack(gs, [](auto& s) { return s.count_red_q05_q50_q95_pooled; }));
  CHECK(read_doubles(file, g + "total_surplus_mean_k") ==
        stack(gs, [](auto& s) { return s.total_surplus_mean_k; }));
  CHECK(read_doubles(file, g + "total_surplus_mean_pooled_k") ==
        stack(gs, [](auto& s) { return s.total_surplus_mean_pooled_k; }));
  CHECK(read_doubles(file, g + "total_surplus_quantiles_k") ==
        stack(gs, [](auto& s) { return s.total_surplus_quantiles_k; }));
  CHECK(read_doubles(file, g + "total_surplus_quantiles_pooled_k") ==
        stack(gs, [](auto& s) { return s.total_surplus_quantiles_pooled_k; }));
  CHECK(read_doubles(file, g + "total_surplus_resolution_k") ==
        stack(gs, [](auto& s) { return s.total_hist_resolution_k; }));
  CHECK(read_doubles(file, g + deficit) == stack(gs, [](auto& s) { return s.p_deficit; }));
  CHECK(read_doubles(file, g + deficit + "_pooled") ==
        stack(gs, [](auto& s) { return s.p_deficit_pooled; }));
  CHECK(h5::read_attribute<double>(file.dataset(g + "count_red_quantiles"), "levels") ==
        std::vector<double>{0.05, 0.50, 0.95});
}

}  // namespace

TEST_CASE("results file: national, region, area team and pool values round-trip", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  const Results r = make_results();
  ccgrisk::write_results_file(r, path);
  const h5::File file = h5::File::open(path);
  check_group_values(file, "/national", {r.national}, true);
  check_group_values(file, "/region", r.regions, false);
  check_group_values(file, "/area_team", r.area_teams, false);
  check_group_values(file, "/pool", r.pools, false);
  CHECK(h5::read_dataset<std::string>(file, "/region/code").values ==
        std::vector<std::string>{"North", "Midlands"});
  CHECK(h5::read_dataset<std::string>(file, "/area_team/name").values ==
        std::vector<std::string>{"Cheshire", "Staffs"});
  CHECK(h5::read_dataset<std::int64_t>(file, "/area_team/n_ccgs").values ==
        std::vector<std::int64_t>{1, 2});
  CHECK(h5::read_dataset<std::int64_t>(file, "/national/n_ccgs").values ==
        std::vector<std::int64_t>{3});
  CHECK(h5::read_dataset<std::string>(file, "/pool/rule").values == r.pool_rule);
}

TEST_CASE("results file: no pools gives empty pool datasets", "[results]") {
  TempDir dir;
  const fs::path path = dir / "no_pools.h5";
  Results r = make_results();
  r.pools.clear();
  r.pool_rule.clear();
  r.pool = {"", "", ""};
  ccgrisk::write_results_file(r, path);
  check_schema(path, 0);
  const h5::File file = h5::File::open(path);
  CHECK(h5::read_dataset<double>(file, "/pool/count_red_pmf").dims == h5::Dims{0, kCcgs + 1});
  CHECK(h5::read_dataset<std::int64_t>(file, "/ccg/pool_index").values ==
        std::vector<std::int64_t>{-1, -1, -1});
}

TEST_CASE("results file: a missing folder throws naming it and writes nothing", "[results]") {
  TempDir dir;
  const fs::path path = dir / "absent" / "results.h5";
  CHECK_THROWS_WITH(ccgrisk::write_results_file(make_results(), path),
                    Catch::Contains((dir / "absent").string()));
  CHECK_FALSE(fs::exists(dir / "absent"));
  CHECK(folder_entries(dir.path()).empty());
}

TEST_CASE("results file: success leaves only the target and a rewrite replaces it", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  Results r = make_results();
  ccgrisk::write_results_file(r, path);
  CHECK(folder_entries(dir.path()) == std::vector<fs::path>{"results.h5"});
  r.provenance.seed = 7;
  r.before.p_red = {0.5, 0.25, 0.125};
  ccgrisk::write_results_file(r, path);
  CHECK(folder_entries(dir.path()) == std::vector<fs::path>{"results.h5"});
  const h5::File file = h5::File::open(path);
  CHECK(h5::read_attribute<std::uint64_t>(file, "seed") == std::vector<std::uint64_t>{7});
  CHECK(read_doubles(file, "/ccg/p_red") == r.before.p_red);
}

TEST_CASE("results file: inconsistent results throw and keep the old file", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  ccgrisk::write_results_file(make_results(), path);
  const std::string before = ccgrisk::test::read_file(path);
  Results bad = make_results();
  SECTION("a per-CCG vector of the wrong length") {
    bad.after.surplus_sd_k.pop_back();
    CHECK_THROWS_WITH(ccgrisk::write_results_file(bad, path),
                      Catch::Contains(path.string()) && Catch::Contains("/pooled/surplus_sd_k"));
  }
  SECTION("a group pmf row of the wrong length") {
    bad.regions[1].count_red_pmf.push_back(0.0);
    CHECK_THROWS_WITH(ccgrisk::write_results_file(bad, path),
                      Catch::Contains("Midlands") && Catch::Contains("count_red_pmf"));
  }
  SECTION("a pool member outside the table") {
    bad.pools[0].members.push_back(3);
    CHECK_THROWS_WITH(ccgrisk::write_results_file(bad, path), Catch::Contains("Staffordshire"));
  }
  CHECK(folder_entries(dir.path()) == std::vector<fs::path>{"results.h5"});
  CHECK(ccgrisk::test::read_file(path) == before);
}

TEST_CASE("results file: writing closes the file, also on failure", "[results]") {
  TempDir dir;
  const fs::path path = dir / "results.h5";
  ccgrisk::write_results_file(make_results(), path);
  CHECK(open_file_objects() == 0);
  Results bad = make_results();
  bad.after.p_red.clear();
  CHECK_THROWS(ccgrisk::write_results_file(bad, path));
  CHECK(open_file_objects() == 0);
  {
    const h5::File file = h5::File::open(path);
    const h5::Dataset ds = file.dataset("/ccg/p_red");
    CHECK(open_file_objects() == 2);
  }
  CHECK(open_file_objects() == 0);
}
