// CIP delivery marginal: d = F^-1_Beta(Phi(z)) for a beta with given mean and sd.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
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
    const Grid& g = *grid_;
    const double x = (z + kZMax) / kStep;
    if (!(x >= 0.0) || x >= g.last) return exact(z);
    const auto i = static_cast<std::size_t>(x);
    if (g.exact_interval[i]) return exact(z);
    return interpolate(g, i, x - static_cast<double>(i));
  }
  // out[i] = (*this)(z[i]) for i < n, the same bits; the table part as one
  // loop over all i (vectorised, model/simd.hpp), then exact evaluation
  // for the z that need it.
  void transform(const double* z, double* out, std::size_t n) const;
  // The same transform evaluated with Boost.Math (slow; the reference).
  double exact(double z) const;
  // Share of grid intervals that fall back to exact evaluation.
  double exact_share() const;

 private:
  // Node i at z_i = -kZMax + i kStep, as arrays over the nodes.
  struct Grid {
    std::vector<double> value;
    std::vector<double> slope;  // d'(z) times kStep, ready for the Hermite basis
    // 1 where [z_i, z_i+1] is evaluated exactly instead (64-bit for the loop).
    std::vector<std::int64_t> exact_interval;
    bool any_exact_interval = false;
    double last = 0.0;  // index of the last node
  };
  static std::shared_ptr<const Grid> build_grid(double mean, BetaShape shape);

  // Cubic Hermite basis on [0, 1] between nodes i and i + 1, clamped to
  // [0, 1] (as std::clamp, spelt out as selects so that loops vectorise).
  static double hermite(double p, double p_slope, double q, double q_slope, double t) {
    const double t2 = t * t, t3 = t2 * t;
    const double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t;
    const double h01 = -2 * t3 + 3 * t2, h11 = t3 - t2;
    const double v = h00 * p + h10 * p_slope + h01 * q + h11 * q_slope;
    const double above = 1.0 < v ? 1.0 : v;
    return v < 0.0 ? 0.0 : above;
  }
  static double interpolate(const Grid& g, std::size_t i, double t) {
    return hermite(g.value[i], g.slope[i], g.value[i + 1], g.slope[i + 1], t);
  }
  friend struct InverseBetaLoops;

  bool constant_ = true;
  double mean_ = 0.0;
  BetaShape shape_;
  std::shared_ptr<const Grid> grid_;
};

}  // namespace ccgrisk
