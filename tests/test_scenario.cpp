#include "input/error.hpp"
#include "input/scenario.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ccgrisk;
using Catch::Contains;
using test::TempDir;
using test::write_file;

namespace {

const std::string kData = "[data]\nccgs = \"data/ccgs.csv\"\n";

// A folder with a CCG table at data/ccgs.csv; scenarios are parsed as if
// they were the file x.toml in it.
struct Fixture {
  TempDir dir;
  Fixture() { write_file(dir / "data/ccgs.csv", "placeholder; only its existence is checked\n"); }
  std::filesystem::path toml_path() const { return dir / "x.toml"; }
  Scenario parse(const std::string& text) const { return parse_scenario(text, toml_path()); }
  // Parses `text` with the [data] section added in front.
  Scenario parse_with_data(const std::string& text) const { return parse(kData + text); }
  // Parses root-level keys in `text`, then the [data] section.
  Scenario parse_root(const std::string& text) const { return parse(text + kData); }
};

// Every value differs from its default, so a key that is not read fails a check.
const std::string kFullScenario = R"(
[run]
trials = 1234
seed = 42
copula = "student_t"
dof = 7.5
[data]
ccgs = "data/ccgs.csv"
[plan]
surplus_pct = -0.5
contingency_pct = 0.75
nonrecurrent_pct = 2.5
nonrecurrent_uncommitted = 0.4
cip_pct = 4.0
spec_transfer_pct = 18.5
control_total_pct = 0.8
[mix]
acute = 0.6
specialist = 0.1
other = 0.3
[drivers.acute_growth]
mean = 0.022
sd = 0.011
funded = 0.019
[drivers.specialist_growth]
mean = 0.06
sd = 0.025
funded = 0.03
[drivers.other_growth]
mean = 0.035
sd = 0.012
funded = 0.028
[drivers.cip_delivery]
mean = 0.7
sd = 0.2
[drivers.transfer_mismatch]
mean = 0.01
sd = 0.03
[correlation]
national = 0.3
region = 0.2
area_team = 0.15
drivers = [[ 1.0,  0.1,  0.2,  0.05, -0.1 ],
           [ 0.1,  1.0,  0.15, 0.0,   0.02],
           [ 0.2,  0.15, 1.0,  0.03,  0.04],
           [ 0.05, 0.0,  0.03, 1.0,   0.25],
           [-0.1,  0.02, 0.04, 0.25,  1.0 ]]
[underfunding]
pressure_per_pct_under_target = 0.25
[[pool]]
name = "Staffordshire"
members = ["04Y", "05D", "05G", "05Q", "05V", "05W"]
rule = "cover"
cap_pct = 1.5
[[pool]]
name = "Cheshire"
members = ["01C", "01R"]
)";

// A 5x5 matrix literal with `entry` in place of the row and column given.
std::string matrix_with(int row, int col, const std::string& entry) {
  std::string m = "drivers = [";
  for (int i = 0; i < 5; ++i) {
    m += "[";
    for (int j = 0; j < 5; ++j) {
      m += (i == row && j == col) ? entry : (i == j ? "1" : "0");
      m += j < 4 ? ", " : "]";
    }
    m += i < 4 ? ", " : "]\n";
  }
  return m;
}

}  // namespace

// ---------------------------------------------------------------- happy paths

