#include "engine/calibrate.hpp"

#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "input/ccg_table.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

const GroupStats* find_group(const std::vector<GroupStats>& groups, const std::string& key,
                             bool by_code) {
  for (const GroupStats& g : groups)
    if ((by_code ? g.code : g.name) == key) return &g;
  return nullptr;
}

// A target's group kind ("national", "region", "hub", ...) and its key
// (what follows the colon; empty without one).
std::string_view group_kind(const Target& t) {
  return std::string_view(t.group).substr(0, t.group.find(':'));
}
std::string group_key(const Target& t) {
  const std::size_t colon = t.group.find(':');
  return colon == std::string::npos ? "" : t.group.substr(colon + 1);
}

const GroupStats* target_group(const Target& t, const Results& r) {
  const std::string_view kind = group_kind(t);
  const std::string key = group_key(t);
  if (kind == "national") return &r.national;
  if (kind == "region") return find_group(r.regions, key, false);
  if (kind == "area_team") return find_group(r.area_teams, key, true);
  if (kind == "pool") return find_group(r.pools, key, true);
  return nullptr;
}

const HubStats* target_hub(const Target& t, const Results& r) {
  if (group_kind(t) != "hub") return nullptr;
  const std::string name = group_key(t);
  for (const HubStats& h : r.hubs)
    if (h.name == name) return &h;
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

// One key's bracketed Illinois (modified regula falsi) solve of
// miss_i(x with x[i] = v) = 0, the other keys held: first on a bracket of 5%
// of the range around the current value (later sweeps start close to the
// root), else on the whole [lower, upper]. Written as a state machine that
// asks for values and is told their misses, so that every key's next
// evaluations run together in one pass over the trials.
class KeySolve {
 public:
  KeySolve(std::size_t index, const Target& t, double current, bool first_sweep)
      : index_(index), lower_(t.lower), upper_(t.upper), goal_(stop(t)), value_(current) {
    if (first_sweep) {
      wide();
    } else {
      const double step = 0.05 * (upper_ - lower_);
      state_ = State::kNarrow;
      wanted_ = {std::max(lower_, current - step), std::min(upper_, current + step)};
    }
  }

  static double stop(const Target& t) { return t.tolerance > 0 ? 0.05 * t.tolerance : 1e-9; }

  std::size_t index() const { return index_; }
  bool done() const { return state_ == State::kDone; }
  const std::vector<double>& wanted() const { return wanted_; }
  double value() const { return value_; }
  // When both ends of the whole range miss on the same side: their misses.
  bool unreachable() const { return state_ == State::kUnreachable; }
  double miss_at_lower() const { return fa_; }
  double miss_at_upper() const { return fb_; }

  // The misses at wanted(), in order.
  void told(const std::vector<double>& miss) {
    switch (state_) {
      case State::kNarrow:
        value_ = wanted_[1];
        if (miss[0] * miss[1] <= 0) return start(wanted_[0], miss[0], wanted_[1], miss[1]);
        return wide();
      case State::kWide:
        value_ = upper_;
        if (miss[0] * miss[1] > 0) {
          fa_ = miss[0], fb_ = miss[1];
          state_ = State::kUnreachable;
          wanted_.clear();
          return;
        }
        return start(lower_, miss[0], upper_, miss[1]);
      case State::kIterate:
        return step(miss[0]);
      default:
        return;
    }
  }

 private:
  enum class State { kNarrow, kWide, kIterate, kDone, kUnreachable };

  void wide() {
    state_ = State::kWide;
    wanted_ = {lower_, upper_};
  }

  void start(double a, double fa, double b, double fb) {
    value_ = std::abs(fa) < std::abs(fb) ? a : b;
    if (std::min(std::abs(fa), std::abs(fb)) <= goal_) return finish();
    a_ = a, fa_ = fa, b_ = b, fb_ = fb;
    side_ = 0;
    iteration_ = 0;
    state_ = State::kIterate;
    wanted_ = {(fa_ * b_ - fb_ * a_) / (fa_ - fb_)};
  }

  void step(double fc) {
    const double c = wanted_[0];
    value_ = c;
    if (std::abs(fc) <= goal_ || std::abs(b_ - a_) < 1e-9 * (upper_ - lower_)) return finish();
    if (fc * fb_ < 0) {
      a_ = b_, fa_ = fb_;
      if (side_ == -1) fa_ /= 2;  // Illinois: halve the stale end's value
      side_ = -1;
    } else {
      if (side_ == 1) fa_ /= 2;
      side_ = 1;
    }
    b_ = c, fb_ = fc;
    if (++iteration_ == 40) return finish();
    wanted_ = {(fa_ * b_ - fb_ * a_) / (fa_ - fb_)};
  }

  void finish() {
    state_ = State::kDone;
    wanted_.clear();
  }

  std::size_t index_;
  double lower_, upper_, goal_;
  double value_;
  State state_ = State::kWide;
  std::vector<double> wanted_;
  double a_ = 0, fa_ = 0, b_ = 0, fb_ = 0;
  int side_ = 0;
  int iteration_ = 0;
};

// Shared state of one calibration: the inputs and the evaluation counter.
class Fit {
 public:
  Fit(const fs::path& path, const std::vector<Override>& base, const Targets& targets,
      const RunOptions& options)
      : path_(path), base_(base), targets_(targets), options_(options) {
    text_ = read_input_file(path, "the scenario file");
    // Only the groups the targets name are tallied.
    for (const Target& t : targets.targets) {
      const std::string_view kind = group_kind(t);
      if (kind == "area_team" || kind == "pool")
        groups_ = GroupLevels::kAll;
      else if (kind == "region" && groups_ == GroupLevels::kNation)
        groups_ = GroupLevels::kRegions;
    }
    table_ = read_ccg_table(scenario_with_overrides(text_, path_, base_).ccgs);
  }

  // The runs at parameter values `xs`, in one pass over the trials; each
  // keeps what the targets read (Tallies::kCounts, bit-identical there to
  // a complete run).
  std::vector<Results> evaluate(const std::vector<std::vector<double>>& xs) {
    std::vector<Scenario> points;
    for (const std::vector<double>& x : xs)
      points.push_back(scenario_at(x));
    evaluations_ += static_cast<int>(points.size());
    ++passes_;
    return run_points(points, table_, options_,
                      std::vector<Tallies>(points.size(), Tallies::kCounts), groups_);
  }

  double miss(std::size_t i, const Results& r) const {
    return measure(targets_.targets[i], r, targets_.path, i).value - targets_.targets[i].value;
  }

  // One Jacobi sweep: every key in `keys` solved with the others held at
  // `x`, all keys' searches advancing together, each round of evaluations
  // in one pass over the trials; then x takes every key's solution.
  void sweep(std::vector<double>& x, const std::vector<std::size_t>& keys, bool first_sweep) {
    std::vector<KeySolve> solves;
    for (std::size_t i : keys)
      solves.emplace_back(i, targets_.targets[i], x[i], first_sweep);
    for (;;) {
      std::vector<std::vector<double>> points;
      for (const KeySolve& k : solves) {
        for (double v : k.wanted()) {
          points.push_back(x);
          points.back()[k.index()] = v;
        }
      }
      if (points.empty()) break;
      const std::vector<Results> results = evaluate(points);
      std::size_t next = 0;
      for (KeySolve& k : solves) {
        std::vector<double> misses;
        for (std::size_t j = 0; j < k.wanted().size(); ++j)
          misses.push_back(miss(k.index(), results[next++]));
        if (!misses.empty()) k.told(misses);
        if (k.unreachable()) unreachable(k.index(), k.miss_at_lower(), k.miss_at_upper());
      }
    }
    for (const KeySolve& k : solves)
      x[k.index()] = k.value();
  }

  // Each fitted key's slope at `x`: x[i] +- 1% of its range, every key's
  // two points in one pass.
  std::vector<double> slopes(const std::vector<double>& x) {
    const std::size_t m = targets_.targets.size();
    std::vector<std::vector<double>> points;
    std::vector<std::size_t> keys;
    std::vector<double> step;
    for (std::size_t i = 0; i < m; ++i) {
      const Target& t = targets_.targets[i];
      if (!t.parameter) continue;
      const double h = 0.01 * (t.upper - t.lower);
      for (double sign : {-1.0, 1.0}) {
        points.push_back(x);
        points.back()[i] += sign * h;
      }
      keys.push_back(i);
      step.push_back(h);
    }
    std::vector<double> out(m, std::numeric_limits<double>::quiet_NaN());
    if (points.empty()) return out;
    const std::vector<Results> results = evaluate(points);
    for (std::size_t k = 0; k < keys.size(); ++k)
      out[keys[k]] =
          (miss(keys[k], results[2 * k + 1]) - miss(keys[k], results[2 * k])) / (2.0 * step[k]);
    return out;
  }

  int evaluations() const { return evaluations_; }
  int passes() const { return passes_; }

 private:
  Scenario scenario_at(const std::vector<double>& x) const {
    std::vector<Override> overrides = base_;
    for (Override& o : parameter_overrides(targets_, x))
      overrides.push_back(std::move(o));
    Scenario s = scenario_with_overrides(text_, path_, overrides);
    s.run.trials = targets_.trials;
    return s;
  }

  [[noreturn]] void unreachable(std::size_t i, double fa, double fb) const {
    const Target& t = targets_.targets[i];
    throw InputError(targets_.path.string() + ": target[" + std::to_string(i) + "] '" + t.name +
                     "' = " + number_text(t.value) + " is unreachable: with " + *t.parameter +
                     " = " + number_text(t.lower) + " the model gives " +
                     number_text(t.value + fa) + ", with " + number_text(t.upper) + " it gives " +
                     number_text(t.value + fb) +
                     " (widen lower/upper or choose another parameter)");
  }

  fs::path path_;
  std::vector<Override> base_;
  const Targets& targets_;
  RunOptions options_;
  std::string text_;
  CcgTable table_;
  GroupLevels groups_ = GroupLevels::kNation;
  int evaluations_ = 0;
  int passes_ = 0;
};

// A point of the fit: the parameters, the run there, the fitted targets'
// misses and the forward-difference columns d miss / d x[j] found there.
struct Iterate {
  std::vector<double> x;
  Results results;
  std::vector<double> miss;                           // per target; 0 where not fitted
  std::map<std::size_t, std::vector<double>> column;  // key j -> d miss / d x[j]
};

// The fit's progress measure: the sum of the fitted targets' squared
// misses, each in units of its stopping distance.
double badness(const Targets& targets, const std::vector<double>& miss) {
  double sum = 0;
  for (std::size_t i = 0; i < miss.size(); ++i) {
    if (!targets.targets[i].parameter) continue;
    const double scaled = miss[i] / KeySolve::stop(targets.targets[i]);
    sum += scaled * scaled;
  }
  return sum;
}

// The fitted keys whose targets are missed by more than their stopping
// distance.
std::vector<std::size_t> open_keys(const Targets& targets, const std::vector<double>& miss) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < miss.size(); ++i)
    if (targets.targets[i].parameter && std::abs(miss[i]) > KeySolve::stop(targets.targets[i]))
      out.push_back(i);
  return out;
}

