#include "input/ccg_table.hpp"

#include "input/csv.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/limits.hpp"
#include "input/sha256.hpp"
#include "input/text.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr std::string_view kRequired[] = {"ods_code",  "name",   "area_team_code",
                                          "area_team", "region", "allocation_2013_14_k"};

// Allowed values of a numeric column: [lo, hi], or (lo, hi] when lo_open.
struct Bounds {
  double lo = -kInf;
  double hi = kInf;
  bool lo_open = false;

  bool contains(double x) const { return (lo_open ? x > lo : x >= lo) && x <= hi; }
  std::string describe() const;
};

std::string Bounds::describe() const {
  if (hi == kInf) return std::string(lo_open ? "> " : ">= ") + number_text(lo);
  return std::string("in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
         "]";
}

constexpr Bounds kAllocation{0.0, limits::kMaxAllocationK, true};
constexpr Bounds kPopulation{0.0, limits::kMaxPopulation, false};
constexpr Bounds kSignedPct{-100.0, 100.0, false};
constexpr Bounds kShareOfAllocationPct{0.0, 100.0, false};
constexpr Bounds kMismatchK{-limits::kMaxTransferMismatchK, limits::kMaxTransferMismatchK, false};

// 'cell' in single quotes, for messages.
std::string quoted(std::string_view cell) {
  std::string q(1, '\'');
  q.append(printable(cell));
  q.push_back('\'');
  return q;
}

using ColumnIndex = std::map<std::string, std::size_t, std::less<>>;

// Edits (insertions, deletions, substitutions) between two column names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Columns the model does not read are allowed (codes, notes, sources), but
// a misspelt column the model reads would drop its figures without a word:
// a column within two edits of a missing one it reads is refused, and so
// is a basis column without its figures' column.
void check_column_names(const ColumnIndex& index, const std::string& where) {
  std::vector<std::string_view> read(std::begin(kRequired), std::end(kRequired));
  for (const CcgInputInfo& in : kCcgInputs) {
    read.push_back(in.column);
    read.push_back(in.basis_column);
    if (index.contains(in.basis_column) && !index.contains(in.column))
      throw InputError(where + "column '" + std::string(in.basis_column) + "' without column '" +
                       std::string(in.column) + "' (the figures it describes)");
  }
  for (const auto& [name, position] : index) {
    if (std::find(read.begin(), read.end(), name) != read.end()) continue;
    for (std::string_view known : read)
      if (!index.contains(known) && edit_distance(name, known) <= 2)
        throw InputError(where + "column '" + name + "' is not one ccgrisk reads: did you mean '" +
                         std::string(known) + "'? (its figures would be ignored)");
  }
}

// Column name -> position, from the header record; checks the required ones.
ColumnIndex index_columns(const CsvRecord& header, const std::string& file) {
  const std::string where = file + ":" + std::to_string(header.line) + ": ";
  ColumnIndex index;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name(trim_blanks(header.fields[i]));
    if (!index.emplace(name, i).second) {
      throw InputError(where + "column '" + name + "' appears twice in the header");
    }
  }
  for (std::string_view name : kRequired) {
    if (index.contains(name)) continue;
    std::string expected;
    for (std::string_view r : kRequired)
      expected += (expected.empty() ? "" : ", ") + std::string(r);
    throw InputError(where + "missing required column '" + std::string(name) +
                     "' (required: " + expected + ")");
  }
  check_column_names(index, where);
  return index;
}

// Typed access to the cells of one data record, with messages naming
// file:line and the column.
class RowReader {
 public:
  RowReader(const CsvRecord& rec, const ColumnIndex& columns, const std::string& file)
      : rec_(rec), columns_(columns), where_(file + ":" + std::to_string(rec.line) + ": ") {
    if (rec.fields.size() != columns.size()) {
      throw InputError(where_ + std::to_string(rec.fields.size()) + " fields, expected " +
                       std::to_string(columns.size()) + " (as in the header)");
    }
  }

  // A required, non-empty text cell that can be stored and printed.
  std::string text(std::string_view column) const {
    const std::string_view cell = trim_blanks(cell_of(column));
    if (cell.empty()) fail(column, "empty (a value is required)");
    if (const std::string problem = text_problem(cell, limits::kMaxTextBytes); !problem.empty())
      fail(column, "the text " + problem);
    return std::string(cell);
  }

  // A number within `bounds`; nothing when the column is absent or the cell blank.
  std::optional<double> number(std::string_view column, const Bounds& bounds) const {
    if (!columns_.contains(column)) return std::nullopt;
    const std::string_view cell = trim_blanks(cell_of(column));
    if (cell.empty()) return std::nullopt;
    const std::optional<double> value = parse_cell_number(cell);
    if (!value) fail(column, quoted(cell) + " is not a number");
    if (!bounds.contains(*value)) fail(column, quoted(cell) + " must be " + bounds.describe());
    return value;
  }

  // An optional text cell: empty when the column is absent or the cell blank.
  std::string optional_text(std::string_view column, std::size_t max_bytes) const {
    if (!columns_.contains(column)) return {};
    const std::string_view cell = trim_blanks(cell_of(column));
    if (const std::string problem = text_problem(cell, max_bytes); !problem.empty())
      fail(column, "the text " + problem);
    return std::string(cell);
  }

