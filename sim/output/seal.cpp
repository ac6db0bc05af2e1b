#include "output/seal.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "input/sha256.hpp"

namespace ccgrisk {

namespace {

// "ccgrisk-seal sha256 " + 64 hex digits + "\n", then zeros to kSealBytes.
constexpr std::string_view kSignature = "ccgrisk-seal sha256 ";
constexpr std::size_t kDigestChars = 64;

std::string digest_after_block(std::span<const unsigned char> image) {
  const auto body = image.subspan(kSealBytes);
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(body.data()), body.size()));
}

}  // namespace

void seal_image(std::vector<unsigned char>& image) {
  if (image.size() < kSealBytes) throw std::logic_error("seal_image: no user block to seal");
  const std::string seal = std::string(kSignature).append(digest_after_block(image)).append("\n");
  std::fill_n(image.begin(), kSealBytes, 0);  // HDF5 leaves the block as it found it
  std::memcpy(image.data(), seal.data(), seal.size());
}

SealState check_seal(std::span<const unsigned char> image) {
  if (image.size() < kSealBytes ||
      std::memcmp(image.data(), kSignature.data(), kSignature.size()) != 0)
    return SealState::kNone;
  const std::string_view stored(reinterpret_cast<const char*>(image.data()) + kSignature.size(),
                                kDigestChars);
  return stored == digest_after_block(image) ? SealState::kValid : SealState::kBroken;
}

}  // namespace ccgrisk
