// Helpers shared by the tests: temporary folders, files, running the CLI
// and running code on each SIMD path.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/simd.hpp"

namespace ccgrisk::test {

// A fresh empty folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path` (creating parent folders) and returns the path.
std::filesystem::path write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

// RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and
// newlines); a last empty line is no record.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

// Runs the ccgrisk executable with `args` (a shell-quoted string), capturing
// stdout and stderr separately; `prefix` goes before the executable (e.g.
// "prlimit --fsize=4096", "timeout 60").
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CliResult run_cli(const std::string& args, const std::string& prefix = "");

// How two HDF5 files differ, by `h5diff -v` (exact comparison of every
// dataset and attribute): one line per object or attribute that differs,
// less the attributes every run has its own of (the root's created_utc and
// threads, and wall_seconds anywhere), or "h5diff failed: ..." when it could
// not compare.
// Empty: the files hold the same results, bit for bit.
std::vector<std::string> results_file_differences(const std::filesystem::path& a,
                                                  const std::filesystem::path& b);

// Shell-quotes one argument.
std::string quote(const std::string& arg);

// The shipped 2013-14 CCG table and the tests' data folder.
std::filesystem::path shipped_ccg_table();
std::filesystem::path test_data(const std::string& name);

// Calls body(path) once for each SIMD path this CPU supports, with that
// path selected; the path in use before is restored afterwards, also when
// body throws (a failed REQUIRE).
template <typename Body>
void for_each_simd_path(Body body) {
  struct Restore {
    SimdPath before = simd_path();
    ~Restore() { set_simd_path(before); }
  } restore;
  for (SimdPath path : {SimdPath::kBaseline, SimdPath::kX86_64_V4}) {
    if (!simd_supported(path)) continue;
    set_simd_path(path);
    body(path);
  }
}

}  // namespace ccgrisk::test
