// Scenario overrides from the command line: `--set KEY=VALUE` changes any
// scenario key by its TOML path before validation, so an override is checked
// exactly like the file (issue 4). The toml++-typed layer (apply_override,
// to_toml_text, scenario_document) is in overrides_toml.hpp.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "input/scenario.hpp"

namespace ccgrisk {

// One override. KEY is a dotted TOML path: bare or quoted segments
// (`shift.region."Midlands and East"`), array elements by index (`pool[0]`)
// or, for an array of tables, by their `name` key (`pool.Staffordshire`).
// VALUE is TOML value text (0.6, 5, true, "student_t", ["04Y","05D"]); a
// bare word that is not TOML (student_t, data/ccgs.csv) is taken as a string.
// `source` is how the user wrote it, for messages ("--trials 5"); empty
// means "--set KEY=VALUE".
struct Override {
  std::string key;
  std::string value;
  std::string source = {};  // defaulted, so Override{key, value} is warning-free
};

// Parses "KEY=VALUE" (split at the first '=' outside quotes). Throws
// InputError "--set 'abc': expected KEY=VALUE" without '=' or with an empty
// KEY, and names the problem for a malformed KEY.
Override parse_override(const std::string& arg);

// An override from a dedicated option, e.g. ("--trials", "run.trials", "5"):
// messages say "--trials 5".
Override option_override(std::string_view option, std::string key, std::string value);

// How the user wrote `o`: its source, or "--set KEY=VALUE".
std::string describe_override(const Override& o);

// KEY as one text: segments bare where TOML allows, quoted otherwise,
// spaces around them dropped (run."trials" and ' run . trials' are
// run.trials). Throws InputError for a malformed KEY.
std::string canonical_key(const std::string& key);

// Why `key` cannot be a parameter that moves between the points of one pass
// (a sweep's, a bisection's, a calibration's), or "" when it can: every point
// uses the same random numbers (run.seed, run.trials) and covers the same
// years (horizon.years).
std::string fixed_key_reason(const std::string& key);

// The scenario at `path` with `overrides` applied in order (a later one wins),
// then validated as load_scenario does. A validation error is the file's own
// message plus, when an override caused it, " (set on the command line by
// --set KEY=VALUE)". Scenario::text is the file text followed by a comment
// block listing the overrides (just the file text when there are none);
// Scenario::effective_toml is the effective table written as TOML.
Scenario load_scenario_with_overrides(const std::filesystem::path& path,
                                      const std::vector<Override>& overrides);

// As load_scenario_with_overrides, from scenario text already in memory;
// `path` is used in messages and to resolve relative paths.
Scenario scenario_with_overrides(const std::string& text, const std::filesystem::path& path,
                                 const std::vector<Override>& overrides);

}  // namespace ccgrisk
