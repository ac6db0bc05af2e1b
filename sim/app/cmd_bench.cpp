// ccgrisk bench [SCENARIO]: throughput and scaling of whole runs over thread
// counts, with a check that every thread count gives bit-identical results.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <numeric>
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
#include "engine/breakeven.hpp"
#include "engine/calibrate.hpp"
#include "engine/comm.hpp"
#include "engine/run.hpp"
#include "engine/sweep.hpp"
#include "engine/uncertainty.hpp"
#include "input/error.hpp"
#include "input/horizon.hpp"
#include "input/targets.hpp"
#include "model/random.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct BenchArgs {
  fs::path scenario;                   // empty: the baseline
  std::optional<std::string> threads;  // as typed; default 1, 2, 4, ... up to the CPUs
  std::string trials = "200000";       // validated as run.trials
  int rounds = 3;
  fs::path json;
  std::vector<std::string> sets;
  bool quiet = false;
  bool stress = false;  // also time the stress commands' examples
  fs::path targets;     // for calibrate; empty: the shipped targets
};

std::vector<Override> overrides(const BenchArgs& a) {
  std::vector<Override> out;
  for (const std::string& s : a.sets)
    out.push_back(parse_override(s));
  out.push_back(option_override("--trials", "run.trials", a.trials));
  return out;
}

// A run's results by name: one unnamed Results for a one-year run; for a
// run of several years, every year's outturn and outcomes across years
// ("2014-15", "2014-15 cumulative", ..., "every year").
using NamedResults = std::vector<std::pair<std::string, Results>>;

NamedResults named_results(HorizonResults h) {
  NamedResults out;
  for (std::size_t y = 0; y < h.years.size(); ++y) {
    const std::string& label = h.labels[y];
    out.emplace_back(label, std::move(h.years[y]));
    out.emplace_back(label + " cumulative", std::move(h.cumulative[y]));
    out.emplace_back(label + " underlying", std::move(h.underlying[y]));
    out.emplace_back(label + " red by", std::move(h.red_by[y]));
  }
  out.emplace_back("every year", std::move(h.red_every));
  return out;
}

// What the rounds produced: timings, the first run's results, and what any
// later run had different from them ("2 threads: before.p_red"). For a run
// of several years, also the first year run alone (horizon.years = 1) at
// each thread count, its rounds interleaved with the whole run's.
struct BenchOutcome {
  std::vector<ThreadTiming> timings;
  std::vector<ThreadTiming> first_year;  // several years only
  std::optional<NamedResults> reference;
  int runs_compared = 0;  // runs checked against the reference
  std::vector<std::string> differences;
  const Results& first() const { return reference->front().second; }
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
void check_round(NamedResults& last, int threads, BenchOutcome& b) {
  if (!b.reference) {
    b.reference = std::move(last);
    return;
  }
  ++b.runs_compared;
  for (std::size_t k = 0; k < last.size(); ++k) {
    const std::string& part = last[k].first;
    for (const std::string& d : results_differences((*b.reference)[k].second, last[k].second)) {
      std::string line = threads_label(threads).append(": ");
      if (!part.empty()) line.append(part).append(": ");
      line.append(d);
      if (std::find(b.differences.begin(), b.differences.end(), line) == b.differences.end())
        b.differences.push_back(line);
    }
  }
}

// Adds one round's timing to `into` (the other programs' load averaged over
// the rounds' wall time; the peak memory of the first round, so that a row
// holds the peaks of the rows before it, not of those after).
void append_round(ThreadTiming& into, const ThreadTiming& round) {
  const double before = std::accumulate(into.wall_s.begin(), into.wall_s.end(), 0.0);
  const double wall = round.wall_s.front();
  if (into.wall_s.empty()) into.peak_rss_mib = round.peak_rss_mib;
  into.threads = round.threads;
  into.wall_s.push_back(wall);
  into.cpu_s.push_back(round.cpu_s.front());
  into.other_cpus = (into.other_cpus * before + round.other_cpus * wall) / (before + wall);
}

// Round by round, every thread count in turn (and, for several years, the
// first year alone after each run): a shared machine's speed drifts over
// minutes, and a speed-up or a ratio is only as good as the closeness in
// time of the runs it divides.
BenchOutcome run_rounds(const Inputs& in, const std::vector<int>& threads, int rounds, bool quiet) {
  BenchOutcome b;
  const bool several = in.scenario.horizon.years > 1;
  Scenario first_year;  // several years: the first, run alone
  if (several) {
    first_year = year_scenarios(in.scenario).front();
    first_year.horizon.years = 1;
  }
  b.timings.resize(threads.size());
  if (several) b.first_year.resize(threads.size());
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t k = 0; k < threads.size(); ++k) {
      const int t = threads[k];
      NamedResults last;
      const auto run_once = [&](int n) {
        last = several ? named_results(run_horizon(in.scenario, in.table, RunOptions{n}))
                       : NamedResults{{"", run_scenario(in.scenario, in.table, RunOptions{n})}};
      };
      const auto check = [&] { check_round(last, t, b); };
      append_round(b.timings[k], time_rounds(t, 1, run_once, check));
      if (several) {
        const auto run_first = [&](int n) {
          (void)run_scenario(first_year, in.table, RunOptions{n});
        };
        append_round(b.first_year[k], time_rounds(t, 1, run_first, {}));
      }
      if (!quiet) print_progress(b.timings[k], std::cerr);
    }
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
      << " per thread count, the thread counts in turn each round\n"
         "  timed: a whole run (model build, trials, statistics), as `ccgrisk run` without "
         "writing the file\n";
  const std::vector<std::string> labels = horizon_labels(in.scenario.horizon);
  if (labels.size() > 1)
    out << "  a trial covers " << labels.size() << " years, " << labels.front() << " to "
        << labels.back() << "; the first year alone (horizon.years = 1) is timed too, its "
        << "rounds interleaved with the whole run's\n";
  const int ranks = Comm::world().size();
  if (ranks > 1)
    out << "  MPI: " << ranks << " ranks share each run's trials (contiguous block ranges, "
        << "tallies combined exactly); the threads below are per rank\n";
  out << "\n";
}

