// libFuzzer target: the scenario parser with command-line overrides, then a
// short run of everything the scenario feeds (model, engine, statistics).
// Input: optional leading lines "--set KEY=VALUE", then the scenario TOML.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "input/error.hpp"
#include "input/overrides.hpp"

namespace {

using namespace ccgrisk;

// Trials per run: a handful reach every code path of a trial.
constexpr std::int64_t kTrials = 16;

struct FuzzInput {
  std::vector<Override> overrides;
  std::string toml;
};

// Splits off the leading "--set KEY=VALUE" lines, each parsed as the
// command line parses it (a bad one throws InputError).
FuzzInput split_input(std::string_view data) {
  constexpr std::string_view kSet = "--set ";
  FuzzInput in;
  while (data.starts_with(kSet)) {
    const std::size_t end = std::min(data.find('\n'), data.size());
    in.overrides.push_back(
        parse_override(std::string(data.substr(kSet.size(), end - kSet.size()))));
    data.remove_prefix(std::min(end + 1, data.size()));
  }
  in.toml = data;
  return in;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const FuzzInput in = split_input({reinterpret_cast<const char*>(data), size});
    const std::string path = std::string(fuzz::kScenarioFolder) + "/fuzz.toml";
    const Scenario scenario = scenario_with_overrides(in.toml, path, in.overrides);
    fuzz::run_briefly(scenario, fuzz::small_table(), kTrials);
  } catch (const InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
