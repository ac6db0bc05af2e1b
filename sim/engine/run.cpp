#include "engine/run.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <unistd.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>

#include "engine/finalize.hpp"
#include "engine/git_sha.hpp"
#include "input/error.hpp"
#include "input/horizon.hpp"
#include "input/sha256.hpp"
#include "model/horizon.hpp"
#include "model/random.hpp"
#include "model/trial.hpp"

namespace ccgrisk {

namespace {

// One thread's working memory and tallies: a trial state and an
// accumulator per point (one point for an ordinary run).
struct Worker {
  Worker(const std::vector<const Model*>& models, const std::vector<const StatsLayout*>& layouts,
         const std::vector<Tallies>& kinds) {
    for (std::size_t p = 0; p < models.size(); ++p) {
      state.emplace_back(*models[p]);
      tally.emplace_back(*layouts[p], kinds[p]);
    }
  }
  std::vector<TrialState> state;
  std::vector<Accumulator> tally;
};

// About how many bytes one worker's tallies and trial state take: each CCG
// and group has a histogram series per phase, each CCG a row of the
// attribution table by national bin, a column of pending bins (PendingBins)
// per phase, and a few hundred bytes of sums and trial state
// (accumulator.hpp, trial.hpp).
std::size_t worker_bytes(const StatsLayout& l, Tallies kind) {
  constexpr std::size_t kSeries = sizeof(Series) +
                                  (kFineBins + 2) * (sizeof(std::int64_t) + sizeof(std::uint16_t)) +
                                  PendingBins::kRows * sizeof(std::uint16_t);
  const std::size_t kPerCcg =
      kind == Tallies::kCounts
          ? kPhases * (sizeof(CcgTally) + 128) + 1024
          : kPhases * (kSeries + sizeof(CcgTally) + 128) + kCoarseBins * sizeof(Wide) + 1024;
  std::size_t counts = 0;
  for (const int size : l.group_size)
    counts += 2 * (static_cast<std::size_t>(size) + 1) * sizeof(std::int64_t);
  return l.ccg_range.size() * kPerCcg + kPhases * (l.group_size.size() * kSeries + counts);
}

// Refuses a run whose workers would not fit in the machine's memory (too
// many threads for a large table), before any is made.
void check_memory(const std::vector<const StatsLayout*>& layouts, const std::vector<Tallies>& kinds,
                  std::int64_t workers) {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return;
  const double machine = static_cast<double>(pages) * static_cast<double>(page);
  double each = 0.0;
  for (std::size_t p = 0; p < layouts.size(); ++p)
    each += static_cast<double>(worker_bytes(*layouts[p], kinds[p]));
  const StatsLayout& layout = *layouts.front();
  const double need = static_cast<double>(workers + 1) * each;  // + the merged total
  if (need <= 0.8 * machine) return;
  char text[320];
  std::snprintf(text, sizeof text,
                "this run would need about %.1f GB of memory (%lld threads x %.0f MB for %zu "
                "CCGs); this machine has %.1f GB: use fewer threads (--threads) or a smaller "
                "table",
                need / 1e9, static_cast<long long>(workers), each / 1e6, layout.ccg_range.size(),
                machine / 1e9);
  throw InputError(text);
}

}  // namespace

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int resolve_threads(int requested) {
  return requested > 0 ? requested : tbb::info::default_concurrency();
}

namespace {

const Comm& comm_of(const RunOptions& options) {
  return options.comm ? *options.comm : Comm::world();
}

// Trials per block: antithetic pairs (2j, 2j+1) must not straddle blocks.
std::int64_t block_size(const Model& model, const RunOptions& options) {
  std::int64_t block = std::max<std::int64_t>(1, options.block_trials);
  if (model.antithetic) block += block % 2;
  return block;
}

bool stop_requested(const RunOptions& options) {
  return options.stop && options.stop->load(std::memory_order_relaxed) != 0;
}

// This rank's share of trials [first, last) of every point, in blocks
// across threads; each point's tallies merged into into[p]. Point p takes
// its draws from the first point with the same draws (same_draws), so that
// work is done once a trial; every point's tallies are those of its own
// single run. Returns false, merging nothing, when options.stop was set
// before every block was done.
bool simulate_share(const std::vector<const Model*>& models,
                    const std::vector<const StatsLayout*>& layouts,
                    const std::vector<Tallies>& kinds, const HorizonModel* horizon,
                    std::uint64_t seed, std::int64_t first, std::int64_t last,
                    const RunOptions& options, std::vector<Accumulator*> into) {
  const std::size_t points = models.size();
  std::vector<std::size_t> source(points);
  for (std::size_t p = 0; p < points; ++p) {
    source[p] = p;
    for (std::size_t q = 0; q < p; ++q) {
      if (source[q] == q && same_draws(*models[q], *models[p])) {
        source[p] = q;
        break;
      }
    }
  }
  // A counts point whose settlement differs from its source's only in the
  // CIP delivery reuses the source's other parts (finish_trial).
  std::vector<Settlement> settlement(points, Settlement::kCompute);
  for (std::size_t p = 0; p < points; ++p) {
    const std::size_t q = source[p];
    if (q != p && kinds[p] == Tallies::kCounts && same_settlement(*models[q], *models[p])) {
      settlement[p] = Settlement::kReuse;
      settlement[q] = Settlement::kKeep;
    }
  }
  const Model& model = *models.front();
  const std::int64_t block = block_size(model, options);
  const std::int64_t trials = last - first;
  const Comm& comm = comm_of(options);
  // Named variables, not a structured binding: the lambda below uses them
  // (C++20 allows capturing bindings, clang 14 does not).
  const auto share = comm.share(trials / block + (trials % block != 0));
  const std::int64_t begin_block = share.first, end_block = share.second;
  const std::int64_t blocks = end_block - begin_block;
  if (blocks <= 0) return !stop_requested(options);
  const int threads = resolve_threads(options.threads);
  check_memory(layouts, kinds, std::min<std::int64_t>(threads, blocks));
  tbb::enumerable_thread_specific<Worker> workers([&] { return Worker(models, layouts, kinds); });
  // Allows more threads than cores when asked (oneTBB caps workers at the
  // core count otherwise); the arena then runs exactly `threads`.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism,
                            std::max<std::size_t>(threads, tbb::info::default_concurrency()));
  tbb::task_arena arena(threads);
  std::atomic<bool> stopped{false};
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::int64_t>(begin_block, end_block, 1), [&](const auto& range) {
          Worker& w = workers.local();
          for (std::int64_t b = range.begin(); b < range.end(); ++b) {
            if (stop_requested(options)) {
              stopped = true;
              return;
            }
            const std::int64_t begin = first + b * block, end = std::min(last, begin + block);
            for (std::int64_t t = begin; t < end; ++t) {
              const bool second = model.antithetic && (t & 1);
              if (horizon) {
                simulate_horizon_trial(*horizon, seed, t, w.state);
                for (std::size_t p = 0; p < points; ++p)
                  w.tally[p].add(w.state[p], second);
                continue;
              }
              for (std::size_t p = 0; p < points; ++p) {
                if (source[p] == p) draw_trial(*models[p], seed, t, w.state[p]);
                finish_trial(*models[p], w.state[source[p]], w.state[p],
                             kinds[p] != Tallies::kCounts, settlement[p]);
                w.tally[p].add(w.state[p], second);
              }
            }
            if (options.trials_done) *options.trials_done += (end - begin) * comm.size();
          }
        });
  });
  if (stopped) return false;
  for (const Worker& w : workers)
    for (std::size_t p = 0; p < points; ++p)
      into[p]->merge(w.tally[p]);
  return true;
}

