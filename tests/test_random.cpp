// Random streams: the buffered Philox stream and the inline ziggurat give
// exactly the numbers of the plain definitions they stand for.
#include <catch2/catch.hpp>

#include <Random123/philox.h>

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "model/random.hpp"
#include "model/simd.hpp"
#include "support.hpp"

using ccgrisk::fill_normals;
using ccgrisk::standard_normal;
using ccgrisk::StreamPurpose;
using ccgrisk::TrialStream;

namespace {

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

}  // namespace

TEST_CASE("stream words are Philox4x64-10 blocks of (seed, purpose; trial, 0, 0, k) in order",
          "[random]") {
  const std::uint64_t seed = 20130401;
  const std::int64_t trial = 987654321;
  TrialStream stream(seed, trial, StreamPurpose::kChiSquared);
  r123::Philox4x64 philox;
  const r123::Philox4x64::key_type key = {{seed, 2}};
  // 1,000 words cross many refills of the stream's buffer.
  for (std::uint64_t k = 0; k < 250; ++k) {
    const r123::Philox4x64::ctr_type block =
        philox({{static_cast<std::uint64_t>(trial), 0, 0, k}}, key);
    for (int w = 0; w < 4; ++w) {
      INFO("block " << k << " word " << w);
      REQUIRE(stream() == block.v[w]);
    }
  }
}

TEST_CASE("unread gives the last word again, across a refill too", "[random]") {
  TrialStream a(7, 3, StreamPurpose::kLatentNormals), b(7, 3, StreamPurpose::kLatentNormals);
  for (int k = 0; k < 100; ++k) {
    const std::uint64_t w = a();
    REQUIRE(w == b());
    a.unread();
    REQUIRE(a() == w);
  }
}

TEST_CASE("inline ziggurat equals Boost's normal_distribution bit for bit", "[random]") {
  // Two copies of each stream: one drawn with Boost, one with the inline
  // fast path. Values must agree to the bit and both streams must stop at the
  // same word (the next word drawn agrees) after every draw.
  const double tail_start = boost::random::detail::normal_table<double>::table_x[1];
  std::int64_t draws = 0, tail_draws = 0;
  for (std::int64_t trial = 0; trial < 400; ++trial) {
    for (auto purpose : {StreamPurpose::kLatentNormals, StreamPurpose::kHubNormals}) {
      TrialStream mine(12345, trial, purpose), boosts(12345, trial, purpose);
      boost::random::normal_distribution<double> normal;
      for (int k = 0; k < 2500; ++k) {
        const double a = standard_normal(mine);
        const double b = normal(boosts);
        ++draws;
        // |z| beyond the first layer's edge only comes from Boost's tail path.
        tail_draws += std::abs(b) >= tail_start;
        if (bits(a) != bits(b))
          FAIL("trial " << trial << " draw " << k << ": " << a << " vs " << b);
      }
      REQUIRE(mine() == boosts());
    }
  }
  CHECK(draws == 2'000'000);
  // About 2 in 10,000 draws are in the tail; the fallback must have run.
  CHECK(tail_draws > 100);
}

TEST_CASE("bulk normals equal Boost's draws in turn, whatever the count", "[random]") {
  // fill_normals sizes its refills to the count; the values and the words
  // consumed must not depend on that.
  for (std::size_t count : {1u, 7u, 31u, 32u, 33u, 250u, 1215u, 5000u}) {
    for (std::int64_t trial = 0; trial < 40; ++trial) {
      TrialStream mine(777, trial, StreamPurpose::kLatentNormals),
          boosts(777, trial, StreamPurpose::kLatentNormals);
      std::vector<double> bulk(count);
      const double sign = trial % 2 ? -1.0 : 1.0;
      fill_normals(mine, sign, bulk.data(), count);
      boost::random::normal_distribution<double> normal;
      for (std::size_t k = 0; k < count; ++k) {
        const double b = sign * normal(boosts);
        if (bits(bulk[k]) != bits(b))
          FAIL("count " << count << " trial " << trial << " draw " << k);
      }
      REQUIRE(mine() == boosts());
    }
  }
}

namespace {

// Runs `body` once on each SIMD path this CPU supports.
template <typename Body>
void on_each_simd_path(Body body) {
  ccgrisk::test::for_each_simd_path([&](ccgrisk::SimdPath path) {
    INFO("SIMD path " << ccgrisk::simd_name(path));
    body();
  });
}

}  // namespace

TEST_CASE("Philox4x32 stream words are Random123's blocks of ({k, purpose, trial}, seed) in order",
          "[random]") {
  // A seed and a trial index with both 32-bit halves set, so that a swapped
  // or dropped half shows.
  const std::uint64_t seed = 0x0123456789ABCDEFu;
  const std::int64_t trial = 0x00000007DEADBEEF;
  on_each_simd_path([&] {
    TrialStream stream(seed, trial, StreamPurpose::kHubNormals, ccgrisk::BitGenerator::kPhilox4x32);
    const r123::Philox4x32 philox;
    const r123::Philox4x32::key_type key = {{0x89ABCDEFu, 0x01234567u}};
    // 2,000 words cross many refills of the stream's buffer.
    for (std::uint32_t k = 0; k < 1000; ++k) {
      const r123::Philox4x32::ctr_type x = philox({{k, 3, 0xDEADBEEFu, 7}}, key);
      INFO("block " << k);
      REQUIRE(stream() == (x.v[0] | std::uint64_t{x.v[1]} << 32));
      REQUIRE(stream() == (x.v[2] | std::uint64_t{x.v[3]} << 32));
    }
  });
}

