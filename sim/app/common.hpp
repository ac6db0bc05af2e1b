// Pieces every sub-command shares: loading inputs and checking outputs.
#pragma once

#include <filesystem>
#include <optional>

#include "input/ccg_table.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

// Fails early, before any simulation, if `out` cannot be written: its folder
// must exist and it must not be a folder itself. Throws InputError.
void check_output_path(const std::filesystem::path& out);

// The scenario and its CCG table, with the common command-line overrides.
struct Inputs {
  Scenario scenario;
  CcgTable table;
};
Inputs load_inputs(const std::filesystem::path& scenario_path,
                   std::optional<std::int64_t> trials = std::nullopt,
                   std::optional<std::uint64_t> seed = std::nullopt);

}  // namespace ccgrisk
