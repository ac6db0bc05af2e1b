// The bounds on every input (docs/reliability.md "Bounds"), in one place.
//
// They are checked where the input is read (scenario, CCG table, targets,
// command line, results files), with the key named, so that nothing the
// engine computes can overflow: every magnitude that reaches the money
// arithmetic is bounded, the doubles stay finite, and each trial's outturns
// in whole pounds are exact (model/money.hpp). Each bound is far beyond any
// real figure: England's CCGs shared GBP 63.4bn in 2013-14 (DOMAIN.md).
#pragma once

#include <cstdint>

namespace ccgrisk::limits {

// ---- The CCG table
inline constexpr std::int64_t kMaxCcgs = 10'000;    // rows
inline constexpr double kMaxAllocationK = 1e8;      // GBP 100bn per CCG
inline constexpr double kMaxPopulation = 1e9;       // registered patients
inline constexpr std::size_t kMaxTextBytes = 200;   // a code, name, region...
inline constexpr std::size_t kMaxBasisBytes = 500;  // a basis cell (input_basis.hpp)
// A known specialised-transfer mismatch (transfer_mismatch_k), either sign:
// GBP 100bn, as an allocation.
inline constexpr double kMaxTransferMismatchK = 1e8;
inline constexpr std::size_t kMaxInputBytes = 64 << 20;  // any input file: 64 MiB

// ---- The scenario
inline constexpr double kMaxRate = 1.0;       // |growth mean|, |funded|, sd: 100% a year
inline constexpr double kMaxMismatch = 1.0;   // |transfer mismatch mean|, its sd
inline constexpr double kMinCipMean = 0.001;  // CIP delivery mean in [0.001, 0.999]
inline constexpr double kMaxCipMean = 0.999;
inline constexpr double kMaxBetaShape = 1e9;       // a + b of the CIP delivery beta
inline constexpr double kMaxDof = 1e6;             // Student-t degrees of freedom
inline constexpr double kMaxSdMultiplier = 100.0;  // drivers.sd_multiplier
inline constexpr double kMaxKappa = 100.0;         // underfunding pressure per % under target
inline constexpr double kMaxHubBudgetK = 1e8;      // GBP 100bn per hub
inline constexpr std::int64_t kMaxHubs = 1'000;
inline constexpr double kMaxReferencePopulation = 1e9;
// drivers.cip_delivery.concentration, the beta's a + b as given: in (0, 1e9].
// With drivers.sd_multiplier the a + b used is bounded by kMaxBetaShape too.
inline constexpr double kMaxCipConcentration = kMaxBetaShape;

// ---- The targets file
inline constexpr std::int64_t kMaxTargets = 1'000;
inline constexpr double kMaxTargetValue = 1e12;  // |value|, tolerance, |lower|, |upper|

// ---- The command line
inline constexpr int kMaxThreads = 1'024;                   // --threads
inline constexpr int kMaxSweepSteps = 1'000;                // sweep --steps
inline constexpr int kMaxOuterSamples = 100'000;            // uncertainty.samples
inline constexpr std::size_t kMaxUncertainParameters = 64;  // [[uncertainty.parameter]]
inline constexpr double kMaxUncertainValue =
    1e9;                                // any number of an uncertain parameter's distribution
inline constexpr int kMaxGrid = 1'000;  // breakeven --grid
inline constexpr int kMaxYears = 10;    // [horizon] years
// [allocation] uplifts, % a year: over 10 years an allocation grows at most
// 1.2^9 times, so every amount stays within the settlement bound below.
inline constexpr double kMinUpliftPct = -10.0;
inline constexpr double kMaxUpliftPct = 20.0;
inline constexpr std::int64_t kMaxBlockTrials = 1'000'000'000;  // --block-trials
inline constexpr int kMaxListed = 100'000;                      // --top, --show

// ---- The engine (model/money.hpp)
// A trial's pressure on one CCG (or hub) is settled within +-kMaxPressureGbp
// pounds (GBP 17.6 trillion, 176 times the largest allocation): only a
// Student-t scale or a shock of many hundred sd can reach it, and the trials
// that do are counted (provenance trials_capped). With the bounds above the
// sum over kMaxCcgs CCGs stays below 2^62 pounds.
inline constexpr double kMaxPressureGbp = 0x1p44;
// The Student-t copula's common scale sqrt(dof / V) is at most this: V below
// dof / kMaxCopulaScale^2 (probability about 1e-12 a trial for dof near 2,
// far less above) is taken as that bound.
inline constexpr double kMaxCopulaScale = 1e6;

}  // namespace ccgrisk::limits
