// The scenario compiled against the CCG table: everything one trial needs,
// per CCG as flat arrays (structure of arrays), money in GBP thousands.
#pragma once

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "input/ccg_table.hpp"
#include "input/scenario.hpp"
#include "model/inverse_beta.hpp"
#include "model/money.hpp"

namespace ccgrisk {

// CCGs reported together: a region, an area team, a pool or the nation.
struct CcgGroup {
  std::string code;
  std::string name;
  std::vector<int> members;  // CCG indices, ascending
};

struct PoolModel {
  std::string name;
  PoolRule rule = PoolRule::kFull;
  std::vector<int> members;                  // CCG indices, in the scenario's order
  std::vector<std::int64_t> allocation_gbp;  // per member, "full" weights
  std::vector<std::int64_t> cap_gbp;         // per member, "cover" caps
};

struct Model {
  int n = 0;  // number of CCGs
  std::vector<CcgRecord> ccgs;

  // Hierarchy: area teams nest in regions (checked when the table is read).
  std::vector<int> region_of;       // [n]
  std::vector<int> area_team_of;    // [n]
  std::vector<int> region_of_area;  // [area teams]
  std::vector<CcgGroup> regions;
  std::vector<CcgGroup> area_teams;
  CcgGroup national;

  // Per-CCG plan (MODEL.md step 3-5), GBP thousands.
  std::vector<double> allocation_k;         // A_i
  std::vector<double> planned_surplus_k;    // s_i
  std::vector<double> contingency_k;        // c_i
  std::vector<double> reserves_k;           // M_i = c_i + u n_i
  std::vector<double> control_total_k;      // control_total_pct% A_i
  std::vector<double> cip_k;                // P_i
  std::vector<double> transfer_k;           // T_i
  std::vector<double> transfer_mismatch_k;  // known mismatch, added to T_i m_i (0: none)
  std::vector<double> underfunding_k;       // kappa max(0, -target_distance_pct) / 100 A_i
  std::vector<double> shift_k;              // [shift.region] + [shift.area_team], % of A_i
  std::vector<char> planned_deficit;        // s_i < 0: the CCG planned to end in the red
  std::array<std::vector<double>, kNumCategories> category_base_k;  // B_ic = w_c E_i

  // Drivers.
  std::array<GrowthDriver, kNumCategories> growth;  // acute, specialist, other
  NormalDriver transfer_mismatch;
  // As used: the scenario's, with sd the sd at the mean and concentration
  // the beta's a + b (0: a fixed delivery), drivers.sd_multiplier applied.
  BetaDriver cip_delivery;
  InverseBetaTable cip_transform;                                     // z -> d_i
  Eigen::Matrix<double, kNumDrivers, kNumDrivers> national_cholesky;  // L, L L^T = correlation
  Eigen::Matrix<double, kNumDrivers, 1> national_shock;               // [stress]: X = L xi + shock
  double load_national = 0.0;                                         // sqrt(rho_N)
  double load_region = 0.0;                                           // sqrt(rho_R)
  double load_area = 0.0;                                             // sqrt(rho_A)
  double load_own = 1.0;         // sqrt(1 - rho_N - rho_R - rho_A)
  std::vector<double> own_load;  // [n] load_own, times sqrt(ref / population) with size scaling
  Copula copula = Copula::kGaussian;
  double dof = 5.0;
  bool antithetic = false;                       // trial 2j+1 negates every normal of trial 2j
  BitGenerator rng = BitGenerator::kPhilox4x32;  // under every stream (model/random.hpp)
  // A year of a run of several (model/horizon.hpp): settlement adds the
  // carried gap and the repayment in TrialState, and the underlying outturn
  // leaves out the non-recurrent part of delivered CIP (cip_nonrecurrent_k
  // per unit of delivery). false for a one-year run, whose trial is then
  // exactly as it always was.
  bool carries = false;
  std::vector<double> cip_nonrecurrent_k;  // [n] P_i (1 - cip_recurrent_share), when carries
  // Share of the carried gap the year's plan covers with extra savings,
  // delivered at the CIP delivery rate (horizon.gap_plan_share), and that
  // share times the non-recurrent share of delivered savings.
  double gap_plan_share = 0.0, gap_nonrecurrent = 0.0;

  // Specialised commissioning hubs (step 7): growth and CIP delivery load
  // on the same national factors as the CCGs, plus a hub's own shock.
  std::vector<HubSpec> hubs;  // budgets, CIP and shifts as given
  double hub_own_load = 1.0;  // sqrt(1 - rho_N)

  // Risk sharing.
  std::vector<PoolModel> pools;
  std::vector<CcgGroup> pool_groups;  // the same pools, as reporting groups
  std::vector<int> pool_of;           // [n], -1 = in no pool

  // All reporting groups in the order above; pointers into this model.
  std::vector<const CcgGroup*> groups() const;
};

// The CCG table's rows with the scenario's [ccg.CODE] overrides applied and
// every input's basis resolved (input/input_basis.hpp): "scenario
// [ccg.CODE]" for an override, "scenario default" for a blank plan cell,
// "not given" for another blank cell (the value is then 0). Throws
// InputError (naming the scenario file and key) for a [ccg.CODE] that is
// not in the table.
std::vector<CcgRecord> resolve_ccgs(const Scenario& scenario, const CcgTable& table);

// Builds the model. Throws InputError (naming the scenario file and key) for
// a pool member that is not in the CCG table, a CCG in two pools, a shift
// naming a region or area team the table does not have, or size scaling
// with a CCG whose population is missing.
Model build_model(const Scenario& scenario, const CcgTable& table);

// The CIP delivery transform of Model::cip_delivery (`used`, the multiplier
// applied): the mean-and-sd form's table as ccgrisk 0.1 built it; the
// fixed-concentration form's beta(mean kappa, (1 - mean) kappa); a constant
// for a fixed delivery.
InverseBetaTable cip_delivery_table(const BetaDriver& used, BetaTableKind kind);

}  // namespace ccgrisk
