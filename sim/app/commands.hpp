// The ccgrisk command line: sub-commands over the library.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace ccgrisk {

// Exit codes (MODEL.md "Stable interfaces").
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// A sub-command: its CLI11 node and what to do when the user picks it.
// Actions throw InputError for bad input (exit 2); other exceptions exit 1.
struct Command {
  CLI::App* cli = nullptr;
  std::function<int()> action;
};

// Each sub-command registers itself on the top-level app (one file each).
Command add_run_command(CLI::App& app);
Command add_summary_command(CLI::App& app);
Command add_report_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_calibrate_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
Command add_breakeven_command(CLI::App& app);
Command add_reverse_stress_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_template_command(CLI::App& app);

// Parses argv and runs the chosen command; returns the process exit code.
// Bad usage or input: message on stderr, exit 2, no output file written.
int run_command_line(int argc, char** argv);

}  // namespace ccgrisk
