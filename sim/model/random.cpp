#include "model/random.hpp"

#include <algorithm>

#if defined(CCGRISK_HAVE_X86_64_V4)
#include <immintrin.h>
#endif

#include "model/simd.hpp"

namespace ccgrisk {

namespace {

__extension__ typedef unsigned __int128 Product;  // 64 x 64 -> 128 bits

// Philox4x64-10 (Salmon et al. 2011) of counters {c0, c1, c2, c3 + l},
// l < L, under key {k0, k1}, the L blocks computed side by side so that
// their multiplications overlap. The same function as r123::Philox4x64
// (the tests compare the words).
template <int L>
[[gnu::always_inline]] inline void philox4x64_10(std::uint64_t k0, std::uint64_t k1,
                                                 const r123::Philox4x64::ctr_type& counter,
                                                 std::uint64_t* out) {
  constexpr std::uint64_t kM0 = 0xD2E7470EE14C6C93, kM1 = 0xCA5A826395121157;
  constexpr std::uint64_t kW0 = 0x9E3779B97F4A7C15, kW1 = 0xBB67AE8584CAA73B;
  std::uint64_t x0[L], x1[L], x2[L], x3[L];
  for (int l = 0; l < L; ++l) {
    x0[l] = counter.v[0];
    x1[l] = counter.v[1];
    x2[l] = counter.v[2];
    x3[l] = counter.v[3] + static_cast<std::uint64_t>(l);
  }
  for (int round = 0; round < 10; ++round) {
    if (round > 0) k0 += kW0, k1 += kW1;
    for (int l = 0; l < L; ++l) {
      const Product p0 = static_cast<Product>(kM0) * x0[l];
      const Product p1 = static_cast<Product>(kM1) * x2[l];
      const auto hi0 = static_cast<std::uint64_t>(p0 >> 64), lo0 = static_cast<std::uint64_t>(p0);
      const auto hi1 = static_cast<std::uint64_t>(p1 >> 64), lo1 = static_cast<std::uint64_t>(p1);
      x0[l] = hi1 ^ x1[l] ^ k0;
      x1[l] = lo1;
      x2[l] = hi0 ^ x3[l] ^ k1;
      x3[l] = lo0;
    }
  }
  for (int l = 0; l < L; ++l) {
    out[4 * l] = x0[l];
    out[4 * l + 1] = x1[l];
    out[4 * l + 2] = x2[l];
    out[4 * l + 3] = x3[l];
  }
}

[[gnu::always_inline]] inline void philox_blocks(const r123::Philox4x64::key_type& key,
                                                 r123::Philox4x64::ctr_type& counter, int blocks,
                                                 std::uint64_t* out) {
  std::uint64_t* const end = out + 4 * static_cast<std::size_t>(blocks);
  for (; out + 8 <= end; out += 8, counter.v[3] += 2)
    philox4x64_10<2>(key.v[0], key.v[1], counter, out);
  if (out < end) {
    philox4x64_10<1>(key.v[0], key.v[1], counter, out);
    ++counter.v[3];
  }
}

void philox_baseline(const r123::Philox4x64::key_type& key, r123::Philox4x64::ctr_type& counter,
                     int blocks, std::uint64_t* out) {
  philox_blocks(key, counter, blocks, out);
}

// BMI2's mulx (part of x86-64-v4) frees the 64 x 64 -> 128-bit products
// from the fixed registers of mul.
CCGRISK_TARGET_X86_64_V4
void philox_v4(const r123::Philox4x64::key_type& key, r123::Philox4x64::ctr_type& counter,
               int blocks, std::uint64_t* out) {
  philox_blocks(key, counter, blocks, out);
}

// Philox4x32-10 blocks k = first .. first + count - 1 of stream (seed,
// purpose; trial) as 64-bit words, two a block (random.hpp). The reference:
// Random123's own, one block at a time.
void philox4x32_baseline(std::uint64_t seed, std::uint64_t purpose, std::uint64_t trial,
                         std::uint64_t first, int count, std::uint64_t* out) {
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  r123::Philox4x32::ctr_type ctr = {{0, static_cast<std::uint32_t>(purpose),
                                     static_cast<std::uint32_t>(trial),
                                     static_cast<std::uint32_t>(trial >> 32)}};
  const r123::Philox4x32 philox;
  for (int b = 0; b < count; ++b) {
    ctr.v[0] = static_cast<std::uint32_t>(first + static_cast<std::uint64_t>(b));
    const r123::Philox4x32::ctr_type x = philox(ctr, key);
    out[2 * b] = x.v[0] | std::uint64_t{x.v[1]} << 32;
    out[2 * b + 1] = x.v[2] | std::uint64_t{x.v[3]} << 32;
  }
}

#if defined(CCGRISK_HAVE_X86_64_V4)
// The same, 8 blocks side by side, one block in each 64-bit lane of a
// 512-bit register (count a multiple of 8). Each lane holds its 32-bit
// word in the low half; the high half is whatever the last product or XOR
// left there, which no later step reads (vpmuludq multiplies the low
// halves; the high half of the product moves down with a dword swap).
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32() and
// warn about it where they are inlined (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
CCGRISK_TARGET_X86_64_V4
void philox4x32_v4(std::uint64_t seed, std::uint64_t purpose, std::uint64_t trial,
                   std::uint64_t first, int count, std::uint64_t* out) {
  constexpr std::uint32_t kM0 = 0xD2511F53, kM1 = 0xCD9E8D57;
  constexpr std::uint32_t kW0 = 0x9E3779B9, kW1 = 0xBB67AE85;
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  // Block l's two words at out[2l] and out[2l + 1].
  const __m512i first_half = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
  const __m512i second_half = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  for (int b = 0; b < count; b += 8, out += 16) {
    __m512i x0 = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(first) + b), lane);
    __m512i x1 = _mm512_set1_epi64(static_cast<long long>(purpose & 0xFFFFFFFF));
    __m512i x2 = _mm512_set1_epi64(static_cast<long long>(trial & 0xFFFFFFFF));
    __m512i x3 = _mm512_set1_epi64(static_cast<long long>(trial >> 32));
    auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      if (round > 0) k0 += kW0, k1 += kW1;
      const __m512i p0 = _mm512_mul_epu32(x0, m0), p1 = _mm512_mul_epu32(x2, m1);
      const __m512i hi0 = _mm512_shuffle_epi32(p0, _MM_PERM_CDAB);
      const __m512i hi1 = _mm512_shuffle_epi32(p1, _MM_PERM_CDAB);
      // 0x96: a ^ b ^ c.
      x0 = _mm512_ternarylogic_epi64(hi1, x1, _mm512_set1_epi64(k0), 0x96);
      x2 = _mm512_ternarylogic_epi64(hi0, x3, _mm512_set1_epi64(k1), 0x96);
      x1 = p1;
      x3 = p0;
    }
    // Word x0 + 2^32 x1: low dword from x0, high dword from x1's low dword.
    const __m512i w0 = _mm512_mask_blend_epi32(0xAAAA, x0, _mm512_shuffle_epi32(x1, _MM_PERM_CDAB));
    const __m512i w1 = _mm512_mask_blend_epi32(0xAAAA, x2, _mm512_shuffle_epi32(x3, _MM_PERM_CDAB));
    _mm512_storeu_si512(out, _mm512_permutex2var_epi64(w0, first_half, w1));
    _mm512_storeu_si512(out + 8, _mm512_permutex2var_epi64(w0, second_half, w1));
  }
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void TrialStream::refill(int blocks) {
  const bool v4 = simd_path() == SimdPath::kX86_64_V4;
  if (generator_ == BitGenerator::kPhilox4x32) {
    // Two words a block, in whole batches of 8 (the buffer holds 128).
    const int count = (2 * blocks + 7) / 8 * 8;
    const std::uint64_t first = counter_.v[3];
#if defined(CCGRISK_HAVE_X86_64_V4)
    if (v4)
      philox4x32_v4(key_.v[0], key_.v[1], counter_.v[0], first, count, words_);
    else
#endif
      philox4x32_baseline(key_.v[0], key_.v[1], counter_.v[0], first, count, words_);
    counter_.v[3] += static_cast<std::uint64_t>(count);
    next_ = 0;
    filled_ = 2 * count;
    return;
  }
  if (v4)
    philox_v4(key_, counter_, blocks, words_);
  else
    philox_baseline(key_, counter_, blocks, words_);
  next_ = 0;
  filled_ = 4 * blocks;
}

