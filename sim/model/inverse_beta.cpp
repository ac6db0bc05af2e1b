#include "model/inverse_beta.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

namespace ccgrisk {

namespace {

const boost::math::normal_distribution<double> kStdNormal;

// d'(z) = phi(z) / f_Beta(d(z)); 0 where the density is 0 or overflows (the
// interval checks below then send those intervals to exact evaluation).
double slope(const boost::math::beta_distribution<double>& beta, double z, double d) {
  if (!(d > 0.0 && d < 1.0)) return 0.0;
  try {
    const double s = boost::math::pdf(kStdNormal, z) / boost::math::pdf(beta, d);
    return std::isfinite(s) ? s : 0.0;
  } catch (const std::overflow_error&) {
    return 0.0;
  }
}

}  // namespace

BetaShape beta_shape(double mean, double sd) {
  const double nu = mean * (1.0 - mean) / (sd * sd) - 1.0;
  return {mean * nu, (1.0 - mean) * nu};
}

InverseBetaTable::InverseBetaTable(double mean, double sd) : mean_(mean) {
  constant_ = (sd == 0.0);
  if (constant_) return;
  shape_ = beta_shape(mean, sd);
  const boost::math::beta_distribution<double> beta(shape_.a, shape_.b);
  const auto count = static_cast<std::size_t>(std::lround(2.0 * kZMax / kStep)) + 1;
  nodes_.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double z = -kZMax + static_cast<double>(i) * kStep;
    const double d = exact(z);
    nodes_[i] = {d, slope(beta, z, d) * kStep};
  }
  // Verify each interval at interior points; fall back to exact where the
  // interpolant is not good enough (very skewed shapes, near-degenerate tails).
  exact_interval_.assign(count - 1, false);
  for (std::size_t i = 0; i + 1 < count; ++i) {
    for (double t : {0.125, 0.25, 0.5, 0.75, 0.875}) {
      const double z = -kZMax + (static_cast<double>(i) + t) * kStep;
      if (std::abs(interpolate(i, t) - exact(z)) > kTolerance) {
        exact_interval_[i] = true;
        break;
      }
    }
  }
}

// Boost's inverse can give up (evaluation_error) for probabilities near the
// limits of double; bisection on the incomplete beta itself then finds the
// quantile to 2^-64 absolute, ample for a share in [0, 1].
template <typename Cdf>
double bisect_quantile(Cdf cdf_minus_p) {
  double lo = 0.0, hi = 1.0;
  for (int iteration = 0; iteration < 64; ++iteration) {
    const double mid = 0.5 * (lo + hi);
    (cdf_minus_p(mid) < 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double InverseBetaTable::exact(double z) const {
  if (constant_) return mean_;
  const double a = shape_.a, b = shape_.b;
  // Upper half through the complement keeps precision as Phi(z) -> 1.
  const double tail = boost::math::cdf(kStdNormal, -std::abs(z));
  try {
    return z <= 0.0 ? boost::math::ibeta_inv(a, b, tail) : boost::math::ibetac_inv(a, b, tail);
  } catch (const boost::math::evaluation_error&) {
    if (z <= 0.0)
      return bisect_quantile([&](double x) { return boost::math::ibeta(a, b, x) - tail; });
    return bisect_quantile([&](double x) { return tail - boost::math::ibetac(a, b, x); });
  }
}

double InverseBetaTable::interpolate(std::size_t i, double t) const {
  // Cubic Hermite basis on [0,1].
  const Node& p = nodes_[i];
  const Node& q = nodes_[i + 1];
  const double t2 = t * t, t3 = t2 * t;
  const double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t;
  const double h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
  return std::clamp(h00 * p.value + h10 * p.slope + h01 * q.value + h11 * q.slope, 0.0, 1.0);
}

double InverseBetaTable::operator()(double z) const {
  if (constant_) return mean_;
  const double x = (z + kZMax) / kStep;
  if (!(x >= 0.0) || x >= static_cast<double>(nodes_.size() - 1)) return exact(z);
  const auto i = static_cast<std::size_t>(x);
  if (exact_interval_[i]) return exact(z);
  return interpolate(i, x - static_cast<double>(i));
}

double InverseBetaTable::exact_share() const {
  if (exact_interval_.empty()) return 0.0;
  const auto flagged = std::count(exact_interval_.begin(), exact_interval_.end(), true);
  return static_cast<double>(flagged) / static_cast<double>(exact_interval_.size());
}

}  // namespace ccgrisk
