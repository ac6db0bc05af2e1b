// The scenario: what to simulate, read from TOML (MODEL.md "Inputs").
#pragma once

#include <Eigen/Core>

#include "input/ccg_table.hpp"
#include "input/uncertainty.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk {

enum class Copula { kGaussian, kStudentT };
// The bit generator under every stream (run.rng). Philox4x64-10 is the
// model's original; Philox4x32-10 is computed 8 blocks at a time with
// AVX-512 and is about three times cheaper a word. They give different (but
// equally distributed) draws, so results differ between them.
enum class BitGenerator { kPhilox4x64, kPhilox4x32 };
enum class PoolRule { kFull, kCover };

// Number of latent drivers and their fixed order (MODEL.md step 1).
inline constexpr int kNumDrivers = 5;
enum Driver : int {
  kAcuteGrowth = 0,
  kSpecialistGrowth = 1,
  kOtherGrowth = 2,
  kCipDelivery = 3,
  kTransferMismatch = 4,
};
// Spend categories (acute, specialist, other) are drivers 0..2.
inline constexpr int kNumCategories = 3;

struct RunSettings {
  std::int64_t trials = 200000;  // in [1, kMaxTrials]
  std::uint64_t seed = 20130401;
  Copula copula = Copula::kGaussian;
  double dof = 5.0;  // student_t degrees of freedom, > 2 (finite variance)
  BitGenerator rng = BitGenerator::kPhilox4x32;
  // Antithetic pairs: trials 2j and 2j+1 use the same draws with every
  // normal negated (trials must then be even).
  bool antithetic = false;
  // Precision on demand: when > 0, trials are added in fixed rounds until
  // every CCG's P(red) standard error is at most target_se, or max_trials.
  double target_se = 0.0;
  std::int64_t max_trials = 10'000'000;
};

// Defaults of the per-CCG plan, all in % of the CCG's allocation.
struct PlanDefaults {
  double surplus_pct = 1.0;                // s_i; negative = planned deficit
  double contingency_pct = 0.5;            // c_i >= 0
  double nonrecurrent_pct = 2.0;           // n_i >= 0
  double nonrecurrent_uncommitted = 0.25;  // u in [0, 1] (a share, not a %)
  double cip_pct = 3.0;                    // P_i >= 0
  double spec_transfer_pct = 19.0;         // T_i >= 0
  double control_total_pct = 1.0;          // surplus below this misses the control total
};

// Shares w_c of planned expenditure; each in [0,1], sum 1 (within 1e-9).
struct SpendMix {
  double acute = 0.50;
  double specialist = 0.05;
  double other = 0.45;
};

struct GrowthDriver {
  double mean = 0.0;
  double sd = 0.0;      // >= 0
  double funded = 0.0;  // growth the plan paid for
};

struct NormalDriver {
  double mean = 0.0;
  double sd = 0.0;  // >= 0
};

// How drivers.cip_delivery gives its beta (docs/model.md "CIP delivery").
enum class BetaForm {
  // `mean` and `sd` (ccgrisk 0.1's form, and the default when neither sd
  // nor concentration is given): with sd held fixed, a higher mean lengthens
  // the left tail, so low quantiles can fall as the mean rises.
  kMeanSd,
  // `mean` and `concentration` kappa = a + b: a = mean kappa, b = (1 - mean)
  // kappa. At fixed kappa the beta is stochastically increasing in the mean
  // (every quantile rises with it), so moving the mean is monotone.
  kConcentration,
};

// Beta on [0,1]. kMeanSd: 0 < mean < 1 and sd^2 < mean (1 - mean); sd = 0
// means delivery is exactly `mean`. kConcentration: concentration in
// (0, limits::kMaxBetaShape]; sd is not used.
struct BetaDriver {
  double mean = 0.8;
  double sd = 0.15;
  BetaForm form = BetaForm::kMeanSd;
  double concentration = 0.0;
};

// The concentration a + b = mean (1 - mean) / sd^2 - 1 of the beta with this
// mean and sd (sd > 0; positive when sd^2 < mean (1 - mean)).
double beta_concentration(double mean, double sd);

