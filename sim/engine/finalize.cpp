#include "engine/finalize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ccgrisk {

namespace {

// Bin b of a series (0 underflow, 1..kFineBins, kFineBins + 1 overflow) as
// an interval of pounds, narrowed to the observed [min, max].
struct Interval {
  double lo, hi;
};
Interval bin_interval(const Series& s, const HistogramRange& r, std::size_t b) {
  const double top = r.lo_gbp + r.width_gbp * kFineBins;
  double lo = b == 0 ? s.min : r.lo_gbp + r.width_gbp * static_cast<double>(b - 1);
  double hi = b == kFineBins + 1 ? s.max : lo + r.width_gbp;
  if (b == kFineBins + 1) lo = top;
  if (b == 0) hi = r.lo_gbp;
  const double mn = static_cast<double>(s.min), mx = static_cast<double>(s.max);
  return {std::clamp(lo, mn, mx), std::clamp(hi, mn, mx)};
}

// Sum of the values in bin b: exact for under/overflow, count x mid-point otherwise.
double bin_sum(const Series& s, const HistogramRange& r, std::size_t b) {
  if (b == 0) return static_cast<double>(s.under_sum);
  if (b == kFineBins + 1) return static_cast<double>(s.over_sum);
  const Interval iv = bin_interval(s, r, b);
  return static_cast<double>(s.bins[b]) * 0.5 * (iv.lo + iv.hi);
}

double standard_error(double p, std::int64_t n) {
  return std::sqrt(p * (1.0 - p) / static_cast<double>(n));
}

std::array<double, 9> quantiles(const Series& s, const HistogramRange& r, std::int64_t n) {
  std::array<double, 9> q{};
  for (std::size_t j = 0; j < kQuantileLevels.size(); ++j)
    q[j] = to_thousands(series_quantile(s, r, n, kQuantileLevels[j]));
  return q;
}

// Coarse histogram for the report: the fine bins from the first to the last
// occupied one, merged kReportBins-fold or less; under/overflow values are
// folded into the end bins, whose edges then stretch to the observed min/max.
void report_histogram(const Series& s, const HistogramRange& r, std::vector<std::int64_t>& counts,
                      std::vector<double>& edges_k) {
  std::size_t first = 0, last = s.bins.size() - 1;
  while (first < last && s.bins[first] == 0)
    ++first;
  while (last > first && s.bins[last] == 0)
    --last;
  const std::size_t lo_bin = std::max<std::size_t>(first, 1);
  const std::size_t hi_bin = std::min<std::size_t>(last, kFineBins);
  const std::size_t span = hi_bin >= lo_bin ? hi_bin - lo_bin + 1 : 1;
  const std::size_t merge = (span + kReportBins - 1) / kReportBins;
  const double width = r.width_gbp * static_cast<double>(merge);
  const double start = r.lo_gbp + r.width_gbp * static_cast<double>(lo_bin - 1);
  for (int k = 0; k <= kReportBins; ++k)
    edges_k.push_back(to_thousands(start + width * k));
  const std::size_t base = counts.size();
  counts.resize(base + kReportBins, 0);
  for (std::size_t b = 0; b < s.bins.size(); ++b) {
    const std::size_t fine = std::clamp(b, lo_bin, hi_bin);
    const std::size_t k = std::min<std::size_t>((fine - lo_bin) / merge, kReportBins - 1);
    counts[base + k] += s.bins[b];
  }
  const std::size_t e0 = edges_k.size() - kReportBins - 1;
  if (s.bins.front() > 0) edges_k[e0] = to_thousands(static_cast<double>(s.min));
  if (s.bins.back() > 0) edges_k.back() = to_thousands(static_cast<double>(s.max) + 1.0);
}

void fill_ccg_stats(const Model& m, const Accumulator& acc, int phase, CcgStats& out) {
  const std::int64_t n = acc.trials();
  const StatsLayout& l = acc.layout();
  for (int i = 0; i < m.n; ++i) {
    const CcgTally& t = acc.ccg(phase, i);
    const HistogramRange& r = l.ccg_range[i];
    const double p_red = static_cast<double>(t.red) / static_cast<double>(n);
    const double p_miss = static_cast<double>(t.miss_control) / static_cast<double>(n);
    out.p_red.push_back(p_red);
    out.p_red_se.push_back(p_red_se(m, acc, phase, i));
    if (m.antithetic) {
      const double se = out.p_red_se.back();
      out.p_red_variance_ratio.push_back(se > 0 ? standard_error(p_red, n) *
                                                      standard_error(p_red, n) / (se * se)
                                                : std::numeric_limits<double>::quiet_NaN());
    }
    out.surplus_mean_k.push_back(to_thousands(series_mean(t.surplus, r, n)));
    out.surplus_sd_k.push_back(to_thousands(series_sd(t.surplus, n)));
    if (acc.kind() == Tallies::kCounts) continue;  // the rest was not kept
    out.p_miss_control.push_back(p_miss);
    out.p_miss_control_se.push_back(standard_error(p_miss, n));
    out.surplus_min_k.push_back(to_thousands(static_cast<double>(t.surplus.min)));
    out.surplus_max_k.push_back(to_thousands(static_cast<double>(t.surplus.max)));
    for (double q : quantiles(t.surplus, r, n))
      out.surplus_quantiles_k.push_back(q);
    out.surplus_es05_k.push_back(to_thousands(series_shortfall(t.surplus, r, n, kShortfallLevel)));
    out.underlying_mean_k.push_back(
        to_thousands(static_cast<double>(t.underlying_sum) / static_cast<double>(n)));
    out.hist_resolution_k.push_back(to_thousands(r.width_gbp));
    report_histogram(t.surplus, r, out.hist_counts, out.hist_edges_k);
  }
}

GroupStats group_stats(const CcgGroup& group, int g, const Model& m, const Accumulator& acc) {
  const std::int64_t n = acc.trials();
  const HistogramRange& r = acc.layout().group_range[g];
  GroupStats out;
  out.code = group.code;
  out.name = group.name;
  out.members = group.members;
  out.total_hist_resolution_k = to_thousands(r.width_gbp);
  const std::size_t length = static_cast<std::size_t>(m.n) + 1;
  for (int phase = 0; phase < kPhases; ++phase) {
    const GroupTally& t = acc.group(phase, g);
    std::vector<double> pmf = count_pmf(t.count_red, n, length);
    std::vector<double> unplanned = count_pmf(t.count_unplanned_red, n, length);
    const double expected = pmf_mean(pmf);
    const double expected_unplanned = pmf_mean(unplanned);
    const std::array<double, 3> count_q = {pmf_quantile(pmf, 0.05), pmf_quantile(pmf, 0.5),
                                           pmf_quantile(pmf, 0.95)};
    const double mean_k = to_thousands(series_mean(t.total, r, n));
    const double p_deficit = static_cast<double>(t.deficit) / static_cast<double>(n);
    const bool pooled = phase == 1;
    if (!pooled) {
      out.expected_red_se = pmf_sd(pmf) / std::sqrt(static_cast<double>(n));
      out.expected_unplanned_red_se = pmf_sd(unplanned) / std::sqrt(static_cast<double>(n));
      out.total_surplus_sd_k = to_thousands(series_sd(t.total, n));
    }
    (pooled ? out.count_red_pmf_pooled : out.count_red_pmf) = std::move(pmf);
    (pooled ? out.count_unplanned_red_pmf_pooled : out.count_unplanned_red_pmf) =
        std::move(unplanned);
    (pooled ? out.expected_red_pooled : out.expected_red) = expected;
    (pooled ? out.expected_unplanned_red_pooled : out.expected_unplanned_red) = expected_unplanned;
    (pooled ? out.expected_planned_red_pooled : out.expected_planned_red) =
        expected - expected_unplanned;
    (pooled ? out.count_red_q05_q50_q95_pooled : out.count_red_q05_q50_q95) = count_q;
    (pooled ? out.total_surplus_mean_pooled_k : out.total_surplus_mean_k) = mean_k;
    (pooled ? out.total_surplus_quantiles_pooled_k : out.total_surplus_quantiles_k) =
        quantiles(t.total, r, n);
    (pooled ? out.p_deficit_pooled : out.p_deficit) = p_deficit;
  }
  return out;
}

HubStats hub_stats(const std::string& name, double budget_k, const HubTally& t,
                   const HistogramRange& r, std::int64_t n) {
  HubStats out;
  out.name = name;
  out.budget_k = budget_k;
  out.p_overspend = static_cast<double>(t.overspend) / static_cast<double>(n);
  out.overspend_mean_k = to_thousands(series_mean(t.amount, r, n));
  out.overspend_sd_k = to_thousands(series_sd(t.amount, n));
  out.overspend_quantiles_k = quantiles(t.amount, r, n);
  out.hist_resolution_k = to_thousands(r.width_gbp);
  return out;
}

// E[component] and E[component | red] per CCG; Euler contributions to the
// national expected shortfall from the per-bin sums (see accumulator.hpp):
// with m = tail N, the worst-m years are the coarse bins below b* plus a
// share f of bin b*; ES = -(sum_{b<b*} T_b + f T_b*) / m with T_b the
// national total's sum in bin b, and each CCG's contribution the same with
// its own sums S_ib. Since T_b = sum_i S_ib exactly, the contributions add
// up to ES.
void fill_attribution(const Model& m, const Accumulator& acc, Attribution& out) {
  const AttributionTally& a = acc.attribution();
  const double n = static_cast<double>(acc.trials());
  for (const char* name : kComponentNames)
    out.components.push_back(name);
  for (int i = 0; i < m.n; ++i) {
    const double red = static_cast<double>(acc.ccg(0, i).red);
    for (int c = 0; c < kNumComponents; ++c) {
      const std::size_t k = static_cast<std::size_t>(i) * kNumComponents + c;
      out.mean_k.push_back(to_thousands(static_cast<double>(a.all[k]) / n));
      out.mean_red_k.push_back(red > 0 ? to_thousands(static_cast<double>(a.red[k]) / red)
                                       : std::numeric_limits<double>::quiet_NaN());
    }
  }
  const std::vector<std::int64_t>& fine = acc.group(0, 0).total.bins;
  std::vector<double> count(kCoarseBins, 0.0);
  for (std::size_t f = 0; f < fine.size(); ++f)
    count[coarse_bin(static_cast<int>(f))] += static_cast<double>(fine[f]);
  const double tail = out.tail * n;
  std::vector<double> weight(kCoarseBins, 0.0);  // share of each bin in the tail
  double taken = 0.0;
  for (int b = 0; b < kCoarseBins && taken < tail; ++b) {
    if (count[b] == 0) continue;
    weight[b] = std::min(1.0, (tail - taken) / count[b]);
    taken += weight[b] * count[b];
  }
  Wide national_whole = 0;
  double national_part = 0.0;
  out.es_contribution_k.assign(m.n, 0.0);
  for (int b = 0; b < kCoarseBins; ++b) {
    if (weight[b] == 0) continue;
    for (int i = 0; i < m.n; ++i) {
      const Wide s = a.by_national_bin[static_cast<std::size_t>(b) * m.n + i];
      out.es_contribution_k[i] -= weight[b] * static_cast<double>(s) / tail / 1000.0;
      if (weight[b] == 1.0)
        national_whole += s;
      else
        national_part += weight[b] * static_cast<double>(s);
    }
  }
  out.national_es_k = -(static_cast<double>(national_whole) + national_part) / tail / 1000.0;
}

void fill_hubs(const Model& m, const Accumulator& acc, Results& r) {
  const StatsLayout& l = acc.layout();
  if (l.hub_range.size() != m.hubs.size()) return;  // without_hubs
  double total_budget = 0.0;
  for (std::size_t h = 0; h < m.hubs.size(); ++h) {
    r.hubs.push_back(
        hub_stats(m.hubs[h].name, m.hubs[h].budget_k, acc.hubs()[h], l.hub_range[h], acc.trials()));
    total_budget += m.hubs[h].budget_k;
  }
  r.specialised = hub_stats("NHS England specialised commissioning", total_budget,
                            acc.specialised(), l.specialised_range, acc.trials());
}

}  // namespace

