// Reading results files back (sim/output/results_reader.hpp): a small run
// written and read back equals what was written, field by field; files that
// are missing, not HDF5, of another type or schema, or incomplete get a clear
// error and exit code 2 through every command that reads them.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "fixtures.hpp"
#include "input/error.hpp"
#include "output/hdf5.hpp"
#include "output/results_file.hpp"
#include "output/results_reader.hpp"
#include "output/seal.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using ccgrisk::GroupStats;
using ccgrisk::Results;
using ccgrisk::test::quote;
using ccgrisk::test::run_cli;
using ccgrisk::test::TempDir;
namespace h5 = ccgrisk::h5;

namespace {

constexpr int kExitBadInput = 2;

// 8 CCGs in 2 regions and 4 area teams, random drivers, one planned
// deficit, a `cover` pool of three and one specialised commissioning hub.
Results small_run(bool with_pool = true) {
  ccgrisk::CcgTable table = ccgrisk::test::small_table(8);
  table.rows[3].plan.planned_surplus_pct = -0.5;
  ccgrisk::Scenario s = ccgrisk::test::deterministic_scenario(500);
  s.text = "[run]\ntrials = 500\n# £ and ü survive the round trip\n";
  s.acute_growth.sd = 0.02;
  s.specialist_growth.sd = 0.03;
  s.cip_delivery.sd = 0.15;
  s.transfer_mismatch.sd = 0.02;
  if (with_pool)
    s.pools.push_back({"Pool A", {"C15", "C10", "C12"}, ccgrisk::PoolRule::kCover, 1.0});
  s.hubs.push_back({"Hub North", 50000.0, 2.0, 0.5});
  return ccgrisk::run_scenario(s, table, ccgrisk::RunOptions{1, 64, nullptr});
}

void check_same(const ccgrisk::Provenance& a, const ccgrisk::Provenance& b) {
  CHECK(a.tool_version == b.tool_version);
  CHECK(a.git_sha == b.git_sha);
  CHECK(a.seed == b.seed);
  CHECK(a.trials == b.trials);
  CHECK(a.threads == b.threads);
  CHECK(a.wall_seconds == b.wall_seconds);
  CHECK(a.created_utc == b.created_utc);
  CHECK(a.scenario_toml == b.scenario_toml);
  CHECK(a.scenario_path == b.scenario_path);
  CHECK(a.ccg_table_sha256 == b.ccg_table_sha256);
  CHECK(a.ccg_table_path == b.ccg_table_path);
  CHECK(a.rng == b.rng);
  CHECK(a.antithetic == b.antithetic);
  CHECK(a.target_se == b.target_se);
}

void check_same(const ccgrisk::CcgStats& a, const ccgrisk::CcgStats& b) {
  CHECK(a.p_red == b.p_red);
  CHECK(a.p_red_se == b.p_red_se);
  CHECK(a.p_miss_control == b.p_miss_control);
  CHECK(a.p_miss_control_se == b.p_miss_control_se);
  CHECK(a.surplus_mean_k == b.surplus_mean_k);
  CHECK(a.surplus_sd_k == b.surplus_sd_k);
  CHECK(a.surplus_min_k == b.surplus_min_k);
  CHECK(a.surplus_max_k == b.surplus_max_k);
  CHECK(a.surplus_quantiles_k == b.surplus_quantiles_k);
  CHECK(a.surplus_es05_k == b.surplus_es05_k);
  CHECK(a.underlying_mean_k == b.underlying_mean_k);
  CHECK(a.hist_resolution_k == b.hist_resolution_k);
  CHECK(a.hist_counts == b.hist_counts);
  CHECK(a.hist_edges_k == b.hist_edges_k);
  CHECK(a.p_red_variance_ratio == b.p_red_variance_ratio);
}

void check_same(const GroupStats& a, const GroupStats& b) {
  INFO("group " << a.code);
  CHECK(a.code == b.code);
  CHECK(a.name == b.name);
  CHECK(a.members == b.members);
  CHECK(a.count_red_pmf == b.count_red_pmf);
  CHECK(a.count_red_pmf_pooled == b.count_red_pmf_pooled);
  CHECK(a.expected_red == b.expected_red);
  CHECK(a.expected_red_pooled == b.expected_red_pooled);
  CHECK(a.expected_red_se == b.expected_red_se);
  CHECK(a.count_unplanned_red_pmf == b.count_unplanned_red_pmf);
  CHECK(a.count_unplanned_red_pmf_pooled == b.count_unplanned_red_pmf_pooled);
  CHECK(a.expected_unplanned_red == b.expected_unplanned_red);
  CHECK(a.expected_unplanned_red_pooled == b.expected_unplanned_red_pooled);
  CHECK(a.expected_unplanned_red_se == b.expected_unplanned_red_se);
  CHECK(a.expected_planned_red == b.expected_planned_red);
  CHECK(a.expected_planned_red_pooled == b.expected_planned_red_pooled);
  CHECK(a.count_red_q05_q50_q95 == b.count_red_q05_q50_q95);
  CHECK(a.count_red_q05_q50_q95_pooled == b.count_red_q05_q50_q95_pooled);
  CHECK(a.total_surplus_mean_k == b.total_surplus_mean_k);
  CHECK(a.total_surplus_mean_pooled_k == b.total_surplus_mean_pooled_k);
  CHECK(a.total_surplus_sd_k == b.total_surplus_sd_k);
  CHECK(a.total_surplus_quantiles_k == b.total_surplus_quantiles_k);
  CHECK(a.total_surplus_quantiles_pooled_k == b.total_surplus_quantiles_pooled_k);
  CHECK(a.total_hist_resolution_k == b.total_hist_resolution_k);
  CHECK(a.p_deficit == b.p_deficit);
  CHECK(a.p_deficit_pooled == b.p_deficit_pooled);
}

void check_same(const std::vector<GroupStats>& a, const std::vector<GroupStats>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    check_same(a[i], b[i]);
}

// Equal, or both NaN (attribution means of a CCG never in the red).
bool same(double x, double y) {
  return x == y || (std::isnan(x) && std::isnan(y));
}

// Hubs: every statistic the file stores (not the histogram resolution).
void check_same(const ccgrisk::HubStats& a, const ccgrisk::HubStats& b) {
  INFO("hub " << a.name);
  CHECK(a.name == b.name);
  CHECK(a.budget_k == b.budget_k);
  CHECK(a.p_overspend == b.p_overspend);
  CHECK(a.overspend_mean_k == b.overspend_mean_k);
  CHECK(a.overspend_sd_k == b.overspend_sd_k);
  CHECK(a.overspend_quantiles_k == b.overspend_quantiles_k);
}

void check_same(const ccgrisk::Attribution& a, const ccgrisk::Attribution& b) {
  CHECK(a.components == b.components);
  CHECK(std::equal(a.mean_k.begin(), a.mean_k.end(), b.mean_k.begin(), b.mean_k.end(), same));
  CHECK(std::equal(a.mean_red_k.begin(), a.mean_red_k.end(), b.mean_red_k.begin(),
                   b.mean_red_k.end(), same));
  CHECK(a.tail == b.tail);
  CHECK(a.national_es_k == b.national_es_k);
  CHECK(a.es_contribution_k == b.es_contribution_k);
}

void check_same(const ccgrisk::TargetCheck& a, const ccgrisk::TargetCheck& b) {
  CHECK(a.name == b.name);
  CHECK(a.statistic == b.statistic);
  CHECK(a.group == b.group);
  CHECK(a.source == b.source);
  CHECK(a.value == b.value);
  CHECK(a.tolerance == b.tolerance);
  CHECK(a.model == b.model);
  CHECK(a.model_se == b.model_se);
}

void check_same(const Results& a, const Results& b) {
  check_same(a.provenance, b.provenance);
  CHECK(a.code == b.code);
  CHECK(a.name == b.name);
  CHECK(a.region == b.region);
  CHECK(a.area_team_code == b.area_team_code);
  CHECK(a.area_team == b.area_team);
  CHECK(a.pool == b.pool);
  CHECK(a.allocation_k == b.allocation_k);
  CHECK(a.planned_surplus_k == b.planned_surplus_k);
  CHECK(a.control_total_k == b.control_total_k);
  CHECK(a.reserves_k == b.reserves_k);
  CHECK(a.planned_deficit == b.planned_deficit);
  check_same(a.before, b.before);
  check_same(a.after, b.after);
  check_same(a.national, b.national);
  check_same(a.regions, b.regions);
  check_same(a.area_teams, b.area_teams);
  check_same(a.pools, b.pools);
  CHECK(a.pool_rule == b.pool_rule);
  REQUIRE(a.hubs.size() == b.hubs.size());
  for (std::size_t h = 0; h < a.hubs.size(); ++h)
    check_same(a.hubs[h], b.hubs[h]);
  check_same(a.specialised, b.specialised);
  check_same(a.attribution, b.attribution);
  REQUIRE(a.targets.size() == b.targets.size());
  for (std::size_t t = 0; t < a.targets.size(); ++t)
    check_same(a.targets[t], b.targets[t]);
}

std::span<const unsigned char> as_bytes(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// Blanks the seal in `path`'s user block: the file then reads as one
// written before files were sealed (or by another tool), through the
// reader's own checks alone.
void unseal(const fs::path& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const std::string zeros(ccgrisk::kSealBytes, '\0');
  f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  REQUIRE(f.good());
}

// Opens `path` for writing through the HDF5 layer's handle (closed on scope
// exit), first removing its seal (an edited file would not match it).
h5::Handle open_for_update(const fs::path& path) {
  unseal(path);
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(id >= 0);
  return h5::Handle(id, path.string(), "/");
}

fs::path written_file(const TempDir& dir, const std::string& name) {
  const fs::path path = dir / name;
  ccgrisk::write_results_file(small_run(), path);
  return path;
}

}  // namespace

TEST_CASE("reader: a small run read back equals what was written", "[reader]") {
  TempDir dir;
  Results written = small_run();
  REQUIRE(written.pools.size() == 1);
  REQUIRE(written.hubs.size() == 1);
  REQUIRE(written.planned_deficit.at(3) == 1);
  REQUIRE(!written.attribution.components.empty());
  written.targets = {{"CCGs in the red", "expected_red", "national", "a source", 24, 2, 23.5, 0.25},
                     {"Hub overspend", "hub_overspend_mean_pct", "hub:Hub North", "another", 9.9,
                      0.5, 10.125, 0.0625}};
  const fs::path path = dir / "run.h5";
  ccgrisk::write_results_file(written, path);
  check_same(written, ccgrisk::read_results_file(path));
}

TEST_CASE("reader: a run without pools reads back with no pools", "[reader]") {
  TempDir dir;
  const Results written = small_run(false);
  const fs::path path = dir / "run.h5";
  ccgrisk::write_results_file(written, path);
  const Results back = ccgrisk::read_results_file(path);
  CHECK(back.pools.empty());
  CHECK(back.pool_rule.empty());
  check_same(written, back);
}

TEST_CASE("reader: wrong files throw InputError naming the file and the problem", "[reader]") {
  TempDir dir;
  using Catch::Contains;
  CHECK_THROWS_MATCHES(ccgrisk::read_results_file(dir / "missing.h5"), ccgrisk::InputError,
                       Catch::Message((dir / "missing.h5").string() +
                                      ": cannot open the results file (no such file)"));
  const fs::path text = ccgrisk::test::write_file(dir / "notes.h5", "not HDF5\n");
  CHECK_THROWS_WITH(ccgrisk::read_results_file(text), Contains("not an HDF5 file"));
  CHECK_THROWS_WITH(ccgrisk::read_results_file(dir.path()), Contains("not a regular file"));
  const fs::path path = written_file(dir, "run.h5");
  {
    const h5::Handle file = open_for_update(path);
    h5::write_attribute(file, "file_type", "someone-elses-file");
  }
  CHECK_THROWS_WITH(ccgrisk::read_results_file(path), Contains(path.string()) &&
                                                          Contains("not a ccgrisk results file") &&
                                                          Contains("someone-elses-file"));
}

TEST_CASE("reader: another schema major version is refused, a newer minor read", "[reader]") {
  TempDir dir;
  const fs::path path = written_file(dir, "run.h5");
  {
    const h5::Handle file = open_for_update(path);
    h5::write_attribute(file, "schema_version", std::vector<std::int32_t>{1, 7});
  }
  CHECK(ccgrisk::read_results_file(path).code.size() == 8);
  {
    const h5::Handle file = open_for_update(path);
    h5::write_attribute(file, "schema_version", std::vector<std::int32_t>{2, 0});
  }
  CHECK_THROWS_AS(ccgrisk::read_results_file(path), ccgrisk::InputError);
  CHECK_THROWS_WITH(ccgrisk::read_results_file(path),
                    Catch::Contains("schema version 2.0") && Catch::Contains("1.x"));
}

TEST_CASE("reader: a file missing a required dataset is refused, naming it", "[reader]") {
  TempDir dir;
  const fs::path path = written_file(dir, "run.h5");
  {
    const h5::Handle file = open_for_update(path);
    REQUIRE(H5Ldelete(file.id(), "/pooled/p_red", H5P_DEFAULT) >= 0);
  }
  CHECK_THROWS_AS(ccgrisk::read_results_file(path), ccgrisk::InputError);
  CHECK_THROWS_WITH(ccgrisk::read_results_file(path),
                    Catch::Contains("incomplete") && Catch::Contains("/pooled/p_red"));
}

// Sets element 0 of a 1-D or 2-D dataset of `path` (through the HDF5 C API,
// so the file's other bytes stay as written).
template <class T>
void set_first(const fs::path& path, const char* dataset, T value, hid_t memory_type) {
  const h5::Handle file = open_for_update(path);
  const hid_t ds = H5Dopen2(file.id(), dataset, H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  const hsize_t start[2] = {0, 0}, count[2] = {1, 1};
  REQUIRE(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr) >= 0);
  const hsize_t one = 1;
  const hid_t memory = H5Screate_simple(1, &one, nullptr);
  REQUIRE(H5Dwrite(ds, memory_type, memory, space, H5P_DEFAULT, &value) >= 0);
  H5Sclose(memory);
  H5Sclose(space);
  H5Dclose(ds);
}

TEST_CASE("reader: values no run writes are refused, naming the attribute or dataset", "[reader]") {
  TempDir dir;
  const auto refused = [&](const std::string& name, auto change, const std::string& message) {
    const fs::path path = written_file(dir, name);
    change(path);
    INFO(name);
    CHECK_THROWS_AS(ccgrisk::read_results_file(path, false), ccgrisk::InputError);
    CHECK_THROWS_WITH(ccgrisk::read_results_file(path, false), Catch::Contains(message));
  };
  // The most negative count (what NaN becomes as an integer) once printed
  // "-0 trials" through an overflowing negation.
  refused(
      "trials.h5",
      [](const fs::path& p) {
        h5::write_attribute(open_for_update(p), "trials", std::numeric_limits<std::int64_t>::min());
      },
      "root attribute 'trials' is -9223372036854775808");
  refused(
      "threads.h5",
      [](const fs::path& p) {
        h5::write_attribute(open_for_update(p), "threads", std::int64_t{0});
      },
      "root attribute 'threads' is 0");
  refused(
      "wall.h5",
      [](const fs::path& p) {
        h5::write_attribute(open_for_update(p), "wall_seconds", std::nan(""));
      },
      "root attribute 'wall_seconds'");
  // Every CCG has a region (-3 once made every region's count 0); only a
  // pool index may be -1 (no pool).
  refused(
      "region.h5",
      [](const fs::path& p) {
        set_first(p, "/ccg/region_index", std::int64_t{-3}, H5T_NATIVE_INT64);
      },
      "/ccg/region_index of CCG 0 is -3, not a group");
  refused(
      "pool.h5",
      [](const fs::path& p) {
        set_first(p, "/ccg/pool_index", std::int64_t{-2}, H5T_NATIVE_INT64);
      },
      "/ccg/pool_index of CCG 0 is -2, not a group or -1 (none)");
  // A probability that is none (NaN sorted first among the most at risk).
  refused(
      "nan.h5",
      [](const fs::path& p) { set_first(p, "/ccg/p_red", std::nan(""), H5T_NATIVE_DOUBLE); },
      "/ccg/p_red holds nan, not a probability");
  refused(
      "above.h5",
      [](const fs::path& p) { set_first(p, "/national/count_red_pmf", 1.5, H5T_NATIVE_DOUBLE); },
      "/national/count_red_pmf holds 1.5");
}

TEST_CASE("reader: a sealed file changed after writing is refused, or read with --no-verify",
          "[reader]") {
  TempDir dir;
  const fs::path path = written_file(dir, "run.h5");
  REQUIRE(ccgrisk::check_seal(as_bytes(ccgrisk::test::read_file(path))) ==
          ccgrisk::SealState::kValid);
  std::string bytes = ccgrisk::test::read_file(path);
  bytes.push_back('\0');  // one byte more, past everything HDF5 reads
  ccgrisk::test::write_file(path, bytes);
  CHECK_THROWS_WITH(
      ccgrisk::read_results_file(path),
      Catch::Contains("changed since ccgrisk wrote it") && Catch::Contains("--no-verify"));
  CHECK(ccgrisk::read_results_file(path, false).code.size() == 8);
  ccgrisk::test::write_file(path, bytes.substr(0, bytes.size() / 2));  // cut short
  CHECK_THROWS_WITH(ccgrisk::read_results_file(path),
                    Catch::Contains("changed since ccgrisk wrote it"));
  const auto r = run_cli("summary " + quote(path.string()));
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Catch::Contains("changed since ccgrisk wrote it"));
}

