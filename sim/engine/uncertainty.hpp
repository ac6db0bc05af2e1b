// Two-dimensional Monte Carlo: outer samples of the uncertain parameters
// ([uncertainty]), each run with the scenario's trials and seed (common
// random numbers across the samples), and what the spread of their results
// says: P(red) intervals from parameter uncertainty, the epistemic share of
// the variance of the count in the red, and which parameter matters most.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/results.hpp"
#include "engine/scenario_runs.hpp"
#include "input/uncertainty.hpp"

namespace ccgrisk {

struct UncertaintyResult {
  int samples = 0;
  int n = 0;            // CCGs
  std::string sampler;  // kSamplerNames
  std::uint64_t seed = 0;
  std::vector<std::string> keys, distributions, sources;  // per parameter
  std::vector<double> values;                             // [samples x parameters]
  // Per sample: each CCG's P(red) before and after risk sharing [samples x
  // n], and the nation's expected count in the red and its variance given
  // the parameters.
  std::vector<double> p_red, p_red_pooled;
  std::vector<double> expected_red, expected_red_pooled, count_red_variance;
  // Over the samples (quantiles interpolated between order statistics).
  std::vector<double> p_red_mean, p_red_q05, p_red_q50, p_red_q95;  // [n]
  std::vector<double> p_red_pooled_q05, p_red_pooled_q95;           // [n]
  double expected_red_mean = 0.0, expected_red_q05 = 0.0, expected_red_q50 = 0.0,
         expected_red_q95 = 0.0;
  // Var over samples of E[count | parameters] (less its Monte Carlo part)
  // as a share of the count's whole variance (that plus the mean of
  // Var(count | parameters)).
  double epistemic_share = 0.0;
  // Per parameter, against the nation's expected count in the red: the
  // Spearman rank correlation, and the first-order (variance-based) index
  // estimated from the samples by binning (NaN from Sobol points:
  // OuterSampler).
  std::vector<double> rank_correlation, first_order;
  int runs = 0;          // the scenario as given and every sample
  double seconds = 0.0;  // their wall time
};

// Median of `values` (mean of the middle two for an even count); 0 if empty.
double median(std::vector<double> values);

// Quantile at `level` of `x` (sorted or not): linear between order
// statistics, position level x (size - 1).
double sample_quantile(std::vector<double> x, double level);

// Spearman's rank correlation of x and y (ties take their mean rank).
double rank_correlation(const std::vector<double>& x, const std::vector<double>& y);

// The first-order sensitivity index Var(E[y | x]) / Var(y), estimated by
// sorting the samples by x into b = floor(sqrt(size)) bins of (nearly)
// equal counts: the between-bin share of y's variance, less its average
// when y's order is unrelated to x's, (b - 1) / (size - 1), scaled back to
// [0, 1] and clamped there; 0 when y does not vary. For independent
// samples of the keys (random or Latin hypercube).
double first_order_index(const std::vector<double>& x, const std::vector<double>& y);

// Checks every sample's scenario (before any run), then runs the scenario
// as given (complete results into `base`) and every outer sample together
// (run_together) and summarises them. Throws InputError naming the sample
// and key when a sampled value is not a valid scenario value.
UncertaintyResult run_uncertainty(ScenarioRuns& runs, const UncertaintySpec& spec, Results& base);

}  // namespace ccgrisk
