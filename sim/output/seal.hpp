// The seal of a results file: proof that its bytes are the ones ccgrisk
// wrote. HDF5 skips a file's first bytes when they are a user block; ccgrisk
// writes its files with a 512-byte user block holding a signature and the
// SHA-256 of every byte after the block. A reader that finds the signature
// checks the digest before HDF5 reads anything, so a file damaged on disk,
// cut short or edited is refused as such, and HDF5 never parses bytes that
// are not ccgrisk's own. Files without the signature (written before the
// seal existed) are still read, with the reader's bounds alone.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace ccgrisk {

inline constexpr std::size_t kSealBytes = 512;  // HDF5's smallest user block

// Writes the seal into the first kSealBytes of `image`, an HDF5 file image
// made with a user block of that size.
void seal_image(std::vector<unsigned char>& image);

enum class SealState { kNone, kValid, kBroken };

// Whether `image` carries a seal, and if so whether its digest matches.
SealState check_seal(std::span<const unsigned char> image);

}  // namespace ccgrisk