// ---- Through the command line -------------------------------------------------------

TEST_CASE("summary: prints what run printed, from the file", "[reader][cli]") {
  TempDir dir;
  const fs::path out = dir / "baseline.h5";
  const fs::path scenario = fs::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml";
  const auto run = run_cli("run " + quote(scenario.string()) + " -o " + quote(out.string()) +
                           " --trials 400 --threads 2");
  REQUIRE(run.exit_code == 0);
  const auto summary = run_cli("summary " + quote(out.string()));
  CHECK(summary.exit_code == 0);
  CHECK(summary.err.empty());
  CHECK_THAT(summary.out, Catch::Contains("CCGs in the red"));
  // run prints the summary, a blank line and where the results went.
  CHECK(run.out == summary.out + "\nResults written to " + out.string() + "\n");
}

TEST_CASE("summary: shows the published figures a run --targets recorded", "[reader][cli]") {
  TempDir dir;
  const fs::path out = dir / "baseline.h5";
  const fs::path scenarios = fs::path(CCGRISK_SOURCE_DIR) / "scenarios";
  const auto run = run_cli("run " + quote((scenarios / "baseline-2013-14.toml").string()) + " -o " +
                           quote(out.string()) + " --trials 400 --targets " +
                           quote((scenarios / "targets-2013-14.toml").string()));
  REQUIRE(run.exit_code == 0);
  const auto summary = run_cli("summary " + quote(out.string()));
  REQUIRE(summary.exit_code == 0);
  const std::size_t table = run.out.find("Against the published figures");
  REQUIRE(table != std::string::npos);
  CHECK_THAT(summary.out, Catch::StartsWith(run.out.substr(0, table)));
  // Each target row: name, published value, model, +- se, tolerance and met, as run printed it.
  std::size_t rows = 0;
  for (std::size_t at = run.out.find("\n  ", table); at != std::string::npos;
       at = run.out.find("\n  ", at + 1)) {
    const std::string row = run.out.substr(at + 1, 2 + 44 + 1 + 10 + 1 + 10 + 1 + 9 + 1 + 9);
    if (row.find("target ") != std::string::npos) continue;  // the header
    CHECK_THAT(summary.out, Catch::Contains(row));
    ++rows;
  }
  CHECK(rows >= 5);
  // The whole table below its title is the same text: one printer for both.
  const auto table_of = [](const std::string& text) {
    const std::size_t from = text.find('\n', text.find("Against the published figures")) + 1;
    std::string rest = text.substr(from, text.find("\n\n", from) - from);
    if (!rest.empty() && rest.back() == '\n') rest.pop_back();
    return rest;
  };
  CHECK(table_of(summary.out) == table_of(run.out));
  CHECK_THAT(table_of(run.out), !Catch::Contains("fitted parameter"));  // a run fits none
  // No name is cut short: the units at the end of the longest are shown.
  for (const std::string* text : {&run.out, &summary.out})
    CHECK_THAT(*text, Catch::Contains("Cambridgeshire and Peterborough outturn, GBP k "));
}

