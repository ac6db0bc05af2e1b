#include "model/trial.hpp"

#include <algorithm>
#include <boost/random/chi_squared_distribution.hpp>
#include <cmath>

#if defined(CCGRISK_HAVE_X86_64_V4)
#include <immintrin.h>
#endif

#include "model/pooling.hpp"
#include "model/random.hpp"
#include "model/simd.hpp"

namespace ccgrisk {

namespace {

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

// Step 1, shared parts: national, regional and area-team factors from the
// first normals of the trial; returns the first normal not used.
const double* common_factors(const Model& m, const double* normal, TrialState& s) {
  Eigen::Matrix<double, kNumDrivers, 1> xi;
  for (int k = 0; k < kNumDrivers; ++k)
    xi[k] = *normal++;
  const Eigen::Matrix<double, kNumDrivers, 1> national =
      m.national_cholesky * xi + m.national_shock;
  for (int k = 0; k < kNumDrivers; ++k)
    s.national[k] = national[k];
  for (double& y : s.region_factor)
    y = m.load_region * *normal++;
  const std::size_t areas = m.area_teams.size();
  for (std::size_t a = 0; a < areas; ++a) {
    const double* region = &s.region_factor[m.region_of_area[a] * kNumDrivers];
    for (int k = 0; k < kNumDrivers; ++k) {
      s.area_common[a * kNumDrivers + k] =
          m.load_national * national[k] + region[k] + m.load_area * *normal++;
    }
  }
  return normal;
}

// Normals a trial draws from its latent stream (see simulate_trial).
std::size_t latent_normals(const Model& m) {
  return kNumDrivers * (1 + m.regions.size() + m.area_teams.size() + static_cast<std::size_t>(m.n));
}

// The Student-t copula's common scale sqrt(dof / V), V ~ chi-squared(dof).
double copula_scale(const Model& m, std::uint64_t seed, std::int64_t trial) {
  if (m.copula != Copula::kStudentT) return 1.0;
  TrialStream rng(seed, stream_of(m, trial), StreamPurpose::kChiSquared, m.rng);
  boost::random::chi_squared_distribution<double> chi2(m.dof);
  // V is kept above dof / kMaxCopulaScale^2 (limits.hpp), so the scale stays finite.
  constexpr double kMinRatio = 1.0 / (limits::kMaxCopulaScale * limits::kMaxCopulaScale);
  return std::sqrt(m.dof / std::max(chi2(rng), m.dof * kMinRatio));
}

// The CCG steps run as loops over all CCGs on flat arrays, so the compiler
// vectorises them; each is built for the baseline and for x86-64-v4, and
// model/simd.hpp chooses (the results are the same bit for bit).
// Step 2 for every CCG: z_ik = (shared part of its area team + own load x
// own normal) x copula scale, stored driver by driver ([drivers x n]).
[[gnu::always_inline]] inline void latent_z_loop(const Model& m, const double* normal, double scale,
                                                 TrialState& s) {
  const std::size_t n = static_cast<std::size_t>(m.n);
  const int* area = m.area_team_of.data();
  const double* own = m.own_load.data();
  const double* common = s.area_common.data();
  // CCG by CCG, its drivers in turn: the reads are contiguous (the normals
  // come 5 per CCG), where a loop over CCGs per driver gathers them.
  for (std::size_t i = 0; i < n; ++i) {
    const double* c = common + area[i] * kNumDrivers;
    const double* e = normal + i * kNumDrivers;
    for (int k = 0; k < kNumDrivers; ++k)
      s.z[k * n + i] = (c[k] + own[i] * e[k]) * scale;
  }
}

// Steps 3-5 for every CCG: pressure (overspend against plan) and its parts,
// each settled in pounds for attribution; mitigation from reserves; outturn
// and underlying outturn in pounds. GBP thousands until settled.
// Without `kParts` only the outturn (same pounds, same cap count): the
// parts and the underlying outturn, which only attribution and the full
// tallies read, are not stored.
// With `kCarry` (a year of a run of several), the year's carried gap C, less
// the part of it the plan covers with savings, C (1 - theta d), and the
// shortfall of its planned repayment, repay (1 - d), join the local part;
// the repayment raises the planned surplus; and the underlying outturn also
// leaves out the one-off savings: the repayment delivered, repay d, and the
// non-recurrent share of the savings delivered on the CIP and on the gap.
//
// kShare: kKeep also stores the parts the CIP delivery does not move (the
// growth parts' sum, the mismatch, the local part) in `s`; kReuse reads
// them from `kept` instead of computing them (outturns only, one year).
template <bool kParts, bool kCarry, Settlement kShare>
[[gnu::always_inline]] inline void settle_loop(const Model& m, const double* __restrict z,
                                               const TrialState& kept, TrialState& s) {
  static_assert(kShare != Settlement::kReuse || (!kParts && !kCarry));
  const std::size_t n = static_cast<std::size_t>(m.n);
  const double* __restrict delivery = s.delivery.data();
  const double* __restrict base0 = m.category_base_k[0].data();
  const double* __restrict base1 = m.category_base_k[1].data();
  const double* __restrict base2 = m.category_base_k[2].data();
  const double* __restrict cip = m.cip_k.data();
  const double* __restrict transfer = m.transfer_k.data();
  const double* __restrict known_mismatch = m.transfer_mismatch_k.data();
  const double* __restrict underfunding = m.underfunding_k.data();
  const double* __restrict shift = m.shift_k.data();
  const double* __restrict reserves = m.reserves_k.data();
  const double* __restrict planned = m.planned_surplus_k.data();
  const double* __restrict contingency = m.contingency_k.data();
  const double* __restrict carried = s.carried.data();
  const double* __restrict repay = s.repay.data();
  const double* __restrict cip_nonrecurrent = m.cip_nonrecurrent_k.data();
  const double* __restrict reused_growth = kept.kept_growth.data();
  const double* __restrict reused_mismatch = kept.kept_mismatch.data();
  const double* __restrict reused_local = kept.kept_local.data();
  double* __restrict keep_growth = s.kept_growth.data();
  double* __restrict keep_mismatch = s.kept_mismatch.data();
  double* __restrict keep_local = s.kept_local.data();
  std::int64_t* __restrict acute = s.components.data();
  std::int64_t* __restrict specialist = acute + n;
  std::int64_t* __restrict other = specialist + n;
  std::int64_t* __restrict shortfall = other + n;
  std::int64_t* __restrict mismatch = shortfall + n;
  std::int64_t* __restrict local = mismatch + n;
  std::int64_t* __restrict surplus_gbp = s.surplus.data();
  std::int64_t* __restrict underlying_gbp = s.underlying.data();
  const GrowthDriver g0 = m.growth[0], g1 = m.growth[1], g2 = m.growth[2];
  const NormalDriver mis = m.transfer_mismatch;
  const double gap_share = m.gap_plan_share, gap_nonrecurrent = m.gap_nonrecurrent;
  // `capped`: any part or pressure held at the bound; `shared`: the parts
  // the CIP delivery does not move (kept with them).
  std::int64_t capped = 0, shared = kShare == Settlement::kReuse ? kept.kept_capped : 0;
  // No iteration reads what another writes (GCC cannot see that the rows of
  // `components` do not overlap).
#pragma GCC ivdep
  for (std::size_t i = 0; i < n; ++i) {
    // Each part, and the pressure, held within the settlement bound (never
    // reached with real figures; see limits.hpp).
    double part_acute = 0, part_specialist = 0, part_other = 0, growth, part_mismatch, part_local;
    if constexpr (kShare == Settlement::kReuse) {
      growth = reused_growth[i];
      part_mismatch = reused_mismatch[i];
      part_local = reused_local[i];
    } else {
      part_acute = capped_thousands(base0[i] * (g0.mean + g0.sd * z[i] - g0.funded), shared);
      part_specialist =
          capped_thousands(base1[i] * (g1.mean + g1.sd * z[n + i] - g1.funded), shared);
      part_other =
          capped_thousands(base2[i] * (g2.mean + g2.sd * z[2 * n + i] - g2.funded), shared);
      // Summed in component order, starting from 0.0 (as the parts are listed).
      growth = 0.0 + part_acute + part_specialist + part_other;
      // A zero known mismatch leaves the part unchanged bit for bit (x + 0.0
      // is x, except that -0.0 becomes +0.0, which settles to the same pounds
      // and adds the same to the pressure below, a sum started at +0.0).
      part_mismatch = capped_thousands(
          transfer[i] * (mis.mean + mis.sd * z[kTransferMismatch * n + i]) + known_mismatch[i],
          shared);
      part_local = underfunding[i] + shift[i];
      if constexpr (kShare == Settlement::kKeep) {
        keep_growth[i] = growth;
        keep_mismatch[i] = part_mismatch;
        keep_local[i] = part_local;
      }
    }
    const double part_shortfall = capped_thousands(cip[i] * (1.0 - delivery[i]), capped);
    double plan = planned[i];
    if constexpr (kCarry) {
      part_local = capped_thousands(part_local + carried[i] * (1.0 - gap_share * delivery[i]) +
                                        repay[i] * (1.0 - delivery[i]),
                                    capped);
      plan += repay[i];
    }
    if constexpr (kParts) {
      acute[i] = to_pounds(part_acute);
      specialist[i] = to_pounds(part_specialist);
      other[i] = to_pounds(part_other);
      shortfall[i] = to_pounds(part_shortfall);
      mismatch[i] = to_pounds(part_mismatch);
      local[i] = to_pounds(part_local);
    }
    // The rest of the sum in component order.
    const double pressure =
        capped_thousands(growth + part_shortfall + part_mismatch + part_local, capped);
    // std::min and std::max spelt out as selects, which GCC vectorises.
    const double positive = pressure < 0.0 ? 0.0 : pressure;
    const double mitigation = reserves[i] < positive ? reserves[i] : positive;
    const double surplus = plan - pressure + mitigation;
    const std::int64_t whole = to_pounds(surplus);
    surplus_gbp[i] = whole;
    if constexpr (kParts) {
      // Non-recurrent reserves used, max(0, mitigation - c_i), in pounds: as
      // to_pounds is monotone with to_pounds(0) = 0, the max can be taken
      // after rounding (a select on integers, which keeps the loop vectorised).
      const std::int64_t beyond_contingency = to_pounds(mitigation - contingency[i]);
      const std::int64_t nonrecurrent_used = beyond_contingency > 0 ? beyond_contingency : 0;
      underlying_gbp[i] = whole - nonrecurrent_used;
      if constexpr (kCarry)
        underlying_gbp[i] -= to_pounds(
            (repay[i] + cip_nonrecurrent[i] + gap_nonrecurrent * carried[i]) * delivery[i]);
    }
  }
  if constexpr (kShare == Settlement::kKeep) s.kept_capped = shared;
  s.capped |= capped | shared;
}

void latent_z_baseline(const Model& m, const double* normal, double scale, TrialState& s) {
  latent_z_loop(m, normal, scale, s);
}
// Eight CCGs at a time, driver by driver: the area teams' shared parts and
// the CCGs' own normals gathered, the same operations in the same order as
// latent_z_loop (so the same bits), the rows of z stored eight at a time
// (the last group masked). GCC leaves latent_z_loop scalar, with five
// scattered stores a CCG.
CCGRISK_TARGET_X86_64_V4
void latent_z_v4(const Model& m, const double* normal, double scale, TrialState& s) {
#if defined(CCGRISK_HAVE_X86_64_V4)
  const std::size_t n = static_cast<std::size_t>(m.n);
  const int* area = m.area_team_of.data();
  const double* own = m.own_load.data();
  const double* common = s.area_common.data();
  double* z = s.z.data();
  const __m512d zero = _mm512_setzero_pd();
  const __m512d scaled = _mm512_set1_pd(scale);
  const __m256i drivers = _mm256_set1_epi32(kNumDrivers);
  // Offsets of eight consecutive CCGs' normals of one driver.
  const __m256i ccg_offsets =
      _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), drivers);
  for (std::size_t i = 0; i < n; i += 8) {
    const __mmask8 lanes = n - i >= 8 ? 0xFF : static_cast<__mmask8>((1u << (n - i)) - 1);
    const __m256i area_offsets =
        _mm256_mullo_epi32(_mm256_maskz_loadu_epi32(lanes, area + i), drivers);
    const __m512d own_load = _mm512_maskz_loadu_pd(lanes, own + i);
    const double* e = normal + i * kNumDrivers;
    for (int k = 0; k < kNumDrivers; ++k) {
      const __m512d shared = _mm512_mask_i32gather_pd(zero, lanes, area_offsets, common + k, 8);
      const __m512d own_normal = _mm512_mask_i32gather_pd(zero, lanes, ccg_offsets, e + k, 8);
      const __m512d sum = _mm512_add_pd(shared, _mm512_mul_pd(own_load, own_normal));
      _mm512_mask_storeu_pd(z + static_cast<std::size_t>(k) * n + i, lanes,
                            _mm512_mul_pd(sum, scaled));
    }
  }
#else
  latent_z_loop(m, normal, scale, s);
#endif
}
template <bool kParts, bool kCarry, Settlement kShare>
void settle_baseline(const Model& m, const double* z, const TrialState& kept, TrialState& s) {
  settle_loop<kParts, kCarry, kShare>(m, z, kept, s);
}
template <bool kParts, bool kCarry, Settlement kShare>
CCGRISK_TARGET_X86_64_V4 void settle_v4(const Model& m, const double* z, const TrialState& kept,
                                        TrialState& s) {
  settle_loop<kParts, kCarry, kShare>(m, z, kept, s);
}
template <bool kParts, bool kCarry, Settlement kShare>
void settle(const Model& m, const double* z, const TrialState& kept, TrialState& s) {
  simd_path() == SimdPath::kX86_64_V4 ? settle_v4<kParts, kCarry, kShare>(m, z, kept, s)
                                      : settle_baseline<kParts, kCarry, kShare>(m, z, kept, s);
}