TEST_CASE("a full scenario round-trips every value", "[scenario]") {
  Fixture f;
  const Scenario s = f.parse(kFullScenario);
  CHECK(s.path == f.toml_path());
  CHECK(s.text == kFullScenario);
  CHECK(s.ccgs == f.dir / "data/ccgs.csv");

  CHECK(s.run.trials == 1234);
  CHECK(s.run.seed == 42u);
  CHECK(s.run.copula == Copula::kStudentT);
  CHECK(s.run.dof == 7.5);

  CHECK(s.plan.surplus_pct == -0.5);
  CHECK(s.plan.contingency_pct == 0.75);
  CHECK(s.plan.nonrecurrent_pct == 2.5);
  CHECK(s.plan.nonrecurrent_uncommitted == 0.4);
  CHECK(s.plan.cip_pct == 4.0);
  CHECK(s.plan.spec_transfer_pct == 18.5);
  CHECK(s.plan.control_total_pct == 0.8);

  CHECK(s.mix.acute == 0.6);
  CHECK(s.mix.specialist == 0.1);
  CHECK(s.mix.other == 0.3);

  CHECK(s.acute_growth.mean == 0.022);
  CHECK(s.acute_growth.sd == 0.011);
  CHECK(s.acute_growth.funded == 0.019);
  CHECK(s.specialist_growth.mean == 0.06);
  CHECK(s.specialist_growth.sd == 0.025);
  CHECK(s.specialist_growth.funded == 0.03);
  CHECK(s.other_growth.mean == 0.035);
  CHECK(s.other_growth.sd == 0.012);
  CHECK(s.other_growth.funded == 0.028);
  CHECK(s.cip_delivery.mean == 0.7);
  CHECK(s.cip_delivery.sd == 0.2);
  CHECK(s.transfer_mismatch.mean == 0.01);
  CHECK(s.transfer_mismatch.sd == 0.03);

  CHECK(s.correlation.national == 0.3);
  CHECK(s.correlation.region == 0.2);
  CHECK(s.correlation.area_team == 0.15);
  CHECK(s.underfunding_kappa == 0.25);

  REQUIRE(s.pools.size() == 2);
  CHECK(s.pools[0].name == "Staffordshire");
  CHECK(s.pools[0].members == std::vector<std::string>{"04Y", "05D", "05G", "05Q", "05V", "05W"});
  CHECK(s.pools[0].rule == PoolRule::kCover);
  CHECK(s.pools[0].cap_pct == 1.5);
  CHECK(s.pools[1].name == "Cheshire");
  CHECK(s.pools[1].members == std::vector<std::string>{"01C", "01R"});
  CHECK(s.pools[1].rule == PoolRule::kFull);  // default
  CHECK(s.pools[1].cap_pct == 1.0);           // default
}

TEST_CASE("the driver correlation matrix keeps row and column order", "[scenario]") {
  Fixture f;
  const auto& m = f.parse(kFullScenario).driver_correlation;
  CHECK(m(kAcuteGrowth, kSpecialistGrowth) == 0.1);
  CHECK(m(kAcuteGrowth, kOtherGrowth) == 0.2);
  CHECK(m(kAcuteGrowth, kCipDelivery) == 0.05);
  CHECK(m(kAcuteGrowth, kTransferMismatch) == -0.1);
  CHECK(m(kTransferMismatch, kAcuteGrowth) == -0.1);
  CHECK(m(kSpecialistGrowth, kOtherGrowth) == 0.15);
  CHECK(m(kSpecialistGrowth, kTransferMismatch) == 0.02);
  CHECK(m(kOtherGrowth, kTransferMismatch) == 0.04);
  CHECK(m(kCipDelivery, kTransferMismatch) == 0.25);
  CHECK(m(kCipDelivery, kCipDelivery) == 1.0);
}

TEST_CASE("missing sections take the documented defaults", "[scenario]") {
  Fixture f;
  const Scenario s = f.parse(kData);
  CHECK(s.run.trials == 200000);
  CHECK(s.run.seed == 20130401u);
  CHECK(s.run.copula == Copula::kGaussian);
  CHECK(s.run.dof == 5.0);
  CHECK(s.plan.surplus_pct == 1.0);
  CHECK(s.plan.contingency_pct == 0.5);
  CHECK(s.plan.nonrecurrent_pct == 2.0);
  CHECK(s.plan.nonrecurrent_uncommitted == 0.25);
  CHECK(s.plan.cip_pct == 3.0);
  CHECK(s.plan.spec_transfer_pct == 19.0);
  CHECK(s.plan.control_total_pct == 1.0);
  CHECK(s.mix.acute == 0.50);
  CHECK(s.mix.specialist == 0.05);
  CHECK(s.mix.other == 0.45);
  CHECK(s.acute_growth.mean == 0.021);
  CHECK(s.acute_growth.sd == 0.01);
  CHECK(s.acute_growth.funded == 0.021);
  CHECK(s.specialist_growth.mean == 0.05);
  CHECK(s.specialist_growth.funded == 0.02);
  CHECK(s.other_growth.mean == 0.03);
  CHECK(s.cip_delivery.mean == 0.80);
  CHECK(s.cip_delivery.sd == 0.15);
  CHECK(s.transfer_mismatch.mean == 0.005);
  CHECK(s.transfer_mismatch.sd == 0.02);
  CHECK(s.correlation.national == 0.2);
  CHECK(s.correlation.region == 0.1);
  CHECK(s.correlation.area_team == 0.1);
  CHECK(s.driver_correlation.isIdentity(0.0));
  CHECK(s.underfunding_kappa == 0.1);
  CHECK(s.pools.empty());
}

