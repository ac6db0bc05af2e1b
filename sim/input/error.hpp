// Errors raised at the input boundary (scenario TOML, CCG CSV, command line).
// The front end maps InputError to exit code 2; anything else is exit 1.
#pragma once

#include <stdexcept>
#include <string>

namespace ccgrisk {

// A problem with what the user gave us. The message already names the file
// and the line or key, the offending value and what was expected, e.g.
//   scenarios/x.toml: drivers.acute_growth.sd = -0.1: must be >= 0
//   data/ccgs.csv:17: column allocation_2013_14_k: 'abc' is not a number
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ccgrisk