// A key's forward-difference step: 1% of its range, backwards at the
// upper bound.
double difference_step(const Target& t, double x) {
  const double h = 0.01 * (t.upper - t.lower);
  return x + h <= t.upper ? h : -h;
}

// x + h e_j: key j moved by its difference step.
std::vector<double> with_step(const Targets& targets, std::vector<double> x, std::size_t j) {
  x[j] += difference_step(targets.targets[j], x[j]);
  return x;
}

// Key j's column at the iterate, from the run `r` at `moved` (with_step).
void set_column(const Fit& fit, const Targets& targets, Iterate& it, std::size_t j,
                const std::vector<double>& moved, const Results& r) {
  const double h = moved[j] - it.x[j];
  std::vector<double>& col = it.column[j];
  col.assign(it.x.size(), 0.0);
  for (std::size_t i = 0; i < it.x.size(); ++i)
    if (targets.targets[i].parameter) col[i] = (fit.miss(i, r) - it.miss[i]) / h;
}

// The runs at `x` and at x + h e_j for every key j in `keys`, in one pass:
// the iterate there with those keys' columns.
Iterate evaluate_at(Fit& fit, const Targets& targets, const std::vector<double>& x,
                    const std::vector<std::size_t>& keys) {
  std::vector<std::vector<double>> points{x};
  for (std::size_t j : keys)
    points.push_back(with_step(targets, x, j));
  std::vector<Results> results = fit.evaluate(points);
  Iterate it;
  it.x = x;
  it.miss.assign(x.size(), 0.0);
  for (std::size_t i = 0; i < x.size(); ++i)
    if (targets.targets[i].parameter) it.miss[i] = fit.miss(i, results[0]);
  for (std::size_t k = 0; k < keys.size(); ++k)
    set_column(fit, targets, it, keys[k], points[k + 1], results[k + 1]);
  it.results = std::move(results[0]);
  return it;
}

