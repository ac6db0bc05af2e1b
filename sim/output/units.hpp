// Units: the `units` attribute of the results file's datasets, and the units
// that export's headers name ("p_red (probability)"). Character arrays, so
// that they serve as std::string and std::string_view alike.
#pragma once

namespace ccgrisk::units {

inline constexpr char kMoney[] = "GBP thousands";  // a dataset's units
inline constexpr char kMoneyHeader[] = "GBP k";    // the same in export's headers
inline constexpr char kProbability[] = "probability";
inline constexpr char kCount[] = "count";
inline constexpr char kCcgs[] = "CCGs";  // export's count of CCGs
inline constexpr char kLabel[] = "1";    // dimensionless numbers and labels

}  // namespace ccgrisk::units
