// Reverse stress test (ccgrisk reverse-stress): the smallest national shock,
// in standard deviations of the national factors, under which K or more
// CCGs are in the red in expectation, along each driver's adverse direction
// and along the worst combined direction (docs/stress-testing.md).
#pragma once

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/scenario_runs.hpp"
#include "model/model.hpp"

namespace ccgrisk {

using DriverVector = Eigen::Matrix<double, kNumDrivers, 1>;
using DriverMatrix = Eigen::Matrix<double, kNumDrivers, kNumDrivers>;

// Names of the drivers in enum Driver order, and the sign of each one's
// adverse direction (+1: a higher factor costs money; -1 for CIP delivery).
inline constexpr std::array<const char*, kNumDrivers> kDriverNames = {
    "acute_growth", "specialist_growth", "other_growth", "cip_delivery", "transfer_mismatch"};
inline constexpr std::array<double, kNumDrivers> kAdverseSign = {1, 1, 1, -1, 1};

// g_k = sum_i (d pressure_i / d Z_ik) / A_i at the plan (every Z = 0):
// growth B_ic sd_c, CIP delivery -P_i d'(0) (the slope of the beta
// quantile transform, by central difference), mismatch T_i sd_m.
DriverVector pressure_gradient(const Model& model);

// The worst combined direction: u = C g / sqrt(g' C g), so that
// sqrt(u' C^-1 u) = 1 and g'u = sqrt(g' C g) is the largest first-order
// rise of the weighted pressure per unit of Mahalanobis length. Zero when
// g' C g = 0 (no driver moves the pressure).
DriverVector worst_direction(const DriverVector& g, const DriverMatrix& correlation);

// The Mahalanobis length sqrt(x' C^-1 x) of a national shock x.
double mahalanobis(const DriverVector& x, const DriverMatrix& correlation);

struct ReverseStressSpec {
  double red = 0.0;          // K: expected number of CCGs in the red to reach, > 0
  double smax = 10.0;        // largest shock size searched, in (0, 50]
  double tolerance = 0.005;  // stop when the bracket is <= tolerance x its upper end
  bool pooled = false;       // count after risk sharing instead of before
};

enum class StressStatus : std::int64_t {
  kReached = 0,     // K reached at `shock`
  kNotReached = 1,  // fewer than K in the red in expectation even at smax
  kAtBase = 2,      // K already reached without a shock (shock 0)
};

struct StressDirection {
  std::string name;   // a driver's name or "combined"
  DriverVector unit;  // the direction: +-e_k, or u for "combined"
  StressStatus status = StressStatus::kNotReached;
  double shock = 0.0;               // s: the shock is s x unit (NaN when not reached)
  double mahalanobis = 0.0;         // sqrt(x' C^-1 x) of that shock
  double expected_red = 0.0;        // at the shock (at smax when not reached)
  double expected_red_below = 0.0;  // at the lower end of the final bracket
  double below = 0.0;               // that lower end
  std::vector<double> p_red;        // [n] at the shock (at smax when not reached)
  std::vector<int> tipping;         // the ceil(K) CCGs with the highest P(red) there
  int runs = 0;
};

struct ReverseStressResult {
  ReverseStressSpec spec;
  DriverVector gradient;    // g
  DriverVector base_shock;  // the scenario's own [stress] national_shock
  double base_expected_red = 0.0;
  std::vector<double> base_p_red;           // [n]
  std::vector<StressDirection> directions;  // the 5 drivers, then "combined"
};

// Checks the spec (K in (0, n], smax in (0, 50], tolerance in (0, 1)).
// Throws InputError.
void check_reverse_stress(const ScenarioRuns& runs, const ReverseStressSpec& spec);

// Searches every direction, starting from `base` (the run of the scenario
// as given). The shock is added to the scenario's own national_shock. A
// direction along which the pressure does not rise to first order (g'u <=
// 0, e.g. a driver with sd 0) is reported as not reached, without runs.
ReverseStressResult run_reverse_stress(ScenarioRuns& runs, const Results& base,
                                       const ReverseStressSpec& spec);

}  // namespace ccgrisk
