// Reading a results file (schema 1.x) back into Results, for the commands
// that work from a finished run (summary, export, report).
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

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
// A file of several years (schema 1.1) is read one year at a time: `year`
// (0-based) gives that year's statistics as a one-year Results, with
// Results::horizon set (the outcomes across years as they stand then); a
// one-year file ignores it. Without a year (-1) a file of several years is
// refused (InputError naming --year).
Results read_results_file(const std::filesystem::path& path, bool verify = true, int year = -1);

// Every year of a results file, in order: one Results for a one-year file;
// for a file of several years, read_results_file(path, verify, y) of each.
std::vector<Results> read_results_years(const std::filesystem::path& path, bool verify = true);

// The index of the year labelled `label` ("2014-15") in `results` (a year
// read from a file: its HorizonYear labels, else the one-year run's first
// year). Throws InputError naming --year and the years there are.
int year_index(const Results& results, const std::string& label);

// As read_results_file, from a file image in memory; `name` labels it in
// messages.
Results read_results_image(std::span<const unsigned char> image, const std::string& name,
                           bool verify = true, int year = -1);

}  // namespace ccgrisk
