#include "output/stress_file.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string_view>

#include "output/units.hpp"

namespace ccgrisk {

namespace {

using h5::Dims;
using h5::Group;

using units::kCount;
using units::kLabel;
using units::kProbability;
constexpr std::string_view kParamUnits = "units of the scenario key named by param";
constexpr std::string_view kSd = "standard deviations of the national factor";

h5::Dataset scalar(const Group& g, std::string_view name, double x, std::string_view units,
                   std::string_view description) {
  const double v[] = {x};
  return h5::write_dataset(g, name, v, Dims{}, units, description);
}

h5::Dataset scalar(const Group& g, std::string_view name, std::int64_t x, std::string_view units,
                   std::string_view description) {
  const std::int64_t v[] = {x};
  return h5::write_dataset(g, name, v, Dims{}, units, description);
}

void label(const Group& g, std::string_view name, const std::string& text,
           std::string_view description) {
  const std::string v[] = {text};
  h5::write_dataset(g, name, v, Dims{}, kLabel, description);
  h5::write_attribute(g, name, text);
}

void cost(const Group& g, int runs, double seconds) {
  h5::write_attribute(g, "runs", static_cast<std::int64_t>(runs));
  h5::write_attribute(g, "wall_seconds", seconds);
}

std::string basis(bool pooled) {
  return pooled ? "after risk sharing (pooled)" : "before risk sharing";
}

// ---- /sweep

void write_sweep_counts(const Group& g, const SweepResult& s) {
  const Dims steps{s.values.size()};
  h5::write_dataset(g, "expected_red", s.expected_red, steps, kCount,
                    "expected number of CCGs in the red at each value, before risk sharing");
  h5::write_dataset(g, "expected_red_pooled", s.expected_red_pooled, steps, kCount,
                    "expected number of CCGs in the red at each value, after risk sharing");
  h5::write_dataset(g, "expected_red_se", s.expected_red_se, steps, kCount,
                    "Monte Carlo standard error of expected_red");
  h5::write_dataset(g, "count_red_q05", s.count_red_q05, steps, kCount,
                    "5% quantile of the number of CCGs in the red, before risk sharing");
  h5::write_dataset(g, "count_red_q95", s.count_red_q95, steps, kCount,
                    "95% quantile of the number of CCGs in the red, before risk sharing");
  h5::write_dataset(g, "count_red_q05_pooled", s.count_red_q05_pooled, steps, kCount,
                    "5% quantile of the number of CCGs in the red, after risk sharing");
  h5::write_dataset(g, "count_red_q95_pooled", s.count_red_q95_pooled, steps, kCount,
                    "95% quantile of the number of CCGs in the red, after risk sharing");
}

void write_sweep_regions(const Group& g, const SweepResult& s) {
  const Dims dims{s.values.size(), s.region_name.size()};
  h5::write_dataset(g, "region_name", s.region_name, Dims{s.region_name.size()}, kLabel,
                    "region names, the columns of region_expected_red");
  h5::write_dataset(g, "region_expected_red", s.region_expected_red, dims, kCount,
                    "expected number of CCGs in the red per value (row) and region (column), "
                    "before risk sharing");
  h5::write_dataset(g, "region_expected_red_pooled", s.region_expected_red_pooled, dims, kCount,
                    "expected number of CCGs in the red per value (row) and region (column), "
                    "after risk sharing");
}

// ---- /breakeven

std::vector<std::int64_t> codes_of(const std::vector<Crossing>& status) {
  std::vector<std::int64_t> out;
  for (Crossing c : status)
    out.push_back(static_cast<std::int64_t>(c));
  return out;
}

constexpr std::string_view kStatusCodes =
    "0 crosses, 1 never (at or below the threshold over "
    "the whole range), 2 always (above it), 3 not monotone "
    "(both ends on one side, the grid crosses between)";

void write_breakeven_ccgs(const Group& g, const BreakevenResult& b) {
  const Dims n{b.ccg.value.size()};
  h5::write_dataset(g, "values", b.ccg.value, n, kParamUnits,
                    "per CCG, the parameter value at which P(red) crosses p: the end of the final "
                    "bracket where P(red) <= p; NaN unless status = 0");
  const auto status = codes_of(b.ccg.status);
  const h5::Dataset ds = h5::write_dataset(g, "status", status, n, kLabel,
                                           "per CCG, how P(red) relates to p over [from, to]");
  h5::write_attribute(ds, "codes", kStatusCodes);
  h5::write_dataset(g, "direction", b.ccg.direction, n, kLabel,
                    "per CCG, +1 if P(red) rises with the parameter, -1 if it falls, 0 if "
                    "it does not cross");
  h5::write_dataset(g, "p_red_at_from", b.p_red_at_from, n, kProbability,
                    "per CCG, P(red) at the start of the range (from)");
  h5::write_dataset(g, "p_red_at_to", b.p_red_at_to, n, kProbability,
                    "per CCG, P(red) at the end of the range (to)");
  h5::write_dataset(g, "p_red_at_value", b.p_red_at_value, n, kProbability,
                    "per CCG, P(red) at its breakeven value; NaN unless status = 0");
}

void write_breakeven_grid(const Group& g, const BreakevenResult& b) {
  const std::size_t points = b.grid_values.size();
  h5::write_dataset(g, "grid_values", b.grid_values, Dims{points}, kParamUnits,
                    "the coarse grid of parameter values run first");
  h5::write_dataset(g, "grid_p_red", b.grid_p_red, Dims{points, b.ccg.value.size()}, kProbability,
                    "P(red) per grid value (row) and CCG (column)");
  h5::write_dataset(g, "grid_expected_red", b.grid_expected_red, Dims{points}, kCount,
                    "expected number of CCGs in the red per grid value");
}

void write_breakeven_system(const Group& g, const BreakevenResult& b) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const bool asked = b.spec.max_red.has_value();
  scalar(g, "max_red", asked ? *b.spec.max_red : nan, kCount,
         "K: the expected number of CCGs in the red to stay at or below; NaN if not asked");
  scalar(g, "system_value", asked ? b.system.value[0] : nan, kParamUnits,
         "the least favourable parameter value keeping the expected number in the red <= K; "
         "NaN unless system_status = 0");
  const std::int64_t status = asked ? static_cast<std::int64_t>(b.system.status[0]) : -1;
  const h5::Dataset ds = scalar(g, "system_status", status, kLabel,
                                "how the expected number in the red relates to K over the "
                                "range; -1 if not asked");
  h5::write_attribute(ds, "codes", kStatusCodes);
  scalar(g, "expected_red_at_system", b.expected_red_at_system, kCount,
         "expected number of CCGs in the red at system_value");
}

// ---- /reverse_stress

// Row-major [directions, kNumDrivers] of a vector per direction.
template <class Get>
std::vector<double> per_driver(const ReverseStressResult& r, Get get) {
  std::vector<double> out;
  for (const StressDirection& d : r.directions) {
    const DriverVector x = get(d);
    out.insert(out.end(), x.data(), x.data() + kNumDrivers);
  }
  return out;
}

template <class Get>
std::vector<double> per_direction(const ReverseStressResult& r, Get get) {
  std::vector<double> out;
  for (const StressDirection& d : r.directions)
    out.push_back(get(d));
  return out;
}

void write_stress_directions(const Group& g, const ReverseStressResult& r) {
  const Dims d{r.directions.size()}, dk{r.directions.size(), std::size_t{kNumDrivers}};
  std::vector<std::string> names;
  std::vector<std::int64_t> status;
  for (const StressDirection& x : r.directions) {
    names.push_back(x.name);
    status.push_back(static_cast<std::int64_t>(x.status));
  }
  h5::write_dataset(g, "direction", names, d, kLabel,
                    "the directions searched: each driver's adverse direction, then combined");
  const h5::Dataset ds =
      h5::write_dataset(g, "status", status, d, kLabel, "per direction, whether K was reached");
  h5::write_attribute(ds, "codes", "0 reached, 1 not reached within smax, 2 reached at base");
  h5::write_dataset(g, "shock", per_direction(r, [](auto& x) { return x.shock; }), d, kSd,
                    "per direction, the smallest shock size s reaching K (NaN if not reached)");
  h5::write_dataset(g, "shock_mahalanobis", per_direction(r, [](auto& x) { return x.mahalanobis; }),
                    d, kSd, "per direction, the Mahalanobis length sqrt(x' C^-1 x) of that shock");
  h5::write_dataset(g, "shock_below", per_direction(r, [](auto& x) { return x.below; }), d, kSd,
                    "per direction, the largest shock size run that stays below K");
  h5::write_dataset(g, "unit", per_driver(r, [](auto& x) { return x.unit; }), dk, kLabel,
                    "per direction (row), the direction in national factor space (columns: "
                    "drivers)");
  h5::write_dataset(g, "shock_vector",
                    per_driver(r,
                               [](auto& x) -> DriverVector {
                                 return std::isnan(x.shock) ? DriverVector::Constant(x.shock)
                                                            : DriverVector(x.shock * x.unit);
                               }),
                    dk, kSd, "per direction (row), the shock added to each national factor");
  h5::write_dataset(g, "expected_red", per_direction(r, [](auto& x) { return x.expected_red; }), d,
                    kCount,
                    "per direction, expected number in the red at the shock (at smax "
                    "if not reached)");
  h5::write_dataset(g, "expected_red_below",
                    per_direction(r, [](auto& x) { return x.expected_red_below; }), d, kCount,
                    "per direction, expected number in the red at shock_below");
}

void write_stress_ccgs(const Group& g, const ReverseStressResult& r,
                       const std::vector<std::string>& codes) {
  const std::size_t dirs = r.directions.size(), n = r.base_p_red.size();
  const std::size_t tip = r.directions.empty() ? 0 : r.directions.front().tipping.size();
  std::vector<double> p_red, tip_base, tip_stress;
  std::vector<std::string> tip_code;
  std::vector<std::int64_t> tip_index;
  for (const StressDirection& x : r.directions) {
    p_red.insert(p_red.end(), x.p_red.begin(), x.p_red.end());
    for (int i : x.tipping) {
      tip_index.push_back(i);
      tip_code.push_back(codes[i]);
      tip_base.push_back(r.base_p_red[i]);
      tip_stress.push_back(x.p_red[i]);
    }
  }
  h5::write_dataset(g, "p_red", p_red, Dims{dirs, n}, kProbability,
                    "P(red) per direction (row) and CCG (column) at the shock");
  h5::write_dataset(g, "base_p_red", r.base_p_red, Dims{n}, kProbability,
                    "P(red) per CCG without the shock");
  const Dims t{dirs, tip};
  h5::write_dataset(g, "tipping_code", tip_code, t, kLabel,
                    "per direction, the ceil(K) CCGs with the highest P(red) at the shock");
  h5::write_dataset(g, "tipping_index", tip_index, t, kLabel,
                    "their rows in the CCG table (0-based)");
  h5::write_dataset(g, "tipping_p_red_base", tip_base, t, kProbability,
                    "their P(red) without the shock");
  h5::write_dataset(g, "tipping_p_red_stress", tip_stress, t, kProbability,
                    "their P(red) at the shock");
}

}  // namespace

