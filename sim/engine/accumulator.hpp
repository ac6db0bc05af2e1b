// Streaming statistics of a run, kept as exact integer sums.
//
// Outturns are whole pounds, so every statistic here is a sum of integers:
// counts, sums and sums of squares (128-bit), minima and maxima, and
// fixed-range histograms. Integer addition is associative and exact, so
// merging accumulators in any order, from any number of threads, blocks or
// processes, gives bit-identical results; nothing is stored per trial, so
// memory does not grow with the number of trials.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "model/model.hpp"
#include "model/trial.hpp"

namespace ccgrisk {

// Bins of every streaming histogram, plus an underflow and an overflow bin.
inline constexpr int kFineBins = 2048;

// A histogram's fixed range: bin b covers [lo + b w, lo + (b + 1) w), pounds.
struct HistogramRange {
  double lo_gbp = 0.0;
  double width_gbp = 1.0;
  std::int64_t reference_gbp = 0;  // centre; moments are summed about it
  // The same range as integers, for binning without a division (fine_bin).
  std::int64_t lo_int = 0;
  std::int64_t width_int = 1;
  std::int64_t span_int = kFineBins;  // width_int x kFineBins
  double inverse_width = 1.0;         // 1 / width_int, rounded
  // fine_bin uses the integers for |x| below this: 2^52 when |lo| and w are
  // below 2^51 (always, for ranges of real budgets), else 0 (never).
  std::int64_t integer_limit = 0;
};

// Range covering [lo, hi] pounds with kFineBins bins of at least 1 pound.
HistogramRange histogram_range(double lo_gbp, double hi_gbp);

// A sum of squares that cannot overflow: a square of an int64 difference is
// below 2^128, and the sum of kMaxTrials (< 2^40) of them below 2^168. Kept
// as a 128-bit low part and a count of its wrap-arounds.
struct SquareSum {
  UnsignedWide low = 0;
  std::uint64_t high = 0;  // multiples of 2^128

  void add(UnsignedWide square) {
    low += square;
    high += low < square;
  }
  void add(const SquareSum& other) {
    add(other.low);
    high += other.high;
  }
  long double value() const {
    return std::ldexp(static_cast<long double>(high), 128) + static_cast<long double>(low);
  }
  bool operator==(const SquareSum&) const = default;
};

// Exact streaming statistics of one integer series (pounds).
struct Series {
  std::int64_t min = std::numeric_limits<std::int64_t>::max();
  std::int64_t max = std::numeric_limits<std::int64_t>::min();
  Wide sum = 0;                    // sum of (x - reference)
  SquareSum sum_sq;                // sum of (x - reference)^2
  Wide under_sum = 0;              // sum of x in the underflow bin
  Wide over_sum = 0;               // sum of x in the overflow bin
  std::vector<std::int64_t> bins;  // [0] underflow, [1..kFineBins] range, [kFineBins + 1] overflow
  // Counts not yet folded into `bins`: 16-bit, so the part of the histogram
  // a hot loop touches stays in cache. Folded by flush() (at most every
  // kMaxStaged adds) and by merge().
  std::vector<std::uint16_t> staged;

