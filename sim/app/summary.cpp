#include "app/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "input/limits.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

constexpr int kTopCcgs = 15;

// A rate in millions: one decimal, or two significant digits below one
// million (a run of a few trials is not "0.0 million").
std::string millions(double rate) {
  rate /= 1e6;
  return strprintf(rate >= 1.0 ? "%.1f" : "%.2g", rate);
}

void print_precision(const Results& r, std::ostream& out) {
  const Provenance& p = r.provenance;
  if (p.target_se > 0) {
    // The stopping rule's own measure; a file without it: the largest
    // standard error before sharing.
    double worst = p.se_reached;
    if (std::isnan(worst)) {
      worst = 0;
      for (double se : r.before.p_red_se)
        worst = std::max(worst, se);
    }
    if (worst <= p.target_se)
      out << strprintf("  precision on demand: target se %.4g, reached %.4g after %s trials\n",
                       p.target_se, worst, with_commas(p.trials).c_str());
    else
      out << strprintf(
          "  WARNING: precision on demand stopped at the cap of %s trials (run.max_trials) "
          "with the largest P(red) standard error %.4g, above the target %.4g\n",
          with_commas(p.trials).c_str(), worst, p.target_se);
  }
  if (p.trials_capped > 0)
    out << strprintf(
        "  WARNING: in %s trials a pressure reached the settlement bound of GBP %.3g bn and was "
        "held at it;\n  the outturns of those trials are not exact (check the scenario's "
        "extreme values)\n",
        with_commas(p.trials_capped).c_str(), limits::kMaxPressureGbp / 1e9);
  if (p.antithetic && !r.before.p_red_variance_ratio.empty()) {
    std::vector<double> ratio;
    for (double x : r.before.p_red_variance_ratio)
      if (std::isfinite(x)) ratio.push_back(x);
    if (!ratio.empty())
      out << strprintf("  antithetic pairs: P(red) variance reduced %.2fx (median over CCGs)\n",
                       median(ratio));
  }
}

void print_header(const Results& r, std::ostream& out) {
  const Provenance& p = r.provenance;
  // A trial of a run of several years simulates every CCG's every year.
  const std::size_t years = r.horizon ? r.horizon->labels.size() : 1;
  double ccg_years = static_cast<double>(p.trials) * static_cast<double>(r.code.size()) *
                     static_cast<double>(years);
  // With [uncertainty]: the time and work of every run (the scenario as
  // given and each sample), not of the scenario's share of their passes.
  double wall = p.wall_seconds;
  std::string runs;
  if (r.uncertainty && r.uncertainty->runs > 0) {
    wall = r.uncertainty->seconds;
    ccg_years *= r.uncertainty->runs;
    runs = strprintf(" for %d runs", r.uncertainty->runs);
  }
  out << "ccgrisk " << p.tool_version << "  " << p.scenario_path << "\n"
      << strprintf(
             "  %s trials of %zu CCGs, seed %llu, %d thread%s, %.2f s wall%s, %s million "
             "%s/s\n",
             with_commas(p.trials).c_str(), r.code.size(), static_cast<unsigned long long>(p.seed),
             p.threads, p.threads == 1 ? "" : "s", wall, runs.c_str(),
             millions(ccg_years / std::max(wall, 1e-9)).c_str(),
             years == 1 ? "CCG-trials" : "CCG-years");
  if (r.horizon) {
    const std::vector<std::string>& labels = r.horizon->labels;
    out << "  year " << labels[r.horizon->year] << " of a run of " << labels.size() << " years, "
        << labels.front() << " to " << labels.back() << "\n";
  }
}

void print_national(const Results& r, std::ostream& out) {
  const GroupStats& g = r.national;
  const auto& q = g.count_red_q05_q50_q95;
  const auto& qp = g.count_red_q05_q50_q95_pooled;
  // In a run of several years, the heading names the year.
  const std::string heading =
      r.horizon ? "CCGs in the red at the end of " + r.horizon->labels[r.horizon->year]
                : "CCGs in the red (year-end surplus below zero)";
  out << strprintf("%-48s", heading.c_str()) << "before pooling   after pooling\n"
      << strprintf("  expected number                                %8.2f        %8.2f\n",
                   g.expected_red, g.expected_red_pooled)
      << strprintf(
             "  5-95%% range                                 %4.0f - %-4.0f      %4.0f - %.0f\n",
             q[0], q[2], qp[0], qp[2])
      << strprintf("  P(CCG sector as a whole in deficit)            %8.4f        %8.4f\n",
                   g.p_deficit, g.p_deficit_pooled)
      << strprintf("  mean total surplus, GBP m                      %8.1f        %8.1f\n\n",
                   g.total_surplus_mean_k / 1000.0, g.total_surplus_mean_pooled_k / 1000.0);
}

// 1 for a CCG whose allocation is an estimate (its basis says so), per CCG;
// all 0 when the file does not record the bases.
std::vector<char> estimated_allocations(const Results& r) {
  std::vector<char> out(r.code.size(), 0);
  const std::vector<std::string>& basis = r.input_basis[kInputAllocation];
  for (std::size_t i = 0; i < basis.size() && i < out.size(); ++i)
    out[i] = is_estimated(basis[i]);
  return out;
}

