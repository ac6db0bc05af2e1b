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
  int passes = 0;  // passes over the trials (the evaluations of a round share one)
  int sweeps = 0;
  Results results;  // the run at the fitted parameters
};

// Moves each target's parameter within [lower, upper] until every target is
// met: Jacobi sweeps over the parameters, each a bracketed Illinois
// (modified regula falsi) solve of measure(x) = value with the others held
// at the sweep's starting values; the keys' searches advance together, each
// round's evaluations in one pass over the trials (run_points), and the
// sweep ends with a complete run at the new values.
// Every evaluation runs targets.trials trials with the scenario's seed, so
// the objective is a deterministic function of the parameters (common
// random numbers) and the whole fit is reproducible. A sweep ends the fit
// when every |measured - value| <= 0.05 tolerance (or 1e-9 for tolerance 0).
// Throws InputError if a parameter cannot reach its target inside its
// bounds (the message gives the values at both bounds).
CalibrationOutcome calibrate(const std::filesystem::path& scenario_path,
                             const std::vector<Override>& base, const Targets& targets,
                             const RunOptions& options);

// Overrides setting every target's parameter to `values`.
std::vector<Override> parameter_overrides(const Targets& targets,
                                          const std::vector<double>& values);

}  // namespace ccgrisk
