// Target vs model tables, for `calibrate` and `run --targets`.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "engine/calibrate.hpp"
#include "input/targets.hpp"

namespace ccgrisk {

// One row per target: name, published value, model value +- Monte Carlo
// error, tolerance, whether it is met ("open" for a miss the model is not
// expected to reproduce), and with `fitted` (one entry per row, e.g.
// "key = 0.85") a column of the fitted parameters. Every line starts with
// `prefix` (e.g. "# " inside a TOML file). `run --targets`, `summary` and
// `calibrate` print the same table.
void print_target_table(const std::vector<TargetCheck>& rows,
                        const std::vector<std::string>& fitted, const std::string& prefix,
                        std::ostream& out);

// Each target's fitted parameter as "key = value" ("" for a target that
// fits none).
std::vector<std::string> fitted_parameters(const Targets& targets,
                                           const std::vector<double>& parameters);

// The rows recorded in a results file (/targets).
std::vector<TargetCheck> target_checks(const Targets& targets,
                                       const std::vector<Measured>& achieved);

// The width of a table's target-name column: the longest name (units such
// as "GBP k" end the names, so none is cut short of 100 characters), at
// least 44. Print names with "%-*.*s" and this as width and precision.
template <class Rows>
int target_name_width(const Rows& rows) {
  std::size_t width = 44;
  for (const auto& row : rows)
    width = std::max(width, row.name.size());
  return static_cast<int>(std::min<std::size_t>(width, 100));
}

// Measures every target in `results`.
std::vector<Measured> measure_all(const Targets& targets, const Results& results);

}  // namespace ccgrisk
