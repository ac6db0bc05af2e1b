// From exact tallies to reported statistics (the estimators of a run).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/accumulator.hpp"
#include "engine/results.hpp"
#include "model/model.hpp"

namespace ccgrisk {

// Bins of the per-CCG surplus histogram written to the results file.
inline constexpr int kReportBins = 64;

// Quantile at `level` in (0, 1] of a series of `n` values, in pounds:
// the value at rank h = level n of the empirical distribution, linearly
// interpolated inside the histogram bin holding that rank, where each bin
// is first narrowed to the observed [min, max] (so a constant series gives
// its value exactly). Error at most one bin width.
double series_quantile(const Series& s, const HistogramRange& range, std::int64_t n, double level);

// Expected shortfall: mean of the worst `level` share (m = level n values)
// of the series, in pounds. Whole bins below rank m contribute their exact
// sums for under/overflow and count x mid-point (narrowed as above) for the
// others; the bin straddling rank m contributes pro rata.
double series_shortfall(const Series& s, const HistogramRange& range, std::int64_t n, double level);

// Mean and sample sd (divisor n - 1; 0 for n = 1) in pounds.
double series_mean(const Series& s, const HistogramRange& range, std::int64_t n);
double series_sd(const Series& s, std::int64_t n);

// P(exactly k) from counts of trials, padded with zeros to `length`.
std::vector<double> count_pmf(const std::vector<std::int64_t>& counts, std::int64_t n,
                              std::size_t length);

// Mean and sd of a count's distribution.
double pmf_mean(const std::vector<double>& pmf);
double pmf_sd(const std::vector<double>& pmf);

// Smallest k with P(count <= k) >= level.
double pmf_quantile(const std::vector<double>& pmf, double level);

// Standard error of CCG i's P(red) in `phase`: sqrt(p (1 - p) / N), or,
// with antithetic pairs, sqrt(var(pair means) / pairs).
double p_red_se(const Model& model, const Accumulator& acc, int phase, int i);

// The 95% Wilson score interval's half-width divided by 1.96: close to
// sqrt(p (1 - p) / n) in the middle, about 1 / n (not 0) at p = 0 or 1.
double wilson_se(double p, std::int64_t n);

// Largest max(p_red_se, wilson_se) over CCGs, before and after sharing.
double worst_p_red_se(const Model& model, const Accumulator& acc);

// Fills every statistic of `results` (not its identity or provenance); from
// a Tallies::kCounts accumulator, those it keeps (per CCG: p_red, p_red_se,
// p_red_variance_ratio, surplus_mean_k and surplus_sd_k, the other arrays
// left empty; groups and hubs: every statistic but the quantiles of totals
// and overspends, which are then meaningless).
void finalize_statistics(const Model& model, const Accumulator& acc, Results& results);

// Fills the CCG identity and plan columns of `results` from the model.
void fill_identity(const Model& model, Results& results);

}  // namespace ccgrisk