// CCG i's name in `width` characters at most, " *" after it when its
// allocation is an estimate.
std::string marked_name(const Results& r, const std::vector<char>& estimated, std::size_t i,
                        std::size_t width) {
  if (!estimated[i]) return r.name[i].substr(0, width);
  std::string name = r.name[i].substr(0, width - 2);
  while (!name.empty() && name.back() == ' ')  // a cut at a space: one space before the mark
    name.pop_back();
  return name + " *";
}

void print_top(const Results& r, std::ostream& out) {
  const std::vector<std::size_t> order = descending_order(r.before.p_red);
  const std::vector<char> estimated = estimated_allocations(r);
  out << strprintf("The %zu CCGs most likely to be in the red\n",
                   std::min<std::size_t>(kTopCcgs, r.code.size()))
      << "  code  name                                          P(red) +- se      pooled\n";
  for (std::size_t k = 0; k < order.size() && k < static_cast<std::size_t>(kTopCcgs); ++k) {
    const std::size_t i = order[k];
    const std::string name = marked_name(r, estimated, i, 43);
    out << strprintf("  %-5s %-44s %6.4f +- %.4f   %6.4f\n", r.code[i].c_str(), name.c_str(),
                     r.before.p_red[i], r.before.p_red_se[i], r.after.p_red[i]);
  }
  const auto count = std::count(estimated.begin(), estimated.end(), 1);
  if (count > 0)
    out << strprintf(
        "  * allocation estimated, not published (%lld of the %zu CCGs): their P(red) rests on "
        "our estimate\n",
        static_cast<long long>(count), r.code.size());
  out << "\n";
}

void print_group_row(const char* label, const GroupStats& g, std::ostream& out) {
  out << strprintf("  %-24.24s %4zu %10.2f %10.2f %12.2f %10.2f\n", label, g.members.size(),
                   g.expected_red, g.expected_red_pooled, g.expected_unplanned_red,
                   g.expected_planned_red);
}

void print_regions(const Results& r, std::ostream& out) {
  out << "Expected CCGs in the red by region          (unplanned: CCGs that planned no deficit)\n"
      << "  region                   CCGs     before      after    unplanned    planned\n";
  for (const GroupStats& g : r.regions)
    print_group_row(g.name.c_str(), g, out);
  print_group_row("England", r.national, out);
  for (const GroupStats& g : r.pools) {
    const std::string label = "pool " + g.name;
    print_group_row(label.c_str(), g, out);
  }
}

void print_specialised(const Results& r, std::ostream& out) {
  if (r.hubs.empty()) return;
  const HubStats& s = r.specialised;
  out << strprintf(
      "\nNHS England specialised commissioning (%zu hubs, budget GBP %.2fbn)\n"
      "  mean deficit GBP %.0fm (5-95%%: %.0fm to %.0fm), P(deficit) %.3f\n"
      "  hub                                            budget GBP m   mean overspend   "
      "P(overspend)\n",
      r.hubs.size(), s.budget_k / 1e6, s.overspend_mean_k / 1e3, s.overspend_quantiles_k[1] / 1e3,
      s.overspend_quantiles_k[7] / 1e3, s.p_overspend);
  for (const HubStats& h : r.hubs) {
    out << strprintf("  %-46.46s %12.0f %15.1f%% %14.3f\n", h.name.c_str(), h.budget_k / 1e3,
                     100.0 * h.overspend_mean_k / h.budget_k, h.p_overspend);
  }
}

}  // namespace

void print_summary(const Results& r, std::ostream& out) {
  print_header(r, out);
  print_precision(r, out);
  out << "\n";
  print_national(r, out);
  print_top(r, out);
  print_regions(r, out);
  print_specialised(r, out);
}

