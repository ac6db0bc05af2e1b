// Checks of command-line values, shared by the sub-commands, with messages
// that name the option, the value and the bounds (docs/reliability.md).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>

namespace ccgrisk {

// Accepts a whole number in [lo, hi], written in decimal digits.
CLI::Validator whole_number(std::int64_t lo, std::int64_t hi);

// Refuses an empty value: for an option naming a file, a year or a CCG,
// given as '' (else taken as not given at all).
CLI::Validator not_empty();

// Accepts a number in [lo, hi] (NaN is none).
CLI::Validator number_in(double lo, double hi);

// --threads N: worker threads, 0 = all cores, at most limits::kMaxThreads.
CLI::Option* add_threads_option(CLI::App* cmd, int& threads);

// The message of a command-line parse error as users should read it: CLI11's
// "--output: At Most 1 required but received 2" becomes "--output given 2
// times (give it once)".
std::string usage_message(const CLI::ParseError& e);

}  // namespace ccgrisk