// The columns of `keys` added to an iterate (its point is not run again).
void add_columns(Fit& fit, const Targets& targets, Iterate& it,
                 const std::vector<std::size_t>& keys) {
  std::vector<std::vector<double>> points;
  for (std::size_t j : keys)
    points.push_back(with_step(targets, it.x, j));
  const std::vector<Results> results = fit.evaluate(points);
  for (std::size_t k = 0; k < keys.size(); ++k)
    set_column(fit, targets, it, keys[k], points[k], results[k]);
}

// The Newton step on the open keys: solves J dx = -miss over them (J from
// the iterate's columns), each key kept inside its bounds. Empty when J is
// singular.
std::optional<std::vector<double>> newton_point(const Targets& targets, const Iterate& it,
                                                const std::vector<std::size_t>& open) {
  const auto k = static_cast<Eigen::Index>(open.size());
  Eigen::MatrixXd jacobian(k, k);
  Eigen::VectorXd rhs(k);
  for (Eigen::Index a = 0; a < k; ++a) {
    rhs(a) = -it.miss[open[static_cast<std::size_t>(a)]];
    for (Eigen::Index b = 0; b < k; ++b)
      jacobian(a, b) =
          it.column.at(open[static_cast<std::size_t>(b)])[open[static_cast<std::size_t>(a)]];
  }
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(jacobian);
  if (!lu.isInvertible()) return std::nullopt;
  const Eigen::VectorXd step = lu.solve(rhs);
  std::vector<double> x = it.x;
  for (Eigen::Index a = 0; a < k; ++a) {
    const std::size_t i = open[static_cast<std::size_t>(a)];
    const Target& t = targets.targets[i];
    x[i] = std::clamp(x[i] + step(a), t.lower, t.upper);
  }
  return x;
}

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
    case Statistic::kExpectedPlannedRed: {
      // se: the sum of the planned-deficit members' own errors, a bound (an
      // sd of a sum is at most the sum of the sds; the count's variance is
      // not tallied), as for a list of CCGs. The bound se(red) +
      // se(unplanned) used before was some 50 times wider.
      double se = 0.0;
      const auto add = [&](std::size_t i) {
        if (i < r.planned_deficit.size() && r.planned_deficit[i] != 0) se += r.before.p_red_se[i];
      };
      if (g == &r.national)
        for (std::size_t i = 0; i < r.code.size(); ++i)
          add(i);
      else
        for (const int i : g->members)
          add(static_cast<std::size_t>(i));
      return {g->expected_planned_red, se};
    }
    default:
      return {g->total_surplus_mean_k, g->total_surplus_sd_k / std::sqrt(n)};
  }
}