// Step 7: each hub's overspend = budget (g - funded) + P (1 - d) + shift,
// with g and d driven by the national factors and the hub's own shocks.
void simulate_hubs(const Model& m, const TrialState& drawn, TrialState& s) {
  const double scale = drawn.scale;
  const double* national = drawn.national;
  const double* hub_normal = drawn.hub_normals.data();
  const GrowthDriver& g = m.growth[kSpecialistGrowth];
  for (std::size_t h = 0; h < m.hubs.size(); ++h) {
    const HubSpec& hub = m.hubs[h];
    const double z_growth =
        (m.load_national * national[kSpecialistGrowth] + m.hub_own_load * hub_normal[2 * h]) *
        scale;
    const double z_cip =
        (m.load_national * national[kCipDelivery] + m.hub_own_load * hub_normal[2 * h + 1]) * scale;
    const double recurrent = hub.budget_k * (g.mean + g.sd * z_growth - g.funded) +
                             hub.cip_pct / 100.0 * hub.budget_k * (1.0 - m.cip_transform(z_cip));
    double overspend = recurrent + hub.shift_pct / 100.0 * hub.budget_k;
    if (m.carries) {
      overspend += s.hub_carried[h];
      s.hub_recurrent[h] = recurrent;
    }
    s.hub_overspend[h] = to_pounds(capped_thousands(overspend, s.capped));
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
    : normals(latent_normals(m)),
      hub_normals(2 * m.hubs.size()),
      region_factor(m.regions.size() * kNumDrivers),
      area_common(m.area_teams.size() * kNumDrivers),
      z(static_cast<std::size_t>(m.n) * kNumDrivers),
      delivery(m.n),
      components(static_cast<std::size_t>(m.n) * kNumComponents),
      surplus(m.n),
      underlying(m.n),
      pooled(m.n),
      pooled_underlying(m.n),
      pool_in(largest_pool(m)),
      pool_out(largest_pool(m)),
      pool_scratch(3 * largest_pool(m)),
      hub_overspend(m.hubs.size()),
      carried(m.carries ? m.n : 0),
      repay(m.carries ? m.n : 0),
      hub_carried(m.carries ? m.hubs.size() : 0),
      hub_recurrent(m.carries ? m.hubs.size() : 0),
      kept_growth(m.n),
      kept_mismatch(m.n),
      kept_local(m.n) {}

namespace {

// Steps 1-2 from the trial's normals (in s.normals) and copula scale.
void latent_from_normals(const Model& m, TrialState& s) {
  const double* normal = common_factors(m, s.normals.data(), s);
  simd_path() == SimdPath::kX86_64_V4 ? latent_z_v4(m, normal, s.scale, s)
                                      : latent_z_baseline(m, normal, s.scale, s);
}

// Year `year`'s stream of a purpose (year 0: the purpose's own stream).
StreamPurpose year_purpose(StreamPurpose purpose, int year) {
  return static_cast<StreamPurpose>(static_cast<std::uint64_t>(purpose) +
                                    (static_cast<std::uint64_t>(year) << 8));
}

// x = phi x previous + sqrt(1 - phi^2) x x over [begin, end).
[[gnu::always_inline]] inline void persist_loop(const double* __restrict previous, double phi,
                                                double* __restrict x, std::size_t begin,
                                                std::size_t end) {
  const double fresh = std::sqrt(1.0 - phi * phi);
  for (std::size_t k = begin; k < end; ++k)
    x[k] = phi * previous[k] + fresh * x[k];
}
void persist_baseline(const double* previous, double phi, double* x, std::size_t begin,
                      std::size_t end) {
  persist_loop(previous, phi, x, begin, end);
}
CCGRISK_TARGET_X86_64_V4
void persist_v4(const double* previous, double phi, double* x, std::size_t begin, std::size_t end) {
  persist_loop(previous, phi, x, begin, end);
}
void persist(const double* previous, double phi, double* x, std::size_t begin, std::size_t end) {
  simd_path() == SimdPath::kX86_64_V4 ? persist_v4(previous, phi, x, begin, end)
                                      : persist_baseline(previous, phi, x, begin, end);
}

}  // namespace

void draw_trial(const Model& m, std::uint64_t seed, std::int64_t trial, TrialState& s) {
  TrialStream rng(seed, stream_of(m, trial), StreamPurpose::kLatentNormals, m.rng);
  fill_normals(rng, sign_of(m, trial), s.normals.data(), s.normals.size());
  s.scale = copula_scale(m, seed, trial);
  latent_from_normals(m, s);
  if (!m.hubs.empty()) {
    TrialStream hub_rng(seed, stream_of(m, trial), StreamPurpose::kHubNormals, m.rng);
    fill_normals(hub_rng, sign_of(m, trial), s.hub_normals.data(), s.hub_normals.size());
  }
}

void draw_next_year(const Model& m, std::uint64_t seed, std::int64_t trial, int year,
                    const double (&phi)[4], const TrialState& previous, TrialState& s) {
  TrialStream rng(seed, stream_of(m, trial), year_purpose(StreamPurpose::kLatentNormals, year),
                  m.rng);
  fill_normals(rng, sign_of(m, trial), s.normals.data(), s.normals.size());
  // The draw order of draw_trial: national, regions, area teams, CCGs.
  const std::size_t national = kNumDrivers, regions = national + kNumDrivers * m.regions.size(),
                    areas = regions + kNumDrivers * m.area_teams.size();
  const double* last = previous.normals.data();
  persist(last, phi[0], s.normals.data(), 0, national);
  persist(last, phi[1], s.normals.data(), national, regions);
  persist(last, phi[2], s.normals.data(), regions, areas);
  persist(last, phi[3], s.normals.data(), areas, s.normals.size());
  s.scale = previous.scale;
  latent_from_normals(m, s);
  if (!m.hubs.empty()) {
    TrialStream hub_rng(seed, stream_of(m, trial), year_purpose(StreamPurpose::kHubNormals, year),
                        m.rng);
    fill_normals(hub_rng, sign_of(m, trial), s.hub_normals.data(), s.hub_normals.size());
    persist(previous.hub_normals.data(), phi[3], s.hub_normals.data(), 0, s.hub_normals.size());
  }
}

void finish_trial(const Model& m, const TrialState& drawn, TrialState& s, bool parts,
                  Settlement settlement) {
  s.capped = 0;
  const double* z = drawn.z.data();
  m.cip_transform.transform(z + kCipDelivery * static_cast<std::size_t>(m.n), s.delivery.data(),
                            s.delivery.size());
  using enum Settlement;
  const bool keep = settlement == kKeep;
  if (m.carries) {
    settle<true, true, kCompute>(m, z, drawn, s);
  } else if (settlement == kReuse && !parts) {
    settle<false, false, kReuse>(m, z, drawn, s);
  } else if (parts) {
    keep ? settle<true, false, kKeep>(m, z, drawn, s)
         : settle<true, false, kCompute>(m, z, drawn, s);
  } else {
    keep ? settle<false, false, kKeep>(m, z, drawn, s)
         : settle<false, false, kCompute>(m, z, drawn, s);
  }
  share_risk(m, s);
  simulate_hubs(m, drawn, s);
}

void simulate_trial(const Model& m, std::uint64_t seed, std::int64_t trial, TrialState& s) {
  draw_trial(m, seed, trial, s);
  finish_trial(m, s, s);
}

bool same_draws(const Model& a, const Model& b) {
  const auto same_members = [](const std::vector<CcgGroup>& x, const std::vector<CcgGroup>& y) {
    if (x.size() != y.size()) return false;
    for (std::size_t k = 0; k < x.size(); ++k)
      if (x[k].members != y[k].members) return false;
    return true;
  };
  return a.n == b.n && a.rng == b.rng && a.copula == b.copula &&
         (a.copula != Copula::kStudentT || a.dof == b.dof) && a.antithetic == b.antithetic &&
         a.area_team_of == b.area_team_of && a.region_of_area == b.region_of_area &&
         same_members(a.regions, b.regions) && same_members(a.area_teams, b.area_teams) &&
         a.national_cholesky == b.national_cholesky && a.national_shock == b.national_shock &&
         a.load_national == b.load_national && a.load_region == b.load_region &&
         a.load_area == b.load_area && a.own_load == b.own_load && a.hubs.size() == b.hubs.size();
}

bool same_settlement(const Model& a, const Model& b) {
  const auto same_growth = [&](int c) {
    return a.growth[c].mean == b.growth[c].mean && a.growth[c].sd == b.growth[c].sd &&
           a.growth[c].funded == b.growth[c].funded;
  };
  return same_draws(a, b) && !a.carries && !b.carries && same_growth(0) && same_growth(1) &&
         same_growth(2) && a.category_base_k == b.category_base_k &&
         a.transfer_mismatch.mean == b.transfer_mismatch.mean &&
         a.transfer_mismatch.sd == b.transfer_mismatch.sd && a.transfer_k == b.transfer_k &&
         a.transfer_mismatch_k == b.transfer_mismatch_k && a.underfunding_k == b.underfunding_k &&
         a.shift_k == b.shift_k;
}

}  // namespace ccgrisk
