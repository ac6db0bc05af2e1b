#include "model/pooling.hpp"

#include <cassert>
#include <limits>
#include <numeric>

#include "model/money.hpp"

namespace ccgrisk {

namespace {

// floor(a / b) for b > 0 (C++ division truncates toward zero).
template <typename Int>
Int floor_div_as(Int a, Int b) {
  Int q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// The same in one 64-bit division when a and b fit in 64 bits (always, for
// pounds of real budgets: a 128-bit division is a slow library call).
Wide floor_div(Wide a, Wide b) {
  constexpr Wide kMin = std::numeric_limits<std::int64_t>::min();
  constexpr Wide kMax = std::numeric_limits<std::int64_t>::max();
  if (a >= kMin && a <= kMax && b <= kMax)
    return floor_div_as(static_cast<std::int64_t>(a), static_cast<std::int64_t>(b));
  return floor_div_as(a, b);
}

}  // namespace

void apportion(std::int64_t total, std::span<const std::int64_t> weights,
               std::span<std::int64_t> shares) {
  assert(weights.size() == shares.size());
  const Wide sum_w = std::accumulate(weights.begin(), weights.end(), Wide{0});
  assert(sum_w > 0);
  std::int64_t given = 0;
  for (std::size_t j = 0; j < weights.size(); ++j) {
    shares[j] = static_cast<std::int64_t>(floor_div(Wide{total} * weights[j], sum_w));
    given += shares[j];
  }
  // 0 <= leftover < number of members with a nonzero remainder.
  for (std::int64_t leftover = total - given; leftover > 0; --leftover) {
    std::size_t best = weights.size();
    Wide best_rem = 0;
    for (std::size_t j = 0; j < weights.size(); ++j) {
      const Wide exact = Wide{total} * weights[j];
      const Wide rem = exact - Wide{shares[j]} * sum_w;  // in [0, sum_w); < 0 once topped up
      if (rem > best_rem) {
        best = j;
        best_rem = rem;
      }
    }
    assert(best < weights.size());
    ++shares[best];
  }
}

void pool_full(std::span<const std::int64_t> surplus, std::span<const std::int64_t> allocation,
               std::span<std::int64_t> pooled) {
  const std::int64_t total = std::accumulate(surplus.begin(), surplus.end(), std::int64_t{0});
  apportion(total, allocation, pooled);
}

void pool_cover(std::span<const std::int64_t> surplus, std::span<const std::int64_t> cap,
                std::span<std::int64_t> pooled, std::span<std::int64_t> scratch) {
  const std::size_t m = surplus.size();
  assert(scratch.size() >= 3 * m);
  auto offer = scratch.subspan(0, m);      // g_j: what each member in surplus can give
  auto deficit = scratch.subspan(m, m);    // d_j: each member's deficit
  auto moved = scratch.subspan(2 * m, m);  // apportioned gift or receipt
  std::int64_t total_offer = 0, total_deficit = 0;
  for (std::size_t j = 0; j < m; ++j) {
    offer[j] = surplus[j] > 0 ? std::min(surplus[j], cap[j]) : 0;
    deficit[j] = surplus[j] < 0 ? -surplus[j] : 0;
    total_offer += offer[j];
    total_deficit += deficit[j];
  }
  std::copy(surplus.begin(), surplus.end(), pooled.begin());
  const std::int64_t amount = std::min(total_offer, total_deficit);
  if (amount == 0) return;
  apportion(amount, offer, moved);
  for (std::size_t j = 0; j < m; ++j)
    pooled[j] -= moved[j];
  apportion(amount, deficit, moved);
  for (std::size_t j = 0; j < m; ++j)
    pooled[j] += moved[j];
}

}  // namespace ccgrisk
