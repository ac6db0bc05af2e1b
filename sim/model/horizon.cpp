#include "model/horizon.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "input/error.hpp"
#include "input/horizon.hpp"
#include "model/simd.hpp"

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

// The per-CCG loops of a trial's year end, over arrays that do not overlap,
// in two builds as in trial.cpp (the same operations in the same order, so
// bit-identical results).

// Cumulative outturns (before and after sharing) and the smallest so far.
struct RunningArgs {
  std::size_t n;
  const std::int64_t *last_sum, *last_sum_pooled, *last_min, *last_min_pooled;
  const std::int64_t *surplus, *pooled;
  std::int64_t *sum, *sum_underlying, *sum_pooled, *sum_pooled_underlying;
  std::int64_t *min, *min_pooled;
};
[[gnu::always_inline]] inline void running_loop(const RunningArgs& a) {
  const std::int64_t* __restrict last_sum = a.last_sum;
  const std::int64_t* __restrict last_sum_pooled = a.last_sum_pooled;
  const std::int64_t* __restrict last_min = a.last_min;
  const std::int64_t* __restrict last_min_pooled = a.last_min_pooled;
  const std::int64_t* __restrict surplus = a.surplus;
  const std::int64_t* __restrict pooled = a.pooled;
  std::int64_t* __restrict sum = a.sum;
  std::int64_t* __restrict sum_underlying = a.sum_underlying;
  std::int64_t* __restrict sum_pooled = a.sum_pooled;
  std::int64_t* __restrict sum_pooled_underlying = a.sum_pooled_underlying;
  std::int64_t* __restrict min = a.min;
  std::int64_t* __restrict min_pooled = a.min_pooled;
  const std::size_t n = a.n;  // a local: the stores could alias a.n
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    sum[i] = sum_underlying[i] = last_sum[i] + surplus[i];
    sum_pooled[i] = sum_pooled_underlying[i] = last_sum_pooled[i] + pooled[i];
    min[i] = surplus[i] < last_min[i] ? surplus[i] : last_min[i];
    min_pooled[i] = pooled[i] < last_min_pooled[i] ? pooled[i] : last_min_pooled[i];
  }
}
void running_baseline(const RunningArgs& a) {
  running_loop(a);
}
CCGRISK_TARGET_X86_64_V4
void running_v4(const RunningArgs& a) {
  running_loop(a);
}

// The largest outturn so far (before and after sharing).
struct HighArgs {
  std::size_t n;
  const std::int64_t *surplus, *pooled;
  std::int64_t *max, *max_pooled;
};
[[gnu::always_inline]] inline void high_loop(const HighArgs& a) {
  const std::int64_t* __restrict surplus = a.surplus;
  const std::int64_t* __restrict pooled = a.pooled;
  std::int64_t* __restrict max = a.max;
  std::int64_t* __restrict max_pooled = a.max_pooled;
  const std::size_t n = a.n;
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    max[i] = surplus[i] > max[i] ? surplus[i] : max[i];
    max_pooled[i] = pooled[i] > max_pooled[i] ? pooled[i] : max_pooled[i];
  }
}
void high_baseline(const HighArgs& a) {
  high_loop(a);
}
CCGRISK_TARGET_X86_64_V4
void high_v4(const HighArgs& a) {
  high_loop(a);
}

