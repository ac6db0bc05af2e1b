// Scenario reading: TOML text -> toml::table -> validated Scenario, one
// helper per section (MODEL.md "Inputs").
#include "input/scenario.hpp"

#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/limits.hpp"
#include "input/overrides_toml.hpp"
#include "input/scenario_toml.hpp"
#include "input/text.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

namespace ccgrisk {
namespace {

namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMixTolerance = 1e-9;           // |sum of mix shares - 1|
constexpr double kCorrelationTolerance = 1e-12;  // shares' sum, symmetry, unit diagonal

// "a, b, c", for messages listing what was expected.
std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view n : names)
    out.append(out.empty() ? "" : ", ").append(n);
  return out;
}

std::string key_path(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string indexed(const std::string& key, std::size_t i) {
  return key + "[" + std::to_string(i) + "]";
}

// Allowed values of a number: lo..hi with open or closed ends; all finite.
struct Range {
  double lo = -kInf;
  double hi = kInf;
  bool lo_open = false;
  bool hi_open = false;

  bool contains(double x) const {
    return (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
  }
  std::string describe() const {
    if (hi == kInf) return (lo_open ? "> " : ">= ") + number_text(lo);
    return std::string("in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
           (hi_open ? ")" : "]");
  }
};

constexpr Range kNonNegative{0.0};
constexpr Range kUnit{0.0, 1.0};
constexpr Range kSignedPct{-100.0, 100.0};
constexpr Range kPct{0.0, 100.0};
constexpr Range kCorrelation{-1.0, 1.0};
constexpr Range kStudentDof{2.0, limits::kMaxDof, true};
// Bounds that keep every amount the engine computes finite and its pounds
// exact (input/limits.hpp).
constexpr Range kRate{-limits::kMaxRate, limits::kMaxRate};
constexpr Range kRateSd{0.0, limits::kMaxRate};
constexpr Range kMismatch{-limits::kMaxMismatch, limits::kMaxMismatch};
constexpr Range kMismatchSd{0.0, limits::kMaxMismatch};
constexpr Range kCipMean{limits::kMinCipMean, limits::kMaxCipMean};
constexpr Range kCipConcentration{0.0, limits::kMaxCipConcentration, true};
constexpr Range kMismatchK{-limits::kMaxTransferMismatchK, limits::kMaxTransferMismatchK};

constexpr const char* kDriverNames[kNumDrivers] = {
    "acute_growth", "specialist_growth", "other_growth", "cip_delivery", "transfer_mismatch"};

// Reads a scenario from a parsed table, section by section. Every message
// starts with the file name and names the dotted key path and the value.
class ScenarioReader {
 public:
  explicit ScenarioReader(const fs::path& path)
      : file_(display_name(path)), folder_(path.parent_path()) {}

  void read(const toml::table& root, Scenario& s) const {
    check_keys(root, "", {"run",         "data",         "plan",       "mix",      "drivers",
                          "correlation", "underfunding", "pool",       "hub",      "shift",
                          "volatility",  "specialised",  "ccg",        "stress",   "uncertainty",
                          "horizon",     "year",         "allocation", "recovery", "pressure"});
    read_run(root, s.run);
    s.ccgs = read_data(root);
    read_plan(root, s.plan);
    read_mix(root, s.mix);
    read_drivers(root, s);
    read_correlation(root, s);
    read_underfunding(root, s.underfunding_kappa);
    s.pools = read_pools(root);
    s.hubs = read_hubs(root);
    read_shifts(root, s.shifts);
    read_volatility(root, s.volatility);
    if (const toml::table* t = section(root, "specialised", "", {"shift_pct"}))
      read_number(*t, "specialised", "shift_pct", kSignedPct, s.hub_shift_pct);
    read_ccg_overrides(root, s.ccg_overrides);
    read_stress(root, s);
    read_uncertainty(root, s);
    read_horizon(root, s.horizon);
    read_allocation(root, s.allocation);
    read_recovery(root, s.recovery);
    s.pressures = read_pressures(root);
    if (const toml::node* year = root.get("year")) {
      const toml::table* years = year->as_table();
      if (!years) fail("year", *year, "expected tables [year.LABEL], e.g. [year.2014-15]");
      // A one-year run has no later year (input/horizon.cpp checks the
      // labels of a longer run).
      if (s.horizon.years == 1 && !years->empty())
        fail("year." + std::string(years->cbegin()->first.str()) +
             ": not a later year of this run, which covers only " +
             year_label(s.horizon.first_year) + " (horizon.years = 1)");
    }
    if (s.run.target_se > 0.0 && s.horizon.years > 1)
      fail("run.target_se: precision on demand is for one-year runs; a run of horizon.years = " +
           std::to_string(s.horizon.years) + " takes run.trials");
    check_cip_delivery(s);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw InputError(file_ + ": " + what); }

  [[noreturn]] void fail(const std::string& key, const toml::node& value,
                         const std::string& what) const {
    fail(key + " = " + describe(value) + ": " + what);
  }

  // Unknown keys are errors, so that a typo never silently means "default".
  void check_keys(const toml::table& t, const std::string& prefix,
                  std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : t) {
      if (std::ranges::find(allowed, key.str()) != allowed.end()) continue;
      if (prefix.empty() && node.is_table())
        fail("unknown section [" + std::string(key.str()) + "] (expected one of: " + join(allowed) +
             ")");
      fail("unknown key '" + key_path(prefix, key.str()) + "' (expected one of: " + join(allowed) +
           ")");
    }
  }

  // The sub-table `name` of `parent` with its keys checked, or nullptr if absent.
  const toml::table* section(const toml::table& parent, std::string_view name,
                             const std::string& prefix,
                             std::initializer_list<std::string_view> allowed) const {
    const toml::node* node = parent.get(name);
    if (!node) return nullptr;
    const std::string key = key_path(prefix, name);
    const toml::table* t = node->as_table();
    if (!t) fail(key, *node, "expected a table ([" + key + "])");
    check_keys(*t, key, allowed);
    return t;
  }

  double number(const toml::node& node, const std::string& key, const Range& range) const {
    double x = 0.0;
    if (const auto* i = node.as_integer()) {
      x = static_cast<double>(i->get());
    } else if (const auto* f = node.as_floating_point()) {
      x = f->get();
    } else {
      fail(key, node, "expected a number");
    }
    if (!std::isfinite(x)) fail(key, node, "must be a finite number");
    if (!range.contains(x)) fail(key, node, "must be " + range.describe());
    return x;
  }

  // Sets `out` from t[key] when present (integers accepted as floats).
  void read_number(const toml::table& t, const std::string& prefix, std::string_view key,
                   const Range& range, double& out) const {
    if (const toml::node* node = t.get(key)) out = number(*node, key_path(prefix, key), range);
  }

  std::optional<std::int64_t> read_integer(const toml::table& t, const std::string& prefix,
                                           std::string_view key, std::int64_t min) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    const auto* i = node->as_integer();
    if (!i)
      fail(key_path(prefix, key), *node,
           node->is_floating_point()
               ? "expected an integer, found a floating-point number (write it without a "
                 "decimal point or exponent, e.g. 1000)"
               : "expected an integer");
    if (i->get() < min) fail(key_path(prefix, key), *node, "must be >= " + std::to_string(min));
    return i->get();
  }

  std::optional<std::string> read_string(const toml::table& t, const std::string& prefix,
                                         std::string_view key) const {
    const toml::node* node = t.get(key);
    if (!node) return std::nullopt;
    const auto* s = node->as_string();
    if (!s) fail(key_path(prefix, key), *node, "expected a string");
    return s->get();
  }

  // A `source` key (where a figure comes from): printable text, at most
  // 8 x limits::kMaxTextBytes; `out` unchanged when absent.
  void read_source(const toml::table& t, const std::string& prefix, std::string& out) const {
    if (auto source = read_string(t, prefix, "source")) {
      check_text(*source, key_path(prefix, "source"), 8 * limits::kMaxTextBytes);
      out = *source;
    }
  }

  // A name or code: a non-empty string that can be stored and printed
  // (input/text.hpp). `what` names it in messages ("pool").
  std::string read_name(const toml::table& t, const std::string& prefix, std::string_view key,
                        std::string_view what) const {
    const std::string name = read_string(t, prefix, key).value_or("");
    if (name.empty())
      fail(key_path(prefix, key) + ": missing or empty (every " + std::string(what) +
           " needs a name)");
    check_text(name, key_path(prefix, key));
    return name;
  }

  void check_text(const std::string& text, const std::string& key,
                  std::size_t max_bytes = limits::kMaxTextBytes) const {
    if (const std::string problem = text_problem(text, max_bytes); !problem.empty())
      fail(key + ": the text " + problem);
  }

  // The index in `choices` of the string at t[key]; nothing when absent.
  std::optional<int> read_choice(const toml::table& t, const std::string& prefix,
                                 std::string_view key,
                                 std::initializer_list<std::string_view> choices) const {
    const std::optional<std::string> value = read_string(t, prefix, key);
    if (!value) return std::nullopt;
    const auto it = std::ranges::find(choices, *value);
    if (it == choices.end()) {
      fail(key_path(prefix, key), *t.get(key), "expected one of: " + join(choices));
    }
    return static_cast<int>(it - choices.begin());
  }

  void read_run(const toml::table& root, RunSettings& run) const {
    const toml::table* t = section(
        root, "run", "",
        {"trials", "seed", "copula", "dof", "rng", "antithetic", "target_se", "max_trials"});
    if (!t) return;
    run.trials = read_integer(*t, "run", "trials", 1).value_or(run.trials);
    if (run.trials > kMaxTrials)
      fail("run.trials = " + std::to_string(run.trials) +
           ": must be <= " + std::to_string(kMaxTrials));
    if (auto seed = read_integer(*t, "run", "seed", 0)) {
      run.seed = static_cast<std::uint64_t>(*seed);
    }
    if (auto c = read_choice(*t, "run", "copula", {"gaussian", "student_t"})) {
      run.copula = *c == 0 ? Copula::kGaussian : Copula::kStudentT;
    }
    read_number(*t, "run", "dof", kStudentDof, run.dof);
    if (auto g = read_choice(*t, "run", "rng", {"philox4x64", "philox4x32"})) {
      run.rng = *g == 0 ? BitGenerator::kPhilox4x64 : BitGenerator::kPhilox4x32;
    }
    if (const toml::node* node = t->get("antithetic")) {
      const auto* b = node->as_boolean();
      if (!b) fail("run.antithetic", *node, "expected true or false");
      run.antithetic = b->get();
    }
    if (run.antithetic && run.trials % 2 != 0)
      fail("run.trials = " + std::to_string(run.trials) +
           ": must be even with run.antithetic = true (trials come in pairs)");
    read_number(*t, "run", "target_se", Range{0.0, 0.5}, run.target_se);
    run.max_trials = read_integer(*t, "run", "max_trials", 2).value_or(run.max_trials);
    if (run.max_trials > kMaxTrials)
      fail("run.max_trials = " + std::to_string(run.max_trials) +
           ": must be <= " + std::to_string(kMaxTrials));
  }

  // [data] ccgs (required), resolved against the scenario's folder.
  fs::path read_data(const toml::table& root) const {
    const toml::table* t = section(root, "data", "", {"ccgs"});
    const std::optional<std::string> ccgs = t ? read_string(*t, "data", "ccgs") : std::nullopt;
    if (!ccgs || !t) fail("missing required key 'data.ccgs' (the path of the CCG table CSV)");
    check_text(*ccgs, "data.ccgs", PATH_MAX);
    const fs::path resolved = fs::path(*ccgs).is_absolute() ? fs::path(*ccgs) : folder_ / *ccgs;
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      const bool exists = fs::exists(resolved, ec);
      fail("data.ccgs", *t->get("ccgs"),
           std::string(exists ? "not a regular file (a folder, device or FIFO: "
                              : "no such file (") +
               "looked for " + resolved.string() + ")");
    }
    return resolved;
  }

  void read_plan(const toml::table& root, PlanDefaults& plan) const {
    const toml::table* t =
        section(root, "plan", "",
                {"surplus_pct", "contingency_pct", "nonrecurrent_pct", "nonrecurrent_uncommitted",
                 "cip_pct", "spec_transfer_pct", "control_total_pct"});
    if (!t) return;
    read_number(*t, "plan", "surplus_pct", kSignedPct, plan.surplus_pct);
    read_number(*t, "plan", "contingency_pct", kPct, plan.contingency_pct);
    read_number(*t, "plan", "nonrecurrent_pct", kPct, plan.nonrecurrent_pct);
    read_number(*t, "plan", "nonrecurrent_uncommitted", kUnit, plan.nonrecurrent_uncommitted);
    read_number(*t, "plan", "cip_pct", kPct, plan.cip_pct);
    read_number(*t, "plan", "spec_transfer_pct", kPct, plan.spec_transfer_pct);
    read_number(*t, "plan", "control_total_pct", kSignedPct, plan.control_total_pct);
  }

  void read_mix(const toml::table& root, SpendMix& mix) const {
    const toml::table* t = section(root, "mix", "", {"acute", "specialist", "other"});
    if (!t) return;
    read_number(*t, "mix", "acute", kUnit, mix.acute);
    read_number(*t, "mix", "specialist", kUnit, mix.specialist);
    read_number(*t, "mix", "other", kUnit, mix.other);
    const double sum = mix.acute + mix.specialist + mix.other;
    if (std::abs(sum - 1.0) > kMixTolerance) {
      fail("mix: acute + specialist + other = " + number_text(sum) + ": must sum to 1");
    }
  }

  void read_drivers(const toml::table& root, Scenario& s) const {
    const toml::table* t = section(root, "drivers", "",
                                   {kDriverNames[0], kDriverNames[1], kDriverNames[2],
                                    kDriverNames[3], kDriverNames[4], "sd_multiplier"});
    if (!t) return;
    read_number(*t, "drivers", "sd_multiplier", Range{0.0, limits::kMaxSdMultiplier},
                s.sd_multiplier);
    read_growth(*t, kDriverNames[kAcuteGrowth], s.acute_growth);
    read_growth(*t, kDriverNames[kSpecialistGrowth], s.specialist_growth);
    read_growth(*t, kDriverNames[kOtherGrowth], s.other_growth);
    read_cip_delivery(*t, s.cip_delivery);
    if (const toml::table* m =
            section(*t, kDriverNames[kTransferMismatch], "drivers", {"mean", "sd"})) {
      const std::string prefix = key_path("drivers", kDriverNames[kTransferMismatch]);
      read_number(*m, prefix, "mean", kMismatch, s.transfer_mismatch.mean);
      read_number(*m, prefix, "sd", kMismatchSd, s.transfer_mismatch.sd);
    }
  }

  void read_growth(const toml::table& drivers, std::string_view name, GrowthDriver& g) const {
    const toml::table* t = section(drivers, name, "drivers", {"mean", "sd", "funded"});
    if (!t) return;
    const std::string prefix = key_path("drivers", name);
    read_number(*t, prefix, "mean", kRate, g.mean);
    read_number(*t, prefix, "sd", kRateSd, g.sd);
    read_number(*t, prefix, "funded", kRate, g.funded);
  }

  // Beta by mean and sd, or by mean and concentration (never both; checked
  // with the sd multiplier in check_cip_delivery).
  void read_cip_delivery(const toml::table& drivers, BetaDriver& b) const {
    const toml::table* t =
        section(drivers, kDriverNames[kCipDelivery], "drivers", {"mean", "sd", "concentration"});
    if (!t) return;
    const std::string prefix = key_path("drivers", kDriverNames[kCipDelivery]);
    if (t->get("sd") && t->get("concentration"))
      fail(prefix + ": both sd = " + describe(*t->get("sd")) +
           " and concentration = " + describe(*t->get("concentration")) + " are given: give " +
           prefix + ".sd (the mean-and-sd form) or " + prefix +
           ".concentration (the fixed-concentration form), not both");
    read_number(*t, prefix, "mean", kCipMean, b.mean);
    read_number(*t, prefix, "sd", kNonNegative, b.sd);
    if (t->get("concentration")) {
      b.form = BetaForm::kConcentration;
      read_number(*t, prefix, "concentration", kCipConcentration, b.concentration);
    }
  }

  void read_correlation(const toml::table& root, Scenario& s) const {
    const toml::table* t =
        section(root, "correlation", "", {"national", "region", "area_team", "drivers"});
    if (!t) return;
    CorrelationShares& c = s.correlation;
    read_number(*t, "correlation", "national", kUnit, c.national);
    read_number(*t, "correlation", "region", kUnit, c.region);
    read_number(*t, "correlation", "area_team", kUnit, c.area_team);
    const double sum = c.national + c.region + c.area_team;
    if (sum > 1.0 + kCorrelationTolerance) {
      fail("correlation: national + region + area_team = " + number_text(sum) +
           ": must be <= 1 (they are shares of each driver's variance)");
    }
    if (const toml::node* m = t->get("drivers")) s.driver_correlation = driver_matrix(*m);
  }

  // correlation.drivers: 5 rows of 5 numbers, in enum Driver order.
  Eigen::Matrix<double, kNumDrivers, kNumDrivers> driver_matrix(const toml::node& node) const {
    const std::string key = "correlation.drivers";
    const std::string shape = "expected an array of " + std::to_string(kNumDrivers) +
                              " arrays of " + std::to_string(kNumDrivers) + " numbers";
    const toml::array* rows = node.as_array();
    if (!rows || rows->size() != kNumDrivers) fail(key, node, shape);
    Eigen::Matrix<double, kNumDrivers, kNumDrivers> m;
    for (int i = 0; i < kNumDrivers; ++i) {
      const std::string row_key = indexed(key, i);
      const toml::array* row = (*rows)[i].as_array();
      if (!row || row->size() != kNumDrivers) fail(row_key, (*rows)[i], shape);
      for (int j = 0; j < kNumDrivers; ++j) {
        m(i, j) = number((*row)[j], indexed(row_key, j), kCorrelation);
      }
    }
    check_correlation_matrix(m);
    return m;
  }

  void check_correlation_matrix(const Eigen::Matrix<double, kNumDrivers, kNumDrivers>& m) const {
    const auto entry = [&](int i, int j) {
      return "correlation.drivers[" + std::to_string(i) + "][" + std::to_string(j) +
             "] = " + number_text(m(i, j));
    };
    for (int i = 0; i < kNumDrivers; ++i) {
      if (std::abs(m(i, i) - 1.0) > kCorrelationTolerance) {
        fail(entry(i, i) + ": the diagonal must be 1");
      }
      for (int j = 0; j < i; ++j) {
        if (std::abs(m(i, j) - m(j, i)) > kCorrelationTolerance) {
          fail(entry(i, j) + " but " + entry(j, i) + ": the matrix must be symmetric");
        }
      }
    }
    if (Eigen::LLT<Eigen::Matrix<double, kNumDrivers, kNumDrivers>>(m).info() != Eigen::Success) {
      fail(
          "correlation.drivers: not positive definite (no Cholesky factor); driver order: "
          "acute_growth, specialist_growth, other_growth, cip_delivery, transfer_mismatch");
    }
  }

  void read_underfunding(const toml::table& root, double& kappa) const {
    const toml::table* t = section(root, "underfunding", "", {"pressure_per_pct_under_target"});
    if (!t) return;
    read_number(*t, "underfunding", "pressure_per_pct_under_target", Range{0.0, limits::kMaxKappa},
                kappa);
  }

  std::vector<PoolSpec> read_pools(const toml::table& root) const {
    const toml::node* node = root.get("pool");
    if (!node) return {};
    const toml::array* list = node->as_array();
    if (!list) fail("pool", *node, "expected an array of tables ([[pool]])");
    if (list->size() > static_cast<std::size_t>(limits::kMaxCcgs))
      fail("pool: " + std::to_string(list->size()) + " pools; at most " +
           std::to_string(limits::kMaxCcgs));
    std::vector<PoolSpec> pools;
    for (std::size_t p = 0; p < list->size(); ++p) {
      const std::string key = indexed("pool", p);
      const toml::table* t = (*list)[p].as_table();
      if (!t) fail(key, (*list)[p], "expected a table ([[pool]])");
      pools.push_back(read_pool(*t, key));
    }
    check_pools_disjoint(pools);
    return pools;
  }

  PoolSpec read_pool(const toml::table& t, const std::string& key) const {
    check_keys(t, key, {"name", "members", "rule", "cap_pct"});
    PoolSpec pool;
    pool.name = read_name(t, key, "name", "pool");
    pool.members = read_members(t, key);
    if (auto rule = read_choice(t, key, "rule", {"full", "cover"})) {
      pool.rule = *rule == 0 ? PoolRule::kFull : PoolRule::kCover;
    }
    read_number(t, key, "cap_pct", kPct, pool.cap_pct);
    return pool;
  }

  std::vector<std::string> read_members(const toml::table& t, const std::string& pool_key) const {
    const std::string key = pool_key + ".members";
    const toml::node* node = t.get("members");
    if (!node) fail("missing required key '" + key + "' (an array of ODS codes)");
    const toml::array* list = node->as_array();
    if (!list || list->empty()) fail(key, *node, "expected a non-empty array of ODS codes");
    if (list->size() > static_cast<std::size_t>(limits::kMaxCcgs))
      fail(key + ": " + std::to_string(list->size()) + " members; at most " +
           std::to_string(limits::kMaxCcgs) + " (the most CCGs a table may have)");
    std::vector<std::string> members;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto* code = (*list)[i].as_string();
      if (!code || code->get().empty()) fail(indexed(key, i), (*list)[i], "expected an ODS code");
      check_text(code->get(), indexed(key, i));
      if (!seen.insert(code->get()).second)
        fail(indexed(key, i), (*list)[i], "listed twice in the pool");
      members.push_back(code->get());
    }
    return members;
  }

  // Pool names are unique and a CCG is in at most one pool.
  void check_pools_disjoint(const std::vector<PoolSpec>& pools) const {
    std::map<std::string, std::size_t> pool_of;  // member -> pool index
    std::map<std::string, std::size_t> named;    // name -> pool index
    for (std::size_t p = 0; p < pools.size(); ++p) {
      if (const auto [it, added] = named.emplace(pools[p].name, p); !added)
        fail(indexed("pool", p) + ".name = \"" + pools[p].name + "\": duplicate pool name (also " +
             indexed("pool", it->second) + ")");
      for (const std::string& m : pools[p].members) {
        const auto [it, added] = pool_of.emplace(m, p);
        if (!added) {
          fail(indexed("pool", p) + ".members: CCG '" + m + "' is in pool '" + pools[p].name +
               "' and in pool '" + pools[it->second].name + "' (a CCG can be in at most one pool)");
        }
      }
    }
  }

  std::vector<HubSpec> read_hubs(const toml::table& root) const {
    const toml::node* node = root.get("hub");
    if (!node) return {};
    const toml::array* list = node->as_array();
    if (!list) fail("hub", *node, "expected an array of tables ([[hub]])");
    if (list->size() > static_cast<std::size_t>(limits::kMaxHubs))
      fail("hub: " + std::to_string(list->size()) + " hubs; at most " +
           std::to_string(limits::kMaxHubs));
    std::vector<HubSpec> hubs;
    std::set<std::string> names;
    for (std::size_t h = 0; h < list->size(); ++h) {
      const std::string key = indexed("hub", h);
      const toml::table* t = (*list)[h].as_table();
      if (!t) fail(key, (*list)[h], "expected a table ([[hub]])");
      check_keys(*t, key, {"name", "budget_k", "cip_pct", "shift_pct"});
      HubSpec hub;
      hub.name = read_name(*t, key, "name", "hub");
      if (!names.insert(hub.name).second)
        fail(key + ".name = \"" + hub.name + "\": duplicate hub name");
      if (!t->get("budget_k")) fail("missing required key '" + key + ".budget_k'");
      read_number(*t, key, "budget_k", Range{0.0, limits::kMaxHubBudgetK, true}, hub.budget_k);
      read_number(*t, key, "cip_pct", kPct, hub.cip_pct);
      read_number(*t, key, "shift_pct", kSignedPct, hub.shift_pct);
      hubs.push_back(hub);
    }
    return hubs;
  }

  // [shift.region] and [shift.area_team]: name = % of allocation.
  void read_shifts(const toml::table& root, LocalShifts& shifts) const {
    const toml::table* t = section(root, "shift", "", {"region", "area_team"});
    if (!t) return;
    read_shift_table(*t, "region", shifts.region_pct);
    read_shift_table(*t, "area_team", shifts.area_team_pct);
  }

  void read_shift_table(const toml::table& shift, std::string_view kind,
                        std::map<std::string, double>& out) const {
    const toml::node* node = shift.get(kind);
    if (!node) return;
    const std::string prefix = key_path("shift", kind);
    const toml::table* t = node->as_table();
    if (!t) fail(prefix, *node, "expected a table ([" + prefix + "])");
    for (const auto& [name, value] : *t) {
      const std::string key = prefix + ".\"" + std::string(name.str()) + "\"";
      out[std::string(name.str())] = number(value, key, kSignedPct);
    }
  }

  void read_volatility(const toml::table& root, Volatility& v) const {
    const toml::table* t =
        section(root, "volatility", "", {"size_scaling", "reference_population"});
    if (!t) return;
    if (const toml::node* node = t->get("size_scaling")) {
      const auto* b = node->as_boolean();
      if (!b) fail("volatility.size_scaling", *node, "expected true or false");
      v.size_scaling = b->get();
    }
    read_number(*t, "volatility", "reference_population",
                Range{0.0, limits::kMaxReferencePopulation, true}, v.reference_population);
  }

  // [ccg.CODE] tables: the CSV's per-CCG override columns, by ODS code.
  void read_ccg_overrides(const toml::table& root, std::map<std::string, CcgOverride>& out) const {
    const toml::node* node = root.get("ccg");
    if (!node) return;
    const toml::table* t = node->as_table();
    if (!t) fail("ccg", *node, "expected a table of [ccg.CODE] tables");
    for (const auto& [code, value] : *t) {
      const std::string key = "ccg." + std::string(code.str());
      const toml::table* c = value.as_table();
      if (!c) fail(key, value, "expected a table ([" + key + "])");
      check_keys(*c, key,
                 {"planned_surplus_pct", "contingency_pct", "nonrecurrent_pct", "cip_pct",
                  "spec_transfer_pct", "target_distance_pct", "transfer_mismatch_k"});
      CcgOverride& o = out[std::string(code.str())];
      read_optional(*c, key, "planned_surplus_pct", kSignedPct, o.plan.planned_surplus_pct);
      read_optional(*c, key, "contingency_pct", kPct, o.plan.contingency_pct);
      read_optional(*c, key, "nonrecurrent_pct", kPct, o.plan.nonrecurrent_pct);
      read_optional(*c, key, "cip_pct", kPct, o.plan.cip_pct);
      read_optional(*c, key, "spec_transfer_pct", kPct, o.plan.spec_transfer_pct);
      read_optional(*c, key, "target_distance_pct", kSignedPct, o.target_distance_pct);
      read_optional(*c, key, "transfer_mismatch_k", kMismatchK, o.transfer_mismatch_k);
    }
  }

  void read_optional(const toml::table& t, const std::string& prefix, std::string_view key,
                     const Range& range, std::optional<double>& out) const {
    if (const toml::node* node = t.get(key)) out = number(*node, key_path(prefix, key), range);
  }

  // [stress] national_shock = [5 numbers], in sd of the national factors.
  // [uncertainty]: samples, sampler, seed, and [[uncertainty.parameter]]
  // tables (key, distribution and its numbers, source). Whether each key is
  // a scenario key that takes the sampled values is checked when the
  // samples are drawn (engine/uncertainty.cpp), before any run.
  void read_uncertainty(const toml::table& root, Scenario& s) const {
    const toml::table* t =
        section(root, "uncertainty", "", {"samples", "sampler", "seed", "parameter"});
    if (!t) return;
    UncertaintySpec& u = s.uncertainty;
    const std::int64_t samples = read_integer(*t, "uncertainty", "samples", 2).value_or(0);
    if (samples == 0) fail("uncertainty.samples: missing (how many outer samples to draw, >= 2)");
    if (samples > limits::kMaxOuterSamples)
      fail("uncertainty.samples = " + std::to_string(samples) + ": at most " +
           std::to_string(limits::kMaxOuterSamples));
    u.samples = static_cast<int>(samples);
    if (auto c = read_choice(*t, "uncertainty", "sampler",
                             {kSamplerNames[0], kSamplerNames[1], kSamplerNames[2]}))
      u.sampler = static_cast<OuterSampler>(*c);
    if (auto seed = read_integer(*t, "uncertainty", "seed", 0))
      u.seed = static_cast<std::uint64_t>(*seed);
    const toml::node* node = t->get("parameter");
    const toml::array* list = node ? node->as_array() : nullptr;
    if (!list || list->empty())
      fail("uncertainty.parameter: expected one or more [[uncertainty.parameter]] tables");
    if (list->size() > limits::kMaxUncertainParameters)
      fail("uncertainty.parameter: " + std::to_string(list->size()) + " parameters; at most " +
           std::to_string(limits::kMaxUncertainParameters));
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string key = indexed("uncertainty.parameter", k);
      const toml::table* p = (*list)[k].as_table();
      if (!p) fail(key, (*list)[k], "expected a table ([[uncertainty.parameter]])");
      u.parameters.push_back(read_uncertain_parameter(*p, key));
      for (std::size_t j = 0; j < k; ++j)
        if (u.parameters[j].key == u.parameters[k].key)
          fail(key + ".key = \"" + u.parameters[k].key + "\": given twice");
    }
  }

  UncertainParameter read_uncertain_parameter(const toml::table& t, const std::string& key) const {
    check_keys(
        t, key,
        {"key", "distribution", "mean", "sd", "median", "sigma", "min", "mode", "max", "source"});
    UncertainParameter p;
    p.key = read_name(t, key, "key", "uncertain parameter");
    if (p.key == "run.seed" || p.key == "run.trials" || p.key.rfind("uncertainty", 0) == 0)
      fail(key + ".key = \"" + p.key +
           "\": cannot be uncertain (the samples share seed and trials)");
    const auto d = read_choice(t, key, "distribution",
                               {kDistributionNames[0], kDistributionNames[1], kDistributionNames[2],
                                kDistributionNames[3], kDistributionNames[4]});
    if (!d) fail(key + ".distribution: missing (normal, lognormal, uniform, triangular or beta)");
    p.distribution = static_cast<Distribution>(*d);
    const std::string name = kDistributionNames[*d];
    read_source(t, key, p.source);
    constexpr Range kAny{-limits::kMaxUncertainValue, limits::kMaxUncertainValue};
    constexpr Range kPositive{0.0, limits::kMaxUncertainValue, true};
    const auto need = [&](std::string_view field, const Range& range, double& out) {
      if (!t.get(field))
        fail(key + ": a " + name + " distribution needs '" + std::string(field) + "'");
      read_number(t, key, field, range, out);
    };
    const auto none = [&](std::initializer_list<std::string_view> fields) {
      for (std::string_view field : fields)
        if (t.get(field))
          fail(key_path(key, field) + ": not a parameter of a " + name + " distribution");
    };
    switch (p.distribution) {
      case Distribution::kNormal:
        need("mean", kAny, p.mean);
        need("sd", kPositive, p.sd);
        none({"median", "sigma", "min", "mode", "max"});
        break;
      case Distribution::kLognormal:
        need("median", kPositive, p.median);
        need("sigma", Range{0.0, 10.0, true}, p.sigma);
        none({"mean", "sd", "min", "mode", "max"});
        break;
      case Distribution::kUniform:
        need("min", kAny, p.min);
        need("max", kAny, p.max);
        none({"mean", "sd", "median", "sigma", "mode"});
        if (!(p.min < p.max)) fail(key + ": min must be below max");
        break;
      case Distribution::kTriangular:
        need("min", kAny, p.min);
        need("mode", kAny, p.mode);
        need("max", kAny, p.max);
        none({"mean", "sd", "median", "sigma"});
        if (!(p.min < p.max && p.min <= p.mode && p.mode <= p.max))
          fail(key + ": needs min <= mode <= max and min < max");
        break;
      case Distribution::kBeta: {
        read_number(t, key, "min", kAny, p.min);
        read_number(t, key, "max", kAny, p.max);
        need("mean", kAny, p.mean);
        need("sd", kPositive, p.sd);
        none({"median", "sigma", "mode"});
        const double w = p.max - p.min, m = (p.mean - p.min) / w, sd = p.sd / w;
        if (!(w > 0.0 && m > 0.0 && m < 1.0 && sd * sd < m * (1.0 - m)))
          fail(key +
               ": a beta on [min, max] needs min < mean < max and sd^2 < (mean - min) (max - "
               "mean)");
        if (m * (1.0 - m) / (sd * sd) - 1.0 > limits::kMaxBetaShape)
          fail(key + ": sd is too small for a beta (give the key a fixed value instead)");
        break;
      }
    }
    return p;
  }

  // [horizon]: years, first_year ("2013-14"), cip_recurrent_share and the
  // year-to-year correlation of each level's latent normals. The [year.LABEL]
  // tables are read by input/horizon.cpp, against these years.
  void read_horizon(const toml::table& root, Horizon& h) const {
    const toml::table* t = section(
        root, "horizon", "",
        {"years", "first_year", "year_correlation", "cip_recurrent_share", "gap_plan_share"});
    if (!t) return;
    if (auto years = read_integer(*t, "horizon", "years", 1)) {
      if (*years > limits::kMaxYears)
        fail("horizon.years", *t->get("years"),
             "must be in [1, " + std::to_string(limits::kMaxYears) + "]");
      h.years = static_cast<int>(*years);
    }
    if (auto first = read_string(*t, "horizon", "first_year")) {
      const std::optional<int> year = parse_year_label(*first);
      if (!year)
        fail("horizon.first_year", *t->get("first_year"),
             "expected a financial year as \"YYYY-YY\" (e.g. \"2013-14\")");
      h.first_year = *year;
      // Every year of the run has a label "YYYY-YY": the last starts by 9999.
      if (h.first_year + h.years - 1 > 9999)
        fail("horizon.first_year", *t->get("first_year"),
             "a run of " + std::to_string(h.years) + " years from it would end after 9999-00");
    }
    read_number(*t, "horizon", "cip_recurrent_share", kUnit, h.cip_recurrent_share);
    read_number(*t, "horizon", "gap_plan_share", kUnit, h.gap_plan_share);
    constexpr Range kPhi{0.0, 1.0, false, true};
    if (const toml::table* c = section(*t, "year_correlation", "horizon",
                                       {"national", "region", "area_team", "own"})) {
      const std::string prefix = "horizon.year_correlation";
      read_number(*c, prefix, "national", kPhi, h.phi_national);
      read_number(*c, prefix, "region", kPhi, h.phi_region);
      read_number(*c, prefix, "area_team", kPhi, h.phi_area_team);
      read_number(*c, prefix, "own", kPhi, h.phi_own);
    }
  }

  void read_allocation(const toml::table& root, AllocationGrowth& a) const {
    const toml::table* t =
        section(root, "allocation", "",
                {"uplift_pct", "over_target_uplift_pct", "pace_threshold_pct", "pace_extra_per_pct",
                 "max_uplift_pct", "target_growth_pct", "source"});
    if (!t) return;
    constexpr Range kUplift{limits::kMinUpliftPct, limits::kMaxUpliftPct};
    read_number(*t, "allocation", "uplift_pct", kUplift, a.uplift_pct);
    const auto optional = [&](std::string_view key, std::optional<double>& out) {
      if (!t->get(key)) return;
      double x = 0.0;
      read_number(*t, "allocation", key, kUplift, x);
      out = x;
    };
    optional("over_target_uplift_pct", a.over_target_uplift_pct);
    optional("max_uplift_pct", a.max_uplift_pct);
    optional("target_growth_pct", a.target_growth_pct);
    read_number(*t, "allocation", "pace_threshold_pct", kPct, a.pace_threshold_pct);
    read_number(*t, "allocation", "pace_extra_per_pct", Range{0.0, 10.0}, a.pace_extra_per_pct);
    if (a.max_uplift_pct && *a.max_uplift_pct < a.uplift_pct)
      fail("allocation.max_uplift_pct", *t->get("max_uplift_pct"),
           "must be >= allocation.uplift_pct (" + number_text(a.uplift_pct) + ")");
    read_source(*t, "allocation", a.source);
  }

  void read_recovery(const toml::table& root, Recovery& r) const {
    const toml::table* t = section(root, "recovery", "", {"years", "max_pct", "source"});
    if (!t) return;
    if (auto years = read_integer(*t, "recovery", "years", 1)) {
      if (*years > limits::kMaxYears)
        fail("recovery.years", *t->get("years"),
             "must be in [1, " + std::to_string(limits::kMaxYears) + "]");
      r.years = static_cast<int>(*years);
    }
    read_number(*t, "recovery", "max_pct", kPct, r.max_pct);
    read_source(*t, "recovery", r.source);
  }

  // [[pressure]]: name, pct (% of every CCG's allocation), source.
  std::vector<NamedPressure> read_pressures(const toml::table& root) const {
    std::vector<NamedPressure> out;
    const toml::node* node = root.get("pressure");
    if (!node) return out;
    const toml::array* list = node->as_array();
    if (!list) fail("pressure", *node, "expected an array of tables ([[pressure]])");
    for (std::size_t k = 0; k < list->size(); ++k) {
      const std::string key = indexed("pressure", k);
      const toml::table* t = (*list)[k].as_table();
      if (!t) fail(key, (*list)[k], "expected a table ([[pressure]])");
      check_keys(*t, key, {"name", "pct", "source"});
      NamedPressure p;
      p.name = read_name(*t, key, "name", "pressure");
      if (!t->get("pct")) fail(key + ".pct: missing (% of each CCG's allocation)");
      read_number(*t, key, "pct", kSignedPct, p.pct);
      read_source(*t, key, p.source);
      for (const NamedPressure& q : out)
        if (q.name == p.name) fail(key + ".name = \"" + p.name + "\": given twice");
      out.push_back(std::move(p));
    }
    return out;
  }

  void read_stress(const toml::table& root, Scenario& s) const {
    const toml::table* t = section(root, "stress", "", {"national_shock"});
    if (!t || !t->get("national_shock")) return;
    const toml::node& node = *t->get("national_shock");
    const toml::array* list = node.as_array();
    if (!list || list->size() != kNumDrivers)
      fail("stress.national_shock", node,
           "expected an array of 5 numbers (acute, specialist, other, cip_delivery, "
           "transfer_mismatch), in standard deviations");
    for (int k = 0; k < kNumDrivers; ++k)
      s.national_shock[k] =
          number((*list)[k], indexed("stress.national_shock", k), Range{-50.0, 50.0});
  }

  // The CIP delivery beta, with its sd times drivers.sd_multiplier: a sd
  // of 0 is a fixed delivery; otherwise sd^2 < mean (1 - mean) (the largest
  // a beta with that mean can have) and the shape a + b = mean (1 - mean) /
  // sd^2 - 1 at most limits::kMaxBetaShape (a smaller sd is a fixed delivery
  // in all but name, and slow to tabulate).
  void check_cip_delivery(const Scenario& s) const {
    if (s.cip_delivery.form == BetaForm::kConcentration) return check_cip_concentration(s);
    const double sd = s.cip_delivery.sd * s.sd_multiplier;
    const double mean = s.cip_delivery.mean;
    if (sd == 0.0) return;
    const std::string key = s.sd_multiplier == 1.0
                                ? "drivers.cip_delivery.sd = " + number_text(sd)
                                : "drivers.sd_multiplier = " + number_text(s.sd_multiplier) +
                                      " (making drivers.cip_delivery.sd " + number_text(sd) + ")";
    const double max_variance = mean * (1.0 - mean);
    if (sd * sd >= max_variance)
      fail(key + ": must be < sqrt(mean (1 - mean)) = " + rounded_text(std::sqrt(max_variance)) +
           " for mean = " + number_text(mean) + " (the largest sd a beta with that mean can have)");
    const double min_sd = std::sqrt(max_variance / (limits::kMaxBetaShape + 1.0));
    if (sd < min_sd)
      fail(key + ": must be 0 (a fixed delivery) or at least " + rounded_text(min_sd) +
           " for mean = " + number_text(mean) +
           " (a smaller sd makes the beta's shape a + b "
           "above " +
           rounded_text(limits::kMaxBetaShape) + ")");
  }

  // The fixed-concentration form with drivers.sd_multiplier k: the engine's
  // concentration (kappa + 1) / k^2 - 1 must be > 0 (k < sqrt(kappa + 1): a
  // wider beta with that mean does not exist) and at most
  // limits::kMaxBetaShape (k = 0 is a fixed delivery).
  void check_cip_concentration(const Scenario& s) const {
    const double k = s.sd_multiplier;
    if (k == 0.0 || k == 1.0) return;  // a fixed delivery; kappa itself, read in range
    const double kappa = s.cip_delivery.concentration;
    const double effective = cip_concentration(s.cip_delivery, k);
    const std::string key = "drivers.sd_multiplier = " + number_text(k) +
                            " (with drivers.cip_delivery.concentration " + rounded_text(kappa) +
                            ")";
    if (!(effective > 0.0))
      fail(key + ": must be < sqrt(concentration + 1) = " + rounded_text(std::sqrt(kappa + 1.0)) +
           " (it scales the sd at every mean; no beta with that mean is wider)");
    if (effective > limits::kMaxBetaShape)
      fail(key + ": must be 0 (a fixed delivery) or at least " +
           rounded_text(std::sqrt((kappa + 1.0) / (limits::kMaxBetaShape + 1.0))) +
           " (a smaller one makes the beta's shape a + b above " +
           rounded_text(limits::kMaxBetaShape) + ")");
  }

  std::string file_;
  fs::path folder_;
};

}  // namespace

