// Command-line overrides of scenario keys (`--set KEY=VALUE`, issue 4): the
// KEY forms, VALUE types, errors worded as the file's own plus a note, the
// provenance text, and the `ccgrisk run --set` command line end to end.
#include "input/error.hpp"
#include "input/overrides.hpp"
#include "input/scenario.hpp"
#include "output/hdf5.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace ccgrisk;
using Catch::Contains;
using Catch::StartsWith;
using test::quote;
using test::run_cli;
using test::TempDir;
using test::write_file;

namespace {

namespace fs = std::filesystem;

// Two pools, one with a space in its name; no [shift], [correlation] or [hub].
const std::string kBase = R"([run]
trials = 1000
seed = 7

[data]
ccgs = "data/ccgs.csv"

[drivers.cip_delivery]
mean = 0.8
sd = 0.15

[[pool]]
name = "Staffordshire"
members = ["04Y", "05D"]

[[pool]]
name = "Black Country"
members = ["05L"]
rule = "cover"
cap_pct = 1.5
)";

const std::string kHubs = R"(
[[hub]]
name = "Cheshire and Merseyside"
budget_k = 500000

[[hub]]
name = "Wessex"
budget_k = 400000
cip_pct = 2.0
)";

// A folder with data/ccgs.csv (only its existence is checked); scenarios
// are read as if they were x.toml in it.
struct Fixture {
  TempDir dir;
  Fixture() { write_file(dir / "data/ccgs.csv", "placeholder\n"); }
  fs::path path() const { return dir / "x.toml"; }

  Scenario with(const std::vector<std::string>& sets, const std::string& text = kBase) const {
    std::vector<Override> overrides;
    for (const std::string& s : sets)
      overrides.push_back(parse_override(s));
    return scenario_with_overrides(text, path(), overrides);
  }
  // The message of the InputError that `sets` on `text` raise.
  std::string error(const std::vector<std::string>& sets, const std::string& text = kBase) const {
    try {
      with(sets, text);
    } catch (const InputError& e) {
      return e.what();
    }
    FAIL("no InputError");
    return "";
  }
  // The message the file itself gives for `text`.
  std::string file_error(const std::string& text) const {
    try {
      parse_scenario(text, path());
    } catch (const InputError& e) {
      return e.what();
    }
    FAIL("no InputError");
    return "";
  }
};

std::string parse_error(const std::string& arg) {
  try {
    parse_override(arg);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError for " << arg);
  return "";
}

std::string with_note(const std::string& message, const std::string& set) {
  return std::string(message).append(" (set on the command line by --set ").append(set).append(")");
}

}  // namespace

// ------------------------------------------------------------- parsing

TEST_CASE("overrides: KEY=VALUE splits at the first '=' outside quotes, trimmed", "[overrides]") {
  const Override o = parse_override("drivers.cip_delivery.mean=0.6");
  CHECK(o.key == "drivers.cip_delivery.mean");
  CHECK(o.value == "0.6");
  CHECK(o.source.empty());
  CHECK(describe_override(o) == "--set drivers.cip_delivery.mean=0.6");

  const Override q = parse_override(R"(shift.region."a=b" = "x=y")");
  CHECK(q.key == R"(shift.region."a=b")");
  CHECK(q.value == R"("x=y")");
}

