// Serialized tallies (engine/accumulator.hpp): what MPI ranks exchange and
// checkpoints keep. Serializing, combining word by word and deserializing
// must give the tallies of a direct merge, bit for bit, so that a run split
// among processes, or stopped and resumed, is the run done in one go.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "engine/accumulator.hpp"
#include "engine/finalize.hpp"
#include "engine/run.hpp"
#include "input/ccg_table.hpp"
#include "model/model.hpp"
#include "model/trial.hpp"
#include "support.hpp"

using namespace ccgrisk;

namespace {

// The shipped 211-CCG table with two pools (a full one and a cover one), so
// that the tallies after risk sharing are serialized too.
struct Shipped {
  Scenario scenario;
  CcgTable table = read_ccg_table(ccgrisk::test::shipped_ccg_table());
  Model model;
  StatsLayout layout;
  explicit Shipped(Copula copula, bool antithetic = false) {
    scenario.run.copula = copula;
    scenario.run.antithetic = antithetic;
    scenario.pools.push_back(
        {"Staffordshire", {"04Y", "05D", "05G", "05Q", "05V", "05W"}, PoolRule::kFull, 1.0});
    scenario.pools.push_back(
        {"Cheshire", {"01C", "01R", "02D", "02E", "02F"}, PoolRule::kCover, 1.0});
    model = build_model(scenario, table);
    layout = make_layout(model);
  }
};

// Trials [first, last) added one by one on this thread (staged counts left
// unfolded, as a worker's accumulator has them).
Accumulator added(const Shipped& s, Tallies kind, std::int64_t first, std::int64_t last) {
  Accumulator a(s.layout, kind);
  TrialState state(s.model);
  for (std::int64_t t = first; t < last; ++t) {
    simulate_trial(s.model, s.scenario.run.seed, t, state);
    a.add(state, s.model.antithetic && (t & 1));
  }
  return a;
}

}  // namespace

TEST_CASE("serialized tallies: serialize, combine and deserialize equal a direct merge",
          "[distributed]") {
  const Copula copula = GENERATE(Copula::kGaussian, Copula::kStudentT);
  const Tallies kind = GENERATE(Tallies::kFull, Tallies::kCounts, Tallies::kOutturn);
  CAPTURE(copula == Copula::kStudentT, static_cast<int>(kind));
  const Shipped s(copula, copula == Copula::kStudentT);
  // Three "ranks" of unequal shares, each with staged counts not yet folded.
  const Accumulator a = added(s, kind, 0, 300);
  const Accumulator b = added(s, kind, 300, 460);
  const Accumulator c = added(s, kind, 460, 1000);
  Accumulator merged(s.layout, kind);
  for (const Accumulator* x : {&a, &b, &c})
    merged.merge(*x);
  const std::vector<std::uint64_t> direct = merged.serialize();

  std::vector<std::uint64_t> combined = c.serialize();
  REQUIRE(combine_tallies(a.serialize(), combined));
  REQUIRE(combine_tallies(b.serialize(), combined));
  CHECK(combined == direct);  // bit for bit, the words of the merge

  // Back to an accumulator: the same words, and the same statistics.
  const Accumulator back = Accumulator::deserialize(s.layout, kind, combined);
  CHECK(back.serialize() == direct);
  CHECK(back.trials() == 1000);
  Accumulator resumed = Accumulator::deserialize(s.layout, kind, a.serialize());
  resumed.merge(Accumulator::deserialize(s.layout, kind, b.serialize()));
  resumed.merge(c);
  CHECK(resumed.serialize() == direct);
  if (kind == Tallies::kFull) {
    Results x, y;
    finalize_statistics(s.model, merged, x);
    finalize_statistics(s.model, back, y);
    CHECK(x.before.p_red == y.before.p_red);
    CHECK(x.after.surplus_quantiles_k == y.after.surplus_quantiles_k);
    CHECK(x.before.surplus_sd_k == y.before.surplus_sd_k);
    CHECK(x.attribution.es_contribution_k == y.attribution.es_contribution_k);
    CHECK(x.national.count_red_pmf_pooled == y.national.count_red_pmf_pooled);
  }
}

