// ccgrisk export RESULTS.h5 --xlsx OUT.xlsx --csv DIR: tables for spreadsheets.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "app/common.hpp"
#include "input/error.hpp"
#include "output/export.hpp"
#include "output/results_reader.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  fs::path results;
  fs::path xlsx;
  fs::path csv;
};

void check_csv_folder(fs::path dir) {
  if (!dir.has_filename()) dir = dir.parent_path();  // "out/" -> "out"
  if (fs::exists(dir) && !fs::is_directory(dir))
    throw InputError(dir.string() + ": is a file, not a folder for CSV files");
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw InputError(dir.string() + ": cannot write CSV files: folder '" + parent.string() +
                     "' does not exist");
}

int run_export(const ExportArgs& a) {
  if (a.xlsx.empty() && a.csv.empty())
    throw InputError("export: say what to write: --xlsx OUT.xlsx and/or --csv DIR");
  if (!a.xlsx.empty()) check_output_path(a.xlsx);
  if (!a.csv.empty()) check_csv_folder(a.csv);
  const std::vector<Table> tables = export_tables(read_results_file(a.results), a.results.string());
  if (!a.xlsx.empty()) {
    write_xlsx(tables, a.xlsx);
    std::cout << "Workbook written to " << a.xlsx.string() << " (" << tables.size() << " sheets)\n";
  }
  if (!a.csv.empty()) {
    write_csv(tables, a.csv);
    std::cout << "CSV files written to " << a.csv.string() << "/ (" << tables.size() << " files)\n";
  }
  return kExitOk;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a results file's tables for spreadsheets: Excel workbook and/or CSV files");
  cmd->add_option("results", a->results, "Results file written by ccgrisk run")->required();
  cmd->add_option("--xlsx", a->xlsx, "Excel workbook to write, one sheet per table");
  cmd->add_option("--csv", a->csv, "Folder to write one CSV file per table into");
  return {cmd, [a] { return run_export(*a); }};
}

}  // namespace ccgrisk
