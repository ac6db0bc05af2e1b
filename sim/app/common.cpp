#include "app/common.hpp"

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

Inputs load_inputs(const fs::path& scenario_path, std::optional<std::int64_t> trials,
                   std::optional<std::uint64_t> seed) {
  Scenario scenario = load_scenario(scenario_path);
  if (trials) scenario.run.trials = *trials;
  if (seed) scenario.run.seed = *seed;
  CcgTable table = read_ccg_table(scenario.ccgs);
  return {std::move(scenario), std::move(table)};
}

}  // namespace ccgrisk
