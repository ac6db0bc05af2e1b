// Bounds (issue 11): extreme numbers are refused where they are read, with
// the key named; the largest allowed values run with exact pound arithmetic
// (the settlement bound holds, and the trials that need it are counted);
// unbounded requests and absurd results files are refused before anything
// is allocated.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli_fixture.hpp"
#include "engine/run.hpp"
#include "fixtures.hpp"
#include "input/error.hpp"
#include "input/limits.hpp"
#include "input/overrides.hpp"
#include "model/pooling.hpp"
#include "output/results_file.hpp"
#include "output/results_reader.hpp"
#include "output/seal.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;
using namespace ccgrisk::test::cli;
using Catch::Contains;

namespace {

// A CCG table of `rows` CCGs in 40 area teams and 4 regions.
std::string table_text(int rows) {
  std::string text = "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k\n";
  for (int i = 0; i < rows; ++i) {
    const std::string k = std::to_string(i), area = std::to_string(i % 40);
    text.append("C").append(k).append(",CCG ").append(k).append(",A").append(area);
    text.append(",Area,R").append(std::to_string(i % 40 % 4)).append(",100000\n");
  }
  return text;
}

}  // namespace

// ================================================= numbers refused where read

TEST_CASE("bounds: 1e300 anywhere money comes from is refused with the key", "[bounds]") {
  const auto [set, message] = GENERATE(table<std::string, std::string>({
      {"drivers.acute_growth.sd=1e300", "drivers.acute_growth.sd = 1e+300: must be in [0, 1]"},
      {"drivers.transfer_mismatch.mean=1e20",
       "drivers.transfer_mismatch.mean = 1e+20: must be in [-1, 1]"},
      {"drivers.sd_multiplier=1e300", "drivers.sd_multiplier = 1e+300: must be in [0, 100]"},
      {"underfunding.pressure_per_pct_under_target=1e300",
       "pressure_per_pct_under_target = 1e+300: must be in [0, 100]"},
      {"pool[0].cap_pct=1e300", "pool[0].cap_pct = 1e+300: must be in [0, 100]"},
      {"run.dof=1e300", "run.dof = 1e+300: must be in (2, 1e+06]"},
      {"drivers.cip_delivery.sd=1e-300", "drivers.cip_delivery.sd = 1e-300: must be 0"},
  }));
  Case c;
  check_rejected(c, c.run("--quiet --set " + quote(set)), {message});
}

TEST_CASE("bounds: a hub budget of 1e300 is refused with the key", "[bounds]") {
  Case c;
  c.scenario += "\n[[hub]]\nname = \"Wessex\"\nbudget_k = 1e300\n";
  check_rejected(c, c.run(), {"hub[0].budget_k = 1e+300: must be in (0, 1e+08]"});
}

TEST_CASE("bounds: an allocation of 1e300 or a NUL in a name is refused with line and column",
          "[bounds][csv]") {
  Case c;
  c.csv.cell(3, "allocation_2013_14_k") = "1e300";
  check_rejected(c, c.run(), {"ccgs.csv:3: column allocation_2013_14_k: '1e300' must be in"});
  Case d;
  d.csv.cell(4, "name") = std::string("NHS Vale\0Royal CCG", 19);
  check_rejected(d, d.run(), {"ccgs.csv:4: column name: the text contains a NUL byte"});
  Case e;
  e.csv.cell(2, "name") = "NHS \xff CCG";
  check_rejected(e, e.run(), {"ccgs.csv:2: column name: the text is not valid UTF-8"});
}

TEST_CASE("bounds: a table of more than 10,000 CCGs is refused", "[bounds][csv]") {
  Case c;
  c.raw_csv = table_text(limits::kMaxCcgs + 1);
  c.scenario = "[run]\ntrials = 10\n[data]\nccgs = \"ccgs.csv\"\n";
  check_rejected(c, c.run(), {"ccgs.csv: 10001 CCGs; at most 10000 are accepted"});
}

// ============================================ the largest allowed values run

// Every amount at its bound: growth sd 1 times 100, a national shock of 50 sd,
// a Student-t copula with 2.01 degrees of freedom, allocations of GBP 100bn.
TEST_CASE("bounds: the largest allowed values settle within the bound, counted", "[bounds]") {
  Scenario s = deterministic_scenario(400);
  s.acute_growth = {1.0, 1.0, -1.0};
  s.specialist_growth = {1.0, 1.0, -1.0};
  s.transfer_mismatch = {1.0, 1.0};
  s.sd_multiplier = 100.0;
  s.national_shock.setConstant(50.0);
  s.run.copula = Copula::kStudentT;
  s.run.dof = 2.01;
  s.pools = {{"all", {"C10", "C11", "C12"}, PoolRule::kFull, 1.0}};
  CcgTable table = small_table(6);
  for (CcgRecord& r : table.rows)
    r.allocation_k = limits::kMaxAllocationK;
  const Results r = run_scenario(s, table, RunOptions{2});
  CHECK(r.provenance.trials_capped > 0);
  const double bound_k = limits::kMaxPressureGbp / 1000.0;
  for (std::size_t i = 0; i < r.code.size(); ++i) {
    INFO("CCG " << r.code[i]);
    CHECK(std::isfinite(r.before.surplus_mean_k[i]));
    CHECK(std::isfinite(r.before.surplus_sd_k[i]));
    CHECK(r.before.surplus_min_k[i] >= -bound_k - limits::kMaxAllocationK);
    CHECK(r.before.surplus_max_k[i] <= bound_k + 2 * limits::kMaxAllocationK);
    CHECK(r.before.p_red[i] >= 0.0);
    CHECK(r.before.p_red[i] <= 1.0);
  }
  // Money is still conserved by the pool: the pooled mean total equals the total.
  CHECK(r.pools.at(0).total_surplus_mean_pooled_k == r.pools.at(0).total_surplus_mean_k);
}

