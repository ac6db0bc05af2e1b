#include "input/targets.hpp"

#include <toml++/toml.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/limits.hpp"
#include "input/overrides.hpp"
#include "input/scenario_toml.hpp"
#include "input/text.hpp"

namespace ccgrisk {

namespace {

constexpr std::array<std::pair<Statistic, const char*>, 8> kStatistics = {{
    {Statistic::kExpectedRed, "expected_red"},
    {Statistic::kExpectedUnplannedRed, "expected_unplanned_red"},
    {Statistic::kExpectedPlannedRed, "expected_planned_red"},
    {Statistic::kTotalSurplusMeanK, "total_surplus_mean_k"},
    {Statistic::kSpecialisedDeficitMeanK, "specialised_deficit_mean_k"},
    {Statistic::kHubOverspendMeanPct, "hub_overspend_mean_pct"},
    {Statistic::kHubsOverspending, "hubs_overspending"},
    {Statistic::kPRed, "p_red"},
}};

// Longest text of a target (a source may be a citation with an address).
constexpr std::size_t kMaxSourceBytes = 2000;

class TargetsReader {
 public:
  explicit TargetsReader(std::filesystem::path path) : path_(std::move(path)) {}

  Targets read(const toml::table& root) {
    Targets out;
    out.path = path_;
    check_keys(root, "", {"calibration", "ccgs", "target"});
    if (const toml::node* c = root.get("calibration")) read_settings(*c, out);
    if (const toml::node* c = root.get("ccgs")) read_lists(*c);
    const toml::array* list = root.get("target") ? root.get("target")->as_array() : nullptr;
    if (!list || list->empty()) fail("no [[target]] tables");
    if (list->size() > static_cast<std::size_t>(limits::kMaxTargets))
      fail(std::to_string(list->size()) + " targets; at most " +
           std::to_string(limits::kMaxTargets));
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string key = "target[" + std::to_string(i) + "]";
      const toml::table* t = (*list)[i].as_table();
      if (!t) fail(key + ": expected a table ([[target]])");
      out.targets.push_back(read_target(*t, key));
      for (std::size_t j = 0; j < i; ++j) {
        if (out.targets[j].parameter && out.targets[j].parameter == out.targets[i].parameter)
          fail(key + ".parameter = '" + *out.targets[i].parameter + "': already moved by target[" +
               std::to_string(j) + "]");
      }
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path_.string() + ": " + what);
  }

  void check_keys(const toml::table& t, const std::string& prefix,
                  std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string list;
      for (auto a : allowed)
        list.append(list.empty() ? "" : ", ").append(a);
      fail("unknown key '" + (prefix.empty() ? "" : prefix + ".") + std::string(key.str()) +
           "' (expected one of: " + list + ")");
    }
  }

  double number(const toml::table& t, const std::string& prefix, std::string_view key,
                std::optional<double> fallback) const {
    const toml::node* node = t.get(key);
    if (!node) {
      if (fallback) return *fallback;
      fail("missing required key '" + prefix + "." + std::string(key) + "'");
    }
    const auto v = node->value<double>();
    if (!v) fail(prefix + "." + std::string(key) + ": expected a number");
    if (!std::isfinite(*v) || std::abs(*v) > limits::kMaxTargetValue)
      fail(prefix + "." + std::string(key) + " = " + number_text(*v) +
           ": must be a finite number of at most " + rounded_text(limits::kMaxTargetValue) +
           " in magnitude");
    return *v;
  }

  std::string text(const toml::table& t, const std::string& prefix, std::string_view key,
                   bool required) const {
    const toml::node* node = t.get(key);
    if (!node) {
      if (required) fail("missing required key '" + prefix + "." + std::string(key) + "'");
      return {};
    }
    const auto v = node->value<std::string>();
    if (!v) fail(prefix + "." + std::string(key) + ": expected a string");
    if (const std::string problem = text_problem(*v, kMaxSourceBytes); !problem.empty())
      fail(prefix + "." + std::string(key) + ": the text " + problem);
    return *v;
  }

  void read_settings(const toml::node& node, Targets& out) const {
    const toml::table* t = node.as_table();
    if (!t) fail("calibration: expected a table");
    check_keys(*t, "calibration", {"trials", "max_sweeps"});
    const double trials = number(*t, "calibration", "trials", 20000.0);
    const double sweeps = number(*t, "calibration", "max_sweeps", 12.0);
    if (!(trials >= 100 && trials <= 1e9)) fail("calibration.trials: must be in [100, 1e9]");
    if (!(sweeps >= 1 && sweeps <= 1000)) fail("calibration.max_sweeps: must be in [1, 1000]");
    out.trials = static_cast<std::int64_t>(trials);
    out.max_sweeps = static_cast<int>(sweeps);
  }

