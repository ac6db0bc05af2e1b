#include "engine/run.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <ctime>

#include "engine/finalize.hpp"
#include "model/random.hpp"
#include "model/trial.hpp"

namespace ccgrisk {

namespace {

// One thread's working memory and tallies.
struct Worker {
  Worker(const Model& model, const StatsLayout& layout) : state(model), tally(layout) {}
  TrialState state;
  Accumulator tally;
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

int resolve_threads(int requested) {
  return requested > 0 ? requested : tbb::info::default_concurrency();
}

Accumulator simulate(const Model& model, const StatsLayout& layout, std::uint64_t seed,
                     std::int64_t trials, const RunOptions& options) {
  const std::int64_t block = std::max<std::int64_t>(1, options.block_trials);
  const std::int64_t blocks = (trials + block - 1) / block;
  tbb::enumerable_thread_specific<Worker> workers([&] { return Worker(model, layout); });
  const int threads = resolve_threads(options.threads);
  // Allows more threads than cores when asked (oneTBB caps workers at the
  // core count otherwise); the arena then runs exactly `threads`.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism,
                            std::max<std::size_t>(threads, tbb::info::default_concurrency()));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, blocks, 1), [&](const auto& range) {
      Worker& w = workers.local();
      for (std::int64_t b = range.begin(); b < range.end(); ++b) {
        const std::int64_t end = std::min(trials, (b + 1) * block);
        for (std::int64_t t = b * block; t < end; ++t) {
          simulate_trial(model, seed, t, w.state);
          w.tally.add(w.state);
        }
        if (options.trials_done) *options.trials_done += end - b * block;
      }
    });
  });
  Accumulator total(layout);
  for (const Worker& w : workers)
    total.merge(w.tally);
  return total;
}

Results run_scenario(const Scenario& scenario, const CcgTable& table, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Model model = build_model(scenario, table);
  const StatsLayout layout = make_layout(model);
  const Accumulator tally =
      simulate(model, layout, scenario.run.seed, scenario.run.trials, options);
  Results results;
  fill_identity(model, results);
  finalize_statistics(model, tally, results);
  Provenance& p = results.provenance;
  p.tool_version = CCGRISK_VERSION;
  p.git_sha = CCGRISK_GIT_SHA;
  p.seed = scenario.run.seed;
  p.trials = scenario.run.trials;
  p.threads = resolve_threads(options.threads);
  p.created_utc = utc_now();
  p.scenario_toml = scenario.text;
  p.scenario_path = scenario.path.string();
  p.ccg_table_sha256 = table.sha256;
  p.ccg_table_path = table.path.string();
  p.rng = kRngDescription;
  p.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return results;
}

}  // namespace ccgrisk
