#include "input/ccg_table.hpp"
#include "input/csv.hpp"
#include "input/error.hpp"
#include "input/sha256.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace ccgrisk;
using Catch::Contains;
using test::TempDir;
using test::write_file;

namespace {

const std::vector<std::string> kColumns = {"ods_code",
                                           "name",
                                           "area_team_code",
                                           "area_team",
                                           "region",
                                           "allocation_2013_14_k",
                                           "population",
                                           "target_distance_pct",
                                           "planned_surplus_pct",
                                           "contingency_pct",
                                           "nonrecurrent_pct",
                                           "cip_pct",
                                           "spec_transfer_pct"};

// A valid row's cells; tests override one at a time.
std::map<std::string, std::string> good_cells(const std::string& code) {
  return {{"ods_code", code},
          {"name", "NHS Test CCG " + code},
          {"area_team_code", "Q56"},
          {"area_team", "\"Shropshire and Staffordshire\""},
          {"region", "Midlands and East"},
          {"allocation_2013_14_k", "150000"},
          {"population", "120000"},
          {"target_distance_pct", "-2.5"},
          {"planned_surplus_pct", ""},
          {"contingency_pct", ""},
          {"nonrecurrent_pct", ""},
          {"cip_pct", ""},
          {"spec_transfer_pct", ""}};
}

std::string join_row(const std::map<std::string, std::string>& cells) {
  std::string line;
  for (const std::string& c : kColumns)
    line += (line.empty() ? "" : ",") + cells.at(c);
  return line + "\n";
}

std::string header() {
  std::string line;
  for (const std::string& c : kColumns)
    line += (line.empty() ? "" : ",") + c;
  return line + "\n";
}

// Header (line 1), a good row 05D (line 2) and row 05Q with `overrides` (line 3).
std::string table_with(const std::map<std::string, std::string>& overrides) {
  auto cells = good_cells("05Q");
  for (const auto& [column, value] : overrides)
    cells[column] = value;
  return header() + join_row(good_cells("05D")) + join_row(cells);
}

CcgTable read_text(const TempDir& dir, const std::string& text) {
  return read_ccg_table(write_file(dir / "ccgs.csv", text));
}

}  // namespace

// ---------------------------------------------------------------- the CSV reader

TEST_CASE("parse_csv handles quotes, doubled quotes, CRLF and line numbers", "[csv]") {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "\"x, y\",\"say \"\"hi\"\"\",\r\n"
      "\r\n"
      "\"two\nlines\",,3\n"
      "last,row,\"\"";
  const auto records = parse_csv(text, "t.csv");
  REQUIRE(records.size() == 4);
  CHECK(records[0].fields == std::vector<std::string>{"a", "b", "c"});
  CHECK(records[0].line == 1);
  CHECK(records[1].fields == std::vector<std::string>{"x, y", "say \"hi\"", ""});
  CHECK(records[1].line == 2);
  CHECK(records[2].fields == std::vector<std::string>{"two\nlines", "", "3"});
  CHECK(records[2].line == 4);  // line 3 is empty and skipped
  CHECK(records[3].fields == std::vector<std::string>{"last", "row", ""});
  CHECK(records[3].line == 6);  // the quoted line break counts
}

TEST_CASE("parse_csv rejects an unterminated quote, naming the line it opened on", "[csv]") {
  CHECK_THROWS_WITH(parse_csv("a,b\n1,\"open\n2,3\n", "t.csv"),
                    Contains("t.csv:2:") && Contains("unterminated"));
}

TEST_CASE("parse_csv rejects stray quotes", "[csv]") {
  CHECK_THROWS_WITH(parse_csv("a,b\n\"x\"y,2\n", "t.csv"),
                    Contains("t.csv:2:") && Contains("'y' after a closing quote"));
  CHECK_THROWS_WITH(parse_csv("a,b\n1,x\"y\n", "t.csv"),
                    Contains("t.csv:2:") && Contains("field 2") && Contains("quote inside"));
}

