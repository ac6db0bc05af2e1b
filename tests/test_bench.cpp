// ccgrisk bench (issue 6): the thread list, the bit-identity check, the JSON
// writer, and the command end to end on a tiny scenario.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>

#include "app/results_identity.hpp"
#include "app/scaling.hpp"
#include "engine/run.hpp"
#include "fixtures.hpp"
#include "input/error.hpp"
#include "support.hpp"

using namespace ccgrisk;
using Catch::Contains;
using ccgrisk::test::quote;
using ccgrisk::test::run_cli;
using ccgrisk::test::TempDir;
using ccgrisk::test::write_file;

namespace {

// Six made-up CCGs in two regions and three area teams.
const char* const kTinyCsv =
    "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,target_distance_pct\n"
    "A01,NHS Alpha CCG,T01,Team One,Northern,150000,-3.0\n"
    "A02,NHS Bravo CCG,T01,Team One,Northern,220000,1.5\n"
    "A03,NHS Charlie CCG,T02,Team Two,Northern,310000,-0.5\n"
    "A04,NHS Delta CCG,T03,Team Three,Southern,180000,2.0\n"
    "A05,NHS Echo CCG,T03,Team Three,Southern,260000,\n"
    "A06,NHS Foxtrot CCG,T03,Team Three,Southern,120000,-6.0\n";

// Defaults everywhere else; a "cover" pool so risk sharing is exercised.
const char* const kTinyScenario = R"([run]
trials = 500
seed = 7

[data]
ccgs = "ccgs.csv"

[[pool]]
name = "Southern"
members = ["A04", "A05", "A06"]
rule = "cover"
)";

// A folder with the tiny scenario; args() runs `ccgrisk bench` on it.
struct TinyBench {
  TempDir dir;
  TinyBench() {
    write_file(dir / "ccgs.csv", kTinyCsv);
    write_file(dir / "s.toml", kTinyScenario);
  }
  std::string scenario() const { return quote((dir / "s.toml").string()); }
  test::CliResult bench(const std::string& extra) const {
    return run_cli("bench " + scenario() + " --trials 2000 -q " + extra);
  }
};