double p_red_se(const Model& m, const Accumulator& acc, int phase, int i) {
  const CcgTally& t = acc.ccg(phase, i);
  const double n = static_cast<double>(acc.trials());
  if (!m.antithetic) {
    const double p = static_cast<double>(t.red) / n;
    return std::sqrt(p * (1.0 - p) / n);
  }
  // Pair means are 0, 1/2 or 1: b2 pairs with both red, b1 with one.
  const double pairs = n / 2.0, b2 = static_cast<double>(t.pairs_both_red);
  const double b1 = static_cast<double>(t.red) - 2.0 * b2;
  const double mean = (0.5 * b1 + b2) / pairs, mean_sq = (0.25 * b1 + b2) / pairs;
  return std::sqrt(std::max(0.0, mean_sq - mean * mean) / pairs);
}

double wilson_se(double p, std::int64_t trials) {
  constexpr double z = 1.959963984540054;
  const double n = static_cast<double>(trials);
  const double half = z / (1.0 + z * z / n) * std::sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n));
  return half / z;
}

double worst_p_red_se(const Model& m, const Accumulator& acc) {
  double worst = 0.0;
  for (int phase = 0; phase < kPhases; ++phase) {
    for (int i = 0; i < m.n; ++i) {
      const double p =
          static_cast<double>(acc.ccg(phase, i).red) / static_cast<double>(acc.trials());
      worst = std::max({worst, p_red_se(m, acc, phase, i), wilson_se(p, acc.trials())});
    }
  }
  return worst;
}