// A run of several years against its first year alone, per trial.
void print_first_year(const BenchOutcome& b, std::size_t years, std::ostream& out) {
  out << "Several years: a trial of " << years << " years against the first year alone\n";
  char line[160];
  std::snprintf(line, sizeof line, "%7s  %12s  %14s  %9s\n", "threads", "all years s",
                "first year s", "ratio");
  out << line;
  for (std::size_t k = 0; k < b.timings.size(); ++k) {
    const double all = median(b.timings[k].wall_s), alone = median(b.first_year[k].wall_s);
    std::snprintf(line, sizeof line, "%7d  %12.3f  %14.3f  %8.2fx\n", b.timings[k].threads, all,
                  alone, all / alone);
    out << line;
  }
  out << "(medians of the interleaved rounds; ratio = all years / first year, the same trials: "
         "the cost of a trial of every year against a trial of one, once the trials outweigh "
         "building the models and the statistics, e.g. at 200,000)\n";
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
  const Results& r = b.first();
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
  if (!b.first_year.empty()) {
    json["years"] = horizon_labels(in.scenario.horizon);
    for (std::size_t k = 0; k < b.timings.size(); ++k) {
      const double all = median(b.timings[k].wall_s), alone = median(b.first_year[k].wall_s);
      json["first_year_alone"].push_back({{"threads", b.timings[k].threads},
                                          {"all_years_median_s", all},
                                          {"first_year_median_s", alone},
                                          {"first_year_wall_s", b.first_year[k].wall_s},
                                          {"ratio", all / alone}});
    }
  }
  return json_text(json);
}

// The stress commands' examples (docs/performance.md), each timed once on
// `threads` threads and set against a single run of the same scenario at
// the same thread count: an 11-point sweep of the CIP delivery mean, the
// README's Staffordshire breakeven (20,000 trials) and calibrate on the
// shipped targets; and the model build, inverse-beta table included.
struct StressFigure {
  std::string name;
  double seconds = 0.0;
  std::string detail;
};

std::string passes_text(int passes) {
  return std::to_string(passes) + (passes == 1 ? " pass" : " passes");
}