// What every rank of a step must agree it is computing.
std::uint64_t step_identity(const std::vector<const StatsLayout*>& layouts, std::uint64_t seed,
                            std::int64_t first, std::int64_t last) {
  std::uint64_t h = seed ^ 0x9e3779b97f4a7c15ull;
  auto mix = [&h](std::uint64_t x) { h = (h ^ x) * 0x100000001b3ull + (h >> 29); };
  mix(static_cast<std::uint64_t>(first));
  mix(static_cast<std::uint64_t>(last));
  for (const StatsLayout* l : layouts)
    mix(tally_fingerprint(*l));
  return h;
}

// Adds every rank's `local[p]` into total[p] on every rank: the serialized
// tallies combined across ranks (Comm::allreduce_tallies), so every rank
// ends with the job's tallies. `local` is emptied. The ranks agree that
// every one serialized its tallies before any sends them, so that no rank
// can fail between two collectives.
void combine_ranks(const Comm& comm, std::vector<Accumulator>& local,
                   const std::vector<Accumulator*>& total) {
  std::vector<std::vector<std::uint64_t>> words(local.size());
  if (comm.size() > 1) {
    comm.guarded([&] {
      for (std::size_t p = 0; p < local.size(); ++p)
        words[p] = local[p].serialize();
    });
  }
  for (std::size_t p = 0; p < local.size(); ++p) {
    if (comm.size() == 1) {
      total[p]->merge(local[p]);
    } else {
      comm.allreduce_tallies(words[p]);
      // The same words on every rank: an error here is every rank's.
      total[p]->merge(Accumulator::deserialize(total[p]->layout(), total[p]->kind(), words[p]));
    }
    local[p] = Accumulator(local[p].layout(), local[p].kind());
  }
}

