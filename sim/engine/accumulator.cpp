#include "engine/accumulator.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "model/simd.hpp"

namespace ccgrisk {

HistogramRange histogram_range(double lo_gbp, double hi_gbp) {
  const double width = std::max(1.0, std::ceil((hi_gbp - lo_gbp) / kFineBins));
  const double centre = 0.5 * (lo_gbp + hi_gbp);
  const double lo = std::floor(centre - 0.5 * width * kFineBins);
  HistogramRange r{lo, width, static_cast<std::int64_t>(std::llround(centre))};
  constexpr double kIntegral = 0x1p51;
  if (std::abs(lo) < kIntegral && width < kIntegral) {
    r.lo_int = static_cast<std::int64_t>(lo);
    r.width_int = static_cast<std::int64_t>(width);
    r.span_int = r.width_int * kFineBins;
    r.inverse_width = 1.0 / width;
    r.integer_limit = std::int64_t{1} << 52;
  }
  return r;
}

CcgStage::CcgStage(std::size_t n, bool bins)
    : red(n),
      both_red(n),
      miss(n),
      underlying(n),
      min(n),
      max(n),
      sum(n),
      sq_lo(n),
      sq_hi(n),
      last_red(n, 0),
      pending(bins ? n : 0) {
  clear();
}

void CcgStage::clear() {
  for (auto* v : {&red, &both_red, &miss, &underlying, &sum})
    std::fill(v->begin(), v->end(), 0);
  std::fill(sq_lo.begin(), sq_lo.end(), 0);
  std::fill(sq_hi.begin(), sq_hi.end(), 0);
  std::fill(min.begin(), min.end(), std::numeric_limits<std::int64_t>::max());
  std::fill(max.begin(), max.end(), std::numeric_limits<std::int64_t>::min());
  pending.rows = 0;
}

void Series::add(std::int64_t x, const HistogramRange& range) {
  add_staged(x, range);
  flush();
}

void Series::flush() {
  for (std::size_t b = 0; b < bins.size(); ++b) {
    bins[b] += staged[b];
    staged[b] = 0;
  }
}

void Series::merge(const Series& o) {
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  sum += o.sum;
  sum_sq.add(o.sum_sq);
  under_sum += o.under_sum;
  over_sum += o.over_sum;
  for (std::size_t b = 0; b < bins.size(); ++b)
    bins[b] += o.bins[b] + o.staged[b];
}

namespace {

// Adds trial t's component parts to the staging sums (all trials, and the
// trials in which the CCG is in the red), if every part is below 2^47
// pounds in magnitude; returns whether it did.
[[gnu::always_inline]] inline bool stage_parts_loop(const TrialState& t, std::int64_t* all,
                                                    std::int64_t* red) {
  const std::size_t n = t.surplus.size(), count = n * kNumComponents;
  const std::int64_t* parts = t.components.data();
  constexpr std::int64_t kBound = std::int64_t{1} << 47;
  std::uint64_t outside = 0;
  for (std::size_t k = 0; k < count; ++k)
    outside |= static_cast<std::uint64_t>(parts[k] + kBound) >> 48;
  if (outside != 0) return false;
  const std::int64_t* surplus = t.surplus.data();
  for (int c = 0; c < kNumComponents; ++c) {
    const std::int64_t* part = parts + c * n;
    std::int64_t* a = all + c * n;
    std::int64_t* r = red + c * n;
#pragma GCC ivdep
    for (std::size_t i = 0; i < n; ++i) {
      a[i] += part[i];
      r[i] += surplus[i] < 0 ? part[i] : 0;
    }
  }
  return true;
}
bool stage_parts_baseline(const TrialState& t, std::int64_t* all, std::int64_t* red) {
  return stage_parts_loop(t, all, red);
}
CCGRISK_TARGET_X86_64_V4
bool stage_parts_v4(const TrialState& t, std::int64_t* all, std::int64_t* red) {
  return stage_parts_loop(t, all, red);
}

// Adds staging sums ([kNumComponents x n]) into the 128-bit sums ([n x kNumComponents]).
void fold_attribution(const std::vector<std::int64_t>& all, const std::vector<std::int64_t>& red,
                      AttributionTally& into) {
  const std::size_t n = all.size() / kNumComponents;
  for (int c = 0; c < kNumComponents; ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      into.all[i * kNumComponents + c] += all[c * n + i];
      into.red[i * kNumComponents + c] += red[c * n + i];
    }
  }
}

// Adds one trial's outturns x of every CCG to the stage; returns false,
// changing nothing, when a value is outside the stage's bounds (CcgStage).
// What it stages, by the accumulator's kind (Tallies): kCounts, red counts,
// pairs in the red, and the sum and sum of squares about each CCG's
// reference (u is not read); kOutturn, red counts, sums, extremes and each
// CCG's fine bin in the next pending row (st.edges: how many are an under-
// or overflow bin); kFull, all of those, with the underlying outturns u.
template <Tallies kKind>
[[gnu::always_inline]] inline bool stage_loop(const StatsLayout& l,
                                              const std::int64_t* __restrict x,
                                              const std::int64_t* __restrict u, bool second_of_pair,
                                              CcgStage& st) {
  constexpr bool kBins = kKind != Tallies::kCounts;
  constexpr bool kPairs = kKind != Tallies::kOutturn;  // pairs in the red, sums of squares
  const std::size_t n = l.ccg_reference.size();
  const std::int64_t* __restrict ref = l.ccg_reference.data();
  constexpr std::uint64_t kX = std::uint64_t{1} << 52, kD = std::uint64_t{1} << 32;
  constexpr std::uint64_t kU = std::uint64_t{1} << 47;
  std::uint64_t outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t d = static_cast<std::uint64_t>(x[i]) - static_cast<std::uint64_t>(ref[i]);
    outside |= (d + kD) >> 33;
    if constexpr (kBins) outside |= (static_cast<std::uint64_t>(x[i]) + kX) >> 53;
    if constexpr (kKind == Tallies::kFull) outside |= (static_cast<std::uint64_t>(u[i]) + kU) >> 48;
  }
  if (outside != 0 || (kBins && !l.ccg_integral)) return false;
  [[maybe_unused]] const std::int64_t* __restrict control = l.control_total_gbp.data();
  [[maybe_unused]] const std::int64_t* __restrict lo = l.ccg_lo.data();
  [[maybe_unused]] const std::int64_t* __restrict width = l.ccg_width.data();
  [[maybe_unused]] const std::int64_t* __restrict span = l.ccg_span.data();
  [[maybe_unused]] const double* __restrict inverse_width = l.ccg_inverse_width.data();
  std::int64_t* __restrict red = st.red.data();
  [[maybe_unused]] std::int64_t* __restrict both_red = st.both_red.data();
  [[maybe_unused]] std::int64_t* __restrict miss = st.miss.data();
  [[maybe_unused]] std::int64_t* __restrict underlying = st.underlying.data();
  [[maybe_unused]] std::int64_t* __restrict min = st.min.data();
  [[maybe_unused]] std::int64_t* __restrict max = st.max.data();
  std::int64_t* __restrict sum = st.sum.data();
  [[maybe_unused]] std::uint64_t* __restrict sq_lo = st.sq_lo.data();
  [[maybe_unused]] std::uint64_t* __restrict sq_hi = st.sq_hi.data();
  [[maybe_unused]] std::uint16_t* __restrict row = st.pending.row();
  [[maybe_unused]] std::int64_t edges = 0;
  [[maybe_unused]] std::int64_t* __restrict last_red = st.last_red.data();
  [[maybe_unused]] const std::int64_t pair = second_of_pair;
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t v = x[i];
    const std::int64_t is_red = v < 0;
    red[i] += is_red;
    const std::int64_t d = v - ref[i];
    sum[i] += d;
    if constexpr (kPairs) {
      both_red[i] += is_red & last_red[i] & pair;
      last_red[i] = is_red;
      // d^2 < 2^64 as |d| < 2^32; multiplied unsigned (no signed overflow).
      const std::uint64_t square = static_cast<std::uint64_t>(d) * static_cast<std::uint64_t>(d);
      const std::uint64_t low = sq_lo[i] + square;
      sq_hi[i] += low < square;
      sq_lo[i] = low;
    }
    if constexpr (kKind == Tallies::kFull) {
      miss[i] += v < control[i];
      underlying[i] += u[i];
    }
    if constexpr (kBins) {
      min[i] = v < min[i] ? v : min[i];
      max[i] = v > max[i] ? v : max[i];
      const std::int64_t b =
          integer_fine_bin(v, lo[i], width[i], span[i], inverse_width[i]);  // |v| < 2^52
      row[i] = static_cast<std::uint16_t>(b);
      edges += static_cast<std::uint64_t>(b - 1) >= std::uint64_t{kFineBins};
    }
  }
  if constexpr (kBins) st.edges = edges;
  return true;
}
CCGRISK_TARGET_X86_64_V4
bool stage_ccgs_v4(const StatsLayout& l, const std::int64_t* x, const std::int64_t* u,
                   bool second_of_pair, CcgStage& st) {
  return stage_loop<Tallies::kFull>(l, x, u, second_of_pair, st);
}
CCGRISK_TARGET_X86_64_V4
bool stage_outturn_v4(const StatsLayout& l, const std::int64_t* x, CcgStage& st) {
  return stage_loop<Tallies::kOutturn>(l, x, x, false, st);
}
bool stage_counts_baseline(const StatsLayout& l, const std::int64_t* x, bool second_of_pair,
                           CcgStage& st) {
  return stage_loop<Tallies::kCounts>(l, x, x, second_of_pair, st);
}
CCGRISK_TARGET_X86_64_V4
bool stage_counts_v4(const StatsLayout& l, const std::int64_t* x, bool second_of_pair,
                     CcgStage& st) {
  return stage_loop<Tallies::kCounts>(l, x, x, second_of_pair, st);
}

