#include "model/inverse_beta.hpp"

#include <tbb/parallel_for.h>
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <mutex>
#include <tuple>
#include <utility>

#include "input/scenario.hpp"
#include "model/simd.hpp"

#if defined(CCGRISK_HAVE_X86_64_V4)
#include <immintrin.h>
#endif

namespace ccgrisk {

namespace {

const boost::math::normal_distribution<double> kStdNormal;

// kFast evaluates Boost.Math in double precision: its default policy
// promotes double to long double (x87), 5 to 10 times slower.
using kDoublePolicy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

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
  const double nu = beta_concentration(mean, sd);
  return {mean * nu, (1.0 - mean) * nu};
}

InverseBetaTable::InverseBetaTable(double mean, double sd, BetaTableKind kind)
    : mean_(mean), kind_(kind) {
  if (sd != 0.0) *this = InverseBetaTable(mean, beta_shape(mean, sd), kind);
}

InverseBetaTable::InverseBetaTable(double mean, BetaShape shape, BetaTableKind kind)
    : constant_(false), mean_(mean), shape_(shape), kind_(kind) {
  // Tables built so far, newest last; at most kKept kept.
  static constexpr std::size_t kKept = 64;
  static std::mutex mutex;
  using Key = std::tuple<double, double, BetaTableKind>;
  static std::vector<std::pair<Key, std::shared_ptr<const Grids>>> kept;
  const Key key{shape.a, shape.b, kind};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [k, grids] : kept) {
      if (k == key) {
        grids_ = grids;
        grid_ = &grids_->main;
        return;
      }
    }
  }
  grids_ = build_grids();
  grid_ = &grids_->main;
  const std::lock_guard<std::mutex> lock(mutex);
  if (kept.size() == kKept) kept.erase(kept.begin());
  kept.emplace_back(key, grids_);
}

std::shared_ptr<const InverseBetaTable::Grids> InverseBetaTable::build_grids() const {
  auto grids = std::make_shared<Grids>();
  const auto nodes = [](double from, double to, double step) {
    return static_cast<std::size_t>(std::lround((to - from) / step)) + 1;
  };
  build_grid(grids->main, -kZMax, kStep, nodes(-kZMax, kZMax, kStep));
  if (kind_ == BetaTableKind::kFast) {
    build_grid(grids->left, -kTailZMax, kTailStep, nodes(-kTailZMax, -kZMax, kTailStep));
    build_grid(grids->right, kZMax, kTailStep, nodes(kZMax, kTailZMax, kTailStep));
  }
  return grids;
}

void InverseBetaTable::build_grid(Grid& g, double z0, double step, std::size_t count) const {
  InverseBetaTable reference = *this;  // evaluates exactly while the grid is built
  reference.constant_ = false;
  const boost::math::beta_distribution<double> beta(shape_.a, shape_.b);
  g.z0 = z0;
  g.step = step;
  g.value.resize(count);
  g.slope.resize(count);
  g.exact_interval.assign(count, 0);
  g.last = static_cast<double>(count - 1);
  // Every node, then every interval, on its own: the result does not depend
  // on how the work is split between threads.
  tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
    const double z = z0 + static_cast<double>(i) * step;
    g.value[i] = reference.exact(z);
    g.slope[i] =
        (kind_ == BetaTableKind::kLegacy ? slope(beta, z, g.value[i]) : fast_slope(z, g.value[i])) *
        step;
  });
  // Verify each interval at interior points; fall back to exact where the
  // interpolant is not good enough (very skewed shapes, near-degenerate tails).
  tbb::parallel_for(std::size_t{0}, count - 1, [&](std::size_t i) {
    if (kind_ == BetaTableKind::kLegacy) {
      for (double t : {0.125, 0.25, 0.5, 0.75, 0.875}) {
        const double z = z0 + (static_cast<double>(i) + t) * step;
        if (std::abs(interpolate(g, i, t) - reference.exact(z)) > kTolerance) {
          g.exact_interval[i] = 1;
          break;
        }
      }
      return;
    }
    for (double t : {0.25, 0.5, 0.75}) {
      const double z = z0 + (static_cast<double>(i) + t) * step;
      const double d = interpolate(g, i, t);
      double error = forward_error(d, z);
      // No estimate (d at 0 or 1, a flat or infinite density): compare with
      // the exact quantile itself.
      if (!std::isfinite(error)) error = std::abs(d - reference.exact(z));
      if (!(error <= kTolerance)) {
        g.exact_interval[i] = 1;
        break;
      }
    }
  });
  g.any_exact_interval =
      std::find(g.exact_interval.begin(), g.exact_interval.end(), 1) != g.exact_interval.end();
}