// Trials [first, last) of every point, shared among the job's ranks; every
// rank's into[p] gains the job's tallies of those trials.
void simulate_points(const std::vector<const Model*>& models,
                     const std::vector<const StatsLayout*>& layouts,
                     const std::vector<Tallies>& kinds, const HorizonModel* horizon,
                     std::uint64_t seed, std::int64_t first, std::int64_t last,
                     const RunOptions& options, std::vector<Accumulator*> into) {
  const Comm& comm = comm_of(options);
  if (comm.size() == 1) {
    simulate_share(models, layouts, kinds, horizon, seed, first, last, options, into);
    return;
  }
  std::vector<Accumulator> local;
  std::vector<Accumulator*> local_of;
  local.reserve(models.size());
  for (std::size_t p = 0; p < models.size(); ++p)
    local.emplace_back(*layouts[p], kinds[p]);
  for (Accumulator& a : local)
    local_of.push_back(&a);
  comm.guarded(
      [&] {
        simulate_share(models, layouts, kinds, horizon, seed, first, last, options, local_of);
      },
      step_identity(layouts, seed, first, last));
  combine_ranks(comm, local, into);
}

}  // namespace

void simulate_range(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                    std::int64_t first, std::int64_t last, const RunOptions& options,
                    Accumulator& into) {
  simulate_points({&model}, {&layout}, {into.kind()}, nullptr, seed, first, last, options, {&into});
}

Accumulator simulate(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                     std::int64_t trials, const RunOptions& options) {
  Accumulator total(layout);
  simulate_range(model, layout, seed, 0, trials, options, total);
  return total;
}

namespace {

// Precision on demand: adds rounds of trials until every CCG's P(red)
// standard error (before and after sharing) is at most run.target_se, or
// run.max_trials. Each round's size depends only on the exact tallies so
// far, never on threads: [0, R), then up to the estimated need, rounded up
// to a multiple of R = kSeRound, at least one more round.
constexpr std::int64_t kSeRound = 10000;

std::int64_t next_round_end(std::int64_t done, double worst, double target, std::int64_t cap) {
  const double need = static_cast<double>(done) * (worst / target) * (worst / target);
  std::int64_t next = static_cast<std::int64_t>(std::ceil(need / kSeRound)) * kSeRound;
  next = std::max(next, done + kSeRound);
  return std::min(next, cap);
}

// Blocks per thread and rank in a chunk of a checkpointed run: enough to
// keep every thread busy, few enough that a chunk takes a second or so.
constexpr std::int64_t kChunkBlocksPerThread = 4;

std::int64_t chunk_trials(const Model& model, const RunOptions& options, const Comm& comm) {
  return block_size(model, options) * kChunkBlocksPerThread * resolve_threads(options.threads) *
         comm.size();
}

// One pass over the trials: its points, and what it computes.
struct Pass {
  std::vector<const Model*> models;
  std::vector<const StatsLayout*> layouts;
  std::vector<Tallies> kinds;
  std::uint64_t seed = 0;
  std::uint64_t identity = 0;
  // A run of several years: its points are horizon_points (model/horizon.hpp).
  const HorizonModel* horizon = nullptr;
};

// A hash of what a pass computes: the seed and trials, and each point's
// tallies' kind and layout and its scenario (the SHA-256 of its effective
// TOML: file, overrides and the point's own values).
std::uint64_t pass_identity(const std::vector<const Scenario*>& scenarios,
                            const std::vector<const StatsLayout*>& layouts,
                            const std::vector<Tallies>& kinds) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](std::uint64_t x) {
    h ^= x;
    h *= 0x100000001b3ull;
    h ^= h >> 31;
  };
  const RunSettings& run = scenarios.front()->run;
  mix(run.seed);
  mix(static_cast<std::uint64_t>(run.trials));
  mix(static_cast<std::uint64_t>(run.max_trials));
  mix(std::bit_cast<std::uint64_t>(run.target_se));
  for (std::size_t p = 0; p < scenarios.size(); ++p) {
    mix(static_cast<std::uint64_t>(kinds[p]) + 1);
    mix(tally_fingerprint(*layouts[p]));
    mix(std::stoull(sha256_hex(scenarios[p]->effective_toml).substr(0, 16), nullptr, 16));
  }
  return h;
}

