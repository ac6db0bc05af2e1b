// A small synthetic scenario for the stress-testing tests (sweep,
// breakeven, reverse-stress): 12 CCGs in two regions and four area teams,
// a full pool of three, and a spread of planned surpluses so that the CCGs'
// P(red) differ. Runs of a few thousand trials take milliseconds.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/scenario_runs.hpp"
#include "output/hdf5.hpp"
#include "support.hpp"

namespace ccgrisk::test {

inline std::string stress_csv() {
  std::string csv =
      "ods_code,name,area_team_code,area_team,region,allocation_2013_14_k,population,"
      "planned_surplus_pct\n";
  for (int i = 0; i < 12; ++i) {
    const int area = i % 4;
    csv.append("C").append(std::to_string(10 + i)).append(",CCG ").append(std::to_string(i));
    csv.append(",A").append(std::to_string(area)).append(",Area ").append(std::to_string(area));
    csv.append(area < 2 ? ",North," : ",South,");
    csv.append(std::to_string(100000 + 10000 * i)).append(",250000,");
    csv.append(std::to_string(0.2 * (i % 6))).append("\n");  // 0% .. 1% planned surplus
  }
  return csv;
}

// Appended to a fixture: CIP delivery exactly its mean. Building the
// inverse-beta table takes about 0.2 s per run, so tests that need many
// runs but not the beta use this.
inline const std::string kFixedDelivery = "[drivers.cip_delivery]\nsd = 0.0\n";

// The scenario file; `extra` is appended (more TOML).
struct StressFixture {
  TempDir dir;
  std::filesystem::path scenario;
  explicit StressFixture(const std::string& extra = "", int trials = 4000) {
    write_file(dir / "ccgs.csv", stress_csv());
    scenario = write_file(dir / "s.toml",
                          std::string("[run]\ntrials = ")
                              .append(std::to_string(trials))
                              .append("\nseed = 11\n[data]\nccgs = \"ccgs.csv\"\n"
                                      "[[pool]]\nname = \"P\"\nmembers = [\"C10\", \"C14\", "
                                      "\"C18\"]\nrule = \"full\"\n")
                              .append(extra));
  }
  ScenarioRuns runs(std::vector<Override> overrides = {}) const {
    return ScenarioRuns(scenario, std::move(overrides), RunOptions{0, 256});
  }
  // `ccgrisk COMMAND SCENARIO -o bad.h5 --trials 100 --quiet ARGS` must be an
  // input error: exit 2, `message` in stderr, no output file.
  void input_error(const std::string& command, const std::string& args,
                   const std::string& message) const {
    const auto out = dir / "bad.h5";
    const CliResult r = run_cli(command + " " + quote(scenario.string()) + " -o " +
                                quote(out.string()) + " --trials 100 --quiet " + args);
    INFO(args << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
    CHECK(!std::filesystem::exists(out));
  }
};

// Every dataset of `group` carries units and a description.
inline void check_documented(const h5::File& f, const std::string& group) {
  for (const std::string& name : h5::list_members(f.open_group(group)).datasets) {
    INFO(name);
    const h5::Dataset d = f.dataset(group + "/" + name);
    CHECK(h5::has_attribute(d, "units"));
    CHECK(h5::has_attribute(d, "description"));
  }
}

// The group's `runs` attribute is the count the command printed on its
// cost line ("...; N runs in S s"), the scenario as given included.
inline void check_runs_recorded(const h5::File& f, const std::string& group,
                                const std::string& printed) {
  INFO(printed);
  const std::size_t at = printed.find(" runs in ");
  REQUIRE(at != std::string::npos);
  const std::size_t from = printed.rfind(' ', at - 1) + 1;
  CHECK(h5::read_attribute<std::int64_t>(f.open_group(group), "runs") ==
        std::vector<std::int64_t>{std::stoll(printed.substr(from, at - from))});
}

}  // namespace ccgrisk::test
