#include "input/uncertainty.hpp"

#include "input/scenario.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>

namespace ccgrisk {

namespace {

// 64 random or quasi-random bits -> u in (0, 1): the top 53 bits, centred
// in their interval, so that no quantile is asked for at 0 or 1.
double unit(std::uint64_t bits) {
  return (static_cast<double>(bits >> 11) + 0.5) * 0x1p-53;
}

// Each sample's stratum of each key, [samples][keys].
using Strata = std::vector<std::vector<std::size_t>>;

// Iman and Conover's restricted pairing (Commun. Statist. B 11(3), 1982):
// each key keeps its strata, re-paired between the keys so that their rank
// correlations are near 0 rather than whatever the shuffles gave (0.10 on
// average for 64 samples, which an index of a key without effect would
// take on from a key with one; 0.03 after). Van der Waerden scores of the
// strata, M; their correlation E = L L^T (Cholesky); the strata of each
// key re-ordered as the column of M L^-T. Needs more samples than keys;
// otherwise, or if E is singular, the strata stay as shuffled.
void decorrelate(Strata& strata) {
  const std::size_t n = strata.size(), k = strata.empty() ? 0 : strata.front().size();
  if (k < 2 || n <= k + 1) return;
  std::vector<double> score(n);
  for (std::size_t r = 0; r < n; ++r)
    score[r] = boost::math::quantile(boost::math::normal(),
                                     static_cast<double>(r + 1) / static_cast<double>(n + 1));
  Eigen::MatrixXd m(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  for (std::size_t s = 0; s < n; ++s)
    for (std::size_t j = 0; j < k; ++j)
      m(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(j)) = score[strata[s][j]];
  // Every column is a permutation of the scores (mean 0): E = M^T M / |score|^2.
  double norm = 0.0;
  for (double a : score)
    norm += a * a;
  const Eigen::MatrixXd e = (m.transpose() * m) / norm;
  const Eigen::LLT<Eigen::MatrixXd> llt(e);
  if (llt.info() != Eigen::Success) return;
  const Eigen::MatrixXd t = llt.matrixL().solve(m.transpose()).transpose();
  std::vector<std::size_t> order(n);
  for (std::size_t j = 0; j < k; ++j) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::ranges::stable_sort(order, [&](std::size_t a, std::size_t b) {
      return t(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(j)) <
             t(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(j));
    });
    for (std::size_t r = 0; r < n; ++r)
      strata[order[r]][j] = r;
  }
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
      const double nu = beta_concentration(m, s);
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
  } else if (spec.sampler == OuterSampler::kLatinHypercube) {
    boost::random::mt19937_64 random(spec.seed);
    const std::size_t n = out.size();
    Strata strata(n, std::vector<std::size_t>(k));
    std::vector<std::size_t> column(n);
    std::vector<std::vector<double>> inside(k, std::vector<double>(n));  // [key][stratum]
    for (std::size_t j = 0; j < k; ++j) {
      std::iota(column.begin(), column.end(), std::size_t{0});
      for (std::size_t i = n - 1; i > 0; --i)
        std::swap(column[i],
                  column[boost::random::uniform_int_distribution<std::size_t>(0, i)(random)]);
      for (std::size_t s = 0; s < n; ++s) {
        strata[s][j] = column[s];
        inside[j][column[s]] = unit(random());
      }
    }
    decorrelate(strata);
    for (std::size_t s = 0; s < n; ++s)
      for (std::size_t j = 0; j < k; ++j) {
        const std::size_t r = strata[s][j];
        const double u_s = (static_cast<double>(r) + inside[j][r]) / static_cast<double>(n);
        out[s][j] = parameter_quantile(spec.parameters[j], u_s);
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