std::string thread_list_error(const std::string& text) {
  try {
    parse_thread_list(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

bool have_python() {
  return std::filesystem::exists("/usr/bin/python3");
}

// Runs a Python snippet on `file` with Debian's python3; its exit status.
int python_check(const std::string& code, const std::filesystem::path& file) {
  const std::string cmd = "/usr/bin/python3 -c " + quote(code) + " " + quote(file.string());
  return std::system(cmd.c_str());
}

Results tiny_results(int threads) {
  Scenario s;
  s.run.trials = 3000;
  s.pools.push_back({"P", {"C10", "C11", "C12"}, PoolRule::kCover, 1.0});
  return run_scenario(s, test::small_table(8), RunOptions{threads});
}

}  // namespace

// ------------------------------------------------------------------ threads

TEST_CASE("bench: thread lists parse, with spaces allowed around entries", "[bench]") {
  CHECK(parse_thread_list("1,2,4") == std::vector<int>{1, 2, 4});
  CHECK(parse_thread_list(" 8, 1 ") == std::vector<int>{8, 1});
  CHECK(parse_thread_list("3") == std::vector<int>{3});
}

TEST_CASE("bench: bad thread lists are rejected with the option and the value", "[bench]") {
  CHECK_THAT(thread_list_error(""), Contains("--threads ''") && Contains("empty"));
  CHECK_THAT(thread_list_error("0"), Contains("--threads '0'") && Contains("at least 1"));
  CHECK_THAT(thread_list_error("-2"), Contains("at least 1"));
  CHECK_THAT(thread_list_error("abc"), Contains("'abc' is not a whole number"));
  CHECK_THAT(thread_list_error("2x"), Contains("'2x' is not a whole number"));
  CHECK_THAT(thread_list_error("1,,2"), Contains("empty"));
  CHECK_THAT(thread_list_error("1,2,"), Contains("empty"));
  CHECK_THAT(thread_list_error("1,2,1"), Contains("1 is listed twice"));
  CHECK_THAT(thread_list_error("99999"), Contains("at most"));
}

TEST_CASE("bench: default thread lists double up to the CPU count", "[bench]") {
  CHECK(default_thread_list(1) == std::vector<int>{1});
  CHECK(default_thread_list(2) == std::vector<int>{1, 2});
  CHECK(default_thread_list(8) == std::vector<int>{1, 2, 4, 8});
  CHECK(default_thread_list(12) == std::vector<int>{1, 2, 4, 8, 12});
  CHECK(default_thread_list(0) == std::vector<int>{1});
}

TEST_CASE("bench: scaling rows: medians, throughput, speed-up and efficiency", "[bench]") {
  const std::vector<ThreadTiming> timings = {{2, {1.0, 3.0, 2.0}, {2.0, 5.0, 4.0}, 10.0},
                                             {1, {4.0, 4.5}, {4.0, 4.5}, 9.0}};
  const ScalingTable t = scaling_table(timings, 1e6, 1);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.reference_threads == 1);  // 1 thread is the reference even when listed second
  CHECK(t.rows[0].median_s == 2.0);
  CHECK(t.rows[0].min_s == 1.0);
  CHECK(t.rows[0].max_s == 3.0);
  CHECK(t.rows[0].median_cpu_s == 4.0);
  CHECK(t.rows[0].ccg_trials_per_s == 5e5);
  CHECK(t.rows[0].speedup == Approx(4.25 / 2.0));
  CHECK(t.rows[0].efficiency == Approx(4.25 / 4.0));
  CHECK(t.rows[0].oversubscribed);  // 2 threads on 1 CPU
  CHECK(t.rows[1].median_s == 4.25);
  CHECK_FALSE(t.rows[1].oversubscribed);
}

// ----------------------------------------------------------------- identity

TEST_CASE("bench: results at 1 and 2 threads have no differences", "[bench]") {
  CHECK(results_differences(tiny_results(1), tiny_results(2)).empty());
}

TEST_CASE("bench: a one-ulp change in any compared statistic is reported by name", "[bench]") {
  const Results a = tiny_results(1);
  Results b = a;
  b.before.p_red[3] = std::nextafter(b.before.p_red[3], 2.0);
  b.pools[0].count_red_pmf_pooled[1] += 1e-12;
  b.after.hist_counts[0] += 1;
  double& es = b.attribution.es_contribution_k.back();
  es = std::nextafter(es, -1e300);
  const std::vector<std::string> d = results_differences(a, b);
  CHECK(d == std::vector<std::string>{"before.p_red", "after.hist_counts",
                                      "pools[0].count_red_pmf_pooled",
                                      "attribution.es_contribution_k"});
}

TEST_CASE("bench: NaN compares equal to itself by bits, -0 differs from +0", "[bench]") {
  Results a = tiny_results(1);
  a.attribution.mean_red_k[0] = std::numeric_limits<double>::quiet_NaN();
  Results b = a;
  CHECK(results_differences(a, b).empty());
  a.national.total_surplus_mean_k = 0.0;
  b.national.total_surplus_mean_k = -0.0;
  CHECK(results_differences(a, b) == std::vector<std::string>{"national.total_surplus_mean_k"});
}

// --------------------------------------------------------------------- JSON

namespace {

// json_text of one string, the quoted string alone.
std::string json_string(const std::string& text) {
  const std::string line = json_text(nlohmann::ordered_json(text));
  return line.substr(0, line.size() - 1);  // without the final newline
}

const std::string kReplacement = "\xef\xbf\xbd";  // U+FFFD in UTF-8

}  // namespace

TEST_CASE("bench: JSON strings are escaped, invalid UTF-8 replaced", "[bench][json]") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_string("tab\tnl\n\x01") == "\"tab\\tnl\\n\\u0001\"");
  CHECK(json_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");                    // valid UTF-8 kept
  CHECK(json_string("bad\xff!") == "\"bad" + kReplacement + "!\"");          // stray byte
  CHECK(json_string("\xc3") == "\"" + kReplacement + "\"");                  // truncated sequence
  CHECK(json_string("\xed\xa0\x80") == "\"" + kReplacement + kReplacement +  // a surrogate
                                           kReplacement + "\"");
}