// The nation's total outturn and members in the red (weighted as
// StatsLayout::red_weight says) in one vectorised pass.
[[gnu::always_inline]] inline void nation_sums_loop(const std::int64_t* __restrict x,
                                                    const std::int64_t* __restrict weight,
                                                    std::size_t n, std::int64_t& total_out,
                                                    std::int64_t& red_out) {
  std::int64_t total = 0, red = 0;
  for (std::size_t i = 0; i < n; ++i) {
    total += x[i];
    red += x[i] < 0 ? weight[i] : 0;
  }
  total_out = total;
  red_out = red;
}
void nation_sums_baseline(const std::int64_t* x, const std::int64_t* weight, std::size_t n,
                          std::int64_t& total, std::int64_t& red) {
  nation_sums_loop(x, weight, n, total, red);
}
CCGRISK_TARGET_X86_64_V4
void nation_sums_v4(const std::int64_t* x, const std::int64_t* weight, std::size_t n,
                    std::int64_t& total, std::int64_t& red) {
  nation_sums_loop(x, weight, n, total, red);
}

// The CCGs' series, and the groups' tallied in `phase` (after risk sharing
// only those with a pooled member), for PendingBins::count.
auto surplus_of(std::vector<CcgTally>& ccgs) {
  return [&ccgs](std::size_t i) { return &ccgs[i].surplus; };
}
auto totals_of(std::vector<GroupTally>& groups, const StatsLayout& l, int phase) {
  return [&groups, &l, phase](std::size_t g) {
    return phase == 1 && !l.group_pooled[g] ? nullptr : &groups[g].total;
  };
}

// Adds a stage's tallies to the CCGs', pending bins included (the other
// histogram counts are in the series themselves).
void fold_stage(const CcgStage& st, std::vector<CcgTally>& into) {
  st.pending.count<false>(surplus_of(into));
  for (std::size_t i = 0; i < into.size(); ++i) {
    CcgTally& c = into[i];
    c.red += st.red[i];
    c.pairs_both_red += st.both_red[i];
    c.miss_control += st.miss[i];
    c.underlying_sum += st.underlying[i];
    Series& s = c.surplus;
    s.min = std::min(s.min, st.min[i]);
    s.max = std::max(s.max, st.max[i]);
    s.sum += st.sum[i];
    s.sum_sq.add((static_cast<UnsignedWide>(st.sq_hi[i]) << 64) + st.sq_lo[i]);
  }
}