// The concentration a + b the engine uses for `b` with drivers.sd_multiplier
// k, and 0 for a fixed delivery (sd = 0, or k = 0).
// kMeanSd: mean (1 - mean) / (k sd)^2 - 1.
// kConcentration: (kappa + 1) / k^2 - 1 (kappa itself when k = 1), so that
// the sd at every mean, sqrt(mean (1 - mean) / (kappa + 1)), is k times the
// scenario's while the concentration stays the same at every mean; it is
// <= 0 when k^2 >= kappa + 1 (the scenario refuses that).
double cip_concentration(const BetaDriver& b, double sd_multiplier);
// The sd of the beta the engine uses at b.mean: k sd (kMeanSd), or
// sqrt(mean (1 - mean) / (concentration + 1)) with the concentration above.
double cip_sd(const BetaDriver& b, double sd_multiplier);

// Shares of each driver's variance; each >= 0, sum <= 1.
struct CorrelationShares {
  double national = 0.2;
  double region = 0.1;
  double area_team = 0.1;
};

struct PoolSpec {
  std::string name;                  // unique, non-empty
  std::vector<std::string> members;  // ODS codes; >= 1, no repeats
  PoolRule rule = PoolRule::kFull;
  double cap_pct = 1.0;  // "cover": most a member gives, % of its allocation (>= 0)
};

// An NHS England area team commissioning specialised services (MODEL.md
// step 7): its overspend = budget (g - funded) + P (1 - d) + shift% budget,
// g the specialist growth driver, d the CIP delivery driver.
struct HubSpec {
  std::string name;        // unique, non-empty
  double budget_k = 0.0;   // > 0, GBP thousands
  double cip_pct = 0.0;    // planned efficiency savings, % of budget, in [0, 100]
  double shift_pct = 0.0;  // deterministic pressure, % of budget, in [-100, 100]
};

// Deterministic pressures (% of allocation) on every CCG of a region or an
// area team: historical underfunding, local demand. Names are checked
// against the CCG table when the model is built.
struct LocalShifts {
  std::map<std::string, double> region_pct;     // region name -> % of allocation
  std::map<std::string, double> area_team_pct;  // area team code ("Q60") -> % of allocation
};

// Size-dependent volatility: each CCG's own (idiosyncratic) shock is scaled
// by sqrt(reference_population / population) when enabled.
struct Volatility {
  bool size_scaling = false;
  double reference_population = 300000.0;  // > 0
};

// Per-CCG overrides given in the scenario ([ccg.CODE] tables); they take
// precedence over the CSV's override columns. Codes are checked against the
// table when the model is built.
struct CcgOverride {
  PlanOverrides plan;
  std::optional<double> target_distance_pct;
  // Known specialised-transfer mismatch, GBP thousands, within
  // +-limits::kMaxTransferMismatchK: allocation taken beyond the activity
  // removed (positive: pressure on the CCG).
  std::optional<double> transfer_mismatch_k;
};

// A run of several financial years (docs/model.md "Several years"). The
// first year is the scenario as written; each later year is the scenario
// with that year's [year.LABEL] table applied (input/horizon.hpp).
struct Horizon {
  int years = 1;          // [horizon] years, 1..limits::kMaxYears
  int first_year = 2013;  // [horizon] first_year = "2013-14": the first year's start
  // Year-to-year correlation of the latent normals, by level: each year's
  // normal is phi x last year's + sqrt(1 - phi^2) x a fresh one. In [0, 1).
  double phi_national = 0.0, phi_region = 0.0, phi_area_team = 0.0, phi_own = 0.0;
  // Share of the CIP a CCG delivers that is recurrent (the rest must be
  // found again the next year), in [0, 1].
  double cip_recurrent_share = 1.0;
  // Share of the recurrent gap carried into a year that the year's plan
  // covers with extra savings (delivered at the CIP delivery rate), in
  // [0, 1]; the rest is an unplanned pressure.
  double gap_plan_share = 1.0;
};

// How a CCG's allocation grows into a year (used from the second year on):
// uplift_i = uplift_pct + min(max_uplift_pct - uplift_pct,
//            pace_extra_per_pct x max(0, -distance_i - pace_threshold_pct)),
// and over-target CCGs (distance > 0) get over_target_uplift_pct. Each CCG's
// distance from target moves with it: (1 + d') = (1 + d)(1 + uplift_i) /
// (1 + target_growth_pct). Percentages.
struct AllocationGrowth {
  double uplift_pct = 0.0;
  std::optional<double> over_target_uplift_pct;  // default uplift_pct
  double pace_threshold_pct = 0.0;
  double pace_extra_per_pct = 0.0;
  std::optional<double> max_uplift_pct;     // default: no cap
  std::optional<double> target_growth_pct;  // default uplift_pct
  std::string source;
};