TEST_CASE("bounds: real figures never reach the settlement bound", "[bounds]") {
  Scenario s = load_scenario_with_overrides(
      std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml",
      {{"run.trials", "2000"}, {"run.copula", "\"student_t\""}, {"run.dof", "2.5"}});
  const Results r = run_scenario(s, read_ccg_table(s.ccgs), RunOptions{2});
  CHECK(r.provenance.trials_capped == 0);
}

// ======================================================= unbounded requests

TEST_CASE("bounds: command-line counts out of range exit 2 with a short message", "[bounds][cli]") {
  // {s}: the scenario, {o}: "-o OUT.h5" (filled in for each case's folder).
  const auto [pattern, message] = GENERATE(table<std::string, std::string>({
      {"run {s} {o} --threads 100000", "--threads: '100000' is not a whole number"},
      {"run {s} {o} --threads -1", "--threads: '-1' is not a whole number from 0"},
      {"run {s} {o} -o x.h5", "--output given 2 times (give it once)"},
      {"sweep {s} {o} --param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 2000000000",
       "--steps: '2000000000' is not a whole number from 2 to 1000"},
      {"breakeven {s} {o} --param drivers.cip_delivery.mean --p 0.5 --grid 1e9",
       "--grid: '1e9' is not a whole number from 3 to 1000"},
      {"breakeven {s} {o} --param drivers.cip_delivery.mean --p 0.5 --top -3",
       "--top: '-3' is not a whole number from 0"},
      {"reverse-stress {s} {o} --red 2 --show -1", "--show: '-1' is not a whole number from 0"},
      {"reverse-stress {s} {o} --red 2 --tolerance 1e-300",
       "--tolerance 1e-300: must be in [1e-9, 1)"},
      {"bench {s} --rounds 1e9", "--rounds: '1e9' is not a whole number from 1"},
  }));
  Case c;
  c.write_inputs();
  std::string args = pattern;
  args.replace(args.find("{s}"), 3, quote(c.scenario_path().string()));
  if (const auto at = args.find("{o}"); at != std::string::npos)
    args.replace(at, 3, "-o " + quote(c.out_path().string()));
  INFO(args);
  const CliResult r = run_cli(args, "timeout 60");
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Contains(message));
  CHECK(r.err.size() < 300);
  CHECK_FALSE(fs::exists(c.out_path()));
}

TEST_CASE("bounds: a run that would not fit in memory is refused before it starts",
          "[bounds][cli]") {
  Case c;
  c.raw_csv = table_text(limits::kMaxCcgs);
  c.scenario = "[run]\ntrials = 10000000\n[data]\nccgs = \"ccgs.csv\"\n";
  const CliResult r = c.run("--quiet --threads 1024");
  INFO(r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Contains("this run would need about") && Contains("use fewer threads"));
  CHECK_FALSE(fs::exists(c.out_path()));
}

// ===================================================== absurd results files

TEST_CASE("bounds: a results file declaring 1e9 CCG codes is refused without allocating",
          "[bounds][reader]") {
  TempDir dir;
  const fs::path path = dir / "huge.h5";
  write_results_file(run_scenario(deterministic_scenario(), small_table(4), RunOptions{1}), path);
  {  // /ccg/code replaced by 1e9 strings with no data written (no space taken
     // on disk); the seal is blanked, as in a file from before seals.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.write(std::string(kSealBytes, '\0').data(), kSealBytes);
    f.close();
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(file >= 0);
    REQUIRE(H5Ldelete(file, "/ccg/code", H5P_DEFAULT) >= 0);
    const hid_t text = H5Tcopy(H5T_C_S1);
    H5Tset_size(text, H5T_VARIABLE);
    const hsize_t billion = 1'000'000'000;
    const hid_t many = H5Screate_simple(1, &billion, nullptr);
    const hid_t d =
        H5Dcreate2(file, "/ccg/code", text, many, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    H5Dclose(d);
    H5Sclose(many);
    H5Tclose(text);
    H5Fclose(file);
  }
  REQUIRE(fs::file_size(path) < 10'000'000);
  CHECK_THROWS_WITH(read_results_file(path), Contains("/ccg/code has shape (1000000000)") &&
                                                 Contains("expected a list of at most 10000"));
}
