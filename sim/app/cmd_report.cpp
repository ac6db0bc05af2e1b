// ccgrisk report RESULTS.h5 -o DIR: a self-contained HTML report of a run,
// drawn by the Python package in analysis/ (ccgrisk_analysis.report) with
// Debian's python3-h5py, python3-numpy and python3-matplotlib.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/subprocess.hpp"
#include "input/error.hpp"
#include "output/results_reader.hpp"

#ifndef CCGRISK_SOURCE_DIR
#define CCGRISK_SOURCE_DIR ""
#endif

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultPython = "/usr/bin/python3";
constexpr const char* kReportModule = "ccgrisk_analysis.report";
constexpr const char* kReportFile = "index.html";

struct ReportArgs {
  fs::path results;
  fs::path out;  // default: RESULTS without .h5, plus "-report"
};

// Python modules the report imports, and the Debian packages that hold them.
const std::vector<std::pair<std::string, std::string>> kModules = {
    {"h5py", "python3-h5py"}, {"numpy", "python3-numpy"}, {"matplotlib", "python3-matplotlib"}};

std::string getenv_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

bool holds_report(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "ccgrisk_analysis" / "report" / "__main__.py", ec);
}

// analysis/ holding ccgrisk_analysis: $CCGRISK_ANALYSIS_DIR, else beside the
// executable (build/sim/ccgrisk or PREFIX/bin/ccgrisk), else the source tree.
fs::path find_analysis_dir() {
  if (const std::string env = getenv_or("CCGRISK_ANALYSIS_DIR", ""); !env.empty()) {
    if (!holds_report(env))
      throw InputError("CCGRISK_ANALYSIS_DIR=" + env + ": no ccgrisk_analysis/report there");
    return env;
  }
  std::error_code ec;
  const fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const fs::path& dir :
       {exe_dir / ".." / ".." / "analysis", exe_dir / ".." / "share" / "ccgrisk" / "analysis",
        fs::path(CCGRISK_SOURCE_DIR) / "analysis"})
    if (!dir.empty() && holds_report(dir)) return fs::weakly_canonical(dir, ec);
  throw InputError(
      "cannot find the report's Python package (analysis/ccgrisk_analysis/report); set "
      "CCGRISK_ANALYSIS_DIR to the analysis folder of the ccgrisk sources");
}

// The modules of kModules that `python` cannot import; throws if it cannot run.
std::vector<std::string> missing_modules(const std::string& python) {
  std::vector<std::string> argv = {python, "-c",
                                   "import importlib.util, sys\n"
                                   "for m in sys.argv[1:]:\n"
                                   "    if importlib.util.find_spec(m) is None: print(m)\n"};
  for (const auto& [module, package] : kModules)
    argv.push_back(module);
  const ProcessResult r = run_process(argv, {}, true);
  if (r.exit_code != 0)
    throw InputError("the report needs Python 3 at " + python +
                     ", which did not run: install it with\n"
                     "  apt-get install -y --no-install-recommends python3 python3-h5py "
                     "python3-numpy python3-matplotlib\n"
                     "or point CCGRISK_PYTHON at a Python 3 that has h5py, numpy and matplotlib");
  std::vector<std::string> missing;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) missing.push_back(line);
  return missing;
}

void check_python(const std::string& python) {
  const std::vector<std::string> missing = missing_modules(python);
  if (missing.empty()) return;
  std::string modules, packages;
  for (const auto& [module, package] : kModules)
    if (std::find(missing.begin(), missing.end(), module) != missing.end()) {
      modules.append(modules.empty() ? "" : ", ").append(module);
      packages.append(" ").append(package);
    }
  throw InputError("the report needs the Python modules " + modules + ", which " + python +
                   " cannot import. Install them (as root) with\n"
                   "  apt-get install -y --no-install-recommends" +
                   packages + "\nor point CCGRISK_PYTHON at a Python 3 that has them");
}

fs::path output_dir(const ReportArgs& a) {
  fs::path out = a.out;
  if (out.empty()) out = fs::path(a.results).replace_extension().string() + "-report";
  if (fs::exists(out) && !fs::is_directory(out))
    throw InputError(out.string() + ": is a file; the report needs a folder");
  std::error_code ec;
  fs::create_directories(out, ec);
  if (!fs::is_directory(out))
    throw InputError(out.string() + ": cannot create the report folder (" + ec.message() + ")");
  return out;
}

int run_report(const ReportArgs& a) {
  read_results_file(a.results);  // a clear error (exit 2) for a file that is not one
  const std::string python = getenv_or("CCGRISK_PYTHON", kDefaultPython);
  const fs::path analysis = find_analysis_dir();
  check_python(python);
  const fs::path out = output_dir(a);
  std::string pythonpath = analysis.string();
  if (const std::string old = getenv_or("PYTHONPATH", ""); !old.empty())
    pythonpath.append(":").append(old);
  std::cout.flush();
  const ProcessResult r =
      run_process({python, "-m", kReportModule, a.results.string(), "-o", out.string()},
                  {"PYTHONPATH=" + pythonpath, "MPLBACKEND=Agg"}, false);
  if (r.exit_code == kExitBadInput) return kExitBadInput;
  if (r.exit_code != 0)
    throw std::runtime_error("the report generator (" + python + " -m " + kReportModule +
                             ") failed with exit code " + std::to_string(r.exit_code));
  std::cout << "Report written to " << (out / kReportFile).string() << "\n";
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write a self-contained HTML report (charts and tables) of a results file");
  cmd->add_option("results", a->results, "Results file written by ccgrisk run")->required();
  cmd->add_option("-o,--output", a->out,
                  "Folder for the report (index.html); default: RESULTS without .h5 + -report");
  cmd->footer(
      "Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (/usr/bin/python3, or "
      "$CCGRISK_PYTHON); the Python package is found beside the executable or in "
      "$CCGRISK_ANALYSIS_DIR.");
  return {cmd, [a] { return run_report(*a); }};
}

}  // namespace ccgrisk