TEST_CASE("serialized tallies hold every trial when the staging buffers were just folded",
          "[distributed]") {
  // add() folds its staging buffers every kMaxStaged trials; serialize()
  // folds what is staged since. Around the fold, a worker's words must be
  // those of an accumulator that merged it (merge folds every stage).
  const std::int64_t trials = GENERATE(kMaxStaged - 1, kMaxStaged, kMaxStaged + 1);
  CAPTURE(trials);
  const Shipped s(Copula::kGaussian);
  TrialState state(s.model);
  Accumulator worker(s.layout, Tallies::kFull);
  for (std::int64_t t = 0; t < trials; ++t) {
    if (t < 100 || t >= trials - 100) simulate_trial(s.model, s.scenario.run.seed, t, state);
    worker.add(state);
  }
  Accumulator merged(s.layout, Tallies::kFull);
  merged.merge(worker);
  const std::vector<std::uint64_t> words = worker.serialize();
  CHECK(words == merged.serialize());
  const Accumulator back = Accumulator::deserialize(s.layout, Tallies::kFull, words);
  std::int64_t counted = 0;
  for (int i = 0; i < s.model.n; ++i)
    for (const std::int64_t b : back.ccg(0, static_cast<std::size_t>(i)).surplus.bins)
      counted += b;
  CHECK(counted == trials * s.model.n);  // every trial in every CCG's histogram
  std::int64_t national = 0;
  for (const std::int64_t b : back.group(0, 0).total.bins)
    national += b;
  CHECK(national == trials);  // and in the nation's
}

TEST_CASE(
    "kOutturn tallies on a nation-only layout: what they keep equals kFull's, the rest is not kept",
    "[distributed][accumulator]") {
  const Shipped s(Copula::kGaussian, true);
  const StatsLayout nation = with_groups(s.layout, GroupLevels::kNation);
  REQUIRE(nation.group_size.size() == 1);
  Accumulator full(s.layout, Tallies::kFull), lean(nation, Tallies::kOutturn);
  TrialState state(s.model);
  for (std::int64_t t = 0; t < 3000; ++t) {
    simulate_trial(s.model, s.scenario.run.seed, t, state);
    full.add(state, t & 1);
    lean.add(state, t & 1);
  }
  Results a, b;
  finalize_statistics(s.model, full, a);
  finalize_statistics(s.model, lean, b);
  for (const auto& [x, y] : {std::pair{&a.before, &b.before}, std::pair{&a.after, &b.after}}) {
    CHECK(x->p_red == y->p_red);
    CHECK(x->surplus_mean_k == y->surplus_mean_k);
    CHECK(x->surplus_min_k == y->surplus_min_k);
    CHECK(x->surplus_max_k == y->surplus_max_k);
    CHECK(x->surplus_quantiles_k == y->surplus_quantiles_k);
    CHECK(x->hist_counts == y->hist_counts);
  }
  // What it does not keep stays empty, the pooled CCGs (tallied one by one
  // after sharing) included.
  full.flush();
  lean.flush();
  bool full_has_all = true;
  for (int phase = 0; phase < kPhases; ++phase)
    for (int i = 0; i < s.model.n; ++i) {
      const CcgTally& f = full.ccg(phase, i);
      const CcgTally& l = lean.ccg(phase, i);
      CHECK(l.pairs_both_red == 0);
      CHECK(l.miss_control == 0);
      CHECK(l.underlying_sum == 0);
      CHECK(l.surplus.sum_sq == SquareSum{});
      full_has_all = full_has_all && f.surplus.sum_sq != SquareSum{};
    }
  CHECK(full_has_all);
  CHECK(full.ccg(1, s.layout.pooled_ccgs.front()).miss_control > 0);
  // The nation is tallied in full; no other group is.
  CHECK(a.national.count_red_pmf == b.national.count_red_pmf);
  CHECK(a.national.count_red_pmf_pooled == b.national.count_red_pmf_pooled);
  CHECK(a.national.count_unplanned_red_pmf == b.national.count_unplanned_red_pmf);
  CHECK(a.national.total_surplus_quantiles_k == b.national.total_surplus_quantiles_k);
  CHECK(a.national.total_surplus_quantiles_pooled_k == b.national.total_surplus_quantiles_pooled_k);
  CHECK(a.national.p_deficit_pooled == b.national.p_deficit_pooled);
  CHECK(!a.regions.empty());
  CHECK(b.regions.empty());
  CHECK(b.area_teams.empty());
  CHECK(b.pools.empty());
  CHECK(a.specialised.overspend_mean_k == b.specialised.overspend_mean_k);
  CHECK(b.attribution.mean_k.empty());
}

