#include "baseline.hpp"

#include <filesystem>
#include <map>
#include <memory>

#include "input/overrides.hpp"

namespace ccgrisk::bench {

namespace {

std::unique_ptr<Baseline> load(const std::vector<std::string>& sets) {
  std::vector<Override> overrides;
  for (const std::string& s : sets)
    overrides.push_back(parse_override(s));
  const std::filesystem::path scenario =
      std::filesystem::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml";
  auto b = std::make_unique<Baseline>();
  b->inputs = load_inputs(scenario, overrides);
  b->model = build_model(b->inputs.scenario, b->inputs.table);
  b->layout = make_layout(b->model);
  return b;
}

}  // namespace

const Baseline& baseline(const std::vector<std::string>& overrides) {
  static std::map<std::vector<std::string>, std::unique_ptr<Baseline>> cache;
  std::unique_ptr<Baseline>& b = cache[overrides];
  if (!b) b = load(overrides);
  return *b;
}

std::vector<TrialState> simulated_trials(const Baseline& b, int count) {
  std::vector<TrialState> states(count, TrialState(b.model));
  for (int t = 0; t < count; ++t)
    simulate_trial(b.model, kSeed, t, states[t]);
  return states;
}

}  // namespace ccgrisk::bench
