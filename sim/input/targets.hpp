// Calibration targets: published figures a scenario should reproduce.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ccgrisk {

// What a target measures in a run's results.
enum class Statistic {
  kExpectedRed,              // expected number of CCGs in the red (group)
  kExpectedUnplannedRed,     // ... among those that planned no deficit (group)
  kExpectedPlannedRed,       // ... among those that planned a deficit (group)
  kTotalSurplusMeanK,        // mean total surplus, GBP k (group)
  kSpecialisedDeficitMeanK,  // NHS England's mean specialised deficit, GBP k (national)
  kHubOverspendMeanPct,      // a hub's mean overspend, % of budget (hub)
  kHubsOverspending,         // expected number of hubs overspending (national)
  kPRed,                     // one CCG's P(in the red), before risk sharing (ccg:CODE)
};

struct Target {
  std::string name;  // e.g. "Unplanned deficits, Midlands and East"
  Statistic statistic = Statistic::kExpectedRed;
  // "national", "region:NAME", "area_team:CODE", "pool:NAME", "hub:NAME",
  // "ccg:CODE" (one CCG) or "ccgs:NAME" (a list in the file's [ccgs] table).
  std::string group;
  std::vector<std::string> members;  // ccg: and ccgs: groups: the ODS codes
  double value = 0.0;                // the published figure
  double tolerance = 0.0;            // |model - value| <= tolerance counts as reproduced
  // The scenario key (TOML path) calibrate moves to meet this target, in
  // [lower, upper]; none = the target is only reported.
  std::optional<std::string> parameter;
  double lower = 0.0;
  double upper = 0.0;
  std::string source;  // where the figure comes from
  // false: published and reported beside every run, but known not to be
  // reproduced by the scenario yet (docs/calibration.md says why); shown
  // as "open" rather than "NO" when missed.
  bool reproduced = true;
};

struct Targets {
  std::filesystem::path path;
  std::vector<Target> targets;
  std::int64_t trials = 20000;  // [calibration] trials per evaluation
  int max_sweeps = 12;          // [calibration] rounds of the fit (engine/calibrate.hpp)
};

// Reads a targets file ([calibration], [ccgs] and [[target]] tables).
// [ccgs] names lists of CCGs (NAME = ["04Y", "05D", ...]) that a target's
// group "ccgs:NAME" refers to. Throws InputError naming the file and key
// (target[i].statistic ...) for unknown keys or statistics, a malformed
// group, a ccgs:NAME not in [ccgs], an empty or repeating list, p_red with
// a group other than ccg:CODE, a negative tolerance, a parameter without
// lower < upper, or two targets moving the same parameter.
Targets load_targets(const std::filesystem::path& path);

// As load_targets, from the file's text already in memory; `path` names the
// file in messages.
Targets parse_targets(const std::string& text, const std::filesystem::path& path);

// The statistic's name as written in targets files.
std::string statistic_name(Statistic s);

}  // namespace ccgrisk
