// ccgrisk run SCENARIO -o OUT.h5: simulate and write results.
#include <CLI/CLI.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/progress.hpp"
#include "app/summary.hpp"
#include "app/targets_table.hpp"
#include "engine/run.hpp"
#include "engine/scenario_runs.hpp"
#include "engine/uncertainty.hpp"
#include "input/error.hpp"
#include "input/limits.hpp"
#include "output/checkpoint_file.hpp"
#include "output/file_output.hpp"
#include "output/results_file.hpp"
#include "output/stress_file.hpp"

namespace ccgrisk {

namespace {

struct RunArgs {
  std::filesystem::path scenario;
  std::filesystem::path output;
  std::optional<std::string> trials;  // as typed: validated as run.trials would be
  std::optional<std::string> seed;
  std::vector<std::string> sets;  // --set KEY=VALUE, in order
  std::filesystem::path targets;  // --targets: published figures to compare with
  bool antithetic = false;
  std::optional<std::string> target_se, max_trials;
  int threads = 0;
  std::int64_t block_trials = 1024;
  bool quiet = false;
  std::filesystem::path checkpoint;  // --checkpoint: save the position reached here
  double checkpoint_every = 60.0;    // seconds between checkpoints
  std::filesystem::path resume;      // --resume: continue from this checkpoint
};

// Every --set in order, then --trials and --seed (so those win): one
// mechanism, one set of checks and messages.
std::vector<Override> overrides(const RunArgs& a) {
  std::vector<Override> out;
  for (const std::string& s : a.sets)
    out.push_back(parse_override(s));
  if (a.trials) out.push_back(option_override("--trials", "run.trials", *a.trials));
  if (a.seed) out.push_back(option_override("--seed", "run.seed", *a.seed));
  if (a.antithetic) out.push_back(option_override("--antithetic", "run.antithetic", "true"));
  if (a.target_se) out.push_back(option_override("--target-se", "run.target_se", *a.target_se));
  if (a.max_trials) out.push_back(option_override("--max-trials", "run.max_trials", *a.max_trials));
  return out;
}

// The checkpoint to resume, refused (exit 2, the difference named) unless
// it was written by a run of these very inputs by this ccgrisk.
std::optional<Checkpoint> checkpoint_to_resume(const RunArgs& a, const Inputs& in) {
  if (a.resume.empty()) return std::nullopt;
  Checkpoint c = read_checkpoint(a.resume);
  const std::string difference =
      identity_difference(c.identity, checkpoint_identity(in.scenario, in.table));
  if (!difference.empty())
    throw InputError("cannot resume from checkpoint " + quoted(a.resume) + ": " + difference);
  return c;
}

// --checkpoint FILE: a new output, which may be the checkpoint being resumed
// but not the results file or another input.
void check_checkpoint_path(const RunArgs& a, const std::vector<std::filesystem::path>& read) {
  if (a.checkpoint.empty()) return;
  std::error_code ec;
  if (a.checkpoint == a.output || std::filesystem::equivalent(a.checkpoint, a.output, ec))
    throw InputError("checkpoint " + quoted(a.checkpoint) +
                     ": is the results file (-o); choose another name");
  check_output_file(a.checkpoint, read, "checkpoint");
}

// --checkpoint and --resume (docs/scale-out.md): the paths checked, the
// checkpoint to resume read and compared with this run, and `options` set
// to save and resume through `cp` (which must outlive the run).
void use_checkpoints(const RunArgs& a, const Inputs& in,
                     const std::vector<std::filesystem::path>& read, Checkpointing& cp,
                     RunOptions& options) {
  check_checkpoint_path(a, read);
  const std::optional<Checkpoint> resume = checkpoint_to_resume(a, in);
  cp.every_seconds = a.checkpoint_every;
  if (!a.checkpoint.empty()) {
    cp.save = [identity = checkpoint_identity(in.scenario, in.table),
               path = a.checkpoint](const RunState& state) {
      write_checkpoint({identity, state, ""}, path);
    };
  }
  if (resume) {
    cp.resume = resume->state;
    cp.resume_label = quoted(a.resume);
  }
  if (!a.checkpoint.empty() || resume) options.checkpoint = &cp;
  if (!a.checkpoint.empty()) {
    // What an earlier run killed with SIGKILL may have left.
    remove_stale_temp_files(a.checkpoint);
    remove_stale_temp_files(a.output);
    // SIGINT/SIGTERM: the last checkpoint first, then exit 128 + signal.
    defer_signals();
    options.stop = &pending_signal();
  }
}

// The inputs an output must not replace: `read`, and the checkpoint being
// resumed (which --checkpoint, though, may replace).
std::vector<std::filesystem::path> with_resumed(const RunArgs& a,
                                                std::vector<std::filesystem::path> read) {
  if (!a.resume.empty()) read.push_back(a.resume);
  return read;
}

// `passes`: the passes over the trials a run of several (an [uncertainty]
// run's points) had finished; the trials are those of the pass it was in.
int interrupted(const RunArgs& a, const Interrupted& e, std::size_t passes = 0) {
  std::cerr << "ccgrisk: interrupted (signal " << e.signal() << ") after ";
  if (passes > 0)
    std::cerr << passes << (passes == 1 ? " finished pass" : " finished passes") << " and "
              << e.trials_done() << " trials of the next";
  else
    std::cerr << e.trials_done() << " trials";
  std::cerr << "; checkpoint written to " << a.checkpoint.string() << "; continue with --resume "
            << a.checkpoint.string() << "\n";
  return 128 + e.signal();
}

// A scenario with [uncertainty]: the scenario as given and every outer
// sample, in passes over the trials (engine/uncertainty.hpp); the results
// file holds the scenario as given and /uncertainty.
int run_uncertain(const RunArgs& a, const Inputs& in) {
  if (in.scenario.run.target_se > 0.0)
    throw InputError(in.scenario.path.string() +
                     ": run.target_se and [uncertainty] cannot be combined (every outer sample "
                     "runs the scenario's run.trials)");
  if (!a.targets.empty())
    throw InputError(
        "--targets: not with [uncertainty] (check the targets on the scenario as given)");
  std::atomic<std::int64_t> done{0};
  RunOptions options{a.threads, a.block_trials, &done};
  Checkpointing checkpointing;
  use_checkpoints(a, in, in.files(), checkpointing, options);
  ScenarioRuns runs(a.scenario, overrides(a), options);
  Results base;
  UncertaintyResult u;
  try {
    ProgressBar bar(done, in.scenario.run.trials * (in.scenario.uncertainty.samples + 1), !a.quiet);
    u = run_uncertainty(runs, in.scenario.uncertainty, base);
  } catch (const Interrupted& e) {
    return interrupted(a, e, checkpointing.finished.size());
  }
  base.uncertainty = std::make_shared<const UncertaintyResult>(u);
  write_results_file(base, a.output);
  if (!a.quiet) {
    print_summary(base, std::cout);
    print_uncertainty(u, base, std::cout);
    std::cout << "\nResults written to " << a.output.string() << " (/uncertainty)\n";
  }
  return kExitOk;
}

int run(const RunArgs& a) {
  Inputs in = load_inputs(a.scenario, overrides(a));
  // Options that this run will not use say so rather than vanish.
  const RunSettings& settings = in.scenario.run;
  if (a.max_trials && settings.target_se <= 0.0)
    std::cerr << "ccgrisk: warning: --max-trials caps precision on demand, which is off (no "
                 "--target-se): the run takes run.trials = "
              << settings.trials << "\n";
  if (a.trials && settings.target_se > 0.0)
    std::cerr << "ccgrisk: warning: --trials is not used with precision on demand: trials are "
                 "added, 10,000 at first, until every P(red) standard error is at most "
              << settings.target_se << " or run.max_trials = " << settings.max_trials
              << " is reached\n";
  if (in.scenario.uncertainty.active() && in.scenario.horizon.years > 1)
    throw InputError(in.scenario.path.string() +
                     ": [uncertainty] with horizon.years > 1: parameter uncertainty covers "
                     "one-year runs (run the years' scenarios one at a time)");
  if (in.scenario.uncertainty.active()) {
    check_output_path(a.output, with_resumed(a, in.files()));
    return run_uncertain(a, in);
  }
  const std::optional<Targets> targets =
      a.targets.empty() ? std::nullopt : std::optional<Targets>(load_targets(a.targets));
  std::vector<std::filesystem::path> read = in.files();
  if (!a.targets.empty()) read.push_back(a.targets);
  check_output_path(a.output, with_resumed(a, read));
  std::atomic<std::int64_t> done{0};
  RunOptions options{a.threads, a.block_trials, &done};
  Checkpointing checkpointing;
  use_checkpoints(a, in, read, checkpointing, options);
  // A run of several years (horizon.years > 1) writes schema 1.1; --targets
  // are checked against its first year.
  const bool several = in.scenario.horizon.years > 1;
  HorizonResults results;  // a one-year run: its one year
  try {
    ProgressBar bar(done, in.scenario.run.trials, !a.quiet);
    if (several) {
      results = run_horizon(in.scenario, in.table, options);
    } else {
      results.years.push_back(run_scenario(in.scenario, in.table, options));
    }
  } catch (const Interrupted& e) {
    return interrupted(a, e);
  }
  Results& first = results.years.front();
  std::vector<Measured> measured;
  if (targets) {
    measured = measure_all(*targets, first);
    first.targets = target_checks(*targets, measured);
  }
  several ? write_horizon_file(results, a.output) : write_results_file(first, a.output);
  if (!a.quiet) {
    several ? print_horizon_summary(results.years, std::cout) : print_summary(first, std::cout);
    if (targets) {
      std::cout << "\nAgainst the published figures (" << a.targets.string() << ")"
                << (several ? ", " + results.labels.front() : "") << "\n";
      print_target_table(first.targets, {}, "  ", std::cout);
    }
    std::cout << "\nResults written to " << a.output.string();
    if (several) std::cout << " (schema 1.1, " << results.labels.size() << " years)";
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

Command add_run_command(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "Simulate a scenario and write results to HDF5");
  cmd->add_option("scenario", a->scenario, "Scenario TOML file")->required();
  cmd->add_option("-o,--output", a->output, "Results file to write (HDF5)")->required();
  cmd->add_option("--trials", a->trials, "Number of trials (same as --set run.trials=N)")
      ->type_name("INT");
  cmd->add_option("--seed", a->seed, "Master seed (same as --set run.seed=N)")->type_name("INT");
  cmd->add_option("--set", a->sets,
                  "Override a scenario key by its TOML path, e.g. "
                  "--set drivers.cip_delivery.mean=0.6 (repeatable; checked like the file)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  add_threads_option(cmd, a->threads);
  cmd->add_option("--block-trials", a->block_trials,
                  "Trials per parallel task (tuning only; results do not depend on it)")
      ->check(whole_number(1, limits::kMaxBlockTrials));
  cmd->add_flag("--antithetic", a->antithetic,
                "Antithetic pairs: trial 2j+1 negates every normal of trial 2j (run.antithetic)");
  cmd->add_option("--target-se", a->target_se,
                  "Add trials until every CCG's P(red) standard error is at most this "
                  "(run.target_se; 0 = off)")
      ->type_name("SE");
  cmd->add_option("--max-trials", a->max_trials, "Cap for --target-se (run.max_trials)")
      ->type_name("INT");
  cmd->add_option("--targets", a->targets,
                  "Targets TOML file: print and record the run against published figures")
      ->check(not_empty());
  cmd->add_flag("-q,--quiet", a->quiet, "No progress bar and no summary");
  CLI::Option* checkpoint =
      cmd->add_option("--checkpoint", a->checkpoint,
                      "Save the tallies and the position reached to this file (HDF5, written "
                      "atomically) every --checkpoint-every seconds, and on SIGINT/SIGTERM "
                      "(docs/scale-out.md)")
          ->type_name("FILE")
          ->check(not_empty());
  cmd->add_option("--checkpoint-every", a->checkpoint_every,
                  "Seconds between checkpoints (default 60; 0 = after every chunk of trials)")
      ->type_name("SECONDS")
      ->check(number_in(0.0, 1e9))
      ->needs(checkpoint);
  cmd->add_option("--resume", a->resume,
                  "Continue the run saved in this checkpoint: the same scenario, overrides, "
                  "seed, trials, CCG table and ccgrisk version (else exit 2); the results are "
                  "those of an uninterrupted run, bit for bit")
      ->type_name("FILE")
      ->check(not_empty());
  return {cmd, [a] { return run(*a); }};
}

}  // namespace ccgrisk