  Series() : bins(kFineBins + 2, 0), staged(kFineBins + 2, 0) {}
  // Without a histogram (the moments, extremes and sums only); the
  // histogram's methods then do nothing.
  struct NoHistogram {};
  explicit Series(NoHistogram) {}
  void add(std::int64_t x, const HistogramRange& range);  // straight into bins
  // Into staged. kSquares = false: sum_sq is not kept (Tallies::kOutturn).
  template <bool kSquares = true>
  void add_staged(std::int64_t x, const HistogramRange& range);
  // All add_staged does but count x in the histogram: returns x's bin, for
  // the caller to count (PendingBins). Not for a NoHistogram series.
  template <bool kSquares = true>
  int add_uncounted(std::int64_t x, const HistogramRange& range);
  // All but the histogram.
  template <bool kSquares = true>
  void add_moments(std::int64_t x, const HistogramRange& range);
  void flush();
  void merge(const Series& other);  // other's bins and staged counts
};

// Most adds a Series may stage before flush() (a uint16 count cannot overflow).
inline constexpr std::int64_t kMaxStaged = 65535;

// The groups an accumulator tallies, a prefix of Model::groups(): all of
// them; the nation and the regions; the nation alone.
enum class GroupLevels { kAll, kRegions, kNation };

// Where each statistic's histogram sits and which groups a CCG belongs to.
struct StatsLayout {
  std::vector<HistogramRange> ccg_range;    // [n]
  std::vector<HistogramRange> group_range;  // [groups], order of Model::groups()
  std::vector<int> group_size;              // [groups]
  // The groups as the hierarchy they are (Model::groups() order: the
  // nation, regions, area teams, pools), so that one trial's group sums
  // take one pass over the CCGs and none of them is a chain of
  // read-modify-writes of memory: CCGs [begin, end) of the table are
  // consecutive members of area team `area` (table order, any table).
  struct AreaRun {
    int begin, end, area;
  };
  std::vector<AreaRun> area_runs;
  std::vector<int> area_group;                 // [area teams] group index
  std::vector<int> area_region_group;          // [area teams] group index of its region
  std::vector<int> region_group;               // [regions] group index
  std::vector<int> pool_group;                 // [pools] group index
  std::vector<std::vector<int>> pool_members;  // [pools] CCG indices
  std::vector<int> pooled_ccgs;                // CCGs in a pool, ascending
  // [pooled CCGs] the groups each belongs to: the nation, its region, its
  // area team, its pool.
  std::vector<std::array<int, 4>> pooled_groups;
  std::vector<std::int64_t> control_total_gbp;  // [n]
  // [n] what a CCG in the red adds to its groups' count of members in the
  // red: 1, plus 2^32 when it planned no deficit (Accumulator::group_sums).
  std::vector<std::int64_t> red_weight;
  // Outcomes that risk sharing cannot change: a CCG in no pool, a group
  // with no pooled member. Their tallies after sharing are those before,
  // so they are kept once (Accumulator::ccg and group give phase 0's).
  std::vector<char> ccg_pooled;    // [n]
  std::vector<char> group_pooled;  // [groups]
  bool any_pooled = false;
  // Which of the groups are tallied (with_groups): the hierarchy above is
  // kept whole, the group arrays only for those.
  GroupLevels levels = GroupLevels::kAll;
  std::vector<HistogramRange> hub_range;  // [hubs], or none (without_hubs)
  HistogramRange specialised_range;       // NHS England's total hub overspend
  // ccg_range as arrays over CCGs, for the vectorised update.
  std::vector<std::int64_t> ccg_reference, ccg_lo, ccg_width, ccg_span;
  std::vector<double> ccg_inverse_width;
  bool ccg_integral = false;  // every ccg_range has integer_limit > 0
};

// Histogram bins waiting to be counted: one row of `width` bins (one per
// CCG, or per group) for each trial, counted column by column once kRows
// rows are in (count()). Counting each trial's bins straight away touches a
// cache line of every histogram in every trial; a run of several years
// keeps several sets of them (megabytes) hot at once. Column by column,
// the lines a block of trials touches are loaded once.
struct PendingBins {
  static constexpr std::size_t kRows = 64;
  std::vector<std::uint16_t> bins;  // [kRows x width], the rows in use first
  std::size_t width = 0;
  std::size_t rows = 0;
  explicit PendingBins(std::size_t w = 0) : bins(kRows * w), width(w) {}
  std::uint16_t* row() { return bins.data() + rows * width; }
  const std::uint16_t* row() const { return bins.data() + rows * width; }
  // Counts the rows in use into series_of(k) (a Series*, or nullptr to skip
  // column k): into its 16-bit staged counts, or its bins.
  template <bool kToStaged, class SeriesOf>
  void count(SeriesOf series_of) const;
};

// The per-CCG tallies of one phase not yet folded into CcgTally, as arrays
// over CCGs, so that add() updates them in vectorised loops. Bounded so
// that kMaxStaged trials cannot overflow them: |x - reference| < 2^32
// (the sum of squares is kept as sq_hi 2^64 + sq_lo) and |underlying| <
// 2^47; a trial outside the bounds is added to CcgTally directly. A staged
// trial's fine bins are a row of `pending`.
struct CcgStage {
  std::vector<std::int64_t> red, both_red, miss, underlying, min, max, sum;
  std::vector<std::uint64_t> sq_lo, sq_hi;
  // The previous trial's red flags (antithetic pairs); 64-bit like the
  // rest, so the loop vectorises.
  std::vector<std::int64_t> last_red;
  PendingBins pending;
  // Set by a staged trial: how many of its bins are the under- or overflow
  // bin (whose sums of outturns are kept apart).
  std::int64_t edges = 0;
  // `bins`: whether trials' bins are kept (not for a kCounts accumulator).
  explicit CcgStage(std::size_t n = 0, bool bins = false);
  void clear();  // all sums zero, min and max empty, no pending rows (last_red kept)
};

// Ranges come from the model's moments before any trial runs (see .cpp).
StatsLayout make_layout(const Model& model);

// Every histogram range of a layout, in a fixed order (CCGs, groups, hubs,
// NHS England's total), and the layout with them replaced (same order).
std::vector<HistogramRange> layout_ranges(const StatsLayout& layout);
StatsLayout with_ranges(StatsLayout layout, const std::vector<HistogramRange>& ranges);
// The layout tallying only the groups `levels` names: the nation alone (the
// outcomes of a run of several years that are reported for each CCG and for
// England alone; breakeven's and reverse-stress's points), or the nation and
// the regions (sweep's points).
StatsLayout with_groups(StatsLayout layout, GroupLevels levels);
// The layout tallying no hubs (nor NHS England's total): outcomes of a run
// of several years that report none. Results from it have no hubs.
StatsLayout without_hubs(StatsLayout layout);

// Phase 0: before risk sharing; phase 1: after.
inline constexpr int kPhases = 2;

struct CcgTally {
  std::int64_t red = 0;             // trials with surplus < 0
  std::int64_t pairs_both_red = 0;  // antithetic pairs with both trials in the red
  std::int64_t miss_control = 0;    // trials with surplus < control total
  Wide underlying_sum = 0;          // sum of the underlying outturn
  Series surplus;
};

struct GroupTally {
  std::vector<std::int64_t> count_red;  // [size + 1]: trials with exactly k members in the red
  std::vector<std::int64_t>
      count_unplanned_red;   // [size + 1]: likewise, members not planning a deficit
  std::int64_t deficit = 0;  // trials with total surplus < 0
  Series total;
};

// A specialised commissioning hub's overspend (or NHS England's total).
struct HubTally {
  std::int64_t overspend = 0;  // trials with overspend > 0
  Series amount;
};

// Risk attribution (before risk sharing), exact sums in pounds.
struct AttributionTally {
  // Per CCG and pressure component: sum over all trials, and over the
  // trials in which that CCG is in the red. [n x kNumComponents]
  std::vector<Wide> all;
  std::vector<Wide> red;
  // Euler allocation of the national expected shortfall: per coarse bin of
  // the national total surplus (kCoarseBins, fine bins merged 4 to 1), the
  // sum of each CCG's surplus over the trials in that bin. [bins x n]
  std::vector<Wide> by_national_bin;
};

// Coarse bins of the national total for the expected-shortfall table.
inline constexpr int kCoarseFactor = 4;
inline constexpr int kCoarseBins = (kFineBins + 1) / kCoarseFactor + 1;
// Coarse bin of fine bin index f (0 underflow .. kFineBins + 1 overflow).
inline int coarse_bin(int fine) {
  return fine / kCoarseFactor;
}
// Fine bin index of x in `range`: 0 below lo, kFineBins + 1 at or above
// lo + kFineBins w, else 1 + floor((x - lo) / w) computed in doubles.
//
// For |x| < 2^52 the same index comes from integers: lo and w are whole
// pounds below 2^51 (histogram_range), so x - lo is exact in doubles, and
// fl((x - lo) / w) cannot round up to the next whole number k (that needs
// (x - lo) / w within k 2^-53 of k, but it is at least 1 / w below it and
// k w < 2^53). So the bin is floor((x - lo) / w) in integers, here estimated
// with a multiplication and corrected by one either way.
//
// The integer path without branches (so that loops over CCGs vectorise);
// lo, width, span and inverse_width as in HistogramRange.
inline std::int64_t integer_fine_bin(std::int64_t x, std::int64_t lo, std::int64_t width,
                                     std::int64_t span, double inverse_width) {
  const std::int64_t a = x - lo;
  auto q = static_cast<std::int64_t>(static_cast<double>(a) * inverse_width);
  q -= q * width > a;
  q += (q + 1) * width <= a;
  // Arithmetic, not selects: GCC would otherwise move the conversion above
  // into a branch and not vectorise the loop.
  const std::int64_t under = a < 0, over = a >= span;
  return (1 - under - over) * (1 + q) + over * (kFineBins + 1);
}

inline int fine_bin(std::int64_t x, const HistogramRange& range) {
  if (x > -range.integer_limit && x < range.integer_limit) [[likely]] {
    // One value at a time, the under- and overflow bins are cheaper as branches.
    const std::int64_t a = x - range.lo_int;
    if (a < 0) return 0;
    if (a >= range.span_int) return kFineBins + 1;
    return static_cast<int>(
        integer_fine_bin(x, range.lo_int, range.width_int, range.span_int, range.inverse_width));
  }
  const double pos = (static_cast<double>(x) - range.lo_gbp) / range.width_gbp;
  if (!(pos >= 0.0)) return 0;  // NaN included (ruled out by the input bounds)
  if (pos >= kFineBins) return kFineBins + 1;
  return 1 + static_cast<int>(pos);
}

template <bool kSquares>
int Series::add_uncounted(std::int64_t x, const HistogramRange& range) {
  add_moments<kSquares>(x, range);
  const int b = fine_bin(x, range);
  if (b == 0) [[unlikely]]
    under_sum += x;
  if (b == kFineBins + 1) [[unlikely]]
    over_sum += x;
  return b;
}

template <bool kSquares>
void Series::add_staged(std::int64_t x, const HistogramRange& range) {
  if (bins.empty()) {  // NoHistogram
    add_moments<kSquares>(x, range);
    return;
  }
  ++staged[add_uncounted<kSquares>(x, range)];
}

template <bool kToStaged, class SeriesOf>
void PendingBins::count(SeriesOf series_of) const {
  for (std::size_t k = 0; k < width; ++k) {
    Series* s = series_of(k);
    if (!s) continue;
    const std::uint16_t* bin = bins.data() + k;
    if constexpr (kToStaged) {
      // The next column's lines are loaded while this one's are counted.
      if (const Series* next = k + 1 < width ? series_of(k + 1) : nullptr)
        for (std::size_t r = 0; r < rows; ++r)
          __builtin_prefetch(next->staged.data() + bin[r * width + 1], 1);
    }
    for (std::size_t r = 0; r < rows; ++r) {
      if constexpr (kToStaged)
        ++s->staged[bin[r * width]];
      else
        ++s->bins[bin[r * width]];
    }
  }
}

template <bool kSquares>
void Series::add_moments(std::int64_t x, const HistogramRange& range) {
  min = std::min(min, x);
  max = std::max(max, x);
  std::int64_t d64;
  if (!__builtin_sub_overflow(x, range.reference_gbp, &d64)) [[likely]] {
    sum += d64;
    if constexpr (kSquares)  // one 64 x 64 -> 128-bit product
      sum_sq.add(static_cast<UnsignedWide>(Wide{d64} * d64));
  } else {
    const Wide d = Wide{x} - range.reference_gbp;  // |d| < 2^64
    sum += d;
    const auto magnitude = static_cast<UnsignedWide>(d < 0 ? -d : d);
    if constexpr (kSquares) sum_sq.add(magnitude * magnitude);
  }
}

// What an accumulator keeps. kFull: every tally a results file needs.
// kCounts: what the stress commands read, at a fraction of the cost: each
// CCG's red count, pairs in the red and the sum and sum of squares of its
// outturn; every group's counts of members in the red and deficits, every
// hub's overspends; the sums and sums of squares of group totals and hub
// overspends. Statistics computed from those (P(red) and its error, means
// and sds, the counts' pmfs, expectations and quantiles, P(deficit),
// P(overspend)) are bit-identical to a kFull accumulator's; histograms
// (so the outturns' quantiles), extremes, control-total misses, underlying
// sums and attribution are not kept.
// kOutturn: what the outcomes of a run of several years that are not a
// year's own outturn report (model/horizon.hpp, on layouts
// with_groups(kNation)): each CCG's red count, sum, extremes and histogram
// (so P(< 0), the mean and the quantiles; not the spread, control-total
// misses, antithetic pairs or underlying sums, which stay 0), the groups'
// tallies as kFull's, the hubs' moments alone, no attribution.
enum class Tallies { kFull, kCounts, kOutturn };

class Accumulator {
 public:
  explicit Accumulator(const StatsLayout& layout, Tallies kind = Tallies::kFull);