std::vector<std::vector<std::uint64_t>> serialized(const std::vector<Accumulator*>& tallies) {
  std::vector<std::vector<std::uint64_t>> out;
  for (const Accumulator* a : tallies)
    out.push_back(a->serialize());
  return out;
}

// Where a pass starts when resuming: a pass the checkpoint finished is taken
// from it whole (finished), the pass it was in continues from its position,
// a later pass starts at trial 0 (no tallies).
struct PassStart {
  bool finished = false;
  std::int64_t done = 0;
  std::optional<std::int64_t> round_end;
  std::vector<Accumulator> tallies;
};

PassStart begin_pass(const Checkpointing* cp, const Pass& pass, std::int64_t cap) {
  PassStart start;
  if (!cp || !cp->resume) return start;
  const RunState& r = *cp->resume;
  const std::size_t k = cp->finished.size();
  const PassState* saved = k < r.finished.size()    ? &r.finished[k]
                           : k == r.finished.size() ? &r.current
                                                    : nullptr;
  if (!saved) return start;
  const std::string who = "checkpoint " + cp->resume_label;
  if (saved->identity != pass.identity || saved->tallies.size() != pass.models.size())
    throw InputError(who + ": pass " + std::to_string(k + 1) +
                     " over the trials is not this run's (other points, values or options)");
  for (std::size_t p = 0; p < saved->tallies.size(); ++p) {
    try {
      start.tallies.push_back(
          Accumulator::deserialize(*pass.layouts[p], pass.kinds[p], saved->tallies[p]));
    } catch (const std::invalid_argument& e) {
      throw InputError(who + ": its tallies do not fit this run: " + e.what());
    }
  }
  start.finished = k < r.finished.size();
  if (start.finished) return start;
  if (r.done < 0 || r.done > r.round_end || r.round_end > cap)
    throw InputError(who + ": its position (" + std::to_string(r.done) + " of " +
                     std::to_string(r.round_end) + " trials) does not fit this run (" +
                     std::to_string(cap) + " trials)");
  for (const Accumulator& a : start.tallies)
    if (a.trials() != r.done)
      throw InputError(who + ": it holds " + std::to_string(a.trials()) +
                       " trials' tallies but says " + std::to_string(r.done) + " were done");
  start.done = r.done;
  start.round_end = r.round_end;
  return start;
}

// Records a finished pass, for the checkpoints of the passes after it.
void finish_pass(Checkpointing* cp, const Pass& pass, const std::vector<Accumulator*>& totals) {
  if (cp) cp->finished.push_back({pass.identity, serialized(totals)});
}