TEST_CASE("a partial section keeps the defaults of the keys it omits", "[scenario]") {
  Fixture f;
  const Scenario s = f.parse_with_data("[drivers.acute_growth]\nsd = 0.05\n[run]\nseed = 7\n");
  CHECK(s.acute_growth.sd == 0.05);
  CHECK(s.acute_growth.mean == 0.021);
  CHECK(s.run.seed == 7u);
  CHECK(s.run.trials == 200000);
}

TEST_CASE("integers are accepted where floats are expected", "[scenario]") {
  Fixture f;
  const Scenario s = f.parse_with_data(
      "[run]\ndof = 5\n[plan]\nsurplus_pct = 1\ncontingency_pct = 2\n[mix]\nacute = 1\n"
      "specialist = 0\nother = 0\n[correlation]\nnational = 0\n" +
      matrix_with(0, 0, "1"));
  CHECK(s.run.dof == 5.0);
  CHECK(s.plan.surplus_pct == 1.0);
  CHECK(s.plan.contingency_pct == 2.0);
  CHECK(s.mix.acute == 1.0);
  CHECK(s.mix.other == 0.0);
  CHECK(s.correlation.national == 0.0);
}

TEST_CASE("load_scenario reads the file and resolves data.ccgs against its folder", "[scenario]") {
  TempDir dir;
  write_file(dir / "tables/ccgs.csv", "x\n");
  const std::string text = "[data]\nccgs = \"../tables/ccgs.csv\"\n[run]\ntrials = 10\n";
  const auto path = write_file(dir / "scenarios/x.toml", text);
  const Scenario s = load_scenario(path);
  CHECK(s.path == path);
  CHECK(s.text == text);
  CHECK(s.run.trials == 10);
  CHECK(std::filesystem::equivalent(s.ccgs, dir / "tables/ccgs.csv"));
}

TEST_CASE("an absolute data.ccgs path is used as it is", "[scenario]") {
  TempDir dir;
  const auto table = write_file(dir / "ccgs.csv", "x\n");
  const Scenario s =
      parse_scenario("[data]\nccgs = \"" + table.string() + "\"\n", "elsewhere/x.toml");
  CHECK(s.ccgs == table);
}

// ---------------------------------------------------------------- syntax and structure

TEST_CASE("a TOML syntax error gives file, line and column", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_AS(f.parse("[run]\ntrials = 5\nseed = = 3\n"), InputError);
  CHECK_THROWS_WITH(f.parse("[run]\ntrials = 5\nseed = = 3\n"),
                    Contains("x.toml:3:") && Contains("TOML syntax error"));
}

TEST_CASE("a non-ASCII character outside strings and comments is a syntax error at its place",
          "[scenario][errors]") {
  Fixture f;
  // U+01FE as a key (toml++ 3.3.0 reaches undefined behaviour on it), and
  // U+00A7 after a value.
  CHECK_THROWS_WITH(f.parse("[run]\ntrials = 5\n\xC7\xBE = 1\n"),
                    Contains("x.toml:3:1: TOML syntax error: a non-ASCII character outside"));
  CHECK_THROWS_WITH(f.parse("[run]\ntrials = 5 \xC2\xA7\n"), Contains("x.toml:2:12:"));
  // In strings (basic, literal, multi-line, escaped quotes) and comments it is text.
  const Scenario s = f.parse_with_data(
      "# \xC7\xBE comment\n[[pool]] # \xC2\xA7\nname = \"a \\\" \xC7\xBE\"\nmembers = ['\xC7\xBE', "
      "\"\"\"b\xC2\xA7\"\"\", '''c\xC7\xBE''']\n");
  CHECK(s.pools.at(0).name == "a \" \xC7\xBE");
  CHECK(s.pools.at(0).members.at(2) == "c\xC7\xBE");
}

