#include "model/random.hpp"

#include <algorithm>
#include <bit>
#include <limits>

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
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_epi32() and
// warn about it where they are inlined (GCC bug 105593, fixed in GCC 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// L batches of 8 blocks side by side (their multiplications overlap).
template <int L>
CCGRISK_TARGET_X86_64_V4 [[gnu::always_inline]] inline void philox4x32_batches(
    std::uint64_t seed, std::uint64_t purpose, std::uint64_t trial, std::uint64_t first,
    std::uint64_t* out) {
  constexpr std::uint32_t kM0 = 0xD2511F53, kM1 = 0xCD9E8D57;
  constexpr std::uint32_t kW0 = 0x9E3779B9, kW1 = 0xBB67AE85;
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  const __m512i lane = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  __m512i x0[L], x1[L], x2[L], x3[L];
  for (int l = 0; l < L; ++l) {
    x0[l] = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(first) + 8 * l), lane);
    x1[l] = _mm512_set1_epi64(static_cast<long long>(purpose & 0xFFFFFFFF));
    x2[l] = _mm512_set1_epi64(static_cast<long long>(trial & 0xFFFFFFFF));
    x3[l] = _mm512_set1_epi64(static_cast<long long>(trial >> 32));
  }
  auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round > 0) k0 += kW0, k1 += kW1;
    const __m512i key0 = _mm512_set1_epi64(k0), key1 = _mm512_set1_epi64(k1);
    for (int l = 0; l < L; ++l) {
      const __m512i p0 = _mm512_mul_epu32(x0[l], m0), p1 = _mm512_mul_epu32(x2[l], m1);
      const __m512i hi0 = _mm512_shuffle_epi32(p0, _MM_PERM_CDAB);
      const __m512i hi1 = _mm512_shuffle_epi32(p1, _MM_PERM_CDAB);
      // 0x96: a ^ b ^ c.
      x0[l] = _mm512_ternarylogic_epi64(hi1, x1[l], key0, 0x96);
      x2[l] = _mm512_ternarylogic_epi64(hi0, x3[l], key1, 0x96);
      x1[l] = p1;
      x3[l] = p0;
    }
  }
  // Block l's two words at out[2l] and out[2l + 1].
  const __m512i first_half = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
  const __m512i second_half = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  for (int l = 0; l < L; ++l, out += 16) {
    // Word x0 + 2^32 x1: low dword from x0, high dword from x1's low dword.
    const __m512i w0 =
        _mm512_mask_blend_epi32(0xAAAA, x0[l], _mm512_shuffle_epi32(x1[l], _MM_PERM_CDAB));
    const __m512i w1 =
        _mm512_mask_blend_epi32(0xAAAA, x2[l], _mm512_shuffle_epi32(x3[l], _MM_PERM_CDAB));
    _mm512_storeu_si512(out, _mm512_permutex2var_epi64(w0, first_half, w1));
    _mm512_storeu_si512(out + 8, _mm512_permutex2var_epi64(w0, second_half, w1));
  }
}

// The same as philox4x32_baseline, 8 blocks side by side, one block in
// each 64-bit lane of a 512-bit register (count a multiple of 8). Each lane
// holds its 32-bit word in the low half; the high half is whatever the
// last product or XOR left there, which no later step reads (vpmuludq
// multiplies the low halves; the high half of the product moves down with
// a dword swap).
CCGRISK_TARGET_X86_64_V4
void philox4x32_v4(std::uint64_t seed, std::uint64_t purpose, std::uint64_t trial,
                   std::uint64_t first, int count, std::uint64_t* out) {
  int b = 0;
  for (; b + 16 <= count; b += 16, out += 32)
    philox4x32_batches<2>(seed, purpose, trial, first + static_cast<std::uint64_t>(b), out);
  if (b < count)
    philox4x32_batches<1>(seed, purpose, trial, first + static_cast<std::uint64_t>(b), out);
}
#pragma GCC diagnostic pop
#endif

// Philox4x32 blocks on the chosen SIMD path (count a multiple of 8).
void philox4x32_words(std::uint64_t seed, std::uint64_t purpose, std::uint64_t trial,
                      std::uint64_t first, int count, std::uint64_t* out) {
#if defined(CCGRISK_HAVE_X86_64_V4)
  if (simd_path() == SimdPath::kX86_64_V4) {
    philox4x32_v4(seed, purpose, trial, first, count, out);
    return;
  }
#endif
  philox4x32_baseline(seed, purpose, trial, first, count, out);
}

}  // namespace

