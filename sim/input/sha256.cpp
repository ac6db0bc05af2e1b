// SHA-256 as specified in FIPS 180-4, sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2.
#include "input/sha256.hpp"

#include <array>
#include <cstdint>

namespace ccgrisk {
namespace {

using Word = std::uint32_t;
using Block = std::array<Word, 64>;  // message schedule W_0..W_63
using State = std::array<Word, 8>;   // H_0..H_7

// K_0..K_63: first 32 bits of the fractional parts of the cube roots of the
// first 64 primes (FIPS 180-4 section 4.2.2).
constexpr std::array<Word, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// H^(0): first 32 bits of the fractional parts of the square roots of the
// first 8 primes (section 5.3.3).
constexpr State kInitial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr Word rotr(Word x, int n) {
  return (x >> n) | (x << (32 - n));
}
constexpr Word ch(Word x, Word y, Word z) {
  return (x & y) ^ (~x & z);
}
constexpr Word maj(Word x, Word y, Word z) {
  return (x & y) ^ (x & z) ^ (y & z);
}
constexpr Word big_sigma0(Word x) {
  return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}
constexpr Word big_sigma1(Word x) {
  return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}
constexpr Word small_sigma0(Word x) {
  return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
}
constexpr Word small_sigma1(Word x) {
  return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}

// Message schedule of one 64-byte block (big-endian words).
Block schedule(const unsigned char* block) {
  Block w{};
  for (int t = 0; t < 16; ++t) {
    const unsigned char* p = block + 4 * t;
    w[t] = (Word{p[0]} << 24) | (Word{p[1]} << 16) | (Word{p[2]} << 8) | Word{p[3]};
  }
  for (int t = 16; t < 64; ++t) {
    w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
  }
  return w;
}

// One application of the compression function (section 6.2.2, steps 2-4).
void compress(State& h, const unsigned char* block) {
  const Block w = schedule(block);
  State v = h;  // a, b, c, d, e, f, g, h
  for (int t = 0; t < 64; ++t) {
    const Word t1 = v[7] + big_sigma1(v[4]) + ch(v[4], v[5], v[6]) + kRound[t] + w[t];
    const Word t2 = big_sigma0(v[0]) + maj(v[0], v[1], v[2]);
    v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
  }
  for (int i = 0; i < 8; ++i)
    h[i] += v[i];
}

// The final block(s): the last `bytes.size() % 64` bytes, a 1 bit, zeros,
// and the message length in bits as a 64-bit big-endian integer (5.1.1).
void compress_tail(State& h, std::string_view bytes) {
  const std::size_t n = bytes.size() % 64;
  std::array<unsigned char, 128> pad{};
  for (std::size_t i = 0; i < n; ++i) {
    pad[i] = static_cast<unsigned char>(bytes[bytes.size() - n + i]);
  }
  pad[n] = 0x80;
  const std::size_t len = n + 1 + 8 <= 64 ? 64 : 128;
  const std::uint64_t bits = std::uint64_t{bytes.size()} * 8;
  for (std::size_t i = 0; i < 8; ++i)
    pad[len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (std::size_t off = 0; off < len; off += 64)
    compress(h, pad.data() + off);
}

std::string to_hex(const State& h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (Word word : h) {
    for (int shift = 28; shift >= 0; shift -= 4)
      hex += kDigits[(word >> shift) & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  State h = kInitial;
  const std::size_t full = bytes.size() / 64 * 64;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t off = 0; off < full; off += 64)
    compress(h, data + off);
  compress_tail(h, bytes);
  return to_hex(h);
}

}  // namespace ccgrisk
