// ccgrisk template -o FILE.csv [SCENARIO]: the CCG table a scenario uses, as
// a CSV to fill in with a CCG's own plan (docs/data.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/common.hpp"
#include "input/horizon.hpp"
#include "model/model.hpp"
#include "output/ccg_template.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace {

namespace fs = std::filesystem;

struct TemplateArgs {
  fs::path scenario;  // empty: the shipped baseline
  fs::path output;
  std::vector<std::string> sets;
  bool quiet = false;
};

int write_template(const TemplateArgs& a) {
  std::vector<Override> overrides;
  for (const std::string& s : a.sets)
    overrides.push_back(parse_override(s));
  const Inputs in =
      load_inputs(a.scenario.empty() ? shipped_file(kShippedBaseline) : a.scenario, overrides);
  const std::vector<fs::path> read = in.files();
  check_output_file(a.output, read, "CCG table template");
  const std::vector<CcgRecord> ccgs = resolve_ccgs(in.scenario, in.table);
  const std::string made_by = "ccgrisk template (ccgrisk " CCGRISK_VERSION ")";
  write_file_atomically(a.output,
                        ccg_template_csv(in.scenario, ccgs, made_by,
                                         plan_defaults_by_year(year_scenarios(in.scenario))));
  if (!a.quiet)
    std::cout << "CCG table for " << ccgs.size() << " CCGs written to " << a.output.string()
              << "\nFill it in, then run a scenario on it (docs/data.md):\n  --set 'data.ccgs=\""
              << fs::absolute(a.output).lexically_normal().string() << "\"'\n";
  return kExitOk;
}

}  // namespace

Command add_template_command(CLI::App& app) {
  auto a = std::make_shared<TemplateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "template",
      "Write the CCG table a scenario uses as a CSV to fill in: every per-CCG column, with "
      "units and bases");
  cmd->add_option("scenario", a->scenario,
                  "Scenario TOML file (default: the shipped 2013-14 baseline)");
  cmd->add_option("-o,--output", a->output, "CSV file to write")->required();
  cmd->add_option("--set", a->sets, "Override a scenario key by its TOML path (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  return {cmd, [a] { return write_template(*a); }};
}

}  // namespace ccgrisk
