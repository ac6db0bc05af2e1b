// ccgrisk calibrate SCENARIO --targets TARGETS -o CALIBRATED.toml
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/common.hpp"
#include "app/targets_table.hpp"
#include "engine/calibrate.hpp"
#include "engine/scenario_runs.hpp"
#include "input/error.hpp"
#include "input/input_file.hpp"
#include "input/limits.hpp"
#include "input/overrides_toml.hpp"
#include "input/text.hpp"
#include "output/file_output.hpp"

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
  bool allow_unconverged = false;
  int uncertainty_samples = 0;         // > 0: write an [uncertainty] block of the fit
  std::optional<std::int64_t> trials;  // --trials: in place of [calibration] trials
};

// `x` to 4 significant digits.
std::string significant(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return text;
}

// `text` as a TOML string (toml++ quotes and escapes it).
std::string toml_string(const std::string& text) {
  std::ostringstream out;
  out << toml::value<std::string>(text);
  return out.str();
}

// An [uncertainty] block: each fitted parameter normal about its fitted
// value with its standard error (CalibrationOutcome), `samples` outer samples.
std::string uncertainty_block(const Targets& targets, const CalibrationOutcome& fit, int samples) {
  std::ostringstream out;
  out << "\n# Parameter uncertainty from the calibration (ccgrisk calibrate --uncertainty):\n"
      << "# each fitted key normal about its fitted value, sd = sqrt(se^2 + (tolerance/2)^2) /\n"
      << "# |d target / d key|, the target's tolerance taken as two standard errors of the\n"
      << "# published figure (docs/model.md, \"Parameter uncertainty\").\n"
      << "[uncertainty]\nsamples = " << samples << "\nsampler = \"lhs\"\n";
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    const Target& t = targets.targets[i];
    if (!t.parameter || !std::isfinite(fit.standard_errors[i])) continue;
    out << "\n[[uncertainty.parameter]]\nkey = " << toml_string(*t.parameter)
        << "\ndistribution = \"normal\"\nmean = " << number_text(fit.parameters[i])
        << "\nsd = " << number_text(fit.standard_errors[i]) << "\nsource = "
        << toml_string("calibrated to '" + t.name + "' (" + number_text(t.value) + " +- " +
                       number_text(t.tolerance) + "); slope " + significant(fit.slopes[i]) +
                       " per unit of the key")
        << "\n";
  }
  return out.str();
}

// The calibrated scenario: a comment block with the fit, then the scenario
// with the base overrides and the fitted parameters, as TOML.
// data.ccgs is rewritten to the CCG table the fit used, relative to the
// output's folder (so the file runs wherever it was written).
std::string calibrated_text(const CalibrateArgs& a, const std::vector<Override>& base,
                            const Targets& targets, const CalibrationOutcome& fit,
                            const fs::path& ccgs) {
  toml::table doc = scenario_document(a.scenario);
  for (const Override& o : base)
    apply_override(doc, o, a.scenario);
  for (const Override& o : parameter_overrides(targets, fit.parameters))
    apply_override(doc, o, a.scenario);
  if (toml::table* data = doc["data"].as_table()) {
    const fs::path table = fs::absolute(ccgs).lexically_normal();
    const fs::path relative = table.lexically_relative(fs::absolute(a.output).parent_path());
    data->insert_or_assign("ccgs", (relative.empty() ? table : relative).generic_string());
  }
  std::ostringstream out;
  out << "# Calibrated by `ccgrisk calibrate " << a.scenario.string() << " --targets "
      << a.targets.string();
  for (const std::string& s : a.set)
    out << " --set " << s;
  if (a.trials) out << " --trials " << *a.trials;
  if (a.uncertainty_samples > 0) out << " --uncertainty " << a.uncertainty_samples;
  out << "`\n"
      << "# " << targets.trials << " trials per evaluation, seed " << fit.results.provenance.seed
      << " (common random numbers), " << fit.evaluations << " evaluations in " << fit.passes
      << " passes, " << fit.sweeps << " rounds, " << (fit.converged ? "converged" : "NOT converged")
      << ".\n#\n";
  print_target_table(target_checks(targets, fit.achieved),
                     fitted_parameters(targets, fit.parameters), "# ", out);
  // The scenario's own [uncertainty] parameters: a fitted key's is centred
  // on its fitted value (without --uncertainty) or replaced by the fit's
  // (with it); the others are kept.
  std::string kept;
  if (toml::array* list = doc.at_path("uncertainty.parameter").as_array()) {
    const std::vector<Override> fitted = parameter_overrides(targets, fit.parameters);
    for (toml::node& node : *list) {
      toml::table* t = node.as_table();
      const std::optional<std::string> key = t ? (*t)["key"].value<std::string>() : std::nullopt;
      const auto match = std::find_if(fitted.begin(), fitted.end(),
                                      [&](const Override& o) { return key && o.key == *key; });
      if (a.uncertainty_samples > 0) {
        if (match == fitted.end() && t)
          kept += "\n[[uncertainty.parameter]]\n" + to_toml_text(*t) + "\n";
      } else if (match != fitted.end() && t && t->contains("mean")) {
        t->insert_or_assign("mean", std::stod(match->value));
      } else if (match != fitted.end()) {
        std::cerr << "ccgrisk: warning: [uncertainty] parameter " << *key
                  << " has no mean to centre on the fitted value " << match->value
                  << ": update its range, or write the fit's with --uncertainty N\n";
      }
    }
  }
  if (a.uncertainty_samples > 0) doc.erase("uncertainty");  // replaced below
  // The scenario's own text with the new values where they stand (its
  // comments, sources and layout kept), or, when more than values changed
  // (an override added a key, --uncertainty replaced a block), written anew.
  const std::optional<std::string> edited =
      edit_in_place(read_input_file(a.scenario, "the scenario file"), a.scenario, doc);
  out << "#\n# Relative paths below resolve against this file's folder.\n";
  if (!edited)
    out << "# Written from the parsed scenario (more than its values changed): the comments of "
        << a.scenario.filename().string() << " are not kept.\n";
  out << "\n" << (edited ? *edited : to_toml_text(doc));
  if (a.uncertainty_samples > 0)
    out << uncertainty_block(targets, fit, a.uncertainty_samples) << kept;
  return out.str();
}