// d'(z) = phi(z) / f_Beta(d) in double precision; 0 where undefined (as slope()).
double InverseBetaTable::fast_slope(double z, double d) const {
  if (!(d > 0.0 && d < 1.0)) return 0.0;
  try {
    const double density = boost::math::ibeta_derivative(shape_.a, shape_.b, d, kDoublePolicy{});
    const double s = boost::math::pdf(kStdNormal, z) / density;
    return std::isfinite(s) ? s : 0.0;
  } catch (const std::exception&) {
    return 0.0;
  }
}

// kFast's check of an interpolated d at z: the distance to the quantile,
// estimated from the forward residual as |I_d(a, b) - Phi(z)| / f(d) (the
// complements in the upper half, for precision as Phi(z) -> 1): one
// incomplete beta instead of an inversion. NaN or infinite (a flat density,
// d at an end) sends the interval to exact evaluation.
double InverseBetaTable::forward_error(double d, double z) const {
  if (!(d > 0.0 && d < 1.0)) return std::numeric_limits<double>::quiet_NaN();
  const double a = shape_.a, b = shape_.b;
  const double tail = boost::math::cdf(kStdNormal, -std::abs(z));
  try {
    const double residual = z <= 0.0 ? boost::math::ibeta(a, b, d, kDoublePolicy{}) - tail
                                     : tail - boost::math::ibetac(a, b, d, kDoublePolicy{});
    return std::abs(residual) / boost::math::ibeta_derivative(a, b, d, kDoublePolicy{});
  } catch (const std::exception&) {  // Boost.Math's overflow or evaluation errors
    return std::numeric_limits<double>::quiet_NaN();
  }
}

double InverseBetaTable::outside_grid(double z) const {
  if (kind_ == BetaTableKind::kFast) {
    const double d = lookup(z < 0.0 ? grids_->left : grids_->right, z);
    if (d == d) return d;
  }
  return exact(z);
}

// The table part of transform(): out[i] from the grid for every i (a z
// outside the grid reads interval 0 instead); returns whether any z needs
// exact evaluation. The baseline build; table_v4 is the same with AVX-512.
struct InverseBetaLoops {
  using Grid = InverseBetaTable::Grid;
  [[gnu::always_inline]] static bool table(const Grid& g, const double* __restrict z,
                                           double* __restrict out, std::size_t n) {
    constexpr double kZMax = InverseBetaTable::kZMax, kStep = InverseBetaTable::kStep;
    const double* __restrict value = g.value.data();
    const double* __restrict slope = g.slope.data();
    const std::int64_t* __restrict exact_interval = g.exact_interval.data();
    const double last = g.last;
    std::int64_t need_exact = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = (z[i] + kZMax) / kStep;
      const std::int64_t inside = static_cast<std::int64_t>(x >= 0.0) & (x < last);
      const double clamped = inside ? x : 0.0;
      const auto k = static_cast<std::int64_t>(clamped);
      out[i] = InverseBetaTable::hermite(value[k], slope[k], value[k + 1], slope[k + 1],
                                         clamped - static_cast<double>(k));
      need_exact |= (1 - inside) | exact_interval[k];
    }
    return need_exact != 0;
  }
};