// Trials [done, round_end) of every point of `pass` added to totals[p] on
// every rank: in one step, or with checkpoints or a stop flag in chunks
// (Checkpointing).
void advance(const Pass& pass, const RunOptions& options, std::int64_t& done,
             std::int64_t round_end, const std::vector<Accumulator*>& totals) {
  const Comm& comm = comm_of(options);
  Checkpointing* cp = options.checkpoint;
  if (!cp && !options.stop) {
    simulate_points(pass.models, pass.layouts, pass.kinds, pass.horizon, pass.seed, done, round_end,
                    options, totals);
    done = round_end;
    return;
  }
  using Clock = std::chrono::steady_clock;
  auto last_save = Clock::now();
  const std::int64_t chunk = chunk_trials(*pass.models.front(), options, comm);
  const std::size_t points = pass.models.size();
  // This rank's tallies since the ranks last combined them, and of the chunk.
  std::vector<Accumulator> local, part;
  for (std::size_t p = 0; p < points; ++p)
    local.emplace_back(*pass.layouts[p], pass.kinds[p]);
  while (true) {
    const std::int64_t end = std::min(round_end, done + chunk);
    part.clear();
    std::vector<Accumulator*> part_of;
    for (std::size_t p = 0; p < points; ++p)
      part.emplace_back(*pass.layouts[p], pass.kinds[p]);
    for (Accumulator& a : part)
      part_of.push_back(&a);
    const std::int64_t counted = options.trials_done ? options.trials_done->load() : 0;
    Comm::State mine;
    mine.identity = step_identity(pass.layouts, pass.seed, done, end) ^ pass.identity;
    try {
      simulate_share(pass.models, pass.layouts, pass.kinds, pass.horizon, pass.seed, done, end,
                     options, part_of);
    } catch (...) {
      mine.error = std::current_exception();
    }
    if (options.stop) mine.signal = options.stop->load();
    mine.request =
        cp && cp->save && comm.rank() == 0 &&
        std::chrono::duration<double>(Clock::now() - last_save).count() >= cp->every_seconds;
    const Comm::Agreed agreed = comm.agree(mine);
    std::int64_t progress = 0;
    if (agreed.signal == 0) {  // a stopped chunk is dropped on every rank
      for (std::size_t p = 0; p < points; ++p)
        local[p].merge(part[p]);
      progress = end - done;
      done = end;
    }
    if (options.trials_done) *options.trials_done = counted + progress;
    const bool save = cp && cp->save && (agreed.signal != 0 || agreed.request);
    if (save || done == round_end) combine_ranks(comm, local, totals);
    if (save) {
      comm.guarded([&] {
        if (comm.rank() == 0)
          cp->save(RunState{cp->finished, {pass.identity, serialized(totals)}, done, round_end});
      });
      last_save = Clock::now();
    }
    if (agreed.signal != 0) throw Interrupted(agreed.signal, done);
    if (done == round_end) return;
  }
}

// A run_scenario's trials: one pass of one point, in rounds with
// run.target_se.
Accumulator simulate_to_precision(const Scenario& scenario, const Model& model,
                                  const StatsLayout& layout, const RunOptions& options) {
  const RunSettings& run = scenario.run;
  Pass pass{{&model}, {&layout}, {Tallies::kFull}, run.seed, 0};
  pass.identity = pass_identity({&scenario}, pass.layouts, pass.kinds);
  const std::int64_t cap = run.target_se > 0.0 ? run.max_trials : run.trials;
  PassStart start = begin_pass(options.checkpoint, pass, cap);
  Accumulator tally(layout);
  if (!start.tallies.empty()) tally = std::move(start.tallies.front());
  std::vector<Accumulator*> totals{&tally};
  if (start.finished) {
    finish_pass(options.checkpoint, pass, totals);
    return tally;
  }
  std::int64_t done = start.done;
  std::int64_t round_end =
      start.round_end.value_or(run.target_se > 0.0 ? std::min(run.max_trials, kSeRound) : cap);
  if (options.trials_done) *options.trials_done += done;
  while (true) {
    advance(pass, options, done, round_end, totals);
    if (run.target_se > 0.0) {
      const double worst = worst_p_red_se(model, tally);
      if (worst > run.target_se && done < run.max_trials) {
        round_end = next_round_end(done, worst, run.target_se, run.max_trials);
        continue;
      }
    }
    finish_pass(options.checkpoint, pass, totals);
    return tally;
  }
}

}  // namespace

