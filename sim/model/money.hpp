// Money units. Inputs and reports are in GBP thousands (doubles); each
// trial's outturns are settled in whole pounds (int64) so that risk sharing
// conserves money exactly and statistics are exact integer sums.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "input/limits.hpp"

namespace ccgrisk {

// 128-bit integers for exact sums of pounds and squared pounds.
__extension__ typedef __int128 Wide;
__extension__ typedef unsigned __int128 UnsignedWide;

// GBP thousands clamped to +-limits::kMaxPressureGbp pounds, so that
// settling in pounds is exact and sums of many CCGs cannot overflow;
// `capped` becomes nonzero when the bound was needed. A NaN (which the input
// bounds rule out) would become the lower bound, and count. Written so that
// GCC vectorises the loops calling it: the test and the clamp as separate
// selects (combined in one expression, GCC 12 keeps the loop scalar).
inline double capped_thousands(double thousands, std::int64_t& capped) {
  constexpr double kCap = limits::kMaxPressureGbp / 1000.0;
  capped |= static_cast<std::int64_t>(!(std::abs(thousands) <= kCap));
  return std::min(kCap, std::max(-kCap, thousands));  // std::max(-kCap, NaN) is -kCap
}

// GBP thousands -> whole pounds, to nearest, halves away from zero: the same
// result as std::llround for |pounds| < 2^52, without a library call (the
// truncation and the remainder are exact in that range).
inline std::int64_t to_pounds(double thousands) {
  const double pounds = thousands * 1000.0;
  const auto whole = static_cast<std::int64_t>(pounds);  // toward zero
  const double rest = pounds - static_cast<double>(whole);
  return whole + (rest >= 0.5) - (rest <= -0.5);  // branch-free, so loops vectorise
}

// Pounds -> GBP thousands.
inline double to_thousands(double pounds) {
  return pounds / 1000.0;
}

}  // namespace ccgrisk