TEST_CASE("bench: JSON text nests containers and writes numbers exactly", "[bench][json]") {
  nlohmann::ordered_json json;
  json["a"] = 1;
  json["b"] = {0.1, -2.5e-300, std::nan("")};
  json["c"] = nlohmann::ordered_json::object();
  json["d"] = true;
  json["n"] = nullptr;
  json["e"] = std::uint64_t{18446744073709551615u};
  CHECK(json_text(json) ==
        "{\n  \"a\": 1,\n  \"b\": [\n    0.1,\n    -2.5e-300,\n    null\n  ],\n  \"c\": {},\n"
        "  \"d\": true,\n  \"n\": null,\n  \"e\": 18446744073709551615\n}\n");
}

// What the hand-written JSON writer (replaced by nlohmann-json in issue 11)
// wrote for the document of the next test: the same keys in the same order
// and the same values. Its doubles with whole values read "4" where
// nlohmann-json writes "4.0", and it wrote the replacement character as the
// escape \ufffd where nlohmann-json writes it in UTF-8.
const char* const kOldWriterJson = R"json({
  "tool": "test",
  "big": 18446744073709551615,
  "negative": -9007199254740993,
  "machine": {
    "cpu_model": "Fake \"CPU\" \\ 2.0\tGHz café € bad\ufffd!",
    "logical_cpus": 2,
    "available_cpus": 1,
    "simd_cpu": "avx512f",
    "simd_compiled": "sse2",
    "simd_engine": "x86-64-v4",
    "compiler": "GCC 12.2.0",
    "build_type": "Release"
  },
  "reference_threads": 1,
  "rows": [
    {
      "threads": 1,
      "wall_s": [
        4,
        4.5
      ],
      "cpu_s": [
        4,
        4.5
      ],
      "median_s": 4.25,
      "median_cpu_s": 4.25,
      "min_s": 4,
      "max_s": 4.5,
      "ccg_trials_per_s": 705882.3529411765,
      "speedup": 1,
      "efficiency": 1,
      "peak_rss_mib": 9,
      "other_cpus": 0,
      "oversubscribed": false
    },
    {
      "threads": 2,
      "wall_s": [
        1,
        3,
        2
      ],
      "cpu_s": [
        2,
        5,
        4
      ],
      "median_s": 2,
      "median_cpu_s": 4,
      "min_s": 1,
      "max_s": 3,
      "ccg_trials_per_s": 1500000,
      "speedup": 2.125,
      "efficiency": 1.0625,
      "peak_rss_mib": 10.25,
      "other_cpus": null,
      "oversubscribed": false
    },
    {
      "threads": 3,
      "wall_s": [
        0.1,
        0.30000000000000004
      ],
      "cpu_s": [],
      "median_s": 0.2,
      "median_cpu_s": 0,
      "min_s": 0.1,
      "max_s": 0.30000000000000004,
      "ccg_trials_per_s": 1.5e+07,
      "speedup": 21.25,
      "efficiency": 7.083333333333333,
      "peak_rss_mib": 1e-300,
      "other_cpus": null,
      "oversubscribed": true
    },
    {
      "threads": 4,
      "wall_s": [
        1e+16
      ],
      "cpu_s": [
        123456.789
      ],
      "median_s": 1e+16,
      "median_cpu_s": 123456.789,
      "min_s": 1e+16,
      "max_s": 1e+16,
      "ccg_trials_per_s": 3e-10,
      "speedup": 4.25e-16,
      "efficiency": 1.0625e-16,
      "peak_rss_mib": 2.5e+21,
      "other_cpus": 0.37,
      "oversubscribed": true
    }
  ],
  "bit_identical": null,
  "differences": []
}
)json";

