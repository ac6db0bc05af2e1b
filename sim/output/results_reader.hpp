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
// A file ccgrisk sealed (output/seal.hpp) whose bytes no longer match the
// seal is refused as changed or damaged, unless `verify` is false (a file
// changed on purpose, e.g. annotated with h5py).
Results read_results_file(const std::filesystem::path& path, bool verify = true);

// As read_results_file, from a file image in memory; `name` labels it in
// messages.
Results read_results_image(std::span<const unsigned char> image, const std::string& name,
                           bool verify = true);

}  // namespace ccgrisk
