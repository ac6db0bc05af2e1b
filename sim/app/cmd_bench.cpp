// ccgrisk bench [SCENARIO]: throughput and scaling of whole runs over thread
// counts, with a check that every thread count gives bit-identical results.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/machine_info.hpp"
#include "app/results_identity.hpp"
#include "app/scaling.hpp"
#include "engine/run.hpp"
#include "model/random.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

const char* const kBaseline = "scenarios/baseline-2013-14.toml";

struct BenchArgs {
  fs::path scenario;                   // empty: the baseline
  std::optional<std::string> threads;  // as typed; default 1, 2, 4, ... up to the CPUs
  std::string trials = "200000";       // validated as run.trials
  int rounds = 3;
  fs::path json;
  std::vector<std::string> sets;
  bool quiet = false;
};

// The baseline from the working folder if it is there, else from the source tree.
fs::path default_scenario() {
  if (fs::exists(kBaseline)) return kBaseline;
  return fs::path(CCGRISK_SOURCE_DIR) / kBaseline;
}

std::vector<Override> overrides(const BenchArgs& a) {
  std::vector<Override> out;
  for (const std::string& s : a.sets)
    out.push_back(parse_override(s));
  out.push_back(option_override("--trials", "run.trials", a.trials));
  return out;
}

// What the rounds produced: timings, the first run's results, and what any
// later run had different from them ("2 threads: before.p_red").
struct BenchOutcome {
  std::vector<ThreadTiming> timings;
  std::optional<Results> reference;
  int runs_compared = 0;  // runs checked against the reference
  std::vector<std::string> differences;
};

std::string threads_label(int threads) {
  return std::to_string(threads).append(threads == 1 ? " thread" : " threads");
}

// "bench: 2 threads: 1.234 1.198 1.201 s"
void print_progress(const ThreadTiming& t, std::ostream& err) {
  std::ostringstream line;
  line << "bench: " << threads_label(t.threads) << ":" << std::fixed << std::setprecision(3);
  for (double w : t.wall_s)
    line << " " << w;
  err << line.str() << " s\n";
}

// Keeps the first run as the reference; records what a later one changed.
void check_round(Results& last, int threads, BenchOutcome& b) {
  if (!b.reference) {
    b.reference = std::move(last);
    return;
  }
  ++b.runs_compared;
  for (const std::string& d : results_differences(*b.reference, last)) {
    const std::string line = threads_label(threads).append(": ").append(d);
    if (std::find(b.differences.begin(), b.differences.end(), line) == b.differences.end())
      b.differences.push_back(line);
  }
}

BenchOutcome run_rounds(const Inputs& in, const std::vector<int>& threads, int rounds, bool quiet) {
  BenchOutcome b;
  for (int t : threads) {
    Results last;
    const auto run_once = [&](int n) { last = run_scenario(in.scenario, in.table, RunOptions{n}); };
    b.timings.push_back(time_rounds(t, rounds, run_once, [&] { check_round(last, t, b); }));
    if (!quiet) print_progress(b.timings.back(), std::cerr);
  }
  return b;
}

const char* copula_name(Copula c) {
  return c == Copula::kStudentT ? "student_t" : "gaussian";
}

void print_header(const BenchArgs& a, const Inputs& in, const Results& r, std::ostream& out) {
  out << "ccgrisk bench: " << a.scenario.string() << "\n  " << r.code.size() << " CCGs, "
      << r.provenance.trials << " trials, " << copula_name(in.scenario.run.copula) << " copula, "
      << rng_name(in.scenario.run.rng) << " streams, " << r.pools.size()
      << (r.pools.size() == 1 ? " pool" : " pools") << ", seed " << r.provenance.seed << "; "
      << a.rounds << (a.rounds == 1 ? " round" : " rounds")
      << " per thread count\n  timed: a whole run (model build, trials, statistics), as "
         "`ccgrisk run` without writing the file\n\n";
}

