// libFuzzer target: the results-file reader, on HDF5 file images in memory.
// HDF5 itself is Debian's uninstrumented library: a crash inside it still
// shows, but coverage guidance stops at its API.
#include <cstddef>
#include <cstdint>
#include <span>

#include "input/error.hpp"
#include "output/results_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    // Unverified, as `--no-verify` reads: a mutated sealed file would be
    // refused before HDF5 sees it, and a crafted file can simply carry no
    // seal, so the HDF5 path is what a hostile file reaches.
    ccgrisk::read_results_image(std::span<const unsigned char>(data, size), "fuzz.h5",
                                /*verify=*/false);
  } catch (const ccgrisk::InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
