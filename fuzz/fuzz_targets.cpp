// libFuzzer target: the calibration targets parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "input/error.hpp"
#include "input/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    ccgrisk::parse_targets(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const ccgrisk::InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
