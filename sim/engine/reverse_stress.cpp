#include "engine/reverse_stress.hpp"

#include <Eigen/Cholesky>
#include <boost/math/special_functions/erf.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "input/error.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kShockLimit = 50.0;  // the scenario's bound on each national_shock entry

// One evaluated shock size: the expected count and each CCG's P(red).
struct Evaluated {
  double s = 0.0;
  double expected_red = 0.0;
  std::vector<double> p_red;
};

std::string shock_text(const DriverVector& x) {
  std::string t = "[";
  for (int k = 0; k < kNumDrivers; ++k)
    t.append(k ? ", " : "").append(number_text(x[k]));
  return t.append("]");
}

// Runs the scenario with national shock base + s x unit along one direction.
class Direction {
 public:
  Direction(ScenarioRuns& runs, const ReverseStressSpec& spec, const DriverVector& base,
            StressDirection& out)
      : runs_(runs), spec_(spec), base_(base), out_(out) {}

  Evaluated at(double s) {
    const DriverVector x = base_ + s * out_.unit;
    Override o{"stress.national_shock", shock_text(x)};
    o.source = std::string("reverse-stress (")
                   .append(out_.name)
                   .append(" shock ")
                   .append(number_text(s))
                   .append(")");
    const Results r =
        runs_.run(runs_.with(std::vector<Override>{o}), out_.name + " shock " + number_text(s));
    ++out_.runs;
    const CcgStats& stats = spec_.pooled ? r.after : r.before;
    return {s, spec_.pooled ? r.national.expected_red_pooled : r.national.expected_red,
            stats.p_red};
  }

  // The largest s whose shock the scenario accepts (each entry within +-50).
  double limit() const {
    double s = spec_.smax;
    for (int k = 0; k < kNumDrivers; ++k)
      if (out_.unit[k] != 0.0)
        s = std::min(s, (kShockLimit - std::abs(base_[k])) / std::abs(out_.unit[k]));
    return s;
  }

 private:
  ScenarioRuns& runs_;
  const ReverseStressSpec& spec_;
  DriverVector base_;
  StressDirection& out_;
};

// E(s) as a probit of the share of CCGs in the red: close to linear in s
// (each CCG's P(red) is about Phi(a_i + b_i s)), so interpolation is good.
double probit_share(double expected_red, double n) {
  const double share = std::clamp(expected_red / n, 1e-12, 1.0 - 1e-12);
  return -std::sqrt(2.0) * boost::math::erfc_inv(2.0 * share);
}

// Narrows [a, b] (E(a) < K <= E(b)) until b - a <= tolerance x b. Each
// iteration runs the regula falsi estimate in probit space, then a probe a
// little past it (half the tolerance) on the far side, so that an accurate
// estimate closes the bracket at once; when an iteration fails to halve
// the bracket, the next one bisects instead.
void refine(Direction& dir, Evaluated& a, Evaluated& b, double k, double n, double tolerance) {
  const double target = probit_share(k, n);
  const auto put = [&](Evaluated&& e) { (e.expected_red >= k ? b : a) = std::move(e); };
  const auto done = [&] { return b.s - a.s <= tolerance * b.s; };
  bool bisect = false;
  while (!done()) {
    const double w = b.s - a.s;
    const double fa = probit_share(a.expected_red, n) - target;
    const double fb = probit_share(b.expected_red, n) - target;
    double c = a.s + w * fa / (fa - fb);
    if (bisect || !std::isfinite(c)) c = 0.5 * (a.s + b.s);
    c = std::clamp(c, a.s + 0.01 * w, b.s - 0.01 * w);
    Evaluated e = dir.at(c);
    const bool below = e.expected_red < k;
    put(std::move(e));
    const double probe = below ? c + 0.5 * tolerance * b.s : c - 0.5 * tolerance * c;
    if (!done() && probe > a.s && probe < b.s) put(dir.at(probe));
    bisect = b.s - a.s > 0.5 * w;
  }
}

// Steps out from `a` (E(a) < K) until K is reached or the limit is hit:
// first s = 1, then 10% past the root extrapolated in probit space from
// the last two points (at least 1.1 and at most 4 times the last s).
// Returns the first point at or above K (or the limit's point); `a` is
// left at the last point below K.
Evaluated expand(Direction& dir, Evaluated& a, double k, double n) {
  const double limit = dir.limit(), target = probit_share(k, n);
  for (double s = std::min(1.0, limit);;) {
    Evaluated e = dir.at(s);
    if (e.expected_red >= k || s >= limit) return e;
    const double fa = probit_share(a.expected_red, n) - target;
    const double fe = probit_share(e.expected_red, n) - target;
    double next = 1.1 * (a.s + (e.s - a.s) * fa / (fa - fe));
    if (!std::isfinite(next)) next = 2.0 * s;
    s = std::min(std::clamp(next, 1.1 * s, 4.0 * s), limit);
    a = std::move(e);
  }
}