  double required_number(std::string_view column, const Bounds& bounds) const {
    const std::optional<double> value = number(column, bounds);
    if (!value) fail(column, "empty (a number is required)");
    return *value;
  }

  [[noreturn]] void fail(std::string_view column, const std::string& what) const {
    throw InputError(where_ + "column " + std::string(column) + ": " + what);
  }

 private:
  std::string_view cell_of(std::string_view column) const {
    return rec_.fields[columns_.find(column)->second];
  }

  const CsvRecord& rec_;
  const ColumnIndex& columns_;
  std::string where_;
};

// The basis of each value the row gives: its basis cell, else "table";
// blank values stay unresolved (empty) for the scenario to settle.
void read_bases(const RowReader& row, const std::array<bool, kNumCcgInputs>& given, CcgRecord& r) {
  for (int k = 0; k < kNumCcgInputs; ++k) {
    const std::string basis = row.optional_text(kCcgInputs[k].basis_column, limits::kMaxBasisBytes);
    if (given[k]) r.basis[k] = basis.empty() ? std::string(kBasisTable) : basis;
  }
}

CcgRecord read_record(const RowReader& row, int line) {
  CcgRecord r;
  r.code = row.text("ods_code");
  r.name = row.text("name");
  r.area_team_code = row.text("area_team_code");
  r.area_team = row.text("area_team");
  r.region = row.text("region");
  r.allocation_k = row.required_number("allocation_2013_14_k", kAllocation);
  const std::optional<double> population = row.number("population", kPopulation);
  const std::optional<double> distance = row.number("target_distance_pct", kSignedPct);
  const std::optional<double> mismatch = row.number("transfer_mismatch_k", kMismatchK);
  r.population = population.value_or(0.0);
  r.target_distance_pct = distance.value_or(0.0);
  r.transfer_mismatch_k = mismatch.value_or(0.0);
  r.plan.planned_surplus_pct = row.number("planned_surplus_pct", kSignedPct);
  r.plan.contingency_pct = row.number("contingency_pct", kShareOfAllocationPct);
  r.plan.nonrecurrent_pct = row.number("nonrecurrent_pct", kShareOfAllocationPct);
  r.plan.cip_pct = row.number("cip_pct", kShareOfAllocationPct);
  r.plan.spec_transfer_pct = row.number("spec_transfer_pct", kShareOfAllocationPct);
  const PlanOverrides& p = r.plan;
  read_bases(row,
             {true, population.has_value(), p.planned_surplus_pct.has_value(),
              p.contingency_pct.has_value(), p.nonrecurrent_pct.has_value(), p.cip_pct.has_value(),
              p.spec_transfer_pct.has_value(), distance.has_value(), mismatch.has_value()},
             r);
  r.line = line;
  return r;
}

// Checks across rows: unique ODS codes, and each area team code in one
// region under one name.
void check_consistency(const std::vector<CcgRecord>& rows, const std::string& file) {
  std::unordered_map<std::string, const CcgRecord*> by_code, by_team;
  for (const CcgRecord& r : rows) {
    const std::string where = file + ":" + std::to_string(r.line) + ": ";
    const auto [code_it, new_code] = by_code.emplace(r.code, &r);
    if (!new_code) {
      throw InputError(where + "duplicate ods_code '" + r.code + "' (also on line " +
                       std::to_string(code_it->second->line) + ")");
    }
    const auto [team_it, new_team] = by_team.emplace(r.area_team_code, &r);
    const CcgRecord& first = *team_it->second;
    if (!new_team && first.region != r.region) {
      throw InputError(where + "area team " + r.area_team_code + " is in region '" + r.region +
                       "' but in region '" + first.region + "' on line " +
                       std::to_string(first.line));
    }
    if (!new_team && first.area_team != r.area_team) {
      throw InputError(where + "area team " + r.area_team_code + " is named '" + r.area_team +
                       "' but '" + first.area_team + "' on line " + std::to_string(first.line));
    }
  }
}

}  // namespace

CcgTable read_ccg_table(const std::filesystem::path& path) {
  return parse_ccg_table(read_input_file(path, "the CCG table"), path);
}

CcgTable parse_ccg_table(std::string_view bytes, const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::vector<CsvRecord> records = parse_csv(bytes, file);
  if (records.empty()) throw InputError(file + ": empty file (expected a header row)");
  const ColumnIndex columns = index_columns(records.front(), file);
  if (records.size() == 1) throw InputError(file + ": no data rows after the header");
  if (records.size() - 1 > static_cast<std::size_t>(limits::kMaxCcgs))
    throw InputError(file + ": " + std::to_string(records.size() - 1) + " CCGs; at most " +
                     std::to_string(limits::kMaxCcgs) + " are accepted");

  CcgTable table{path, sha256_hex(bytes), {}};
  table.rows.reserve(records.size() - 1);
  for (std::size_t i = 1; i < records.size(); ++i) {
    table.rows.push_back(read_record(RowReader(records[i], columns, file), records[i].line));
  }
  check_consistency(table.rows, file);
  return table;
}

}  // namespace ccgrisk