const char* rng_description(BitGenerator generator) {
  return generator == BitGenerator::kPhilox4x32
             ? "Philox4x32-10 (as Random123's; 8 blocks at a time with AVX-512) counter-based "
               "stream per (seed, trial, purpose); Boost.Random ziggurat normals, Boost "
               "chi-squared"
             : "Philox4x64-10 (Random123) counter-based stream per (seed, trial, purpose); "
               "Boost.Random ziggurat normals, Boost chi-squared";
}

// The draws the inline path does not take: Boost redoes them from the word
// put back, so the value and the words consumed are Boost's own.
double standard_normal_slow(TrialStream& stream) {
  return boost::random::normal_distribution<double>()(stream);
}

// standard_normal's fast path over the buffered words with the position in
// a register; a draw it cannot finish goes to Boost from the word it failed
// on. Refills are sized to what is left to draw (ziggurat draws take one
// word each about 99% of the time).
void fill_normals(TrialStream& stream, double sign, double* out, std::size_t count) {
  std::size_t k = 0;
  while (k < count) {
    if (stream.next_ == stream.filled_) {
      const std::size_t wanted = (count - k) + (count - k) / 32 + 4;
      stream.refill(
          static_cast<int>(std::min<std::size_t>(TrialStream::kMaxBlocks, (wanted + 3) / 4)));
    }
    const std::uint64_t* word = stream.words_ + stream.next_;
    const std::uint64_t* const end = stream.words_ + stream.filled_;
    bool slow = false;
    for (double z; k < count && word < end; ++word) {
      if (!ziggurat_rectangle(*word, z)) [[unlikely]] {
        slow = true;
        break;
      }
      out[k++] = sign * z;
    }
    stream.next_ = static_cast<int>(word - stream.words_);
    if (slow) out[k++] = sign * standard_normal_slow(stream);
  }
}

}  // namespace ccgrisk
