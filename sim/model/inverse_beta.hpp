// CIP delivery marginal: d = F^-1_Beta(Phi(z)) for a beta with given mean and sd.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
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

// How a table is built and what it covers (run.rng chooses: philox4x64
// reproduces ccgrisk 0.1's results exactly, so it keeps the first kind).
enum class BetaTableKind {
  // ccgrisk 0.1: nodes and every check evaluated with Boost.Math's default
  // (long double) policy over [-kZMax, kZMax]; any z outside evaluated
  // exactly. About 13,000 evaluations, 60 ms on 2 threads.
  kLegacy,
  // Nodes with Boost.Math in double precision, each interval checked by the
  // forward residual I_d(a, b) - Phi(z) at three interior points; and tail
  // tables out to |z| = kTailZMax (step kTailStep), so that the Student-t
  // copula's rare large |z| are interpolated too. Within 1e-6 of Boost.Math
  // everywhere (tested), a few milliseconds to build.
  kFast,
};

// z -> F^-1_Beta(a,b)(Phi(z)), the Gaussian-copula transform of the CIP
// delivery driver. Tabulated as a cubic Hermite interpolant on a uniform grid
// over [-kZMax, kZMax] (and, for kFast, tail grids beyond it) with exact
// derivatives phi(z) / f_Beta(d(z)); every interval is checked when the
// table is built, and an interval whose error exceeds kTolerance (and any z
// outside the grids) is evaluated exactly with Boost.Math instead. With
// sd = 0 the transform is the constant `mean`.
//
// Tables are built in parallel and kept per (a, b, kind) for the life of
// the process (the last 64), so the runs of a sweep, a calibration or a
// breakeven search that share parameters build each table once. A table's
// values depend only on (a, b, kind).
class InverseBetaTable {
 public:
  static constexpr double kZMax = 8.5;
  static constexpr double kStep = 1.0 / 128.0;
  static constexpr double kTolerance = 1e-7;
  // Phi(-37) is about 6e-300; a little further it leaves the normal doubles,
  // and the quantile can no longer be told from its neighbours.
  static constexpr double kTailZMax = 37.0;
  static constexpr double kTailStep = 1.0 / 8.0;

  InverseBetaTable() = default;
  // The beta with this mean and sd (beta_shape); sd = 0: the constant mean.
  InverseBetaTable(double mean, double sd, BetaTableKind kind = BetaTableKind::kFast);
  // The beta with these shapes (a, b > 0), whose mean is `mean` = a / (a + b)
  // (the fixed-concentration form gives a = mean kappa, b = (1 - mean) kappa).
  InverseBetaTable(double mean, BetaShape shape, BetaTableKind kind = BetaTableKind::kFast);

  double operator()(double z) const {
    if (constant_) return mean_;
    const double d = lookup(*grid_, z);
    return d == d ? d : outside_grid(z);  // NaN: not interpolated there
  }
  // out[i] = (*this)(z[i]) for i < n, the same bits; the table part as one
  // loop over all i (vectorised, model/simd.hpp), then exact evaluation
  // for the z that need it.
  void transform(const double* z, double* out, std::size_t n) const;
  // The same transform evaluated with Boost.Math (slow; the reference), with
  // the precision the table's kind uses.
  double exact(double z) const;
  // Share of the main grid's intervals that fall back to exact evaluation.
  double exact_share() const;
  BetaTableKind kind() const { return kind_; }
  // The beta's shapes ({0, 0} for a constant delivery).
  BetaShape shape() const { return shape_; }

 private:
  // Node i at z_i = z0 + i step, as arrays over the nodes.
  struct Grid {
    double z0 = -kZMax;
    double step = kStep;
    std::vector<double> value;
    std::vector<double> slope;  // d'(z) times step, ready for the Hermite basis
    // 1 where [z_i, z_i+1] is evaluated exactly instead (64-bit for the loop).
    std::vector<std::int64_t> exact_interval;
    bool any_exact_interval = false;
    double last = 0.0;  // index of the last node
  };
  // The main grid, and the kFast tail grids ([-kTailZMax, -kZMax] and
  // [kZMax, kTailZMax]; empty for kLegacy).
  struct Grids {
    Grid main, left, right;
  };
  std::shared_ptr<const Grids> build_grids() const;
  void build_grid(Grid& g, double z0, double step, std::size_t nodes) const;

  // The interpolant of `g` at z, or NaN outside `g` or in an exact interval.
  static double lookup(const Grid& g, double z) {
    const double x = (z - g.z0) / g.step;
    if (!(x >= 0.0) || x >= g.last) return std::numeric_limits<double>::quiet_NaN();
    const auto i = static_cast<std::size_t>(x);
    if (g.exact_interval[i]) return std::numeric_limits<double>::quiet_NaN();
    return interpolate(g, i, x - static_cast<double>(i));
  }
  // A z the main grid does not interpolate: the tail grids', or exact.
  double outside_grid(double z) const;
  // kFast's error estimate of an interpolated d at z, and its node slopes (.cpp).
  double forward_error(double d, double z) const;
  double fast_slope(double z, double d) const;

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
  BetaTableKind kind_ = BetaTableKind::kFast;
  std::shared_ptr<const Grids> grids_;
  const Grid* grid_ = nullptr;  // &grids_->main
};

}  // namespace ccgrisk