void merge_sums(std::vector<Wide>& into, const std::vector<Wide>& from) {
  for (std::size_t k = 0; k < into.size(); ++k)
    into[k] += from[k];
}

// Centre and spread of CCG i's outturn, in GBP thousands, from the model's
// parameters: centre = s_i - E[pressure_i]; spread = sum over drivers of
// |coefficient| x sd (an upper bound on sd(pressure_i) whatever the
// correlation), times sqrt(dof / (dof - 2)) for the Student-t copula. The
// beta's sd is its given sd.
void outturn_moments(const Model& m, int i, double& centre, double& spread) {
  double mean = m.underfunding_k[i] + m.cip_k[i] * (1.0 - m.cip_delivery.mean) +
                m.transfer_k[i] * m.transfer_mismatch.mean;
  double sd = m.cip_k[i] * m.cip_delivery.sd + m.transfer_k[i] * m.transfer_mismatch.sd;
  for (int c = 0; c < kNumCategories; ++c) {
    mean += m.category_base_k[c][i] * (m.growth[c].mean - m.growth[c].funded);
    sd += m.category_base_k[c][i] * m.growth[c].sd;
  }
  const double t_factor = m.copula == Copula::kStudentT ? std::sqrt(m.dof / (m.dof - 2.0)) : 1.0;
  centre = m.planned_surplus_k[i] - mean;
  spread = sd * t_factor;
}

// Hub h: centre = budget (mean - funded) + P (1 - mean delivery) + shift;
// spread = budget sd_growth + P sd_delivery (times the Student-t factor).
void add_hub_ranges(const Model& m, StatsLayout& layout) {
  const GrowthDriver& g = m.growth[kSpecialistGrowth];
  const double t_factor = m.copula == Copula::kStudentT ? std::sqrt(m.dof / (m.dof - 2.0)) : 1.0;
  double total_centre = 0, total_spread = 0;
  for (const HubSpec& hub : m.hubs) {
    const double cip = hub.cip_pct / 100.0 * hub.budget_k;
    const double centre = hub.budget_k * (g.mean - g.funded) + cip * (1.0 - m.cip_delivery.mean) +
                          hub.shift_pct / 100.0 * hub.budget_k;
    const double spread = (hub.budget_k * g.sd + cip * m.cip_delivery.sd) * t_factor;
    layout.hub_range.push_back(
        histogram_range(1000.0 * (centre - 8 * spread), 1000.0 * (centre + 8 * spread)));
    total_centre += centre;
    total_spread += spread;
  }
  layout.specialised_range = histogram_range(1000.0 * (total_centre - 8 * total_spread),
                                             1000.0 * (total_centre + 8 * total_spread));
}

// The groups' indices in Model::groups() order (the nation, regions, area
// teams, pools) and the runs of CCGs sharing an area team.
void add_hierarchy(const Model& m, StatsLayout& layout) {
  const int regions = static_cast<int>(m.regions.size());
  const int areas = static_cast<int>(m.area_teams.size());
  for (int r = 0; r < regions; ++r)
    layout.region_group.push_back(1 + r);
  for (int a = 0; a < areas; ++a) {
    layout.area_group.push_back(1 + regions + a);
    layout.area_region_group.push_back(1 + m.region_of_area[a]);
  }
  for (std::size_t p = 0; p < m.pools.size(); ++p) {
    layout.pool_group.push_back(1 + regions + areas + static_cast<int>(p));
    layout.pool_members.push_back(m.pool_groups[p].members);
  }
  assert(m.groups().size() == static_cast<std::size_t>(1 + regions + areas) + m.pools.size());
  for (int i = 0; i < m.n; ++i) {
    const int a = m.area_team_of[i];
    if (layout.area_runs.empty() || layout.area_runs.back().area != a)
      layout.area_runs.push_back({i, i, a});
    layout.area_runs.back().end = i + 1;
    if (m.pool_of[i] >= 0) {
      layout.pooled_ccgs.push_back(i);
      layout.pooled_groups.push_back(
          {0, layout.area_region_group[a], layout.area_group[a], layout.pool_group[m.pool_of[i]]});
    }
  }
}

// The CCGs' ranges as arrays, for the vectorised update.
void set_ccg_arrays(StatsLayout& layout) {
  layout.ccg_reference.clear(), layout.ccg_lo.clear(), layout.ccg_width.clear();
  layout.ccg_span.clear(), layout.ccg_inverse_width.clear();
  layout.ccg_integral = true;
  for (const HistogramRange& r : layout.ccg_range) {
    layout.ccg_reference.push_back(r.reference_gbp);
    layout.ccg_lo.push_back(r.lo_int);
    layout.ccg_width.push_back(r.width_int);
    layout.ccg_span.push_back(r.span_int);
    layout.ccg_inverse_width.push_back(r.inverse_width);
    layout.ccg_integral = layout.ccg_integral && r.integer_limit > 0;
  }
}

}  // namespace

std::vector<HistogramRange> layout_ranges(const StatsLayout& l) {
  std::vector<HistogramRange> out(l.ccg_range);
  out.insert(out.end(), l.group_range.begin(), l.group_range.end());
  out.insert(out.end(), l.hub_range.begin(), l.hub_range.end());
  out.push_back(l.specialised_range);
  return out;
}

StatsLayout with_ranges(StatsLayout l, const std::vector<HistogramRange>& ranges) {
  auto next = ranges.begin();
  for (auto* list : {&l.ccg_range, &l.group_range, &l.hub_range})
    for (HistogramRange& r : *list)
      r = *next++;
  l.specialised_range = *next;
  set_ccg_arrays(l);
  return l;
}

