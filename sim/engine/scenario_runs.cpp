#include "engine/scenario_runs.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "input/error.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

std::string number_text(double x) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

Override param_override(const std::string& key, double value) {
  const std::string text = number_text(value);
  std::string source = "--param ";
  source.append(key).append("=").append(text);
  return {key, text, source};
}

void check_param_key(const std::string& key) {
  if (key.empty())
    throw InputError("--param: expected a scenario key, e.g. drivers.cip_delivery.mean");
  if (key == "run.seed" || key == "run.trials") {
    throw InputError("--param " + key +
                     ": cannot vary the seed or the number of trials: every point must use the "
                     "same random numbers (use --seed or --trials to set them for all points)");
  }
}

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open the scenario file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

ScenarioRuns::ScenarioRuns(fs::path path, std::vector<Override> base, RunOptions options)
    : path_(std::move(path)),
      text_(read_text(path_)),
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
  try {
    const toml::table doc = toml::parse(base_.effective_toml);
    const toml::node_view<const toml::node> node = doc.at_path(key);
    if (const auto x = node.value<double>()) return *x;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

Results ScenarioRuns::run(const Scenario& scenario, const std::string& label) {
  const auto start = std::chrono::steady_clock::now();
  Results r = run_scenario(scenario, table_, options_);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  seconds_ += s;
  ++runs_;
  if (log) {
    char line[64];
    std::snprintf(line, sizeof line, "  %.1f s", s);
    log(std::string("run ").append(std::to_string(runs_)).append("  ").append(label).append(line));
  }
  return r;
}

}  // namespace ccgrisk
