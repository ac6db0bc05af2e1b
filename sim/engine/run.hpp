// The parallel engine: trials in blocks across threads, exact aggregation.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/accumulator.hpp"
#include "engine/comm.hpp"
#include "engine/results.hpp"
#include "input/ccg_table.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"

namespace ccgrisk {

// One pass over the trials, for checkpoints: a hash of what it computes
// (its points' scenarios and tallies, the seed and trials) and each point's
// tallies (Accumulator::serialize). A run_scenario is one pass of one
// point; a run_points call (the many-point commands, [uncertainty]) is one
// pass of its points.
struct PassState {
  std::uint64_t identity = 0;
  std::vector<std::vector<std::uint64_t>> tallies;  // [points]
};

// Where a run stands: the passes it has finished, in order, and the pass in
// progress: the job's tallies of its trials [0, done) and the end of its
// round in progress (the run's trials, or with run.target_se the last trial
// of the current round).
struct RunState {
  std::vector<PassState> finished;
  PassState current;
  std::int64_t done = 0;
  std::int64_t round_end = 0;
};

// Checkpoints of a run (docs/scale-out.md). The trials of each pass then run
// in chunks of a few blocks per thread and rank; after a chunk, if
// `every_seconds` have passed since the last save (0: after every chunk),
// the ranks' tallies are combined and `save` is called on rank 0 with the
// state reached. On SIGINT/SIGTERM (RunOptions::stop) the chunk in flight
// is dropped, the state after the last whole chunk saved, and Interrupted
// thrown. `resume`: passes it finished are taken from it (their identities
// must match), the pass it was in continues from its position; the results
// are those of a run that was never stopped, bit for bit.
struct Checkpointing {
  double every_seconds = 60.0;
  std::function<void(const RunState&)> save;  // may be empty (resume only)
  std::optional<RunState> resume;
  std::string resume_label;         // names the resumed checkpoint in messages
  std::vector<PassState> finished;  // the engine's record of this run's passes
};

struct RunOptions {
  int threads = 0;                   // 0 = every hardware thread (of this rank)
  std::int64_t block_trials = 1024;  // trials per parallel task; results never depend on it
  // Progress counter, if wanted: trials done by the job (this rank's share
  // times the ranks, between the points where the ranks combine tallies).
  std::atomic<std::int64_t>* trials_done = nullptr;
  // The processes sharing the trials; nullptr: Comm::world() (this process
  // alone unless launched by mpirun or srun).
  const Comm* comm = nullptr;
  // Set to a signal number when the run should stop (with checkpoints).
  const std::atomic<int>* stop = nullptr;
  Checkpointing* checkpoint = nullptr;  // run_scenario and run_points
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
// the model is antithetic). Under MPI (options.comm of several ranks) each
// rank tallies one contiguous range of the blocks and every rank adds the
// job's combined tallies.
void simulate_range(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                    std::int64_t first, std::int64_t last, const RunOptions& options,
                    Accumulator& into);

// The time now, UTC, as ISO 8601 ("2026-11-23T15:08:00Z"): a results file's
// and a checkpoint's created_utc.
std::string utc_now();

// The thread count a run with `requested` threads (0 = all) will use.
int resolve_threads(int requested);

// A whole run: builds the model, simulates scenario.run.trials trials with
// scenario.run.seed (or, with run.target_se > 0, rounds of trials until the
// target is met), and returns the finished results with provenance.
Results run_scenario(const Scenario& scenario, const CcgTable& table, const RunOptions& options);

// A run of several years (scenario.horizon.years > 1; docs/model.md "Several
// years"): every year of every trial in one pass, the points of
// model/horizon.hpp tallied (each year's outturn in full, cumulative and
// underlying outturns with their histograms, the red-by and red-every
// outcomes' counts). Checkpoints and MPI as run_scenario. Throws InputError
// for run.target_se (a fixed number of trials only) and for what
// year_scenarios and build_horizon refuse.
HorizonResults run_horizon(const Scenario& scenario, const CcgTable& table,
                           const RunOptions& options);

// Runs several scenarios that differ only in parameters (one table, seed and
// trial count; no run.target_se) in one pass over the trials: the random
// numbers of a trial are drawn once, and the latent factors computed once
// for every scenario whose correlation structure is the same, then each
// scenario's own steps follow, tallied as kinds[p] says. Each result's
// statistics are bit-identical to run_scenario's for that scenario (for a
// kCounts point, those it keeps: see Tallies); wall_seconds is the pass's
// time shared equally. The kCounts points tally only the groups
// `counts_groups` names (with_groups; their Results have only those).
// Scenarios that cannot share a pass are run one by one, in full.
std::vector<Results> run_points(const std::vector<Scenario>& scenarios, const CcgTable& table,
                                const RunOptions& options, const std::vector<Tallies>& kinds,
                                GroupLevels counts_groups = GroupLevels::kAll);

}  // namespace ccgrisk