namespace {

bool table_baseline(const InverseBetaLoops::Grid& g, const double* z, double* out, std::size_t n) {
  return InverseBetaLoops::table(g, z, out, n);
}
#if defined(CCGRISK_HAVE_X86_64_V4)
// The same loop 8 z at a time with gathers from the grid (GCC builds the
// loop above from scalar loads): hermite's operations in its order.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC bug 105593 (random.cpp)
CCGRISK_TARGET_X86_64_V4
bool table_v4(const InverseBetaLoops::Grid& g, const double* z, double* out, std::size_t n) {
  const __m512d z_max = _mm512_set1_pd(InverseBetaTable::kZMax);
  const __m512d per_step = _mm512_set1_pd(1.0 / InverseBetaTable::kStep);  // exact: 128
  const __m512d zero = _mm512_setzero_pd(), one = _mm512_set1_pd(1.0);
  const __m512d two = _mm512_set1_pd(2.0), three = _mm512_set1_pd(3.0);
  const __m512d minus_two = _mm512_set1_pd(-2.0), last = _mm512_set1_pd(g.last);
  const bool any_exact_interval = g.any_exact_interval;
  __mmask8 need_exact = 0;
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 lanes = n - i >= 8 ? 0xFF : static_cast<__mmask8>((1u << (n - i)) - 1);
    const __m512d x =
        _mm512_mul_pd(_mm512_add_pd(_mm512_maskz_loadu_pd(lanes, z + i), z_max), per_step);
    const __mmask8 inside =
        _mm512_cmp_pd_mask(x, zero, _CMP_GE_OQ) & _mm512_cmp_pd_mask(x, last, _CMP_LT_OQ) & lanes;
    const __m512d clamped = _mm512_maskz_mov_pd(inside, x);
    const __m512i k = _mm512_cvttpd_epi64(clamped);
    const __m512d t = _mm512_sub_pd(clamped, _mm512_cvtepi64_pd(k));
    const __m512d p = _mm512_mask_i64gather_pd(zero, lanes, k, g.value.data(), 8);
    const __m512d q = _mm512_mask_i64gather_pd(zero, lanes, k, g.value.data() + 1, 8);
    const __m512d p_slope = _mm512_mask_i64gather_pd(zero, lanes, k, g.slope.data(), 8);
    const __m512d q_slope = _mm512_mask_i64gather_pd(zero, lanes, k, g.slope.data() + 1, 8);
    const __m512d t2 = _mm512_mul_pd(t, t), t3 = _mm512_mul_pd(t2, t);
    const __m512d h00 =
        _mm512_add_pd(_mm512_sub_pd(_mm512_mul_pd(two, t3), _mm512_mul_pd(three, t2)), one);
    const __m512d h10 = _mm512_add_pd(_mm512_sub_pd(t3, _mm512_mul_pd(two, t2)), t);
    const __m512d h01 = _mm512_add_pd(_mm512_mul_pd(minus_two, t3), _mm512_mul_pd(three, t2));
    const __m512d h11 = _mm512_sub_pd(t3, t2);
    const __m512d v = _mm512_add_pd(
        _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(h00, p), _mm512_mul_pd(h10, p_slope)),
                      _mm512_mul_pd(h01, q)),
        _mm512_mul_pd(h11, q_slope));
    // above = 1 < v ? 1 : v; result = v < 0 ? 0 : above.
    const __m512d above = _mm512_mask_mov_pd(v, _mm512_cmp_pd_mask(one, v, _CMP_LT_OQ), one);
    const __m512d d = _mm512_mask_mov_pd(above, _mm512_cmp_pd_mask(v, zero, _CMP_LT_OQ), zero);
    _mm512_mask_storeu_pd(out + i, lanes, d);
    need_exact |= static_cast<__mmask8>(~inside & lanes);
    if (any_exact_interval) {
      const __m512i flag =
          _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), lanes, k, g.exact_interval.data(), 8);
      need_exact |= _mm512_test_epi64_mask(flag, flag);
    }
  }
  return need_exact != 0;
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void InverseBetaTable::transform(const double* z, double* out, std::size_t n) const {
  if (constant_) {
    std::fill(out, out + n, mean_);
    return;
  }
  const Grid& g = *grid_;
#if defined(CCGRISK_HAVE_X86_64_V4)
  const bool v4 = simd_path() == SimdPath::kX86_64_V4;
  if (!(v4 ? table_v4(g, z, out, n) : table_baseline(g, z, out, n))) return;
#else
  if (!table_baseline(g, z, out, n)) return;
#endif
  for (std::size_t i = 0; i < n; ++i) {
    const double x = (z[i] + kZMax) / kStep;
    if (!(x >= 0.0) || x >= g.last || g.exact_interval[static_cast<std::size_t>(x)])
      out[i] = outside_grid(z[i]);
  }
}

namespace {

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

template <typename Policy>
double quantile_at(double a, double b, double z) {
  // Upper half through the complement keeps precision as Phi(z) -> 1.
  const double tail = boost::math::cdf(kStdNormal, -std::abs(z));
  try {
    return z <= 0.0 ? boost::math::ibeta_inv(a, b, tail, Policy{})
                    : boost::math::ibetac_inv(a, b, tail, Policy{});
  } catch (const boost::math::evaluation_error&) {
    if (z <= 0.0)
      return bisect_quantile(
          [&](double x) { return boost::math::ibeta(a, b, x, Policy{}) - tail; });
    return bisect_quantile([&](double x) { return tail - boost::math::ibetac(a, b, x, Policy{}); });
  }
}

}  // namespace

double InverseBetaTable::exact(double z) const {
  if (constant_) return mean_;
  if (kind_ == BetaTableKind::kLegacy)
    return quantile_at<boost::math::policies::policy<>>(shape_.a, shape_.b, z);
  return quantile_at<kDoublePolicy>(shape_.a, shape_.b, z);
}

double InverseBetaTable::exact_share() const {
  if (!grid_ || grid_->value.size() < 2) return 0.0;
  const std::vector<std::int64_t>& flags = grid_->exact_interval;
  const auto flagged = std::count(flags.begin(), flags.end() - 1, 1);
  return static_cast<double>(flagged) / static_cast<double>(flags.size() - 1);
}

}  // namespace ccgrisk
