// Goal seek with common random numbers (ccgrisk breakeven): for every CCG,
// the value of a scenario key at which its P(red) crosses p; and the
// system-wide value that keeps the expected number of CCGs in the red at or
// below K. Method: a coarse grid over [from, to], then bisection of every
// bracket, evaluating each distinct midpoint once per level for all the
// brackets that share it (docs/stress-testing.md).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/scenario_runs.hpp"

namespace ccgrisk {

// How a CCG's P(red) (or the expected count) relates to the threshold over
// [from, to], judged on the grid.
enum class Crossing : std::int64_t {
  kCrosses = 0,      // crosses: the value is where it does
  kNever = 1,        // at or below the threshold at every grid point
  kAlways = 2,       // above the threshold at every grid point
  kNotMonotone = 3,  // both ends on the same side, some grid point on the other
};

struct BreakevenSpec {
  std::string param = {};
  double p = 0.5;                                // the P(red) to cross, in (0, 1)
  double from = 0.0, to = 0.0;                   // the range searched
  int grid = 17;                                 // coarse grid points, >= 3
  double tolerance = 0.0;                        // bracket width to stop at; 0 = |to - from| / 1000
  std::optional<double> max_red = std::nullopt;  // K for the system-wide value
  bool pooled = false;                           // P(red) after risk sharing instead of before
};

// One search: a CCG's or the system's.
struct Crossings {
  std::vector<double> value;  // the threshold-side end of the final bracket; NaN unless crossing
  std::vector<Crossing> status;
  std::vector<std::int64_t> direction;  // +1: rises with the parameter, -1 falls, 0 unknown
};

struct BreakevenResult {
  BreakevenSpec spec;  // with the tolerance used
  std::vector<double> grid_values;
  std::vector<double> grid_p_red;         // [grid, n]
  std::vector<double> grid_expected_red;  // [grid]
  Crossings ccg;                          // [n]
  // [n]; at_value NaN unless crossing
  std::vector<double> p_red_at_from, p_red_at_to, p_red_at_value;
  Crossings system;  // one entry; empty without max_red
  // NaN unless asked for (max_red) and crossing
  double expected_red_at_system = std::numeric_limits<double>::quiet_NaN();
  int levels = 0;                     // bisection levels after the grid
  std::vector<int> points_per_level;  // distinct new values run per level (grid first)
  int runs = 0;
  double seconds = 0.0;
};

// Checks the spec (key, finite from != to, p in (0, 1), grid >= 3,
// tolerance >= 0, max_red >= 0) and that the scenario accepts both ends of
// the range. Throws InputError.
void check_breakeven(const ScenarioRuns& runs, const BreakevenSpec& spec);

// A range to search when the user gives none: the current value v of the
// key +- 50% of |v| (+-1 when v = 0), each end moved halfway back towards v
// until the scenario accepts it. Throws InputError if the key has no
// current value in the scenario (then --from and --to are needed).
std::pair<double, double> default_range(const ScenarioRuns& runs, const std::string& param);

// With `base`, the scenario as given runs in the grid's first pass, its
// complete results stored there (as runs.run(runs.base()) gives them).
BreakevenResult run_breakeven(ScenarioRuns& runs, const BreakevenSpec& spec,
                              Results* base = nullptr);

}  // namespace ccgrisk
