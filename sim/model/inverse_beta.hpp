// CIP delivery marginal: d = F^-1_Beta(Phi(z)) for a beta with given mean and sd.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace ccgrisk {

// Shape parameters of the beta with mean m and sd s (0 < m < 1, s^2 < m(1-m)):
// nu = m (1 - m) / s^2 - 1, a = m nu, b = (1 - m) nu.
struct BetaShape {
  double a = 0.0;
  double b = 0.0;
};
BetaShape beta_shape(double mean, double sd);

// z -> F^-1_Beta(a,b)(Phi(z)), the Gaussian-copula transform of the CIP
// delivery driver. Tabulated as a cubic Hermite interpolant on a uniform grid
// over [-kZMax, kZMax] with exact derivatives phi(z) / f_Beta(d(z)); every
// interval is checked against Boost.Math at interior points when the table
// is built, and an interval whose error exceeds kTolerance (and any z outside
// the grid) is evaluated exactly with Boost.Math instead. With sd = 0 the
// transform is the constant `mean`.
//
// Building a table takes about 13,000 Boost.Math evaluations; they run in
// parallel, and tables are kept per (mean, sd) for the life of the process
// (the last 64 distinct pairs), so the runs of a sweep, a calibration or a
// breakeven search that share parameters build each table once. A table's
// values depend only on (mean, sd).
class InverseBetaTable {
 public:
  static constexpr double kZMax = 8.5;
  static constexpr double kStep = 1.0 / 128.0;
  static constexpr double kTolerance = 1e-7;

  InverseBetaTable() = default;
  InverseBetaTable(double mean, double sd);

  double operator()(double z) const {
    if (constant_) return mean_;
    const double x = (z + kZMax) / kStep;
    const std::vector<Node>& nodes = grid_->nodes;
    if (!(x >= 0.0) || x >= static_cast<double>(nodes.size() - 1)) return exact(z);
    const auto i = static_cast<std::size_t>(x);
    if (nodes[i].exact_interval) return exact(z);
    return interpolate(nodes[i], nodes[i + 1], x - static_cast<double>(i));
  }
  // The same transform evaluated with Boost.Math (slow; the reference).
  double exact(double z) const;
  // Share of grid intervals that fall back to exact evaluation.
  double exact_share() const;

 private:
  struct Node {
    double value;
    double slope;                 // d'(z) times kStep, ready for the Hermite basis
    bool exact_interval = false;  // [z_i, z_i+1] is evaluated exactly instead
  };
  struct Grid {
    std::vector<Node> nodes;
  };
  static std::shared_ptr<const Grid> build_grid(double mean, BetaShape shape);

  // Cubic Hermite basis on [0, 1] between nodes p and q.
  static double interpolate(const Node& p, const Node& q, double t) {
    const double t2 = t * t, t3 = t2 * t;
    const double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t;
    const double h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
    return std::clamp(h00 * p.value + h10 * p.slope + h01 * q.value + h11 * q.slope, 0.0, 1.0);
  }

  bool constant_ = true;
  double mean_ = 0.0;
  BetaShape shape_;
  std::shared_ptr<const Grid> grid_;
};

}  // namespace ccgrisk