TEST_CASE("overrides: malformed KEY=VALUE is an InputError naming the argument", "[overrides]") {
  CHECK(parse_error("abc") == "--set 'abc': expected KEY=VALUE");
  CHECK(parse_error("=5") == "--set '=5': expected KEY=VALUE");
  CHECK_THAT(parse_error("a..b=1"), StartsWith("--set 'a..b=1': bad KEY 'a..b': empty key"));
  CHECK_THAT(parse_error("pool[x].cap_pct=1"), Contains("expected an index"));
  CHECK_THAT(parse_error("pool[0.cap_pct=1"), Contains("expected ']'"));
  CHECK_THAT(parse_error(R"(shift."Midlands=1)"), Contains("expected KEY=VALUE"));
  CHECK_THAT(parse_error(R"(shift."Midlands.x=1)"), Contains("expected KEY=VALUE"));
  CHECK_THAT(parse_error("run.copula="), Contains("missing VALUE"));
  CHECK_THAT(parse_error("pool[0].members=[\"04Y\""), Contains("is not a TOML value"));
  CHECK_THAT(parse_error("run.trials={a=1"), Contains("VALUE '{a=1' is not a TOML value"));
  CHECK_THAT(parse_error("run.seed=\"7"), Contains("is not a TOML value"));
  CHECK_THAT(parse_error("run.seed=18446744073709551616"),
             Contains("VALUE 18446744073709551616 is out of the range of a TOML integer"));
  CHECK_THAT(parse_error("run.seed=007"), Contains("VALUE '007' is not a TOML value"));
}

TEST_CASE("overrides: an unterminated quoted KEY segment is an error", "[overrides]") {
  // The '=' inside the open quote is not the separator: no KEY=VALUE at all.
  CHECK(parse_error(R"(a."b=1)") == R"(--set 'a."b=1': expected KEY=VALUE)");
  CHECK_THAT(parse_error(R"(a."b"c=1)"), Contains("unexpected 'c'"));
}

TEST_CASE("overrides: one canonical text per KEY, and the fixed keys whatever their spelling",
          "[overrides]") {
  CHECK(canonical_key("run.\"trials\"") == "run.trials");
  CHECK(canonical_key(" run . 'seed' ") == "run.seed");
  CHECK(canonical_key("shift.region.Midlands and East") == "shift.region.\"Midlands and East\"");
  CHECK(canonical_key("pool [1] . cap_pct") == "pool[1].cap_pct");
  CHECK_THROWS_AS(canonical_key("run..trials"), InputError);
  for (const char* fixed : {"run.\"trials\"", "run . seed", "'horizon'.years"})
    CHECK_FALSE(fixed_key_reason(fixed).empty());
  CHECK(fixed_key_reason("run.copula").empty());
  CHECK(fixed_key_reason("run..trials").empty());  // malformed: its reader says so
}

TEST_CASE("overrides: option_override names the option in messages", "[overrides]") {
  const Override o = option_override("--trials", "run.trials", "0");
  CHECK(o.key == "run.trials");
  CHECK(o.value == "0");
  CHECK(describe_override(o) == "--trials 0");
  Fixture f;
  try {
    scenario_with_overrides(kBase, f.path(), {o});
    FAIL("no InputError");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(), Contains("run.trials = 0: must be >= 1"));
    CHECK_THAT(e.what(), Contains("(set on the command line by --trials 0)"));
  }
}

TEST_CASE(
    "overrides: an option replacing a wrong value of the file is not blamed for another "
    "error",
    "[overrides]") {
  Fixture f;
  // The file's seed is a string, which --seed replaces; the error left is the
  // CIP delivery's, which no override touched.
  std::string text = kBase;
  text.replace(text.find("seed = 7"), 8, "seed = \"x\"");
  text.replace(text.find("mean = 0.8"), 10, "mean = 1.5");
  const std::string m = f.error({"run.seed=5"}, text);
  CHECK_THAT(m, Contains("drivers.cip_delivery.mean = 1.5"));
  CHECK_THAT(m, !Contains("set on the command line"));
  // An override that does cause its error is still named.
  text.replace(text.find("mean = 1.5"), 10, "mean = 0.8");
  CHECK_THAT(
      f.error({"run.seed=-5"}, text),
      Contains("run.seed = -5") && Contains("(set on the command line by --set run.seed=-5)"));
}

// ----------------------------------------------------------- KEY forms

TEST_CASE("overrides: dotted keys set existing values", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"drivers.cip_delivery.mean=0.6", "run.trials=5000", "run.seed=99"});
  CHECK(s.cip_delivery.mean == 0.6);
  CHECK(s.cip_delivery.sd == 0.15);
  CHECK(s.run.trials == 5000);
  CHECK(s.run.seed == 99u);
}

TEST_CASE("overrides: missing sections and intermediate tables are created", "[overrides]") {
  Fixture f;
  const Scenario s = f.with(
      {"correlation.national=0.3", "drivers.acute_growth.sd=0.02", "shift.region.London=0.5"});
  CHECK(s.correlation.national == 0.3);
  CHECK(s.acute_growth.sd == 0.02);
  CHECK(s.acute_growth.mean == Scenario{}.acute_growth.mean);
  REQUIRE(s.shifts.region_pct.count("London") == 1);
  CHECK(s.shifts.region_pct.at("London") == 0.5);
}