void print_identity(const BenchOutcome& b, std::ostream& out) {
  out << "results bit-identical across thread counts: ";
  if (b.runs_compared == 0) {
    out << "not checked (a single run)\n";
    return;
  }
  out << (b.differences.empty() ? "yes" : "NO") << " (" << b.runs_compared
      << (b.runs_compared == 1 ? " later run" : " later runs") << " compared with the first)\n";
  for (const std::string& d : b.differences)
    out << "  differs: " << d << "\n";
}

std::string bench_json(const BenchArgs& a, const Inputs& in, const BenchOutcome& b,
                       const ScalingTable& table, const MachineInfo& machine) {
  const Results& r = *b.reference;
  nlohmann::ordered_json json;
  json["tool"] = "ccgrisk bench";
  json["tool_version"] = r.provenance.tool_version;
  json["git_sha"] = r.provenance.git_sha;
  json["created_utc"] = r.provenance.created_utc;
  json["scenario"] = a.scenario.string();
  json["ccgs"] = r.code.size();
  json["trials"] = r.provenance.trials;
  json["rounds"] = a.rounds;
  json["copula"] = copula_name(in.scenario.run.copula);
  json["rng"] = rng_name(in.scenario.run.rng);
  json["pools"] = r.pools.size();
  json["seed"] = r.provenance.seed;
  json["timed"] = "whole run: model build, trials, statistics";
  write_machine_json(machine, json);
  write_scaling_json(table, json);
  json["runs_compared"] = b.runs_compared;
  // null: a single run, nothing to compare.
  json["bit_identical"] = b.runs_compared == 0 ? nlohmann::ordered_json()
                                               : nlohmann::ordered_json(b.differences.empty());
  json["differences"] = b.differences;
  return json_text(json);
}

int bench_command(BenchArgs& a) {
  if (a.scenario.empty()) a.scenario = default_scenario();
  const MachineInfo machine = machine_info();
  const std::vector<int> threads =
      a.threads ? parse_thread_list(*a.threads) : default_thread_list(machine.logical_cpus);
  const Inputs in = load_inputs(a.scenario, overrides(a));
  if (!a.json.empty()) check_output_file(a.json, in.files(), "JSON file");
  const BenchOutcome b = run_rounds(in, threads, a.rounds, a.quiet);
  const Results& r = *b.reference;
  const double ccg_trials = static_cast<double>(r.provenance.trials) * r.code.size();
  const ScalingTable table = scaling_table(b.timings, ccg_trials, machine.logical_cpus);
  print_header(a, in, r, std::cout);
  print_scaling_table(table, machine.logical_cpus, std::cout);
  std::cout << "\n";
  print_machine(machine, std::cout);
  std::cout << "\n";
  print_identity(b, std::cout);
  if (!a.json.empty()) {
    write_file_atomically(a.json, bench_json(a, in, b, table, machine));
    std::cout << "JSON written to " << a.json.string() << "\n";
  }
  return b.differences.empty() ? kExitOk : kExitInternal;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Time whole runs at several thread counts and check the results are identical");
  cmd->add_option("scenario", a->scenario,
                  std::string("Scenario TOML file (default: ")
                      .append(kBaseline)
                      .append(" in the working folder, else in the source tree ")
                      .append(CCGRISK_SOURCE_DIR)
                      .append(")"));
  cmd->add_option("--threads", a->threads,
                  "Comma-separated thread counts, e.g. 1,2,4 (default: 1, 2, 4, ... up to the "
                  "machine's logical CPUs, and that count itself)")
      ->type_name("LIST");
  cmd->add_option("--trials", a->trials, "Trials per run (default 200000; sets run.trials)")
      ->type_name("INT");
  cmd->add_option("--rounds", a->rounds, "Runs per thread count; the table shows their median")
      ->check(whole_number(1, 1000));
  cmd->add_option("--json", a->json, "Also write the table and machine as JSON to this file");
  cmd->add_option("--set", a->sets,
                  "Override a scenario key by its TOML path, e.g. --set run.copula=student_t "
                  "(repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", a->quiet, "No per-round progress on stderr");
  return {cmd, [a] { return bench_command(*a); }};
}

}  // namespace ccgrisk
