#include "engine/uncertainty.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/finalize.hpp"
#include "input/error.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

double mean_of(const std::vector<double>& x) {
  return x.empty() ? 0.0 : std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

// Population variance (divisor size).
double variance_of(const std::vector<double>& x) {
  const double m = mean_of(x);
  double v = 0.0;
  for (double xi : x)
    v += (xi - m) * (xi - m);
  return x.empty() ? 0.0 : v / static_cast<double>(x.size());
}

// Ranks 1..size, ties their mean rank.
std::vector<double> ranks(const std::vector<double>& x) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  std::vector<double> r(x.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]])
      ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (std::size_t k = i; k <= j; ++k)
      r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double mx = mean_of(x), my = mean_of(y);
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0.0 && syy > 0.0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

double sample_quantile(std::vector<double> x, double level) {
  if (x.empty()) return 0.0;
  std::sort(x.begin(), x.end());
  const double position = level * static_cast<double>(x.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, x.size() - 1);
  return x[below] + (position - static_cast<double>(below)) * (x[above] - x[below]);
}

double rank_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  return pearson(ranks(x), ranks(y));
}

double first_order_index(const std::vector<double>& x, const std::vector<double>& y) {
  const double total = variance_of(y);
  if (!(total > 0.0) || x.size() < 4) return 0.0;
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  const std::size_t bins = static_cast<std::size_t>(std::sqrt(static_cast<double>(x.size())));
  const double mean = mean_of(y);
  double between = 0.0;
  for (std::size_t b = 0; b < bins; ++b) {
    const std::size_t from = b * x.size() / bins, to = (b + 1) * x.size() / bins;
    double sum = 0.0;
    for (std::size_t k = from; k < to; ++k)
      sum += y[order[k]];
    const double bin_mean = sum / static_cast<double>(to - from);
    between += static_cast<double>(to - from) * (bin_mean - mean) * (bin_mean - mean);
  }
  // Over the orders of y unrelated to x, the between-bin share averages
  // exactly (bins - 1) / (size - 1): taken off, so that a key without
  // effect is 0 on average, not about 1 / bins.
  const double share = between / static_cast<double>(x.size()) / total;
  const double chance = static_cast<double>(bins - 1) / static_cast<double>(x.size() - 1);
  return std::clamp((share - chance) / (1.0 - chance), 0.0, 1.0);
}

UncertaintyResult run_uncertainty(ScenarioRuns& runs, const UncertaintySpec& spec, Results& base) {
  UncertaintyResult out;
  out.samples = spec.samples;
  out.n = static_cast<int>(runs.table().rows.size());
  out.sampler = kSamplerNames[static_cast<int>(spec.sampler)];
  out.seed = spec.seed;
  for (const UncertainParameter& p : spec.parameters) {
    out.keys.push_back(p.key);
    out.distributions.push_back(kDistributionNames[static_cast<int>(p.distribution)]);
    out.sources.push_back(p.source);
  }
  // Every sample's scenario first: a bad value stops the run before any trial.
  const std::vector<std::vector<double>> samples = outer_samples(spec);
  std::vector<Scenario> points{runs.base()};
  std::vector<std::string> labels{"scenario as given"};
  for (std::size_t s = 0; s < samples.size(); ++s) {
    std::vector<Override> set;
    std::string label = "sample " + std::to_string(s + 1);
    for (std::size_t j = 0; j < samples[s].size(); ++j) {
      const std::string text = number_text(samples[s][j]);
      set.push_back({spec.parameters[j].key, text,
                     "[uncertainty] sample " + std::to_string(s + 1) + ": " +
                         spec.parameters[j].key + " = " + text});
      out.values.push_back(samples[s][j]);
    }
    points.push_back(runs.with(set));
    labels.push_back(label);
  }
  const int runs_before = runs.runs();
  const double seconds_before = runs.seconds();
  std::vector<Results> results = runs.run_together(points, labels, true, GroupLevels::kNation);
  out.runs = runs.runs() - runs_before;
  out.seconds = runs.seconds() - seconds_before;
  base = std::move(results.front());
  const std::size_t n = static_cast<std::size_t>(out.n);
  const double trials = static_cast<double>(base.provenance.trials);
  for (std::size_t s = 1; s < results.size(); ++s) {
    const Results& r = results[s];
    out.p_red.insert(out.p_red.end(), r.before.p_red.begin(), r.before.p_red.end());
    out.p_red_pooled.insert(out.p_red_pooled.end(), r.after.p_red.begin(), r.after.p_red.end());
    out.expected_red.push_back(r.national.expected_red);
    out.expected_red_pooled.push_back(r.national.expected_red_pooled);
    const double sd = pmf_sd(r.national.count_red_pmf);
    out.count_red_variance.push_back(sd * sd);
  }
  const std::size_t count = results.size() - 1;
  std::vector<double> column(count), pooled(count);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t s = 0; s < count; ++s) {
      column[s] = out.p_red[s * n + i];
      pooled[s] = out.p_red_pooled[s * n + i];
    }
    out.p_red_mean.push_back(mean_of(column));
    out.p_red_q05.push_back(sample_quantile(column, 0.05));
    out.p_red_q50.push_back(sample_quantile(column, 0.50));
    out.p_red_q95.push_back(sample_quantile(column, 0.95));
    out.p_red_pooled_q05.push_back(sample_quantile(pooled, 0.05));
    out.p_red_pooled_q95.push_back(sample_quantile(pooled, 0.95));
  }
  out.expected_red_mean = mean_of(out.expected_red);
  out.expected_red_q05 = sample_quantile(out.expected_red, 0.05);
  out.expected_red_q50 = sample_quantile(out.expected_red, 0.50);
  out.expected_red_q95 = sample_quantile(out.expected_red, 0.95);
  // The spread of the samples' means holds Monte Carlo noise too, about
  // Var(count | parameters) / trials each: taken off (at least 0).
  const double within = mean_of(out.count_red_variance);
  const double between = std::max(0.0, variance_of(out.expected_red) - within / trials);
  out.epistemic_share = between + within > 0.0 ? between / (between + within) : 0.0;
  const std::size_t k = spec.parameters.size();
  std::vector<double> x(count);
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t s = 0; s < count; ++s)
      x[s] = out.values[s * k + j];
    out.rank_correlation.push_back(rank_correlation(x, out.expected_red));
    out.first_order.push_back(spec.sampler == OuterSampler::kSobol
                                  ? std::numeric_limits<double>::quiet_NaN()
                                  : first_order_index(x, out.expected_red));
  }
  return out;
}

}  // namespace ccgrisk