  // Adds one trial's outcome. `second_of_pair`: this trial is the second of
  // an antithetic pair whose first was the previous add().
  void add(const TrialState& trial, bool second_of_pair = false);
  // Adds another accumulator's counts (exact; order does not matter).
  void merge(const Accumulator& other);

  // add() keeps some counts and sums in small staging buffers (so the hot
  // loop stays in cache and vectorises) and folds them in at most every
  // kMaxStaged trials. The tallies below include every trial added to
  // an accumulator that only merges others (as simulate's total does), or
  // after flush().
  void flush() { flush_staged(); }

  // Every tally as a flat array of 64-bit words (serialized tallies, below):
  // what processes exchange and checkpoints keep. Staged counts are folded
  // in first; the accumulator itself is unchanged. Tallies never read (after
  // risk sharing, those of CCGs and groups with no pooled member) are left out.
  std::vector<std::uint64_t> serialize() const;
  // An accumulator holding the tallies `words` (serialize()'s output for an
  // accumulator of the same layout and kind). Throws std::invalid_argument,
  // saying why, when the words are not such tallies.
  static Accumulator deserialize(const StatsLayout& layout, Tallies kind,
                                 std::span<const std::uint64_t> words);

  const StatsLayout& layout() const { return *layout_; }
  Tallies kind() const { return kind_; }
  std::int64_t trials() const { return trials_; }
  // Trials in which a pressure reached the settlement bound (TrialState::capped).
  std::int64_t capped_trials() const { return capped_trials_; }
  // CCG i's (group g's) tallies before (phase 0) or after (1) risk sharing.
  const CcgTally& ccg(int phase, std::size_t i) const {
    return ccg_[phase == 1 && layout_->ccg_pooled[i] ? 1 : 0][i];
  }
  const GroupTally& group(int phase, std::size_t g) const {
    return group_[phase == 1 && layout_->group_pooled[g] ? 1 : 0][g];
  }
  const std::vector<HubTally>& hubs() const { return hub_; }
  const HubTally& specialised() const { return specialised_; }
  const AttributionTally& attribution() const { return attribution_; }

