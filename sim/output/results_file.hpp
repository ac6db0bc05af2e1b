// The HDF5 results file, schema 1.0 (MODEL.md "What a run reports").
#pragma once

#include <filesystem>

#include "engine/results.hpp"

namespace ccgrisk {

inline constexpr int kSchemaMajor = 1;
inline constexpr int kSchemaMinor = 0;

// Writes `results` to `path` atomically: everything goes to a temporary file
// beside `path`, which is renamed over `path` only once complete, so a
// reader never sees a half-written file and a failure leaves none behind.
// Throws std::runtime_error (naming the path) on any HDF5 or file failure.
void write_results_file(const Results& results, const std::filesystem::path& path);

}  // namespace ccgrisk
