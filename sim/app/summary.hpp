// The run summary printed on stdout.
#pragma once

#include <ostream>

#include "engine/results.hpp"

namespace ccgrisk {

// Prints trials, wall time, throughput, the expected number of CCGs in the
// red with its 5-95% range, P(sector in deficit), the 15 CCGs most likely to
// be in the red and the expected count by region, before and after pooling.
void print_summary(const Results& results, std::ostream& out);

}  // namespace ccgrisk
