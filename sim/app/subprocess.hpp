// Running a helper program (the Python report) from a sub-command.
#pragma once

#include <string>
#include <vector>

namespace ccgrisk {

struct ProcessResult {
  int exit_code = -1;  // -1: it could not be started; 128 + n: killed by signal n
  std::string output;  // its stdout, when captured
};

// Runs `argv` (argv[0] searched on PATH as execvp does) with this process's
// environment, where each "NAME=VALUE" of `env` replaces or adds a variable,
// and waits for it. Its stdout is captured when `capture` is true, else
// shared with ours; stderr is always shared.
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          bool capture);

}  // namespace ccgrisk
