#include "app/stress_options.hpp"

#include "output/results_file.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "app/cli_checks.hpp"
#include "app/common.hpp"
#include "input/text.hpp"

namespace ccgrisk {

void add_stress_options(CLI::App* cmd, StressArgs& a) {
  cmd->add_option("scenario", a.scenario, "Scenario TOML file")->required();
  cmd->add_option("-o,--output", a.output,
                  "Results file to write (HDF5): the scenario as given, plus this command's group")
      ->required();
  cmd->add_option("--set", a.sets,
                  "Override a scenario key by its TOML path first, e.g. "
                  "--set drivers.cip_delivery.concentration=10 (repeatable; checked like the file)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--trials", a.trials, "Trials of every run (same as --set run.trials=N)")
      ->type_name("INT");
  cmd->add_option("--seed", a.seed, "Master seed of every run (same as --set run.seed=N)")
      ->type_name("INT");
  add_threads_option(cmd, a.threads);
  cmd->add_flag("-q,--quiet", a.quiet, "No progress on stderr and no table on stdout");
}

ScenarioRuns open_runs(const StressArgs& a) {
  std::vector<Override> overrides;
  for (const std::string& s : a.sets)
    overrides.push_back(parse_override(s));
  if (a.trials) overrides.push_back(option_override("--trials", "run.trials", *a.trials));
  if (a.seed) overrides.push_back(option_override("--seed", "run.seed", *a.seed));
  ScenarioRuns runs(a.scenario, overrides, RunOptions{a.threads});
  warn_year_tables(runs.base(), overrides);
  check_output_path(a.output, {runs.base().path, runs.table().path});
  if (!a.quiet) runs.log = [](const std::string& line) { std::cerr << line << "\n"; };
  return runs;
}

std::string shown(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", x);
  return text;
}

std::string cost_line(const ScenarioRuns& runs) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", runs.seconds());
  // With run.target_se a pass stops at its own trial count.
  const std::int64_t fewest = runs.fewest_trials(), most = runs.most_trials();
  std::string trials = fewest == most ? with_commas(fewest) + " trials each"
                                      : with_commas(fewest) + " to " + with_commas(most) +
                                            " trials a run (run.target_se)";
  return trials.append(", seed ")
      .append(std::to_string(runs.base().run.seed))
      .append(" (common random numbers); ")
      .append(std::to_string(runs.runs()))
      .append(" runs in ")
      .append(secs)
      .append(several_years(runs));
}

std::string several_years(const ScenarioRuns& runs) {
  const Horizon& h = runs.base().horizon;
  if (h.years <= 1) return "";
  return "; " + std::to_string(h.years) + " years, " + year_label(h.first_year) + " to " +
         year_label(h.first_year + h.years - 1) +
         ": \"in the red\" means in the red in at least one of them";
}

void write_stress_results(const ScenarioRuns& runs, const Results& base,
                          const std::filesystem::path& path, const ExtraGroups& extra) {
  if (const HorizonResults* h = runs.base_horizon()) {
    write_horizon_file(*h, path, extra);
  } else {
    write_results_file(base, path, extra);
  }
}

}  // namespace ccgrisk
