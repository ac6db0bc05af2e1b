// The command-line tests' fixture: a small valid CCG table (6 CCGs, 2
// regions, 3 area teams) and a small valid scenario, written into a fresh
// folder, changed one thing at a time, and run through the real ccgrisk
// binary; and the check that a rejected input got one clear message, exit
// code 2 and no output file.
#pragma once

#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ccgrisk::test::cli {

namespace fs = std::filesystem;
using Catch::Contains;
using Catch::StartsWith;

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

inline const std::string kScenarioName = "s.toml";
inline const std::string kCsvName = "ccgs.csv";
inline const std::string kOutName = "OUT.h5";

// ---------------------------------------------------------------- CCG table

// A CSV as cells; cells are written as they appear in the file (quotes
// included). Row r of `rows` is line r + 2 of the file.
struct Csv {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    REQUIRE(it != columns.end());
    return static_cast<std::size_t>(it - columns.begin());
  }
  // The cell in column `name` on file line `line` (2 = first data row).
  std::string& cell(int line, const std::string& name) {
    REQUIRE(line >= 2);
    REQUIRE(static_cast<std::size_t>(line - 2) < rows.size());
    return rows[static_cast<std::size_t>(line - 2)][column(name)];
  }
  void drop_column(const std::string& name) {
    const std::size_t c = column(name);
    columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(c));
    for (auto& row : rows)
      row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
  }
  std::string text() const {
    std::string out;
    const auto line = [&out](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i > 0) out += ',';
        out += cells[i];
      }
      out += '\n';
    };
    line(columns);
    for (const auto& row : rows)
      line(row);
    return out;
  }
};

// Six CCGs of the shipped 2013-14 table (allocations rounded), in 2 regions
// and 3 area teams; the header follows scenarios/data/ccg_2013_14.csv.
inline Csv valid_csv() {
  const std::string cheshire = "\"Cheshire, Warrington and Wirral\"";
  const std::string staffs = "Shropshire and Staffordshire";
  const std::string brum = "Birmingham and the Black Country";
  const std::string mid = "Midlands and East";
  return Csv{
      {"ods_code", "name", "area_team_code", "area_team", "region", "allocation_2013_14_k",
       "target_distance_pct", "cip_pct"},
      {
          {"01C", "NHS Eastern Cheshire CCG", "Q44", cheshire, "North", "219307", "-7.58", ""},
          {"01R", "NHS South Cheshire CCG", "Q44", cheshire, "North", "193566", "-6.24", "3.5"},
          {"02D", "NHS Vale Royal CCG", "Q44", cheshire, "North", "117632", "-1.2", ""},
          {"04Y", "NHS Cannock Chase CCG", "Q60", staffs, mid, "165143", "2.1", ""},
          {"05D", "NHS East Staffordshire CCG", "Q60", staffs, mid, "161062", "", "2.5"},
          {"05L", "NHS Sandwell and West Birmingham CCG", "Q54", brum, mid, "541520", "0.5", ""},
      }};
}

// ----------------------------------------------------------------- scenario

// Line 2 is "trials = 200" (the syntax-error case relies on it). The sd of
// each driver is distinct so that each can be replaced on its own.
inline const std::string kValidScenario = R"([run]
trials = 200
seed = 20130401
copula = "gaussian"
dof = 5

[data]
ccgs = "ccgs.csv"

[plan]
surplus_pct = 1.0
contingency_pct = 0.5
nonrecurrent_pct = 2.0
nonrecurrent_uncommitted = 0.25
cip_pct = 3.0
spec_transfer_pct = 19.0
control_total_pct = 1.0

[mix]
acute = 0.50
specialist = 0.05
other = 0.45

[drivers.acute_growth]
mean = 0.021
sd = 0.01
funded = 0.021

[drivers.specialist_growth]
mean = 0.05
sd = 0.02
funded = 0.02

[drivers.other_growth]
mean = 0.03
sd = 0.012
funded = 0.03

[drivers.cip_delivery]
mean = 0.80
sd = 0.15