namespace {

// Finished statistics and provenance of a run of `scenario`.
Results make_results(const Scenario& scenario, const CcgTable& table, const Model& model,
                     const Accumulator& tally, const RunOptions& options, double seconds) {
  Results results;
  fill_identity(model, results);
  finalize_statistics(model, tally, results);
  Provenance& p = results.provenance;
  p.tool_version = CCGRISK_VERSION;
  p.git_sha = kGitSha;
  p.seed = scenario.run.seed;
  p.trials = tally.trials();
  p.trials_capped = tally.capped_trials();
  p.antithetic = scenario.run.antithetic;
  p.target_se = scenario.run.target_se;
  if (p.target_se > 0.0) p.se_reached = worst_p_red_se(model, tally);
  p.threads = resolve_threads(options.threads);
  p.created_utc = utc_now();
  p.scenario_toml = scenario.text;
  p.scenario_path = scenario.path.string();
  p.ccg_table_sha256 = table.sha256;
  p.ccg_table_path = table.path.string();
  p.rng = rng_description(scenario.run.rng);
  const BetaDriver& cip = model.cip_delivery;
  p.cip_delivery_form = cip.form == BetaForm::kConcentration ? "concentration" : "mean_sd";
  p.cip_delivery_mean = cip.mean;
  p.cip_delivery_sd = cip.sd;
  p.cip_delivery_concentration = cip.concentration;
  p.cip_delivery_shape = {model.cip_transform.shape().a, model.cip_transform.shape().b};
  p.wall_seconds = seconds;
  return results;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

namespace {

// The one-year engine refuses a scenario of several years rather than
// quietly run its first year.
void check_one_year(const Scenario& s) {
  if (s.horizon.years > 1)
    throw InputError(s.path.filename().string() +
                     ": horizon.years = " + std::to_string(s.horizon.years) +
                     ": this engine runs one year (run, sweep, breakeven and reverse-stress "
                     "simulate every year; set horizon.years = 1 to use the first year)");
}

}  // namespace

Results run_scenario(const Scenario& scenario, const CcgTable& table, const RunOptions& options) {
  check_one_year(scenario);
  const auto start = std::chrono::steady_clock::now();
  const Model model = build_model(scenario, table);
  const StatsLayout layout = make_layout(model);
  const Accumulator tally = simulate_to_precision(scenario, model, layout, options);
  return make_results(scenario, table, model, tally, options, seconds_since(start));
}

namespace {

// Every trial of a pass of a fixed number of trials (resumed from a
// checkpoint where one was given): its points' tallies.
std::vector<Accumulator> run_pass(const Pass& pass, const RunOptions& options,
                                  std::int64_t trials) {
  PassStart resumed = begin_pass(options.checkpoint, pass, trials);
  std::vector<Accumulator> tallies = std::move(resumed.tallies);
  if (tallies.empty()) {
    tallies.reserve(pass.models.size());
    for (std::size_t p = 0; p < pass.models.size(); ++p)
      tallies.emplace_back(*pass.layouts[p], pass.kinds[p]);
  }
  std::vector<Accumulator*> tally_of;
  for (Accumulator& a : tallies)
    tally_of.push_back(&a);
  if (!resumed.finished) {
    std::int64_t done = resumed.done;
    if (options.trials_done) *options.trials_done += done;
    advance(pass, options, done, trials, tally_of);
  }
  finish_pass(options.checkpoint, pass, tally_of);
  return tallies;
}

// The top of a histogram's range.
double range_hi(const HistogramRange& r) {
  return r.lo_gbp + r.width_gbp * kFineBins;
}

// Layouts of a horizon's points. A later year's outturn also carries the
// earlier years' shocks (their demand levels, gaps and repayments), so its
// ranges are widened either way by each earlier year's own span (its
// +-8 spreads and reserves): at least twice the deviation an earlier year can
// carry, its spread compounded by a decade of uplifts included. Widening by
// the earlier years' widened spans instead (each carried shock counted again
// in every later year) tripled the bins' width a year, too coarse for the
// quantiles by the fifth year. A cumulative outturn's span is the sum of the
// years' widened ones; an underlying outturn's range reaches one span lower
// (the non-recurrent measures it leaves out).
std::vector<StatsLayout> horizon_layouts(const HorizonModel& h) {
  const int years = h.count();
  std::vector<StatsLayout> year;
  std::vector<std::vector<HistogramRange>> widened;
  std::vector<double> carried;  // per histogram: the earlier years' own spans
  for (int y = 0; y < years; ++y) {
    year.push_back(make_layout(h.years[y]));
    std::vector<HistogramRange> ranges = layout_ranges(year.back());
    carried.resize(ranges.size(), 0.0);
    for (std::size_t j = 0; j < ranges.size(); ++j) {
      const double own = range_hi(ranges[j]) - ranges[j].lo_gbp;
      ranges[j] = histogram_range(ranges[j].lo_gbp - carried[j], range_hi(ranges[j]) + carried[j]);
      carried[j] += own;
    }
    widened.push_back(std::move(ranges));
  }
  std::vector<StatsLayout> out(horizon_points(years));
  for (int y = 0; y < years; ++y) {
    const std::vector<HistogramRange>& w = widened[y];
    out[horizon_point(years, HorizonPoint::kYear, y)] = with_ranges(year[y], w);
    std::vector<HistogramRange> sum(w.size()), low(w.size());
    for (std::size_t j = 0; j < w.size(); ++j) {
      double lo = 0.0, hi = 0.0;
      for (int k = 0; k <= y; ++k)
        lo += widened[k][j].lo_gbp, hi += range_hi(widened[k][j]);
      sum[j] = histogram_range(lo, hi);
      low[j] = histogram_range(2.0 * w[j].lo_gbp - range_hi(w[j]), range_hi(w[j]));
    }
    // The outcomes across years are reported for each CCG and England; in
    // the red in any year (red by the last year) also for the regions, which
    // the stress commands read (a sweep's expected count by region). Of the
    // hubs, only the cumulative overspend is reported.
    out[horizon_point(years, HorizonPoint::kUnderlying, y)] =
        without_hubs(with_groups(with_ranges(year[y], low), GroupLevels::kNation));
    if (y == 0) continue;
    out[horizon_point(years, HorizonPoint::kCumulative, y)] =
        with_groups(with_ranges(year[y], sum), GroupLevels::kNation);
    out[horizon_point(years, HorizonPoint::kRedBy, y)] = without_hubs(with_groups(
        with_ranges(year[y], w), y + 1 == years ? GroupLevels::kRegions : GroupLevels::kNation));
  }
  out[horizon_point(years, HorizonPoint::kRedEvery, 0)] =
      without_hubs(with_groups(with_ranges(year.back(), widened.back()), GroupLevels::kNation));
  return out;
}

// Year y's outcomes across years, from the horizon's points.
HorizonYear horizon_year(const HorizonResults& h, int y) {
  HorizonYear out;
  out.labels = h.labels;
  out.year = y;
  const std::size_t n = h.years.front().code.size(), years = h.years.size();
  for (int phase = 0; phase < 2; ++phase) {
    const auto stats = [phase](const Results& r) -> const CcgStats& {
      return phase == 0 ? r.before : r.after;
    };
    out.p_red_any_year[phase] = stats(h.red_by.back()).p_red;
    out.p_red_any_year_se[phase] = stats(h.red_by.back()).p_red_se;
    out.p_red_every_year[phase] = stats(h.red_every).p_red;
    // P(first in the red in year k) = P(red by k) - P(red by k - 1).
    std::vector<double>& first = out.first_red_year_pmf[phase];
    first.assign(n * (years + 1), 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      double before = 0.0;
      for (std::size_t k = 0; k < years; ++k) {
        const double by = stats(h.red_by[k]).p_red[i];
        first[i * (years + 1) + k] = by - before;
        before = by;
      }
      first[i * (years + 1) + years] = 1.0 - before;
    }
    const CcgStats& sum = stats(h.cumulative[y]);
    const CcgStats& low = stats(h.underlying[y]);
    out.p_red_by_year[phase] = stats(h.red_by[y]).p_red;
    out.cumulative_mean_k[phase] = sum.surplus_mean_k;
    out.p_cumulative_deficit[phase] = sum.p_red;
    out.cumulative_quantiles_k[phase] = sum.surplus_quantiles_k;
    out.p_underlying_deficit[phase] = low.p_red;
    out.underlying_quantiles_k[phase] = low.surplus_quantiles_k;
    const GroupStats& any = h.red_by.back().national;
    out.count_red_any_year_pmf[phase] = phase == 0 ? any.count_red_pmf : any.count_red_pmf_pooled;
    out.expected_red_any_year[phase] = phase == 0 ? any.expected_red : any.expected_red_pooled;
    const GroupStats& c = h.cumulative[y].national;
    const GroupStats& u = h.underlying[y].national;
    out.cumulative_total_quantiles_k[phase] =
        phase == 0 ? c.total_surplus_quantiles_k : c.total_surplus_quantiles_pooled_k;
    out.underlying_total_quantiles_k[phase] =
        phase == 0 ? u.total_surplus_quantiles_k : u.total_surplus_quantiles_pooled_k;
  }
  // The bin widths are the same before and after risk sharing.
  out.cumulative_resolution_k = h.cumulative[y].before.hist_resolution_k;
  out.underlying_resolution_k = h.underlying[y].before.hist_resolution_k;
  out.specialised_cumulative_mean_k = h.cumulative[y].specialised.overspend_mean_k;
  return out;
}

}  // namespace

HorizonResults run_horizon(const Scenario& scenario, const CcgTable& table,
                           const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const RunSettings& run = scenario.run;  // run.target_se is 0 (scenario.cpp)
  const std::vector<Scenario> scenarios = year_scenarios(scenario);
  const HorizonModel h = build_horizon(scenarios, table);
  const int years = h.count(), points = horizon_points(years);
  const std::vector<StatsLayout> layouts = horizon_layouts(h);
  Pass pass;
  pass.seed = run.seed;
  pass.horizon = &h;
  std::vector<const Scenario*> scenario_of;
  for (int p = 0; p < points; ++p) {
    const int y = horizon_point_year(years, p);
    pass.models.push_back(&h.years[y]);
    pass.layouts.push_back(&layouts[p]);
    pass.kinds.push_back(p < years           ? Tallies::kFull
                         : p < 3 * years - 1 ? Tallies::kOutturn
                                             : Tallies::kCounts);
    scenario_of.push_back(&scenarios[y]);
  }
  pass.identity = pass_identity(scenario_of, pass.layouts, pass.kinds);
  const std::vector<Accumulator> tallies = run_pass(pass, options, run.trials);
  const double seconds = seconds_since(start);
  const auto result = [&](HorizonPoint kind, int y) {
    const int p = horizon_point(years, kind, y), year = horizon_point_year(years, p);
    return make_results(scenarios[year], table, h.years[year], tallies[p], options, seconds);
  };
  HorizonResults out;
  out.labels = h.labels;
  for (int y = 0; y < years; ++y) {
    out.years.push_back(result(HorizonPoint::kYear, y));
    out.cumulative.push_back(y == 0 ? out.years.front() : result(HorizonPoint::kCumulative, y));
    out.underlying.push_back(result(HorizonPoint::kUnderlying, y));
    out.red_by.push_back(y == 0 ? out.years.front() : result(HorizonPoint::kRedBy, y));
  }
  out.red_every = result(HorizonPoint::kRedEvery, 0);
  for (int y = 0; y < years; ++y)
    out.years[y].horizon = std::make_shared<const HorizonYear>(horizon_year(out, y));
  return out;
}

std::vector<Results> run_points(const std::vector<Scenario>& scenarios, const CcgTable& table,
                                const RunOptions& options, const std::vector<Tallies>& kinds,
                                GroupLevels counts_groups) {
  std::vector<Results> out;
  if (scenarios.empty()) return out;
  for (const Scenario& s : scenarios)
    check_one_year(s);
  const RunSettings& run = scenarios.front().run;
  bool together = run.target_se <= 0.0;
  for (const Scenario& s : scenarios)
    together =
        together && s.run.target_se <= 0.0 && s.run.seed == run.seed && s.run.trials == run.trials;
  if (!together) {
    for (const Scenario& s : scenarios)
      out.push_back(run_scenario(s, table, options));
    return out;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<Model> models;
  models.reserve(scenarios.size());
  for (const Scenario& s : scenarios)
    models.push_back(build_model(s, table));
  std::vector<StatsLayout> layouts;
  layouts.reserve(models.size());
  for (std::size_t p = 0; p < models.size(); ++p)
    layouts.push_back(with_groups(
        make_layout(models[p]), kinds[p] == Tallies::kCounts ? counts_groups : GroupLevels::kAll));
  Pass pass;
  pass.seed = run.seed;
  pass.kinds = kinds;
  std::vector<const Scenario*> scenario_of;
  for (std::size_t p = 0; p < models.size(); ++p) {
    pass.models.push_back(&models[p]);
    pass.layouts.push_back(&layouts[p]);
    scenario_of.push_back(&scenarios[p]);
  }
  pass.identity = pass_identity(scenario_of, pass.layouts, kinds);
  const std::vector<Accumulator> tallies = run_pass(pass, options, run.trials);
  const double seconds = seconds_since(start) / static_cast<double>(scenarios.size());
  for (std::size_t p = 0; p < models.size(); ++p)
    out.push_back(make_results(scenarios[p], table, models[p], tallies[p], options, seconds));
  return out;
}

}  // namespace ccgrisk
