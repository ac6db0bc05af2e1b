// A run of several financial years (docs/model.md "Several years"): one
// model per year, and a trial that carries each CCG's recurrent position,
// cumulative outturn and repayment from one year into the next.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "input/ccg_table.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"
#include "model/trial.hpp"

namespace ccgrisk {

struct HorizonModel {
  std::vector<std::string> labels;  // "2013-14", ...
  // Year y's model: its scenario (input/horizon.hpp) on the CCGs' allocations
  // of that year (each grown by the year's uplift, [allocation]), the plan
  // re-applied to them; no specialised transfer after the first year (its
  // mismatch is carried); hub budgets grown by the year's funded specialist
  // growth. Every year's Model::carries is set.
  std::vector<Model> years;
  // Carried gaps grow into year y by the funded growth of its plan:
  // growth_into[y] = sum_c w_c funded_c of year y, hub_growth_into[y] its
  // specialist funded growth (entry 0 unused).
  std::vector<double> growth_into, hub_growth_into;
  double phi[4] = {0.0, 0.0, 0.0, 0.0};  // national, region, area team, own
  double cip_recurrent_share = 1.0;
  int recovery_years = 1;
  std::vector<double> recovery_cap_k;  // [years x n] most repaid in a year

  int count() const { return static_cast<int>(years.size()); }
};

// Builds every year's model from year_scenarios(base) (input/horizon.hpp).
// Throws InputError as build_model does, naming the year.
HorizonModel build_horizon(const std::vector<Scenario>& years, const CcgTable& table);

// The outcomes one trial of a horizon tallies, as points of one pass
// (engine/run.hpp), in this order, Y years:
//   [0, Y)           each year's outturn
//   [Y, 2Y - 1)      cumulative outturn to the end of years 1..Y-1 (the
//                    first year's is its outturn); hubs: cumulative overspend
//   [2Y - 1, 3Y - 1) each year's underlying (recurrent) outturn
//   [3Y - 1, 4Y - 2) the smallest outturn of years 0..y, y = 1..Y-1: in the
//                    red in any of them when it is below 0
//   4Y - 2           the largest outturn of all years: in the red every year
//                    when it is below 0
// Before and after risk sharing each (TrialState surplus and pooled).
enum class HorizonPoint { kYear, kCumulative, kUnderlying, kRedBy, kRedEvery };
int horizon_points(int years);
int horizon_point(int years, HorizonPoint kind, int year);  // year as in the list above
// The year whose model each point is tallied with.
int horizon_point_year(int years, int point);

// Simulates trial `trial` of every year into `points` (horizon_points(Y)
// states, each made for its year's model).
void simulate_horizon_trial(const HorizonModel& h, std::uint64_t seed, std::int64_t trial,
                            std::span<TrialState> points);

}  // namespace ccgrisk