TEST_CASE("overrides: quoted segments address names with spaces", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({R"(shift.region."Midlands and East"=0.5)",
                             R"(shift.area_team.'Q60' = -0.25)", R"("run"."seed"=11)"});
  REQUIRE(s.shifts.region_pct.count("Midlands and East") == 1);
  CHECK(s.shifts.region_pct.at("Midlands and East") == 0.5);
  CHECK(s.shifts.area_team_pct.at("Q60") == -0.25);
  CHECK(s.run.seed == 11u);
}

TEST_CASE("overrides: array elements by index", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"pool[0].rule=cover", "pool[1].cap_pct=3", "pool[0].members[1]=05Q"});
  REQUIRE(s.pools.size() == 2);
  CHECK(s.pools[0].rule == PoolRule::kCover);
  CHECK(s.pools[1].cap_pct == 3.0);
  CHECK(s.pools[0].members == std::vector<std::string>{"04Y", "05Q"});
}

TEST_CASE("overrides: array-of-tables elements by their name", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"pool.Staffordshire.cap_pct=2", "pool.Staffordshire.rule=\"cover\"",
                             R"(pool."Black Country".cap_pct=0.5)"});
  CHECK(s.pools[0].cap_pct == 2.0);
  CHECK(s.pools[0].rule == PoolRule::kCover);
  CHECK(s.pools[1].cap_pct == 0.5);
}

TEST_CASE("overrides: hub entries by name and by index", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"hub.Wessex.shift_pct=1.5", "hub[0].budget_k=600000",
                             R"(hub."Cheshire and Merseyside".cip_pct=1)"},
                            kBase + kHubs);
  REQUIRE(s.hubs.size() == 2);
  CHECK(s.hubs[1].shift_pct == 1.5);
  CHECK(s.hubs[1].cip_pct == 2.0);
  CHECK(s.hubs[0].budget_k == 600000.0);
  CHECK(s.hubs[0].cip_pct == 1.0);
}

TEST_CASE("overrides: matrix entries by two indexes", "[overrides]") {
  Fixture f;
  const std::string text = kBase +
                           "[correlation]\ndrivers = [[1,0,0,0,0],[0,1,0,0,0],[0,0,1,0,0],"
                           "[0,0,0,1,0],[0,0,0,0,1]]\n";
  const Scenario s =
      f.with({"correlation.drivers[0][1]=0.3", "correlation.drivers[1][0]=0.3"}, text);
  CHECK(s.driver_correlation(0, 1) == 0.3);
  CHECK(s.driver_correlation(1, 0) == 0.3);
}

// --------------------------------------------------------- VALUE types

TEST_CASE("overrides: numbers, an integer where a float is expected, booleans", "[overrides]") {
  Fixture f;
  const Scenario s = f.with(
      {"plan.cip_pct=4", "plan.surplus_pct=-0.5", "run.dof=7.5", "volatility.size_scaling=true"});
  CHECK(s.plan.cip_pct == 4.0);
  CHECK(s.plan.surplus_pct == -0.5);
  CHECK(s.run.dof == 7.5);
  CHECK(s.volatility.size_scaling);
}

TEST_CASE("overrides: strings quoted or as a bare word", "[overrides]") {
  Fixture f;
  CHECK(f.with({R"(run.copula="student_t")"}).run.copula == Copula::kStudentT);
  CHECK(f.with({"run.copula=student_t"}).run.copula == Copula::kStudentT);
  CHECK(f.with({"run.copula='student_t'"}).run.copula == Copula::kStudentT);
  const Scenario s = f.with({"data.ccgs=data/ccgs.csv"});
  CHECK(s.ccgs == f.dir / "data/ccgs.csv");
}

TEST_CASE("overrides: arrays replace arrays", "[overrides]") {
  Fixture f;
  const Scenario s = f.with(
      {R"(pool[0].members=["04Y","05D","05G"])", R"(pool.Staffordshire.members = [ "05Q" ])"});
  CHECK(s.pools[0].members == std::vector<std::string>{"05Q"});  // the later one wins
}

TEST_CASE("overrides: a later override of the same key wins", "[overrides]") {
  Fixture f;
  CHECK(f.with({"run.trials=10", "run.trials=20"}).run.trials == 20);
}

// --------------------------------------------------------------- errors