std::optional<TextPosition> non_ascii_outside_strings(std::string_view text) {
  TextPosition at;
  std::size_t i = 0;
  const auto advance = [&](std::size_t n) {
    for (; n > 0 && i < text.size(); --n, ++i) {
      if (text[i] == '\n') {
        ++at.line;
        at.column = 1;
      } else {
        ++at.column;
      }
    }
  };
  // After a line-ending backslash in a multi-line basic string, TOML trims
  // the white space that follows; toml++ then tests the first other
  // character with the same faulty check, so it must be ASCII too.
  const auto skip_continuation = [&] {
    std::size_t j = i + 1;
    while (j < text.size() && (text[j] == ' ' || text[j] == '\t'))
      ++j;
    if (j >= text.size() || (text[j] != '\n' && text[j] != '\r')) return false;
    while (j < text.size() && std::string_view(" \t\r\n").find(text[j]) != std::string_view::npos)
      ++j;
    advance(j - i);
    return true;
  };
  enum class End { kClosed, kOpen, kBad };
  // Skips a string opened by `quote` (one or three of them) at i; escapes
  // only in basic ("...") strings.
  const auto skip_string = [&](char quote) {
    const bool triple = text.substr(i, 3) == std::string(3, quote);
    advance(triple ? 3 : 1);
    while (i < text.size()) {
      if (quote == '"' && text[i] == '\\') {
        if (triple && skip_continuation()) {
          if (i < text.size() && static_cast<unsigned char>(text[i]) >= 0x80) return End::kBad;
        } else {
          advance(2);
        }
      } else if (triple ? text.substr(i, 3) == std::string(3, quote) : text[i] == quote) {
        advance(triple ? 3 : 1);
        return End::kClosed;
      } else if (!triple && text[i] == '\n') {
        return End::kOpen;
      } else {
        advance(1);
      }
    }
    return End::kOpen;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n')
        advance(1);
    } else if (c == '"' || c == '\'') {
      const End end = skip_string(c);
      if (end == End::kBad) return at;
      if (end == End::kOpen) return std::nullopt;  // toml++ reports the open string
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      return at;
    } else {
      advance(1);
    }
  }
  return std::nullopt;
}