std::vector<Override> parameter_overrides(const Targets& targets, const std::vector<double>& x) {
  std::vector<Override> out;
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    const Target& t = targets.targets[i];
    if (t.parameter)
      out.push_back({*t.parameter, number_text(x[i]),
                     targets.path.filename().string() + ": target[" + std::to_string(i) + "] '" +
                         t.name + "' parameter = " + *t.parameter});
  }
  return out;
}

CalibrationOutcome calibrate(const fs::path& scenario_path, const std::vector<Override>& base,
                             const Targets& targets, const RunOptions& options) {
  Fit fit(scenario_path, base, targets, options);
  const std::size_t m = targets.targets.size();
  CalibrationOutcome out;
  std::vector<double> x(m, std::numeric_limits<double>::quiet_NaN());
  std::vector<std::size_t> fitted;
  for (std::size_t i = 0; i < m; ++i) {
    const Target& t = targets.targets[i];
    if (!t.parameter) continue;
    x[i] = std::clamp(0.0, t.lower, t.upper);
    fitted.push_back(i);
  }
  // The first sweep solves every key alone on its whole range: the keys
  // that do not interact are done there. Then Newton steps on the keys
  // still open, a Jacobi sweep over them whenever a step does not bring the
  // misses down.
  fit.sweep(x, fitted, true);
  out.sweeps = 1;
  Iterate it = evaluate_at(fit, targets, x, {});
  for (;;) {
    const std::vector<std::size_t> open = open_keys(targets, it.miss);
    out.converged = open.empty();
    if (out.converged || out.sweeps == targets.max_sweeps) break;
    ++out.sweeps;
    std::vector<std::size_t> missing;
    for (std::size_t j : open)
      if (!it.column.count(j)) missing.push_back(j);
    if (!missing.empty()) add_columns(fit, targets, it, missing);
    const std::optional<std::vector<double>> next = newton_point(targets, it, open);
    if (next) {
      Iterate tried = evaluate_at(fit, targets, *next, open);
      if (badness(targets, tried.miss) < badness(targets, it.miss)) {
        it = std::move(tried);
        continue;
      }
    }
    fit.sweep(x = it.x, open, false);
    it = evaluate_at(fit, targets, x, {});
  }
  out.parameters = it.x;
  out.results = std::move(it.results);
  for (std::size_t i = 0; i < m; ++i)
    out.achieved.push_back(measure(targets.targets[i], out.results, targets.path, i));
  out.slopes.assign(m, std::numeric_limits<double>::quiet_NaN());
  out.standard_errors = out.slopes;
  if (out.converged) {
    out.slopes = fit.slopes(out.parameters);
    for (std::size_t i = 0; i < m; ++i) {
      const Target& t = targets.targets[i];
      if (!t.parameter || !(std::abs(out.slopes[i]) > 0.0)) continue;
      const double se = out.achieved[i].se, half = 0.5 * t.tolerance;
      out.standard_errors[i] = std::sqrt(se * se + half * half) / std::abs(out.slopes[i]);
    }
  }
  out.evaluations = fit.evaluations();
  out.passes = fit.passes();
  return out;
}

}  // namespace ccgrisk
