// The scenario reader's TOML layer, for code that edits the parsed table
// before validation (e.g. command-line `--set KEY=VALUE` overrides).
// Private to the library: include only from targets that link toml++.
#pragma once

#include "input/scenario.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <string>

namespace ccgrisk {

// Parses TOML `text`; a syntax error throws InputError
// "<path>:<line>:<column>: TOML syntax error: <description>".
toml::table parse_toml(const std::string& text, const std::filesystem::path& path);

// Validates a parsed scenario table (see load_scenario for the rules) and
// returns the Scenario; `path` names the file in messages and anchors
// relative paths, `text` is kept as Scenario::text.
Scenario scenario_from_table(const toml::table& root, const std::filesystem::path& path,
                             std::string text);

}  // namespace ccgrisk
