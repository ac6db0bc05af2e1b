// The ccgrisk command line: sub-commands over the library.
#pragma once

namespace ccgrisk {

// Exit codes (MODEL.md "Stable interfaces").
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// Parses argv and runs the chosen command; returns the process exit code.
// Bad usage or input: message on stderr, exit 2, no output file written.
int run_command_line(int argc, char** argv);

}  // namespace ccgrisk
