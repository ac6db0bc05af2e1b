#include "engine/breakeven.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "engine/sweep.hpp"
#include "input/error.hpp"
#include "input/limits.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What one run gives the searches: each CCG's P(red) and the expected count.
struct Point {
  std::vector<double> p_red;
  double expected_red = 0.0;
};

// A search's bracket: f(bad) > threshold >= f(good).
struct Bracket {
  double bad = kNaN;
  double good = kNaN;
  double mid() const { return 0.5 * (bad + good); }
};

// One quantity searched for its crossing: a CCG's P(red) or the count.
struct Search {
  int ccg = -1;  // -1: the system's expected count
  double threshold = 0.0;
  Crossing status = Crossing::kNever;
  std::int64_t direction = 0;
  Bracket bracket;

  double of(const Point& p) const { return ccg < 0 ? p.expected_red : p.p_red[ccg]; }
};

// Status, direction and first bracket of `s` from the grid. Where the
// quantity crosses, the bracket is the first grid interval met coming from
// the favourable end (the end at or below the threshold).
void start_from_grid(Search& s, const std::vector<double>& grid, const std::vector<Point>& at) {
  const std::size_t g = grid.size();
  std::vector<char> above(g);
  for (std::size_t j = 0; j < g; ++j)
    above[j] = s.of(at[j]) > s.threshold;
  if (above.front() == above.back()) {
    bool mixed = false;
    for (char a : above)
      mixed = mixed || a != above.front();
    s.status = mixed           ? Crossing::kNotMonotone
               : above.front() ? Crossing::kAlways
                               : Crossing::kNever;
    return;
  }
  s.status = Crossing::kCrosses;
  s.direction = above.back() ? 1 : -1;
  if (s.direction > 0) {
    std::size_t j = 1;
    while (!above[j])
      ++j;
    s.bracket = {grid[j], grid[j - 1]};
  } else {
    std::size_t j = g - 2;
    while (!above[j])
      --j;
    s.bracket = {grid[j], grid[j + 1]};
  }
}

// The runs of one breakeven search, each distinct value run once.
class Evaluator {
 public:
  Evaluator(ScenarioRuns& runs, const BreakevenSpec& spec) : runs_(runs), spec_(spec) {}

  // Runs every value of `values` not yet run, together (common random
  // numbers: each value's P(red) is that of a single run at it).
  // With `base`, the scenario as given runs first in the same passes.
  void run_all(const std::set<double>& values, Results* base = nullptr) {
    std::vector<double> todo;
    std::vector<Scenario> scenarios;
    std::vector<std::string> labels;
    if (base) {
      scenarios.push_back(runs_.base());
      labels.push_back("scenario as given");
    }
    for (double v : values) {
      if (cache_.count(v)) continue;
      todo.push_back(v);
      scenarios.push_back(runs_.with(spec_.param, v));
      labels.push_back(spec_.param + " = " + number_text(v));
    }
    std::vector<Results> results =
        runs_.run_together(scenarios, labels, base != nullptr, GroupLevels::kNation);
    if (base) {
      *base = std::move(results.front());
      results.erase(results.begin());
    }
    for (std::size_t k = 0; k < todo.size(); ++k) {
      const Results& r = results[k];
      const CcgStats& stats = spec_.pooled ? r.after : r.before;
      cache_.emplace(todo[k], Point{stats.p_red, spec_.pooled ? r.national.expected_red_pooled
                                                              : r.national.expected_red});
    }
  }

  const Point& at(double v) const { return cache_.at(v); }

 private:
  ScenarioRuns& runs_;
  const BreakevenSpec& spec_;
  std::map<double, Point> cache_;
};

bool active(const Search& s, double tolerance) {
  if (s.status != Crossing::kCrosses) return false;
  const double m = s.bracket.mid();
  return std::abs(s.bracket.good - s.bracket.bad) > tolerance && m != s.bracket.bad &&
         m != s.bracket.good;
}

