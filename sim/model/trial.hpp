// One simulated year (MODEL.md steps 1-6) for every CCG.
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.hpp"

namespace ccgrisk {

// The parts of a CCG's pressure (MODEL.md step 3), for risk attribution.
enum Component : int {
  kAcutePressure = 0,   // B_acute (g - funded)
  kSpecialistPressure,  // B_specialist (g - funded)
  kOtherPressure,       // B_other (g - funded)
  kCipShortfall,        // P (1 - d)
  kTransferPressure,    // T m
  kLocalPressure,       // underfunding + region and area-team shifts
  kNumComponents
};
inline constexpr const char* kComponentNames[kNumComponents] = {
    "acute_growth",  "specialist_growth", "other_growth",
    "cip_shortfall", "transfer_mismatch", "local"};

// Working memory and outcome of one trial, sized for a model once and
// reused; one per thread. Outcomes are in whole pounds.
struct TrialState {
  explicit TrialState(const Model& model);

  std::vector<double> normals;      // the trial's latent normals, in draw order
  std::vector<double> hub_normals;  // the hubs' own normals, 2 per hub

  // Latent factors: national X = L xi [drivers], and per area team the
  // shared part of Z, sqrt(rho_N) X_k + sqrt(rho_R) Y_{r,k} + sqrt(rho_A) W_{a,k}.
  double national[kNumDrivers] = {};  // X = L xi
  std::vector<double> region_factor;  // [regions x drivers]
  std::vector<double> area_common;    // [area teams x drivers]
  std::vector<double> z;              // [drivers x n] each CCG's latent Z (step 2)
  double scale = 1.0;                 // the copula's common scale (1: Gaussian)
  std::vector<double> delivery;       // [n] CIP delivery d_i

  std::vector<std::int64_t> components;         // [kNumComponents x n] pressure parts, pounds
  std::vector<std::int64_t> surplus;            // outturn before risk sharing
  std::vector<std::int64_t> underlying;         // recurrent outturn, before sharing
  std::vector<std::int64_t> pooled;             // outturn after risk sharing
  std::vector<std::int64_t> pooled_underlying;  // recurrent outturn after sharing
  std::vector<std::int64_t> pool_in, pool_out, pool_scratch;  // per-pool buffers
  std::vector<std::int64_t> hub_overspend;  // per hub; NHS England's deficit is the sum
  // Several years (Model::carries, model/horizon.hpp): what the year starts
  // with, GBP thousands, set before finish_trial: each CCG's recurrent gap
  // carried from earlier years and its planned repayment of a cumulative
  // deficit, each hub's carried gap; and, set by finish_trial, each hub's
  // recurrent overspend of the year (growth and CIP shortfall).
  std::vector<double> carried, repay;              // [n]
  std::vector<double> hub_carried, hub_recurrent;  // [hubs]
  // Nonzero when a pressure or a hub overspend of this trial reached the
  // settlement bound (limits::kMaxPressureGbp) and was held at it.
  std::int64_t capped = 0;
  // The settlement's parts that the CIP delivery does not move, GBP
  // thousands per CCG, kept by finish_trial when asked (Settlement::kKeep):
  // the three growth parts summed in their order, the transfer mismatch,
  // the local part; and whether any of them was held at the bound.
  std::vector<double> kept_growth, kept_mismatch, kept_local;  // [n]
  std::int64_t kept_capped = 0;

  // Component c's part for every CCG (a row of `components`).
  const std::int64_t* component(int c) const { return components.data() + c * surplus.size(); }
};

// Simulates trial number `trial` of the run with master seed `seed` into
// `state`. Its random numbers come from the streams (seed, trial, purpose)
// alone, so the outcome does not depend on which thread runs it or when.
// Draw order in the normal stream: xi (5), region factors (region-major,
// 5 each), area-team factors (likewise), then 5 per CCG in table order.
// With model.antithetic, trials 2j and 2j+1 share the streams of pair j and
// trial 2j+1 negates every normal (the chi-squared draw is shared).
// Hubs draw from their own stream (2 per hub: specialist growth, CIP
// delivery), so adding hubs leaves every CCG's numbers unchanged.
void simulate_trial(const Model& model, std::uint64_t seed, std::int64_t trial, TrialState& state);

// simulate_trial in its two halves, so that several models can be evaluated
// on one trial's draws (the stress commands' points). draw_trial: the latent
// normals, the factors, each CCG's Z, the copula scale and the hubs' normals.
void draw_trial(const Model& model, std::uint64_t seed, std::int64_t trial, TrialState& state);
// A later year (year >= 1) of a run of several years (model/horizon.hpp):
// as draw_trial, with fresh normals from the year's own streams, each latent
// normal then phi x `previous`'s + sqrt(1 - phi^2) x the fresh one, phi by
// level (phi[0] national, [1] region, [2] area team, [3] each CCG's own; a
// hub's own normals take phi[3]); the copula scale is `previous`'s.
void draw_next_year(const Model& model, std::uint64_t seed, std::int64_t trial, int year,
                    const double (&phi)[4], const TrialState& previous, TrialState& state);
// finish_trial: the rest of the trial (CIP delivery, settlement, risk
// sharing, hubs) for `model` from `drawn`'s draws, into `out` (which may be
// `drawn`). With same_draws(model, the model `drawn` was drawn for), `out`
// ends exactly as simulate_trial(model, seed, trial, out) leaves it; with
// `parts` false, only the outturns (surplus, pooled, hub_overspend, capped)
// are set, the pressure parts and underlying outturns left as they were.
// `settlement`: kKeep also keeps in `out` the parts of the settlement the
// CIP delivery does not move (TrialState::kept_growth, ...); kReuse takes
// them from `drawn`, which kept them this trial for a model with
// same_settlement (only with `parts` false, in a one-year run), rather than
// computing them: the same sums in the same order, so the same outturns.
enum class Settlement { kCompute, kKeep, kReuse };
void finish_trial(const Model& model, const TrialState& drawn, TrialState& out, bool parts = true,
                  Settlement settlement = Settlement::kCompute);
// Whether draw_trial gives the same draws for both models: the same CCGs
// and hierarchy, streams, copula and correlation structure.
bool same_draws(const Model& a, const Model& b);
// Whether, beyond the same draws, both models settle every part but the CIP
// shortfall the same way (growth, transfer mismatch, local pressures; one
// year): a point of a pass may then reuse the other's parts.
bool same_settlement(const Model& a, const Model& b);

}  // namespace ccgrisk
