// The run summary printed on stdout.
#pragma once

#include <ostream>
#include <vector>

#include "engine/results.hpp"
#include "engine/uncertainty.hpp"

namespace ccgrisk {

// Prints trials, wall time, throughput, the expected number of CCGs in the
// red with its 5-95% range, P(sector in deficit), the 15 CCGs most likely to
// be in the red and the expected count by region, before and after pooling.
void print_summary(const Results& results, std::ostream& out);

// Prints a run of several years: the first year's summary as print_summary
// prints it, then per year the expected number of CCGs in the red (before
// and after pooling), P(sector in deficit), the national outturn and
// recurrent position; the expected number in the red in any year; and the
// 15 CCGs most likely to be in the red in any year, with their chance each
// year, every year and their first year in the red.
// `years`: every year of the run, in order, each with Results::horizon.
void print_horizon_summary(const std::vector<Results>& years, std::ostream& out);

// Prints a run's parameter uncertainty: the expected number in the red over
// the outer samples (5-95%) beside its Monte Carlo error, the epistemic
// share of the count's variance, each parameter's importance, and the 15
// CCGs most likely in the red with both intervals.
void print_uncertainty(const UncertaintyResult& u, const Results& base, std::ostream& out);

}  // namespace ccgrisk
