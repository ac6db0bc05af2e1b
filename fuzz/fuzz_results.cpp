// libFuzzer target: the results-file reader, on HDF5 file images in memory.
// HDF5 itself is Debian's uninstrumented library: a crash inside it still
// shows, but coverage guidance stops at its API.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "input/error.hpp"
#include "output/results_reader.hpp"
#include "output/seal.hpp"

namespace {

// An image whose superblock is at offset 0 has no user block to seal.
bool starts_with_superblock(const std::vector<unsigned char>& image) {
  constexpr std::string_view kHdf5Signature = "\x89HDF\r\n\x1a\n";
  return image.size() >= kHdf5Signature.size() &&
         std::memcmp(image.data(), kHdf5Signature.data(), kHdf5Signature.size()) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Sealed first when it has room for a user block: the seal is a plain
  // SHA-256 anyone can compute, so a crafted file can carry a valid one,
  // and a sealed file is what the reader parses in this process. The rest
  // (a superblock at offset 0, or too short) take the unsealed path: a
  // forked child reads them. The replay test runs those, to check that the
  // child contains what HDF5 does; libFuzzer skips them, since its copy in
  // the child would report the child's crashes as this process's and the
  // child's coverage is lost.
  std::vector<unsigned char> image(data, data + size);
  const bool sealable = image.size() >= ccgrisk::kSealBytes && !starts_with_superblock(image);
  if (sealable) ccgrisk::seal_image(image);
#if defined(CCGRISK_LIBFUZZER)
  if (!sealable) return 0;
#endif
  try {
    ccgrisk::read_results_image(image, "fuzz.h5");
  } catch (const ccgrisk::InputError&) {
    // Rejected with a message: the expected outcome for bad input.
  }
  return 0;
}
