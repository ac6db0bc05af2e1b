#include "app/commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <streambuf>
#include <string>
#include <vector>

#include "app/cli_checks.hpp"
#include "engine/comm.hpp"
#include "input/error.hpp"
#include "input/text.hpp"
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

// Parses argv and runs the chosen command, returning its exit code;
// usage errors print their message and return 2. Errors of the command
// itself propagate.
int dispatch(int argc, char** argv) {
  CLI::App app{"ccgrisk: Monte Carlo risk of NHS commissioners ending the year in the red"};
  app.require_subcommand(1);
  const std::vector<Command> commands = {
      add_run_command(app),       add_calibrate_command(app),      add_summary_command(app),
      add_report_command(app),    add_export_command(app),         add_sweep_command(app),
      add_breakeven_command(app), add_reverse_stress_command(app), add_bench_command(app),
      add_template_command(app)};
  if (const std::string unknown = unknown_command(argc, argv, commands); !unknown.empty()) {
    std::cerr << "ccgrisk: error: " << message_text(unknown) << "\n";
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "ccgrisk: error: " << message_text(usage_message(e))
              << "\nRun 'ccgrisk --help' or 'ccgrisk COMMAND --help'.\n";
    return kExitBadInput;
  }
  for (const Command& c : commands)
    if (c.cli->parsed()) return c.action();
  return kExitBadInput;
}

// A stream buffer that drops everything: the output of ranks other than 0.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// Under MPI, every rank's outcome agreed: the job's exit code is the
// largest, and rank 0 prints the message of the first rank that failed
// (engine/comm.hpp). A failure agreed earlier (JobFailure) was agreed on
// every rank, so it is only printed. Without MPI, as ever: the message, and
// its exit code. The caller returns rank 0's code (the others return 0, so
// that mpirun does not stop rank 0 before it has finished).
int finish(const Comm& comm, int code, const std::exception_ptr& error) {
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const JobFailure& e) {
      if (!e.message().empty()) std::fprintf(stderr, "%s\n", e.message().c_str());
      return e.exit_code();
    } catch (...) {
    }
  }
  if (comm.size() == 1) {
    if (!error) return code;
    const FailureReport report = failure_report(error);
    std::fprintf(stderr, "%s\n", report.line.c_str());
    return report.exit_code;
  }
  Comm::State mine;
  mine.error = error;
  mine.exit_code = code;
  try {
    return comm.agree(mine).exit_code;
  } catch (const JobFailure& e) {
    if (!e.message().empty()) std::fprintf(stderr, "%s\n", e.message().c_str());
    return e.exit_code();
  }
}

}  // namespace

int run_command_line(int argc, char** argv) {
  Comm::init(argc, argv);
  const Comm& comm = Comm::world();
  static NullBuffer null_buffer;
  if (comm.rank() != 0) {
    // One voice and one writer per job: rank 0 (docs/scale-out.md).
    std::cout.rdbuf(&null_buffer);
    std::cerr.rdbuf(&null_buffer);
    set_output_writer(false);
  }
  install_signal_cleanup();
  int code = kExitOk;
  std::exception_ptr error;
  try {
    code = dispatch(argc, argv);
  } catch (...) {
    error = std::current_exception();
  }
  std::cout.flush();
  try {
    code = finish(comm, code, error);
  } catch (const std::exception& e) {
    // The ranks could not even agree (an MPI failure): end them all.
    std::fprintf(stderr, "ccgrisk: internal error: %s\n", e.what());
    Comm::abort(kExitInternal);
  }
  Comm::finalize();
  return comm.rank() == 0 ? code : kExitOk;
}

}  // namespace ccgrisk
