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

enum class OuterSampler { kSobol, kRandom };

struct UncertaintySpec {
  int samples = 0;  // outer samples; 0: no [uncertainty]
  OuterSampler sampler = OuterSampler::kSobol;
  std::uint64_t seed = 1;  // the random sampler's seed (Sobol points need none)
  std::vector<UncertainParameter> parameters;
  bool active() const { return samples > 0; }
};

// The parameter's quantile at u in (0, 1).
double parameter_quantile(const UncertainParameter& p, double u);

// The outer samples' parameter values, [samples][parameters]: the quantiles
// of points in the unit cube, Sobol's sequence (Boost.Random, skipping its
// first point, the cube's corner) or uniform draws from a seeded
// Mersenne Twister. Depends only on the spec.
std::vector<std::vector<double>> outer_samples(const UncertaintySpec& spec);

}  // namespace ccgrisk