// The ceil(K) CCGs with the highest P(red) in `p_red` (ties: table order).
std::vector<int> tipping(const std::vector<double>& p_red, double k) {
  const std::vector<std::size_t> order = descending_order(p_red);
  return {order.begin(),
          order.begin() + static_cast<std::ptrdiff_t>(
                              std::min(order.size(), static_cast<std::size_t>(std::ceil(k))))};
}

void record(StressDirection& out, const Evaluated& a, const Evaluated& b, double k,
            const DriverMatrix& c) {
  out.expected_red = b.expected_red;
  out.p_red = b.p_red;
  out.below = a.s;
  out.expected_red_below = a.expected_red;
  out.tipping = tipping(b.p_red, k);
  if (out.status == StressStatus::kNotReached) {
    out.shock = kNaN;
    out.mahalanobis = kNaN;
    return;
  }
  out.shock = b.s;
  out.mahalanobis = mahalanobis(b.s * out.unit, c);
}

void search(ScenarioRuns& runs, const ReverseStressResult& res, StressDirection& out,
            const DriverMatrix& c) {
  Evaluated a{0.0, res.base_expected_red, res.base_p_red};
  const double k = res.spec.red;
  if (a.expected_red >= k) {
    out.status = StressStatus::kAtBase;
    return record(out, a, a, k, c);
  }
  Direction dir(runs, res.spec, res.base_shock, out);
  if (!(res.gradient.dot(out.unit) > 0.0)) {  // the shock moves no CCG's pressure
    out.status = StressStatus::kNotReached;
    return record(out, a, a, k, c);
  }
  const double n = static_cast<double>(res.base_p_red.size());
  Evaluated b = expand(dir, a, k, n);
  if (b.expected_red < k) {
    out.status = StressStatus::kNotReached;
    return record(out, b, b, k, c);
  }
  out.status = StressStatus::kReached;
  refine(dir, a, b, k, n, res.spec.tolerance);
  record(out, a, b, k, c);
}

std::vector<StressDirection> directions(const DriverVector& g, const DriverMatrix& c) {
  std::vector<StressDirection> out(kNumDrivers + 1);
  for (int k = 0; k < kNumDrivers; ++k) {
    out[k].name = kDriverNames[k];
    out[k].unit = DriverVector::Zero();
    out[k].unit[k] = kAdverseSign[k];
  }
  out[kNumDrivers].name = "combined";
  out[kNumDrivers].unit = worst_direction(g, c);
  return out;
}

}  // namespace

DriverVector pressure_gradient(const Model& m) {
  DriverVector g = DriverVector::Zero();
  const double h = 1e-3;
  const double slope = (m.cip_transform(h) - m.cip_transform(-h)) / (2.0 * h);
  for (int i = 0; i < m.n; ++i) {
    const double a = m.allocation_k[i];
    for (int c = 0; c < kNumCategories; ++c)
      g[c] += m.category_base_k[c][i] * m.growth[c].sd / a;
    g[kCipDelivery] -= m.cip_k[i] * slope / a;
    g[kTransferMismatch] += m.transfer_k[i] * m.transfer_mismatch.sd / a;
  }
  return g;
}

DriverVector worst_direction(const DriverVector& g, const DriverMatrix& c) {
  const double norm2 = g.dot(c * g);
  if (!(norm2 > 0.0)) return DriverVector::Zero();
  return c * g / std::sqrt(norm2);
}

double mahalanobis(const DriverVector& x, const DriverMatrix& c) {
  return std::sqrt(x.dot(c.llt().solve(x)));
}

void check_reverse_stress(const ScenarioRuns& runs, const ReverseStressSpec& spec) {
  const auto n = static_cast<double>(runs.table().rows.size());
  if (!(spec.red > 0.0 && spec.red <= n))
    throw InputError(std::string("--red ")
                         .append(number_text(spec.red))
                         .append(": must be a number of CCGs in (0, ")
                         .append(number_text(n))
                         .append("]"));
  if (!(spec.smax > 0.0 && spec.smax <= kShockLimit))
    throw InputError(std::string("--smax ")
                         .append(number_text(spec.smax))
                         .append(": must be in (0, 50] standard deviations"));
  if (!(spec.tolerance >= 1e-9 && spec.tolerance < 1.0))
    throw InputError(std::string("--tolerance ")
                         .append(number_text(spec.tolerance))
                         .append(": must be in [1e-9, 1) (a share of the shock)"));
}

ReverseStressResult run_reverse_stress(ScenarioRuns& runs, const Results& base,
                                       const ReverseStressSpec& spec) {
  check_reverse_stress(runs, spec);
  ReverseStressResult res;
  res.spec = spec;
  res.gradient = pressure_gradient(build_model(runs.base(), runs.table()));
  res.base_shock = runs.base().national_shock;
  const CcgStats& stats = spec.pooled ? base.after : base.before;
  res.base_p_red = stats.p_red;
  res.base_expected_red =
      spec.pooled ? base.national.expected_red_pooled : base.national.expected_red;
  res.directions = directions(res.gradient, runs.base().driver_correlation);
  for (StressDirection& d : res.directions)
    search(runs, res, d, runs.base().driver_correlation);
  return res;
}

}  // namespace ccgrisk