double seconds_of(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<StressFigure> stress_figures(const BenchArgs& a, const Inputs& in, int threads,
                                         const Targets& targets) {
  std::vector<StressFigure> out;
  const RunOptions options{threads};
  const std::vector<Override> base = overrides(a);
  // A fresh table each build: a delivery mean no earlier run used.
  std::vector<double> builds;
  for (int k = 1; k <= 5; ++k) {
    Scenario s = in.scenario;
    s.cip_delivery.mean += 1e-7 * k;
    builds.push_back(seconds_of([&] { (void)build_model(s, in.table); }));
  }
  std::sort(builds.begin(), builds.end());
  out.push_back({"model build (new inverse-beta table)", builds[2], "median of 5"});
  out.push_back({"single run",
                 seconds_of([&] { (void)run_scenario(in.scenario, in.table, options); }),
                 std::to_string(in.scenario.run.trials) + " trials"});
  {
    ScenarioRuns runs(a.scenario, base, options);
    Results given;
    const double t = seconds_of([&] {
      (void)run_sweep(runs, {"drivers.cip_delivery.mean", 0.45, 0.95, 11}, &given);
    });
    out.push_back({"sweep, 11 points", t,
                   std::to_string(runs.runs()) + " runs in " + passes_text(runs.passes()) +
                       " (drivers.cip_delivery.mean 0.45 to 0.95, and the scenario)"});
  }
  {
    std::vector<Override> o = base;
    o.push_back({"run.trials", "20000"});
    ScenarioRuns runs(a.scenario, o, options);
    BreakevenSpec spec;
    spec.param = "drivers.cip_delivery.mean";
    spec.p = 0.1;
    spec.from = 0.4;
    spec.to = 0.95;
    spec.tolerance = 0.005;
    spec.max_red = 24.0;
    spec.pooled = true;
    Results given;
    const double t = seconds_of([&] { (void)run_breakeven(runs, spec, &given); });
    out.push_back(
        {"breakeven (README example)", t,
         std::to_string(runs.runs()) + " runs of 20000 trials in " + passes_text(runs.passes())});
  }
  {
    CalibrationOutcome fit;
    const double t = seconds_of([&] { fit = calibrate(a.scenario, base, targets, options); });
    out.push_back({"calibrate (shipped targets)", t,
                   std::to_string(fit.evaluations) + " evaluations of " +
                       std::to_string(targets.trials) + " trials in " + passes_text(fit.passes) +
                       ", " + (fit.converged ? "converged" : "NOT converged")});
  }
  return out;
}

void print_stress(const std::vector<StressFigure>& figures, int threads, std::ostream& out) {
  const double single = figures[1].seconds;
  out << "Stress commands (" << threads << (threads == 1 ? " thread" : " threads")
      << "; 'runs' = seconds / single run)\n";
  char line[320];
  for (const StressFigure& f : figures) {
    if (f.name.rfind("model build", 0) == 0) {
      std::snprintf(line, sizeof line, "  %-38s %9.1f ms          %s\n", f.name.c_str(),
                    1000.0 * f.seconds, f.detail.c_str());
    } else {
      std::snprintf(line, sizeof line, "  %-38s %9.2f s  %6.2f runs  %s\n", f.name.c_str(),
                    f.seconds, f.seconds / single, f.detail.c_str());
    }
    out << line;
  }
}

int bench_command(BenchArgs& a) {
  if (a.scenario.empty()) a.scenario = shipped_file(kShippedBaseline);
  const MachineInfo machine = machine_info();
  const std::vector<int> threads =
      a.threads ? parse_thread_list(*a.threads) : default_thread_list(machine.logical_cpus);
  const Inputs in = load_inputs(a.scenario, overrides(a));
  // --stress's targets are read before any run, so a bad file costs nothing.
  std::optional<Targets> targets;
  std::vector<fs::path> inputs = in.files();
  if (a.stress) {
    if (in.scenario.horizon.years > 1)
      throw InputError("--stress: " + a.scenario.filename().string() +
                       " has horizon.years = " + std::to_string(in.scenario.horizon.years) +
                       "; the stress examples are timed on a one-year scenario (the baseline)");
    if (a.targets.empty()) a.targets = shipped_file(kShippedTargets);
    targets = load_targets(a.targets);
    inputs.push_back(a.targets);
  }
  if (!a.json.empty()) check_output_file(a.json, inputs, "JSON file");
  const BenchOutcome b = run_rounds(in, threads, a.rounds, a.quiet);
  const Results& r = b.first();
  const double ccg_trials = static_cast<double>(r.provenance.trials) * r.code.size();
  const ScalingTable table =
      scaling_table(b.timings, ccg_trials, machine.logical_cpus, Comm::world().size());
  print_header(a, in, r, std::cout);
  print_scaling_table(table, machine.logical_cpus, std::cout);
  std::cout << "\n";
  print_machine(machine, std::cout);
  std::cout << "\n";
  print_identity(b, std::cout);
  if (!b.first_year.empty()) {
    std::cout << "\n";
    print_first_year(b, horizon_labels(in.scenario.horizon).size(), std::cout);
  }
  std::vector<StressFigure> stress;
  if (a.stress) {
    if (!a.quiet) std::cerr << "timing the stress commands...\n";
    stress = stress_figures(a, in, threads.back(), *targets);
    std::cout << "\n";
    print_stress(stress, threads.back(), std::cout);
  }
  if (!a.json.empty()) {
    std::string json = bench_json(a, in, b, table, machine);
    if (!stress.empty()) {
      nlohmann::ordered_json j = nlohmann::ordered_json::parse(json);
      for (const StressFigure& f : stress)
        j["stress"].push_back({{"name", f.name},
                               {"seconds", f.seconds},
                               {"single_runs", f.seconds / stress[1].seconds},
                               {"detail", f.detail}});
      json = json_text(j);
    }
    write_file_atomically(a.json, json);
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
                      .append(kShippedBaseline)
                      .append(" in the working folder, else beside this ccgrisk's build or "
                              "installation, else in the source tree ")
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
  cmd->add_option("--json", a->json, "Also write the table and machine as JSON to this file")
      ->check(not_empty());
  cmd->add_option("--set", a->sets,
                  "Override a scenario key by its TOML path, e.g. --set run.copula=student_t "
                  "(repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", a->quiet, "No per-round progress on stderr");
  cmd->add_flag("--stress", a->stress,
                "Also time the stress commands' examples at the last thread count: an 11-point "
                "sweep, the README's breakeven, calibrate, and the model build "
                "(docs/performance.md)");
  cmd->add_option("--targets", a->targets,
                  std::string("Targets file for --stress's calibrate (default: ")
                      .append(kShippedTargets)
                      .append(")"));
  return {cmd, [a] { return bench_command(*a); }};
}

}  // namespace ccgrisk
