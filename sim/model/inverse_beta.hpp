// CIP delivery marginal: d = F^-1_Beta(Phi(z)) for a beta with given mean and sd.
#pragma once

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
class InverseBetaTable {
 public:
  static constexpr double kZMax = 8.5;
  static constexpr double kStep = 1.0 / 128.0;
  static constexpr double kTolerance = 1e-7;

  InverseBetaTable() = default;
  InverseBetaTable(double mean, double sd);

  double operator()(double z) const;
  // The same transform evaluated with Boost.Math (slow; the reference).
  double exact(double z) const;
  // Share of grid intervals that fall back to exact evaluation.
  double exact_share() const;

 private:
  struct Node {
    double value;
    double slope;  // d'(z) times kStep, ready for the Hermite basis
  };
  double interpolate(std::size_t i, double t) const;

  bool constant_ = true;
  double mean_ = 0.0;
  BetaShape shape_;
  std::vector<Node> nodes_;
  std::vector<bool> exact_interval_;
};

}  // namespace ccgrisk