// Narrows every crossing search's bracket down to `tolerance`, level by
// level. A level runs in one pass over the trials when it can
// (ScenarioRuns::kPointsPerPass points): when fewer brackets are open than
// that, each is cut into k parts rather than 2 (k-section), with k shared
// out so the level fills one pass and no part is narrower than the
// tolerance needs. Each distinct value is run once. Returns points per level.
std::vector<int> bisect(std::vector<Search>& searches, Evaluator& eval, double tolerance) {
  std::vector<int> per_level;
  for (;;) {
    std::set<std::pair<double, double>> brackets;
    for (const Search& s : searches)
      if (active(s, tolerance)) brackets.insert({s.bracket.bad, s.bracket.good});
    if (brackets.empty()) return per_level;
    const std::size_t capacity = ScenarioRuns::kPointsPerPass;
    const std::size_t cuts = std::max<std::size_t>(2, capacity / brackets.size() + 1);
    std::set<double> values;
    for (const auto& [bad, good] : brackets) {
      const double width = std::abs(good - bad);
      const std::size_t k =
          std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(width / tolerance)), 2, cuts);
      for (std::size_t j = 1; j < k; ++j) {
        const double v = good + (bad - good) * static_cast<double>(j) / static_cast<double>(k);
        if (v != bad && v != good) values.insert(v);
      }
    }
    eval.run_all(values);
    per_level.push_back(static_cast<int>(values.size()));
    for (Search& s : searches) {
      if (!active(s, tolerance)) continue;
      // From the good end towards the bad one: the first value above the
      // threshold is the new bad end, the one before it the new good end.
      const double good = s.bracket.good, bad = s.bracket.bad;
      const auto lo = values.lower_bound(std::min(good, bad));
      const auto hi = values.upper_bound(std::max(good, bad));
      std::vector<double> inside(lo, hi);
      if (good > bad) std::reverse(inside.begin(), inside.end());
      for (double v : inside) {
        if (v == good || v == bad) continue;
        if (s.of(eval.at(v)) > s.threshold) {
          s.bracket.bad = v;
          break;
        }
        s.bracket.good = v;
      }
    }
  }
}

Crossings crossings_of(const std::vector<Search>& searches, std::size_t first, std::size_t count) {
  Crossings c;
  for (std::size_t k = first; k < first + count; ++k) {
    const Search& s = searches[k];
    c.status.push_back(s.status);
    c.direction.push_back(s.direction);
    c.value.push_back(s.status == Crossing::kCrosses ? s.bracket.good : kNaN);
  }
  return c;
}

std::vector<Search> make_searches(const BreakevenSpec& spec, int n) {
  std::vector<Search> searches;
  const auto add = [&searches](int ccg, double threshold) {
    Search s;
    s.ccg = ccg;
    s.threshold = threshold;
    searches.push_back(s);
  };
  for (int i = 0; i < n; ++i)
    add(i, spec.p);
  if (spec.max_red) add(-1, *spec.max_red);
  return searches;
}

void fill_ccg_arrays(BreakevenResult& out, const Evaluator& eval, int n) {
  const Point& from = eval.at(out.grid_values.front());
  const Point& to = eval.at(out.grid_values.back());
  out.p_red_at_from = from.p_red;
  out.p_red_at_to = to.p_red;
  out.p_red_at_value.assign(n, kNaN);
  for (int i = 0; i < n; ++i)
    if (out.ccg.status[i] == Crossing::kCrosses)
      out.p_red_at_value[i] = eval.at(out.ccg.value[i]).p_red[i];
}

}  // namespace

void check_breakeven(const ScenarioRuns& runs, const BreakevenSpec& spec) {
  check_param_key(spec.param);
  if (!(spec.p > 0.0 && spec.p < 1.0))
    throw InputError(std::string("--p ")
                         .append(number_text(spec.p))
                         .append(": must be a probability strictly between 0 and 1"));
  if (!std::isfinite(spec.from) || !std::isfinite(spec.to))
    throw InputError("--from and --to must be finite numbers");
  if (spec.from == spec.to)
    throw InputError(std::string("--from and --to are both ")
                         .append(number_text(spec.from))
                         .append(": the search needs a range"));
  if (spec.grid < 3 || spec.grid > limits::kMaxGrid)
    throw InputError(std::string("--grid ")
                         .append(std::to_string(spec.grid))
                         .append(": need 3 to ")
                         .append(std::to_string(limits::kMaxGrid))
                         .append(" points"));
  if (!(spec.tolerance >= 0.0) || !std::isfinite(spec.tolerance))
    throw InputError(std::string("--tolerance ")
                         .append(number_text(spec.tolerance))
                         .append(": must be > 0 (0: the default, (to - from) / 1000)"));
  // Finer than a billionth of the range the search would go on for
  // thousands of runs, to digits no Monte Carlo estimate resolves.
  if (const double range = std::abs(spec.to - spec.from);
      spec.tolerance > 0.0 && spec.tolerance < 1e-9 * range)
    throw InputError(std::string("--tolerance ")
                         .append(number_text(spec.tolerance))
                         .append(": finer than a billionth of the range searched (")
                         .append(number_text(range))
                         .append("); give at least ")
                         .append(number_text(1e-9 * range)));
  if (spec.max_red && !(*spec.max_red >= 0.0 && std::isfinite(*spec.max_red)))
    throw InputError(std::string("--max-red ")
                         .append(number_text(*spec.max_red))
                         .append(": must be a number of CCGs >= 0"));
  (void)runs.with(spec.param, spec.from);
  (void)runs.with(spec.param, spec.to);
}

