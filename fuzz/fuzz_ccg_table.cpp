// libFuzzer target: the CCG table parser, then (for a small table) a short
// run of the shipped baseline scenario against the table.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "input/error.hpp"
#include "input/overrides.hpp"

namespace {

using namespace ccgrisk;

// Larger tables are only parsed: running them would slow every input down
// without reaching new arithmetic.
constexpr std::size_t kMaxRunRows = 50;
constexpr std::int64_t kTrials = 8;

// The shipped baseline: pools, per-CCG plans, regional shifts and hubs.
const Scenario& baseline() {
  static const Scenario s = load_scenario_with_overrides(
      std::string(fuzz::kScenarioFolder) + "/baseline-2013-14.toml", {});
  return s;
}

// Every key at its default: it names no CCG, region or area team, so any
// table that parses can run it.
const Scenario& defaults_only() {
  static const Scenario s =
      scenario_with_overrides("[data]\nccgs = \"data/ccg_2013_14.csv\"\n",
                              std::string(fuzz::kScenarioFolder) + "/defaults.toml", {});
  return s;
}

void run_fixed_scenarios(const CcgTable& table) {
  try {
    fuzz::run_briefly(baseline(), table, kTrials);
  } catch (const InputError&) {
    // The table lacks a CCG or region the baseline names; its numbers still
    // reach the engine through the defaults.
    fuzz::run_briefly(defaults_only(), table, kTrials);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const CcgTable table = parse_ccg_table({reinterpret_cast<const char*>(data), size}, "fuzz.csv");
    if (table.rows.size() <= kMaxRunRows) run_fixed_scenarios(table);
  } catch (const InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