TEST_CASE("a non-ASCII character after a line-ending backslash is a syntax error there",
          "[scenario][errors]") {
  Fixture f;
  // toml++ 3.3.0 tests the first character after the trimmed white space
  // with the same faulty check as between tokens.
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"\"\"a \\\n  \xC2\xA7\"\"\"\n"),
                    Contains("x.toml:5:3: TOML syntax error"));  // after the [data] lines
  const Scenario s =
      f.parse_with_data("[[pool]]\nname = \"\"\"a \\\n  b\xC2\xA7\"\"\"\nmembers = [\"01C\"]\n");
  CHECK(s.pools.at(0).name == "a b\xC2\xA7");
}

TEST_CASE("load_scenario of a missing file is an input error", "[scenario][errors]") {
  TempDir dir;
  CHECK_THROWS_WITH(load_scenario(dir / "nope.toml"),
                    Contains("nope.toml") && Contains("cannot open"));
}

TEST_CASE("unknown keys list the expected ones", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ntrails = 5\n"),
                    Contains("x.toml: unknown key 'run.trails' (expected one of: trials, seed, "
                             "copula, dof, rng, antithetic, target_se, max_trials)"));
  CHECK_THROWS_WITH(
      f.parse_with_data("[runs]\ntrials = 5\n"),
      Contains("unknown section [runs]") && Contains("run, data, plan, mix, drivers"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.acute]\nmean = 0\n"),
                    Contains("unknown key 'drivers.acute'") && Contains("acute_growth"));
  CHECK_THROWS_WITH(
      f.parse_with_data("[drivers.acute_growth]\nsdd = 0\n"),
      Contains("unknown key 'drivers.acute_growth.sdd'") && Contains("mean, sd, funded"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\"]\nmember = 1\n"),
                    Contains("unknown key 'pool[0].member'") && Contains("name, members"));
  CHECK_THROWS_WITH(f.parse("[data]\nccgs = \"data/ccgs.csv\"\ntable = 1\n"),
                    Contains("unknown key 'data.table' (expected one of: ccgs)"));
}

TEST_CASE("a section that is not a table is a type error", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_root("run = 5\n"), Contains("run = 5: expected a table"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers]\nacute_growth = 0.02\n"),
                    Contains("drivers.acute_growth = 0.02: expected a table"));
}

// ---------------------------------------------------------------- [run]

TEST_CASE("run.trials must be an integer >= 1", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ntrials = 0\n"),
                    Contains("x.toml: run.trials = 0: must be >= 1"));
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ntrials = 2.5\n"),
                    Contains("run.trials = 2.5: expected an integer"));
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ntrials = \"abc\"\n"),
                    Contains("run.trials = \"abc\": expected an integer"));
  // 1e3 is 1000 as a float: the message says why 1000 is refused.
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ntrials = 1e3\n"),
                    Contains("run.trials = 1000.0: expected an integer, found a floating-point "
                             "number (write it without a decimal point or exponent"));
}

TEST_CASE("run.seed must be an integer >= 0", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[run]\nseed = -1\n"),
                    Contains("run.seed = -1: must be >= 0"));
}

TEST_CASE("run.copula must be gaussian or student_t", "[scenario][errors]") {
  Fixture f;
  CHECK(f.parse_with_data("[run]\ncopula = \"gaussian\"\n").run.copula == Copula::kGaussian);
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ncopula = \"student\"\n"),
                    Contains("run.copula = \"student\": expected one of: gaussian, student_t"));
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ncopula = 1\n"),
                    Contains("run.copula = 1: expected a string"));
}

TEST_CASE("run.rng must be philox4x64 or philox4x32 (the default)", "[scenario][errors]") {
  Fixture f;
  CHECK(f.parse_with_data("").run.rng == BitGenerator::kPhilox4x32);
  CHECK(f.parse_with_data("[run]\nrng = \"philox4x64\"\n").run.rng == BitGenerator::kPhilox4x64);
  CHECK_THROWS_WITH(f.parse_with_data("[run]\nrng = \"mt19937\"\n"),
                    Contains("run.rng = \"mt19937\": expected one of: philox4x64, philox4x32"));
}

TEST_CASE("run.dof must be a number above 2, at most 1e6", "[scenario][errors]") {
  Fixture f;
  const std::string dof = GENERATE("2", "1e+07");
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ndof = " + dof + "\n"),
                    Contains("run.dof = " + dof + ": must be in (2, 1e+06]"));
  CHECK_THROWS_WITH(f.parse_with_data("[run]\ndof = \"five\"\n"),
                    Contains("run.dof = \"five\": expected a number"));
}