TEST_CASE("overrides: a path through a value that is not a table", "[overrides]") {
  Fixture f;
  const std::string m = f.error({"run.trials.x=1"});
  CHECK_THAT(m, StartsWith("--set 'run.trials.x=1': run.trials = 1000 in "));
  CHECK_THAT(m, Contains("x.toml is not a table, so it has no key 'x'"));
  CHECK_THAT(f.error({"run[0]=1"}), Contains("run is a table in "));
  CHECK_THAT(f.error({"run[0]=1"}), Contains("not an array, so it has no [0]"));
  CHECK_THAT(f.error({"run.trials[0]=1"}), Contains("run.trials is 1000 in "));
  CHECK_THAT(f.error({"pool[0].members.x=1"}), Contains("no element of pool[0].members"));
}

TEST_CASE("overrides: index out of range names the array and its size", "[overrides]") {
  Fixture f;
  const std::string m = f.error({"pool[5].cap_pct=1"});
  CHECK_THAT(m, StartsWith("--set 'pool[5].cap_pct=1': pool has 2 element(s) in "));
  CHECK_THAT(m, Contains("so there is no pool[5] (indexes start at 0)"));
  CHECK_THAT(f.error({"pool[0].members[2]=\"05Q\""}), Contains("pool[0].members has 2 element(s)"));
  CHECK_THAT(f.error({"hub[0].budget_k=1"}), Contains("hub is not in "));
}

TEST_CASE("overrides: no element with that name lists the names there are", "[overrides]") {
  Fixture f;
  const std::string m = f.error({"pool.Stafford.cap_pct=1"});
  CHECK_THAT(m, StartsWith("--set 'pool.Stafford.cap_pct=1': no element of pool in "));
  CHECK_THAT(m, Contains("has name = \"Stafford\" (names: \"Staffordshire\", \"Black Country\")"));
}

TEST_CASE("overrides: two elements with the name asked for is an error", "[overrides]") {
  Fixture f;
  const std::string text = kBase + "\n[[pool]]\nname = \"Staffordshire\"\nmembers = [\"05G\"]\n";
  CHECK_THAT(f.error({"pool.Staffordshire.cap_pct=1"}, text),
             Contains("pool in " + f.path().string() +
                      " has more than one element with name = \"Staffordshire\""));
}

TEST_CASE("overrides: messages quote key segments that are not bare", "[overrides]") {
  Fixture f;
  const std::string text = kBase + "[shift.region]\n\"Midlands and East\" = 0.5\n";
  CHECK_THAT(f.error({R"(shift.region."Midlands and East".x=1)"}, text),
             Contains(R"(: shift.region."Midlands and East" = 0.5 in )"));
}

TEST_CASE("overrides: an unknown key gives the file's message and a note", "[overrides]") {
  Fixture f;
  std::string text = kBase;
  text.replace(text.find("sd = 0.15"), 9, "sd = 0.15\nmeen = 0.6");
  const std::string from_file = f.file_error(text);
  CHECK_THAT(from_file, Contains("unknown key 'drivers.cip_delivery.meen'"));
  CHECK(f.error({"drivers.cip_delivery.meen=0.6"}) ==
        with_note(from_file, "drivers.cip_delivery.meen=0.6"));
}

TEST_CASE("overrides: an out-of-range value names key and value, as the file would",
          "[overrides]") {
  Fixture f;
  const std::string from_file = f.file_error(kBase + "[drivers.acute_growth]\nsd = -1\n");
  CHECK_THAT(from_file, Contains("x.toml: drivers.acute_growth.sd = -1: must be in [0, 1]"));
  CHECK(f.error({"drivers.acute_growth.sd=-1"}) ==
        with_note(from_file, "drivers.acute_growth.sd=-1"));
  CHECK_THAT(f.error({"run.copula=student"}),
             Contains("run.copula = \"student\": expected one of: gaussian, student_t"));
  CHECK_THAT(f.error({"run.trials=\"many\""}),
             Contains("run.trials = \"many\": expected an integer"));
  // Not TOML, so taken as a bare word: the reader then says what it expected.
  CHECK_THAT(f.error({"run.trials=12abc"}),
             Contains("run.trials = \"12abc\": expected an integer"));
  CHECK_THAT(f.error({"plan.cip_pct=0.0.1"}),
             Contains("plan.cip_pct = \"0.0.1\": expected a number"));
}

