// ccgrisk calibrate SCENARIO --targets TARGETS -o CALIBRATED.toml
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/targets_table.hpp"
#include "engine/calibrate.hpp"
#include "input/overrides_toml.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct CalibrateArgs {
  fs::path scenario;
  fs::path targets;
  fs::path output;
  std::vector<std::string> set;
  int threads = 0;
  bool quiet = false;
};

// The calibrated scenario: a comment block with the fit, then the scenario
// with the base overrides and the fitted parameters, as TOML.
std::string calibrated_text(const CalibrateArgs& a, const std::vector<Override>& base,
                            const Targets& targets, const CalibrationOutcome& fit) {
  toml::table doc = scenario_document(a.scenario);
  for (const Override& o : base)
    apply_override(doc, o, a.scenario);
  for (const Override& o : parameter_overrides(targets, fit.parameters))
    apply_override(doc, o, a.scenario);
  std::ostringstream out;
  out << "# Calibrated by `ccgrisk calibrate " << a.scenario.string() << " --targets "
      << a.targets.string() << "`\n"
      << "# " << targets.trials << " trials per evaluation, seed " << fit.results.provenance.seed
      << " (common random numbers), " << fit.evaluations << " evaluations, " << fit.sweeps
      << " sweeps, " << (fit.converged ? "converged" : "NOT converged") << ".\n#\n";
  print_target_table(targets, fit.achieved, fit.parameters, "# ", out);
  out << "#\n# Relative paths below resolve against this file's folder.\n\n" << to_toml_text(doc);
  return out.str();
}

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path temp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temp.string());
  }
  fs::rename(temp, path);
}

int calibrate_command(const CalibrateArgs& a) {
  std::vector<Override> base;
  for (const std::string& s : a.set)
    base.push_back(parse_override(s));
  const Targets targets = load_targets(a.targets);
  check_output_path(a.output);
  if (!a.quiet) std::cerr << "calibrating " << targets.targets.size() << " targets...\n";
  const CalibrationOutcome fit = calibrate(a.scenario, base, targets, RunOptions{a.threads});
  write_atomically(a.output, calibrated_text(a, base, targets, fit));
  if (!a.quiet) {
    print_target_table(targets, fit.achieved, fit.parameters, "", std::cout);
    std::cout << "\n"
              << fit.evaluations << " evaluations of " << targets.trials << " trials, "
              << (fit.converged ? "converged" : "NOT converged")
              << "; calibrated scenario written to " << a.output.string() << "\n";
  }
  return fit.converged ? kExitOk : kExitInternal;
}

}  // namespace

Command add_calibrate_command(CLI::App& app) {
  auto a = std::make_shared<CalibrateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit scenario parameters so the model reproduces published figures");
  cmd->add_option("scenario", a->scenario, "Scenario TOML file")->required();
  cmd->add_option("--targets", a->targets, "Targets TOML file")->required();
  cmd->add_option("-o,--output", a->output, "Calibrated scenario to write (TOML)")->required();
  cmd->add_option("--set", a->set, "Override a scenario key first: KEY=VALUE (repeatable)");
  cmd->add_option("--threads", a->threads, "Worker threads, 0 = all cores");
  cmd->add_flag("-q,--quiet", a->quiet, "No table on stdout");
  return {cmd, [a] { return calibrate_command(*a); }};
}

}  // namespace ccgrisk