StatsLayout with_groups(StatsLayout l, GroupLevels levels) {
  if (levels == GroupLevels::kAll) return l;
  const std::size_t kept = levels == GroupLevels::kNation ? 1 : 1 + l.region_group.size();
  l.group_range.resize(kept);
  l.group_size.resize(kept);
  l.group_pooled.resize(kept);
  l.levels = levels;
  return l;
}

StatsLayout without_hubs(StatsLayout l) {
  l.hub_range.clear();
  return l;
}

// Each histogram spans [centre - 8 spread, centre + 8 spread + reserves]
// (mitigation lifts outturns by up to the reserves M_i); for a group, the
// sums over its members. Values outside land in the under/overflow bins,
// whose exact sums keep the mean and expected shortfall exact-ish there.
StatsLayout make_layout(const Model& m) {
  std::vector<double> centre(m.n), spread(m.n);
  for (int i = 0; i < m.n; ++i)
    outturn_moments(m, i, centre[i], spread[i]);
  auto range_of = [&](const std::vector<int>& members) {
    double c = 0, s = 0, r = 0;
    for (int i : members)
      c += centre[i], s += spread[i], r += m.reserves_k[i];
    return histogram_range(1000.0 * (c - 8 * s), 1000.0 * (c + 8 * s + r));
  };
  StatsLayout layout;
  for (int i = 0; i < m.n; ++i) {
    layout.ccg_range.push_back(range_of({i}));
    layout.control_total_gbp.push_back(to_pounds(m.control_total_k[i]));
  }
  set_ccg_arrays(layout);
  for (const char planned : m.planned_deficit)
    layout.red_weight.push_back(planned ? 1 : 1 + (std::int64_t{1} << 32));
  for (int i = 0; i < m.n; ++i)
    layout.ccg_pooled.push_back(m.pool_of[i] >= 0);
  layout.any_pooled = !m.pools.empty();
  add_hub_ranges(m, layout);
  const auto groups = m.groups();
  for (const CcgGroup* group : groups) {
    layout.group_range.push_back(range_of(group->members));
    layout.group_size.push_back(static_cast<int>(group->members.size()));
    layout.group_pooled.push_back(std::any_of(group->members.begin(), group->members.end(),
                                              [&](int i) { return m.pool_of[i] >= 0; }));
  }
  add_hierarchy(m, layout);
  return layout;
}

Accumulator::Accumulator(const StatsLayout& layout, Tallies kind)
    : layout_(&layout),
      kind_(kind),
      hub_(layout.hub_range.size()),
      scratch_total_(layout.group_size.size()),
      scratch_red_(layout.group_size.size()) {
  for (int phase = 0; phase < kPhases; ++phase) {
    if (kind == Tallies::kCounts) {
      CcgTally empty;
      empty.surplus = Series(Series::NoHistogram{});
      ccg_[phase].assign(layout.ccg_range.size(), empty);
    } else {
      ccg_[phase].resize(layout.ccg_range.size());
    }
    group_[phase].resize(layout.group_size.size());
    for (std::size_t g = 0; g < layout.group_size.size(); ++g) {
      group_[phase][g].count_red.assign(layout.group_size[g] + 1, 0);
      group_[phase][g].count_unplanned_red.assign(layout.group_size[g] + 1, 0);
      if (kind == Tallies::kCounts) group_[phase][g].total = Series(Series::NoHistogram{});
    }
    const bool bins = kind != Tallies::kCounts;
    stage_[phase] = CcgStage(layout.ccg_range.size(), bins);
    if (bins) group_pending_[phase] = PendingBins(layout.group_size.size());
  }
  if (kind != Tallies::kFull) {
    for (HubTally& h : hub_)
      h.amount = Series(Series::NoHistogram{});
    specialised_.amount = Series(Series::NoHistogram{});
    return;
  }
  const std::size_t n = layout.ccg_range.size();
  attribution_.all.assign(n * kNumComponents, 0);
  attribution_.red.assign(n * kNumComponents, 0);
  attribution_.by_national_bin.assign(static_cast<std::size_t>(kCoarseBins) * n, 0);
  staged_all_.assign(n * kNumComponents, 0);
  staged_red_.assign(n * kNumComponents, 0);
}

void Accumulator::add(const TrialState& t, bool second_of_pair) {
  ++trials_;
  capped_trials_ += t.capped != 0;
  // Fold when the stage holds kMaxStaged trials; staged_trials_ then counts
  // this one (so it is nonzero whenever the stage holds a trial).
  if (staged_trials_ == kMaxStaged) flush_staged();
  ++staged_trials_;
  if (kind_ == Tallies::kCounts) {
    add_counts(0, t.surplus, t.surplus, second_of_pair);
    add_counts(1, t.pooled, t.surplus, second_of_pair);
    add_hubs(t.hub_overspend);
    return;
  }
  add_phase(0, t.surplus, t.underlying, t.surplus, second_of_pair);
  add_phase(1, t.pooled, t.pooled_underlying, t.surplus, second_of_pair);
  add_hubs(t.hub_overspend);
  if (kind_ == Tallies::kFull) add_attribution(t);
}

void Accumulator::flush_staged() {
  for (int phase = 0; phase < kPhases; ++phase) {
    fold_stage(stage_[phase], ccg_[phase]);
    stage_[phase].clear();
    for (CcgTally& c : ccg_[phase])
      c.surplus.flush();
    group_pending_[phase].count<false>(totals_of(group_[phase], *layout_, phase));
    group_pending_[phase].rows = 0;
    for (GroupTally& g : group_[phase])
      g.total.flush();
  }
  for (HubTally& h : hub_)
    h.amount.flush();
  specialised_.amount.flush();
  fold_attribution(staged_all_, staged_red_, attribution_);
  std::fill(staged_all_.begin(), staged_all_.end(), 0);
  std::fill(staged_red_.begin(), staged_red_.end(), 0);
  staged_trials_ = 0;
}