TEST_CASE("parse_cell_number takes whole finite numbers only", "[csv]") {
  CHECK(parse_cell_number(" 219307 ") == Approx(219307));
  CHECK(parse_cell_number("-7.58") == Approx(-7.58));
  CHECK(parse_cell_number("+1.5e2") == Approx(150));
  for (const char* bad : {"", " ", "abc", "12x", "1,000", "nan", "inf", "-", "+-1", "1e999"}) {
    INFO("cell '" << bad << "'");
    CHECK_FALSE(parse_cell_number(bad).has_value());
  }
}

// ---------------------------------------------------------------- the shipped table

TEST_CASE("the shipped 2013-14 table loads", "[ccg_table]") {
  const CcgTable table = read_ccg_table(test::shipped_ccg_table());
  REQUIRE(table.rows.size() == 211);
  std::set<std::string> regions, area_teams;
  for (const CcgRecord& r : table.rows) {
    regions.insert(r.region);
    area_teams.insert(r.area_team_code);
  }
  CHECK(regions == std::set<std::string>{"North", "Midlands and East", "London", "South"});
  CHECK(area_teams.size() == 27);
  CHECK(table.sha256 == sha256_hex(test::read_file(test::shipped_ccg_table())));

  const CcgRecord& first = table.rows.front();
  CHECK(first.code == "01C");
  CHECK(first.name == "NHS Eastern Cheshire CCG");
  CHECK(first.area_team_code == "Q44");
  CHECK(first.area_team == "Cheshire, Warrington and Wirral");  // quoted, with commas
  CHECK(first.region == "North");
  CHECK(first.allocation_k == 219307.0);
  CHECK(first.population == 202256.0);
  CHECK(first.target_distance_pct == Approx(-7.58));
  CHECK(first.line == 2);
  CHECK_FALSE(first.plan.planned_surplus_pct.has_value());
  CHECK(first.basis[kInputAllocation] == "published (NHS England Annex A 2013/14, Gateway 00337)");
  CHECK(table.rows.back().line == 212);
}

TEST_CASE("shipped table: a quoted name and a blank target distance", "[ccg_table]") {
  const CcgTable table = read_ccg_table(test::shipped_ccg_table());
  int blank_targets = 0;
  for (const CcgRecord& r : table.rows) {
    if (r.code == "00D") CHECK(r.name == "NHS Durham Dales, Easington and Sedgefield CCG");
    if (r.target_distance_pct == 0.0) ++blank_targets;
  }
  CHECK(blank_targets >= 196);  // the estimated rows leave the cell blank
}

// ---------------------------------------------------------------- small tables

TEST_CASE("optional columns, overrides, extra columns and any column order", "[ccg_table]") {
  TempDir dir;
  const std::string text =
      "note,region,allocation_2013_14_k,cip_pct,ods_code,name,area_team,area_team_code,"
      "planned_surplus_pct,spec_transfer_pct\r\n"
      "ignored,South,1234.5,4.5,11A,\"NHS \"\"Quoted\"\" CCG\",Wessex,Q70,-1.25,\r\n";
  const CcgTable table = read_text(dir, text);
  REQUIRE(table.rows.size() == 1);
  const CcgRecord& r = table.rows[0];
  CHECK(r.code == "11A");
  CHECK(r.name == "NHS \"Quoted\" CCG");
  CHECK(r.area_team == "Wessex");
  CHECK(r.area_team_code == "Q70");
  CHECK(r.region == "South");
  CHECK(r.allocation_k == 1234.5);
  CHECK(r.population == 0.0);           // column absent
  CHECK(r.target_distance_pct == 0.0);  // column absent
  CHECK(r.plan.cip_pct == 4.5);
  CHECK(r.plan.planned_surplus_pct == -1.25);
  CHECK_FALSE(r.plan.spec_transfer_pct.has_value());  // blank cell
  CHECK_FALSE(r.plan.contingency_pct.has_value());    // column absent
  CHECK(table.sha256 == sha256_hex(text));
  CHECK(table.path == dir / "ccgs.csv");
}