TEST_CASE("bench: scaling JSON equals the old writer's for the same table", "[bench][json]") {
  const double inf = std::numeric_limits<double>::infinity();
  const MachineInfo machine{"Fake \"CPU\" \\ 2.0\tGHz caf\xc3\xa9 \xe2\x82\xac bad\xff!",
                            2,
                            1,
                            "avx512f",
                            "sse2",
                            "x86-64-v4",
                            "GCC 12.2.0",
                            "Release"};
  const std::vector<ThreadTiming> timings = {
      {1, {4.0, 4.5}, {4.0, 4.5}, 9.0, 0.0},
      {2, {1.0, 3.0, 2.0}, {2.0, 5.0, 4.0}, 10.25, std::nan("")},
      {3, {0.1, 0.30000000000000004}, {}, 1e-300, inf},
      {4, {1e16}, {123456.789}, 2.5e21, 0.37}};
  nlohmann::ordered_json json;
  json["tool"] = "test";
  json["big"] = std::uint64_t{18446744073709551615u};
  json["negative"] = std::int64_t{-9007199254740993};
  write_machine_json(machine, json);
  write_scaling_json(scaling_table(timings, 3e6, 2), json);
  json["bit_identical"] = nullptr;
  json["differences"] = std::vector<std::string>{};
  const std::string text = json_text(json);
  INFO(text);
  // ordered_json compares objects key by key in order, and numbers by value.
  CHECK(nlohmann::ordered_json::parse(text) == nlohmann::ordered_json::parse(kOldWriterJson));
  CHECK(text.back() == '\n');
}

// ---------------------------------------------------------------------- CLI

TEST_CASE("bench cli: tiny scenario prints a complete table and valid JSON", "[bench][cli]") {
  TinyBench t;
  const auto json = t.dir / "out.json";
  const test::CliResult r = t.bench("--threads 1,2 --rounds 2 --json " + quote(json.string()));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("6 CCGs, 2000 trials, gaussian copula, philox4x32 streams"));
  CHECK_THAT(r.out, Contains("threads  median s"));
  CHECK_THAT(r.out, Contains("\n      1  "));
  CHECK_THAT(r.out, Contains("\n      2  "));
  CHECK_THAT(r.out, Contains("1.00x") && Contains("100.0%"));
  CHECK_THAT(r.out, Contains("peak RSS: the process's high-water mark"));
  for (const char* line : {"Machine\n", "  CPU ", "  logical CPUs ", "  SIMD ", "  engine loops ",
                           "  compiler ", "  build type "})
    CHECK_THAT(r.out, Contains(line));
  CHECK_THAT(r.out, Contains("results bit-identical across thread counts: yes (3 later runs "
                             "compared with the first)"));
  REQUIRE(std::filesystem::exists(json));
  const std::string text = test::read_file(json);
  for (const char* key : {"\"machine\"", "\"rows\"", "\"bit_identical\": true", "\"wall_s\""})
    CHECK_THAT(text, Contains(key));
  if (!have_python()) {
    WARN("no /usr/bin/python3: JSON validity not checked by a parser");
    return;
  }
  CHECK(python_check(R"(import json, sys
d = json.load(open(sys.argv[1]))
assert d["ccgs"] == 6 and d["trials"] == 2000 and d["rounds"] == 2, d
assert d["copula"] == "gaussian" and d["rng"] == "philox4x32", d
assert d["bit_identical"] is True and d["differences"] == [] and d["runs_compared"] == 3
assert [r["threads"] for r in d["rows"]] == [1, 2]
for r in d["rows"]:
    assert len(r["wall_s"]) == 2 and r["median_s"] > 0 and r["ccg_trials_per_s"] > 0
    assert len(r["cpu_s"]) == 2 and r["median_cpu_s"] >= 0
    assert r["peak_rss_mib"] > 0 and r["oversubscribed"] is False
    assert r["other_cpus"] is None or r["other_cpus"] >= 0
assert d["rows"][0]["speedup"] == 1.0 and d["reference_threads"] == 1
m = d["machine"]
for k in ("cpu_model", "logical_cpus", "available_cpus", "simd_cpu", "simd_compiled", "simd_engine",
          "compiler", "build_type"):
    assert k in m, k
)",
                     json) == 0);
}

TEST_CASE("bench cli: more threads than CPUs warns and flags the row", "[bench][cli]") {
  TinyBench t;
  const int too_many = static_cast<int>(std::thread::hardware_concurrency()) + 1;
  const test::CliResult r = t.bench("--threads " + std::to_string(too_many) + " --rounds 1");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("warning: " + std::to_string(too_many) + " threads exceed"));
  CHECK_THAT(r.out, Contains("speed-up and efficiency against " + std::to_string(too_many)));
  CHECK_THAT(r.out, Contains("results bit-identical across thread counts: not checked (a single "
                             "run)"));
}

