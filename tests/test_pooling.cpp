// Risk sharing in whole pounds: exact conservation, caps, hand examples.
#include <catch2/catch.hpp>

#include <numeric>
#include <random>
#include <vector>

#include "model/money.hpp"
#include "model/pooling.hpp"

using namespace ccgrisk;
using Vec = std::vector<std::int64_t>;

namespace {

std::int64_t sum(const Vec& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

}  // namespace

TEST_CASE("apportion splits in proportion, to the pound", "[pooling]") {
  Vec shares(3);
  apportion(100, Vec{1, 1, 1}, shares);
  CHECK(shares == Vec{34, 33, 33});  // leftover pound to the first of equal remainders
  apportion(-100, Vec{1, 1, 1}, shares);
  CHECK(shares == Vec{-33, -33, -34});  // floor(-33.3) = -34, two leftover pounds
  apportion(1000, Vec{1, 2, 7}, shares);
  CHECK(shares == Vec{100, 200, 700});
  apportion(10, Vec{0, 3, 0}, shares);
  CHECK(shares == Vec{0, 10, 0});
}

TEST_CASE("apportion always adds up and stays within floor and ceil", "[pooling]") {
  // Products total x weight beyond 64 bits (128-bit division) and within
  // them (the one 64-bit division apportion uses then).
  const std::int64_t range = GENERATE(2'000'000'000'000, 2'000'000'000);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> money(-range, range);
  std::uniform_int_distribution<std::int64_t> weight(0, 900'000'000);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t m = 1 + round % 9;
    Vec w(m), shares(m);
    for (auto& x : w)
      x = weight(rng);
    w[round % m] += 1;  // sum > 0
    const std::int64_t total = money(rng);
    apportion(total, w, shares);
    REQUIRE(sum(shares) == total);
    // floor(exact) <= share <= ceil(exact)  <=>  |share W - total w| < W, in exact integers.
    const Wide sum_w = std::accumulate(w.begin(), w.end(), Wide{0});
    for (std::size_t j = 0; j < m; ++j) {
      const Wide gap = Wide{shares[j]} * sum_w - Wide{total} * w[j];
      REQUIRE(gap < sum_w);
      REQUIRE(gap > -sum_w);
    }
  }
}

namespace {

// The largest-remainder method as defined: floors by 128-bit division,
// then a pound each to the largest remainders, the first of equals first.
Vec reference_apportion(std::int64_t total, const Vec& w) {
  const Wide sum_w = std::accumulate(w.begin(), w.end(), Wide{0});
  Vec shares(w.size());
  std::vector<Wide> remainder(w.size());
  std::int64_t given = 0;
  for (std::size_t j = 0; j < w.size(); ++j) {
    const Wide exact = Wide{total} * w[j];
    Wide q = exact / sum_w;
    if (exact % sum_w != 0 && exact < 0) --q;
    shares[j] = static_cast<std::int64_t>(q);
    remainder[j] = exact - q * sum_w;
    given += shares[j];
  }
  for (std::int64_t left = total - given; left > 0; --left) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < w.size(); ++j)
      if (remainder[j] > remainder[best]) best = j;
    ++shares[best];
    remainder[best] = -1;
  }
  return shares;
}

}  // namespace

TEST_CASE("apportion equals the largest-remainder method done by division", "[pooling]") {
  // Totals and weights of real pools, and ones far beyond them (quotients
  // past 2^50, where apportion divides instead of estimating).
  const auto [money_range, weight_range] =
      GENERATE(std::pair<std::int64_t, std::int64_t>{50'000'000, 900'000'000},
               std::pair<std::int64_t, std::int64_t>{4'000'000'000'000'000'000, 1'000'000},
               std::pair<std::int64_t, std::int64_t>{1'000, 4'000'000'000'000'000'000});
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> money(-money_range, money_range);
  std::uniform_int_distribution<std::int64_t> weight(0, weight_range);
  for (int round = 0; round < 5000; ++round) {
    const std::size_t m = 1 + round % 12;
    Vec w(m), shares(m);
    for (auto& x : w)
      x = weight(rng) / (round % 3 == 0 ? 1000 : 1);  // some equal remainders
    w[round % m] += 1;                                // sum > 0
    const std::int64_t total = money(rng);
    apportion(total, w, shares);
    INFO("round " << round);
    REQUIRE(shares == reference_apportion(total, w));
  }
}

TEST_CASE("full pooling shares the total by allocation", "[pooling]") {
  // Surpluses +30, -10, -5 (GBP k, in pounds); allocations 100, 200, 200.
  const Vec surplus{30'000, -10'000, -5'000}, allocation{100, 200, 200};
  Vec pooled(3);
  pool_full(surplus, allocation, pooled);
  CHECK(pooled == Vec{3'000, 6'000, 6'000});  // total 15,000 split 1:2:2
}

TEST_CASE("cover pooling: givers up to their cap, receivers pro rata", "[pooling]") {
  Vec pooled(4), scratch(12);
  SECTION("offers exceed the deficits: deficits are cleared, givers pro rata") {
    // A +50 (cap 20), B +10 (cap 20), C -15, D 0 -> offers 20 and 10, moved 15.
    pool_cover(Vec{50, 10, -15, 0}, Vec{20, 20, 20, 20}, pooled, scratch);
    CHECK(pooled == Vec{40, 5, 0, 0});
  }
  SECTION("deficits exceed the offers: every giver gives its cap") {
    // A +50 (cap 20), B +10 (cap 20), C -40, D -20 -> moved 30, split 2:1.
    pool_cover(Vec{50, 10, -40, -20}, Vec{20, 20, 20, 20}, pooled, scratch);
    CHECK(pooled == Vec{30, 0, -20, -10});
  }
  SECTION("nobody in deficit: nothing moves") {
    pool_cover(Vec{5, 6, 7, 8}, Vec{1, 1, 1, 1}, pooled, scratch);
    CHECK(pooled == Vec{5, 6, 7, 8});
  }
}

TEST_CASE("pooling conserves money exactly and cover never exceeds a cap", "[pooling]") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> money(-30'000'000'000, 30'000'000'000);
  std::uniform_int_distribution<std::int64_t> cap(0, 5'000'000'000);
  for (int round = 0; round < 5000; ++round) {
    const std::size_t m = 1 + round % 12;
    Vec surplus(m), caps(m), alloc(m), pooled(m), scratch(3 * m);
    for (std::size_t j = 0; j < m; ++j) {
      surplus[j] = money(rng);
      caps[j] = cap(rng);
      alloc[j] = 1 + cap(rng);
    }
    pool_full(surplus, alloc, pooled);
    REQUIRE(sum(pooled) == sum(surplus));
    pool_cover(surplus, caps, pooled, scratch);
    REQUIRE(sum(pooled) == sum(surplus));
    for (std::size_t j = 0; j < m; ++j) {
      const std::int64_t given = surplus[j] - pooled[j];
      REQUIRE(given <= std::max<std::int64_t>(0, std::min(caps[j], surplus[j])));
      if (surplus[j] < 0) REQUIRE(pooled[j] <= 0);   // a receiver is never lifted past zero
      if (surplus[j] >= 0) REQUIRE(pooled[j] >= 0);  // a giver never goes into the red
    }
  }
}