void TrialStream::refill(int blocks) {
  if (generator_ == BitGenerator::kPhilox4x32) {
    // Two words a block, in whole batches of 8 (the buffer holds 128).
    const int count = (2 * blocks + 7) / 8 * 8;
    philox4x32_words(key_.v[0], key_.v[1], counter_.v[0], counter_.v[3], count, words_);
    counter_.v[3] += static_cast<std::uint64_t>(count);
    next_ = 0;
    filled_ = 2 * count;
    return;
  }
  if (simd_path() == SimdPath::kX86_64_V4)
    philox_v4(key_, counter_, blocks, words_);
  else
    philox_baseline(key_, counter_, blocks, words_);
  next_ = 0;
  filled_ = 4 * blocks;
}

const char* rng_name(BitGenerator generator) {
  return generator == BitGenerator::kPhilox4x32 ? "philox4x32" : "philox4x64";
}

const char* rng_description(BitGenerator generator) {
  return generator == BitGenerator::kPhilox4x32
             ? "Philox4x32-10 (as Random123's; 8 blocks at a time with AVX-512) counter-based "
               "stream per (seed, trial, purpose); normals by slot: Boost.Random's ziggurat, "
               "one word per normal, slow draws from a fallback stream; Boost chi-squared"
             : "Philox4x64-10 (Random123) counter-based stream per (seed, trial, purpose); "
               "Boost.Random ziggurat normals, Boost chi-squared";
}

// The draws the inline path does not take: Boost redoes them from the word
// put back, so the value and the words consumed are Boost's own.
double standard_normal_slow(TrialStream& stream) {
  return boost::random::normal_distribution<double>()(stream);
}

std::uint64_t TrialStream::fallback_word() {
  constexpr std::uint64_t kFallback = std::uint64_t{1} << 31;  // purpose + 2^31
  if (fallback_next_ == kFallbackWords) {
    philox4x32_words(key_.v[0], key_.v[1] + kFallback, counter_.v[0], fallback_block_,
                     kFallbackWords / 2, fallback_words_);
    fallback_block_ += kFallbackWords / 2;
    fallback_next_ = 0;
  }
  return fallback_words_[fallback_next_++];
}

namespace {

// out[j] = sign * the rectangle value of words[j]; the positions j where
// the rectangle does not settle the draw (m <= 256), in increasing order,
// in slow[0 .. count). Returns the count. The baseline build;
// rectangle_pass_v4 is the same.
[[gnu::always_inline]] inline std::size_t rectangle_pass(const std::uint64_t* __restrict words,
                                                         double sign, double* __restrict out,
                                                         std::uint32_t* __restrict slow,
                                                         std::size_t m) {
  std::size_t count = 0;
  for (std::size_t j = 0; j < m; ++j) {
    double z;
    const bool settled = ziggurat_rectangle(words[j], z);
    out[j] = sign * z;
    slow[count] = static_cast<std::uint32_t>(j);  // kept only when not settled
    count += !settled;
  }
  return count;
}
std::size_t rectangle_pass_baseline(const std::uint64_t* words, double sign, double* out,
                                    std::uint32_t* slow, std::size_t m) {
  return rectangle_pass(words, sign, out, slow, m);
}

#if defined(CCGRISK_HAVE_X86_64_V4)
// rectangle_pass 8 words at a time: ziggurat_rectangle's operations in its
// order (GCC does not vectorise the loop itself), the layer's two table
// entries gathered. The last group is masked.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC bug 105593, as above
CCGRISK_TARGET_X86_64_V4
std::size_t rectangle_pass_v4(const std::uint64_t* words, double sign, double* out,
                              std::uint32_t* slow, std::size_t m) {
  const double* const x_table = boost::random::detail::normal_table<double>::table_x;
  const __m512i low8 = _mm512_set1_epi64(0xFF), one = _mm512_set1_epi64(1);
  const __m512i not_bit11 = _mm512_set1_epi64(static_cast<long long>(~(std::uint64_t{1} << 11)));
  const __m512d scale = _mm512_set1_pd(0x1p-56), zero = _mm512_setzero_pd();
  const __m512d outer_sign = _mm512_set1_pd(sign);
  const __m256i step = _mm256_set1_epi32(8);
  __m256i position = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  std::size_t count = 0;
  for (std::size_t j = 0; j < m; j += 8) {
    const __mmask8 lanes = m - j >= 8 ? 0xFF : static_cast<__mmask8>((1u << (m - j)) - 1);
    const __m512i w = _mm512_maskz_loadu_epi64(lanes, words + j);
    const __m512i layer = _mm512_srli_epi64(_mm512_and_si512(w, low8), 1);
    const __m512d lower = _mm512_mask_i64gather_pd(zero, lanes, layer, x_table, 8);
    const __m512d upper = _mm512_mask_i64gather_pd(zero, lanes, layer, x_table + 1, 8);
    const __m512i bits = _mm512_srli_epi64(_mm512_and_si512(w, not_bit11), 8);
    const __m512d x = _mm512_mul_pd(_mm512_mul_pd(_mm512_cvtepi64_pd(bits), scale), lower);
    const __m512i sign_int = _mm512_sub_epi64(_mm512_slli_epi64(_mm512_and_si512(w, one), 1), one);
    const __m512d z = _mm512_add_pd(_mm512_mul_pd(x, _mm512_cvtepi64_pd(sign_int)), zero);
    _mm512_mask_storeu_pd(out + j, lanes, _mm512_mul_pd(outer_sign, z));
    const __mmask8 unsettled =
        static_cast<__mmask8>(~_mm512_cmp_pd_mask(x, upper, _CMP_LT_OQ) & lanes);
    _mm256_mask_compressstoreu_epi32(slow + count, unsettled, position);
    count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(unsettled)));
    position = _mm256_add_epi32(position, step);
  }
  return count;
}
#pragma GCC diagnostic pop
#endif