std::string display_name(const fs::path& path) {
  return path.empty() ? std::string("<scenario>") : path.string();
}

toml::table parse_toml(const std::string& text, const std::filesystem::path& path) {
  if (const std::optional<TextPosition> at = non_ascii_outside_strings(text))
    throw InputError(display_name(path) + ":" + std::to_string(at->line) + ":" +
                     std::to_string(at->column) +
                     ": TOML syntax error: a non-ASCII character outside a quoted string or "
                     "comment, or right after a line-ending backslash (keys with such "
                     "characters must be quoted)");
  try {
    return toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    throw InputError(display_name(path) + ":" + std::to_string(at.line) + ":" +
                     std::to_string(at.column) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
}

Scenario scenario_from_table(const toml::table& root, const std::filesystem::path& path,
                             std::string text) {
  Scenario s;
  s.path = path;
  s.text = std::move(text);
  ScenarioReader(path).read(root, s);
  return s;
}

Scenario parse_scenario(const std::string& text, const std::filesystem::path& path) {
  return scenario_from_table(parse_toml(text, path), path, text);
}

Scenario load_scenario(const std::filesystem::path& path) {
  return parse_scenario(read_input_file(path, "the scenario file"), path);
}

std::optional<int> parse_year_label(std::string_view label) {
  if (label.size() != 7 || label[4] != '-') return std::nullopt;
  int first = 0, second = 0;
  for (int k = 0; k < 7; ++k) {
    if (k == 4) continue;
    if (label[k] < '0' || label[k] > '9') return std::nullopt;
    (k < 4 ? first : second) = (k < 4 ? first : second) * 10 + (label[k] - '0');
  }
  if (first < 1900 || second != (first + 1) % 100) return std::nullopt;
  return first;
}

std::string year_label(int first_year) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", first_year, (first_year + 1) % 100);
  return text;
}

double beta_concentration(double mean, double sd) {
  return mean * (1.0 - mean) / (sd * sd) - 1.0;
}

double cip_concentration(const BetaDriver& b, double sd_multiplier) {
  const double k = sd_multiplier;
  if (b.form == BetaForm::kMeanSd) {
    const double sd = b.sd * k;
    return sd == 0.0 ? 0.0 : beta_concentration(b.mean, sd);
  }
  if (k == 0.0) return 0.0;
  if (k == 1.0) return b.concentration;  // exactly the scenario's
  return (b.concentration + 1.0) / (k * k) - 1.0;
}

double cip_sd(const BetaDriver& b, double sd_multiplier) {
  if (b.form == BetaForm::kMeanSd) return b.sd * sd_multiplier;
  if (sd_multiplier == 0.0) return 0.0;
  return std::sqrt(b.mean * (1.0 - b.mean) / (cip_concentration(b, sd_multiplier) + 1.0));
}

}  // namespace ccgrisk