namespace {

// Word w of Philox4x32 stream (seed, trial, purpose), from Random123.
std::uint64_t philox4x32_word(std::uint64_t seed, std::int64_t trial, std::uint32_t purpose,
                              std::uint64_t w) {
  const r123::Philox4x32 philox;
  const auto t = static_cast<std::uint64_t>(trial);
  const r123::Philox4x32::ctr_type x =
      philox({{static_cast<std::uint32_t>(w / 2), purpose, static_cast<std::uint32_t>(t),
               static_cast<std::uint32_t>(t >> 32)}},
             {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}});
  return w % 2 == 0 ? x.v[0] | std::uint64_t{x.v[1]} << 32 : x.v[2] | std::uint64_t{x.v[3]} << 32;
}

// The words of one slow draw: its slot's word, then the fallback stream's.
struct ReferenceSlotWords {
  using result_type = std::uint64_t;
  std::uint64_t first;
  std::uint64_t seed;
  std::int64_t trial;
  std::uint32_t fallback_purpose;
  std::uint64_t* fallback_next;  // shared by the draws of one stream, in order
  bool used_first = false;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~std::uint64_t{0}; }
  result_type operator()() {
    if (!used_first) {
      used_first = true;
      return first;
    }
    return philox4x32_word(seed, trial, fallback_purpose, (*fallback_next)++);
  }
};

}  // namespace

TEST_CASE(
    "Philox4x32 normals by slot: word k feeds normal k, slow draws go on in the fallback stream",
    "[random]") {
  // Built here from Random123 and Boost alone, for counts that cross the
  // stream's buffer and the vectorised loop's groups of 8 at different
  // places, on each SIMD path.
  const std::uint64_t seed = 0xFEEDFACE12345678u;
  std::int64_t slow_draws = 0;
  for (std::size_t count : {1u, 13u, 257u, 1215u, 5000u}) {
    on_each_simd_path([&] {
      for (std::int64_t trial = 0; trial < 12; ++trial) {
        const double sign = trial % 2 ? -1.0 : 1.0;
        TrialStream stream(seed, trial, StreamPurpose::kLatentNormals,
                           ccgrisk::BitGenerator::kPhilox4x32);
        std::vector<double> out(count);
        fill_normals(stream, sign, out.data(), count);
        std::uint64_t fallback_next = 0;
        for (std::size_t k = 0; k < count; ++k) {
          const std::uint64_t word = philox4x32_word(seed, trial, 1, k);
          double want;
          if (!ccgrisk::ziggurat_rectangle(word, want)) {
            ReferenceSlotWords words{word, seed, trial, 1u + (1u << 31), &fallback_next};
            want = boost::random::normal_distribution<double>()(words);
            ++slow_draws;
          }
          want *= sign;
          if (bits(out[k]) != bits(want))
            FAIL("count " << count << " trial " << trial << " normal " << k << ": " << out[k]
                          << " vs " << want);
        }
        // The stream goes on after the count words; the fallback after its own.
        REQUIRE(stream() == philox4x32_word(seed, trial, 1, count));
        REQUIRE(stream.fallback_word() ==
                philox4x32_word(seed, trial, 1u + (1u << 31), fallback_next));
      }
    });
  }
  // About 1.2% of draws are slow: the fallback must have run often.
  CHECK(slow_draws > 100);
}

TEST_CASE("Philox4x32 normals by slot are standard normal: moments and tails within 4 se",
          "[random]") {
  constexpr std::size_t kCount = 1215;
  constexpr int kTrials = 1600;  // about 2 million normals
  std::vector<double> out(kCount);
  double sum = 0, sum_sq = 0;
  std::int64_t above_2 = 0, beyond_3_5 = 0, n = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    TrialStream stream(42, trial, StreamPurpose::kLatentNormals,
                       ccgrisk::BitGenerator::kPhilox4x32);
    fill_normals(stream, 1.0, out.data(), kCount);
    for (double z : out) {
      sum += z;
      sum_sq += z * z;
      above_2 += z > 2.0;
      beyond_3_5 += std::abs(z) > 3.5;
      ++n;
    }
  }
  const double count = static_cast<double>(n);
  CHECK(std::abs(sum / count) < 4.0 / std::sqrt(count));
  CHECK(std::abs(sum_sq / count - 1.0) < 4.0 * std::sqrt(2.0 / count));
  auto within = [&](std::int64_t hits, double p) {
    const double se = std::sqrt(p * (1 - p) / count);
    INFO("observed " << hits / count << " expected " << p << " se " << se);
    CHECK(std::abs(hits / count - p) < 4 * se);
  };
  within(above_2, 0.5 * std::erfc(2.0 / std::sqrt(2.0)));
  within(beyond_3_5, std::erfc(3.5 / std::sqrt(2.0)));
}

TEST_CASE("the two bit generators give different streams", "[random]") {
  TrialStream a(5, 1, StreamPurpose::kLatentNormals, ccgrisk::BitGenerator::kPhilox4x64);
  TrialStream b(5, 1, StreamPurpose::kLatentNormals, ccgrisk::BitGenerator::kPhilox4x32);
  int same = 0;
  for (int k = 0; k < 100; ++k)
    same += a() == b();
  CHECK(same == 0);
}