// A draw's words: its slot's word, then the fallback stream.
class SlotWords {
 public:
  using result_type = std::uint64_t;
  SlotWords(TrialStream& stream, std::uint64_t first) : stream_(stream), first_(first) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    if (!used_first_) {
      used_first_ = true;
      return first_;
    }
    return stream_.fallback_word();
  }

 private:
  TrialStream& stream_;
  std::uint64_t first_;
  bool used_first_ = false;
};

}  // namespace

// Normals by slot (fill_normals), a buffer of words at a time.
void fill_normals_by_slot(TrialStream& stream, double sign, double* out, std::size_t count) {
  std::uint32_t slow[4 * TrialStream::kMaxBlocks];
  [[maybe_unused]] const bool v4 = simd_path() == SimdPath::kX86_64_V4;
  for (std::size_t k = 0; k < count;) {
    if (stream.next_ == stream.filled_) {
      const std::size_t blocks =
          std::min<std::size_t>(TrialStream::kMaxBlocks, (count - k + 3) / 4);
      stream.refill(static_cast<int>(blocks));
    }
    const std::uint64_t* words = stream.words_ + stream.next_;
    const std::size_t m = std::min<std::size_t>(count - k, stream.filled_ - stream.next_);
#if defined(CCGRISK_HAVE_X86_64_V4)
    const std::size_t slow_count = v4 ? rectangle_pass_v4(words, sign, out + k, slow, m)
                                      : rectangle_pass_baseline(words, sign, out + k, slow, m);
#else
    const std::size_t slow_count = rectangle_pass_baseline(words, sign, out + k, slow, m);
#endif
    // The unsettled draws in order, each redone by Boost from its word.
    for (std::size_t d = 0; d < slow_count; ++d) {
      const std::size_t j = slow[d];
      SlotWords draw(stream, words[j]);
      out[k + j] = sign * boost::random::normal_distribution<double>()(draw);
    }
    stream.next_ += static_cast<int>(m);
    k += m;
  }
}

// standard_normal's fast path over the buffered words with the position in
// a register; a draw it cannot finish goes to Boost from the word it failed
// on. Refills are sized to what is left to draw (ziggurat draws take one
// word each about 97% of the time).
void fill_normals(TrialStream& stream, double sign, double* out, std::size_t count) {
  if (stream.generator_ == BitGenerator::kPhilox4x32) {
    fill_normals_by_slot(stream, sign, out, count);
    return;
  }
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
