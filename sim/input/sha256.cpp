// SHA-256 through OpenSSL's EVP digest interface (libcrypto), which is
// maintained, tested against the NIST vectors and fast on every CPU.
#include "input/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace ccgrisk {
namespace {

// An EVP_MD_CTX that is freed however the function leaves.
struct DigestContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

// The EVP calls return 1 on success and 0 (or less) on failure.
void require(int ok, const char* call) {
  if (ok != 1)
    throw std::runtime_error(std::string("sha256: OpenSSL ").append(call).append(" failed"));
}

std::string to_hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  const DigestContext ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("sha256: OpenSSL EVP_MD_CTX_new failed");
  require(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  require(EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()), "EVP_DigestUpdate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  require(EVP_DigestFinal_ex(ctx.get(), digest, &size), "EVP_DigestFinal_ex");
  return to_hex(digest, size);
}

}  // namespace ccgrisk
