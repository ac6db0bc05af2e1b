// The HDF5 results file, schema 1.0 (MODEL.md "What a run reports").
#pragma once

#include <filesystem>
#include <functional>

#include "engine/results.hpp"
#include "output/hdf5.hpp"

namespace ccgrisk {

inline constexpr int kSchemaMajor = 1;
inline constexpr int kSchemaMinor = 0;

// Writes `results` to `path` atomically: everything goes to a temporary file
// beside `path`, which is renamed over `path` only once complete, so a
// reader never sees a half-written file and a failure leaves none behind.
// `extra`, if given, writes further groups (e.g. /sweep) into the same file
// before it is closed and renamed, so they share its atomicity.
// Throws std::runtime_error (naming the path) on any HDF5 or file failure.
using ExtraGroups = std::function<void(const h5::File&)>;
void write_results_file(const Results& results, const std::filesystem::path& path,
                        const ExtraGroups& extra = {});

}  // namespace ccgrisk
