#include "input/uncertainty.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <cmath>

namespace ccgrisk {

namespace {

// 64 random or quasi-random bits -> u in (0, 1): the top 53 bits, centred
// in their interval, so that no quantile is asked for at 0 or 1.
double unit(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1p-53;
}

}  // namespace

double parameter_quantile(const UncertainParameter& p, double u) {
  switch (p.distribution) {
    case Distribution::kNormal:
      return p.mean + p.sd * boost::math::quantile(boost::math::normal(), u);
    case Distribution::kLognormal:
      return p.median * std::exp(p.sigma * boost::math::quantile(boost::math::normal(), u));
    case Distribution::kUniform:
      return p.min + (p.max - p.min) * u;
    case Distribution::kTriangular:
      return boost::math::quantile(boost::math::triangular_distribution<>(p.min, p.mode, p.max), u);
    case Distribution::kBeta: {
      // The beta on [min, max] with this mean and sd: on [0, 1], mean m and sd s.
      const double width = p.max - p.min;
      const double m = (p.mean - p.min) / width, s = p.sd / width;
      const double nu = m * (1.0 - m) / (s * s) - 1.0;
      const boost::math::beta_distribution<> beta(m * nu, (1.0 - m) * nu);
      return p.min + width * boost::math::quantile(beta, u);
    }
  }
  return p.mean;
}

std::vector<std::vector<double>> outer_samples(const UncertaintySpec& spec) {
  const std::size_t k = spec.parameters.size();
  std::vector<std::vector<double>> out(static_cast<std::size_t>(spec.samples),
                                       std::vector<double>(k));
  if (k == 0) return out;
  std::vector<double> u(k);
  if (spec.sampler == OuterSampler::kSobol) {
    boost::random::sobol sobol(static_cast<unsigned>(k));
    for (auto& sample : out) {
      for (std::size_t j = 0; j < k; ++j)
        u[j] = unit(sobol());
      for (std::size_t j = 0; j < k; ++j)
        sample[j] = parameter_quantile(spec.parameters[j], u[j]);
    }
  } else {
    boost::random::mt19937_64 random(spec.seed);
    for (auto& sample : out) {
      for (std::size_t j = 0; j < k; ++j)
        u[j] = unit(random());
      for (std::size_t j = 0; j < k; ++j)
        sample[j] = parameter_quantile(spec.parameters[j], u[j]);
    }
  }
  return out;
}

}  // namespace ccgrisk
