// The HDF5 results file, schema 1.0 (MODEL.md "What a run reports").
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/results.hpp"
#include "output/hdf5.hpp"

namespace ccgrisk {

inline constexpr int kSchemaMajor = 1;
inline constexpr int kSchemaMinor = 0;
// A run of several years writes schema 1.1: a /year/label dimension, a
// leading year axis on every dataset that describes one year, and the
// outcomes across years (docs/results-format.md). One-year runs stay 1.0.
inline constexpr int kHorizonSchemaMinor = 1;

// Writes `results` to `path` atomically (output/file_output.hpp): the file
// is built in memory, written to a temporary file beside `path`, flushed and
// renamed over `path`, so a reader never sees a half-written file and a
// failure leaves none behind. `extra`, if given, writes further groups (e.g.
// /sweep) into the same file before it is written out. Throws OutputError
// (naming the path) when it cannot be written, std::runtime_error on an
// HDF5 failure. The path is checked beforehand with check_output_file.
using ExtraGroups = std::function<void(const h5::File&)>;
void write_results_file(const Results& results, const std::filesystem::path& path,
                        const ExtraGroups& extra = {});

// The results of a run of several years, atomically as write_results_file.
// `extra` as for write_results_file (e.g. /sweep).
void write_horizon_file(const HorizonResults& results, const std::filesystem::path& path,
                        const ExtraGroups& extra = {});

// The sealed file write_results_file would write, as bytes in memory;
// `name` labels it in messages.
std::vector<unsigned char> results_image(const Results& results, const std::string& name);

}  // namespace ccgrisk
