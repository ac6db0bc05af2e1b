#include "app/results_identity.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace ccgrisk {

namespace {

bool same_bits(double x, double y) {
  return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
}
bool same_bits(std::int64_t x, std::int64_t y) {
  return x == y;
}
template <class Range>
bool same_bits(const Range& x, const Range& y) {
  return std::ranges::equal(x, y, [](auto u, auto v) { return same_bits(u, v); });
}

// Collects the names of the fields that differ, under a prefix.
class Differences {
 public:
  explicit Differences(std::vector<std::string>& out, std::string prefix = {})
      : out_(out), prefix_(std::move(prefix)) {}
  template <class T>
  void check(const char* name, const T& a, const T& b) {
    if (!same_bits(a, b)) out_.push_back(std::string(prefix_).append(name));
  }
  Differences under(const std::string& name) const {
    return Differences(out_, std::string(prefix_).append(name).append("."));
  }

 private:
  std::vector<std::string>& out_;
  std::string prefix_;
};

void compare(Differences d, const CcgStats& a, const CcgStats& b) {
  d.check("p_red", a.p_red, b.p_red);
  d.check("p_red_se", a.p_red_se, b.p_red_se);
  d.check("p_red_variance_ratio", a.p_red_variance_ratio, b.p_red_variance_ratio);
  d.check("p_miss_control", a.p_miss_control, b.p_miss_control);
  d.check("p_miss_control_se", a.p_miss_control_se, b.p_miss_control_se);
  d.check("surplus_mean_k", a.surplus_mean_k, b.surplus_mean_k);
  d.check("surplus_sd_k", a.surplus_sd_k, b.surplus_sd_k);
  d.check("surplus_min_k", a.surplus_min_k, b.surplus_min_k);
  d.check("surplus_max_k", a.surplus_max_k, b.surplus_max_k);
  d.check("surplus_quantiles_k", a.surplus_quantiles_k, b.surplus_quantiles_k);
  d.check("surplus_es05_k", a.surplus_es05_k, b.surplus_es05_k);
  d.check("underlying_mean_k", a.underlying_mean_k, b.underlying_mean_k);
  d.check("hist_resolution_k", a.hist_resolution_k, b.hist_resolution_k);
  d.check("hist_counts", a.hist_counts, b.hist_counts);
  d.check("hist_edges_k", a.hist_edges_k, b.hist_edges_k);
}

void compare_counts(Differences d, const GroupStats& a, const GroupStats& b) {
  d.check("count_red_pmf", a.count_red_pmf, b.count_red_pmf);
  d.check("count_red_pmf_pooled", a.count_red_pmf_pooled, b.count_red_pmf_pooled);
  d.check("count_unplanned_red_pmf", a.count_unplanned_red_pmf, b.count_unplanned_red_pmf);
  d.check("count_unplanned_red_pmf_pooled", a.count_unplanned_red_pmf_pooled,
          b.count_unplanned_red_pmf_pooled);
  d.check("expected_red", a.expected_red, b.expected_red);
  d.check("expected_red_pooled", a.expected_red_pooled, b.expected_red_pooled);
  d.check("expected_red_se", a.expected_red_se, b.expected_red_se);
  d.check("expected_unplanned_red", a.expected_unplanned_red, b.expected_unplanned_red);
  d.check("expected_unplanned_red_pooled", a.expected_unplanned_red_pooled,
          b.expected_unplanned_red_pooled);
  d.check("expected_unplanned_red_se", a.expected_unplanned_red_se, b.expected_unplanned_red_se);
  d.check("expected_planned_red", a.expected_planned_red, b.expected_planned_red);
  d.check("expected_planned_red_pooled", a.expected_planned_red_pooled,
          b.expected_planned_red_pooled);
  d.check("count_red_q05_q50_q95", a.count_red_q05_q50_q95, b.count_red_q05_q50_q95);
  d.check("count_red_q05_q50_q95_pooled", a.count_red_q05_q50_q95_pooled,
          b.count_red_q05_q50_q95_pooled);
}

void compare_totals(Differences d, const GroupStats& a, const GroupStats& b) {
  d.check("total_surplus_mean_k", a.total_surplus_mean_k, b.total_surplus_mean_k);
  d.check("total_surplus_mean_pooled_k", a.total_surplus_mean_pooled_k,
          b.total_surplus_mean_pooled_k);
  d.check("total_surplus_sd_k", a.total_surplus_sd_k, b.total_surplus_sd_k);
  d.check("total_surplus_quantiles_k", a.total_surplus_quantiles_k, b.total_surplus_quantiles_k);
  d.check("total_surplus_quantiles_pooled_k", a.total_surplus_quantiles_pooled_k,
          b.total_surplus_quantiles_pooled_k);
  d.check("total_hist_resolution_k", a.total_hist_resolution_k, b.total_hist_resolution_k);
  d.check("p_deficit", a.p_deficit, b.p_deficit);
  d.check("p_deficit_pooled", a.p_deficit_pooled, b.p_deficit_pooled);
}

void compare(Differences d, const GroupStats& a, const GroupStats& b) {
  compare_counts(d, a, b);
  compare_totals(d, a, b);
}

void compare(Differences d, const HubStats& a, const HubStats& b) {
  d.check("p_overspend", a.p_overspend, b.p_overspend);
  d.check("overspend_mean_k", a.overspend_mean_k, b.overspend_mean_k);
  d.check("overspend_sd_k", a.overspend_sd_k, b.overspend_sd_k);
  d.check("overspend_quantiles_k", a.overspend_quantiles_k, b.overspend_quantiles_k);
  d.check("hist_resolution_k", a.hist_resolution_k, b.hist_resolution_k);
}

void compare(Differences d, const Attribution& a, const Attribution& b) {
  d.check("mean_k", a.mean_k, b.mean_k);
  d.check("mean_red_k", a.mean_red_k, b.mean_red_k);
  d.check("tail", a.tail, b.tail);
  d.check("national_es_k", a.national_es_k, b.national_es_k);
  d.check("es_contribution_k", a.es_contribution_k, b.es_contribution_k);
}

// Element-wise over two lists, named "name[i]"; a length mismatch is one difference.
template <class T>
void compare_list(Differences d, const std::string& name, const std::vector<T>& a,
                  const std::vector<T>& b, std::vector<std::string>& out) {
  if (a.size() != b.size()) {
    out.push_back(name + " (count)");
    return;
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    compare(d.under(name + "[" + std::to_string(i) + "]"), a[i], b[i]);
}

}  // namespace

std::vector<std::string> results_differences(const Results& a, const Results& b) {
  std::vector<std::string> out;
  const Differences d(out);
  if (a.provenance.trials != b.provenance.trials) out.push_back("provenance.trials");
  compare(d.under("before"), a.before, b.before);
  compare(d.under("after"), a.after, b.after);
  compare(d.under("national"), a.national, b.national);
  compare_list(d, "regions", a.regions, b.regions, out);
  compare_list(d, "area_teams", a.area_teams, b.area_teams, out);
  compare_list(d, "pools", a.pools, b.pools, out);
  compare_list(d, "hubs", a.hubs, b.hubs, out);
  compare(d.under("specialised"), a.specialised, b.specialised);
  compare(d.under("attribution"), a.attribution, b.attribution);
  return out;
}

}  // namespace ccgrisk
