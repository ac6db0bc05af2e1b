// Fitting scenario parameters to published figures (calibration).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/results.hpp"
#include "engine/run.hpp"
#include "input/overrides.hpp"
#include "input/targets.hpp"

namespace ccgrisk {

// A target's statistic in a run, with its Monte Carlo standard error.
struct Measured {
  double value = 0.0;
  double se = 0.0;
};

// Measures `target` in `results`. Throws InputError (naming the targets
// file and the target) if its group does not exist in the results.
Measured measure(const Target& target, const Results& results,
                 const std::filesystem::path& targets_path, std::size_t index);

struct CalibrationOutcome {
  std::vector<double> parameters;  // per target; NaN where the target has none
  std::vector<Measured> achieved;  // per target, at the fitted parameters
  bool converged = false;
  // Per target, where it has a parameter (else NaN): d(measured)/d(parameter)
  // at the fit, from central differences of +-1% of [lower, upper] in one
  // pass; and the parameter's standard error, sqrt(se^2 + (tolerance / 2)^2)
  // / |slope|, with se the target's Monte Carlo error and the tolerance
  // taken as two standard errors of the published figure (computed when
  // the fit converged, see calibrate()).
  std::vector<double> slopes, standard_errors;
  int evaluations = 0;
  int passes = 0;   // passes over the trials (the evaluations of a round share one)
  int sweeps = 0;   // rounds: the first Jacobi sweep, then Newton steps or sweeps
  Results results;  // the run at the fitted parameters (Tallies::kCounts)
};

// Moves each target's parameter within [lower, upper] until every target is
// met. Round 1 is a Jacobi sweep: every key solved alone on its whole range
// by a bracketed Illinois (modified regula falsi) search, the others held
// at their starting values, the keys' searches advancing together, each
// round of evaluations in one pass over the trials (run_points). Keys that
// do not interact are done there. Each later round is a Newton step on the
// keys still open (the Jacobian from forward differences of 1% of each
// key's range, evaluated in the same pass as the point itself), or, when a
// step does not lower the sum of the squared misses (each in units of its
// stopping distance), a Jacobi sweep over the open keys from the last point.
// Every evaluation runs targets.trials trials with the scenario's seed, so
// the objective is a deterministic function of the parameters (common
// random numbers) and the whole fit is reproducible. The fit ends when
// every |measured - value| <= 0.05 tolerance (or 1e-9 for tolerance 0), or
// after targets.max_sweeps rounds.
// Throws InputError if a parameter cannot reach its target inside its
// bounds (the message gives the values at both bounds).
CalibrationOutcome calibrate(const std::filesystem::path& scenario_path,
                             const std::vector<Override>& base, const Targets& targets,
                             const RunOptions& options);

// Overrides setting every target's parameter to `values`.
std::vector<Override> parameter_overrides(const Targets& targets,
                                          const std::vector<double>& values);

}  // namespace ccgrisk