  // [ccgs] NAME = ["CODE", ...]: named lists of CCGs for "ccgs:NAME" groups.
  void read_lists(const toml::node& node) {
    const toml::table* t = node.as_table();
    if (!t) fail("ccgs: expected a table of named lists ([ccgs] NAME = [\"04Y\", ...])");
    for (const auto& [name, value] : *t) {
      const std::string key = "ccgs." + std::string(name.str());
      if (const std::string problem = text_problem(name.str(), limits::kMaxTextBytes);
          !problem.empty())
        fail(key + ": the name " + problem);
      const toml::array* list = value.as_array();
      if (!list || list->empty()) fail(key + ": expected a non-empty array of ODS codes");
      if (list->size() > static_cast<std::size_t>(limits::kMaxCcgs))
        fail(key + ": " + std::to_string(list->size()) + " codes; at most " +
             std::to_string(limits::kMaxCcgs));
      std::vector<std::string> codes;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string item = key + "[" + std::to_string(i) + "]";
        const auto code = (*list)[i].value<std::string>();
        if (!code || code->empty()) fail(item + ": expected an ODS code (a string)");
        if (const std::string problem = text_problem(*code, limits::kMaxTextBytes);
            !problem.empty())
          fail(item + ": the text " + problem);
        if (std::find(codes.begin(), codes.end(), *code) != codes.end())
          fail(item + " = \"" + *code + "\": listed twice");
        codes.push_back(*code);
      }
      lists_[std::string(name.str())] = std::move(codes);
    }
  }

  Target read_target(const toml::table& t, const std::string& key) const {
    check_keys(t, key,
               {"name", "statistic", "group", "value", "tolerance", "parameter", "lower", "upper",
                "source", "reproduced"});
    Target out;
    out.name = text(t, key, "name", true);
    const std::string statistic = text(t, key, "statistic", true);
    const auto it = std::find_if(kStatistics.begin(), kStatistics.end(),
                                 [&](const auto& s) { return statistic == s.second; });
    if (it == kStatistics.end()) {
      std::string list;
      for (const auto& s : kStatistics)
        list.append(list.empty() ? "" : ", ").append(s.second);
      fail(key + ".statistic = \"" + statistic + "\": unknown (expected one of: " + list + ")");
    }
    out.statistic = it->first;
    out.group = t.get("group") ? text(t, key, "group", true) : "national";
    check_group(out.group, key);
    out.members = members_of(out.group, key);
    if (out.statistic == Statistic::kPRed && out.group.rfind("ccg:", 0) != 0)
      fail(key + ".statistic = \"p_red\" needs a group \"ccg:CODE\" (one CCG), not \"" + out.group +
           "\"");
    if (const toml::node* r = t.get("reproduced")) {
      const auto flag = r->value<bool>();
      if (!flag) fail(key + ".reproduced: expected true or false");
      out.reproduced = *flag;
    }
    out.value = number(t, key, "value", std::nullopt);
    out.tolerance = number(t, key, "tolerance", 0.0);
    if (out.tolerance < 0) fail(key + ".tolerance: must be >= 0");
    out.source = text(t, key, "source", false);
    const std::string parameter = text(t, key, "parameter", false);
    if (!parameter.empty()) {
      const std::string reason = fixed_key_reason(parameter);
      if (!reason.empty()) fail(key + ".parameter = '" + parameter + "': " + reason);
      out.parameter = parameter;
      out.lower = number(t, key, "lower", std::nullopt);
      out.upper = number(t, key, "upper", std::nullopt);
      if (!(out.lower < out.upper)) fail(key + ": lower must be < upper");
    }
    return out;
  }

  void check_group(const std::string& group, const std::string& key) const {
    if (group == "national") return;
    for (const char* kind : {"region:", "area_team:", "pool:", "hub:", "ccg:", "ccgs:"}) {
      if (group.rfind(kind, 0) == 0 && group.size() > std::string(kind).size()) return;
    }
    fail(key + ".group = \"" + group +
         "\": expected national, region:NAME, area_team:CODE, pool:NAME, hub:NAME, ccg:CODE or "
         "ccgs:NAME");
  }

  // The CCGs of a ccg:CODE or ccgs:NAME group (none for other groups).
  std::vector<std::string> members_of(const std::string& group, const std::string& key) const {
    if (group.rfind("ccg:", 0) == 0) return {group.substr(4)};
    if (group.rfind("ccgs:", 0) != 0) return {};
    const auto it = lists_.find(group.substr(5));
    if (it == lists_.end()) {
      std::string known;
      for (const auto& [name, codes] : lists_)
        known.append(known.empty() ? "" : ", ").append(name);
      fail(key + ".group = \"" + group + "\": no list '" + group.substr(5) +
           "' in [ccgs] (lists: " + (known.empty() ? "none" : known) + ")");
    }
    return it->second;
  }

  std::filesystem::path path_;
  std::map<std::string, std::vector<std::string>> lists_;  // [ccgs]
};

}  // namespace

std::string statistic_name(Statistic s) {
  for (const auto& [stat, name] : kStatistics)
    if (stat == s) return name;
  return "?";
}

Targets load_targets(const std::filesystem::path& path) {
  return parse_targets(read_input_file(path, "the targets file"), path);
}

Targets parse_targets(const std::string& text, const std::filesystem::path& path) {
  return TargetsReader(path).read(parse_toml(text, path));
}

}  // namespace ccgrisk