 private:
  void add_hubs(const std::vector<std::int64_t>& overspend);
  // `before`: the outturns before risk sharing (phase 1 adds its groups
  // from phase 0's sums).
  void add_phase(int phase, const std::vector<std::int64_t>& surplus,
                 const std::vector<std::int64_t>& underlying,
                 const std::vector<std::int64_t>& before, bool second_of_pair);
  void add_attribution(const TrialState& t);
  void group_sums(const std::vector<std::int64_t>& surplus);
  void shift_group_sums(const std::vector<std::int64_t>& before,
                        const std::vector<std::int64_t>& after);
  void add_counts(int phase, const std::vector<std::int64_t>& surplus,
                  const std::vector<std::int64_t>& before, bool second_of_pair);
  void add_groups(int phase, const std::vector<std::int64_t>& surplus,
                  const std::vector<std::int64_t>& before);

  void flush_staged();
  // Calls the visitor on every serialized tally, in format order (.cpp).
  template <class Self, class Visitor>
  static void visit_tallies(Self& self, Visitor& visit);

  const StatsLayout* layout_;
  Tallies kind_;
  std::int64_t trials_ = 0;
  std::int64_t capped_trials_ = 0;
  std::int64_t staged_trials_ = 0;  // trials since the last flush_staged()
  std::vector<CcgTally> ccg_[kPhases];
  CcgStage stage_[kPhases];
  std::vector<GroupTally> group_[kPhases];
  PendingBins group_pending_[kPhases];  // the groups' total outturns' bins (not kCounts)
  std::vector<HubTally> hub_;
  HubTally specialised_;
  AttributionTally attribution_;
  // Attribution sums not yet folded into attribution_: [kNumComponents x n],
  // every part below 2^47 pounds, so kMaxStaged of them cannot overflow.
  std::vector<std::int64_t> staged_all_, staged_red_;
  // One trial's sums per group: the total outturn, and the members in the
  // red plus 2^32 x those of them that planned no deficit.
  std::vector<std::int64_t> scratch_total_;
  std::vector<std::int64_t> scratch_red_;
  std::int64_t scratch_total_national_ = 0;  // this trial's national total, before sharing
};

// ---- Serialized tallies ---------------------------------------------------
//
// Format 1, 64-bit words:
//   [0] kTallyMagic   [1] kTallyFormat   [2] kind (0 full, 1 counts, 2 outturn)
//   [3] layout fingerprint (tally_fingerprint)
//   [4..8] how many numbers each section holds: sums of 1, 2 and 3 words,
//          minima, maxima
//   then the sections, in that order.
// A sum of w words is a little-endian w x 64-bit integer: counts and
// histogram bins (w = 1), 128-bit sums (w = 2: low word, high word, two's
// complement) and SquareSum (w = 3: its 128-bit low part, then `high`).
// Two serialized tallies of one layout therefore combine word by word,
// without knowing which tally is which: sums add with carries modulo
// 2^(64 w), minima take the smaller and maxima the larger signed value
// (combine_tallies). The result is the serialization of the merged
// accumulators, bit for bit.
inline constexpr std::uint64_t kTallyMagic = 0x314C4C4154474343ull;  // "CCGTALL1"
inline constexpr std::uint64_t kTallyFormat = 1;
inline constexpr std::size_t kTallyHeaderWords = 9;

// A hash (FNV-1a) of what a layout's serialization depends on: the table's
// and groups' sizes, the pooled flags and every histogram range. Tallies of
// layouts with different fingerprints never combine.
std::uint64_t tally_fingerprint(const StatsLayout& layout);

// `inout` becomes the combination of `in` and `inout` (serialized tallies of
// one layout); returns false, changing nothing, if their headers differ or
// a length does not match its header.
bool combine_tallies(std::span<const std::uint64_t> in, std::span<std::uint64_t> inout);

}  // namespace ccgrisk
