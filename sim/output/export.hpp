// A run's tables for spreadsheet users: an Excel workbook (one sheet per
// table) or a folder of CSV files (one file per table). Every column header
// names the quantity and its units, e.g. "surplus_mean (GBP k)".
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/results.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

// One column: text or numbers (NaN is written as an empty cell).
struct Column {
  std::string name;   // e.g. "surplus_mean"
  std::string units;  // e.g. "GBP k", "probability", "CCGs"; empty for labels
  std::vector<std::string> text;
  std::vector<double> numbers;

  bool is_text() const { return numbers.empty() && !text.empty(); }
  std::size_t size() const { return is_text() ? text.size() : numbers.size(); }
  std::string header() const;  // "name (units)", or "name" without units
};

struct Table {
  std::string name;  // the sheet name, or the CSV file's name without .csv
  std::vector<Column> columns;
  std::size_t rows() const { return columns.empty() ? 0 : columns.front().size(); }
};

// The tables of a run, in this order: ccg (per CCG before risk sharing),
// ccg_pooled (after), region, area_team, pool, national, national_count
// (the distribution of the number of CCGs in the red), hub (specialised
// commissioning, with NHS England's total as the last row; only when the
// run has hubs), targets (published figures next to the run's values; only
// for runs with --targets), attribution (pressure components and Euler
// contributions, when the file has them), with [uncertainty]
// uncertainty_ccg (P(red) as given and its spread over the outer samples),
// uncertainty_parameters (each key's distribution, source, rank
// correlation and first-order index) and uncertainty_national (the
// expected number in the red over the samples, the epistemic share), and
// provenance (key, value; `source` is the results file).
std::vector<Table> export_tables(const Results& results, const std::string& source);

// The tables of a run of several years (`years`: every year, in order, each
// with Results::horizon), in this order: years (England, one row per year:
// the number in the red before and after pooling, P(sector in deficit), the
// total outturn's, recurrent position's and cumulative outturn's median and
// 5-95%), ccg_years (per CCG: P(red) each year, in any year and every year,
// P(first in the red) each year and never, the recurrent position's and
// cumulative outturn's median each year), then export_tables of the year
// `shown`, each of its table names suffixed with that year ("ccg_2014-15").
std::vector<Table> export_horizon_tables(const std::vector<Results>& years, std::size_t shown,
                                         const std::string& source);

// Writes `tables` as a workbook for `path` to a temporary file, added to
// `outputs` (renamed over `path` by its commit()). Throws OutputError naming
// the path.
void stage_xlsx(const std::vector<Table>& tables, const std::filesystem::path& path,
                StagedOutputs& outputs);

// Writes each table as `dir`/NAME.csv (RFC 4180, UTF-8, numbers in their
// shortest exact form) to temporary files added to `outputs`, creating `dir`
// if missing (not its parents): `outputs.commit()` renames them all, so a
// failure changes nothing. Throws OutputError naming the file.
void stage_csv(const std::vector<Table>& tables, const std::filesystem::path& dir,
               StagedOutputs& outputs);

// The names stage_csv gives the tables' files (NAME.csv), in order.
std::vector<std::string> csv_file_names(const std::vector<Table>& tables);

}  // namespace ccgrisk