// Component sums (all trials; trials in the red) and each CCG's surplus by
// coarse bin of the national total (group 0), before risk sharing. The
// component sums go to the int64 staging buffers in a vectorised loop; a
// trial with a part of 2^47 pounds or more (never, for real budgets) folds
// the buffers and is added in 128 bits instead.
void Accumulator::add_attribution(const TrialState& t) {
  const std::size_t n = t.surplus.size();
  AttributionTally& a = attribution_;
  const bool v4 = simd_path() == SimdPath::kX86_64_V4;
  const bool staged = v4 ? stage_parts_v4(t, staged_all_.data(), staged_red_.data())
                         : stage_parts_baseline(t, staged_all_.data(), staged_red_.data());
  if (!staged) {
    flush_staged();
    for (int c = 0; c < kNumComponents; ++c) {
      const std::int64_t* part = t.component(c);
      for (std::size_t i = 0; i < n; ++i) {
        a.all[i * kNumComponents + c] += part[i];
        if (t.surplus[i] < 0) a.red[i * kNumComponents + c] += part[i];
      }
    }
  }
  const int bin = coarse_bin(fine_bin(scratch_total_national_, layout_->group_range[0]));
  Wide* row = &a.by_national_bin[static_cast<std::size_t>(bin) * n];
  for (std::size_t i = 0; i < n; ++i)
    row[i] += t.surplus[i];
}

void Accumulator::add_hubs(const std::vector<std::int64_t>& overspend) {
  if (hub_.empty()) return;
  std::int64_t total = 0;
  for (std::size_t h = 0; h < hub_.size(); ++h) {
    hub_[h].overspend += overspend[h] > 0;
    hub_[h].amount.add_staged(overspend[h], layout_->hub_range[h]);
    total += overspend[h];
  }
  specialised_.overspend += total > 0;
  specialised_.amount.add_staged(total, layout_->specialised_range);
}

// One trial's total outturn and members in the red, per group: area teams
// from runs of the table (sums in registers), regions from their area
// teams, the nation from its regions, pools from their members.
void Accumulator::group_sums(const std::vector<std::int64_t>& surplus) {
  const StatsLayout& l = *layout_;
  if (l.levels == GroupLevels::kNation) {
    (simd_path() == SimdPath::kX86_64_V4 ? nation_sums_v4 : nation_sums_baseline)(
        surplus.data(), l.red_weight.data(), surplus.size(), scratch_total_[0], scratch_red_[0]);
    return;
  }
  std::fill(scratch_total_.begin(), scratch_total_.end(), 0);
  std::fill(scratch_red_.begin(), scratch_red_.end(), 0);
  auto add_member = [&](int i, std::int64_t& total, std::int64_t& red) {
    const std::int64_t x = surplus[i];
    const std::int64_t is_red = x < 0;
    total += x;
    red += is_red * l.red_weight[i];
  };
  // Without the area teams, each run of the table adds to its region.
  const bool areas = l.levels == GroupLevels::kAll;
  for (const StatsLayout::AreaRun& run : l.area_runs) {
    std::int64_t total = 0, red = 0;
    for (int i = run.begin; i < run.end; ++i)
      add_member(i, total, red);
    const int g = areas ? l.area_group[run.area] : l.area_region_group[run.area];
    scratch_total_[g] += total;
    scratch_red_[g] += red;
  }
  for (std::size_t a = 0; areas && a < l.area_group.size(); ++a) {
    scratch_total_[l.area_region_group[a]] += scratch_total_[l.area_group[a]];
    scratch_red_[l.area_region_group[a]] += scratch_red_[l.area_group[a]];
  }
  for (const int r : l.region_group) {
    scratch_total_[0] += scratch_total_[r];
    scratch_red_[0] += scratch_red_[r];
  }
  for (std::size_t p = 0; areas && p < l.pool_group.size(); ++p)
    for (const int i : l.pool_members[p])
      add_member(i, scratch_total_[l.pool_group[p]], scratch_red_[l.pool_group[p]]);
}

// The groups' sums after risk sharing from those before it (in the
// scratch arrays, as group_sums left them): each pooled CCG's change in
// outturn and in the red added to its groups (integers: the same sums as
// group_sums(after) gives, without another pass over every CCG).
void Accumulator::shift_group_sums(const std::vector<std::int64_t>& before,
                                   const std::vector<std::int64_t>& after) {
  const StatsLayout& l = *layout_;
  for (std::size_t k = 0; k < l.pooled_ccgs.size(); ++k) {
    const int i = l.pooled_ccgs[k];
    const std::int64_t total = after[i] - before[i];
    const std::int64_t red = std::int64_t{after[i] < 0} - std::int64_t{before[i] < 0};
    const std::int64_t count = red * l.red_weight[i];
    // pooled_groups[k]: the nation, the region, the area team, the pool.
    const std::size_t levels = l.levels == GroupLevels::kNation    ? 1
                               : l.levels == GroupLevels::kRegions ? 2
                                                                   : l.pooled_groups[k].size();
    for (std::size_t j = 0; j < levels; ++j) {
      scratch_total_[l.pooled_groups[k][j]] += total;
      scratch_red_[l.pooled_groups[k][j]] += count;
    }
  }
}

