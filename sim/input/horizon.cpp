#include "input/horizon.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "input/error.hpp"
#include "input/overrides_toml.hpp"
#include "input/scenario_toml.hpp"

namespace ccgrisk {
namespace {

// Sections a [year.LABEL] table may not change: what every year shares.
constexpr std::array<std::string_view, 7> kFixedSections = {
    "run", "data", "horizon", "year", "uncertainty", "volatility", "hub"};

// Why a later year cannot set `path` (a key of a [year.LABEL] table), or ""
// when it can: keys only the first year reads, and the one repayment rule.
std::string first_year_only(const std::string& path) {
  if (path == "recovery.years")
    return "how many years a deficit is repaid over is one rule for the whole run: set it in "
           "[recovery]";
  const std::string transfer =
      "the transfer to specialised commissioning was made once, in the first year, and later "
      "years carry its gap (docs/model.md): set it in the scenario itself";
  if (path == "plan.spec_transfer_pct" || path == "drivers.transfer_mismatch" ||
      path.starts_with("drivers.transfer_mismatch."))
    return transfer;
  if (path.starts_with("ccg.")) {
    const std::string key = path.substr(path.rfind('.') + 1);
    if (std::ranges::count(path, '.') == 2) {
      if (key == "spec_transfer_pct" || key == "transfer_mismatch_k") return transfer;
      if (key == "target_distance_pct")
        return "a CCG's distance from its target in later years follows from the first year's "
               "and each year's uplift: set it in [ccg.CODE] or the CCG table";
    }
  }
  return "";
}

class YearMerge {
 public:
  YearMerge(const Scenario& base, std::string label)
      : file_(base.path.string()), label_(std::move(label)) {}

  void merge(toml::table& into, const toml::table& from, const std::string& prefix) const {
    for (const auto& [key, node] : from) {
      const std::string name(key.str());
      const std::string path = prefix.empty() ? name : prefix + "." + name;
      if (prefix.empty() && std::ranges::find(kFixedSections, name) != kFixedSections.end())
        fail(path + ": [" + name + "] is the same in every year and cannot be set per year");
      if (const std::string why = first_year_only(path); !why.empty())
        fail(path + ": not read after the first year: " + why);
      // Pools are changed one by one ([year.LABEL.pool.NAME]); an array here
      // would add, drop or rename them.
      if (prefix.empty() && name == "pool" && !node.is_table())
        fail(path +
             ": a pool's name and members are the same in every year; change a pool's "
             "rule for this year with [year." +
             label_ + ".pool.NAME]");
      toml::node* target = into.get(name);
      if (const toml::table* t = node.as_table()) {
        if (target && target->is_array()) {
          merge_named(*target->as_array(), *t, path);
          continue;
        }
        if (target && !target->is_table()) fail(path + ": a table here replaces a value");
        if (!target) target = &into.insert(name, toml::table{}).first->second;
        merge(*target->as_table(), *t, path);
        continue;
      }
      into.insert_or_assign(name, node);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(file_ + ": year." + label_ + "." + what);
  }

  // `[year.L.pool.NAME]`: merged into the element of the array named NAME.
  void merge_named(toml::array& into, const toml::table& from, const std::string& prefix) const {
    for (const auto& [key, node] : from) {
      const std::string name(key.str());
      const toml::table* change = node.as_table();
      if (!change) fail(prefix + "." + name + ": expected a table naming an element by its name");
      toml::table* element = nullptr;
      for (toml::node& n : into)
        if (toml::table* t = n.as_table();
            t && t->get("name") && t->get("name")->value<std::string>() == name)
          element = t;
      if (!element)
        fail(prefix + "." + name + ": no element named \"" + name + "\" in [[" +
             prefix.substr(prefix.rfind('.') + 1) + "]]");
      if (change->get("name") || change->get("members"))
        fail(prefix + "." + name + ": a pool's name and members are the same in every year");
      merge(*element, *change, prefix + "." + name);
    }
  }

  std::string file_;
  std::string label_;
};

}  // namespace

std::vector<std::string> horizon_labels(const Horizon& horizon) {
  std::vector<std::string> labels;
  for (int y = 0; y < horizon.years; ++y)
    labels.push_back(year_label(horizon.first_year + y));
  return labels;
}

std::vector<std::string> years_setting(const Scenario& base, const std::string& key) {
  std::vector<std::string> out;
  if (base.horizon.years <= 1) return out;
  const toml::table doc =
      parse_toml(base.effective_toml.empty() ? base.text : base.effective_toml, base.path);
  const toml::table* years = doc["year"].as_table();
  if (!years) return out;
  for (const std::string& label : horizon_labels(base.horizon))
    if (const toml::table* year = (*years)[label].as_table(); year && find_key(*year, key, key))
      out.push_back(label);
  return out;
}

std::vector<Scenario> year_scenarios(const Scenario& base) {
  const std::string file = base.path.string();
  const std::string& text = base.effective_toml.empty() ? base.text : base.effective_toml;
  toml::table doc = parse_toml(text, base.path);
  const std::vector<std::string> labels = horizon_labels(base.horizon);
  toml::table years;
  if (const toml::table* t = doc["year"].as_table()) years = *t;
  doc.erase("year");
  for (const auto& [key, node] : years) {
    const std::string label(key.str());
    const auto at = std::ranges::find(labels, label);
    if (at == labels.end() || at == labels.begin()) {
      const std::string covers =
          labels.size() == 1 ? "only " + labels.front() + " (horizon.years = 1)"
                             : labels.front() + " to " + labels.back() +
                                   " (horizon.years = " + std::to_string(labels.size()) + ")";
      throw InputError(
          file + ": year." + label + ": not a later year of this run, which covers " + covers +
          (at == labels.begin() ? "; the first year's values are the scenario's own" : ""));
    }
    if (!node.is_table())
      throw InputError(file + ": year." + label + ": expected a table ([year." + label + "])");
  }
  std::vector<Scenario> out{base};
  for (std::size_t y = 1; y < labels.size(); ++y) {
    toml::table year_doc = doc;
    if (const toml::table* change = years[labels[y]].as_table())
      YearMerge(base, labels[y]).merge(year_doc, *change, "");
    Scenario s;
    try {
      s = scenario_from_table(year_doc, base.path, base.text);
    } catch (const InputError& e) {
      throw InputError(std::string(e.what()) + " (in " + labels[y] + ", with [year." + labels[y] +
                       "] applied)");
    }
    s.effective_toml = to_toml_text(year_doc);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ccgrisk
