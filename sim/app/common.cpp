#include "app/common.hpp"

#include <algorithm>
#include <iostream>
#include <string>

#include "input/error.hpp"
#include "input/horizon.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

std::vector<fs::path> install_roots() {
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  std::vector<fs::path> roots;
  if (!exe_dir.empty()) roots = {exe_dir / ".." / "..", exe_dir / ".." / "share" / "ccgrisk"};
  if (const fs::path source = CCGRISK_SOURCE_DIR; !source.empty()) roots.push_back(source);
  return roots;
}

fs::path shipped_file(const fs::path& relative) {
  std::error_code ec;
  if (fs::exists(relative, ec)) return relative;
  for (const fs::path& root : install_roots())
    if (fs::exists(root / relative, ec)) return fs::weakly_canonical(root / relative, ec);
  return fs::path(CCGRISK_SOURCE_DIR) / relative;
}

void check_output_path(const fs::path& out, const std::vector<fs::path>& inputs) {
  check_output_file(out, inputs, "results file");
}

void warn_year_tables(const Scenario& scenario, const std::string& written,
                      const std::string& given) {
  // The KEY was read when the overrides were applied, so it is well formed.
  const std::string key = canonical_key(written);
  // Keys the first year does not read: allocation growth and the recovery
  // of deficits (from the second year on), and how years follow each other.
  const bool later_years = key.starts_with("allocation.") || key.starts_with("recovery.");
  const bool between_years =
      key.starts_with("horizon.") && key != "horizon.years" && key != "horizon.first_year";
  const std::vector<std::string> labels = horizon_labels(scenario.horizon);
  if ((later_years || between_years) && labels.size() == 1) {
    std::cerr << "ccgrisk: warning: " << given
              << " changes nothing in a one-year run (horizon.years = 1): " << key
              << (later_years ? " is read from the second year on\n"
                              : " links the years of a longer run\n");
    return;
  }
  const std::vector<std::string> set = years_setting(scenario, key);
  std::string kept, tables;
  for (const std::string& label : labels) {
    const bool by_table = std::ranges::find(set, label) != set.end();
    if (!by_table && later_years && label == labels.front()) continue;  // not read there
    std::string& list = by_table ? tables : kept;
    list.append(list.empty() ? "" : ", ").append(by_table ? "[year." + label + "]" : label);
  }
  if (set.empty()) return;
  const std::string in = " in " + scenario.path.filename().string() + " set" +
                         (set.size() == 1 ? "s " : " ") + key + " for " +
                         (set.size() == 1 ? "its year" : "their years");
  if (kept.empty()) {
    std::cerr << "ccgrisk: warning: " << given << " changes no year of this run: " << tables << in
              << (later_years ? ", and " + labels.front() + " does not read it" : "") << "\n";
    return;
  }
  std::cerr << "ccgrisk: warning: " << given << " applies to " << kept << " only: " << tables << in
            << "\n";
}

void warn_year_tables(const Scenario& scenario, const std::vector<Override>& overrides) {
  for (const Override& o : overrides)
    warn_year_tables(scenario, o.key, describe_override(o));
}

Inputs load_inputs(const fs::path& scenario_path, const std::vector<Override>& overrides) {
  Scenario scenario = load_scenario_with_overrides(scenario_path, overrides);
  warn_year_tables(scenario, overrides);
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
