// Parameter uncertainty ([uncertainty] in a scenario): distributions for
// scenario keys, and the outer samples drawn from them (random or Sobol).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ccgrisk {

enum class Distribution { kNormal, kLognormal, kUniform, kTriangular, kBeta };
inline constexpr const char* kDistributionNames[] = {"normal", "lognormal", "uniform", "triangular",
                                                     "beta"};

// One uncertain scenario key and its distribution:
//   normal      mean, sd
//   lognormal   median, sigma (of the log: the key is median x exp(sigma N))
//   uniform     min, max
//   triangular  min, mode, max
//   beta        mean, sd on [min, max] (default [0, 1])
struct UncertainParameter {
  std::string key;  // a --set path, e.g. drivers.specialist_growth.mean
  Distribution distribution = Distribution::kNormal;
  double mean = 0.0, sd = 0.0;              // normal, beta
  double median = 0.0, sigma = 0.0;         // lognormal
  double min = 0.0, mode = 0.0, max = 1.0;  // uniform, triangular, beta's support
  std::string source;                       // why this distribution (carried into the results)
};

// How the outer samples are drawn. kLatinHypercube (the default): each
// coordinate in S equal strata, one sample in each, the strata paired
// between coordinates at random, then re-paired so the coordinates' rank
// correlations are smaller; first-order indices are estimated from it, as
// from kRandom. kSobol: better-spread points for the intervals, but in
// small samples some pairs of its coordinates move together (with 64
// points, the 3rd and 9th: each eighth of the 9th holds the 3rd from one
// half only), so the first-order index of a key would take on another's
// effect; it is not estimated from Sobol points.
enum class OuterSampler { kSobol, kRandom, kLatinHypercube };
inline constexpr const char* kSamplerNames[] = {"sobol", "random", "lhs"};

struct UncertaintySpec {
  int samples = 0;  // outer samples; 0: no [uncertainty]
  OuterSampler sampler = OuterSampler::kLatinHypercube;
  std::uint64_t seed = 1;  // the random and Latin hypercube samplers' seed (Sobol points need none)
  std::vector<UncertainParameter> parameters;
  bool active() const { return samples > 0; }
};

// The parameter's quantile at u in (0, 1).
double parameter_quantile(const UncertainParameter& p, double u);

// The outer samples' parameter values, [samples][parameters]: the quantiles
// of points in the unit cube: Sobol's sequence (Boost.Random, skipping its
// first point, the cube's corner), uniform draws from a seeded Mersenne
// Twister, or a Latin hypercube from the same generator (coordinate by
// coordinate: a Fisher-Yates shuffle of the strata 0..S-1 by Boost's
// uniform_int_distribution, then a uniform draw inside each stratum; then,
// with more samples than keys, the strata re-paired between coordinates so
// that their rank correlations are smaller: Iman and Conover's restricted
// pairing). Depends only on the spec.
std::vector<std::vector<double>> outer_samples(const UncertaintySpec& spec);

}  // namespace ccgrisk
