// Small in-memory scenarios and CCG tables for model and engine tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "input/scenario.hpp"

namespace ccgrisk::test {

// A table of `n` CCGs: code "Cnn", allocation 100000 + 10000 i (GBP k),
// spread over 2 regions ("North", "South") and 4 area teams (A0..A3,
// A0/A1 in North, A2/A3 in South), population 250,000.
inline CcgTable small_table(int n) {
  CcgTable t;
  t.path = "fixture.csv";
  t.sha256 = "fixture";
  for (int i = 0; i < n; ++i) {
    CcgRecord r;
    const int area = i % 4;
    // Appends, not operator+: GCC 12 warns falsely (-Wrestrict) on "x" + string.
    r.code.append("C").append(std::to_string(10 + i));
    r.name.append("CCG ").append(std::to_string(i));
    r.area_team_code.append("A").append(std::to_string(area));
    r.area_team.append("Area ").append(std::to_string(area));
    r.region = area < 2 ? "North" : "South";
    r.allocation_k = 100000.0 + 10000.0 * i;
    r.population = 250000;
    r.line = i + 2;
    t.rows.push_back(r);
  }
  return t;
}

// A scenario in which nothing is random: every sd is zero.
inline Scenario deterministic_scenario(std::int64_t trials = 10) {
  Scenario s;
  s.path = "fixture.toml";
  s.run.trials = trials;
  s.acute_growth.sd = 0.0;
  s.specialist_growth.sd = 0.0;
  s.other_growth.sd = 0.0;
  s.cip_delivery.sd = 0.0;
  s.transfer_mismatch.sd = 0.0;
  return s;
}

// One normal driver (acute growth, sd `sd`), no mitigation reserves, every
// other driver fixed: surplus_i = s_i - pressure_i is normal in closed form.
inline Scenario one_driver_scenario(double sd, std::int64_t trials) {
  Scenario s = deterministic_scenario(trials);
  s.acute_growth.sd = sd;
  s.plan.contingency_pct = 0.0;
  s.plan.nonrecurrent_pct = 0.0;
  return s;
}

// The shipped 2013-14 baseline run with `trials` trials (all cores).
inline Results shipped_baseline(std::int64_t trials) {
  Scenario s =
      load_scenario(std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml");
  s.run.trials = trials;
  return run_scenario(s, read_ccg_table(s.ccgs), RunOptions{0, 1024});
}

}  // namespace ccgrisk::test
