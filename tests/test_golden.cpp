// Golden-file regression: a small fixed scenario must reproduce the stored
// results bit for bit (hex floats). Any change to the model, the random
// streams or the estimators shows up here. After a deliberate change,
// regenerate with: CCGRISK_UPDATE_GOLDEN=1 build/tests/test_golden
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "engine/run.hpp"
#include "fixtures.hpp"
#include "support.hpp"

using namespace ccgrisk;

namespace {

// Student-t copula, both pool rules, hubs, shifts and a planned deficit.
Scenario golden_scenario() {
  Scenario s;
  s.run.trials = 5000;
  s.run.seed = 424242;
  s.run.copula = Copula::kStudentT;
  s.shifts.region_pct["South"] = 0.3;
  s.hubs = {{"H1", 500000.0, 2.0, 1.0}, {"H2", 250000.0, 1.0, -0.5}};
  s.pools.push_back({"P1", {"C10", "C11", "C12"}, PoolRule::kFull, 1.0});
  s.pools.push_back({"P2", {"C14", "C15", "C16", "C17"}, PoolRule::kCover, 0.5});
  s.ccg_overrides["C13"].plan.planned_surplus_pct = -1.0;
  return s;
}

void put(std::ostringstream& out, const char* name, const std::vector<double>& values) {
  out << name;
  char buf[40];
  for (double v : values) {
    std::snprintf(buf, sizeof buf, " %a", v);
    out << buf;
  }
  out << "\n";
}

std::string fingerprint(const Results& r) {
  std::ostringstream out;
  put(out, "p_red", r.before.p_red);
  put(out, "p_red_pooled", r.after.p_red);
  put(out, "p_miss_control", r.before.p_miss_control);
  put(out, "surplus_mean_k", r.before.surplus_mean_k);
  put(out, "surplus_sd_k", r.before.surplus_sd_k);
  put(out, "surplus_quantiles_k", r.before.surplus_quantiles_k);
  put(out, "surplus_es05_k", r.before.surplus_es05_k);
  put(out, "pooled_quantiles_k", r.after.surplus_quantiles_k);
  put(out, "underlying_mean_k", r.before.underlying_mean_k);
  put(out, "count_red_pmf", r.national.count_red_pmf);
  put(out, "count_red_pmf_pooled", r.national.count_red_pmf_pooled);
  put(out, "total_quantiles_k",
      {r.national.total_surplus_quantiles_k.begin(), r.national.total_surplus_quantiles_k.end()});
  put(out, "specialised_quantiles_k",
      {r.specialised.overspend_quantiles_k.begin(), r.specialised.overspend_quantiles_k.end()});
  put(out, "attribution_mean_red_k", r.attribution.mean_red_k);
  put(out, "es_contribution_k", r.attribution.es_contribution_k);
  return out.str();
}

}  // namespace

TEST_CASE("a small fixed scenario reproduces the golden results bit for bit", "[golden]") {
  // One golden file per bit generator (run.rng).
  const auto [rng, file] = GENERATE(table<BitGenerator, const char*>(
      {{BitGenerator::kPhilox4x64, "golden_small.txt"},
       {BitGenerator::kPhilox4x32, "golden_small_philox4x32.txt"}}));
  CAPTURE(file);
  const auto golden = test::test_data(file);
  Scenario scenario = golden_scenario();
  scenario.run.rng = rng;
  const Results r = run_scenario(scenario, test::small_table(20), RunOptions{GENERATE(1, 2), 333});
  const std::string now = fingerprint(r);
  if (std::getenv("CCGRISK_UPDATE_GOLDEN")) {
    test::write_file(golden, now);
    WARN("golden file rewritten: " << golden.string());
  }
  const std::string stored = test::read_file(golden);
  std::istringstream a(stored), b(now);
  for (std::string want, got; std::getline(a, want);) {
    REQUIRE(std::getline(b, got));
    const std::string name = want.substr(0, want.find(' '));
    INFO(name);
    CHECK(got == want);
  }
}
