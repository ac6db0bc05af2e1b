#include "model/model.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "input/error.hpp"

namespace ccgrisk {

namespace {

// Index of `key` in `groups`, appending a new group the first time it is seen.
std::string list_codes(const std::vector<CcgGroup>& groups) {
  std::string out;
  for (const CcgGroup& g : groups)
    out.append(out.empty() ? "" : ", ").append(g.code);
  return out;
}

int group_index(std::vector<CcgGroup>& groups, std::map<std::string, int>& index,
                const std::string& code, const std::string& name) {
  auto [it, inserted] = index.emplace(code, static_cast<int>(groups.size()));
  if (inserted) groups.push_back({code, name, {}});
  return it->second;
}

void build_hierarchy(Model& m) {
  std::map<std::string, int> region_index, area_index;
  m.national = {"England", "England", {}};
  for (int i = 0; i < m.n; ++i) {
    const CcgRecord& c = m.ccgs[i];
    const int r = group_index(m.regions, region_index, c.region, c.region);
    const int a = group_index(m.area_teams, area_index, c.area_team_code, c.area_team);
    m.region_of.push_back(r);
    m.area_team_of.push_back(a);
    if (a == static_cast<int>(m.region_of_area.size())) m.region_of_area.push_back(r);
    m.regions[r].members.push_back(i);
    m.area_teams[a].members.push_back(i);
    m.national.members.push_back(i);
  }
}

double pct_of(double pct, double allocation_k) {
  return pct / 100.0 * allocation_k;
}

void build_plan(Model& m, const Scenario& s) {
  const PlanDefaults& d = s.plan;
  const std::array<double, kNumCategories> mix = {s.mix.acute, s.mix.specialist, s.mix.other};
  for (const CcgRecord& c : m.ccgs) {
    const double a = c.allocation_k;
    const double surplus = pct_of(c.plan.planned_surplus_pct.value_or(d.surplus_pct), a);
    const double contingency = pct_of(c.plan.contingency_pct.value_or(d.contingency_pct), a);
    const double nonrecurrent = pct_of(c.plan.nonrecurrent_pct.value_or(d.nonrecurrent_pct), a);
    m.allocation_k.push_back(a);
    m.planned_surplus_k.push_back(surplus);
    m.contingency_k.push_back(contingency);
    m.reserves_k.push_back(contingency + d.nonrecurrent_uncommitted * nonrecurrent);
    m.control_total_k.push_back(pct_of(d.control_total_pct, a));
    m.cip_k.push_back(pct_of(c.plan.cip_pct.value_or(d.cip_pct), a));
    m.transfer_k.push_back(pct_of(c.plan.spec_transfer_pct.value_or(d.spec_transfer_pct), a));
    m.transfer_mismatch_k.push_back(c.transfer_mismatch_k);
    m.underfunding_k.push_back(s.underfunding_kappa *
                               pct_of(std::max(0.0, -c.target_distance_pct), a));
    m.planned_deficit.push_back(surplus < 0.0);
    const double planned_spend = a - surplus;  // E_i
    for (int k = 0; k < kNumCategories; ++k)
      m.category_base_k[k].push_back(mix[k] * planned_spend);
  }
}

}  // namespace

InverseBetaTable cip_delivery_table(const BetaDriver& used, BetaTableKind kind) {
  const double mean = used.mean;
  // The mean-and-sd form exactly as ccgrisk 0.1 built it (bit for bit).
  if (used.form == BetaForm::kMeanSd) return InverseBetaTable(mean, used.sd, kind);
  const double kappa = used.concentration;
  if (kappa == 0.0) return InverseBetaTable(mean, 0.0, kind);  // a fixed delivery
  // a = mean kappa rises and b = (1 - mean) kappa falls with the mean (so
  // do their roundings): every quantile rises with the mean.
  return InverseBetaTable(mean, BetaShape{mean * kappa, (1.0 - mean) * kappa}, kind);
}

namespace {

void build_drivers(Model& m, const Scenario& s) {
  // drivers.sd_multiplier scales every driver's sd.
  const double k = s.sd_multiplier;
  m.growth = {s.acute_growth, s.specialist_growth, s.other_growth};
  for (GrowthDriver& g : m.growth)
    g.sd *= k;
  m.transfer_mismatch = {s.transfer_mismatch.mean, s.transfer_mismatch.sd * k};
  // The CIP delivery beta as used: mean, the sd at the mean, and (for the
  // fixed-concentration form) the concentration, the multiplier applied
  // (scenario.hpp cip_concentration).
  m.cip_delivery = s.cip_delivery;
  m.cip_delivery.sd = cip_sd(s.cip_delivery, k);
  m.cip_delivery.concentration = cip_concentration(s.cip_delivery, k);
  const auto refuse = [&](const char* why) {
    char beta[128];
    std::snprintf(beta, sizeof beta, "the beta with mean %.6g and sd %.6g (concentration %.6g)",
                  m.cip_delivery.mean, m.cip_delivery.sd, m.cip_delivery.concentration);
    return InputError(s.path.string() + ": drivers.cip_delivery: " + beta +
                      " cannot be evaluated (" + why + ")");
  };
  try {  // Boost.Math errors; the input bounds should rule them out
    // run.rng = "philox4x64" reproduces ccgrisk 0.1 exactly, its table included.
    const BetaTableKind kind =
        s.run.rng == BitGenerator::kPhilox4x64 ? BetaTableKind::kLegacy : BetaTableKind::kFast;
    m.cip_transform = cip_delivery_table(m.cip_delivery, kind);
  } catch (const std::logic_error& e) {
    throw refuse(e.what());
  } catch (const std::runtime_error& e) {
    throw refuse(e.what());
  }
  m.national_cholesky = s.driver_correlation.llt().matrixL();
  m.national_shock = s.national_shock;
  const CorrelationShares& c = s.correlation;
  m.load_national = std::sqrt(c.national);
  m.load_region = std::sqrt(c.region);
  m.load_area = std::sqrt(c.area_team);
  m.load_own = std::sqrt(std::max(0.0, 1.0 - c.national - c.region - c.area_team));
  m.copula = s.run.copula;
  m.dof = s.run.dof;
  m.antithetic = s.run.antithetic;
  m.rng = s.run.rng;
}

// Per-CCG shift: its region's plus its area team's, % of allocation.
void build_shifts(Model& m, const Scenario& s) {
  m.shift_k.assign(m.n, 0.0);
  for (const auto& [name, pct] : s.shifts.region_pct) {
    const auto it = std::ranges::find(m.regions, name, &CcgGroup::name);
    if (it == m.regions.end())
      throw InputError(s.path.string() + ": shift.region.\"" + name + "\": no such region in " +
                       s.ccgs.string() + " (regions: " + list_codes(m.regions) + ")");
    for (int i : it->members)
      m.shift_k[i] += pct_of(pct, m.allocation_k[i]);
  }
  for (const auto& [code, pct] : s.shifts.area_team_pct) {
    const auto it = std::ranges::find(m.area_teams, code, &CcgGroup::code);
    if (it == m.area_teams.end())
      throw InputError(s.path.string() + ": shift.area_team.\"" + code +
                       "\": no such area team code in " + s.ccgs.string() +
                       " (area teams: " + list_codes(m.area_teams) + ")");
    for (int i : it->members)
      m.shift_k[i] += pct_of(pct, m.allocation_k[i]);
  }
  for (const NamedPressure& p : s.pressures)
    for (int i = 0; i < m.n; ++i)
      m.shift_k[i] += pct_of(p.pct, m.allocation_k[i]);
}

// Each CCG's loading on its own shock; with size scaling, smaller CCGs
// (population below the reference) have proportionally more volatile budgets.
void build_own_loads(Model& m, const Scenario& s) {
  for (const CcgRecord& c : m.ccgs) {
    double scale = 1.0;
    if (s.volatility.size_scaling) {
      if (!(c.population > 0.0))
        throw InputError(s.path.string() +
                         ": volatility.size_scaling = true needs a population for every CCG; " +
                         s.ccgs.string() + ":" + std::to_string(c.line) + " (" + c.code +
                         ") has none");
      scale = std::sqrt(s.volatility.reference_population / c.population);
    }
    m.own_load.push_back(m.load_own * scale);
  }
}

void build_pools(Model& m, const Scenario& s) {
  std::map<std::string, int> by_code;
  for (int i = 0; i < m.n; ++i)
    by_code.emplace(m.ccgs[i].code, i);
  m.pool_of.assign(m.n, -1);
  for (std::size_t p = 0; p < s.pools.size(); ++p) {
    const PoolSpec& spec = s.pools[p];
    PoolModel pool{spec.name, spec.rule, {}, {}, {}};
    for (const std::string& code : spec.members) {
      const auto it = by_code.find(code);
      if (it == by_code.end())
        throw InputError(s.path.string() + ": pool[" + std::to_string(p) + "].members: '" + code +
                         "' (pool '" + spec.name + "') is not a CCG in " + s.ccgs.string());
      const int i = it->second;
      if (m.pool_of[i] >= 0)
        throw InputError(s.path.string() + ": pool '" + spec.name + "': member '" + code +
                         "' is already in pool '" + m.pools[m.pool_of[i]].name + "'");
      m.pool_of[i] = static_cast<int>(p);
      pool.members.push_back(i);
      pool.allocation_gbp.push_back(to_pounds(m.allocation_k[i]));
      pool.cap_gbp.push_back(to_pounds(pct_of(spec.cap_pct, m.allocation_k[i])));
    }
    CcgGroup group{spec.name, spec.name, pool.members};
    std::sort(group.members.begin(), group.members.end());
    m.pool_groups.push_back(std::move(group));
    m.pools.push_back(std::move(pool));
  }
}

}  // namespace

std::vector<const CcgGroup*> Model::groups() const {
  std::vector<const CcgGroup*> all{&national};
  for (const auto* list : {&regions, &area_teams, &pool_groups})
    for (const CcgGroup& g : *list)
      all.push_back(&g);
  return all;
}

namespace {

// Sets `value` and its basis from a [ccg.CODE] key when the scenario has it.
template <class T>
void override_input(const std::optional<double>& from, T& value, std::string& basis,
                    const std::string& code) {
  if (!from) return;
  value = *from;
  basis = std::string(kBasisScenarioPrefix) + code + "]";
}

// Applies the scenario's [ccg.CODE] overrides on top of the CSV's.
void apply_ccg_overrides(std::vector<CcgRecord>& ccgs, const Scenario& s) {
  for (const auto& [code, o] : s.ccg_overrides) {
    const auto it = std::ranges::find(ccgs, code, &CcgRecord::code);
    if (it == ccgs.end())
      throw InputError(s.path.string() + ": ccg." + code + ": no CCG with ODS code '" + code +
                       "' in " + s.ccgs.string());
    PlanOverrides& p = it->plan;
    auto& basis = it->basis;
    override_input(o.plan.planned_surplus_pct, p.planned_surplus_pct, basis[kInputPlannedSurplus],
                   code);
    override_input(o.plan.contingency_pct, p.contingency_pct, basis[kInputContingency], code);
    override_input(o.plan.nonrecurrent_pct, p.nonrecurrent_pct, basis[kInputNonrecurrent], code);
    override_input(o.plan.cip_pct, p.cip_pct, basis[kInputCip], code);
    override_input(o.plan.spec_transfer_pct, p.spec_transfer_pct, basis[kInputSpecTransfer], code);
    override_input(o.target_distance_pct, it->target_distance_pct, basis[kInputTargetDistance],
                   code);
    override_input(o.transfer_mismatch_k, it->transfer_mismatch_k, basis[kInputTransferMismatch],
                   code);
  }
}

}  // namespace

namespace {

// Whether a row built without a basis (in code, not read from a table) has
// a value for input k.
bool has_value(const CcgRecord& c, int k) {
  switch (k) {
    case kInputAllocation:
      return true;
    case kInputPopulation:
      return c.population != 0.0;
    case kInputPlannedSurplus:
      return c.plan.planned_surplus_pct.has_value();
    case kInputContingency:
      return c.plan.contingency_pct.has_value();
    case kInputNonrecurrent:
      return c.plan.nonrecurrent_pct.has_value();
    case kInputCip:
      return c.plan.cip_pct.has_value();
    case kInputSpecTransfer:
      return c.plan.spec_transfer_pct.has_value();
    case kInputTargetDistance:
      return c.target_distance_pct != 0.0;
    default:
      return c.transfer_mismatch_k != 0.0;
  }
}

}  // namespace

std::vector<CcgRecord> resolve_ccgs(const Scenario& scenario, const CcgTable& table) {
  std::vector<CcgRecord> ccgs = table.rows;
  apply_ccg_overrides(ccgs, scenario);
  for (CcgRecord& c : ccgs)
    for (int k = 0; k < kNumCcgInputs; ++k) {
      if (!c.basis[k].empty()) continue;
      c.basis[k] = has_value(c, k)              ? kBasisTable
                   : kCcgInputs[k].plan_default ? kBasisScenarioDefault
                                                : kBasisNotGiven;
    }
  return ccgs;
}

Model build_model(const Scenario& scenario, const CcgTable& table) {
  Model m;
  m.ccgs = resolve_ccgs(scenario, table);
  m.n = static_cast<int>(m.ccgs.size());
  build_hierarchy(m);
  build_plan(m, scenario);
  build_drivers(m, scenario);
  build_shifts(m, scenario);
  build_own_loads(m, scenario);
  m.hubs = scenario.hubs;
  for (HubSpec& hub : m.hubs)
    hub.shift_pct += scenario.hub_shift_pct;
  m.hub_own_load = std::sqrt(1.0 - scenario.correlation.national);
  build_pools(m, scenario);
  return m;
}

}  // namespace ccgrisk
