#include "model/inverse_beta.hpp"

#include <tbb/parallel_for.h>
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <mutex>
#include <utility>

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
  // Tables built so far, newest last; at most kKept kept.
  static constexpr std::size_t kKept = 64;
  static std::mutex mutex;
  static std::vector<std::pair<std::pair<double, double>, std::shared_ptr<const Grid>>> kept;
  const std::pair<double, double> key{mean, sd};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [k, grid] : kept) {
      if (k == key) {
        grid_ = grid;
        return;
      }
    }
  }
  grid_ = build_grid(mean, shape_);
  const std::lock_guard<std::mutex> lock(mutex);
  if (kept.size() == kKept) kept.erase(kept.begin());
  kept.emplace_back(key, grid_);
}

std::shared_ptr<const InverseBetaTable::Grid> InverseBetaTable::build_grid(double mean,
                                                                           BetaShape shape) {
  InverseBetaTable reference;  // evaluates exactly while the grid is built
  reference.constant_ = false;
  reference.mean_ = mean;
  reference.shape_ = shape;
  const boost::math::beta_distribution<double> beta(shape.a, shape.b);
  const auto count = static_cast<std::size_t>(std::lround(2.0 * kZMax / kStep)) + 1;
  auto grid = std::make_shared<Grid>();
  std::vector<Node>& nodes = grid->nodes;
  nodes.resize(count);
  // Every node, then every interval, on its own: the result does not depend
  // on how the work is split between threads.
  tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
    const double z = -kZMax + static_cast<double>(i) * kStep;
    const double d = reference.exact(z);
    nodes[i] = {d, slope(beta, z, d) * kStep};
  });
  // Verify each interval at interior points; fall back to exact where the
  // interpolant is not good enough (very skewed shapes, near-degenerate tails).
  tbb::parallel_for(std::size_t{0}, count - 1, [&](std::size_t i) {
    for (double t : {0.125, 0.25, 0.5, 0.75, 0.875}) {
      const double z = -kZMax + (static_cast<double>(i) + t) * kStep;
      if (std::abs(interpolate(nodes[i], nodes[i + 1], t) - reference.exact(z)) > kTolerance) {
        nodes[i].exact_interval = true;
        break;
      }
    }
  });
  return grid;
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

double InverseBetaTable::exact_share() const {
  if (!grid_ || grid_->nodes.size() < 2) return 0.0;
  const std::vector<Node>& nodes = grid_->nodes;
  const auto flagged =
      std::count_if(nodes.begin(), nodes.end() - 1, [](const Node& n) { return n.exact_interval; });
  return static_cast<double>(flagged) / static_cast<double>(nodes.size() - 1);
}

}  // namespace ccgrisk