TEST_CASE("overrides: the note names only the overrides that caused the error", "[overrides]") {
  Fixture f;
  // A key checked against another: mean 0.99 makes the file's sd too large.
  const std::string m = f.error({"run.seed=3", "drivers.cip_delivery.mean=0.99"});
  CHECK_THAT(m, Contains("drivers.cip_delivery.sd = 0.15: must be < "));
  CHECK_THAT(m, Contains("(set on the command line by --set drivers.cip_delivery.mean=0.99)"));
  CHECK_THAT(m, !Contains("run.seed"));
  // An error in the file itself gets no note.
  const std::string bad_file = kBase + "[plan]\ncip_pct = -1\n";
  CHECK(f.error({"run.seed=3"}, bad_file) == f.file_error(bad_file));
}

TEST_CASE("overrides: a new table where an array of tables belongs fails validation",
          "[overrides]") {
  Fixture f;
  const std::string m = f.error({"hub.Wessex.shift_pct=1"});
  CHECK_THAT(m, Contains("hub = a table: expected an array of tables ([[hub]])"));
  CHECK_THAT(m, Contains("(set on the command line by --set hub.Wessex.shift_pct=1)"));
}

// ----------------------------------------------------------- provenance

TEST_CASE("overrides: without overrides the text is the file's", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({});
  CHECK(s.text == kBase);
  CHECK(parse_scenario(s.effective_toml, f.path()).run.trials == 1000);
}

TEST_CASE("overrides: the text is the file plus a comment block of the overrides", "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"drivers.cip_delivery.mean=0.6", "run.copula=student_t",
                             R"(pool.Staffordshire.members=["04Y","05Q"])"});
  const std::string block =
      "\n# --- overrides from the command line (ccgrisk --set) ---\n"
      "# drivers.cip_delivery.mean = 0.6\n"
      "# run.copula = \"student_t\"\n"
      "# pool.Staffordshire.members = [\"04Y\",\"05Q\"]\n";
  CHECK(s.text == kBase + block);
  // The text still reads as the file's scenario.
  CHECK(parse_scenario(s.text, f.path()).cip_delivery.mean == 0.8);
}

TEST_CASE("overrides: effective_toml is the effective scenario as TOML", "[overrides]") {
  Fixture f;
  const Scenario s =
      f.with({"drivers.cip_delivery.mean=0.6", R"(shift.region."Midlands and East"=0.5)",
              "pool.Staffordshire.cap_pct=2"});
  CHECK_THAT(s.effective_toml, Contains("mean = 0.6"));
  const Scenario again = parse_scenario(s.effective_toml, f.path());
  CHECK(again.cip_delivery.mean == 0.6);
  CHECK(again.shifts.region_pct.at("Midlands and East") == 0.5);
  CHECK(again.pools[0].cap_pct == 2.0);
  CHECK(again.pools[1].name == "Black Country");
  CHECK(again.run.seed == 7u);
}

TEST_CASE("overrides: effective_toml writes sections, arrays of tables and shortest floats",
          "[overrides]") {
  Fixture f;
  const Scenario s = f.with({"drivers.cip_delivery.mean=0.6",
                             "shift.region.\"Midlands and East\"=0.5", "plan.cip_pct=3.1"});
  // Keys sorted (toml++ keeps tables as maps); no header for [drivers] or [shift].
  const std::string expected = R"([data]
ccgs = "data/ccgs.csv"

[drivers.cip_delivery]
mean = 0.6
sd = 0.15

[plan]
cip_pct = 3.1

[[pool]]
members = ["04Y", "05D"]
name = "Staffordshire"

[[pool]]
cap_pct = 1.5
members = ["05L"]
name = "Black Country"
rule = "cover"

[run]
seed = 7
trials = 1000

[shift.region]
"Midlands and East" = 0.5
)";
  CHECK(s.effective_toml == expected);
}

