// Inputs marked for what they are (issue 13, part 3): comment lines in the
// CCG table, the basis of every per-CCG input from table and scenario into
// the results file, the summary's marker, the export's basis columns, and
// the CCG table template that reads back to the same model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <sstream>

#include "app/summary.hpp"
#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "input/csv.hpp"
#include "input/error.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"
#include "output/ccg_template.hpp"
#include "output/export.hpp"
#include "output/results_file.hpp"
#include "output/results_reader.hpp"
#include "support.hpp"

using namespace ccgrisk;
using Catch::Contains;
using ccgrisk::test::TempDir;
using ccgrisk::test::write_file;

namespace {

const std::string kHeader =
    "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,allocation_basis,"
    "cip_pct,cip_pct_basis,population\n";

CcgTable table_from(const TempDir& dir, const std::string& text) {
  return read_ccg_table(write_file(dir / "ccgs.csv", text));
}

Scenario scenario_on(const TempDir& dir, const std::string& csv, const std::string& extra) {
  write_file(dir / "ccgs.csv", csv);
  return load_scenario(write_file(dir / "s.toml", "[data]\nccgs = \"ccgs.csv\"\n" + extra));
}

}  // namespace

TEST_CASE("comment lines are skipped and still counted", "[csv]") {
  const auto records = parse_csv(
      "# units: GBP thousands, \"quoted\", commas\n"
      "a,b\n"
      "#another comment\r\n"
      "1,\"two\n#not a comment: inside a quoted field\"\n"
      "3,4\n",
      "t.csv");
  REQUIRE(records.size() == 3);
  CHECK(records[0].line == 2);
  CHECK(records[1].line == 4);
  CHECK(records[1].fields[1] == "two\n#not a comment: inside a quoted field");
  CHECK(records[2].line == 6);
}

TEST_CASE("a CCG table with a comment block reads, naming lines as in the file", "[ccg_table]") {
  TempDir dir;
  const CcgTable t = table_from(dir, "# a comment\n# another\n" + kHeader +
                                         "# between rows\n"
                                         "A1,CCG A,Q1,Team,North,1000,published (annex),3.5,,\n"
                                         "A2,CCG B,Q1,Team,North,2000,,,,250000\n");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].line == 5);
  CHECK(t.rows[1].line == 6);
  CHECK_THROWS_WITH(table_from(dir, "# c\n" + kHeader + "A1,CCG A,Q1,Team,North,x,,,,\n"),
                    Contains("ccgs.csv:3: column allocation_2013_14_k: 'x' is not a number"));
}

TEST_CASE("each input's basis: the table's cell, 'table', the scenario or 'not given'",
          "[ccg_table][basis]") {
  TempDir dir;
  const std::string csv = kHeader +
                          "A1,CCG A,Q1,Team,North,1000,estimated from population,3.5,"
                          "CCG plan May 2013,\n"
                          "A2,CCG B,Q1,Team,North,2000,,,,250000\n";
  const Scenario s = scenario_on(dir, csv, "[ccg.A2]\ncip_pct = 4\ntransfer_mismatch_k = 50\n");
  const std::vector<CcgRecord> ccgs = resolve_ccgs(s, read_ccg_table(s.ccgs));
  REQUIRE(ccgs.size() == 2);
  const auto& a = ccgs[0].basis;
  CHECK(a[kInputAllocation] == "estimated from population");
  CHECK(a[kInputCip] == "CCG plan May 2013");
  CHECK(a[kInputPopulation] == "not given (0)");
  CHECK(a[kInputPlannedSurplus] == "scenario default");
  CHECK(a[kInputTargetDistance] == "not given (0)");
  CHECK(a[kInputTransferMismatch] == "not given (0)");
  const auto& b = ccgs[1].basis;
  CHECK(b[kInputAllocation] == "table");
  CHECK(b[kInputPopulation] == "table");
  CHECK(b[kInputCip] == "scenario [ccg.A2]");
  CHECK(b[kInputTransferMismatch] == "scenario [ccg.A2]");
  CHECK(ccgs[1].plan.cip_pct == 4.0);
  CHECK(ccgs[1].transfer_mismatch_k == 50.0);

  // Carried into the results, and read back from the file.
  Scenario small = s;
  small.run.trials = 64;
  const Results r = run_scenario(small, read_ccg_table(s.ccgs), RunOptions{1});
  CHECK(r.input_basis[kInputAllocation] ==
        std::vector<std::string>{"estimated from population", "table"});
  write_results_file(r, dir / "r.h5");
  const Results back = read_results_file(dir / "r.h5");
  for (int k = 0; k < kNumCcgInputs; ++k)
    CHECK(back.input_basis[k] == r.input_basis[k]);
}

TEST_CASE("a basis cell must be printable text of at most 500 bytes", "[ccg_table][errors]") {
  TempDir dir;
  const std::string long_basis(501, 'x');
  CHECK_THROWS_WITH(
      table_from(dir, kHeader + "A1,CCG A,Q1,Team,North,1000," + long_basis + ",,,\n"),
      Contains("ccgs.csv:2: column allocation_basis: the text"));
}

