// Exact streaming statistics and the estimators built on them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "engine/accumulator.hpp"
#include "engine/finalize.hpp"

using namespace ccgrisk;

namespace {

Series series_of(const std::vector<std::int64_t>& xs, const HistogramRange& r) {
  Series s;
  for (auto x : xs)
    s.add(x, r);
  return s;
}

bool same(const Series& a, const Series& b) {
  return a.min == b.min && a.max == b.max && a.sum == b.sum && a.sum_sq == b.sum_sq &&
         a.under_sum == b.under_sum && a.over_sum == b.over_sum && a.bins == b.bins;
}

}  // namespace

TEST_CASE("histogram range covers its interval with kFineBins bins", "[accumulator]") {
  const HistogramRange r = histogram_range(-1'000'000, 3'000'000);
  CHECK(r.lo_gbp <= -1'000'000);
  CHECK(r.lo_gbp + r.width_gbp * kFineBins >= 3'000'000);
  CHECK(r.width_gbp == std::ceil(4'000'000.0 / kFineBins));
  const HistogramRange tiny = histogram_range(5, 5);
  CHECK(tiny.width_gbp == 1.0);  // never narrower than a pound
}

TEST_CASE("uniform series: quantiles and shortfall within one bin", "[accumulator]") {
  std::vector<std::int64_t> xs(100000);
  std::iota(xs.begin(), xs.end(), 0);
  const HistogramRange r = histogram_range(0, 100000);
  const Series s = series_of(xs, r);
  const std::int64_t n = 100000;
  for (double level : kQuantileLevels)
    CHECK(series_quantile(s, r, n, level) == Approx(level * n).margin(r.width_gbp));
  // Mean of the worst 5% = mean of 0..4999 = 2499.5.
  CHECK(series_shortfall(s, r, n, 0.05) == Approx(2499.5).margin(r.width_gbp));
  CHECK(series_mean(s, r, n) == 49999.5);
  // Sample sd of 0..N-1 is sqrt(N (N + 1) / 12).
  CHECK(series_sd(s, n) == Approx(std::sqrt(n * (n + 1.0) / 12.0)).epsilon(1e-12));
}

TEST_CASE("a constant series gives its value exactly", "[accumulator]") {
  const HistogramRange r = histogram_range(-50'000, 50'000);
  const Series s = series_of(std::vector<std::int64_t>(777, -12'345), r);
  for (double level : kQuantileLevels)
    CHECK(series_quantile(s, r, 777, level) == -12'345.0);
  CHECK(series_shortfall(s, r, 777, 0.05) == Approx(-12'345.0).epsilon(1e-15));
  CHECK(series_mean(s, r, 777) == -12'345.0);
  CHECK(series_sd(s, 777) == 0.0);
}

TEST_CASE("values outside the range keep exact sums", "[accumulator]") {
  // 5 values far below the range, 95 inside it.
  std::vector<std::int64_t> xs(95, 500);
  for (int k = 0; k < 5; ++k)
    xs.push_back(-1'000'000 - k);
  const HistogramRange r = histogram_range(0, 1000);
  const Series s = series_of(xs, r);
  CHECK(s.bins[0] == 5);
  CHECK(series_shortfall(s, r, 100, 0.05) == Approx(-1'000'002.0).epsilon(1e-15));
  CHECK(series_mean(s, r, 100) == Approx((95 * 500.0 - 5'000'010.0) / 100).epsilon(1e-15));
  CHECK(series_quantile(s, r, 100, 0.01) >= -1'000'004.0);
  CHECK(series_quantile(s, r, 100, 0.5) == Approx(500.0).margin(1.0));
}

TEST_CASE("series merge in any order is bit-identical to one pass", "[accumulator]") {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 2e6);
  std::vector<std::int64_t> xs(20000);
  for (auto& x : xs)
    x = std::llround(noise(rng));
  const HistogramRange r = histogram_range(-5e6, 5e6);  // some values fall outside
  const Series whole = series_of(xs, r);
  const std::size_t parts = GENERATE(2, 3, 7, 64);
  std::vector<Series> pieces(parts);
  for (std::size_t k = 0; k < xs.size(); ++k)
    pieces[(k * 31) % parts].add(xs[k], r);
  Series forward, backward;
  for (std::size_t p = 0; p < parts; ++p)
    forward.merge(pieces[p]);
  for (std::size_t p = parts; p-- > 0;)
    backward.merge(pieces[p]);
  CHECK(same(whole, forward));
  CHECK(same(whole, backward));
}

TEST_CASE("count pmf and its quantiles", "[accumulator]") {
  const std::vector<std::int64_t> counts{10, 30, 40, 20};  // 100 trials
  const auto pmf = count_pmf(counts, 100, 6);
  CHECK(pmf == std::vector<double>{0.1, 0.3, 0.4, 0.2, 0.0, 0.0});
  CHECK(pmf_quantile(pmf, 0.05) == 0.0);
  CHECK(pmf_quantile(pmf, 0.1) == 0.0);
  CHECK(pmf_quantile(pmf, 0.5) == 2.0);
  CHECK(pmf_quantile(pmf, 0.95) == 3.0);
}

TEST_CASE("integer binning equals the division it replaces, at every bin edge", "[accumulator]") {
  // The division formula fine_bin uses outside the integer range.
  auto by_division = [](std::int64_t x, const HistogramRange& r) {
    const double pos = (static_cast<double>(x) - r.lo_gbp) / r.width_gbp;
    if (pos < 0.0) return 0;
    if (pos >= kFineBins) return kFineBins + 1;
    return 1 + static_cast<int>(pos);
  };
  std::mt19937_64 rng(5);
  for (const auto& [lo, hi] : {std::pair{-1e6, 3e6}, std::pair{0.0, 100.0}, std::pair{-7e10, 9e10},
                               std::pair{3.3e9, 3.3e9 + 12345.0}, std::pair{-1e15, 1e15}}) {
    const HistogramRange r = histogram_range(lo, hi);
    REQUIRE(r.integer_limit > 0);
    for (int b = -2; b <= kFineBins + 2; ++b) {
      const auto edge = r.lo_int + b * r.width_int;
      for (std::int64_t x : {edge - 1, edge, edge + 1})
        REQUIRE(fine_bin(x, r) == by_division(x, r));
    }
    std::uniform_int_distribution<std::int64_t> any(r.lo_int - r.span_int,
                                                    r.lo_int + 2 * r.span_int);
    for (int k = 0; k < 100000; ++k) {
      const std::int64_t x = any(rng);
      REQUIRE(fine_bin(x, r) == by_division(x, r));
    }
  }
  // Beyond 2^52 the division itself is used.
  const HistogramRange huge = histogram_range(-1e17, 1e17);
  CHECK(huge.integer_limit == 0);
  CHECK(fine_bin(0, huge) == by_division(0, huge));
  CHECK(fine_bin(std::int64_t{1} << 60, huge) == kFineBins + 1);
}
