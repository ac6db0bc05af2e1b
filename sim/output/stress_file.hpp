// The stress-testing groups of a results file: /sweep, /breakeven and
// /reverse_stress, written through write_results_file's `extra` hook next
// to the full results of the scenario as given.
#pragma once

#include <string>
#include <vector>

#include "engine/breakeven.hpp"
#include "engine/reverse_stress.hpp"
#include "engine/sweep.hpp"
#include "engine/uncertainty.hpp"
#include "output/hdf5.hpp"

namespace ccgrisk {

// /sweep: the parameter, its values and, per value, P(red) per CCG, the
// national count in the red (expected, 5% and 95%) and the expected count
// by region, before and after risk sharing.
void write_sweep_group(const h5::File& file, const SweepResult& sweep, int runs,
                       double wall_seconds);

// /breakeven: per CCG the value at which its P(red) crosses p, with a
// status (0 crosses, 1 never, 2 always, 3 not monotone), and the
// system-wide value for --max-red; the grid and the cost (as every stress
// group's: the command's runs, the scenario as given included, and seconds).
void write_breakeven_group(const h5::File& file, const BreakevenResult& breakeven, int runs,
                           double wall_seconds);

// /reverse_stress: per direction the smallest shock reaching K CCGs in the
// red in expectation, the shock vector, the CCGs that tip first.
void write_reverse_stress_group(const h5::File& file, const ReverseStressResult& stress,
                                const std::vector<std::string>& codes, int runs,
                                double wall_seconds);

// /uncertainty: the uncertain parameters and their sampled values, per
// outer sample each CCG's P(red) and the nation's expected count in the
// red, the intervals over the samples, the epistemic share of the count's
// variance and each parameter's importance (docs/results-format.md).
void write_uncertainty_group(const h5::File& file, const UncertaintyResult& u);

}  // namespace ccgrisk