TEST_CASE("every override column is read", "[ccg_table]") {
  TempDir dir;
  const CcgTable table = read_text(dir, table_with({{"planned_surplus_pct", "-3"},
                                                    {"contingency_pct", "0.75"},
                                                    {"nonrecurrent_pct", "1.5"},
                                                    {"cip_pct", "2.25"},
                                                    {"spec_transfer_pct", "18"}}));
  REQUIRE(table.rows.size() == 2);
  const PlanOverrides& p = table.rows[1].plan;
  CHECK(p.planned_surplus_pct == -3.0);
  CHECK(p.contingency_pct == 0.75);
  CHECK(p.nonrecurrent_pct == 1.5);
  CHECK(p.cip_pct == 2.25);
  CHECK(p.spec_transfer_pct == 18.0);
  CHECK(table.rows[1].line == 3);
  CHECK(table.rows[1].population == 120000.0);
  CHECK(table.rows[1].target_distance_pct == -2.5);
}

// ---------------------------------------------------------------- errors

TEST_CASE("a missing file is an input error naming it", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_AS(read_ccg_table(dir / "nope.csv"), InputError);
  CHECK_THROWS_WITH(read_ccg_table(dir / "nope.csv"), Contains("nope.csv") && Contains("no such"));
}

TEST_CASE("a missing required column is named", "[ccg_table][errors]") {
  TempDir dir;
  const std::string text =
      "ods_code,name,area_team_code,area_team,allocation_2013_14_k\n"
      "05Q,NHS X,Q56,Staffs,1000\n";
  CHECK_THROWS_WITH(read_text(dir, text), Contains("ccgs.csv:1:") && Contains("'region'"));
}

TEST_CASE("a misspelt column the model reads is refused, an unrelated one is not",
          "[ccg_table][errors]") {
  TempDir dir;
  const std::string head = "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k";
  const std::string row = "05Q,NHS X,Q56,Staffs,Midlands,1000";
  // cip_pc for cip_pct: its figures would be ignored, every CCG taking the default.
  CHECK_THROWS_WITH(
      read_text(dir, head + ",cip_pc\n" + row + ",4\n"),
      Contains("ccgs.csv:1:") && Contains("column 'cip_pc' is not one ccgrisk reads: did you mean "
                                          "'cip_pct'?"));
  // A basis column without the figures it describes.
  CHECK_THROWS_WITH(read_text(dir, head + ",cip_pc,cip_pct_basis\n" + row + ",4,mine\n"),
                    Contains("column 'cip_pct_basis' without column 'cip_pct'"));
  CHECK_THROWS_WITH(read_text(dir, head + ",populaton\n" + row + ",5000\n"),
                    Contains("did you mean 'population'?"));
  // Columns the model does not read, far from any it does, are kept out of the way.
  const CcgTable t = read_text(dir, head + ",notes,ons_code\n" + row + ",ours,E38000001\n");
  CHECK(t.rows.size() == 1);
}

TEST_CASE("a repeated header column is an error", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, "name," + header() + join_row(good_cells("05Q"))),
                    Contains("ccgs.csv:1:") && Contains("'name' appears twice"));
}

TEST_CASE("a row with the wrong number of fields names its line", "[ccg_table][errors]") {
  TempDir dir;
  std::string text = table_with({});
  text.insert(text.size() - 1, ",extra");
  CHECK_THROWS_WITH(read_text(dir, text),
                    Contains("ccgs.csv:3:") && Contains("14 fields") && Contains("expected 13"));
}

TEST_CASE("an unterminated quote in the table is reported with its line", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, table_with({{"spec_transfer_pct", "\"19"}})),
                    Contains("ccgs.csv:3:") && Contains("unterminated"));
}