TEST_CASE("overrides: effective_toml escapes strings so that they read back", "[overrides]") {
  Fixture f;
  const std::string name = "Black \"C\" \\ x ' y \u00e9";
  const Scenario s = f.with({R"(pool[1].name="Black \"C\" \\ x ' y \u00e9")"});
  CHECK(s.pools[1].name == name);
  CHECK(parse_scenario(s.effective_toml, f.path()).pools[1].name == name);
}

TEST_CASE("overrides: a name with a control character or a NUL is refused with its key",
          "[overrides]") {
  Fixture f;
  CHECK_THAT(f.error({R"(pool[1].name="a\ty")"}),
             Contains("pool[1].name: the text contains the control character 0x09"));
  CHECK_THAT(f.error({R"(pool[1].name="a\u0000y")"}),
             Contains("pool[1].name: the text contains a NUL byte"));
}

TEST_CASE("overrides: load_scenario_with_overrides reads the file", "[overrides]") {
  Fixture f;
  write_file(f.path(), kBase);
  const Scenario s = load_scenario_with_overrides(f.path(), {parse_override("run.trials=77")});
  CHECK(s.run.trials == 77);
  CHECK(s.path == f.path());
  CHECK_THAT(s.text, StartsWith(kBase));
  CHECK_THROWS_AS(load_scenario_with_overrides(f.dir / "none.toml", {}), InputError);
}

// ------------------------------------------------------- command line

namespace {

constexpr int kExitBadInput = 2;

// A minimal scenario on the shipped CCG table, in a fresh folder.
struct CliCase {
  TempDir dir;
  fs::path scenario = dir / "s.toml";
  fs::path out = dir / "OUT.h5";
  CliCase() {
    std::string text = "[run]\ntrials = 300\nseed = 5\n\n[data]\nccgs = ";
    text.append(quote(test::shipped_ccg_table().string())).append("\n");
    write_file(scenario, text);
  }
  test::CliResult run(const std::string& extra) const {
    std::string args = "run ";
    args.append(quote(scenario.string())).append(" -o ").append(quote(out.string()));
    return run_cli(args.append(" --quiet ").append(extra));
  }
  std::string scenario_toml() const {
    const h5::File file = h5::File::open(out);
    return h5::read_string_attribute(file, "scenario_toml");
  }
};

}  // namespace

TEST_CASE("overrides cli: run --set records the override in scenario_toml", "[overrides][cli]") {
  CliCase c;
  const test::CliResult r = c.run("--set drivers.cip_delivery.mean=0.6");
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string toml = c.scenario_toml();
  CHECK_THAT(toml, StartsWith("[run]\ntrials = 300\n"));
  CHECK_THAT(toml, Contains("# --- overrides from the command line (ccgrisk --set) ---\n"
                            "# drivers.cip_delivery.mean = 0.6\n"));
}

TEST_CASE("overrides cli: --set repeats, and --trials and --seed are overrides too",
          "[overrides][cli]") {
  CliCase c;
  const test::CliResult r =
      c.run(std::string("--set run.copula=student_t --set=drivers.cip_delivery.sd=0.1 ")
                .append("--trials 200 --seed 9 ")
                .append(quote(R"(--set=shift.region."Midlands and East"=0.5)")));
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string toml = c.scenario_toml();
  CHECK_THAT(toml, Contains("# run.copula = \"student_t\"\n# drivers.cip_delivery.sd = 0.1\n"
                            "# shift.region.\"Midlands and East\" = 0.5\n"
                            "# run.trials = 200\n# run.seed = 9\n"));
  const h5::File file = h5::File::open(c.out);
  CHECK(h5::read_attribute<std::uint64_t>(file, "seed").at(0) == 9u);
}

TEST_CASE("overrides cli: a bad --set exits 2 with the message and writes nothing",
          "[overrides][cli]") {
  CliCase c;
  const std::string set = GENERATE("drivers.cip_delivery.mean=1.5", "abc", "run.trials.x=1",
                                   "drivers.cip_delivery.meen=0.6", "pool.Staffs.cap_pct=1");
  const test::CliResult r = c.run(std::string("--set ").append(quote(set)));
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, StartsWith("ccgrisk: error: "));
  CHECK_THAT(r.err, Contains(set));
  CHECK_FALSE(fs::exists(c.out));
}

TEST_CASE("overrides cli: out-of-range --set names key, value and the option", "[overrides][cli]") {
  CliCase c;
  const test::CliResult r = c.run("--set drivers.cip_delivery.mean=1.5");
  CHECK_THAT(r.err, Contains("s.toml: drivers.cip_delivery.mean = 1.5: must be in [0.001, 0.999]"));
  CHECK_THAT(r.err, Contains("(set on the command line by --set drivers.cip_delivery.mean=1.5)"));
  const test::CliResult t = c.run("--trials 0");
  CHECK(t.exit_code == kExitBadInput);
  CHECK_THAT(t.err,
             Contains("run.trials = 0: must be >= 1 (set on the command line by --trials 0)"));
  const test::CliResult s = c.run("--seed -3");
  CHECK(s.exit_code == kExitBadInput);
  CHECK_THAT(s.err, Contains("run.seed = -3: must be >= 0 (set on the command line by --seed -3)"));
  CHECK_FALSE(fs::exists(c.out));
}
