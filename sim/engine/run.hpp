// The parallel engine: trials in blocks across threads, exact aggregation.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/accumulator.hpp"
#include "engine/results.hpp"
#include "input/ccg_table.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"

namespace ccgrisk {

struct RunOptions {
  int threads = 0;                   // 0 = every hardware thread
  std::int64_t block_trials = 1024;  // trials per parallel task; results never depend on it
  std::atomic<std::int64_t>* trials_done = nullptr;  // progress counter, if wanted
};

// Simulates trials [0, trials) of `model` with master seed `seed` and returns
// their merged tallies. Serial equivalent:
//   Accumulator acc(layout); TrialState s(model);
//   for (t = 0; t < trials; ++t) { simulate_trial(model, seed, t, s); acc.add(s); }
// Blocks of `block_trials` trials run in parallel, each thread adding into
// its own accumulator; the accumulators' exact integer tallies are then
// merged, so the result is bit-identical for any thread count or block size.
Accumulator simulate(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                     std::int64_t trials, const RunOptions& options);

// Adds trials [first, last) into `into`, as simulate does (first even when
// the model is antithetic).
void simulate_range(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                    std::int64_t first, std::int64_t last, const RunOptions& options,
                    Accumulator& into);

// The thread count a run with `requested` threads (0 = all) will use.
int resolve_threads(int requested);

// A whole run: builds the model, simulates scenario.run.trials trials with
// scenario.run.seed (or, with run.target_se > 0, rounds of trials until the
// target is met), and returns the finished results with provenance.
Results run_scenario(const Scenario& scenario, const CcgTable& table, const RunOptions& options);

// Runs several scenarios that differ only in parameters (one table, seed and
// trial count; no run.target_se) in one pass over the trials: the random
// numbers of a trial are drawn once, and the latent factors computed once
// for every scenario whose correlation structure is the same, then each
// scenario's own steps follow, tallied as kinds[p] says. Each result's
// statistics are bit-identical to run_scenario's for that scenario (for a
// kCounts point, those it keeps: see Tallies); wall_seconds is the pass's
// time shared equally. Scenarios that cannot share a pass are run one by
// one, in full.
std::vector<Results> run_points(const std::vector<Scenario>& scenarios, const CcgTable& table,
                                const RunOptions& options, const std::vector<Tallies>& kinds);

}  // namespace ccgrisk
