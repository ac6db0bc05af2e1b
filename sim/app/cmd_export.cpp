// ccgrisk export RESULTS.h5 --xlsx OUT.xlsx --csv DIR: tables for spreadsheets.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "input/error.hpp"
#include "output/export.hpp"
#include "output/file_output.hpp"
#include "output/results_reader.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  fs::path results;
  fs::path xlsx;
  fs::path csv;
  bool xlsx_given = false;  // given, even as an empty name (refused with a message)
  bool csv_given = false;
  bool no_verify = false;
  std::string year;  // --year: the year whose one-year tables follow (runs of several years)
};

int run_export(const ExportArgs& a) {
  if (!a.xlsx_given && !a.csv_given)
    throw InputError("export: say what to write: --xlsx OUT.xlsx and/or --csv DIR");
  const std::vector<Results> years = read_results_years(a.results, !a.no_verify);
  // --year names a year of the file (a one-year file has none to choose).
  const std::size_t year =
      a.year.empty() ? 0 : static_cast<std::size_t>(year_index(years.front(), a.year));
  const std::vector<Table> tables = years.size() == 1
                                        ? export_tables(years.front(), a.results.string())
                                        : export_horizon_tables(years, year, a.results.string());
  const std::vector<fs::path> inputs = {a.results};
  const std::vector<std::string> names = csv_file_names(tables);
  if (a.xlsx_given) check_output_file(a.xlsx, inputs, "workbook");
  if (a.csv_given) check_output_folder(a.csv, names, inputs, "CSV folder");
  // Both checked before either is written: the workbook is not the folder
  // nor one of its files.
  if (a.xlsx_given && a.csv_given) {
    const fs::path book = fs::weakly_canonical(a.xlsx), folder = fs::weakly_canonical(a.csv);
    if (book == folder ||
        (book.parent_path() == folder &&
         std::find(names.begin(), names.end(), book.filename().string()) != names.end()))
      throw InputError("--xlsx " + a.xlsx.string() + " and --csv " + a.csv.string() +
                       ": the workbook would be written where the CSV files go");
  }
  // Both written first, then renamed into place together: all or nothing.
  StagedOutputs outputs;
  if (a.xlsx_given) stage_xlsx(tables, a.xlsx, outputs);
  if (a.csv_given) stage_csv(tables, a.csv, outputs);
  outputs.commit();
  if (a.xlsx_given)
    std::cout << "Workbook written to " << a.xlsx.string() << " (" << tables.size() << " sheets)\n";
  if (a.csv_given)
    std::cout << "CSV files written to " << (a.csv / "").string() << " (" << tables.size()
              << " files)\n";
  return kExitOk;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a results file's tables for spreadsheets: Excel workbook and/or CSV files");
  cmd->add_option("results", a->results, "Results file written by ccgrisk run")->required();
  CLI::Option* xlsx =
      cmd->add_option("--xlsx", a->xlsx, "Excel workbook to write, one sheet per table");
  cmd->add_option("--year", a->year,
                  "A run of several years: whose one-year tables to add after the years' "
                  "tables (default: the first year)")
      ->type_name("LABEL")
      ->check(not_empty());
  cmd->add_flag(
      "--no-verify", a->no_verify,
      "Read a results file whose seal no longer matches (changed on purpose after it was written)");
  CLI::Option* csv =
      cmd->add_option("--csv", a->csv, "Folder to write one CSV file per table into");
  return {cmd, [a, xlsx, csv] {
            a->xlsx_given = xlsx->count() > 0;
            a->csv_given = csv->count() > 0;
            return run_export(*a);
          }};
}

}  // namespace ccgrisk