TEST_CASE("bench cli: bad --threads exits 2 naming the option", "[bench][cli]") {
  TinyBench t;
  const std::string bad = GENERATE(as<std::string>{}, "0", "abc", "", "1,,2");
  const test::CliResult r = t.bench("--threads " + quote(bad) + " --rounds 1");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("ccgrisk: error: --threads '" + bad + "'"));
  CHECK(r.out.empty());
}

TEST_CASE("bench cli: bad --rounds, --trials and --json exit 2 before running", "[bench][cli]") {
  TinyBench t;
  const auto [args, message] = GENERATE(table<std::string, std::string>({
      {"--rounds 0", "--rounds"},
      {"--trials 0", "--trials 0"},
      {"--json /no/such/folder/out.json", "/no/such/folder"},
  }));
  const test::CliResult r = run_cli("bench " + t.scenario() + " -q " + args);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains(message));
  CHECK(r.out.empty());
}

TEST_CASE("bench cli: a run of several years is timed against its first year alone",
          "[bench][cli][horizon]") {
  TinyBench t;
  const auto json = t.dir / "years.json";
  const test::CliResult r =
      t.bench("--threads 1,2 --rounds 2 --set horizon.years=3 --json " + quote(json.string()));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("a trial covers 3 years, 2013-14 to 2015-16"));
  CHECK_THAT(r.out, Contains("Several years: a trial of 3 years against the first year alone"));
  // Every year and every outcome across years compared: 3 later runs.
  CHECK_THAT(r.out, Contains("results bit-identical across thread counts: yes (3 later runs"));
  const nlohmann::json j = nlohmann::json::parse(test::read_file(json));
  CHECK(j["years"] == nlohmann::json({"2013-14", "2014-15", "2015-16"}));
  REQUIRE(j["first_year_alone"].size() == 2);
  for (const auto& row : j["first_year_alone"]) {
    CHECK(row["first_year_wall_s"].size() == 2);
    const double all = row["all_years_median_s"], alone = row["first_year_median_s"];
    CHECK(alone > 0.0);
    CHECK(row["ratio"].get<double>() == all / alone);
  }
  // --stress times the one-year examples: refused before any run.
  const test::CliResult stress = t.bench("--threads 1 --set horizon.years=3 --stress");
  CHECK(stress.exit_code == 2);
  CHECK_THAT(stress.err, Contains("horizon.years = 3"));
  CHECK(stress.out.empty());
}

TEST_CASE("bench --stress times the stress commands' examples against a single run",
          "[bench][cli]") {
  TinyBench t;
  // One target the tiny table can meet: the nation's expected count in the
  // red, moved by a shift of every CCG in the Southern region.
  write_file(t.dir / "targets.toml",
             "[calibration]\ntrials = 500\n[[target]]\nname = \"red\"\n"
             "statistic = \"expected_red\"\ngroup = \"national\"\nvalue = 2\ntolerance = 0.5\n"
             "parameter = \"shift.region.Southern\"\nlower = -3.0\nupper = 3.0\n");
  const auto json = t.dir / "b.json";
  const test::CliResult r =
      t.bench("--threads 1 --rounds 1 --stress --targets " +
              quote((t.dir / "targets.toml").string()) + " --json " + quote(json.string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Stress commands (1 thread;"));
  CHECK_THAT(r.out, Catch::Contains("sweep, 11 points"));
  CHECK_THAT(r.out, Catch::Contains("12 runs in 1 pass"));
  CHECK_THAT(r.out, Catch::Contains("breakeven (README example)"));
  CHECK_THAT(r.out, Catch::Contains("converged"));
  const nlohmann::json j = nlohmann::json::parse(test::read_file(json));
  REQUIRE(j["stress"].size() == 5);
  CHECK(j["stress"][1]["name"] == "single run");
  CHECK(j["stress"][1]["single_runs"] == 1.0);
  for (const auto& f : j["stress"])
    CHECK(f["seconds"].get<double>() > 0.0);
  // A missing targets file is refused before any run, naming it.
  const test::CliResult bad =
      t.bench("--threads 1 --stress --targets " + quote((t.dir / "none.toml").string()));
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("none.toml"));
}
