// Export for spreadsheets (sim/output/export.hpp): the CSV files hold the
// file's values exactly under headers that name the units; the workbook and
// the CSV folder are written whole or not at all.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "fixtures.hpp"
#include "output/export.hpp"
#include "output/hdf5.hpp"
#include "output/results_file.hpp"
#include "output/results_reader.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using ccgrisk::Results;
using ccgrisk::test::quote;
using ccgrisk::test::run_cli;
using ccgrisk::test::TempDir;
namespace h5 = ccgrisk::h5;

namespace {

using Row = std::vector<std::string>;

// A CSV file as columns by header.
std::map<std::string, std::vector<std::string>> read_csv(const fs::path& path) {
  const std::vector<Row> rows = ccgrisk::test::parse_csv(ccgrisk::test::read_file(path));
  REQUIRE(!rows.empty());
  std::map<std::string, std::vector<std::string>> columns;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == rows[0].size());
    for (std::size_t j = 0; j < rows[0].size(); ++j)
      columns[rows[0][j]].push_back(rows[r][j]);
  }
  return columns;
}

std::vector<double> as_numbers(const std::vector<std::string>& cells) {
  std::vector<double> out;
  for (const std::string& s : cells)
    out.push_back(std::strtod(s.c_str(), nullptr));
  return out;
}

// Column j of a row-major [rows, width] dataset.
std::vector<double> column(const h5::File& f, const std::string& path, std::size_t j) {
  const auto a = h5::read_dataset<double>(f, path);
  const std::size_t width = a.dims.at(1);
  std::vector<double> out;
  for (std::size_t i = j; i < a.values.size(); i += width)
    out.push_back(a.values[i]);
  return out;
}

std::vector<double> values(const h5::File& f, const std::string& path) {
  return h5::read_dataset<double>(f, path).values;
}

// A small run (8 CCGs, a pool of three, one hub) written to `dir`/run.h5.
fs::path small_results(const TempDir& dir) {
  ccgrisk::CcgTable table = ccgrisk::test::small_table(8);
  table.rows[2].name = "NHS \"Quoted\", Comma CCG";  // needs CSV quoting
  ccgrisk::Scenario s = ccgrisk::test::deterministic_scenario(300);
  s.acute_growth.sd = 0.02;
  s.cip_delivery.sd = 0.15;
  s.pools.push_back({"Pool A", {"C15", "C10", "C12"}, ccgrisk::PoolRule::kFull, 1.0});
  s.hubs.push_back({"Hub North", 50000.0, 2.0, 0.0});
  const fs::path path = dir / "run.h5";
  ccgrisk::write_results_file(ccgrisk::run_scenario(s, table, {1, 64, nullptr}), path);
  return path;
}

// The CSV files of `tables` in `dir`, as export writes them.
void write_csv(const std::vector<ccgrisk::Table>& tables, const fs::path& dir) {
  ccgrisk::StagedOutputs outputs;
  ccgrisk::stage_csv(tables, dir, outputs);
  outputs.commit();
}

std::vector<fs::path> entries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("export: CSV files hold the file's values under headers with units", "[export]") {
  TempDir dir;
  const fs::path path = small_results(dir);
  const Results r = ccgrisk::read_results_file(path);
  write_csv(ccgrisk::export_tables(r, path.string()), dir / "csv");
  const h5::File f = h5::File::open(path);

  const auto ccg = read_csv(dir / "csv" / "ccg.csv");
  CHECK(ccg.at("code") == h5::read_dataset<std::string>(f, "/ccg/code").values);
  CHECK(ccg.at("name") == h5::read_dataset<std::string>(f, "/ccg/name").values);
  CHECK(as_numbers(ccg.at("allocation (GBP k)")) == values(f, "/ccg/allocation_k"));
  CHECK(as_numbers(ccg.at("p_red (probability)")) == values(f, "/ccg/p_red"));
  CHECK(as_numbers(ccg.at("surplus_q05 (GBP k)")) == column(f, "/ccg/surplus_quantiles_k", 1));
  CHECK(as_numbers(ccg.at("surplus_es05 (GBP k)")) == values(f, "/ccg/surplus_es05_k"));
  CHECK(ccg.at("plans_deficit") == std::vector<std::string>(8, "no"));

  const auto pooled = read_csv(dir / "csv" / "ccg_pooled.csv");
  CHECK(as_numbers(pooled.at("p_red (probability)")) == values(f, "/pooled/p_red"));
  CHECK(as_numbers(pooled.at("surplus_q99 (GBP k)")) ==
        column(f, "/pooled/surplus_quantiles_k", 8));

  const auto region = read_csv(dir / "csv" / "region.csv");
  CHECK(region.at("code") == std::vector<std::string>{"North", "South"});
  CHECK(as_numbers(region.at("expected_red (CCGs)")) == values(f, "/region/expected_red"));
  CHECK(as_numbers(region.at("p_deficit_pooled (probability)")) ==
        values(f, "/region/p_deficit_pooled"));
  CHECK(as_numbers(region.at("n_ccgs (CCGs)")) == std::vector<double>{4, 4});
}

