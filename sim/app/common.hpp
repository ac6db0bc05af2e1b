// Pieces every sub-command shares: loading inputs and checking outputs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "input/ccg_table.hpp"
#include "input/overrides.hpp"
#include "input/scenario.hpp"

namespace ccgrisk {

// Fails early, before any simulation, if the results file `out` must not or
// cannot be written (output/file_output.hpp check_output_file): `inputs`
// are the files the run reads. Throws InputError.
void check_output_path(const std::filesystem::path& out,
                       const std::vector<std::filesystem::path>& inputs = {});

// The scenario, with the command-line overrides applied and validated, and
// its CCG table.
struct Inputs {
  Scenario scenario;
  CcgTable table;
  // The files read: the scenario and the CCG table.
  std::vector<std::filesystem::path> files() const { return {scenario.path, table.path}; }
};
Inputs load_inputs(const std::filesystem::path& scenario_path,
                   const std::vector<Override>& overrides = {});

// As above, with --trials and --seed given as numbers: they become the
// overrides run.trials and run.seed, applied after `overrides`.
Inputs load_inputs(const std::filesystem::path& scenario_path, std::optional<std::int64_t> trials,
                   std::optional<std::uint64_t> seed = std::nullopt,
                   const std::vector<Override>& overrides = {});

// The shipped baseline and targets, relative to the source tree.
inline constexpr const char* kShippedBaseline = "scenarios/baseline-2013-14.toml";
inline constexpr const char* kShippedTargets = "scenarios/targets-2013-14.toml";

// A shipped file (`relative` to the source tree) for a command given none:
// from the working folder if it is there, else from the tree this ccgrisk
// was built in or installed with (beside build/sim/ccgrisk or in
// PREFIX/share/ccgrisk), else from the source tree it was built from.
std::filesystem::path shipped_file(const std::filesystem::path& relative);

// Where this ccgrisk's own files may be, in order: the tree it was built in
// (beside build/sim/ccgrisk), PREFIX/share/ccgrisk when installed, and the
// source tree it was compiled from (when known).
std::vector<std::filesystem::path> install_roots();

// In a run of several years, a [year.LABEL] table that sets `key` wins over
// the scenario's value and any command-line change of it in that year: says
// so on stderr, `given` being how the user changed it ("--set KEY=VALUE",
// "--param KEY"). Nothing for a one-year run or a key no year table sets.
void warn_year_tables(const Scenario& scenario, const std::string& key, const std::string& given);
// The same for each override.
void warn_year_tables(const Scenario& scenario, const std::vector<Override>& overrides);

}  // namespace ccgrisk