TEST_CASE("serialized tallies: every tally is in the words", "[distributed]") {
  const Shipped s(Copula::kGaussian);
  const Accumulator a = added(s, Tallies::kFull, 0, 200);
  const std::vector<std::uint64_t> words = a.serialize();
  REQUIRE(words.size() > kTallyHeaderWords);
  CHECK(words[0] == kTallyMagic);
  CHECK(words[1] == kTallyFormat);
  CHECK(words[3] == tally_fingerprint(s.layout));
  CHECK(words[kTallyHeaderWords] == 200);  // trials first
  // Changing any word changes what deserializes: each word is a tally.
  for (const std::size_t k :
       {kTallyHeaderWords + 1, words.size() / 3, words.size() / 2, words.size() - 1}) {
    std::vector<std::uint64_t> changed = words;
    changed[k] ^= 1;
    CHECK(Accumulator::deserialize(s.layout, Tallies::kFull, changed).serialize() == changed);
  }
}

TEST_CASE("serialized tallies: sums carry across words, extremes combine", "[distributed]") {
  const Shipped s(Copula::kGaussian);
  Accumulator a = added(s, Tallies::kFull, 0, 10);
  std::vector<std::uint64_t> w = a.serialize();
  const std::uint64_t n1 = w[4], n2 = w[5], n3 = w[6];
  const std::size_t s2 = kTallyHeaderWords + n1, s3 = s2 + 2 * n2, smin = s3 + 3 * n3;
  std::vector<std::uint64_t> x(w.size(), 0), y(w.size(), 0);
  std::copy(w.begin(), w.begin() + kTallyHeaderWords, x.begin());
  std::copy(w.begin(), w.begin() + kTallyHeaderWords, y.begin());
  x[s2] = ~0ull;  // 2^64 - 1 + 1 carries into the high word
  y[s2] = 1;
  x[s3] = ~0ull, x[s3 + 1] = ~0ull;  // 2^128 - 1 + 1 carries into `high`
  y[s3] = 1;
  for (std::size_t k = smin; k < w.size(); ++k)
    x[k] = static_cast<std::uint64_t>(std::int64_t{-5}), y[k] = 7;
  REQUIRE(combine_tallies(x, y));
  CHECK(y[s2] == 0);
  CHECK(y[s2 + 1] == 1);
  CHECK(y[s3] == 0);
  CHECK(y[s3 + 1] == 0);
  CHECK(y[s3 + 2] == 1);
  CHECK(static_cast<std::int64_t>(y[smin]) == -5);         // minima: the smaller, signed
  CHECK(static_cast<std::int64_t>(y[w.size() - 1]) == 7);  // maxima: the larger
}

TEST_CASE("serialized tallies of another layout, kind or length are refused", "[distributed]") {
  const Shipped s(Copula::kGaussian);
  Shipped other(Copula::kGaussian);
  other.scenario.pools.pop_back();
  other.model = build_model(other.scenario, other.table);
  other.layout = make_layout(other.model);
  const std::vector<std::uint64_t> words = added(s, Tallies::kFull, 0, 5).serialize();
  CHECK_THROWS_AS(Accumulator::deserialize(other.layout, Tallies::kFull, words),
                  std::invalid_argument);
  CHECK_THROWS_AS(Accumulator::deserialize(s.layout, Tallies::kCounts, words),
                  std::invalid_argument);
  std::vector<std::uint64_t> cut(words.begin(), words.end() - 1);
  CHECK_THROWS_AS(Accumulator::deserialize(s.layout, Tallies::kFull, cut), std::invalid_argument);
  std::vector<std::uint64_t> theirs = added(other, Tallies::kFull, 0, 5).serialize();
  theirs.resize(words.size());
  std::vector<std::uint64_t> mine = words;
  CHECK_FALSE(combine_tallies(theirs, mine));
  CHECK(mine == words);  // unchanged
}

TEST_CASE("a run split into contiguous block ranges and combined is the run", "[distributed]") {
  // What the ranks of an MPI job do, in one process: each range's tallies
  // serialized, combined word by word, and finalized.
  const Shipped s(Copula::kStudentT);
  const std::int64_t trials = 3000;
  const Accumulator whole = simulate(s.model, s.layout, s.scenario.run.seed, trials, {2, 256});
  const int ranks = GENERATE(2, 3, 7);
  CAPTURE(ranks);
  std::vector<std::uint64_t> combined;
  for (int r = 0; r < ranks; ++r) {
    const std::int64_t first = trials * r / ranks / 256 * 256;
    const std::int64_t last = r + 1 == ranks ? trials : trials * (r + 1) / ranks / 256 * 256;
    Accumulator part(s.layout);
    simulate_range(s.model, s.layout, s.scenario.run.seed, first, last, {1, 100}, part);
    if (combined.empty()) {
      combined = part.serialize();
    } else {
      REQUIRE(combine_tallies(part.serialize(), combined));
    }
  }
  CHECK(combined == whole.serialize());
}
