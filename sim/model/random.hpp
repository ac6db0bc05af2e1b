// Random streams: one independent stream per (seed, trial, purpose).
//
// Every trial draws from its own counter-based stream (Philox, Salmon et
// al. 2011, as in Random123), keyed by the master seed and the stream's
// purpose, with the trial index in the counter. A trial's numbers
// therefore depend only on (seed, trial, purpose): never on the thread that
// runs it, the block it is scheduled in, or the number of processes.
// The stream is a UniformRandomBitGenerator so Boost.Random distributions
// (ziggurat normal, chi-squared) draw from it directly.
//
// Two bit generators (run.rng), each giving 64-bit words:
// - Philox4x64-10 (the default): block k of the stream is
//   philox4x64({trial, 0, 0, k}, {seed, purpose}), words in block order.
// - Philox4x32-10: block k is philox4x32({k, purpose, trial mod 2^32,
//   trial / 2^32}, {seed mod 2^32, seed / 2^32}) = {x0, x1, x2, x3}, giving
//   the words x0 + 2^32 x1 and x2 + 2^32 x3. Its 32 x 32-bit products
//   vectorise (8 blocks per AVX-512 instruction), where Philox4x64's 64 x 64
//   -> 128-bit products do not. A stream draws fewer than 2^32 blocks.
//   Each stream has a fallback stream, the same with purpose + 2^31 in the
//   counter, for the normals' slow draws (fill_normals).
#pragma once

#include <Random123/philox.h>

#include <boost/random/normal_distribution.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>

#include "input/scenario.hpp"

namespace ccgrisk {

// What a stream is used for; each purpose is an independent stream.
enum class StreamPurpose : std::uint64_t {
  kLatentNormals = 1,  // national, region, area team and CCG factors
  kChiSquared = 2,     // the Student-t copula's mixing variable
  kHubNormals = 3,     // specialised commissioning hubs' own shocks
};

class TrialStream {
 public:
  using result_type = std::uint64_t;

  TrialStream(std::uint64_t seed, std::int64_t trial, StreamPurpose purpose,
              BitGenerator generator = BitGenerator::kPhilox4x64)
      : generator_(generator),
        key_{{seed, static_cast<std::uint64_t>(purpose)}},
        counter_{{static_cast<std::uint64_t>(trial), 0, 0, 0}} {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (next_ == filled_) [[unlikely]]
      refill(kBlocks);
    return words_[next_++];
  }

  // Steps back one word, so the next call returns the word just returned
  // again (valid once after each call of operator()).
  void unread() { --next_; }

  // The next word of the fallback stream (Philox4x32 only; random.hpp).
  std::uint64_t fallback_word();

 private:
  friend void fill_normals(TrialStream& stream, double sign, double* out, std::size_t count);
  friend void fill_normals_by_slot(TrialStream& stream, double sign, double* out,
                                   std::size_t count);

  // Philox blocks generated per refill: independent blocks let the CPU
  // overlap their multiplications; the words come out in counter order, so
  // the sequence is the same however many blocks a refill makes. Word by
  // word draws refill kBlocks at a time, bulk draws up to kMaxBlocks.
  static constexpr int kBlocks = 8;
  static constexpr int kMaxBlocks = 64;

  // Replaces the (fully used) buffer with at least the next 4 x `blocks`
  // words (Philox4x32 rounds up to whole batches of 8 blocks).
  void refill(int blocks);

  BitGenerator generator_;
  // {seed, purpose} and {trial, 0, 0, next block} for either generator.
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type counter_;
  int next_ = 0;
  int filled_ = 0;
  std::uint64_t words_[4 * kMaxBlocks];
  // The fallback stream: its next block and the words of the last 8.
  static constexpr int kFallbackWords = 16;
  std::uint64_t fallback_block_ = 0;
  int fallback_next_ = kFallbackWords;
  std::uint64_t fallback_words_[kFallbackWords] = {};
};

// A standard normal draw from `stream`: bit for bit the value and the words
// consumed of boost::random::normal_distribution<double>(0, 1)(stream), the
// 128-layer ziggurat of Boost 1.74+. The common case (about 97% of draws:
// one word, inside the layer's rectangle) is done here inline; otherwise the
// word is put back and Boost's distribution redoes the draw, rejections,
// wedges and tail included.
//
// Boost takes from the 64-bit word: the low 8 bits as the layer (bits 1-7)
// and the sign (bit 0), and bits 8-63, with bit 11 cleared, as a uniform in
// [0, 1) scaled by 2^-56.
// Boost's ziggurat on one word, when the draw falls inside its layer's
// rectangle (about 97% of draws): sets z and returns true. Otherwise Boost
// needs more (a wedge test, a tail draw or a fresh word): returns false.
inline bool ziggurat_rectangle(std::uint64_t word, double& z) {
  const double* const x_table = boost::random::detail::normal_table<double>::table_x;
  const int layer = static_cast<int>((word & 0xFF) >> 1);
  // Below 2^56, so the signed conversion (one instruction) rounds the same.
  const auto bits = static_cast<std::int64_t>((word & ~(std::uint64_t{1} << 11)) >> 8);
  const double x = static_cast<double>(bits) * 0x1p-56 * x_table[layer];
  const double sign = static_cast<double>(static_cast<int>(word & 1) * 2 - 1);
  z = x * sign + 0.0;  // Boost: unit draw x sign, then x sigma + mean
  return x < x_table[layer + 1];
}

// Boost's normal_distribution<double>(0, 1) itself, for the draws the
// rectangle does not settle (the stream positioned at the word it failed on).
double standard_normal_slow(TrialStream& stream);

inline double standard_normal(TrialStream& stream) {
  double z;
  if (ziggurat_rectangle(stream(), z)) [[likely]]
    return z;
  stream.unread();
  return standard_normal_slow(stream);
}

// The next `count` standard normals of `stream`, times `sign`, in order:
// - Philox4x64: out[k] = sign * standard_normal(stream), that is Boost's
//   ziggurat drawing from the stream word after word.
// - Philox4x32, normals by slot: normal k takes word k of the next `count`
//   words. Where it falls inside its ziggurat rectangle (about 97%) that
//   word alone gives its value, exactly as in standard_normal; otherwise
//   Boost's ziggurat redoes the draw from that word and takes any further
//   words it needs (wedge test, tail, rejections) from the stream's
//   fallback stream, draws in order. Every draw is Boost's ziggurat over
//   words used by no other draw, so the normals are independent N(0, 1);
//   and which word feeds which normal no longer depends on earlier draws,
//   so the common case runs as one vectorised loop over the words.
void fill_normals(TrialStream& stream, double sign, double* out, std::size_t count);

// The scenario's name for `generator` (run.rng): "philox4x64" or "philox4x32".
const char* rng_name(BitGenerator generator);
// What the results file records as its `rng` attribute.
const char* rng_description(BitGenerator generator);

}  // namespace ccgrisk
