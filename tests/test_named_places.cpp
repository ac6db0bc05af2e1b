// The named places of 2013-14 (issue 13, part 4): a known specialised-
// transfer mismatch per CCG (transfer_mismatch_k), validated like every
// per-CCG input, exact when zero, and shown by the attribution; targets on
// single CCGs (ccg:CODE, p_red) and named lists (ccgs:NAME).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

#include "engine/calibrate.hpp"
#include "engine/run.hpp"
#include "fixtures.hpp"
#include "input/ccg_table.hpp"
#include "input/error.hpp"
#include "input/scenario.hpp"
#include "input/targets.hpp"
#include "model/trial.hpp"
#include "support.hpp"

using namespace ccgrisk;
using Catch::Contains;
using ccgrisk::test::TempDir;
using ccgrisk::test::write_file;

namespace {

constexpr double kPound = 1e-3;  // GBP k

const std::string kCsv =
    "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,transfer_mismatch_k\n"
    "A1,CCG A,Q1,Team,North,100000,1234.5\n"
    "A2,CCG B,Q1,Team,North,110000,\n";

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](double x, double y) {
           return std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y);
         });
}

}  // namespace

TEST_CASE("transfer_mismatch_k: read from the table and ccg.CODE tables, blank means 0",
          "[named][ccg_table]") {
  TempDir dir;
  const CcgTable t = read_ccg_table(write_file(dir / "ccgs.csv", kCsv));
  CHECK(t.rows[0].transfer_mismatch_k == 1234.5);
  CHECK(t.rows[1].transfer_mismatch_k == 0.0);
  const Scenario s = load_scenario(write_file(
      dir / "s.toml", "[data]\nccgs = \"ccgs.csv\"\n[ccg.A2]\ntransfer_mismatch_k = -250\n"));
  CHECK(s.ccg_overrides.at("A2").transfer_mismatch_k == -250.0);
  const Model m = build_model(s, t);
  CHECK(m.transfer_mismatch_k == std::vector<double>{1234.5, -250.0});
}

TEST_CASE("transfer_mismatch_k out of bounds names the file, line or key", "[named][errors]") {
  TempDir dir;
  std::string csv = kCsv;
  csv.replace(csv.find("1234.5"), 6, "2e8");
  CHECK_THROWS_WITH(read_ccg_table(write_file(dir / "ccgs.csv", csv)),
                    Contains("ccgs.csv:2: column transfer_mismatch_k: '2e8' must be in [-1e+08, "
                             "1e+08]"));
  csv.replace(csv.find("2e8"), 3, "nan");
  CHECK_THROWS_WITH(read_ccg_table(write_file(dir / "ccgs.csv", csv)),
                    Contains("transfer_mismatch_k: 'nan' is not a number"));
  write_file(dir / "ccgs.csv", kCsv);
  CHECK_THROWS_WITH(load_scenario(write_file(dir / "s.toml",
                                             "[data]\nccgs = \"ccgs.csv\"\n"
                                             "[ccg.A1]\ntransfer_mismatch_k = "
                                             "-1e9\n")),
                    Contains("ccg.A1.transfer_mismatch_k = -1e+09: must be in [-1e+08, "
                             "1e+08]"));
  CHECK_THROWS_WITH(load_scenario(write_file(dir / "s.toml",
                                             "[data]\nccgs = \"ccgs.csv\"\n"
                                             "[ccg.A1]\ntransfer_mismatch_k = "
                                             "\"5m\"\n")),
                    Contains("ccg.A1.transfer_mismatch_k = \"5m\": expected a number"));
}

TEST_CASE("a known mismatch adds to the pressure, to the pound", "[named][model]") {
  // C10 of the hand calculation (test_model_hand.cpp): pressure 843.5 is
  // covered by M = 1,000 (surplus 1,000). A mismatch of 600 makes it
  // 1,443.5: surplus = 1,000 - 1,443.5 + 1,000 = 556.5, and the
  // transfer_mismatch component 0.005 x 19,000 + 600 = 695.
  Scenario s = test::deterministic_scenario();
  CcgTable t = test::small_table(2);
  t.rows[0].transfer_mismatch_k = 600.0;
  const Results r = run_scenario(s, t, RunOptions{1, 4, nullptr});
  CHECK(r.before.surplus_mean_k[0] == Approx(556.5).margin(kPound));
  CHECK(r.attribution.mean_k[kTransferPressure] == Approx(695.0).margin(kPound));
  CHECK(r.input_basis[kInputTransferMismatch] ==
        std::vector<std::string>{"table", "not given (0)"});
}

TEST_CASE("a zero mismatch, given or not, leaves every result bit for bit", "[named][golden]") {
  Scenario s;
  s.run.trials = 3000;
  s.run.seed = 99;
  s.run.copula = Copula::kStudentT;
  const CcgTable t = test::small_table(12);
  const Results plain = run_scenario(s, t, RunOptions{2, 256});
  Scenario zero = s;
  for (const CcgRecord& c : t.rows)
    zero.ccg_overrides[c.code].transfer_mismatch_k = 0.0;
  zero.ccg_overrides["C10"].transfer_mismatch_k = -0.0;  // -0.0 + the part is the part, too
  const Results with = run_scenario(zero, t, RunOptions{2, 256});
  CHECK(bit_identical(plain.before.surplus_mean_k, with.before.surplus_mean_k));
  CHECK(bit_identical(plain.before.surplus_sd_k, with.before.surplus_sd_k));
  CHECK(bit_identical(plain.before.surplus_quantiles_k, with.before.surplus_quantiles_k));
  CHECK(bit_identical(plain.before.p_red, with.before.p_red));
  CHECK(bit_identical(plain.after.surplus_quantiles_k, with.after.surplus_quantiles_k));
  CHECK(bit_identical(plain.attribution.mean_k, with.attribution.mean_k));
  CHECK(bit_identical(plain.attribution.mean_red_k, with.attribution.mean_red_k));
  CHECK(bit_identical(plain.national.count_red_pmf, with.national.count_red_pmf));
}