// What the next year starts with (simulate_horizon_trial), GBP thousands:
// the recurrent gap carried, and the repayment of the cumulative deficit.
struct CarryArgs {
  std::size_t n;
  const std::int64_t* parts;  // the year's pressure parts, [kNumComponents x n]
  const double *delivery, *carried, *nonrecurrent, *cap;
  const std::int64_t* cumulative_pooled;
  double kept_share;  // gap_plan_share x cip_recurrent_share
  double grow;        // 1 + the next year's funded growth
  double recovery_years;
  double *next_carried, *next_repay;
};
[[gnu::always_inline]] inline void carry_loop(const CarryArgs& a) {
  const std::size_t n = a.n;
  const std::int64_t* __restrict acute = a.parts + kAcutePressure * n;
  const std::int64_t* __restrict specialist = a.parts + kSpecialistPressure * n;
  const std::int64_t* __restrict other = a.parts + kOtherPressure * n;
  const std::int64_t* __restrict shortfall = a.parts + kCipShortfall * n;
  const std::int64_t* __restrict transfer = a.parts + kTransferPressure * n;
  const double* __restrict delivery = a.delivery;
  const double* __restrict carried = a.carried;
  const double* __restrict nonrecurrent = a.nonrecurrent;
  const double* __restrict cap = a.cap;
  const std::int64_t* __restrict cumulative = a.cumulative_pooled;
  double* __restrict next_carried = a.next_carried;
  double* __restrict next_repay = a.next_repay;
  // Locals: the stores could alias a's members.
  const double kept_share = a.kept_share, grow = a.grow, recovery_years = a.recovery_years;
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t recurrent_gbp =
        acute[i] + specialist[i] + other[i] + shortfall[i] + transfer[i];
    const double d = delivery[i];
    const double recurrent = carried[i] * (1.0 - kept_share * d) +
                             static_cast<double>(recurrent_gbp) / 1000.0 + nonrecurrent[i] * d;
    next_carried[i] = recurrent * grow;
    const double deficit = -static_cast<double>(cumulative[i]) / 1000.0;
    const double share = deficit / recovery_years;
    next_repay[i] = deficit > 0.0 ? (cap[i] < share ? cap[i] : share) : 0.0;
  }
}
void carry_baseline(const CarryArgs& a) {
  carry_loop(a);
}
CCGRISK_TARGET_X86_64_V4
void carry_v4(const CarryArgs& a) {
  carry_loop(a);
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
    const bool v4 = simd_path() == SimdPath::kX86_64_V4;
    // Cumulative outturn, and the smallest outturn so far.
    if (y > 0) {
      const TrialState& last_sum = at(HorizonPoint::kCumulative, y - 1);
      const TrialState& last_min = at(HorizonPoint::kRedBy, y - 1);
      TrialState& sum = at(HorizonPoint::kCumulative, y);
      TrialState& low = at(HorizonPoint::kRedBy, y);
      const RunningArgs args{n,
                             last_sum.surplus.data(),
                             last_sum.pooled.data(),
                             last_min.surplus.data(),
                             last_min.pooled.data(),
                             s.surplus.data(),
                             s.pooled.data(),
                             sum.surplus.data(),
                             sum.underlying.data(),
                             sum.pooled.data(),
                             sum.pooled_underlying.data(),
                             low.surplus.data(),
                             low.pooled.data()};
      v4 ? running_v4(args) : running_baseline(args);
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
    // funded growth; the repayment of the cumulative deficit after risk
    // sharing.
    TrialState& next = points[y + 1];
    const CarryArgs carry{n,
                          s.components.data(),
                          s.delivery.data(),
                          s.carried.data(),
                          m.cip_nonrecurrent_k.data(),
                          h.recovery_cap_k.data() + (y + 1) * n,
                          at(HorizonPoint::kCumulative, y).pooled.data(),
                          m.gap_plan_share * h.cip_recurrent_share,
                          1.0 + h.growth_into[y + 1],
                          static_cast<double>(h.recovery_years),
                          next.carried.data(),
                          next.repay.data()};
    v4 ? carry_v4(carry) : carry_baseline(carry);
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
    const HighArgs args{s.surplus.size(), s.surplus.data(), s.pooled.data(), high.surplus.data(),
                        high.pooled.data()};
    simd_path() == SimdPath::kX86_64_V4 ? high_v4(args) : high_baseline(args);
    high.capped |= s.capped;
  }
  high.hub_overspend = points[years - 1].hub_overspend;
}

}  // namespace ccgrisk
