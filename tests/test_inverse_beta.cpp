// The CIP-delivery transform's table against Boost.Math.
#include <catch2/catch.hpp>

#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <cstring>
#include <vector>

#include "model/inverse_beta.hpp"
#include "model/simd.hpp"
#include "support.hpp"

using ccgrisk::beta_shape;
using ccgrisk::InverseBetaTable;

TEST_CASE("beta shape reproduces the mean and sd it was given", "[inverse_beta]") {
  const auto [mean, sd] = GENERATE(std::pair{0.8, 0.15}, std::pair{0.3, 0.2}, std::pair{0.5, 0.01});
  const auto shape = beta_shape(mean, sd);
  const boost::math::beta_distribution<double> beta(shape.a, shape.b);
  CHECK(boost::math::mean(beta) == Approx(mean).epsilon(1e-12));
  CHECK(boost::math::standard_deviation(beta) == Approx(sd).epsilon(1e-12));
}

TEST_CASE("inverse-beta table stays within 1e-6 of Boost.Math everywhere", "[inverse_beta]") {
  // The shipped parameters and extreme ones: very skewed, nearly uniform,
  // nearly degenerate, and U-shaped (a, b < 1).
  const auto [mean, sd] = GENERATE(
      std::pair{0.80, 0.15}, std::pair{0.60, 0.15}, std::pair{0.05, 0.20}, std::pair{0.95, 0.20},
      std::pair{0.50, 0.001}, std::pair{0.50, 0.49}, std::pair{0.01, 0.05}, std::pair{0.999, 0.01});
  const InverseBetaTable table(mean, sd);
  double worst = 0.0;
  for (double z = -12.0; z <= 12.0; z += 1.0 / 1021.0) {
    worst = std::max(worst, std::abs(table(z) - table.exact(z)));
  }
  // The whole range a Student-t copula reaches: the tail tables out to
  // |z| = kTailZMax, and exact evaluation beyond.
  for (double z = 12.0; z <= InverseBetaTable::kTailZMax + 1.0; z += 1.0 / 29.0) {
    worst = std::max(worst, std::abs(table(z) - table.exact(z)));
    worst = std::max(worst, std::abs(table(-z) - table.exact(-z)));
  }
  INFO("mean " << mean << " sd " << sd << " exact share " << table.exact_share());
  CHECK(worst < 1e-6);
}

TEST_CASE("inverse-beta table is the quantile of the right beta", "[inverse_beta]") {
  const InverseBetaTable table(0.8, 0.15);
  const auto shape = beta_shape(0.8, 0.15);
  const boost::math::beta_distribution<double> beta(shape.a, shape.b);
  // z = 0 is the median; z = -1.6448536 the 5% quantile.
  CHECK(table(0.0) == Approx(boost::math::quantile(beta, 0.5)).margin(1e-7));
  CHECK(table(-1.6448536269514722) == Approx(boost::math::quantile(beta, 0.05)).margin(1e-7));
  // The shipped shape needs no exact fallback inside the grid.
  CHECK(table.exact_share() == 0.0);
}

TEST_CASE("inverse-beta table is non-decreasing (to 1e-12) and inside 0 to 1", "[inverse_beta]") {
  const InverseBetaTable table(0.8, 0.15);
  double previous = -1.0;
  for (double z = -10.0; z <= 10.0; z += 0.001) {
    const double d = table(z);
    REQUIRE(d >= previous - 1e-12);  // Hermite pieces may wobble by rounding only
    REQUIRE(d >= 0.0);
    REQUIRE(d <= 1.0);
    previous = d;
  }
}

TEST_CASE("zero sd makes delivery constant at its mean", "[inverse_beta]") {
  const InverseBetaTable table(0.6, 0.0);
  CHECK(table(-3.0) == 0.6);
  CHECK(table(0.0) == 0.6);
  CHECK(table(25.0) == 0.6);
}

TEST_CASE("the bulk transform gives the one-at-a-time values bit for bit, on both SIMD paths",
          "[inverse_beta]") {
  // The shipped shape (no exact intervals) and a U-shaped one that has some;
  // z inside the grid, on its nodes, and at and beyond its ends.
  const auto [mean, sd] = GENERATE(std::pair{0.80, 0.15}, std::pair{0.50, 0.49});
  const InverseBetaTable table(mean, sd);
  std::vector<double> z;
  for (double v = -9.0; v <= 9.0; v += 1.0 / 97.0)
    z.push_back(v);
  for (double v :
       {-InverseBetaTable::kZMax, InverseBetaTable::kZMax, 0.0, 1.0 / 128.0, -30.0, 30.0})
    z.push_back(v);
  ccgrisk::test::for_each_simd_path([&](ccgrisk::SimdPath path) {
    std::vector<double> bulk(z.size());
    table.transform(z.data(), bulk.data(), z.size());
    for (std::size_t i = 0; i < z.size(); ++i) {
      const double one = table(z[i]);
      INFO("path " << ccgrisk::simd_name(path) << " z " << z[i]);
      REQUIRE(std::memcmp(&one, &bulk[i], sizeof one) == 0);
    }
  });
  INFO("exact share " << table.exact_share());
  CHECK((mean == 0.80) == (table.exact_share() == 0.0));
}

TEST_CASE("a table from the cache is the table a fresh build gives, bit for bit",
          "[inverse_beta]") {
  const InverseBetaTable first(0.8, 0.15);
  const InverseBetaTable again(0.8, 0.15);  // kept: the same grids
  // The cache keeps the last 64 tables: after 64 others, a fresh build.
  for (int k = 1; k <= 64; ++k)
    (void)InverseBetaTable(0.5 + 1e-4 * k, 0.1);
  const InverseBetaTable fresh(0.8, 0.15);
  const InverseBetaTable fresh_philox4x64(0.8, 0.15, ccgrisk::BetaTableKind::kLegacy);
  const InverseBetaTable again_philox4x64(0.8, 0.15, ccgrisk::BetaTableKind::kLegacy);
  int differ = 0, legacy_differ = 0;
  for (double z = -InverseBetaTable::kTailZMax - 1.0; z <= InverseBetaTable::kTailZMax + 1.0;
       z += 1.0 / 97.0) {
    const double a = first(z), b = again(z), c = fresh(z);
    differ += std::memcmp(&a, &b, sizeof a) != 0 || std::memcmp(&a, &c, sizeof a) != 0;
    const double d = fresh_philox4x64(z), e = again_philox4x64(z);
    legacy_differ += std::memcmp(&d, &e, sizeof d) != 0;
  }
  CHECK(differ == 0);
  CHECK(legacy_differ == 0);
}