[drivers.transfer_mismatch]
mean = 0.005
sd = 0.021

[correlation]
national = 0.2
region = 0.1
area_team = 0.1

[underfunding]
pressure_per_pct_under_target = 0.1

[[pool]]
name = "Staffordshire"
members = ["04Y", "05D"]
rule = "full"
)";

// Replaces the single occurrence of `from` in `text` by `to`.
inline void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  INFO("text to replace: " << from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  text.replace(at, from.size(), to);
}

// ------------------------------------------------------------------ running

// A folder holding s.toml and ccgs.csv; run() writes both, then runs
// `ccgrisk run <folder>/s.toml -o <folder>/OUT.h5 <extra>`.
struct Case {
  TempDir dir;
  Csv csv = valid_csv();
  std::optional<std::string> raw_csv;  // written instead of csv.text() when set
  std::string scenario = kValidScenario;
  bool write_csv = true;

  fs::path scenario_path() const { return dir / kScenarioName; }
  fs::path out_path() const { return dir / kOutName; }

  void write_inputs() const {
    write_file(scenario_path(), scenario);
    if (write_csv) write_file(dir / kCsvName, raw_csv ? *raw_csv : csv.text());
  }
  // Runs with the given arguments after writing the inputs.
  CliResult run_args(const std::string& args) const {
    write_inputs();
    return run_cli(args);
  }
  CliResult run(const std::string& extra = "--quiet") const {
    std::string args = "run ";
    args.append(quote(scenario_path().string()))
        .append(" -o ")
        .append(quote(out_path().string()))
        .append(" ")
        .append(extra);
    return run_args(args);
  }
  // Names in the folder other than the inputs: must be empty after a failure.
  std::vector<std::string> leftovers(const std::set<std::string>& also_allowed = {}) const {
    std::vector<std::string> extra;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      const std::string name = entry.path().filename().string();
      if (name == kScenarioName || (write_csv && name == kCsvName)) continue;
      if (also_allowed.contains(name)) continue;
      extra.push_back(name);
    }
    return extra;
  }
};

inline std::size_t count_lines(const std::string& text) {
  std::size_t n = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

// `message` with every occurrence of the case's folder replaced by "<dir>",
// so that checks for numbers are not fooled by digits in the temp path.
inline std::string without_folder(std::string message, const fs::path& folder) {
  const std::string f = folder.string();
  for (std::size_t at = message.find(f); at != std::string::npos; at = message.find(f, at))
    message.replace(at, f.size(), "<dir>");
  return message;
}

// True when `number` appears in `text` as a whole number (not inside another).
inline bool has_number(const std::string& text, const std::string& number) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t at = text.find(number); at != std::string::npos;
       at = text.find(number, at + 1)) {
    const std::size_t end = at + number.size();
    const bool starts = at == 0 || (!digit(text[at - 1]) && text[at - 1] != '.');
    if (starts && (end == text.size() || !digit(text[end]))) return true;
  }
  return false;
}

// Checks a rejected input: exit 2, nothing on stdout, one short message on
// stderr starting "ccgrisk: error: " (a second line, such as a hint to run
// --help, is allowed) that contains every string in `must_contain`, and no
// output file or temporary file left in the folder. Returns the message with
// the folder path replaced by "<dir>".
inline std::string check_rejected(const Case& c, const CliResult& r,
                                  const std::vector<std::string>& must_contain) {
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == kExitBadInput);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
  CHECK(count_lines(r.err) >= 1);
  CHECK(count_lines(r.err) <= 2);
  CHECK(r.err.size() <= 400);
  const std::string message = without_folder(r.err, c.dir.path());
  for (const std::string& s : must_contain)
    CHECK_THAT(message, Contains(s));
  CHECK(c.leftovers().empty());
  CHECK_FALSE(fs::exists(c.out_path()));
  return message;
}

// "ccgs.csv:<line>": how a message names a line of the CCG table.
inline std::string csv_at(int line) {
  std::string s = kCsvName;
  s.append(":").append(std::to_string(line));
  return s;
}

}  // namespace ccgrisk::test::cli