void write_sweep_group(const h5::File& file, const SweepResult& s, int runs, double wall_seconds) {
  const Group g = file.group("sweep");
  label(g, "param", s.param, "the scenario key swept, by its TOML path");
  h5::write_dataset(g, "values", s.values, Dims{s.values.size()}, kParamUnits,
                    "the parameter values, one run each with the same seed and trials");
  const Dims dims{s.values.size(), static_cast<std::size_t>(s.n)};
  h5::write_dataset(g, "p_red", s.p_red, dims, kProbability,
                    "P(red) per value (row) and CCG (column, table order), before risk sharing");
  h5::write_dataset(g, "p_red_pooled", s.p_red_pooled, dims, kProbability,
                    "P(red) per value (row) and CCG (column, table order), after risk sharing");
  write_sweep_counts(g, s);
  write_sweep_regions(g, s);
  cost(g, runs, wall_seconds);
}

void write_breakeven_group(const h5::File& file, const BreakevenResult& b, int runs,
                           double wall_seconds) {
  const Group g = file.group("breakeven");
  label(g, "param", b.spec.param, "the scenario key searched, by its TOML path");
  h5::write_attribute(g, "basis", basis(b.spec.pooled));
  scalar(g, "p", b.spec.p, kProbability, "the P(red) whose crossing is sought");
  scalar(g, "from", b.spec.from, kParamUnits, "start of the range searched");
  scalar(g, "to", b.spec.to, kParamUnits, "end of the range searched");
  scalar(g, "tolerance", b.spec.tolerance, kParamUnits,
         "width of the final brackets: each value is within it of the crossing");
  write_breakeven_ccgs(g, b);
  write_breakeven_grid(g, b);
  write_breakeven_system(g, b);
  std::vector<std::int32_t> per_level(b.points_per_level.begin(), b.points_per_level.end());
  h5::write_attribute(g, "points_per_level", per_level);
  cost(g, runs, wall_seconds);
}

