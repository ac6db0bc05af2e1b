// A parameter sweep with common random numbers: one run per value of a
// scenario key, every run with the same seed and trials (ccgrisk sweep).
#pragma once

#include <string>
#include <vector>

#include "engine/scenario_runs.hpp"

namespace ccgrisk {

struct SweepSpec {
  std::string param;  // a scenario key by its TOML path
  double from = 0.0;
  double to = 0.0;
  int steps = 0;  // >= 2 values, from and to included
};

// What each point of the sweep gives; [steps, n] arrays are row-major.
struct SweepResult {
  std::string param;
  int n = 0;  // CCGs
  std::vector<double> values;
  std::vector<double> p_red, p_red_pooled;  // [steps, n]
  std::vector<double> expected_red, expected_red_pooled, expected_red_se;
  std::vector<double> count_red_q05, count_red_q95;  // national count of CCGs in the red
  std::vector<double> count_red_q05_pooled, count_red_q95_pooled;
  std::vector<std::string> region_name;
  std::vector<double> region_expected_red, region_expected_red_pooled;  // [steps, regions]
};

// The values from, ..., to at `steps` equal intervals (both ends exact, the
// others rounded to 12 significant digits).
std::vector<double> sweep_values(double from, double to, int steps);

// Checks the spec (key, finite from != to, steps >= 2) and that the scenario
// accepts every value, before any run. Throws InputError.
void check_sweep(const ScenarioRuns& runs, const SweepSpec& spec);

// Runs every point (after check_sweep) and collects the arrays; with
// `base`, the scenario as given runs in the same passes, its complete
// results stored there (as runs.run(runs.base()) gives them).
SweepResult run_sweep(ScenarioRuns& runs, const SweepSpec& spec, Results* base = nullptr);

}  // namespace ccgrisk