// ---------------------------------------------------------------- [data]

TEST_CASE("data.ccgs is required", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse("[run]\ntrials = 5\n"),
                    Contains("x.toml") && Contains("missing required key 'data.ccgs'"));
  CHECK_THROWS_WITH(f.parse("[data]\n"), Contains("missing required key 'data.ccgs'"));
}

TEST_CASE("data.ccgs must name an existing file", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse("[data]\nccgs = \"data/nope.csv\"\n"),
                    Contains("x.toml: data.ccgs = \"data/nope.csv\": no such file") &&
                        Contains((f.dir / "data/nope.csv").string()));
  CHECK_THROWS_WITH(f.parse("[data]\nccgs = 5\n"), Contains("data.ccgs = 5: expected a string"));
}

// ---------------------------------------------------------------- [plan] and [mix]

TEST_CASE("plan values are range checked", "[scenario][errors]") {
  Fixture f;
  using Case = std::tuple<std::string, std::string, std::string>;
  const auto [key, value, expected] = GENERATE(table<std::string, std::string, std::string>({
      Case{"surplus_pct", "101", "must be in [-100, 100]"},
      Case{"control_total_pct", "-100.5", "must be in [-100, 100]"},
      Case{"contingency_pct", "-0.1", "must be in [0, 100]"},
      Case{"nonrecurrent_pct", "100.5", "must be in [0, 100]"},
      Case{"cip_pct", "-1", "must be in [0, 100]"},
      Case{"spec_transfer_pct", "120", "must be in [0, 100]"},
      Case{"nonrecurrent_uncommitted", "1.5", "must be in [0, 1]"},
      Case{"surplus_pct", "\"1%\"", "expected a number"},
      Case{"cip_pct", "true", "expected a number"},
      Case{"cip_pct", "nan", "must be a finite number"},
  }));
  CHECK_THROWS_WITH(f.parse_with_data("[plan]\n" + key + " = " + value + "\n"),
                    Contains("x.toml: plan." + key + " = " + value + ": " + expected));
}

TEST_CASE("mix shares are from 0 to 1 and sum to 1", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[mix]\nacute = 1.2\n"),
                    Contains("mix.acute = 1.2: must be in [0, 1]"));
  CHECK_THROWS_WITH(f.parse_with_data("[mix]\nacute = 0.5\nspecialist = 0.05\nother = 0.5\n"),
                    Contains("x.toml: mix:") && Contains("= 1.05") && Contains("sum to 1"));
  CHECK_THROWS_WITH(f.parse_with_data("[mix]\nother = 0.44\n"),
                    Contains("mix:") && Contains("0.99"));
}

TEST_CASE("mix may miss 1 by rounding only", "[scenario]") {
  Fixture f;
  CHECK(f.parse_with_data("[mix]\nacute = 0.1\nspecialist = 0.2\nother = 0.7\n").mix.other == 0.7);
}

// ---------------------------------------------------------------- [drivers]

TEST_CASE("driver sds must be from 0 to 1 (the beta's below its own bound)", "[scenario][errors]") {
  Fixture f;
  const std::string driver =
      GENERATE("acute_growth", "specialist_growth", "other_growth", "transfer_mismatch");
  const std::string sd = GENERATE("-0.1", "1.5", "1e+300");
  CHECK_THROWS_WITH(f.parse_with_data("[drivers." + driver + "]\nsd = " + sd + "\n"),
                    Contains("x.toml: drivers." + driver + ".sd = " + sd + ": must be in [0, 1]"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.cip_delivery]\nsd = -0.1\n"),
                    Contains("x.toml: drivers.cip_delivery.sd = -0.1: must be >= 0"));
}

TEST_CASE("growth and mismatch means must be from -1 to 1", "[scenario][errors]") {
  Fixture f;
  const std::string key = GENERATE("acute_growth.mean", "specialist_growth.funded",
                                   "other_growth.mean", "transfer_mismatch.mean");
  const std::string value = GENERATE("-1.5", "1e+20");
  const std::string section = key.substr(0, key.find('.'));
  const std::string field = key.substr(key.find('.') + 1);
  CHECK_THROWS_WITH(f.parse_with_data("[drivers." + section + "]\n" + field + " = " + value + "\n"),
                    Contains("drivers." + key + " = " + value + ": must be in [-1, 1]"));
}

