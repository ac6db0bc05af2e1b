#include "model/trial.hpp"

#include <algorithm>
#include <boost/random/chi_squared_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "model/pooling.hpp"
#include "model/random.hpp"

namespace ccgrisk {

namespace {

// Standard normal draws, negated for the second trial of an antithetic pair.
class Normal {
 public:
  explicit Normal(double sign) : sign_(sign) {}
  double operator()(TrialStream& rng) { return sign_ * draw_(rng); }

 private:
  boost::random::normal_distribution<double> draw_;
  double sign_;
};

// The stream index and sign of a trial (pairs share a stream when antithetic).
std::int64_t stream_of(const Model& m, std::int64_t trial) {
  return m.antithetic ? trial / 2 : trial;
}
double sign_of(const Model& m, std::int64_t trial) {
  return m.antithetic && (trial & 1) ? -1.0 : 1.0;
}

std::size_t largest_pool(const Model& m) {
  std::size_t size = 0;
  for (const PoolModel& p : m.pools)
    size = std::max(size, p.members.size());
  return size;
}

// Step 1, shared parts: national, regional and area-team factors.
void draw_common_factors(const Model& m, TrialStream& rng, Normal& normal, TrialState& s) {
  Eigen::Matrix<double, kNumDrivers, 1> xi;
  for (int k = 0; k < kNumDrivers; ++k)
    xi[k] = normal(rng);
  const Eigen::Matrix<double, kNumDrivers, 1> national =
      m.national_cholesky * xi + m.national_shock;
  for (int k = 0; k < kNumDrivers; ++k)
    s.national[k] = national[k];
  for (double& y : s.region_factor)
    y = m.load_region * normal(rng);
  const std::size_t areas = m.area_teams.size();
  for (std::size_t a = 0; a < areas; ++a) {
    const double* region = &s.region_factor[m.region_of_area[a] * kNumDrivers];
    for (int k = 0; k < kNumDrivers; ++k) {
      s.area_common[a * kNumDrivers + k] =
          m.load_national * national[k] + region[k] + m.load_area * normal(rng);
    }
  }
}

// The Student-t copula's common scale sqrt(dof / V), V ~ chi-squared(dof).
double copula_scale(const Model& m, std::uint64_t seed, std::int64_t trial) {
  if (m.copula != Copula::kStudentT) return 1.0;
  TrialStream rng(seed, stream_of(m, trial), StreamPurpose::kChiSquared);
  boost::random::chi_squared_distribution<double> chi2(m.dof);
  return std::sqrt(m.dof / chi2(rng));
}

// Steps 2-3: pressure (overspend against plan) of CCG i given its latent z,
// GBP thousands; its parts, settled in pounds, go to `parts` for attribution.
double pressure_k(const Model& m, int i, const double (&z)[kNumDrivers], std::int64_t* parts) {
  double part[kNumComponents];
  for (int c = 0; c < kNumCategories; ++c) {
    const GrowthDriver& g = m.growth[c];
    part[c] = m.category_base_k[c][i] * (g.mean + g.sd * z[c] - g.funded);
  }
  part[kCipShortfall] = m.cip_k[i] * (1.0 - m.cip_transform(z[kCipDelivery]));
  const NormalDriver& mis = m.transfer_mismatch;
  part[kTransferPressure] = m.transfer_k[i] * (mis.mean + mis.sd * z[kTransferMismatch]);
  part[kLocalPressure] = m.underfunding_k[i] + m.shift_k[i];
  double p = 0.0;
  for (int c = 0; c < kNumComponents; ++c) {
    p += part[c];
    parts[c] = to_pounds(part[c]);
  }
  return p;
}

// Steps 4-5 for CCG i: mitigation from reserves, outturn, underlying outturn.
void settle(const Model& m, int i, double pressure, TrialState& s) {
  const double mitigation = std::min(std::max(pressure, 0.0), m.reserves_k[i]);
  const double surplus = m.planned_surplus_k[i] - pressure + mitigation;
  const double nonrecurrent_used = std::max(0.0, mitigation - m.contingency_k[i]);
  s.surplus[i] = to_pounds(surplus);
  s.underlying[i] = s.surplus[i] - to_pounds(nonrecurrent_used);
}

// Step 7: each hub's overspend = budget (g - funded) + P (1 - d) + shift,
// with g and d driven by the national factors and the hub's own shocks.
void simulate_hubs(const Model& m, std::uint64_t seed, std::int64_t trial, double scale,
                   TrialState& s) {
  if (m.hubs.empty()) return;
  TrialStream rng(seed, stream_of(m, trial), StreamPurpose::kHubNormals);
  Normal normal(sign_of(m, trial));
  const GrowthDriver& g = m.growth[kSpecialistGrowth];
  for (std::size_t h = 0; h < m.hubs.size(); ++h) {
    const HubSpec& hub = m.hubs[h];
    const double z_growth =
        (m.load_national * s.national[kSpecialistGrowth] + m.hub_own_load * normal(rng)) * scale;
    const double z_cip =
        (m.load_national * s.national[kCipDelivery] + m.hub_own_load * normal(rng)) * scale;
    const double overspend = hub.budget_k * (g.mean + g.sd * z_growth - g.funded) +
                             hub.cip_pct / 100.0 * hub.budget_k * (1.0 - m.cip_transform(z_cip)) +
                             hub.shift_pct / 100.0 * hub.budget_k;
    s.hub_overspend[h] = to_pounds(overspend);
  }
}

// Step 6: risk sharing, pool by pool.
void share_risk(const Model& m, TrialState& s) {
  std::copy(s.surplus.begin(), s.surplus.end(), s.pooled.begin());
  for (const PoolModel& pool : m.pools) {
    const std::size_t size = pool.members.size();
    std::span<std::int64_t> in(s.pool_in.data(), size), out(s.pool_out.data(), size);
    for (std::size_t j = 0; j < size; ++j)
      in[j] = s.surplus[pool.members[j]];
    if (pool.rule == PoolRule::kFull) {
      pool_full(in, pool.allocation_gbp, out);
    } else {
      pool_cover(in, pool.cap_gbp, out, s.pool_scratch);
    }
    for (std::size_t j = 0; j < size; ++j)
      s.pooled[pool.members[j]] = out[j];
  }
  for (std::size_t i = 0; i < s.pooled.size(); ++i)
    s.pooled_underlying[i] = s.underlying[i] + (s.pooled[i] - s.surplus[i]);
}

}  // namespace

TrialState::TrialState(const Model& m)
    : region_factor(m.regions.size() * kNumDrivers),
      area_common(m.area_teams.size() * kNumDrivers),
      components(static_cast<std::size_t>(m.n) * kNumComponents),
      surplus(m.n),
      underlying(m.n),
      pooled(m.n),
      pooled_underlying(m.n),
      pool_in(largest_pool(m)),
      pool_out(largest_pool(m)),
      pool_scratch(3 * largest_pool(m)),
      hub_overspend(m.hubs.size()) {}

void simulate_trial(const Model& m, std::uint64_t seed, std::int64_t trial, TrialState& s) {
  TrialStream rng(seed, stream_of(m, trial), StreamPurpose::kLatentNormals);
  Normal normal(sign_of(m, trial));
  draw_common_factors(m, rng, normal, s);
  const double scale = copula_scale(m, seed, trial);
  for (int i = 0; i < m.n; ++i) {
    const double* common = &s.area_common[m.area_team_of[i] * kNumDrivers];
    double z[kNumDrivers];
    for (int k = 0; k < kNumDrivers; ++k)
      z[k] = (common[k] + m.own_load[i] * normal(rng)) * scale;
    settle(m, i, pressure_k(m, i, z, &s.components[i * kNumComponents]), s);
  }
  share_risk(m, s);
  simulate_hubs(m, seed, trial, scale, s);
}

}  // namespace ccgrisk