std::pair<double, double> default_range(const ScenarioRuns& runs, const std::string& param) {
  const std::optional<double> v = runs.current_value(param);
  if (!v)
    throw InputError(
        std::string("--param ")
            .append(param)
            .append(
                ": the scenario does not set this key to a number, so there is no current value to "
                "search around: give --from and --to"));
  // Each end moves toward the current value until the scenario accepts it;
  // an end that never does (the value at its key's bound) is the current
  // value itself, a one-sided range.
  const double half = *v == 0.0 ? 1.0 : 0.5 * std::abs(*v);
  double ends[2] = {*v - half, *v + half};
  std::string refused;
  for (double& e : ends) {
    for (int tries = 0;; ++tries) {
      try {
        (void)runs.with(param, e);
        break;
      } catch (const InputError& error) {
        if (tries == 40) {
          refused = error.what();
          e = *v;
          break;
        }
        e = *v + 0.5 * (e - *v);
      }
    }
  }
  if (ends[0] == ends[1])
    throw InputError("--param " + param + ": no value near its current " + number_text(*v) +
                     " but itself is valid (e.g. an integer key), so there is no range to "
                     "search around it: give --from and --to (the scenario said: " +
                     refused + ")");
  return {ends[0], ends[1]};
}

BreakevenResult run_breakeven(ScenarioRuns& runs, const BreakevenSpec& spec, Results* base) {
  check_breakeven(runs, spec);
  BreakevenResult out;
  out.spec = spec;
  if (out.spec.tolerance == 0.0) out.spec.tolerance = std::abs(spec.to - spec.from) / 1000.0;
  const int n = static_cast<int>(runs.table().rows.size());
  const int runs_before = runs.runs();
  const double seconds_before = runs.seconds();
  Evaluator eval(runs, out.spec);

  out.grid_values = sweep_values(spec.from, spec.to, spec.grid);
  eval.run_all(std::set<double>(out.grid_values.begin(), out.grid_values.end()), base);
  out.points_per_level.push_back(spec.grid);
  std::vector<Point> grid;
  for (double v : out.grid_values) {
    grid.push_back(eval.at(v));
    out.grid_p_red.insert(out.grid_p_red.end(), grid.back().p_red.begin(), grid.back().p_red.end());
    out.grid_expected_red.push_back(grid.back().expected_red);
  }

  std::vector<Search> searches = make_searches(out.spec, n);
  for (Search& s : searches)
    start_from_grid(s, out.grid_values, grid);
  const std::vector<int> levels = bisect(searches, eval, out.spec.tolerance);
  out.levels = static_cast<int>(levels.size());
  out.points_per_level.insert(out.points_per_level.end(), levels.begin(), levels.end());

  out.ccg = crossings_of(searches, 0, n);
  fill_ccg_arrays(out, eval, n);
  if (spec.max_red) {
    out.system = crossings_of(searches, n, 1);
    out.expected_red_at_system = out.system.status[0] == Crossing::kCrosses
                                     ? eval.at(out.system.value[0]).expected_red
                                     : kNaN;
  }
  out.runs = runs.runs() - runs_before - (base != nullptr);  // the search's own runs
  out.seconds = runs.seconds() - seconds_before;
  return out;
}

}  // namespace ccgrisk
