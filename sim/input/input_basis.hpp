// The per-CCG inputs and where each value came from (its "basis"), carried
// from the CCG table and the scenario into every results file
// (docs/results-format.md "/ccg: input bases", docs/data.md).
#pragma once

#include <array>
#include <string_view>

namespace ccgrisk {

// The per-CCG inputs the model reads, in a fixed order.
enum CcgInput : int {
  kInputAllocation = 0,    // allocation_2013_14_k, A_i
  kInputPopulation,        // population
  kInputPlannedSurplus,    // planned_surplus_pct
  kInputContingency,       // contingency_pct
  kInputNonrecurrent,      // nonrecurrent_pct
  kInputCip,               // cip_pct
  kInputSpecTransfer,      // spec_transfer_pct
  kInputTargetDistance,    // target_distance_pct
  kInputTransferMismatch,  // transfer_mismatch_k
  kNumCcgInputs
};

struct CcgInputInfo {
  std::string_view column;        // the CCG table column (and [ccg.CODE] key, if any)
  std::string_view basis_column;  // the table's column stating its basis; also the
                                  // results dataset /ccg/<basis_column>
  std::string_view units;         // of the value
  std::string_view meaning;       // one line
  bool scenario_key;              // settable in [ccg.CODE]
  bool plan_default;              // has a [plan] default (else a blank cell means 0)
};

inline constexpr std::array<CcgInputInfo, kNumCcgInputs> kCcgInputs = {{
    {"allocation_2013_14_k", "allocation_basis", "GBP thousands",
     "2013-14 allocation A_i (programme, excluding running costs); required", false, false},
    {"population", "population_basis", "people",
     "registered population (size-dependent volatility only)", false, false},
    {"planned_surplus_pct", "planned_surplus_pct_basis", "% of allocation",
     "planned surplus s_i (negative: a planned deficit); [plan] surplus_pct when blank", true,
     true},
    {"contingency_pct", "contingency_pct_basis", "% of allocation",
     "contingency reserve c_i; [plan] contingency_pct when blank", true, true},
    {"nonrecurrent_pct", "nonrecurrent_pct_basis", "% of allocation",
     "non-recurrent (one-off) spending n_i; [plan] nonrecurrent_pct when blank", true, true},
    {"cip_pct", "cip_pct_basis", "% of allocation",
     "planned efficiency (CIP/QIPP) savings P_i; [plan] cip_pct when blank", true, true},
    {"spec_transfer_pct", "spec_transfer_pct_basis", "% of allocation",
     "allocation moved to NHS England for specialised services T_i; [plan] spec_transfer_pct "
     "when blank",
     true, true},
    {"target_distance_pct", "target_distance_pct_basis", "% of target allocation",
     "distance from the fair-shares target allocation (negative: under target); 0 when blank", true,
     false},
    {"transfer_mismatch_k", "transfer_mismatch_k_basis", "GBP thousands",
     "known specialised-transfer mismatch: allocation taken beyond the activity removed "
     "(positive: pressure on the CCG); 0 when blank",
     true, false},
}};

// The basis of a value, when the table's basis column does not give one.
inline constexpr std::string_view kBasisTable = "table";                       // a table cell
inline constexpr std::string_view kBasisScenarioDefault = "scenario default";  // [plan]
inline constexpr std::string_view kBasisNotGiven = "not given (0)";            // blank, no default
// A [ccg.CODE] key: "scenario [ccg.05Q]".
inline constexpr std::string_view kBasisScenarioPrefix = "scenario [ccg.";

// An allocation whose basis starts with this (any case) is an estimate,
// marked as such in summaries, reports and exports.
inline constexpr std::string_view kEstimatedPrefix = "estimated";

// True when `basis` says the value is an estimate ("estimated from population").
constexpr bool is_estimated(std::string_view basis) {
  if (basis.size() < kEstimatedPrefix.size()) return false;
  for (std::size_t i = 0; i < kEstimatedPrefix.size(); ++i) {
    const char c = basis[i];
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != kEstimatedPrefix[i]) return false;
  }
  return true;
}

}  // namespace ccgrisk
