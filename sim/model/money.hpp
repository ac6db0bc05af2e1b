// Money units. Inputs and reports are in GBP thousands (doubles); each
// trial's outturns are settled in whole pounds (int64) so that risk sharing
// conserves money exactly and statistics are exact integer sums.
#pragma once

#include <cmath>
#include <cstdint>

namespace ccgrisk {

// 128-bit integer for exact sums of pounds and squared pounds.
__extension__ typedef __int128 Wide;

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