TEST_CASE("summary, export, report: bad results files exit 2 with a clear message",
          "[reader][cli]") {
  TempDir dir;
  const fs::path good = written_file(dir, "run.h5");
  const fs::path wrong_type = dir / "other.h5";
  const fs::path wrong_schema = dir / "v2.h5";
  fs::copy_file(good, wrong_type);
  fs::copy_file(good, wrong_schema);
  h5::write_attribute(open_for_update(wrong_type), "file_type", "netcdf-thing");
  h5::write_attribute(open_for_update(wrong_schema), "schema_version",
                      std::vector<std::int32_t>{2, 1});
  const fs::path text = ccgrisk::test::write_file(dir / "notes.txt", "hello\n");
  const std::vector<std::pair<fs::path, std::string>> cases = {
      {dir / "missing.h5", "no such file"},
      {text, "not an HDF5 file"},
      {wrong_type, "not a ccgrisk results file"},
      {wrong_schema, "schema version 2.1"}};
  for (const std::string command :
       {"summary {}", "export {} --csv out-csv", "report {} -o out-report"}) {
    for (const auto& [path, message] : cases) {
      std::string args = command;
      args.replace(args.find("{}"), 2, quote(path.string()));
      INFO("ccgrisk " << args);
      const auto r = run_cli(args);
      CHECK(r.exit_code == kExitBadInput);
      CHECK_THAT(r.err,
                 Catch::StartsWith("ccgrisk: error: " + path.string()) && Catch::Contains(message));
      CHECK(r.out.empty());
    }
  }
  CHECK_FALSE(fs::exists("out-csv"));
  CHECK_FALSE(fs::exists("out-report"));
}
