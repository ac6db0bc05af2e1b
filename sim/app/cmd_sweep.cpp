// ccgrisk sweep SCENARIO --param KEY --from A --to B --steps N -o OUT.h5
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/stress_options.hpp"
#include "engine/sweep.hpp"
#include "input/limits.hpp"
#include "output/results_file.hpp"
#include "output/stress_file.hpp"

namespace ccgrisk {

namespace {

struct SweepArgs {
  StressArgs common;
  SweepSpec spec;
};

void print_sweep(const SweepArgs& a, const ScenarioRuns& runs, const Results& base,
                 const SweepResult& s, std::ostream& out) {
  out << "ccgrisk sweep  " << a.common.scenario.string() << "\n  " << s.param << " from "
      << shown(a.spec.from) << " to " << shown(a.spec.to) << " in " << a.spec.steps << " points; "
      << cost_line(runs) << "\n\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %-26s %44s\n", "", "CCGs in the red: expected number");
  out << line;
  std::snprintf(line, sizeof line, "  %-26s %14s %14s %14s\n", s.param.c_str(), "before pooling",
                "after pooling", "5-95% range");
  out << line;
  for (std::size_t j = 0; j < s.values.size(); ++j) {
    std::snprintf(line, sizeof line, "  %-26s %14.2f %14.2f %8.0f - %-4.0f\n",
                  shown(s.values[j]).c_str(), s.expected_red[j], s.expected_red_pooled[j],
                  s.count_red_q05[j], s.count_red_q95[j]);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-26s %14.2f %14.2f %8.0f - %-4.0f\n", "scenario as given",
                base.national.expected_red, base.national.expected_red_pooled,
                base.national.count_red_q05_q50_q95[0], base.national.count_red_q05_q50_q95[2]);
  out << line << "\nResults written to " << a.common.output.string() << " (/sweep)\n";
}

int sweep(const SweepArgs& a) {
  ScenarioRuns runs = open_runs(a.common);
  check_sweep(runs, a.spec);
  warn_year_tables(runs.base(), a.spec.param, "--param " + a.spec.param);
  Results base;
  const SweepResult s = run_sweep(runs, a.spec, &base);
  write_stress_results(runs, base, a.common.output, [&](const h5::File& file) {
    write_sweep_group(file, s, runs.runs(), runs.seconds());
  });
  if (!a.common.quiet) print_sweep(a, runs, base, s, std::cout);
  return kExitOk;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto a = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a scenario over a range of one key's values with common random numbers");
  add_stress_options(cmd, a->common);
  cmd->add_option("--param", a->spec.param, "Scenario key to vary, e.g. drivers.cip_delivery.mean")
      ->required();
  cmd->add_option("--from", a->spec.from, "First value")->required();
  cmd->add_option("--to", a->spec.to, "Last value")->required();
  cmd->add_option("--steps", a->spec.steps, "Number of values, from and to included")
      ->check(whole_number(2, limits::kMaxSweepSteps))
      ->required();
  return {cmd, [a] { return sweep(*a); }};
}

}  // namespace ccgrisk
