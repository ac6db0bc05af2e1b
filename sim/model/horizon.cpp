#include "model/horizon.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "input/error.hpp"
#include "input/horizon.hpp"

namespace ccgrisk {
namespace {

// Year y's uplift of a CCG at `distance` % from its target (AllocationGrowth).
double uplift_pct(const AllocationGrowth& a, double distance) {
  if (distance > 0.0) return a.over_target_uplift_pct.value_or(a.uplift_pct);
  const double extra = a.pace_extra_per_pct * std::max(0.0, -distance - a.pace_threshold_pct);
  const double room =
      a.max_uplift_pct ? *a.max_uplift_pct - a.uplift_pct : std::numeric_limits<double>::infinity();
  return a.uplift_pct + std::min(room, extra);
}

}  // namespace

HorizonModel build_horizon(const std::vector<Scenario>& scenarios, const CcgTable& table) {
  HorizonModel h;
  const Scenario& base = scenarios.front();
  h.labels = horizon_labels(base.horizon);
  h.phi[0] = base.horizon.phi_national;
  h.phi[1] = base.horizon.phi_region;
  h.phi[2] = base.horizon.phi_area_team;
  h.phi[3] = base.horizon.phi_own;
  h.cip_recurrent_share = base.horizon.cip_recurrent_share;
  h.recovery_years = base.recovery.years;
  CcgTable year_table = table;
  for (std::size_t y = 0; y < scenarios.size(); ++y) {
    Scenario s = scenarios[y];
    if (y > 0) {
      const Model& last = h.years.back();
      const AllocationGrowth& a = s.allocation;
      const double target_growth = a.target_growth_pct.value_or(a.uplift_pct);
      for (std::size_t i = 0; i < year_table.rows.size(); ++i) {
        const double distance = last.ccgs[i].target_distance_pct;
        const double up = uplift_pct(a, distance);
        CcgRecord& row = year_table.rows[i];
        row.allocation_k = last.allocation_k[i] * (1.0 + up / 100.0);
        row.target_distance_pct =
            100.0 *
            ((1.0 + distance / 100.0) * (1.0 + up / 100.0) / (1.0 + target_growth / 100.0) - 1.0);
      }
      // A [ccg.CODE] distance is the first year's; later years' follow from it.
      for (auto& [code, o] : s.ccg_overrides)
        o.target_distance_pct.reset();
    }
    Model m;
    try {
      m = build_model(s, year_table);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + " (in " + h.labels[y] + ")");
    }
    m.carries = true;
    m.gap_plan_share = base.horizon.gap_plan_share;
    m.gap_nonrecurrent = m.gap_plan_share * (1.0 - h.cip_recurrent_share);
    for (double cip : m.cip_k)
      m.cip_nonrecurrent_k.push_back(cip * (1.0 - h.cip_recurrent_share));
    if (y > 0) {
      // The transfer to specialised commissioning was made once, in the
      // first year; its mismatch recurs through the carried gap.
      std::fill(m.transfer_k.begin(), m.transfer_k.end(), 0.0);
      std::fill(m.transfer_mismatch_k.begin(), m.transfer_mismatch_k.end(), 0.0);
      const Model& last = h.years.back();
      for (std::size_t k = 0; k < m.hubs.size(); ++k)
        m.hubs[k].budget_k = last.hubs[k].budget_k * (1.0 + m.growth[kSpecialistGrowth].funded);
    }
    h.growth_into.push_back(s.mix.acute * m.growth[kAcuteGrowth].funded +
                            s.mix.specialist * m.growth[kSpecialistGrowth].funded +
                            s.mix.other * m.growth[kOtherGrowth].funded);
    h.hub_growth_into.push_back(m.growth[kSpecialistGrowth].funded);
    for (double allocation : m.allocation_k)
      h.recovery_cap_k.push_back(s.recovery.max_pct / 100.0 * allocation);
    h.years.push_back(std::move(m));
  }
  return h;
}

int horizon_points(int years) {
  return 4 * years - 1;
}

int horizon_point(int years, HorizonPoint kind, int year) {
  switch (kind) {
    case HorizonPoint::kYear:
      return year;
    case HorizonPoint::kCumulative:
      return year == 0 ? 0 : years + year - 1;
    case HorizonPoint::kUnderlying:
      return 2 * years - 1 + year;
    case HorizonPoint::kRedBy:
      return year == 0 ? 0 : 3 * years - 1 + year - 1;
    case HorizonPoint::kRedEvery:
      return 4 * years - 2;
  }
  return 0;
}

int horizon_point_year(int years, int point) {
  if (point < years) return point;
  if (point < 2 * years - 1) return point - years + 1;
  if (point < 3 * years - 1) return point - (2 * years - 1);
  if (point < 4 * years - 2) return point - (3 * years - 1) + 1;
  return years - 1;
}

