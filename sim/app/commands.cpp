#include "app/commands.hpp"

#include <CLI/CLI.hpp>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <optional>

#include "app/progress.hpp"
#include "app/summary.hpp"
#include "engine/run.hpp"
#include "input/error.hpp"
#include "output/results_file.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct RunArgs {
  fs::path scenario;
  fs::path output;
  std::optional<std::int64_t> trials;
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::int64_t block_trials = 1024;
  bool quiet = false;
};

void add_run_command(CLI::App& app, RunArgs& a) {
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario and write results to HDF5");
  run->add_option("scenario", a.scenario, "Scenario TOML file")->required();
  run->add_option("-o,--output", a.output, "Results file to write (HDF5)")->required();
  run->add_option("--trials", a.trials, "Number of trials (overrides run.trials)")
      ->check(CLI::PositiveNumber);
  run->add_option("--seed", a.seed, "Master seed (overrides run.seed)");
  run->add_option("--threads", a.threads, "Worker threads, 0 = all cores")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--block-trials", a.block_trials,
                  "Trials per parallel task (tuning only; results do not depend on it)")
      ->check(CLI::PositiveNumber);
  run->add_flag("-q,--quiet", a.quiet, "No progress bar and no summary");
}

// Fails early, before any simulation, if the output cannot be written there.
void check_output_path(const fs::path& out) {
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw InputError(out.string() + ": cannot write results: folder '" + parent.string() +
                     "' does not exist");
  if (fs::is_directory(out)) throw InputError(out.string() + ": is a folder, not a file");
}

int run_run(const RunArgs& a) {
  Scenario scenario = load_scenario(a.scenario);
  if (a.trials) scenario.run.trials = *a.trials;
  if (a.seed) scenario.run.seed = *a.seed;
  const CcgTable table = read_ccg_table(scenario.ccgs);
  check_output_path(a.output);
  std::atomic<std::int64_t> done{0};
  RunOptions options{a.threads, a.block_trials, &done};
  Results results;
  {
    ProgressBar bar(done, scenario.run.trials, !a.quiet);
    results = run_scenario(scenario, table, options);
  }
  write_results_file(results, a.output);
  if (!a.quiet) {
    print_summary(results, std::cout);
    std::cout << "\nResults written to " << a.output.string() << "\n";
  }
  return kExitOk;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{"ccgrisk: Monte Carlo risk of NHS commissioners ending the year in the red"};
  app.require_subcommand(1);
  RunArgs run_args;
  add_run_command(app, run_args);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  try {
    if (app.got_subcommand("run")) return run_run(run_args);
  } catch (const InputError& e) {
    std::cerr << "ccgrisk: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "ccgrisk: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitBadInput;
}

}  // namespace ccgrisk
