// ccgrisk breakeven SCENARIO --param KEY --p 0.5 [--from A --to B] [--max-red K] -o OUT.h5
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numeric>
#include <tuple>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/stress_options.hpp"
#include "engine/breakeven.hpp"
#include "input/error.hpp"
#include "input/limits.hpp"
#include "output/results_file.hpp"
#include "output/stress_file.hpp"

namespace ccgrisk {

namespace {

struct BreakevenArgs {
  StressArgs common;
  BreakevenSpec spec;
  std::optional<double> from, to;
  int top = 15;
  std::vector<std::string> ccgs;  // --ccg: list these instead of the top ones
};

const char* status_word(Crossing c) {
  switch (c) {
    case Crossing::kCrosses:
      return "";
    case Crossing::kNever:
      return "never above p";
    case Crossing::kAlways:
      return "always above p";
    default:
      return "not monotone";
  }
}

// "<= 0.73125" or ">= 0.73125": the side of the value where P(red) <= p,
// with one more decimal than the tolerance resolves (the file has them all).
std::string safe_side(std::int64_t direction, double value, double tolerance) {
  const int decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(tolerance))) + 1, 0, 15);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%.*f", direction > 0 ? "<= " : ">= ", decimals, value);
  return buf;
}

void print_counts(const BreakevenResult& b, std::ostream& out) {
  int count[4] = {0, 0, 0, 0};
  for (Crossing c : b.ccg.status)
    ++count[static_cast<int>(c)];
  out << "  CCGs crossing p in the range: " << count[0] << "; never above p: " << count[1]
      << "; always above p: " << count[2];
  if (count[3]) out << "; not monotone: " << count[3];
  out << "\n  runs: " << b.points_per_level[0] << " grid points";
  for (std::size_t l = 1; l < b.points_per_level.size(); ++l)
    out << (l == 1 ? " + bisection levels of " : ", ") << b.points_per_level[l];
  char line[96];
  std::snprintf(line, sizeof line, " = %d search runs in %.1f s\n\n", b.runs, b.seconds);
  out << line;
}

// The rows of `codes` in the table; throws InputError for an unknown code.
std::vector<int> listed(const std::vector<std::string>& codes,
                        const std::vector<std::string>& table) {
  std::vector<int> rows;
  for (const std::string& c : codes) {
    const auto it = std::find(table.begin(), table.end(), c);
    if (it == table.end())
      throw InputError(
          std::string("--ccg ").append(c).append(": no CCG with that code in the table"));
    rows.push_back(static_cast<int>(it - table.begin()));
  }
  return rows;
}

void print_ccgs(const BreakevenArgs& a, const Results& base, const BreakevenResult& b,
                std::ostream& out) {
  const std::vector<double>& p_base = a.spec.pooled ? base.after.p_red : base.before.p_red;
  std::vector<int> order = listed(a.ccgs, base.code);
  if (order.empty()) {
    const std::vector<std::size_t> ranked = descending_order(p_base);
    order.assign(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min<std::size_t>(ranked.size(), a.top)));
    out << "The " << order.size() << " CCGs most likely to be in the red (scenario as given)\n";
  } else {
    out << "The CCGs asked for (--ccg); P(red) in the scenario as given\n";
  }
  char line[200];
  std::snprintf(line, sizeof line, "  %-5s %-40s %8s  %-22s %s\n", "code", "name", "P(red)",
                "P(red) <= p needs", "P(red) there");
  out << line;
  for (int i : order) {
    const std::string where = b.ccg.status[i] == Crossing::kCrosses
                                  ? safe_side(b.ccg.direction[i], b.ccg.value[i], b.spec.tolerance)
                                  : status_word(b.ccg.status[i]);
    char there[16] = "";
    if (!std::isnan(b.p_red_at_value[i]))
      std::snprintf(there, sizeof there, "%.4f", b.p_red_at_value[i]);
    std::snprintf(line, sizeof line, "  %-5s %-40.40s %8.4f  %-22s %s\n", base.code[i].c_str(),
                  base.name[i].c_str(), p_base[i], where.c_str(), there);
    out << line;
  }
}