TEST_CASE("attribution: the transfer mismatch drives South East Staffordshire's deficits",
          "[named][attribution]") {
  const Results r = ccgrisk::test::shipped_baseline(4000);
  const auto it = std::find(r.code.begin(), r.code.end(), "05Q");
  REQUIRE(it != r.code.end());
  const std::size_t i = static_cast<std::size_t>(it - r.code.begin());
  const Attribution& a = r.attribution;
  const std::size_t k = a.components.size();
  const auto row = a.mean_red_k.begin() + static_cast<std::ptrdiff_t>(i * k);
  const auto largest = std::max_element(row, row + static_cast<std::ptrdiff_t>(k)) - row;
  INFO("05Q components in the red: " << row[0] << " " << row[1] << " " << row[2] << " " << row[3]
                                     << " " << row[4] << " " << row[5]);
  CHECK(a.components[static_cast<std::size_t>(largest)] == "transfer_mismatch");
  CHECK(row[kTransferPressure] > 5000.0);  // GBP 5m known, plus the random share
  CHECK(r.input_basis[kInputTransferMismatch][i] == "scenario [ccg.05Q]");
}

TEST_CASE("targets: ccg:CODE, p_red and named lists of CCGs", "[named][targets]") {
  TempDir dir;
  const std::string head =
      "[ccgs]\nPair = [\"C10\", \"C11\"]\n"
      "[[target]]\nname = \"one\"\nstatistic = \"p_red\"\ngroup = \"ccg:C12\"\nvalue = 1\n"
      "tolerance = 0.1\nreproduced = false\n"
      "[[target]]\nname = \"pair\"\nstatistic = \"expected_unplanned_red\"\n"
      "group = \"ccgs:Pair\"\nvalue = 1\n"
      "[[target]]\nname = \"money\"\nstatistic = \"total_surplus_mean_k\"\n"
      "group = \"ccgs:Pair\"\nvalue = 1\n";
  const Targets targets = load_targets(write_file(dir / "t.toml", head));
  REQUIRE(targets.targets.size() == 3);
  CHECK(targets.targets[0].members == std::vector<std::string>{"C12"});
  CHECK_FALSE(targets.targets[0].reproduced);
  CHECK(targets.targets[1].members == std::vector<std::string>{"C10", "C11"});
  CHECK(targets.targets[1].reproduced);

  Scenario s;
  s.run.trials = 2000;
  s.ccg_overrides["C11"].plan.planned_surplus_pct = -1.0;
  const Results r = run_scenario(s, test::small_table(4), RunOptions{1, 256});
  const Measured one = measure(targets.targets[0], r, targets.path, 0);
  CHECK(one.value == r.before.p_red[2]);
  CHECK(one.se == r.before.p_red_se[2]);
  const Measured pair = measure(targets.targets[1], r, targets.path, 1);
  CHECK(pair.value == r.before.p_red[0]);  // C11 planned its deficit
  const Measured money = measure(targets.targets[2], r, targets.path, 2);
  CHECK(money.value == Approx(r.before.surplus_mean_k[0] + r.before.surplus_mean_k[1]));
  CHECK(money.se > 0.0);

  const Targets unknown = load_targets(
      write_file(dir / "u.toml",
                 "[[target]]\nname = \"x\"\nstatistic = \"p_red\"\ngroup = \"ccg:ZZZ\"\n"
                 "value = 1\n"));
  CHECK_THROWS_WITH(measure(unknown.targets[0], r, unknown.path, 0),
                    Contains("u.toml: target[0].group = \"ccg:ZZZ\": no CCG 'ZZZ'"));
}

TEST_CASE("targets: bad lists and groups are input errors naming the key", "[named][errors]") {
  TempDir dir;
  const auto load = [&](const std::string& text) {
    return load_targets(write_file(dir / "t.toml", text));
  };
  const std::string target = "[[target]]\nname = \"x\"\nstatistic = \"expected_red\"\nvalue = 1\n";
  CHECK_THROWS_WITH(load(target + "group = \"ccgs:Nope\"\n"),
                    Contains("target[0].group = \"ccgs:Nope\": no list 'Nope' in [ccgs]"));
  CHECK_THROWS_WITH(load("[ccgs]\nL = []\n" + target),
                    Contains("ccgs.L: expected a non-empty array of ODS codes"));
  CHECK_THROWS_WITH(load("[ccgs]\nL = [\"A\", \"A\"]\n" + target),
                    Contains("ccgs.L[1] = \"A\": listed twice"));
  CHECK_THROWS_WITH(load("[ccgs]\nL = [1]\n" + target),
                    Contains("ccgs.L[0]: expected an ODS code"));
  CHECK_THROWS_WITH(
      load("[[target]]\nname = \"x\"\nstatistic = \"p_red\"\ngroup = \"region:North\"\nvalue = "
           "1\n"),
      Contains("target[0].statistic = \"p_red\" needs a group \"ccg:CODE\""));
  CHECK_THROWS_WITH(load(target + "reproduced = \"no\"\n"),
                    Contains("target[0].reproduced: expected true or false"));
  CHECK_THROWS_WITH(load(target + "group = \"ccg:\"\n"), Contains("ccg:CODE or ccgs:NAME"));
}
