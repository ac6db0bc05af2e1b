#include "app/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "input/error.hpp"

namespace ccgrisk {

int run_command_line(int argc, char** argv) {
  CLI::App app{"ccgrisk: Monte Carlo risk of NHS commissioners ending the year in the red"};
  app.require_subcommand(1);
  const std::vector<Command> commands = {add_run_command(app),     add_calibrate_command(app),
                                         add_summary_command(app), add_report_command(app),
                                         add_export_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  try {
    for (const Command& c : commands)
      if (c.cli->parsed()) return c.action();
  } catch (const InputError& e) {
    std::cerr << "ccgrisk: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "ccgrisk: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitBadInput;
}

}  // namespace ccgrisk