void write_reverse_stress_group(const h5::File& file, const ReverseStressResult& r,
                                const std::vector<std::string>& codes, int runs,
                                double wall_seconds) {
  const Group g = file.group("reverse_stress");
  h5::write_attribute(g, "basis", basis(r.spec.pooled));
  scalar(g, "red_k", r.spec.red, kCount, "K: the expected number of CCGs in the red to reach");
  scalar(g, "smax", r.spec.smax, kSd, "the largest shock size searched");
  scalar(g, "tolerance", r.spec.tolerance, kLabel,
         "relative width of the final bracket: shock_below >= (1 - tolerance) shock");
  scalar(g, "base_expected_red", r.base_expected_red, kCount,
         "expected number of CCGs in the red without the shock");
  std::vector<std::string> drivers(kDriverNames.begin(), kDriverNames.end());
  h5::write_dataset(g, "driver", drivers, Dims{drivers.size()}, kLabel,
                    "the national factors, the columns of unit and shock_vector");
  h5::write_dataset(g, "gradient", std::vector<double>(r.gradient.data(), r.gradient.data() + 5),
                    Dims{5}, "1 per standard deviation",
                    "g_k = sum_i (d pressure_i / d Z_ik) / A_i at the plan: the first-order "
                    "pressure per driver, as a share of allocation summed over CCGs");
  h5::write_dataset(g, "base_shock",
                    std::vector<double>(r.base_shock.data(), r.base_shock.data() + 5), Dims{5}, kSd,
                    "the scenario's own [stress] national_shock, which the shocks add to");
  write_stress_directions(g, r);
  write_stress_ccgs(g, r, codes);
  cost(g, runs, wall_seconds);
}