TEST_CASE("export: pool, national, hub and provenance tables", "[export]") {
  TempDir dir;
  const fs::path path = small_results(dir);
  write_csv(ccgrisk::export_tables(ccgrisk::read_results_file(path), "run.h5"), dir / "csv");
  const h5::File f = h5::File::open(path);
  const std::vector<fs::path> files = {
      "area_team.csv", "attribution.csv",    "ccg.csv",  "ccg_pooled.csv", "hub.csv",
      "national.csv",  "national_count.csv", "pool.csv", "provenance.csv", "region.csv"};
  CHECK(entries(dir / "csv") == files);
  const auto pool = read_csv(dir / "csv" / "pool.csv");
  CHECK(pool.at("members") == std::vector<std::string>{"C10 C12 C15"});
  CHECK(pool.at("rule") == std::vector<std::string>{"full"});
  CHECK(as_numbers(pool.at("expected_red_pooled (CCGs)")) ==
        values(f, "/pool/expected_red_pooled"));
  const auto count = read_csv(dir / "csv" / "national_count.csv");
  CHECK(as_numbers(count.at("p_exactly (probability)")) == values(f, "/national/count_red_pmf"));
  CHECK(as_numbers(count.at("p_at_most (probability)")).back() == Approx(1.0).epsilon(1e-12));
  const auto hub = read_csv(dir / "csv" / "hub.csv");
  CHECK(hub.at("name") ==
        std::vector<std::string>{"Hub North", "NHS England specialised commissioning"});
  CHECK(as_numbers(hub.at("p_overspend (probability)")).front() ==
        values(f, "/hub/p_overspend").front());
  const auto attribution = read_csv(dir / "csv" / "attribution.csv");
  CHECK(as_numbers(attribution.at("es_contribution (GBP k)")) ==
        values(f, "/attribution/es_contribution_k"));
  CHECK(as_numbers(attribution.at("acute_growth_mean (GBP k)")) ==
        column(f, "/attribution/mean_k", 0));
  const auto provenance = read_csv(dir / "csv" / "provenance.csv");
  const auto& keys = provenance.at("key");
  const auto seed = std::find(keys.begin(), keys.end(), "seed") - keys.begin();
  CHECK(provenance.at("value").at(static_cast<std::size_t>(seed)) ==
        std::to_string(h5::read_attribute<std::uint64_t>(f, "seed").front()));
}

TEST_CASE("export: CSV text a spreadsheet would take for a formula stays text", "[export]") {
  TempDir dir;
  const std::vector<std::string> cells = {"=1+1", "+44 20", "-x", "@SUM(A1)", "\tx",
                                          "\r=2", "-0.5",   "+3", "plain",    "a=b"};
  write_csv({{"cells", {{"value", "", cells, {}}}}}, dir / "csv");
  CHECK(read_csv(dir / "csv" / "cells.csv").at("value") ==
        std::vector<std::string>{"'=1+1", "'+44 20", "'-x", "'@SUM(A1)", "'\tx", "'\r=2", "-0.5",
                                 "+3", "plain", "a=b"});
}

TEST_CASE("export: the command writes the workbook and CSV folder, nothing else", "[export][cli]") {
  TempDir dir;
  const fs::path path = small_results(dir);
  const auto r =
      run_cli("export " + quote(path.string()) + " --xlsx " + quote((dir / "out.xlsx").string()) +
              " --csv " + quote((dir / "tables").string()));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("out.xlsx") && Catch::Contains("tables"));
  CHECK(ccgrisk::test::read_file(dir / "out.xlsx").substr(0, 2) == "PK");  // a zip archive
  CHECK(entries(dir.path()) == std::vector<fs::path>{"out.xlsx", "run.h5", "tables"});
  CHECK(entries(dir / "tables").size() == 10);
}

TEST_CASE("export: bad usage exits 2 and writes nothing", "[export][cli]") {
  TempDir dir;
  const fs::path path = small_results(dir);
  const auto none = run_cli("export " + quote(path.string()));
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("--xlsx") && Catch::Contains("--csv"));
  const auto missing = run_cli("export " + quote(path.string()) + " --xlsx " +
                               quote((dir / "absent" / "out.xlsx").string()));
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("absent"));
  ccgrisk::test::write_file(dir / "file", "x");
  const auto csv_on_file =
      run_cli("export " + quote(path.string()) + " --csv " + quote((dir / "file").string()));
  CHECK(csv_on_file.exit_code == 2);
  CHECK_THAT(csv_on_file.err, Catch::Contains("not a folder"));
  // The workbook where the CSV files go: refused before either is written.
  const auto same =
      run_cli("export " + quote(path.string()) + " --xlsx " + quote((dir / "both").string()) +
              " --csv " + quote((dir / "both").string()));
  CHECK(same.exit_code == 2);
  CHECK_THAT(same.err, Catch::Contains("the workbook would be written where the CSV files go"));
  const auto inside =
      run_cli("export " + quote(path.string()) + " --xlsx " + quote((dir / "ccg.csv").string()) +
              " --csv " + quote(dir.path().string()));
  CHECK(inside.exit_code == 2);
  CHECK_THAT(inside.err, Catch::Contains("the workbook would be written where the CSV files go"));
  // --year names a year of a run of several; a one-year file has none.
  const auto year = run_cli("export " + quote(path.string()) + " --csv " +
                            quote((dir / "tables").string()) + " --year 2014-15");
  CHECK(year.exit_code == 2);
  CHECK_THAT(year.err, Catch::Contains("--year 2014-15: the file holds a one-year run"));
  CHECK(entries(dir.path()) == std::vector<fs::path>{"file", "run.h5"});
}
