// ccgrisk reverse-stress SCENARIO --red K -o OUT.h5
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/stress_options.hpp"
#include "engine/reverse_stress.hpp"
#include "input/limits.hpp"
#include "output/results_file.hpp"
#include "output/stress_file.hpp"

namespace ccgrisk {

namespace {

struct ReverseStressArgs {
  StressArgs common;
  ReverseStressSpec spec;
  int show = 5;  // tipping CCGs listed per direction
};

std::string label(const StressDirection& d) {
  if (d.name != "combined") return d.name + (d.unit.sum() < 0 ? " -" : " +");
  return d.name;
}

std::string vector_text(const DriverVector& x) {
  std::string t = "[";
  char buf[24];
  for (int k = 0; k < kNumDrivers; ++k) {
    std::snprintf(buf, sizeof buf, "%s%.3f", k ? ", " : "", x[k]);
    t.append(buf);
  }
  return t.append("]");
}

void print_directions(const ReverseStressResult& r, std::ostream& out) {
  char line[200];
  std::snprintf(line, sizeof line, "  %-20s %10s %12s %13s  %s\n", "direction", "shock (sd)",
                "Mahalanobis", "expected red", "status");
  out << line;
  for (const StressDirection& d : r.directions) {
    const char* status = d.status == StressStatus::kReached  ? "reached"
                         : d.status == StressStatus::kAtBase ? "reached without a shock"
                                                             : "not reached within smax";
    char shock[24] = "-", length[24] = "-";
    if (!std::isnan(d.shock)) {
      std::snprintf(shock, sizeof shock, "%.3f", d.shock);
      std::snprintf(length, sizeof length, "%.3f", d.mahalanobis);
    }
    std::snprintf(line, sizeof line, "  %-20s %10s %12s %13.2f  %s\n", label(d).c_str(), shock,
                  length, d.expected_red, status);
    out << line;
  }
  const StressDirection& c = r.directions.back();
  out << "\n  combined direction u (acute, specialist, other, cip_delivery, transfer_mismatch) = "
      << vector_text(c.unit) << "\n  from the pressure gradient g = " << vector_text(r.gradient)
      << "\n";
}

// Per direction, the tipping CCGs that were not already more likely than
// not in the red without the shock (the file has the full list).
void print_tipping(const ReverseStressArgs& a, const Results& base, const ReverseStressResult& r,
                   std::ostream& out) {
  out << "\nThe CCGs that tip first: of the " << r.directions.front().tipping.size()
      << " with the highest P(red) at the shock, those with P(red) < 0.5 without it\n";
  char line[200];
  for (const StressDirection& d : r.directions) {
    out << "  " << label(d) << (d.status == StressStatus::kNotReached ? " (at smax)" : "") << "\n";
    int shown = 0, already = 0, more = 0;
    for (int i : d.tipping) {
      if (r.base_p_red[i] >= 0.5) {
        ++already;
      } else if (shown < a.show) {
        std::snprintf(line, sizeof line, "    %-5s %-40.40s %7.4f -> %7.4f\n", base.code[i].c_str(),
                      base.name[i].c_str(), r.base_p_red[i], d.p_red[i]);
        out << line;
        ++shown;
      } else {
        ++more;
      }
    }
    if (more || already)
      out << "    ... " << more << " more, and " << already
          << " already more likely than not in the red without the shock\n";
  }
}

void print_reverse_stress(const ReverseStressArgs& a, const ScenarioRuns& runs, const Results& base,
                          const ReverseStressResult& r, std::ostream& out) {
  char head[160];
  std::snprintf(head, sizeof head,
                "  smallest national shock with >= %s CCGs in the red in expectation (%s); "
                "%.2f without a shock\n",
                shown(r.spec.red).c_str(), r.spec.pooled ? "after pooling" : "before pooling",
                r.base_expected_red);
  out << "ccgrisk reverse-stress  " << a.common.scenario.string() << "\n"
      << head << "  " << cost_line(runs) << "\n\n";
  print_directions(r, out);
  print_tipping(a, base, r, out);
  out << "\nResults written to " << a.common.output.string() << " (/reverse_stress)\n";
}

int reverse_stress(const ReverseStressArgs& a) {
  ScenarioRuns runs = open_runs(a.common);
  check_reverse_stress(runs, a.spec);
  const Results base = runs.run(runs.base(), "scenario as given");
  const ReverseStressResult r = run_reverse_stress(runs, base, a.spec);
  write_stress_results(runs, base, a.common.output, [&](const h5::File& file) {
    write_reverse_stress_group(file, r, base.code, runs.runs(), runs.seconds());
  });
  if (!a.common.quiet) print_reverse_stress(a, runs, base, r, std::cout);
  return kExitOk;
}

}  // namespace

Command add_reverse_stress_command(CLI::App& app) {
  auto a = std::make_shared<ReverseStressArgs>();
  CLI::App* cmd = app.add_subcommand(
      "reverse-stress",
      "The smallest national shock under which K CCGs are in the red in expectation");
  add_stress_options(cmd, a->common);
  cmd->add_option("--red", a->spec.red, "K: expected number of CCGs in the red to reach")
      ->required();
  cmd->add_option("--smax", a->spec.smax, "Largest shock searched, in sd (default 10)");
  cmd->add_option("--tolerance", a->spec.tolerance,
                  "Relative precision of the shock (default 0.005: within 0.5%)");
  cmd->add_flag("--pooled", a->spec.pooled, "Count CCGs in the red after risk sharing");
  cmd->add_option("--show", a->show, "Tipping CCGs listed per direction (default 5)")
      ->check(whole_number(0, limits::kMaxListed));
  return {cmd, [a] { return reverse_stress(*a); }};
}

}  // namespace ccgrisk
