// The override layer on parsed TOML tables, for code that edits a scenario
// document and writes it back (e.g. a `calibrate` command).
// Private to the library: include only from targets that link toml++.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>

#include "input/overrides.hpp"

namespace ccgrisk {

// Sets o.key to o.value in `doc` (see Override for the forms). Missing
// tables on the way are created; array elements (by index or name) must
// exist. Throws InputError, starting with describe_override(o), for a
// malformed key or value, a path through a value that is not a table, an
// index out of range or no element with that name; `scenario_path` names
// the file in those messages. The result is not validated.
void apply_override(toml::table& doc, const Override& o,
                    const std::filesystem::path& scenario_path);

// The node a KEY (as --set writes it: bare or quoted segments, [N] indexes,
// an array of tables' element by its name) names in `doc`, or null when it
// names none (or an element whose name is not unique). A malformed KEY is an
// InputError from `source` (e.g. "--param KEY").
const toml::node* find_key(const toml::table& doc, const std::string& key,
                           const std::string& source);

// A value as messages show it: numbers, booleans and dates as TOML writes
// them (1.0 for a float), a string quoted with its control characters as
// \xNN and cut after 60 bytes (printable), tables and arrays by kind.
std::string describe(const toml::node& n);

// `table` written as a TOML document.
std::string to_toml_text(const toml::table& table);

// `text` (a TOML document read from `path`) with every value that differs in
// `edited` rewritten where it stands, so that its comments and layout are
// kept. nullopt if `edited` differs in more than values (a key added or
// removed, an array of another length, a table where a value was) or the
// edited text does not read back as `edited`.
std::optional<std::string> edit_in_place(const std::string& text, const std::filesystem::path& path,
                                         const toml::table& edited);

// The scenario file at `path`, parsed but not validated. Throws InputError
// if it cannot be read or is not valid TOML.
toml::table scenario_document(const std::filesystem::path& path);

}  // namespace ccgrisk