TEST_CASE("a beta sd too small to tabulate is refused with its key; 0 is a fixed delivery",
          "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.cip_delivery]\nmean = 0.3\nsd = 1e-300\n"),
                    Contains("drivers.cip_delivery.sd = 1e-300: must be 0 (a fixed delivery) or "
                             "at least 1.44914e-05 for mean = 0.3"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers]\nsd_multiplier = 1e-12\n"),
                    Contains("drivers.sd_multiplier = 1e-12 (making drivers.cip_delivery.sd"));
  CHECK_NOTHROW(f.parse_with_data("[drivers.cip_delivery]\nmean = 0.3\nsd = 0\n"));
  CHECK_NOTHROW(f.parse_with_data("[drivers.cip_delivery]\nmean = 0.3\nsd = 2e-5\n"));
}

TEST_CASE("driver values must be finite numbers", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.other_growth]\nmean = inf\n"),
                    Contains("drivers.other_growth.mean = inf: must be a finite number"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.acute_growth]\nfunded = \"2%\"\n"),
                    Contains("drivers.acute_growth.funded = \"2%\": expected a number"));
  CHECK_THROWS_WITH(f.parse_with_data("[drivers.transfer_mismatch]\nmean = nan\n"),
                    Contains("drivers.transfer_mismatch.mean = nan: must be a finite number"));
}

TEST_CASE("cip_delivery mean is from 0.001 to 0.999", "[scenario][errors]") {
  Fixture f;
  const std::string mean = GENERATE("0", "1e-300", "1", "0.9999", "1.2");
  CHECK_THROWS_WITH(
      f.parse_with_data("[drivers.cip_delivery]\nmean = " + mean + "\nsd = 0\n"),
      Contains("drivers.cip_delivery.mean = " + mean + ": must be in [0.001, 0.999]"));
}

TEST_CASE("cip_delivery sd must fit a beta with that mean", "[scenario][errors]") {
  Fixture f;
  // mean 0.8: the largest sd is sqrt(0.8 * 0.2) = 0.4 (exclusive).
  CHECK_THROWS_WITH(
      f.parse_with_data("[drivers.cip_delivery]\nmean = 0.8\nsd = 0.5\n"),
      Contains("drivers.cip_delivery.sd = 0.5: must be < sqrt(mean (1 - mean)) = 0.4 ") &&
          Contains("mean = 0.8"));
  // the default mean (0.8) applies when only sd is given
  CHECK_THROWS_WITH(
      f.parse_with_data("[drivers.cip_delivery]\nsd = 0.45\n"),
      Contains("drivers.cip_delivery.sd = 0.45: must be < sqrt(mean (1 - mean)) = 0.4 "));
  CHECK(f.parse_with_data("[drivers.cip_delivery]\nmean = 0.8\nsd = 0.39\n").cip_delivery.sd ==
        0.39);
}

// ---------------------------------------------------------------- [correlation]

TEST_CASE("correlation shares are from 0 to 1 and sum to at most 1", "[scenario][errors]") {
  Fixture f;
  const std::string key = GENERATE("national", "region", "area_team");
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + key + " = 1.5\n"),
                    Contains("correlation." + key + " = 1.5: must be in [0, 1]"));
  CHECK_THROWS_WITH(
      f.parse_with_data("[correlation]\nnational = 0.5\nregion = 0.4\narea_team = 0.2\n"),
      Contains("x.toml: correlation: national + region + area_team = 1.1") &&
          Contains("must be <= 1"));
  CHECK(f.parse_with_data("[correlation]\nnational = 0.5\nregion = 0.3\narea_team = 0.2\n")
            .correlation.area_team == 0.2);
}

TEST_CASE("correlation.drivers must be a 5x5 array of numbers", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(
      f.parse_with_data("[correlation]\ndrivers = [[1,0],[0,1]]\n"),
      Contains("correlation.drivers = an array: expected an array of 5 arrays of 5 numbers"));
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\ndrivers = 1\n"),
                    Contains("correlation.drivers = 1: expected an array of 5 arrays"));
  std::string short_row = matrix_with(0, 0, "1");
  short_row.replace(short_row.find("[1, 0, 0, 0, 0]"), 15, "[1, 0, 0, 0]");
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + short_row),
                    Contains("correlation.drivers[0] = an array: expected an array of 5"));
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + matrix_with(2, 3, "\"x\"")),
                    Contains("correlation.drivers[2][3] = \"x\": expected a number"));
}

