#include "app/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>
#include <vector>

#include "app/cli_checks.hpp"
#include "input/error.hpp"
#include "output/file_output.hpp"

namespace ccgrisk {

namespace {

// "unknown command 'x' (expected one of: run, ...)" when the first argument
// is neither an option nor a command; empty otherwise.
std::string unknown_command(int argc, char** argv, const std::vector<Command>& commands) {
  if (argc < 2 || argv[1][0] == '-') return {};
  std::string names;
  for (const Command& c : commands) {
    if (c.cli->get_name() == argv[1]) return {};
    names.append(names.empty() ? "" : ", ").append(c.cli->get_name());
  }
  return std::string("unknown command '")
      .append(argv[1])
      .append("' (expected one of: ")
      .append(names)
      .append(")");
}

}  // namespace

int run_command_line(int argc, char** argv) {
  install_signal_cleanup();
  CLI::App app{"ccgrisk: Monte Carlo risk of NHS commissioners ending the year in the red"};
  app.require_subcommand(1);
  const std::vector<Command> commands = {
      add_run_command(app),       add_calibrate_command(app),      add_summary_command(app),
      add_report_command(app),    add_export_command(app),         add_sweep_command(app),
      add_breakeven_command(app), add_reverse_stress_command(app), add_bench_command(app),
      add_template_command(app)};
  if (const std::string unknown = unknown_command(argc, argv, commands); !unknown.empty()) {
    std::cerr << "ccgrisk: error: " << unknown << "\n";
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ccgrisk: error: " << usage_message(e)
              << "\nRun 'ccgrisk --help' or 'ccgrisk COMMAND --help'.\n";
    return kExitBadInput;
  }
  try {
    for (const Command& c : commands)
      if (c.cli->parsed()) return c.action();
  } catch (const InputError& e) {
    std::cerr << "ccgrisk: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OutputError& e) {
    std::cerr << "ccgrisk: error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "ccgrisk: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitBadInput;
}

}  // namespace ccgrisk
