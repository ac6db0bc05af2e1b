// Reading a results file (schema 1.x) back into Results, for the commands
// that work from a finished run (summary, export, report).
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "engine/results.hpp"

namespace ccgrisk {

// Reconstructs the Results that write_results_file wrote to `path`: every
// statistic, the CCG identities and plan, group memberships (from
// /ccg/*_index) and provenance. Fields a file does not hold keep their
// defaults. Throws InputError naming the file when it is missing, not HDF5,
// not a ccgrisk results file (root attribute file_type), of another schema
// major version, or lacks a dataset the schema requires.
Results read_results_file(const std::filesystem::path& path);

// As read_results_file, from a file image in memory; `name` labels it in
// messages.
Results read_results_image(std::span<const unsigned char> image, const std::string& name);

}  // namespace ccgrisk
