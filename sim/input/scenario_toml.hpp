// The scenario reader's TOML layer, for code that edits the parsed table
// before validation (e.g. command-line `--set KEY=VALUE` overrides).
// Private to the library: include only from targets that link toml++.
#pragma once

#include "input/scenario.hpp"

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ccgrisk {

// Parses TOML `text`; a syntax error throws InputError
// "<path>:<line>:<column>: TOML syntax error: <description>".
toml::table parse_toml(const std::string& text, const std::filesystem::path& path);

// A scenario's path as messages name it; "<scenario>" for text with no file.
std::string display_name(const std::filesystem::path& path);

// Where (1-based line and column) `text` has a non-ASCII byte outside quoted
// strings and comments, or as the first character after a line-ending
// backslash in a multi-line basic string, if anywhere. TOML allows none
// outside strings, and toml++ 3.3.0 reaches undefined behaviour on some
// (U+00A1 to U+0499 where it tests for white space, both places; found by
// fuzzing), so no such text is given to it.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
std::optional<TextPosition> non_ascii_outside_strings(std::string_view text);

// Validates a parsed scenario table (see load_scenario for the rules) and
// returns the Scenario; `path` names the file in messages and anchors
// relative paths, `text` is kept as Scenario::text.
Scenario scenario_from_table(const toml::table& root, const std::filesystem::path& path,
                             std::string text);

}  // namespace ccgrisk