void print_uncertainty(const UncertaintyResult& u, const Results& r, std::ostream& out) {
  char line[256];
  out << "\nParameter uncertainty: " << u.samples << " outer samples (" << u.sampler << "), each "
      << r.provenance.trials << " trials with the same random numbers\n";
  std::snprintf(line, sizeof line,
                "  Expected CCGs in the red: %.2f (Monte Carlo +- %.2f); over the parameters' "
                "uncertainty median %.2f, 5-95%% %.2f - %.2f\n",
                r.national.expected_red, r.national.expected_red_se, u.expected_red_q50,
                u.expected_red_q05, u.expected_red_q95);
  out << line;
  std::snprintf(line, sizeof line,
                "  Share of the variance of the number in the red from parameter uncertainty: "
                "%.0f%%\n",
                100.0 * u.epistemic_share);
  out << line;
  out << "  Which parameter matters most (for the expected number in the red)\n"
      << "    parameter                                      distribution  rank corr.  "
         "first-order\n";
  std::vector<std::size_t> order(u.keys.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    return std::abs(u.rank_correlation[a]) > std::abs(u.rank_correlation[b]);
  });
  bool unestimated = false;
  for (std::size_t j : order) {
    std::snprintf(
        line, sizeof line, "    %-46.46s %-12s %10.2f %12s\n", u.keys[j].c_str(),
        u.distributions[j].c_str(), u.rank_correlation[j],
        std::isnan(u.first_order[j]) ? "n/a" : strprintf("%.2f", u.first_order[j]).c_str());
    out << line;
    unestimated = unestimated || std::isnan(u.first_order[j]);
  }
  if (unestimated) {
    out << "    (first-order indices are not estimated from Sobol points, whose coordinates move\n"
           "    together in small samples: uncertainty.sampler = \"lhs\" gives them)\n";
  } else if (!u.keys.empty()) {
    // Two sds of the index of a key without effect: its between-bin share
    // is about Beta((b - 1) / 2, (S - b) / 2), sd about sqrt(2 (b - 1)) / S.
    const double bins = std::floor(std::sqrt(static_cast<double>(u.samples)));
    out << strprintf(
        "    (first-order indices below about %.2f are within the noise of %d samples)\n",
        2.0 * std::sqrt(2.0 * (bins - 1.0)) / (u.samples - 1.0), u.samples);
  }
  const std::vector<std::size_t> ccgs = descending_order(r.before.p_red);
  const std::size_t top = std::min<std::size_t>(kTopCcgs, ccgs.size());
  out << "  The " << top
      << " CCGs most likely to be in the red: P(red) +- Monte Carlo se, and 5-95% over the "
         "parameters\n";
  const std::vector<char> estimated = estimated_allocations(r);
  for (std::size_t k = 0; k < top; ++k) {
    const std::size_t i = ccgs[k];
    std::snprintf(line, sizeof line, "    %-5s %-40.40s %6.3f +- %5.3f   %6.3f - %.3f\n",
                  r.code[i].c_str(), marked_name(r, estimated, i, 40).c_str(), r.before.p_red[i],
                  r.before.p_red_se[i], u.p_red_q05[i], u.p_red_q95[i]);
    out << line;
  }
}

void print_horizon_summary(const std::vector<Results>& years, std::ostream& out) {
  const HorizonYear& last = *years.back().horizon;
  const std::vector<std::string>& labels = last.labels;
  const std::size_t n = years.front().code.size();
  print_summary(years.front(), out);
  out << "\nYear by year (" << labels.front() << " to " << labels.back()
      << "; GBP m; median and 5-95% of the CCGs' total)\n"
      << "  year      in the red         P(sector   outturn                  recurrent position\n"
      << "            before   pooled    deficit)\n";
  for (const Results& r : years) {
    const GroupStats& g = r.national;
    const auto& q = g.total_surplus_quantiles_k;
    const auto& u = r.horizon->underlying_total_quantiles_k[0];
    out << strprintf("  %s  %7.2f  %7.2f    %6.3f   %7.0f (%6.0f, %6.0f)  %7.0f (%6.0f, %6.0f)\n",
                     labels[r.horizon->year].c_str(), g.expected_red, g.expected_red_pooled,
                     g.p_deficit, q[4] / 1e3, q[1] / 1e3, q[7] / 1e3, u[4] / 1e3, u[1] / 1e3,
                     u[7] / 1e3);
  }
  out << strprintf("  in the red in any year: %.2f CCGs expected before pooling, %.2f after\n",
                   last.expected_red_any_year[0], last.expected_red_any_year[1]);
  const std::vector<double>& p_any = last.p_red_any_year[0];
  const std::vector<std::size_t> order = descending_order(p_any);
  out << "\nMost likely to be in the red in some year (before pooling)\n"
      << "  code  name                                       ";
  for (const std::string& label : labels)
    out << strprintf("%8s", label.c_str());
  out << "     any   every  first red (P)\n";
  const std::size_t columns = labels.size() + 1;
  const std::vector<char> estimated = estimated_allocations(years.front());
  bool any_estimated = false;
  for (std::size_t k = 0; k < std::min<std::size_t>(kTopCcgs, n); ++k) {
    const std::size_t i = order[k];
    const std::string name = marked_name(years.front(), estimated, i, 42);
    any_estimated |= estimated[i] != 0;
    out << strprintf("  %-4s  %-42s ", years.front().code[i].c_str(), name.c_str());
    for (const Results& r : years)
      out << strprintf("%8.3f", r.before.p_red[i]);
    // The year most likely to be the first in the red, and that chance
    // ("-": never in the red).
    const double* first = last.first_red_year_pmf[0].data() + i * columns;
    const auto most =
        static_cast<std::size_t>(std::max_element(first, first + labels.size()) - first);
    out << strprintf("  %6.3f  %6.3f  ", p_any[i], last.p_red_every_year[0][i])
        << (p_any[i] > 0.0 ? strprintf("%s %5.3f", labels[most].c_str(), first[most]) : "-")
        << "\n";
  }
  out << "  first red: the year most likely to be the first in the red, and its chance (never in "
         "the red: 1 - any)\n";
  if (any_estimated) out << "  * allocation estimated, not published (as above)\n";
}

}  // namespace ccgrisk
