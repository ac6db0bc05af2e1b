#include "engine/calibrate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "input/ccg_table.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

const GroupStats* find_group(const std::vector<GroupStats>& groups, const std::string& key,
                             bool by_code) {
  for (const GroupStats& g : groups)
    if ((by_code ? g.code : g.name) == key) return &g;
  return nullptr;
}

const GroupStats* target_group(const Target& t, const Results& r) {
  const std::string& g = t.group;
  const std::size_t colon = g.find(':');
  const std::string kind = g.substr(0, colon),
                    key = colon == std::string::npos ? "" : g.substr(colon + 1);
  if (kind == "national") return &r.national;
  if (kind == "region") return find_group(r.regions, key, false);
  if (kind == "area_team") return find_group(r.area_teams, key, true);
  if (kind == "pool") return find_group(r.pools, key, true);
  return nullptr;
}

const HubStats* target_hub(const Target& t, const Results& r) {
  if (t.group.rfind("hub:", 0) != 0) return nullptr;
  for (const HubStats& h : r.hubs)
    if (h.name == t.group.substr(4)) return &h;
  return nullptr;
}

// A statistic of a ccg:CODE or ccgs:NAME group, from the per-CCG results
// (before risk sharing): counts are sums of the members' P(red) (over those
// that planned no deficit, or did, for the unplanned and planned counts),
// the total surplus the sum of their mean outturns. The Monte Carlo error of
// a sum is bounded by the sum of the members' errors (sd(X + Y) <= sd(X) +
// sd(Y) whatever their correlation); for one CCG it is exact.
Measured measure_members(const Target& t, const Results& r, std::size_t index,
                         const fs::path& targets_path) {
  const double n = static_cast<double>(r.provenance.trials);
  Measured m;
  for (const std::string& code : t.members) {
    const auto it = std::find(r.code.begin(), r.code.end(), code);
    if (it == r.code.end())
      throw InputError(targets_path.string() + ": target[" + std::to_string(index) +
                       "].group = \"" + t.group + "\": no CCG '" + code +
                       "' in this run's results");
    const std::size_t i = static_cast<std::size_t>(it - r.code.begin());
    const bool planned = i < r.planned_deficit.size() && r.planned_deficit[i] != 0;
    const double p = r.before.p_red[i], se = r.before.p_red_se[i];
    switch (t.statistic) {
      case Statistic::kTotalSurplusMeanK:
        m.value += r.before.surplus_mean_k[i];
        m.se += r.before.surplus_sd_k[i] / std::sqrt(n);
        break;
      case Statistic::kExpectedUnplannedRed:
        if (!planned) m.value += p, m.se += se;
        break;
      case Statistic::kExpectedPlannedRed:
        if (planned) m.value += p, m.se += se;
        break;
      default:  // expected_red, p_red
        m.value += p, m.se += se;
        break;
    }
  }
  return m;
}

std::string format(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

// Shared state of one calibration: the inputs and the evaluation counter.
class Fit {
 public:
  Fit(const fs::path& path, const std::vector<Override>& base, const Targets& targets,
      const RunOptions& options)
      : path_(path), base_(base), targets_(targets), options_(options) {
    text_ = read_input_file(path, "the scenario file");
    table_ = read_ccg_table(scenario_with_overrides(text_, path_, base_).ccgs);
  }

  // The run at parameter values `x`, and each target's signed miss.
  Results run(const std::vector<double>& x) {
    std::vector<Override> overrides = base_;
    for (Override& o : parameter_overrides(targets_, x))
      overrides.push_back(std::move(o));
    Scenario s = scenario_with_overrides(text_, path_, overrides);
    s.run.trials = targets_.trials;
    ++evaluations_;
    return run_scenario(s, table_, options_);
  }

  double miss(std::size_t i, const Results& r) const {
    return measure(targets_.targets[i], r, targets_.path, i).value - targets_.targets[i].value;
  }

  // Solves miss_i(x) = 0 in x[i] by Illinois regula falsi: first on a
  // bracket of 5% of the range around the current value (later sweeps start
  // close to the root), else on the whole [lower, upper].
  void solve(std::size_t i, std::vector<double>& x, bool first_sweep) {
    const Target& t = targets_.targets[i];
    if (!first_sweep) {
      const double step = 0.05 * (t.upper - t.lower);
      const double a = std::max(t.lower, x[i] - step), b = std::min(t.upper, x[i] + step);
      const double fa = at(i, x, a), fb = at(i, x, b);
      if (fa * fb <= 0) return illinois(i, x, a, fa, b, fb);
    }
    const double fa = at(i, x, t.lower), fb = at(i, x, t.upper);
    if (fa * fb > 0) unreachable(i, fa, fb);
    illinois(i, x, t.lower, fa, t.upper, fb);
  }

  void illinois(std::size_t i, std::vector<double>& x, double a, double fa, double b, double fb) {
    const Target& t = targets_.targets[i];
    const double goal = stop(t);
    x[i] = std::abs(fa) < std::abs(fb) ? a : b;
    if (std::min(std::abs(fa), std::abs(fb)) <= goal) return;
    int side = 0;
    for (int iteration = 0; iteration < 40; ++iteration) {
      const double c = (fa * b - fb * a) / (fa - fb);
      const double fc = at(i, x, c);
      if (std::abs(fc) <= goal || std::abs(b - a) < 1e-9 * (t.upper - t.lower)) return;
      if (fc * fb < 0) {
        a = b, fa = fb;
        if (side == -1) fa /= 2;  // Illinois: halve the stale end's value
        side = -1;
      } else {
        if (side == 1) fa /= 2;
        side = 1;
      }
      b = c, fb = fc;
    }
  }

  static double stop(const Target& t) { return t.tolerance > 0 ? 0.05 * t.tolerance : 1e-9; }
  int evaluations() const { return evaluations_; }

 private:
  double at(std::size_t i, std::vector<double>& x, double value) {
    x[i] = value;
    return miss(i, run(x));
  }

  [[noreturn]] void unreachable(std::size_t i, double fa, double fb) const {
    const Target& t = targets_.targets[i];
    throw InputError(targets_.path.string() + ": target[" + std::to_string(i) + "] '" + t.name +
                     "' = " + format(t.value) + " is unreachable: with " + *t.parameter + " = " +
                     format(t.lower) + " the model gives " + format(t.value + fa) + ", with " +
                     format(t.upper) + " it gives " + format(t.value + fb) +
                     " (widen lower/upper or choose another parameter)");
  }

  fs::path path_;
  std::vector<Override> base_;
  const Targets& targets_;
  RunOptions options_;
  std::string text_;
  CcgTable table_;
  int evaluations_ = 0;
};

}  // namespace