double pmf_mean(const std::vector<double>& pmf) {
  double mean = 0.0;
  for (std::size_t k = 0; k < pmf.size(); ++k)
    mean += static_cast<double>(k) * pmf[k];
  return mean;
}

double pmf_sd(const std::vector<double>& pmf) {
  const double mean = pmf_mean(pmf);
  double var = 0.0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    const double d = static_cast<double>(k) - mean;
    var += d * d * pmf[k];
  }
  return std::sqrt(var);
}

double series_quantile(const Series& s, const HistogramRange& r, std::int64_t n, double level) {
  const double rank = level * static_cast<double>(n);
  double below = 0.0;
  for (std::size_t b = 0; b < s.bins.size(); ++b) {
    const double count = static_cast<double>(s.bins[b]);
    if (count == 0.0) continue;
    if (below + count >= rank) {
      const Interval iv = bin_interval(s, r, b);
      const double share = std::clamp((rank - below) / count, 0.0, 1.0);
      return iv.lo + share * (iv.hi - iv.lo);
    }
    below += count;
  }
  return static_cast<double>(s.max);
}

double series_shortfall(const Series& s, const HistogramRange& r, std::int64_t n, double level) {
  const double tail = level * static_cast<double>(n);
  double taken = 0.0, sum = 0.0;
  for (std::size_t b = 0; b < s.bins.size() && taken < tail; ++b) {
    const double count = static_cast<double>(s.bins[b]);
    if (count == 0.0) continue;
    const double take = std::min(count, tail - taken);
    sum += bin_sum(s, r, b) * (take / count);
    taken += take;
  }
  return sum / tail;
}

