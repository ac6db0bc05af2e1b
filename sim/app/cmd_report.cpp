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

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/subprocess.hpp"
#include "input/error.hpp"
#include "output/file_output.hpp"
#include "output/results_reader.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDefaultPython = "/usr/bin/python3";
constexpr const char* kReportModule = "ccgrisk_analysis.report";
constexpr const char* kReportFile = "index.html";

struct ReportArgs {
  fs::path results;
  fs::path out;  // default: RESULTS without .h5, plus "-report"
  bool out_given = false;
  bool no_verify = false;
  std::string ccg;  // --ccg: the CCG whose years the report charts (runs of several years)
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

// analysis/ holding ccgrisk_analysis: $CCGRISK_ANALYSIS_DIR, else in one of
// this ccgrisk's install_roots.
fs::path find_analysis_dir() {
  if (const std::string env = getenv_or("CCGRISK_ANALYSIS_DIR", ""); !env.empty()) {
    if (!holds_report(env))
      throw InputError("CCGRISK_ANALYSIS_DIR=" + env + ": no ccgrisk_analysis/report there");
    return env;
  }
  std::error_code ec;
  for (const fs::path& root : install_roots())
    if (holds_report(root / "analysis")) return fs::weakly_canonical(root / "analysis", ec);
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

// The report's folder: as given, or RESULTS without .h5 plus "-report".
fs::path output_dir(const ReportArgs& a) {
  if (a.out_given) return a.out;
  return fs::path(a.results).replace_extension().string() + "-report";
}

// The page, drawn by the Python package and written to its stdout.
std::string render_page(const ReportArgs& a, const std::string& python) {
  std::string pythonpath = find_analysis_dir().string();
  if (const std::string old = getenv_or("PYTHONPATH", ""); !old.empty())
    pythonpath.append(":").append(old);
  std::vector<std::string> command = {python, "-m", kReportModule, a.results.string(), "--stdout"};
  if (!a.ccg.empty()) command.insert(command.end(), {"--ccg", a.ccg});
  const ProcessResult r =
      run_process(command, {"PYTHONPATH=" + pythonpath, "MPLBACKEND=Agg"}, true);
  if (r.exit_code == kExitBadInput)
    throw InputError(a.results.string() + ": the report generator refused it (see above)");
  if (r.exit_code != 0)
    throw std::runtime_error("the report generator (" + python + " -m " + kReportModule +
                             ") failed with exit code " + std::to_string(r.exit_code));
  return r.output;
}

int run_report(const ReportArgs& a) {
  // A clear error (exit 2) for a file that is not one (of several years: its first year).
  const Results first = read_results_file(a.results, !a.no_verify, 0);
  if (!a.ccg.empty()) {
    if (!first.horizon) throw InputError("--ccg " + a.ccg + ": for a run of several years");
    if (std::find(first.code.begin(), first.code.end(), a.ccg) == first.code.end())
      throw InputError("--ccg " + a.ccg + ": no such CCG in " + a.results.string());
  }
  const fs::path out = output_dir(a);
  const std::vector<std::string> files = {kReportFile};
  check_output_folder(out, files, std::vector<fs::path>{a.results}, "report folder");
  const std::string python = getenv_or("CCGRISK_PYTHON", kDefaultPython);
  check_python(python);
  const std::string page = render_page(a, python);
  OutputFolder folder(out);
  write_file_atomically(folder.path() / kReportFile, page);
  folder.keep();
  std::cout << "Report written to " << (folder.path() / kReportFile).string() << "\n";
  return kExitOk;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write a self-contained HTML report (charts and tables) of a results file");
  cmd->add_option("results", a->results, "Results file written by ccgrisk run")->required();
  CLI::Option* out = cmd->add_option(
      "-o,--output", a->out,
      "Folder for the report (index.html), created if missing (not its parents); default: "
      "RESULTS without .h5 + -report");
  cmd->add_option("--ccg", a->ccg,
                  "A run of several years: the CCG whose years are charted (default: of the "
                  "CCGs that did not plan a deficit, the one most likely to be in the red in "
                  "some year)")
      ->type_name("CODE")
      ->check(not_empty());
  cmd->add_flag(
      "--no-verify", a->no_verify,
      "Read a results file whose seal no longer matches (changed on purpose after it was written)");
  cmd->footer(
      "Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (/usr/bin/python3, or "
      "$CCGRISK_PYTHON); the Python package is found beside the executable or in "
      "$CCGRISK_ANALYSIS_DIR.");
  return {cmd, [a, out] {
            a->out_given = out->count() > 0;
            return run_report(*a);
          }};
}

}  // namespace ccgrisk
