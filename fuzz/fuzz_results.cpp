// libFuzzer target: the results-file reader, on HDF5 file images in memory,
// unverified (as `--no-verify` reads). The reader never lets HDF5 parse the
// image in this process: a forked child reads it and sends back the results
// (output/results_reader.cpp), so what is fuzzed is that the product path
// turns any bytes into results or a refusal. A crash or hang inside HDF5
// ends the child and the image is refused; a sanitizer report from
// ccgrisk's own code in the child is still written as a finding (the child
// keeps libFuzzer's and the sanitizers' reporting, only the crash signals
// are reset). Coverage of the child is not seen by libFuzzer.
#include <cstddef>
#include <cstdint>
#include <span>

#include "input/error.hpp"
#include "output/results_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    ccgrisk::read_results_image(std::span<const unsigned char>(data, size), "fuzz.h5",
                                /*verify=*/false);
  } catch (const ccgrisk::InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
