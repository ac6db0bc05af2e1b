// Repeated runs of one scenario with a few keys changed, all with the
// scenario's seed and trial count: common random numbers. Shared by the
// stress-testing commands (sweep, breakeven, reverse-stress).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/results.hpp"
#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "input/overrides.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

// The override setting `key` to `value` for the stress commands; messages
// about it read "--param KEY=VALUE".
Override param_override(const std::string& key, double value);

// Checks a --param KEY before any run: not empty, and not run.seed or
// run.trials (changing those would break the common random numbers).
// Throws InputError.
void check_param_key(const std::string& key);

class ScenarioRuns {
 public:
  // Reads the scenario at `path` once and validates it with `base` applied
  // (the user's --set, --trials, --seed); reads its CCG table.
  ScenarioRuns(std::filesystem::path path, std::vector<Override> base, RunOptions options);

  const Scenario& base() const { return base_; }
  const CcgTable& table() const { return table_; }

  // The base scenario with `extra` applied after the base overrides,
  // validated like the file (InputError otherwise). Seed and trials stay
  // those of the base scenario.
  Scenario with(const std::vector<Override>& extra) const;

  // The base scenario with `key` = `value`.
  Scenario with(const std::string& key, double value) const;

  // The current value of `key` (written as for --set: quoted segments, [N],
  // an array of tables' element by name) in the effective scenario, if the
  // file or an override sets it to a number; keys left at their defaults
  // are not known here.
  std::optional<double> current_value(const std::string& key) const;

  // Runs `scenario` (one built by with() or base()), counting runs and
  // time; `label` (e.g. "drivers.cip_delivery.mean = 0.6") goes to `log`.
  Results run(const Scenario& scenario, const std::string& label = "");

  // Runs several scenarios built by with() or base() together, in passes
  // over the trials of at most kPointsPerPass each (run_points: each result
  // is bit-identical to run()'s in the statistics a kCounts accumulator
  // keeps, and of the groups only those `groups` names; with `full_first`,
  // the first scenario's are complete, as run()'s); each counts as a run.
  // `labels` go to `log`, one line a pass.
  std::vector<Results> run_together(const std::vector<Scenario>& scenarios,
                                    const std::vector<std::string>& labels, bool full_first,
                                    GroupLevels groups);
  static constexpr std::size_t kPointsPerPass = 12;

  // A scenario of several years (horizon.years > 1): each point is a run of
  // all its years (run_horizon, one pass each), and the Results a point
  // gives are those of being in the red in at least one year of the run
  // (HorizonResults::red_by.back(): P(red), the counts in the red and their
  // pmfs, as a kCounts run keeps them). The whole run of the scenario as
  // given (run() of base(), or run_together's first point with
  // `full_first`) is kept here for its results file; null otherwise.
  const HorizonResults* base_horizon() const { return base_horizon_.get(); }

  int runs() const { return runs_; }
  int passes() const { return passes_; }  // passes over the trials (a run is one)
  double seconds() const { return seconds_; }
  // The fewest and most trials a run took (they differ when run.target_se
  // stops each pass at its own count); 0 before any run.
  std::int64_t fewest_trials() const { return fewest_trials_; }
  std::int64_t most_trials() const { return most_trials_; }

  // Called after each run with one line: "run 3  LABEL  2.9 s", if set.
  std::function<void(const std::string&)> log;

 private:
  std::filesystem::path path_;
  std::string text_;
  std::vector<Override> overrides_;
  RunOptions options_;
  Scenario base_;
  CcgTable table_;
  // run(): a scenario of several years is kept as base_horizon_ when `keep`.
  Results run_one(const Scenario& scenario, const std::string& label, bool keep);

  std::shared_ptr<const HorizonResults> base_horizon_;
  int runs_ = 0;
  int passes_ = 0;
  double seconds_ = 0.0;
  std::int64_t fewest_trials_ = 0, most_trials_ = 0;
  void count_trials(const Results& r);
};

}  // namespace ccgrisk
