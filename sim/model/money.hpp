// Money units. Inputs and reports are in GBP thousands (doubles); each
// trial's outturns are settled in whole pounds (int64) so that risk sharing
// conserves money exactly and statistics are exact integer sums.
#pragma once

#include <cmath>
#include <cstdint>

namespace ccgrisk {

// 128-bit integer for exact sums of pounds and squared pounds.
__extension__ typedef __int128 Wide;

// GBP thousands -> whole pounds, to nearest.
inline std::int64_t to_pounds(double thousands) {
  return static_cast<std::int64_t>(std::llround(thousands * 1000.0));
}

// Pounds -> GBP thousands.
inline double to_thousands(double pounds) {
  return pounds / 1000.0;
}

}  // namespace ccgrisk
