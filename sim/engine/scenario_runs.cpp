#include "engine/scenario_runs.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/overrides_toml.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

Override param_override(const std::string& key, double value) {
  const std::string text = number_text(value);
  std::string source = "--param ";
  source.append(key).append("=").append(text);
  return {key, text, source};
}

void check_param_key(const std::string& key) {
  if (key.empty())
    throw InputError("--param: expected a scenario key, e.g. drivers.cip_delivery.mean");
  const std::string reason = fixed_key_reason(key);
  if (!reason.empty())  // a fixed key: well formed, so canonical_key cannot throw
    throw InputError("--param " + key + ": " + reason +
                     (canonical_key(key) == "horizon.years"
                          ? " (use --set horizon.years=N to set them for all points)"
                          : " (use --seed or --trials to set them for all points)"));
}

ScenarioRuns::ScenarioRuns(fs::path path, std::vector<Override> base, RunOptions options)
    : path_(std::move(path)),
      text_(read_input_file(path_, "the scenario file")),
      overrides_(std::move(base)),
      options_(options),
      base_(scenario_with_overrides(text_, path_, overrides_)),
      table_(read_ccg_table(base_.ccgs)) {}

Scenario ScenarioRuns::with(const std::vector<Override>& extra) const {
  std::vector<Override> all = overrides_;
  all.insert(all.end(), extra.begin(), extra.end());
  return scenario_with_overrides(text_, path_, all);
}

Scenario ScenarioRuns::with(const std::string& key, double value) const {
  return with(std::vector<Override>{param_override(key, value)});
}

std::optional<double> ScenarioRuns::current_value(const std::string& key) const {
  toml::table doc;
  try {
    doc = toml::parse(base_.effective_toml);
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
  const toml::node* node = find_key(doc, key, "--param " + key);
  return node ? node->value<double>() : std::nullopt;
}

namespace {

// A point of a scenario of several years: in the red in at least one year.
Results any_year(const Scenario& scenario, const CcgTable& table, const RunOptions& options,
                 bool keep, std::shared_ptr<const HorizonResults>& kept) {
  auto h = std::make_shared<HorizonResults>(run_horizon(scenario, table, options));
  Results r = h->red_by.back();
  if (keep) kept = std::move(h);
  return r;
}

}  // namespace

void ScenarioRuns::count_trials(const Results& r) {
  const std::int64_t t = r.provenance.trials;
  fewest_trials_ = fewest_trials_ == 0 ? t : std::min(fewest_trials_, t);
  most_trials_ = std::max(most_trials_, t);
}

Results ScenarioRuns::run(const Scenario& scenario, const std::string& label) {
  return run_one(scenario, label, &scenario == &base_);
}

Results ScenarioRuns::run_one(const Scenario& scenario, const std::string& label, bool keep) {
  const auto start = std::chrono::steady_clock::now();
  Results r = scenario.horizon.years > 1 ? any_year(scenario, table_, options_, keep, base_horizon_)
                                         : run_scenario(scenario, table_, options_);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  seconds_ += s;
  ++runs_;
  ++passes_;
  count_trials(r);
  if (log) {
    char line[64];
    std::snprintf(line, sizeof line, "  %.1f s", s);
    log(std::string("run ").append(std::to_string(runs_)).append("  ").append(label).append(line));
  }
  return r;
}

std::vector<Results> ScenarioRuns::run_together(const std::vector<Scenario>& scenarios,
                                                const std::vector<std::string>& labels,
                                                bool full_first, GroupLevels groups) {
  std::vector<Results> out;
  // Points of several years: each a pass of its own (run_horizon).
  if (!scenarios.empty() && scenarios.front().horizon.years > 1) {
    for (std::size_t p = 0; p < scenarios.size(); ++p)
      out.push_back(run_one(scenarios[p], (p < labels.size() ? labels[p] : "") + " (all years)",
                            full_first && p == 0));
    return out;
  }
  for (std::size_t first = 0; first < scenarios.size(); first += kPointsPerPass) {
    const std::size_t last = std::min(scenarios.size(), first + kPointsPerPass);
    const auto start = std::chrono::steady_clock::now();
    std::vector<Tallies> kinds(last - first, Tallies::kCounts);
    if (full_first && first == 0) kinds[0] = Tallies::kFull;
    std::vector<Results> pass = run_points({scenarios.begin() + first, scenarios.begin() + last},
                                           table_, options_, kinds, groups);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds_ += s;
    runs_ += static_cast<int>(last - first);
    ++passes_;
    for (Results& r : pass) {
      count_trials(r);
      out.push_back(std::move(r));
    }
    if (log) {
      std::string line = "runs " + std::to_string(runs_ - (last - first) + 1) + "-" +
                         std::to_string(runs_) + " in one pass ";
      for (std::size_t p = first; p < last && p < labels.size(); ++p)
        line.append(p == first ? "" : ", ").append(labels[p]);
      char secs[32];
      std::snprintf(secs, sizeof secs, "  %.1f s", s);
      log(line.append(secs));
    }
  }
  return out;
}

}  // namespace ccgrisk