void print_system(const BreakevenResult& b, std::ostream& out) {
  if (!b.spec.max_red) return;
  out << "\nSystem: expected number of CCGs in the red <= " << shown(*b.spec.max_red);
  const Crossing c = b.system.status[0];
  if (c == Crossing::kCrosses) {
    char tail[64];
    std::snprintf(tail, sizeof tail, " (expected %.2f there)\n", b.expected_red_at_system);
    out << " needs " << b.spec.param << " "
        << safe_side(b.system.direction[0], b.system.value[0], b.spec.tolerance) << tail;
  } else if (c == Crossing::kNever) {
    out << " over the whole range\n";
  } else if (c == Crossing::kAlways) {
    out << " is not reached anywhere in the range\n";
  } else {
    out << ": not monotone over the range (both ends on the same side)\n";
  }
}

void print_breakeven(const BreakevenArgs& a, const ScenarioRuns& runs, const Results& base,
                     const BreakevenResult& b, std::ostream& out) {
  out << "ccgrisk breakeven  " << a.common.scenario.string() << "\n  " << b.spec.param
      << " where P(red) crosses " << shown(b.spec.p)
      << (b.spec.pooled ? " (after risk sharing)" : " (before risk sharing)") << ", searched over ["
      << shown(b.spec.from) << ", " << shown(b.spec.to) << "] to within " << shown(b.spec.tolerance)
      << "\n  " << cost_line(runs) << "\n";
  print_counts(b, out);
  print_ccgs(a, base, b, out);
  print_system(b, out);
  out << "\nResults written to " << a.common.output.string() << " (/breakeven)\n";
}

int breakeven(BreakevenArgs a) {
  ScenarioRuns runs = open_runs(a.common);
  check_param_key(a.spec.param);
  warn_year_tables(runs.base(), a.spec.param, "--param " + a.spec.param);
  if (a.from.has_value() != a.to.has_value())
    throw InputError(
        "give both --from and --to, or neither (the default range is the current "
        "value +-50%, as far as the scenario accepts)");
  std::tie(a.spec.from, a.spec.to) =
      a.from ? std::pair(*a.from, *a.to) : default_range(runs, a.spec.param);
  check_breakeven(runs, a.spec);
  std::vector<std::string> codes;
  for (const CcgRecord& r : runs.table().rows)
    codes.push_back(r.code);
  (void)listed(a.ccgs, codes);  // unknown codes fail before any run
  Results base;
  const BreakevenResult b = run_breakeven(runs, a.spec, &base);
  write_stress_results(runs, base, a.common.output, [&](const h5::File& file) {
    write_breakeven_group(file, b, runs.runs(), runs.seconds());
  });
  if (!a.common.quiet) print_breakeven(a, runs, base, b, std::cout);
  return kExitOk;
}

}  // namespace

Command add_breakeven_command(CLI::App& app) {
  auto a = std::make_shared<BreakevenArgs>();
  CLI::App* cmd = app.add_subcommand(
      "breakeven", "Per CCG, the value of a scenario key at which P(red) crosses p (goal seek)");
  add_stress_options(cmd, a->common);
  cmd->add_option("--param", a->spec.param,
                  "Scenario key to search, e.g. drivers.cip_delivery.mean")
      ->required();
  cmd->add_option("--p", a->spec.p, "The P(red) to cross, in (0, 1)")->required();
  cmd->add_option("--from", a->from,
                  "Start of the range (default: current value - 50%, pulled back halfway until "
                  "the scenario accepts it)");
  cmd->add_option("--to", a->to,
                  "End of the range (default: current value + 50%, pulled back halfway until "
                  "the scenario accepts it)");
  cmd->add_option("--max-red", a->spec.max_red,
                  "Also find the value keeping the expected number of CCGs in the red <= K");
  cmd->add_option("--grid", a->spec.grid, "Coarse grid points before bisection (default 17)")
      ->check(whole_number(3, limits::kMaxGrid));
  cmd->add_option("--tolerance", a->spec.tolerance,
                  "Width of the final brackets (default: (to - from) / 1000)");
  cmd->add_flag("--pooled", a->spec.pooled, "Use P(red) and counts after risk sharing");
  cmd->add_option("--top", a->top, "CCGs to list (default 15)")
      ->check(whole_number(0, limits::kMaxListed));
  cmd->add_option("--ccg", a->ccgs,
                  "List these CCGs (ODS codes, repeatable) instead of the top ones")
      ->type_name("CODE")
      ->delimiter(',')
      ->allow_extra_args(false);
  return {cmd, [a] { return breakeven(*a); }};
}

}  // namespace ccgrisk
