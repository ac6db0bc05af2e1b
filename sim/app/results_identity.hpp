// Bit-for-bit comparison of two runs' results (ccgrisk bench checks that
// every thread count gives the same bits).
#pragma once

#include <string>
#include <vector>

#include "engine/results.hpp"

namespace ccgrisk {

// The statistics in which `a` and `b` differ, by name ("before.p_red",
// "regions[2].count_red_pmf", "attribution.es_contribution_k", ...); empty
// when they are bit-identical. Compared: every CcgStats vector before and
// after risk sharing, every group's (national, regions, area teams, pools)
// pmfs, expectations, quantiles, means and probabilities, the hubs and
// NHS England's specialised total, and the risk attribution. Floating-point
// values are compared by their bits, so NaN equals NaN and 0.0 differs
// from -0.0. Provenance (wall time, thread count, date) is not compared.
std::vector<std::string> results_differences(const Results& a, const Results& b);

}  // namespace ccgrisk