double series_mean(const Series& s, const HistogramRange& r, std::int64_t n) {
  return static_cast<double>(r.reference_gbp) +
         static_cast<double>(static_cast<long double>(s.sum) / n);
}

double series_sd(const Series& s, std::int64_t n) {
  if (n < 2) return 0.0;
  const long double sum = static_cast<long double>(s.sum);
  const long double ss = s.sum_sq.value() - sum * sum / n;
  return static_cast<double>(std::sqrt(std::max(0.0L, ss / (n - 1))));
}

std::vector<double> count_pmf(const std::vector<std::int64_t>& counts, std::int64_t n,
                              std::size_t length) {
  std::vector<double> pmf(length, 0.0);
  for (std::size_t k = 0; k < counts.size() && k < length; ++k)
    pmf[k] = static_cast<double>(counts[k]) / static_cast<double>(n);
  return pmf;
}

double pmf_quantile(const std::vector<double>& pmf, double level) {
  double cdf = 0.0;
  for (std::size_t k = 0; k < pmf.size(); ++k) {
    cdf += pmf[k];
    if (cdf >= level - 1e-12) return static_cast<double>(k);
  }
  return static_cast<double>(pmf.size() - 1);
}

void fill_identity(const Model& m, Results& r) {
  for (int i = 0; i < m.n; ++i) {
    const CcgRecord& c = m.ccgs[i];
    r.code.push_back(c.code);
    r.name.push_back(c.name);
    r.region.push_back(c.region);
    r.area_team_code.push_back(c.area_team_code);
    r.area_team.push_back(c.area_team);
    r.pool.push_back(m.pool_of[i] >= 0 ? m.pools[m.pool_of[i]].name : std::string());
    r.allocation_k.push_back(m.allocation_k[i]);
    r.planned_surplus_k.push_back(m.planned_surplus_k[i]);
    r.control_total_k.push_back(m.control_total_k[i]);
    r.reserves_k.push_back(m.reserves_k[i]);
    r.planned_deficit.push_back(m.planned_deficit[i]);
    for (int k = 0; k < kNumCcgInputs; ++k)
      r.input_basis[k].push_back(c.basis[k]);
  }
  for (const PoolModel& p : m.pools)
    r.pool_rule.push_back(p.rule == PoolRule::kFull ? "full" : "cover");
}

void finalize_statistics(const Model& m, const Accumulator& acc, Results& r) {
  fill_ccg_stats(m, acc, 0, r.before);
  fill_ccg_stats(m, acc, 1, r.after);
  fill_hubs(m, acc, r);
  if (acc.kind() == Tallies::kFull) fill_attribution(m, acc, r.attribution);
  const auto groups = m.groups();
  r.national = group_stats(*groups[0], 0, m, acc);
  // A layout with_groups tallies only some of the groups (accumulator.hpp).
  const std::size_t count = acc.layout().group_size.size();
  for (std::size_t g = 1; g < count; ++g) {
    GroupStats stats = group_stats(*groups[g], static_cast<int>(g), m, acc);
    const std::size_t regions = m.regions.size(), areas = m.area_teams.size();
    if (g <= regions) {
      r.regions.push_back(std::move(stats));
    } else if (g <= regions + areas) {
      r.area_teams.push_back(std::move(stats));
    } else {
      r.pools.push_back(std::move(stats));
    }
  }
}

}  // namespace ccgrisk