// How a cumulative deficit is recovered: a CCG whose cumulative outturn
// (after risk sharing) is below zero plans to repay it over `years` years,
// at most max_pct% of the year's allocation a year; the repayment raises
// the year's planned surplus and is found by extra savings, delivered at
// the year's CIP delivery rate.
struct Recovery {
  int years = 1;         // 1..limits::kMaxYears
  double max_pct = 5.0;  // [0, 100]
  std::string source;
};

// A deterministic pressure on every CCG, % of its allocation (e.g. the
// Better Care Fund's transfer out of CCG allocations).
struct NamedPressure {
  std::string name;
  double pct = 0.0;  // [-100, 100]
  std::string source;
};

// Largest number of trials a run accepts.
inline constexpr std::int64_t kMaxTrials = 1'000'000'000'000;

struct Scenario {
  std::filesystem::path path;  // the scenario file
  std::string text;            // its full text (provenance)
  std::string effective_toml;  // effective table as TOML (file + --set), see overrides.hpp

  RunSettings run;
  std::filesystem::path ccgs;  // [data] ccgs, resolved against the scenario's folder
  PlanDefaults plan;
  SpendMix mix;
  GrowthDriver acute_growth{0.021, 0.01, 0.021};
  GrowthDriver specialist_growth{0.05, 0.02, 0.02};
  GrowthDriver other_growth{0.03, 0.01, 0.03};
  BetaDriver cip_delivery{0.80, 0.15};
  NormalDriver transfer_mismatch{0.005, 0.02};
  CorrelationShares correlation;
  // Correlation of the national factors, driver order as enum Driver.
  // Symmetric, unit diagonal, entries in [-1,1], positive definite.
  Eigen::Matrix<double, kNumDrivers, kNumDrivers> driver_correlation =
      Eigen::Matrix<double, kNumDrivers, kNumDrivers>::Identity();
  double underfunding_kappa = 0.1;  // [underfunding] pressure_per_pct_under_target, >= 0
  std::vector<PoolSpec> pools;
  std::vector<HubSpec> hubs;
  double hub_shift_pct = 0.0;  // [specialised] shift_pct: added to every hub's shift_pct
  LocalShifts shifts;
  std::map<std::string, CcgOverride> ccg_overrides;  // [ccg.CODE]
  double sd_multiplier = 1.0;  // drivers.sd_multiplier: scales every driver's sd (>= 0)
  // [stress] national_shock: a deterministic shift of the national factors,
  // in standard deviations, driver order as enum Driver: X = L xi + shock.
  Eigen::Matrix<double, kNumDrivers, 1> national_shock =
      Eigen::Matrix<double, kNumDrivers, 1>::Zero();
  Volatility volatility;
  // [uncertainty]: distributions for scenario keys and how many outer
  // samples to draw (input/uncertainty.hpp); inactive when absent.
  UncertaintySpec uncertainty;
  Horizon horizon;
  AllocationGrowth allocation;           // [allocation]: used for the second and later years
  Recovery recovery;                     // [recovery]
  std::vector<NamedPressure> pressures;  // [[pressure]]
};

// A financial year's label, "2013-14", from the year it starts in, and back
// (nothing unless the label is "YYYY-YY" with consecutive years, YYYY >= 1900).
std::string year_label(int first_year);
std::optional<int> parse_year_label(std::string_view label);

// Parses and validates a scenario file. Every section and key is optional
// and takes the default above, except [data] ccgs which is required. Throws
// InputError naming the file, the key (e.g. "drivers.acute_growth.sd") and
// the value for: TOML syntax errors (with line and column), unknown
// sections or keys, wrong types, out-of-range values (see the field
// comments), an unknown copula or pool rule, a correlation matrix that is
// not 5x5, not symmetric or not positive definite, duplicate pool names.
// Pool members are checked against the CCG table later, in build_model.
Scenario load_scenario(const std::filesystem::path& path);

// As load_scenario, from text already in memory; `path` is used in messages
// and to resolve relative paths.
Scenario parse_scenario(const std::string& text, const std::filesystem::path& path);

}  // namespace ccgrisk