TEST_CASE("correlation.drivers entries are from -1 to 1", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + matrix_with(1, 4, "1.5")),
                    Contains("correlation.drivers[1][4] = 1.5: must be in [-1, 1]"));
}

TEST_CASE("correlation.drivers must be symmetric", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + matrix_with(1, 3, "0.3")),
                    Contains("correlation.drivers[3][1] = 0 but correlation.drivers[1][3] = 0.3") &&
                        Contains("symmetric"));
}

TEST_CASE("correlation.drivers must have a unit diagonal", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + matrix_with(2, 2, "0.9")),
                    Contains("correlation.drivers[2][2] = 0.9: the diagonal must be 1"));
}

TEST_CASE("correlation.drivers must be positive definite", "[scenario][errors]") {
  Fixture f;
  const std::string m =
      "drivers = [[1, 0.9, -0.9, 0, 0], [0.9, 1, 0.9, 0, 0], [-0.9, 0.9, 1, 0, 0],"
      " [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]\n";
  CHECK_THROWS_WITH(f.parse_with_data("[correlation]\n" + m),
                    Contains("x.toml: correlation.drivers: not positive definite"));
}

// ---------------------------------------------------------------- [underfunding]

TEST_CASE("underfunding pressure must be from 0 to 100", "[scenario][errors]") {
  Fixture f;
  const std::string kappa = GENERATE("-0.2", "1000");
  CHECK_THROWS_WITH(
      f.parse_with_data("[underfunding]\npressure_per_pct_under_target = " + kappa + "\n"),
      Contains("x.toml: underfunding.pressure_per_pct_under_target = " + kappa +
               ": must be in [0, 100]"));
}

// ---------------------------------------------------------------- [[pool]]

TEST_CASE("pool must be an array of tables", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[pool]\nname = \"A\"\nmembers = [\"01C\"]\n"),
                    Contains("pool = a table: expected an array of tables ([[pool]])"));
  CHECK_THROWS_WITH(f.parse_root("pool = [1]\n"), Contains("pool[0] = 1: expected a table"));
}

TEST_CASE("a pool needs a non-empty, unique name", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nmembers = [\"01C\"]\n"),
                    Contains("pool[0].name: missing or empty"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"\"\nmembers = [\"01C\"]\n"),
                    Contains("pool[0].name: missing or empty"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = 3\nmembers = [\"01C\"]\n"),
                    Contains("pool[0].name = 3: expected a string"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\"]\n"
                                      "[[pool]]\nname = \"A\"\nmembers = [\"01R\"]\n"),
                    Contains("pool[1].name = \"A\": duplicate pool name (also pool[0])"));
}

TEST_CASE("pool members are a non-empty array of distinct codes", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\n"),
                    Contains("missing required key 'pool[0].members'"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = []\n"),
                    Contains("pool[0].members = an array: expected a non-empty array"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = \"01C\"\n"),
                    Contains("pool[0].members = \"01C\": expected a non-empty array"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\", 5]\n"),
                    Contains("pool[0].members[1] = 5: expected an ODS code"));
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\", \"01R\", "
                                      "\"01C\"]\n"),
                    Contains("pool[0].members[2] = \"01C\": listed twice"));
}

TEST_CASE("pool rule and cap are checked", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(
      f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\"]\nrule = \"half\"\n"),
      Contains("pool[0].rule = \"half\": expected one of: full, cover"));
  CHECK_THROWS_WITH(
      f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\"]\ncap_pct = -1\n"),
      Contains("pool[0].cap_pct = -1: must be in [0, 100]"));
  CHECK_THROWS_WITH(
      f.parse_with_data("[[pool]]\nname = \"A\"\nmembers = [\"01C\"]\ncap_pct = 1e300\n"),
      Contains("pool[0].cap_pct = 1e+300: must be in [0, 100]"));
}

TEST_CASE("a CCG in two pools names both pools", "[scenario][errors]") {
  Fixture f;
  CHECK_THROWS_WITH(f.parse_with_data("[[pool]]\nname = \"North\"\nmembers = [\"01C\", \"01R\"]\n"
                                      "[[pool]]\nname = \"South\"\nmembers = [\"02D\", \"01R\"]\n"),
                    Contains("'01R'") && Contains("'North'") && Contains("'South'"));
}