// After risk sharing (phase 1) only pooled CCGs and groups with a pooled
// member are tallied; the others' outcomes equal those before sharing.
void Accumulator::add_phase(int phase, const std::vector<std::int64_t>& surplus,
                            const std::vector<std::int64_t>& underlying,
                            const std::vector<std::int64_t>& before, bool second_of_pair) {
  const StatsLayout& l = *layout_;
  const bool after = phase == 1;
  if (after && !l.any_pooled) return;
  std::vector<CcgTally>& ccgs = ccg_[phase];
  CcgStage& st = stage_[phase];
  // Counts, sums, extremes and bins in one vectorised pass over all CCGs,
  // then the histogram counts; outside the stage's bounds, CcgTally
  // directly. After sharing the pass would also cover unpooled CCGs (whose
  // tallies there are never read), so it is taken only when most CCGs are
  // pooled. Only the x86-64-v4 build stages: the baseline has no vector
  // conversions between doubles and 64-bit integers, and is faster without.
  const bool stage_all = !after || 2 * l.pooled_ccgs.size() > ccgs.size();
  const bool lean = kind_ == Tallies::kOutturn;
  const bool staged =
      stage_all && simd_path() == SimdPath::kX86_64_V4 &&
      (lean ? stage_outturn_v4(l, surplus.data(), st)
            : stage_ccgs_v4(l, surplus.data(), underlying.data(), second_of_pair, st));
  if (staged) {
    // The bins wait in the pending row; the outturns in the under- and
    // overflow bins are summed now.
    const std::uint16_t* row = st.pending.row();
    for (std::size_t i = 0; st.edges != 0 && i < ccgs.size(); ++i) {
      if (row[i] == 0) ccgs[i].surplus.under_sum += surplus[i];
      if (row[i] == kFineBins + 1) ccgs[i].surplus.over_sum += surplus[i];
    }
    if (++st.pending.rows == PendingBins::kRows) {
      st.pending.count<true>(surplus_of(ccgs));
      st.pending.rows = 0;
    }
    add_groups(phase, surplus, before);
    return;
  }
  // The same tallies as the stage keeps for this kind.
  auto add_ccg = [&](std::size_t i) {
    const std::int64_t x = surplus[i];
    CcgTally& c = ccgs[i];
    const bool red = x < 0;
    c.red += red;
    if (lean) {
      c.surplus.add_staged<false>(x, l.ccg_range[i]);
      return;
    }
    if (second_of_pair) c.pairs_both_red += red && st.last_red[i];
    st.last_red[i] = red;
    c.miss_control += x < l.control_total_gbp[i];
    c.underlying_sum += underlying[i];
    c.surplus.add_staged(x, l.ccg_range[i]);
  };
  if (after) {
    for (const int i : l.pooled_ccgs)
      add_ccg(static_cast<std::size_t>(i));
  } else {
    for (std::size_t i = 0; i < ccgs.size(); ++i)
      add_ccg(i);
  }
  add_groups(phase, surplus, before);
}

// A kCounts accumulator's phase: the CCGs' counts and sums (staged in a
// vectorised pass, or straight into CcgTally outside the stage's bounds),
// then the groups as in add_phase.
void Accumulator::add_counts(int phase, const std::vector<std::int64_t>& surplus,
                             const std::vector<std::int64_t>& before, bool second_of_pair) {
  const StatsLayout& l = *layout_;
  const bool after = phase == 1;
  if (after && !l.any_pooled) return;
  const bool v4 = simd_path() == SimdPath::kX86_64_V4;
  CcgStage& st = stage_[phase];
  // After sharing, only pooled CCGs are read: the vectorised pass over all
  // CCGs only when most are pooled (as in add_phase).
  const bool stage_all = !after || 2 * l.pooled_ccgs.size() > surplus.size();
  if (!stage_all || !(v4 ? stage_counts_v4(l, surplus.data(), second_of_pair, st)
                         : stage_counts_baseline(l, surplus.data(), second_of_pair, st))) {
    const std::size_t count = stage_all ? surplus.size() : l.pooled_ccgs.size();
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = stage_all ? k : static_cast<std::size_t>(l.pooled_ccgs[k]);
      const std::int64_t x = surplus[i];
      CcgTally& c = ccg_[phase][i];
      const bool red = x < 0;
      c.red += red;
      if (second_of_pair) c.pairs_both_red += red && st.last_red[i];
      st.last_red[i] = red;
      c.surplus.add_staged(x, l.ccg_range[i]);  // no histogram: the sums
    }
  }
  add_groups(phase, surplus, before);
}

// Every group's tallies of one trial's outturns (after risk sharing, the
// groups with a pooled member).
void Accumulator::add_groups(int phase, const std::vector<std::int64_t>& surplus,
                             const std::vector<std::int64_t>& before) {
  const StatsLayout& l = *layout_;
  const bool after = phase == 1;
  if (after) {
    shift_group_sums(before, surplus);
  } else {
    group_sums(surplus);
  }
  std::vector<GroupTally>& groups = group_[phase];
  // The totals' bins wait in a pending row (PendingBins), as the CCGs' do.
  PendingBins& pending = group_pending_[phase];
  const bool histograms = kind_ != Tallies::kCounts;
  std::uint16_t* row = pending.row();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (after && !l.group_pooled[g]) continue;
    const std::int64_t red = scratch_red_[g] & 0xFFFFFFFF, unplanned = scratch_red_[g] >> 32;
    ++groups[g].count_red[red];
    ++groups[g].count_unplanned_red[unplanned];
    if (phase == 0 && g == 0) scratch_total_national_ = scratch_total_[0];
    groups[g].deficit += scratch_total_[g] < 0;
    if (histograms)
      row[g] = static_cast<std::uint16_t>(
          groups[g].total.add_uncounted(scratch_total_[g], l.group_range[g]));
    else
      groups[g].total.add_moments(scratch_total_[g], l.group_range[g]);
  }
  if (histograms && ++pending.rows == PendingBins::kRows) {
    pending.count<true>(totals_of(groups, l, phase));
    pending.rows = 0;
  }
}