TEST_CASE("a number that does not parse names line, column and value", "[ccg_table][errors]") {
  TempDir dir;
  const std::string bad = GENERATE("abc", "12x", "nan", "inf", "1,000");
  const std::string cell = bad == "1,000" ? "\"1,000\"" : bad;
  CHECK_THROWS_WITH(
      read_text(dir, table_with({{"allocation_2013_14_k", cell}})),
      Contains("ccgs.csv:3: column allocation_2013_14_k: '" + bad + "' is not a number"));
}

TEST_CASE("allocation must be present, > 0 and at most GBP 100bn", "[ccg_table][errors]") {
  TempDir dir;
  const std::string bad = GENERATE("0", "-5", "100000000.5", "1e300");
  CHECK_THROWS_WITH(
      read_text(dir, table_with({{"allocation_2013_14_k", bad}})),
      Contains("ccgs.csv:3: column allocation_2013_14_k: '" + bad + "' must be in (0, 1e+08]"));
  CHECK_THROWS_WITH(read_text(dir, table_with({{"allocation_2013_14_k", ""}})),
                    Contains("ccgs.csv:3: column allocation_2013_14_k: empty"));
}

TEST_CASE("population must be from 0 to 1e9", "[ccg_table][errors]") {
  TempDir dir;
  const std::string bad = GENERATE("-1", "1e10");
  CHECK_THROWS_WITH(read_text(dir, table_with({{"population", bad}})),
                    Contains("ccgs.csv:3: column population: '" + bad + "' must be in [0, 1e+09]"));
}

TEST_CASE("signed percentages must be from -100 to 100", "[ccg_table][errors]") {
  TempDir dir;
  const std::string column = GENERATE("target_distance_pct", "planned_surplus_pct");
  const std::string bad = GENERATE("100.5", "-101");
  CHECK_THROWS_WITH(
      read_text(dir, table_with({{column, bad}})),
      Contains("ccgs.csv:3: column " + column + ": '" + bad + "' must be in [-100, 100]"));
}

TEST_CASE("reserve, CIP and transfer percentages must be from 0 to 100", "[ccg_table][errors]") {
  TempDir dir;
  const std::string column =
      GENERATE("contingency_pct", "nonrecurrent_pct", "cip_pct", "spec_transfer_pct");
  const std::string bad = GENERATE("-0.5", "101");
  CHECK_THROWS_WITH(
      read_text(dir, table_with({{column, bad}})),
      Contains("ccgs.csv:3: column " + column + ": '" + bad + "' must be in [0, 100]"));
}

TEST_CASE("text columns must not be empty", "[ccg_table][errors]") {
  TempDir dir;
  const std::string column = GENERATE("ods_code", "name", "area_team_code", "area_team", "region");
  CHECK_THROWS_WITH(read_text(dir, table_with({{column, "  "}})),
                    Contains("ccgs.csv:3: column " + column + ": empty"));
}

TEST_CASE("a duplicate ods_code names both lines", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, table_with({{"ods_code", "05D"}})),
                    Contains("ccgs.csv:3:") && Contains("'05D'") && Contains("line 2"));
}

TEST_CASE("an area team in two regions or under two names", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, table_with({{"region", "North"}})),
                    Contains("ccgs.csv:3:") && Contains("Q56") && Contains("'North'") &&
                        Contains("'Midlands and East' on line 2"));
  CHECK_THROWS_WITH(read_text(dir, table_with({{"area_team", "Staffordshire"}})),
                    Contains("ccgs.csv:3:") && Contains("Q56") && Contains("'Staffordshire'") &&
                        Contains("'Shropshire and Staffordshire' on line 2"));
}

TEST_CASE("a table without data rows is an error", "[ccg_table][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(read_text(dir, header()), Contains("ccgs.csv") && Contains("no data rows"));
  CHECK_THROWS_WITH(read_text(dir, ""), Contains("ccgs.csv") && Contains("empty file"));
}
