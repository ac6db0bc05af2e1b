#include "support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ccgrisk::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("ccgrisk-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path write_file(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string quote(const std::string& arg) {
  std::string q = "'";
  for (char c : arg)
    q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult run_cli(const std::string& args, const std::string& prefix) {
  TempDir dir;
  const fs::path out = dir / "stdout", err = dir / "stderr";
  const std::string cmd = prefix + " " + quote(CCGRISK_EXE) + " " + args + " >" +
                          quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

std::vector<std::string> results_file_differences(const fs::path& a, const fs::path& b) {
  TempDir dir;
  const fs::path out = dir / "h5diff";
  const std::string cmd = "h5diff -v " + quote(a.string()) + " " + quote(b.string()) + " >" +
                          quote(out.string()) + " 2>&1";
  const int status = std::system(cmd.c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  const std::string text = read_file(out);
  if (code != 0 && code != 1) return {"h5diff failed: " + text.substr(0, 400)};
  // "attribute: <created_utc of </>> and <created_utc of </>>" or
  // "dataset: </ccg/p_red> and </ccg/p_red>", then "N differences found".
  std::vector<std::string> differences;
  std::istringstream lines(text);
  std::string line, object;
  while (std::getline(lines, line)) {
    if (line.rfind("attribute: ", 0) == 0 || line.rfind("dataset: ", 0) == 0 ||
        line.rfind("group  : ", 0) == 0) {
      object = line;
    } else if (line.find("differences found") != std::string::npos && line.rfind("0 ", 0) != 0) {
      bool natural = false;
      for (const char* name : {"<created_utc of </>>", "<threads of </>>", "<wall_seconds of "})
        natural = natural || object.find(name) != std::string::npos;
      if (!natural) differences.push_back(object + ": " + line);
    } else if ((line.find("not comparable") != std::string::npos ||
                line.find("Not comparable") != std::string::npos) &&
               line.find("is an empty dataset") == std::string::npos &&
               line.find("Some objects are not comparable") == std::string::npos) {
      // (h5diff calls two empty datasets "not comparable", and then says so
      // once more at the end; a dataset empty in one file only also changes
      // its dimension lists, reported above.)
      differences.push_back(object + ": " + line);
    }
  }
  // The listing of objects: "    x      x    /path" (in both), "    x           /path"
  // (the first only), "           x    /path" (the second only).
  for (std::istringstream again(text); std::getline(again, line);) {
    const std::size_t slash = line.find('/');
    if (slash != 16 || line.size() < 17) continue;
    const bool first = line[4] == 'x', second = line[11] == 'x';
    if (first != second)
      differences.push_back(std::string("only in the ") + (first ? "first" : "second") +
                            " file: " + line.substr(slash));
  }
  return differences;
}

fs::path shipped_ccg_table() {
  return fs::path(CCGRISK_SOURCE_DIR) / "scenarios/data/ccg_2013_14.csv";
}

fs::path test_data(const std::string& name) {
  return fs::path(CCGRISK_TEST_DATA) / name;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      rows.back().back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      rows.back().emplace_back();
    } else if (!quoted && c == '\n') {
      rows.emplace_back(1);
    } else if (quoted || c != '\r') {
      rows.back().back() += c;
    }
  }
  if (rows.back() == std::vector<std::string>(1)) rows.pop_back();
  return rows;
}

}  // namespace ccgrisk::test