void Accumulator::merge(const Accumulator& o) {
  assert(layout_ == o.layout_);
  trials_ += o.trials_;
  capped_trials_ += o.capped_trials_;
  for (std::size_t h = 0; h < hub_.size(); ++h) {
    hub_[h].overspend += o.hub_[h].overspend;
    hub_[h].amount.merge(o.hub_[h].amount);
  }
  merge_sums(attribution_.all, o.attribution_.all);
  merge_sums(attribution_.red, o.attribution_.red);
  merge_sums(attribution_.by_national_bin, o.attribution_.by_national_bin);
  fold_attribution(o.staged_all_, o.staged_red_, attribution_);
  specialised_.overspend += o.specialised_.overspend;
  specialised_.amount.merge(o.specialised_.amount);
  for (int phase = 0; phase < kPhases; ++phase) {
    fold_stage(o.stage_[phase], ccg_[phase]);
    for (std::size_t i = 0; i < ccg_[phase].size(); ++i) {
      CcgTally& c = ccg_[phase][i];
      const CcgTally& d = o.ccg_[phase][i];
      c.red += d.red;
      c.pairs_both_red += d.pairs_both_red;
      c.miss_control += d.miss_control;
      c.underlying_sum += d.underlying_sum;
      c.surplus.merge(d.surplus);
    }
    o.group_pending_[phase].count<false>(totals_of(group_[phase], *layout_, phase));
    for (std::size_t g = 0; g < group_[phase].size(); ++g) {
      GroupTally& a = group_[phase][g];
      const GroupTally& b = o.group_[phase][g];
      for (std::size_t k = 0; k < a.count_red.size(); ++k) {
        a.count_red[k] += b.count_red[k];
        a.count_unplanned_red[k] += b.count_unplanned_red[k];
      }
      a.deficit += b.deficit;
      a.total.merge(b.total);
    }
  }
}

}  // namespace ccgrisk

// ---- Serialized tallies (accumulator.hpp) -----------------------------------

namespace ccgrisk {

namespace {

// Section sizes of a serialization: sums of 1, 2 and 3 words, minima, maxima.
struct TallyCounts {
  std::uint64_t n1 = 0, n2 = 0, n3 = 0, nmin = 0, nmax = 0;
  std::uint64_t words() const { return kTallyHeaderWords + n1 + 2 * n2 + 3 * n3 + nmin + nmax; }
};

struct CountVisitor {
  TallyCounts c;
  void count(const std::int64_t&) { ++c.n1; }
  void wide(const Wide&) { ++c.n2; }
  void square(const SquareSum&) { ++c.n3; }
  void min(const std::int64_t&) { ++c.nmin; }
  void max(const std::int64_t&) { ++c.nmax; }
};

// Section cursors into a serialization laid out as `c` says.
struct Cursors {
  std::size_t s1, s2, s3, smin, smax;
  explicit Cursors(const TallyCounts& c)
      : s1(kTallyHeaderWords),
        s2(s1 + c.n1),
        s3(s2 + 2 * c.n2),
        smin(s3 + 3 * c.n3),
        smax(smin + c.nmin) {}
};

struct WriteVisitor {
  std::uint64_t* w;
  Cursors at;
  void count(const std::int64_t& x) { w[at.s1++] = static_cast<std::uint64_t>(x); }
  void wide(const Wide& x) {
    const auto u = static_cast<UnsignedWide>(x);
    w[at.s2++] = static_cast<std::uint64_t>(u);
    w[at.s2++] = static_cast<std::uint64_t>(u >> 64);
  }
  void square(const SquareSum& x) {
    w[at.s3++] = static_cast<std::uint64_t>(x.low);
    w[at.s3++] = static_cast<std::uint64_t>(x.low >> 64);
    w[at.s3++] = x.high;
  }
  void min(const std::int64_t& x) { w[at.smin++] = static_cast<std::uint64_t>(x); }
  void max(const std::int64_t& x) { w[at.smax++] = static_cast<std::uint64_t>(x); }
};

struct ReadVisitor {
  const std::uint64_t* w;
  Cursors at;
  void count(std::int64_t& x) { x = static_cast<std::int64_t>(w[at.s1++]); }
  void wide(Wide& x) {
    const UnsignedWide lo = w[at.s2++];
    const UnsignedWide hi = w[at.s2++];
    x = static_cast<Wide>(lo | hi << 64);
  }
  void square(SquareSum& x) {
    const UnsignedWide lo = w[at.s3++];
    const UnsignedWide hi = w[at.s3++];
    x.low = lo | hi << 64;
    x.high = w[at.s3++];
  }
  void min(std::int64_t& x) { x = static_cast<std::int64_t>(w[at.smin++]); }
  void max(std::int64_t& x) { x = static_cast<std::int64_t>(w[at.smax++]); }
};

template <class S, class V>
void visit_series(S& s, V& v) {
  v.min(s.min);
  v.max(s.max);
  v.wide(s.sum);
  v.square(s.sum_sq);
  v.wide(s.under_sum);
  v.wide(s.over_sum);
  for (auto& b : s.bins)
    v.count(b);
}

// FNV-1a over 64-bit words.
struct Fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(std::uint64_t x) {
    for (int k = 0; k < 8; ++k) {
      h ^= (x >> (8 * k)) & 0xFF;
      h *= 0x100000001b3ull;
    }
  }
  void add_range(const HistogramRange& r) {
    add(std::bit_cast<std::uint64_t>(r.lo_gbp));
    add(std::bit_cast<std::uint64_t>(r.width_gbp));
    add(static_cast<std::uint64_t>(r.reference_gbp));
  }
};

std::vector<std::uint64_t> header(Tallies kind, const StatsLayout& layout, const TallyCounts& c) {
  std::vector<std::uint64_t> words(c.words(), 0);
  words[0] = kTallyMagic;
  words[1] = kTallyFormat;
  words[2] = static_cast<std::uint64_t>(kind);
  words[3] = tally_fingerprint(layout);
  words[4] = c.n1;
  words[5] = c.n2;
  words[6] = c.n3;
  words[7] = c.nmin;
  words[8] = c.nmax;
  return words;
}

}  // namespace

