// ccgrisk summary RESULTS.h5: the run's summary again, from any results file.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/summary.hpp"
#include "app/targets_table.hpp"
#include "output/results_reader.hpp"

namespace ccgrisk {

namespace {

// The published figures a `run --targets` recorded (/targets), as run printed
// them: in a run of several years, against its first year (named).
void print_targets(const Results& r, std::ostream& out) {
  out << "\nAgainst the published figures (recorded in the results file)"
      << (r.horizon ? ", " + r.horizon->labels.front() : "") << "\n";
  print_target_table(r.targets, {}, "  ", out);
}

struct SummaryArgs {
  std::filesystem::path results;
  bool no_verify = false;
  std::string year;  // --year: one year of a run of several
};

int summary(const SummaryArgs& a) {
  const std::vector<Results> years = read_results_years(a.results, !a.no_verify);
  if (a.year.empty() && years.size() > 1) {
    print_horizon_summary(years, std::cout);
    if (!years.front().targets.empty()) print_targets(years.front(), std::cout);
    return kExitOk;
  }
  const Results& results = years[a.year.empty() ? 0 : year_index(years.front(), a.year)];
  print_summary(results, std::cout);
  if (results.uncertainty) print_uncertainty(*results.uncertainty, results, std::cout);
  if (!results.targets.empty()) print_targets(results, std::cout);
  return kExitOk;
}

}  // namespace

Command add_summary_command(CLI::App& app) {
  auto a = std::make_shared<SummaryArgs>();
  CLI::App* cmd =
      app.add_subcommand("summary", "Print the summary of a run from its results file (HDF5)");
  cmd->add_option("results", a->results, "Results file written by ccgrisk run")->required();
  cmd->add_option("--year", a->year,
                  "A run of several years: that year's full summary (e.g. 2014-15); by default "
                  "the first year's and the years side by side")
      ->type_name("LABEL")
      ->check(not_empty());
  cmd->add_flag("--no-verify", a->no_verify,
                "Read a results file whose seal no longer matches (changed on purpose after it "
                "was written)");
  return {cmd, [a] { return summary(*a); }};
}

}  // namespace ccgrisk