void simulate_horizon_trial(const HorizonModel& h, std::uint64_t seed, std::int64_t trial,
                            std::span<TrialState> points) {
  const int years = h.count();
  const auto at = [&](HorizonPoint kind, int y) -> TrialState& {
    return points[horizon_point(years, kind, y)];
  };
  for (int y = 0; y < years; ++y) {
    const Model& m = h.years[y];
    TrialState& s = points[y];
    if (y == 0) {
      draw_trial(m, seed, trial, s);
    } else {
      draw_next_year(m, seed, trial, y, h.phi, points[y - 1], s);
    }
    finish_trial(m, s, s, true);
    const std::size_t n = s.surplus.size();
    // Cumulative outturn, and the smallest outturn so far.
    if (y > 0) {
      const TrialState& last_sum = at(HorizonPoint::kCumulative, y - 1);
      const TrialState& last_min = at(HorizonPoint::kRedBy, y - 1);
      TrialState& sum = at(HorizonPoint::kCumulative, y);
      TrialState& low = at(HorizonPoint::kRedBy, y);
      for (std::size_t i = 0; i < n; ++i) {
        sum.surplus[i] = sum.underlying[i] = last_sum.surplus[i] + s.surplus[i];
        sum.pooled[i] = sum.pooled_underlying[i] = last_sum.pooled[i] + s.pooled[i];
        low.surplus[i] = std::min(last_min.surplus[i], s.surplus[i]);
        low.pooled[i] = std::min(last_min.pooled[i], s.pooled[i]);
      }
      for (std::size_t k = 0; k < s.hub_overspend.size(); ++k) {
        sum.hub_overspend[k] = last_sum.hub_overspend[k] + s.hub_overspend[k];
        low.hub_overspend[k] = s.hub_overspend[k];
      }
      sum.capped = last_sum.capped | s.capped;
      low.capped = last_min.capped | s.capped;
    }
    // The recurrent outturn as a point of its own.
    TrialState& u = at(HorizonPoint::kUnderlying, y);
    u.surplus = s.underlying;
    u.underlying = s.underlying;
    u.pooled = s.pooled_underlying;
    u.pooled_underlying = s.pooled_underlying;
    u.hub_overspend = s.hub_overspend;
    u.capped = s.capped;
    if (y + 1 == years) break;
    // What the next year starts with: the recurrent gap (carried, less the
    // recurrent savings made on it; this year's growth, CIP shortfall and
    // non-recurrent CIP, and transfer mismatch) grown by the next year's
    // funded growth; the repayment of
    // the cumulative deficit after risk sharing.
    TrialState& next = points[y + 1];
    const TrialState& sum = at(HorizonPoint::kCumulative, y);
    const double grow = 1.0 + h.growth_into[y + 1];
    const double* cap = h.recovery_cap_k.data() + (y + 1) * n;
    for (std::size_t i = 0; i < n; ++i) {
      std::int64_t recurrent_gbp = 0;
      for (int c :
           {kAcutePressure, kSpecialistPressure, kOtherPressure, kCipShortfall, kTransferPressure})
        recurrent_gbp += s.component(c)[i];
      const double d = s.delivery[i];
      const double recurrent = s.carried[i] * (1.0 - m.gap_plan_share * h.cip_recurrent_share * d) +
                               static_cast<double>(recurrent_gbp) / 1000.0 +
                               m.cip_nonrecurrent_k[i] * d;
      next.carried[i] = recurrent * grow;
      const double deficit = -static_cast<double>(sum.pooled[i]) / 1000.0;
      next.repay[i] = deficit > 0.0 ? std::min(deficit / h.recovery_years, cap[i]) : 0.0;
    }
    const double hub_grow = 1.0 + h.hub_growth_into[y + 1];
    for (std::size_t k = 0; k < s.hub_carried.size(); ++k)
      next.hub_carried[k] = (s.hub_carried[k] + s.hub_recurrent[k]) * hub_grow;
  }
  TrialState& high = at(HorizonPoint::kRedEvery, 0);
  const TrialState& first = points[0];
  high.surplus = first.surplus;
  high.pooled = first.pooled;
  high.capped = first.capped;
  for (int y = 1; y < years; ++y) {
    const TrialState& s = points[y];
    for (std::size_t i = 0; i < s.surplus.size(); ++i) {
      high.surplus[i] = std::max(high.surplus[i], s.surplus[i]);
      high.pooled[i] = std::max(high.pooled[i], s.pooled[i]);
    }
    high.capped |= s.capped;
  }
  high.hub_overspend = points[years - 1].hub_overspend;
}

}  // namespace ccgrisk