int calibrate_command(const CalibrateArgs& a) {
  std::vector<Override> base;
  for (const std::string& s : a.set)
    base.push_back(parse_override(s));
  Targets targets = load_targets(a.targets);
  if (a.trials) targets.trials = *a.trials;
  for (std::size_t i = 0; i < a.set.size(); ++i)
    if (canonical_key(base[i].key) == "run.trials")
      throw InputError("--set " + a.set[i] +
                       ": calibrate runs [calibration] trials per evaluation (the targets "
                       "file); give --trials N to change them");
  const Scenario scenario = load_scenario_with_overrides(a.scenario, base);
  if (scenario.horizon.years > 1)
    throw InputError(a.scenario.string() +
                     ": horizon.years = " + std::to_string(scenario.horizon.years) +
                     ": calibrate fits one year to its published figures (docs/calibration.md); "
                     "set horizon.years = 1 to calibrate the first year");
  check_output_file(a.output, std::vector<fs::path>{a.scenario, scenario.ccgs, a.targets},
                    "calibrated scenario");
  if (!a.quiet) std::cerr << "calibrating " << targets.targets.size() << " targets...\n";
  const CalibrationOutcome fit = calibrate(a.scenario, base, targets, RunOptions{a.threads});
  const bool write = fit.converged || a.allow_unconverged;
  if (write) write_file_atomically(a.output, calibrated_text(a, base, targets, fit, scenario.ccgs));
  if (!a.quiet)
    print_target_table(target_checks(targets, fit.achieved),
                       fitted_parameters(targets, fit.parameters), "", std::cout);
  std::cout << (a.quiet ? "" : "\n") << fit.evaluations << " evaluations of " << targets.trials
            << " trials in " << fit.passes << " passes, "
            << (fit.converged ? "converged" : "NOT converged")
            << (write ? "; calibrated scenario written to " + a.output.string() : "") << "\n";
  if (!write)
    std::cerr << "ccgrisk: error: calibrate did not converge in " << fit.sweeps
              << " rounds; nothing written (raise calibration.max_sweeps or widen the "
                 "parameters' bounds in the targets file; --allow-unconverged writes the "
                 "last point anyway)\n";
  return write ? kExitOk : kExitInternal;
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
  add_threads_option(cmd, a->threads);
  cmd->add_option("--trials", a->trials,
                  "Trials per evaluation, in place of the targets file's [calibration] trials")
      ->check(whole_number(100, 1000000000));
  cmd->add_flag("-q,--quiet", a->quiet, "No table on stdout");
  cmd->add_flag("--allow-unconverged", a->allow_unconverged,
                "Write the last point even if the fit did not converge (exit 0); "
                "the file's header says NOT converged");
  cmd->add_option("--uncertainty", a->uncertainty_samples,
                  "Also write an [uncertainty] block: each fitted parameter normal about its "
                  "value with its standard error, this many outer samples")
      ->check(whole_number(2, limits::kMaxOuterSamples));
  return {cmd, [a] { return calibrate_command(*a); }};
}

}  // namespace ccgrisk
