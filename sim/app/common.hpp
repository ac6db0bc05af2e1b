// Pieces every sub-command shares: loading inputs and checking outputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "input/ccg_table.hpp"
#include "input/overrides.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

// Fails early, before any simulation, if `out` cannot be written: its folder
// must exist and it must not be a folder itself. Throws InputError.
void check_output_path(const std::filesystem::path& out);

// The scenario, with the command-line overrides applied and validated, and
// its CCG table.
struct Inputs {
  Scenario scenario;
  CcgTable table;
};
Inputs load_inputs(const std::filesystem::path& scenario_path,
                   const std::vector<Override>& overrides = {});

// As above, with --trials and --seed given as numbers: they become the
// overrides run.trials and run.seed, applied after `overrides`.
Inputs load_inputs(const std::filesystem::path& scenario_path, std::optional<std::int64_t> trials,
                   std::optional<std::uint64_t> seed = std::nullopt,
                   const std::vector<Override>& overrides = {});

}  // namespace ccgrisk