void write_uncertainty_group(const h5::File& file, const UncertaintyResult& u) {
  const Group g = file.group("uncertainty");
  const std::size_t samples = static_cast<std::size_t>(u.samples), k = u.keys.size(),
                    n = static_cast<std::size_t>(u.n);
  h5::write_attribute(g, "sampler", u.sampler);
  h5::write_attribute(g, "seed", static_cast<std::int64_t>(u.seed));
  h5::write_attribute(g, "samples", static_cast<std::int64_t>(u.samples));
  h5::write_dataset(g, "parameter", u.keys, Dims{k}, kLabel,
                    "the uncertain scenario keys, by their TOML paths");
  h5::write_dataset(g, "distribution", u.distributions, Dims{k}, kLabel,
                    "each key's distribution: normal, lognormal, uniform, triangular or beta");
  h5::write_dataset(g, "source", u.sources, Dims{k}, kLabel,
                    "why each key's distribution is what it is, as the scenario says");
  std::vector<std::int64_t> sample(samples);
  std::iota(sample.begin(), sample.end(), std::int64_t{0});
  h5::write_dataset(g, "sample", sample, Dims{samples}, "1",
                    "outer sample index: the rows of values, p_red, p_red_pooled, expected_red, "
                    "expected_red_pooled and count_red_variance");
  h5::write_dataset(g, "values", u.values, Dims{samples, k},
                    "each column in the units of its scenario key, named by parameter",
                    "the parameter values of each outer sample (row), one column per key");
  h5::write_dataset(g, "p_red", u.p_red, Dims{samples, n}, kProbability,
                    "P(red) per outer sample (row) and CCG (column), before risk sharing");
  h5::write_dataset(g, "p_red_pooled", u.p_red_pooled, Dims{samples, n}, kProbability,
                    "P(red) per outer sample (row) and CCG (column), after risk sharing");
  h5::write_dataset(g, "expected_red", u.expected_red, Dims{samples}, kCount,
                    "the expected number of CCGs in the red per outer sample, before risk sharing");
  h5::write_dataset(g, "expected_red_pooled", u.expected_red_pooled, Dims{samples}, kCount,
                    "the expected number of CCGs in the red per outer sample, after risk sharing");
  h5::write_dataset(g, "count_red_variance", u.count_red_variance, Dims{samples}, "count^2",
                    "Var(number of CCGs in the red | the sample's parameters), before sharing");
  const Dims ccgs{n};
  h5::write_dataset(g, "p_red_mean", u.p_red_mean, ccgs, kProbability,
                    "each CCG's P(red) averaged over the outer samples (before sharing)");
  h5::write_dataset(g, "p_red_q05", u.p_red_q05, ccgs, kProbability,
                    "5% quantile over the outer samples of each CCG's P(red) (before sharing)");
  h5::write_dataset(g, "p_red_q50", u.p_red_q50, ccgs, kProbability,
                    "median over the outer samples of each CCG's P(red) (before sharing)");
  h5::write_dataset(g, "p_red_q95", u.p_red_q95, ccgs, kProbability,
                    "95% quantile over the outer samples of each CCG's P(red) (before sharing)");
  h5::write_dataset(g, "p_red_pooled_q05", u.p_red_pooled_q05, ccgs, kProbability,
                    "5% quantile over the outer samples of each CCG's P(red) after sharing");
  h5::write_dataset(g, "p_red_pooled_q95", u.p_red_pooled_q95, ccgs, kProbability,
                    "95% quantile over the outer samples of each CCG's P(red) after sharing");
  const std::vector<double> national = {u.expected_red_mean, u.expected_red_q05, u.expected_red_q50,
                                        u.expected_red_q95};
  h5::write_dataset(g, "expected_red_summary", national, Dims{4}, kCount,
                    "the expected number in the red over the outer samples: mean, 5%, 50%, 95%");
  h5::write_dataset(g, "statistic", std::vector<std::string>{"mean", "5%", "50%", "95%"}, Dims{4},
                    kLabel, "what each entry of expected_red_summary is");
  scalar(g, "epistemic_share", u.epistemic_share, kLabel,
         "share of the variance of the number of CCGs in the red that comes from parameter "
         "uncertainty: Var(E[count | parameters]) over Var(count)");
  h5::write_dataset(g, "rank_correlation", u.rank_correlation, Dims{k}, kLabel,
                    "Spearman correlation of each key with the expected number in the red");
  h5::write_dataset(g, "first_order", u.first_order, Dims{k}, kLabel,
                    "first-order sensitivity index of each key for the expected number in the "
                    "red, Var(E[count | key]) / Var(E[count | parameters]), by binning");
  cost(g, u.runs, u.seconds);
}

}  // namespace ccgrisk
