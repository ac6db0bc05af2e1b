// What the stress-testing commands (sweep, breakeven, reverse-stress) share:
// the scenario, the output file, --set/--trials/--seed/--threads/--quiet,
// and the common-random-numbers runner built from them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/scenario_runs.hpp"
#include "output/results_file.hpp"

namespace CLI {
class App;
}

namespace ccgrisk {

struct StressArgs {
  std::filesystem::path scenario;
  std::filesystem::path output;
  std::vector<std::string> sets;      // --set KEY=VALUE, in order
  std::optional<std::string> trials;  // as typed: validated as run.trials would be
  std::optional<std::string> seed;
  int threads = 0;
  bool quiet = false;
};

// Adds SCENARIO, -o, --set, --trials, --seed, --threads and --quiet to `cmd`.
void add_stress_options(CLI::App* cmd, StressArgs& a);

// Loads and validates the scenario with the overrides, checks the output
// path, and returns the runner; progress goes to stderr unless --quiet.
ScenarioRuns open_runs(const StressArgs& a);

// "20,000 trials each, seed 7 (common random numbers), 11 runs in 25.3 s"
std::string cost_line(const ScenarioRuns& runs);

// For a scenario of several years, what "in the red" means in the stress
// commands' output ("; 3 years, 2013-14 to 2015-16: ..."); else "".
std::string several_years(const ScenarioRuns& runs);

// The stress command's results file: the scenario as given (a schema 1.1
// file for several years, ScenarioRuns::base_horizon) with `extra` groups.
void write_stress_results(const ScenarioRuns& runs, const Results& base,
                          const std::filesystem::path& path, const ExtraGroups& extra);

// A parameter value as a person reads it: 10 significant digits, so a
// range computed in doubles shows as 0.15, not 0.15000000000000002 (the
// file keeps the exact values).
std::string shown(double x);

}  // namespace ccgrisk
