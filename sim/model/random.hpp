// Random streams: one independent stream per (seed, trial, purpose).
//
// Every trial draws from its own counter-based stream (Philox4x64-10,
// Salmon et al. 2011, from Random123), keyed by the master seed and the
// stream's purpose, with the trial index in the counter. A trial's numbers
// therefore depend only on (seed, trial, purpose): never on the thread that
// runs it, the block it is scheduled in, or the number of processes.
// The stream is a UniformRandomBitGenerator so Boost.Random distributions
// (ziggurat normal, chi-squared) draw from it directly.
#pragma once

#include <Random123/philox.h>

#include <cstdint>
#include <limits>

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

  TrialStream(std::uint64_t seed, std::int64_t trial, StreamPurpose purpose)
      : key_{{seed, static_cast<std::uint64_t>(purpose)}},
        counter_{{static_cast<std::uint64_t>(trial), 0, 0, 0}} {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    if (next_ == 4) refill();
    return block_.v[next_++];
  }

 private:
  void refill() {
    block_ = philox_(counter_, key_);
    ++counter_.v[3];
    next_ = 0;
  }

  r123::Philox4x64 philox_;
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type counter_;
  r123::Philox4x64::ctr_type block_{};
  int next_ = 4;
};

inline constexpr const char* kRngDescription =
    "Philox4x64-10 (Random123) counter-based stream per (seed, trial, purpose); "
    "Boost.Random ziggurat normals, Boost chi-squared";

}  // namespace ccgrisk