TEST_CASE("a results file without bases reads, and summary and export leave them out",
          "[basis][reader]") {
  TempDir dir;
  const std::string csv = kHeader +
                          "A1,CCG A,Q1,Team,North,1000,estimated from population,,,\n"
                          "A2,CCG B,Q1,Team,North,2000,published,,,\n"
                          "A3,CCG C,Q1,Team,North,1500,Estimated (our guess),,,\n";
  Scenario s = scenario_on(dir, csv, "");
  s.run.trials = 64;
  Results r = run_scenario(s, read_ccg_table(s.ccgs), RunOptions{1});

  std::ostringstream with;
  print_summary(r, with);
  CHECK_THAT(with.str(), Contains("CCG A *"));
  CHECK_THAT(with.str(), Contains("CCG C *"));
  CHECK_THAT(with.str(), !Contains("CCG B *"));
  CHECK_THAT(with.str(), Contains("* allocation estimated, not published (2 of the 3 CCGs)"));
  const Table ccg = export_tables(r, "r.h5").front();
  const auto has = [&](const std::string& name) {
    return std::ranges::any_of(ccg.columns, [&](const Column& c) { return c.name == name; });
  };
  CHECK(has("allocation_basis"));
  CHECK(has("cip_pct_basis"));

  // An older file: no /ccg/*_basis datasets.
  for (auto& basis : r.input_basis)
    basis.clear();
  write_results_file(r, dir / "old.h5");
  const Results old = read_results_file(dir / "old.h5");
  for (const auto& basis : old.input_basis)
    CHECK(basis.empty());
  std::ostringstream without;
  print_summary(old, without);
  CHECK_THAT(without.str(), !Contains("allocation estimated"));
  const Table old_ccg = export_tables(old, "old.h5").front();
  CHECK(std::ranges::none_of(
      old_ccg.columns, [](const Column& c) { return c.name.find("_basis") != std::string::npos; }));
}

TEST_CASE("the template of the shipped baseline reads back to the same model, bit for bit",
          "[template]") {
  TempDir dir;
  const auto root = std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios";
  const Scenario s = load_scenario(root / "baseline-2013-14.toml");
  const CcgTable table = read_ccg_table(s.ccgs);
  const std::string text = ccg_template_csv(s, resolve_ccgs(s, table), "test");
  CHECK(text.starts_with("# ccgrisk CCG table, written by test\n"));
  CHECK_THAT(text, Contains("# transfer_mismatch_k        GBP thousands"));

  Scenario again = s;
  again.ccgs = write_file(dir / "template.csv", text);
  const CcgTable from_template = read_ccg_table(again.ccgs);
  const Model a = build_model(s, table), b = build_model(again, from_template);
  REQUIRE(a.n == b.n);
  const auto same = [](const std::vector<double>& x, const std::vector<double>& y) {
    return x.size() == y.size() &&
           std::equal(x.begin(), x.end(), y.begin(), [](double p, double q) {
             return std::bit_cast<std::uint64_t>(p) == std::bit_cast<std::uint64_t>(q);
           });
  };
  CHECK(same(a.allocation_k, b.allocation_k));
  CHECK(same(a.planned_surplus_k, b.planned_surplus_k));
  CHECK(same(a.contingency_k, b.contingency_k));
  CHECK(same(a.reserves_k, b.reserves_k));
  CHECK(same(a.cip_k, b.cip_k));
  CHECK(same(a.transfer_k, b.transfer_k));
  CHECK(same(a.transfer_mismatch_k, b.transfer_mismatch_k));
  CHECK(same(a.underfunding_k, b.underfunding_k));
  CHECK(same(a.shift_k, b.shift_k));
  for (int k = 0; k < 3; ++k)
    CHECK(same(a.category_base_k[k], b.category_base_k[k]));
  for (int i = 0; i < a.n; ++i) {
    INFO(a.ccgs[i].code);
    CHECK(a.ccgs[i].population == b.ccgs[i].population);
    CHECK(a.ccgs[i].basis == b.ccgs[i].basis);
  }
}

TEST_CASE("ccgrisk template: writes the file, refuses bad input with exit 2 and no file",
          "[template][cli]") {
  TempDir dir;
  const auto ok = test::run_cli("template -q -o " + test::quote((dir / "t.csv").string()));
  REQUIRE(ok.exit_code == 0);
  const std::string text = test::read_file(dir / "t.csv");
  CHECK(text.starts_with("# ccgrisk CCG table"));
  CHECK(read_ccg_table(dir / "t.csv").rows.size() == 211);

  const auto bad = test::run_cli("template " + test::quote((dir / "nope.toml").string()) + " -o " +
                                 test::quote((dir / "u.csv").string()));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Contains("nope.toml"));
  CHECK_FALSE(std::filesystem::exists(dir / "u.csv"));

  write_file(dir / "s.toml", "[data]\nccgs = \"" + test::shipped_ccg_table().string() +
                                 "\"\n[ccg.05Q]\ntransfer_mismatch_k = 1e300\n");
  const auto extreme = test::run_cli("template " + test::quote((dir / "s.toml").string()) + " -o " +
                                     test::quote((dir / "v.csv").string()));
  CHECK(extreme.exit_code == 2);
  CHECK_THAT(extreme.err, Contains("ccg.05Q.transfer_mismatch_k"));
  CHECK_FALSE(std::filesystem::exists(dir / "v.csv"));
}
