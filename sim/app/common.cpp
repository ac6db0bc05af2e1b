#include "app/common.hpp"

#include <string>

#include "input/error.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

void check_output_path(const fs::path& out) {
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (!fs::is_directory(parent))
    throw InputError(out.string() + ": cannot write results: folder '" + parent.string() +
                     "' does not exist");
  if (fs::is_directory(out)) throw InputError(out.string() + ": is a folder, not a file");
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
