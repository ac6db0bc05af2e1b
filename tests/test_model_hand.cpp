// With every sd zero the model is deterministic: check it against hand
// calculations (MODEL.md steps 3-6), to the pound.
#include <catch2/catch.hpp>

#include "engine/run.hpp"
#include "fixtures.hpp"

using namespace ccgrisk;
using ccgrisk::test::deterministic_scenario;
using ccgrisk::test::small_table;

namespace {

// Four CCGs, A = 100,000 / 110,000 / 120,000 / 130,000 (GBP k), defaults of
// MODEL.md: s = 1%, c = 0.5%, n = 2%, u = 0.25, P = 3%, T = 19%, mix
// 0.50/0.05/0.45, specialist growth 5% against 2% funded, CIP delivery 80%,
// mismatch 0.5%, kappa 0.1.
//   C10: pressure = 0.03 x 4,950 + 0.2 x 3,000 + 0.005 x 19,000 = 843.5;
//        M = 500 + 0.25 x 2,000 = 1,000 covers it: surplus 1,000,
//        underlying 1,000 - (843.5 - 500) = 656.5.
//   C11: 10% under target: + 0.1 x 10% x 110,000 = 1,100 of pressure;
//        pressure = 163.35 + 660 + 104.5 + 1,100 = 2,027.85; M = 1,100;
//        surplus = 1,100 - 2,027.85 + 1,100 = 172.15 (misses the control
//        total of 1,100); underlying 172.15 - 550 = -377.85.
//   C12: planned deficit of 2%: s = -2,400, E = 122,400; pressure = 183.6 +
//        720 + 114 = 1,017.6 <= M = 1,200: surplus -2,400 (in the red),
//        underlying -2,400 - (1,017.6 - 600) = -2,817.6.
//   C13: CIP of 10%: P = 13,000, pressure = 193.05 + 2,600 + 123.5 =
//        2,916.55; M = 1,300: surplus = 1,300 - 2,916.55 + 1,300 = -316.55,
//        underlying -316.55 - 650 = -966.55.
struct Hand {
  Scenario scenario = deterministic_scenario();
  CcgTable table = small_table(4);
  Hand() {
    table.rows[1].target_distance_pct = -10.0;
    table.rows[2].plan.planned_surplus_pct = -2.0;
    table.rows[3].plan.cip_pct = 10.0;
  }
  Results run() { return run_scenario(scenario, table, RunOptions{1, 4, nullptr}); }
};

constexpr double kPound = 1e-3;  // GBP k

}  // namespace

TEST_CASE("deterministic outturns equal the hand calculation", "[model]") {
  Hand hand;
  const Results r = hand.run();
  const std::vector<double> surplus{1000.0, 172.15, -2400.0, -316.55};
  const std::vector<double> underlying{656.5, -377.85, -2817.6, -966.55};
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("CCG " << r.code[i]);
    CHECK(r.before.surplus_mean_k[i] == Approx(surplus[i]).margin(kPound));
    CHECK(r.before.underlying_mean_k[i] == Approx(underlying[i]).margin(kPound));
    CHECK(r.before.surplus_sd_k[i] == 0.0);
    CHECK(r.before.surplus_es05_k[i] == Approx(surplus[i]).margin(kPound));
    for (std::size_t q = 0; q < kQuantileLevels.size(); ++q)
      CHECK(r.before.surplus_quantiles_k[i * 9 + q] == Approx(surplus[i]).margin(kPound));
  }
  CHECK(r.before.p_red == std::vector<double>{0, 0, 1, 1});
  CHECK(r.before.p_red_se == std::vector<double>{0, 0, 0, 0});
  CHECK(r.before.p_miss_control == std::vector<double>{0, 1, 1, 1});
  CHECK(r.national.count_red_pmf[2] == 1.0);
  CHECK(r.national.expected_red == 2.0);
  CHECK(r.national.total_surplus_mean_k ==
        Approx(1000.0 + 172.15 - 2400.0 - 316.55).margin(kPound));
  CHECK(r.national.p_deficit == 1.0);
  // Regions: C10 (A0), C11 (A1) in North; C12 (A2), C13 (A3) in South.
  REQUIRE(r.regions.size() == 2);
  CHECK(r.regions[0].expected_red == 0.0);
  CHECK(r.regions[1].expected_red == 2.0);
  CHECK(r.regions[1].count_red_pmf[2] == 1.0);
}

TEST_CASE("deterministic full pool shares the total by allocation, to the pound", "[model]") {
  Hand hand;
  hand.scenario.pools.push_back({"P", {"C10", "C11", "C12"}, PoolRule::kFull, 1.0});
  const Results r = hand.run();
  // Total 1,000 + 172.15 - 2,400 = -1,227.85 split 100:110:120, in pounds:
  // floor shares -372,076 / -409,284 / -446,491 (sum -1,227,851); the one
  // leftover pound goes to the largest remainder (C11, 0.667).
  CHECK(r.after.surplus_mean_k[0] == Approx(-372.076).margin(1e-9));
  CHECK(r.after.surplus_mean_k[1] == Approx(-409.283).margin(1e-9));
  CHECK(r.after.surplus_mean_k[2] == Approx(-446.491).margin(1e-9));
  CHECK(r.after.surplus_mean_k[3] == Approx(-316.55).margin(1e-9));  // not in the pool
  CHECK(r.after.p_red == std::vector<double>{1, 1, 1, 1});
  CHECK(r.national.count_red_pmf_pooled[4] == 1.0);
  CHECK(r.pools.at(0).expected_red == 1.0);
  CHECK(r.pools.at(0).expected_red_pooled == 3.0);
  // Underlying moves with the transfer: C10 656.5 + (-372.076 - 1,000).
  CHECK(r.after.underlying_mean_k[0] == Approx(656.5 - 1372.076).margin(1e-9));
  CHECK(r.national.total_surplus_mean_pooled_k == r.national.total_surplus_mean_k);
}

TEST_CASE("deterministic cover pool moves offers up to the caps", "[model]") {
  Hand hand;
  hand.scenario.pools.push_back({"P", {"C10", "C11", "C12"}, PoolRule::kCover, 1.0});
  const Results r = hand.run();
  // Offers min(surplus, 1% A): 1,000 and 172.15; deficit 2,400 > 1,172.15,
  // so both give everything offered and C12 ends at -1,227.85.
  CHECK(r.after.surplus_mean_k[0] == Approx(0.0).margin(1e-9));
  CHECK(r.after.surplus_mean_k[1] == Approx(0.0).margin(1e-9));
  CHECK(r.after.surplus_mean_k[2] == Approx(-1227.85).margin(1e-9));
  CHECK(r.after.p_red == std::vector<double>{0, 0, 1, 1});

  hand.scenario.pools[0].cap_pct = 0.1;  // caps 100 and 110
  const Results capped = hand.run();
  CHECK(capped.after.surplus_mean_k[0] == Approx(900.0).margin(1e-9));
  CHECK(capped.after.surplus_mean_k[1] == Approx(62.15).margin(1e-9));
  CHECK(capped.after.surplus_mean_k[2] == Approx(-2190.0).margin(1e-9));
}