// Format order: trials, capped trials; per phase, each CCG's tallies and
// then each group's (after risk sharing, only the pooled ones); the hubs,
// NHS England's total; the attribution sums.
template <class Self, class Visitor>
void Accumulator::visit_tallies(Self& self, Visitor& v) {
  const StatsLayout& l = *self.layout_;
  v.count(self.trials_);
  v.count(self.capped_trials_);
  for (int phase = 0; phase < kPhases; ++phase) {
    if (phase == 1 && !l.any_pooled) break;
    for (std::size_t i = 0; i < self.ccg_[phase].size(); ++i) {
      if (phase == 1 && !l.ccg_pooled[i]) continue;
      auto& c = self.ccg_[phase][i];
      v.count(c.red);
      v.count(c.pairs_both_red);
      v.count(c.miss_control);
      v.wide(c.underlying_sum);
      visit_series(c.surplus, v);
    }
    for (std::size_t g = 0; g < self.group_[phase].size(); ++g) {
      if (phase == 1 && !l.group_pooled[g]) continue;
      auto& t = self.group_[phase][g];
      for (auto& k : t.count_red)
        v.count(k);
      for (auto& k : t.count_unplanned_red)
        v.count(k);
      v.count(t.deficit);
      visit_series(t.total, v);
    }
  }
  for (auto& h : self.hub_) {
    v.count(h.overspend);
    visit_series(h.amount, v);
  }
  v.count(self.specialised_.overspend);
  visit_series(self.specialised_.amount, v);
  for (auto* sums :
       {&self.attribution_.all, &self.attribution_.red, &self.attribution_.by_national_bin})
    for (auto& x : *sums)
      v.wide(x);
}

std::uint64_t tally_fingerprint(const StatsLayout& l) {
  Fnv f;
  f.add(l.ccg_range.size());
  for (const HistogramRange& r : l.ccg_range)
    f.add_range(r);
  f.add(l.group_size.size());
  for (std::size_t g = 0; g < l.group_size.size(); ++g) {
    f.add(static_cast<std::uint64_t>(l.group_size[g]));
    f.add_range(l.group_range[g]);
    f.add(static_cast<std::uint64_t>(l.group_pooled[g]));
  }
  for (const char pooled : l.ccg_pooled)
    f.add(static_cast<std::uint64_t>(pooled));
  f.add(l.any_pooled);
  f.add(l.hub_range.size());
  for (const HistogramRange& r : l.hub_range)
    f.add_range(r);
  f.add_range(l.specialised_range);
  f.add(static_cast<std::uint64_t>(kFineBins));
  f.add(static_cast<std::uint64_t>(kCoarseBins));
  f.add(static_cast<std::uint64_t>(kNumComponents));
  return f.h;
}

std::vector<std::uint64_t> Accumulator::serialize() const {
  if (staged_trials_ != 0) {
    // Fold the staged counts: merge() adds another's staged tallies too.
    Accumulator folded(*layout_, kind_);
    folded.merge(*this);
    return folded.serialize();
  }
  CountVisitor count;
  visit_tallies(*this, count);
  std::vector<std::uint64_t> words = header(kind_, *layout_, count.c);
  WriteVisitor write{words.data(), Cursors(count.c)};
  visit_tallies(*this, write);
  assert(write.at.smax == words.size());
  return words;
}

Accumulator Accumulator::deserialize(const StatsLayout& layout, Tallies kind,
                                     std::span<const std::uint64_t> words) {
  Accumulator a(layout, kind);
  CountVisitor count;
  visit_tallies(a, count);
  const std::vector<std::uint64_t> expected = header(kind, layout, count.c);
  if (words.size() < kTallyHeaderWords || words[0] != kTallyMagic)
    throw std::invalid_argument("not serialized ccgrisk tallies");
  if (words[1] != kTallyFormat)
    throw std::invalid_argument("tally format " + std::to_string(words[1]) + ", expected " +
                                std::to_string(kTallyFormat));
  if (words[2] != expected[2]) throw std::invalid_argument("tallies of another kind");
  if (words[3] != expected[3])
    throw std::invalid_argument("tallies of another model layout (fingerprint differs)");
  if (!std::equal(words.begin() + 4, words.begin() + kTallyHeaderWords, expected.begin() + 4) ||
      words.size() != expected.size())
    throw std::invalid_argument("tallies of another size (" + std::to_string(words.size()) +
                                " words, expected " + std::to_string(expected.size()) + ")");
  ReadVisitor read{words.data(), Cursors(count.c)};
  visit_tallies(a, read);
  return a;
}

namespace {

// inout[0..w) += in[0..w), a w-word little-endian integer, modulo 2^(64 w).
void add_words(const std::uint64_t* in, std::uint64_t* inout, int w) {
  std::uint64_t carry = 0;
  for (int k = 0; k < w; ++k) {
    const std::uint64_t a = inout[k], b = in[k];
    const std::uint64_t s = a + b;
    const std::uint64_t t = s + carry;
    carry = (s < a) | (t < s);
    inout[k] = t;
  }
}

}  // namespace

bool combine_tallies(std::span<const std::uint64_t> in, std::span<std::uint64_t> inout) {
  if (in.size() < kTallyHeaderWords || in.size() != inout.size() || in[0] != kTallyMagic ||
      !std::equal(in.begin(), in.begin() + kTallyHeaderWords, inout.begin()))
    return false;
  TallyCounts c{in[4], in[5], in[6], in[7], in[8]};
  if (c.n1 > in.size() || c.n2 > in.size() || c.n3 > in.size() || c.nmin > in.size() ||
      c.nmax > in.size() || c.words() != in.size())
    return false;
  const Cursors at(c);
  const std::uint64_t* a = in.data();
  std::uint64_t* b = inout.data();
  for (std::size_t k = at.s1; k < at.s2; ++k)
    b[k] += a[k];
  for (std::size_t k = at.s2; k < at.s3; k += 2)
    add_words(a + k, b + k, 2);
  for (std::size_t k = at.s3; k < at.smin; k += 3)
    add_words(a + k, b + k, 3);
  for (std::size_t k = at.smin; k < at.smax; ++k)
    b[k] = static_cast<std::uint64_t>(
        std::min(static_cast<std::int64_t>(a[k]), static_cast<std::int64_t>(b[k])));
  for (std::size_t k = at.smax; k < in.size(); ++k)
    b[k] = static_cast<std::uint64_t>(
        std::max(static_cast<std::int64_t>(a[k]), static_cast<std::int64_t>(b[k])));
  return true;
}

}  // namespace ccgrisk
