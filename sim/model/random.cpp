#include "model/random.hpp"

#include <algorithm>

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

}  // namespace

void TrialStream::refill(int blocks) {
  if (simd_path() == SimdPath::kX86_64_V4)
    philox_v4(key_, counter_, blocks, words_);
  else
    philox_baseline(key_, counter_, blocks, words_);
  next_ = 0;
  filled_ = 4 * blocks;
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
