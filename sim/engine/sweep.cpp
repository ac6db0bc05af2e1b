#include "engine/sweep.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "input/error.hpp"
#include "input/limits.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

// `x` rounded to 12 significant digits, so that 0.5 + 0.35 reads 0.85, not
// 0.8499999999999999, in overrides, tables and files.
double tidy(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", x);
  return std::strtod(buf, nullptr);
}

}  // namespace

std::vector<double> sweep_values(double from, double to, int steps) {
  std::vector<double> v(static_cast<std::size_t>(steps));
  for (int j = 0; j < steps; ++j)
    v[j] = tidy(from + (to - from) * j / (steps - 1));
  if (steps > 0) v.front() = from, v.back() = to;
  return v;
}

void check_sweep(const ScenarioRuns& runs, const SweepSpec& spec) {
  check_param_key(spec.param);
  if (spec.steps < 2 || spec.steps > limits::kMaxSweepSteps)
    throw InputError(std::string("--steps ")
                         .append(std::to_string(spec.steps))
                         .append(": need 2 to ")
                         .append(std::to_string(limits::kMaxSweepSteps))
                         .append(" points"));
  if (!std::isfinite(spec.from) || !std::isfinite(spec.to))
    throw InputError("--from and --to must be finite numbers");
  if (spec.from == spec.to)
    throw InputError(std::string("--from and --to are both ")
                         .append(number_text(spec.from))
                         .append(": a sweep needs two different values"));
  for (double v : sweep_values(spec.from, spec.to, spec.steps))
    (void)runs.with(spec.param, v);
}

namespace {

void append_point(SweepResult& out, const Results& r) {
  out.p_red.insert(out.p_red.end(), r.before.p_red.begin(), r.before.p_red.end());
  out.p_red_pooled.insert(out.p_red_pooled.end(), r.after.p_red.begin(), r.after.p_red.end());
  const GroupStats& e = r.national;
  out.expected_red.push_back(e.expected_red);
  out.expected_red_pooled.push_back(e.expected_red_pooled);
  out.expected_red_se.push_back(e.expected_red_se);
  out.count_red_q05.push_back(e.count_red_q05_q50_q95[0]);
  out.count_red_q95.push_back(e.count_red_q05_q50_q95[2]);
  out.count_red_q05_pooled.push_back(e.count_red_q05_q50_q95_pooled[0]);
  out.count_red_q95_pooled.push_back(e.count_red_q05_q50_q95_pooled[2]);
  for (const GroupStats& g : r.regions) {
    out.region_expected_red.push_back(g.expected_red);
    out.region_expected_red_pooled.push_back(g.expected_red_pooled);
  }
}

}  // namespace

SweepResult run_sweep(ScenarioRuns& runs, const SweepSpec& spec, Results* base) {
  check_sweep(runs, spec);
  SweepResult out;
  out.param = spec.param;
  out.n = static_cast<int>(runs.table().rows.size());
  out.values = sweep_values(spec.from, spec.to, spec.steps);
  std::vector<Scenario> points;
  std::vector<std::string> labels;
  if (base) {
    points.push_back(runs.base());
    labels.push_back("scenario as given");
  }
  for (double v : out.values) {
    points.push_back(runs.with(spec.param, v));
    labels.push_back(spec.param + " = " + number_text(v));
  }
  std::vector<Results> results =
      runs.run_together(points, labels, base != nullptr, GroupLevels::kRegions);
  if (base) {
    *base = std::move(results.front());
    results.erase(results.begin());
  }
  for (const Results& r : results) {
    if (out.region_name.empty())
      for (const GroupStats& g : r.regions)
        out.region_name.push_back(g.name);
    append_point(out, r);
  }
  return out;
}

}  // namespace ccgrisk