Measured measure(const Target& t, const Results& r, const fs::path& targets_path,
                 std::size_t index) {
  const double n = static_cast<double>(r.provenance.trials);
  const auto missing = [&] {
    return InputError(targets_path.string() + ": target[" + std::to_string(index) + "].group = \"" +
                      t.group + "\": no such group in this run's results");
  };
  switch (t.statistic) {
    case Statistic::kSpecialisedDeficitMeanK:
      return {r.specialised.overspend_mean_k, r.specialised.overspend_sd_k / std::sqrt(n)};
    case Statistic::kHubsOverspending: {
      double sum = 0, var = 0;
      for (const HubStats& h : r.hubs)
        sum += h.p_overspend, var += h.p_overspend * (1 - h.p_overspend);
      return {sum, std::sqrt(var / n)};
    }
    case Statistic::kHubOverspendMeanPct: {
      const HubStats* h = target_hub(t, r);
      if (!h) throw missing();
      return {100.0 * h->overspend_mean_k / h->budget_k,
              100.0 * h->overspend_sd_k / h->budget_k / std::sqrt(n)};
    }
    default:
      break;
  }
  if (!t.members.empty()) return measure_members(t, r, index, targets_path);
  const GroupStats* g = target_group(t, r);
  if (!g) throw missing();
  switch (t.statistic) {
    case Statistic::kExpectedRed:
      return {g->expected_red, g->expected_red_se};
    case Statistic::kExpectedUnplannedRed:
      return {g->expected_unplanned_red, g->expected_unplanned_red_se};
    case Statistic::kExpectedPlannedRed:  // se: the bound se(red) + se(unplanned)
      return {g->expected_planned_red, g->expected_red_se + g->expected_unplanned_red_se};
    default:
      return {g->total_surplus_mean_k, g->total_surplus_sd_k / std::sqrt(n)};
  }
}

std::vector<Override> parameter_overrides(const Targets& targets, const std::vector<double>& x) {
  std::vector<Override> out;
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    const Target& t = targets.targets[i];
    if (t.parameter) out.push_back({*t.parameter, format(x[i]), "calibrate: " + *t.parameter});
  }
  return out;
}

CalibrationOutcome calibrate(const fs::path& scenario_path, const std::vector<Override>& base,
                             const Targets& targets, const RunOptions& options) {
  Fit fit(scenario_path, base, targets, options);
  const std::size_t m = targets.targets.size();
  CalibrationOutcome out;
  out.parameters.assign(m, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < m; ++i) {
    const Target& t = targets.targets[i];
    if (t.parameter) out.parameters[i] = std::clamp(0.0, t.lower, t.upper);
  }
  for (out.sweeps = 1; out.sweeps <= targets.max_sweeps; ++out.sweeps) {
    for (std::size_t i = 0; i < m; ++i)
      if (targets.targets[i].parameter) fit.solve(i, out.parameters, out.sweeps == 1);
    out.results = fit.run(out.parameters);
    out.converged = true;
    for (std::size_t i = 0; i < m; ++i) {
      if (!targets.targets[i].parameter) continue;
      if (std::abs(fit.miss(i, out.results)) > Fit::stop(targets.targets[i])) out.converged = false;
    }
    if (out.converged) break;
  }
  out.sweeps = std::min(out.sweeps, targets.max_sweeps);
  for (std::size_t i = 0; i < m; ++i)
    out.achieved.push_back(measure(targets.targets[i], out.results, targets.path, i));
  out.evaluations = fit.evaluations();
  return out;
}

}  // namespace ccgrisk
