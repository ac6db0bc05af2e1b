#include "app/common.hpp"

#include <string>

#include "input/error.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

void check_output_path(const fs::path& out, const std::vector<fs::path>& inputs) {
  check_output_file(out, inputs, "results file");
}

Inputs load_inputs(const fs::path& scenario_path, const std::vector<Override>& overrides) {
  Scenario scenario = load_scenario_with_overrides(scenario_path, overrides);
  CcgTable table = read_ccg_table(scenario.ccgs);
  return {std::move(scenario), std::move(table)};
}

Inputs load_inputs(const fs::path& scenario_path, std::optional<std::int64_t> trials,
                   std::optional<std::uint64_t> seed, const std::vector<Override>& overrides) {
  std::vector<Override> all = overrides;
  if (trials) all.push_back(option_override("--trials", "run.trials", std::to_string(*trials)));
  if (seed) all.push_back(option_override("--seed", "run.seed", std::to_string(*seed)));
  return load_inputs(scenario_path, all);
}

}  // namespace ccgrisk
