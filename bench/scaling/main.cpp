// bench/scaling: end-to-end thread scaling of the engine alone, simulate()
// on a scenario (default: the baseline) with the model built once, beside
// the serial loop simulate() stands for (no TBB), as a table and JSON.
// `ccgrisk bench` times whole runs and checks the results; this isolates
// the trials.
//   build/bench/ccgrisk_scaling [SCENARIO] --threads 1,2 --trials 200000 --rounds 3
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/common.hpp"
#include "app/machine_info.hpp"
#include "app/scaling.hpp"
#include "engine/run.hpp"
#include "input/error.hpp"
#include "model/trial.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace {

struct ScalingArgs {
  std::string scenario = std::string(CCGRISK_SOURCE_DIR).append("/scenarios/baseline-2013-14.toml");
  std::optional<std::string> threads;
  std::int64_t trials = 200000;
  int rounds = 3;
  std::int64_t block_trials = 1024;
  std::string json;
};

struct Workload {
  Inputs inputs;
  Model model;
  StatsLayout layout;
};

// The serial equivalent of simulate() (engine/run.hpp), on this thread.
void serial_loop(const Workload& w, std::int64_t trials) {
  Accumulator acc(w.layout);
  TrialState s(w.model);
  for (std::int64_t t = 0; t < trials; ++t) {
    simulate_trial(w.model, w.inputs.scenario.run.seed, t, s);
    acc.add(s, w.model.antithetic && (t & 1));
  }
  if (acc.trials() != trials) throw std::logic_error("serial loop lost trials");
}

std::vector<ThreadTiming> time_threads(const Workload& w, const ScalingArgs& a,
                                       const std::vector<int>& threads) {
  std::vector<ThreadTiming> timings;
  for (int t : threads) {
    timings.push_back(time_rounds(t, a.rounds, [&](int n) {
      simulate(w.model, w.layout, w.inputs.scenario.run.seed, a.trials,
               RunOptions{n, a.block_trials});
    }));
    std::cerr << "scaling: " << t << " thread(s) done\n";
  }
  return timings;
}

void print_serial(const ScalingRow& serial, std::ostream& out) {
  char line[128];
  std::snprintf(line, sizeof line, "serial loop (no TBB): median %.3f s, %.2f M CCG-trials/s\n",
                serial.median_s, serial.ccg_trials_per_s / 1e6);
  out << line;
}

std::string scaling_json(const ScalingArgs& a, const Workload& w, const ScalingTable& table,
                         const ScalingRow& serial, const MachineInfo& machine) {
  nlohmann::ordered_json json;
  json["tool"] = "ccgrisk_scaling";
  json["scenario"] = a.scenario;
  json["ccgs"] = w.model.n;
  json["trials"] = a.trials;
  json["rounds"] = a.rounds;
  json["block_trials"] = a.block_trials;
  json["timed"] = "simulate() only: trials and tallies, model built once";
  write_machine_json(machine, json);
  json["serial_median_s"] = serial.median_s;
  json["serial_ccg_trials_per_s"] = serial.ccg_trials_per_s;
  write_scaling_json(table, json);
  return json_text(json);
}

int run(const ScalingArgs& a) {
  const MachineInfo machine = machine_info();
  const std::vector<int> threads =
      a.threads ? parse_thread_list(*a.threads) : default_thread_list(machine.logical_cpus);
  Workload w{load_inputs(a.scenario, a.trials), {}, {}};
  w.model = build_model(w.inputs.scenario, w.inputs.table);
  w.layout = make_layout(w.model);
  const double ccg_trials = static_cast<double>(a.trials) * w.model.n;
  const ThreadTiming serial_timing =
      time_rounds(1, a.rounds, [&](int) { serial_loop(w, a.trials); });
  const ScalingRow serial = scaling_table({serial_timing}, ccg_trials, 0).rows.at(0);
  const ScalingTable table =
      scaling_table(time_threads(w, a, threads), ccg_trials, machine.logical_cpus);
  std::cout << "simulate() on " << a.scenario << ": " << w.model.n << " CCGs, " << a.trials
            << " trials, " << a.rounds << " rounds\n";
  print_serial(serial, std::cout);
  print_scaling_table(table, machine.logical_cpus, std::cout);
  std::cout << "\n";
  print_machine(machine, std::cout);
  if (!a.json.empty()) write_file_atomically(a.json, scaling_json(a, w, table, serial, machine));
  return 0;
}

}  // namespace

}  // namespace ccgrisk

int main(int argc, char** argv) {
  ccgrisk::ScalingArgs a;
  CLI::App app{"End-to-end thread scaling of ccgrisk's engine (simulate() only)"};
  app.add_option("scenario", a.scenario, "Scenario TOML (default: the shipped baseline)");
  app.add_option("--threads", a.threads, "Comma-separated thread counts (default 1, 2, 4, ...)");
  app.add_option("--trials", a.trials, "Trials per run")->check(CLI::PositiveNumber);
  app.add_option("--rounds", a.rounds, "Runs per thread count")->check(CLI::PositiveNumber);
  app.add_option("--block-trials", a.block_trials, "Trials per task")->check(CLI::PositiveNumber);
  app.add_option("--json", a.json, "Also write the results as JSON to this file");
  CLI11_PARSE(app, argc, argv);
  try {
    return ccgrisk::run(a);
  } catch (const ccgrisk::InputError& e) {
    std::cerr << "ccgrisk_scaling: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ccgrisk_scaling: internal error: " << e.what() << "\n";
    return 1;
  }
}
