// ccgrisk breakeven: the per-CCG values agree with a sweep's interpolated
// crossings, bracket P(red) = p exactly under common random numbers, the
// system value keeps the expected count <= K, and bad input is exit 2.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "engine/breakeven.hpp"
#include "engine/sweep.hpp"
#include "input/error.hpp"
#include "output/hdf5.hpp"
#include "stress_fixture.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;

namespace {

const std::string kCipMean = "drivers.cip_delivery.mean";

// P(red) of every CCG and the expected count at one value.
struct At {
  std::vector<double> p_red;
  double expected_red;
};
At run_at(ScenarioRuns& runs, double value) {
  const Results r = runs.run(runs.with(kCipMean, value));
  return {r.before.p_red, r.national.expected_red};
}

// Where the sweep's P(red) of CCG i first crosses p coming down from the
// top of the range, by linear interpolation; NaN if it does not.
double interpolated_crossing(const SweepResult& s, int i, double p) {
  const int n = s.n;
  for (std::size_t j = s.values.size() - 1; j > 0; --j) {
    const double hi = s.p_red[(j - 1) * n + i], lo = s.p_red[j * n + i];
    if (hi > p && lo <= p)
      return s.values[j - 1] + (hi - p) / (hi - lo) * (s.values[j] - s.values[j - 1]);
  }
  return std::nan("");
}

}  // namespace

TEST_CASE("breakeven agrees with the sweep's interpolated crossing", "[breakeven]") {
  StressFixture fx(kFixedDelivery);
  ScenarioRuns runs = fx.runs();
  const double p = 0.3;
  BreakevenSpec spec{kCipMean, p, 0.3, 0.95};
  spec.grid = 9;
  const BreakevenResult b = run_breakeven(runs, spec);
  const SweepResult s = run_sweep(runs, {kCipMean, 0.3, 0.95, 14});
  const double step = 0.05;
  int crossing = 0;
  for (int i = 0; i < s.n; ++i) {
    INFO("CCG " << i << " P(red) from " << b.p_red_at_from[i] << " to " << b.p_red_at_to[i]);
    CHECK(b.p_red_at_from[i] == s.p_red[i]);
    if (b.ccg.status[i] != Crossing::kCrosses) {
      CHECK(std::isnan(interpolated_crossing(s, i, p)));
      continue;
    }
    ++crossing;
    CHECK(b.ccg.direction[i] == -1);
    CHECK(std::abs(b.ccg.value[i] - interpolated_crossing(s, i, p)) <= step);
  }
  CHECK(crossing == 12);  // the fixture's spread of plans: all cross, at different values
}

TEST_CASE("each breakeven brackets P(red) = p to within the tolerance", "[breakeven]") {
  StressFixture fx(kFixedDelivery);
  ScenarioRuns runs = fx.runs();
  BreakevenSpec spec{kCipMean, 0.3, 0.3, 0.95};
  spec.grid = 9;
  spec.tolerance = 0.002;
  const BreakevenResult b = run_breakeven(runs, spec);
  CHECK(b.runs == std::accumulate(b.points_per_level.begin(), b.points_per_level.end(), 0));
  for (int i = 0; i < static_cast<int>(b.ccg.value.size()); ++i) {
    if (b.ccg.status[i] != Crossing::kCrosses) continue;
    const double v = b.ccg.value[i];
    INFO("CCG " << i << " breakeven " << v);
    CHECK(run_at(runs, v).p_red[i] <= 0.3);                  // at the value: at or below p
    CHECK(run_at(runs, v - spec.tolerance).p_red[i] > 0.3);  // a little less delivery: above
    CHECK(b.p_red_at_value[i] <= 0.3);
  }
}

TEST_CASE("the system value keeps the expected number in the red <= K", "[breakeven]") {
  StressFixture fx(kFixedDelivery);
  ScenarioRuns runs = fx.runs();
  BreakevenSpec spec{kCipMean, 0.5, 0.3, 0.95};
  spec.max_red = 3;
  spec.tolerance = 0.001;
  const BreakevenResult b = run_breakeven(runs, spec);
  REQUIRE(b.system.status[0] == Crossing::kCrosses);
  CHECK(b.system.direction[0] == -1);
  const double v = b.system.value[0];
  INFO("system value " << v);
  CHECK(run_at(runs, v).expected_red <= 3);
  CHECK(b.expected_red_at_system <= 3);
  CHECK(run_at(runs, v - spec.tolerance).expected_red > 3);  // slightly less favourable
}

TEST_CASE("a parameter that raises P(red) is searched the other way", "[breakeven]") {
  StressFixture fx(kFixedDelivery);
  ScenarioRuns runs = fx.runs();
  BreakevenSpec spec{"shift.region.North", 0.3, -1.0, 3.0};
  spec.grid = 5;
  spec.max_red = 3;
  const BreakevenResult b = run_breakeven(runs, spec);
  for (int i = 0; i < 12; ++i) {
    const bool north = i % 4 < 2;
    INFO("CCG " << i);
    if (!north) CHECK(b.ccg.status[i] != Crossing::kCrosses);  // the shift does not touch them
    if (b.ccg.status[i] == Crossing::kCrosses) {
      CHECK(north);
      CHECK(b.ccg.direction[i] == 1);
      CHECK(b.p_red_at_value[i] <= 0.3);
    }
  }
  CHECK(b.system.direction[0] == 1);
}

TEST_CASE("never and always are reported as such", "[breakeven]") {
  StressFixture fx(kFixedDelivery);
  ScenarioRuns runs = fx.runs();
  const BreakevenResult never = run_breakeven(runs, {kCipMean, 0.99, 0.6, 0.8});
  for (Crossing c : never.ccg.status)
    CHECK(c == Crossing::kNever);
  for (double v : never.ccg.value)
    CHECK(std::isnan(v));
  const BreakevenResult always = run_breakeven(runs, {"shift.region.North", 0.01, 4.0, 5.0});
  for (int i = 0; i < 12; ++i) {
    const bool north = i % 4 < 2, above = always.p_red_at_from[i] > 0.01;
    CHECK(always.ccg.status[i] == (north || above ? Crossing::kAlways : Crossing::kNever));
  }
  CHECK(always.runs == 17);  // nothing crosses: the grid alone
}

TEST_CASE("the default range is the current value +-50%, within what the scenario accepts",
          "[breakeven]") {
  StressFixture fx("[drivers.cip_delivery]\nmean = 0.8\nsd = 0.15\n[shift.region]\nNorth = 0\n");
  ScenarioRuns runs = fx.runs();
  const auto [lo, hi] = default_range(runs, kCipMean);
  CHECK(lo == Approx(0.4));
  CHECK(hi == Approx(0.9));  // 1.2 and 1.0 are rejected: the mean must be < 1
  const auto [a, b] = default_range(runs, "shift.region.\"North\"");
  CHECK(a == -1.0);
  CHECK(b == 1.0);
  CHECK_THROWS_WITH(default_range(runs, "drivers.sd_multiplier"),
                    Catch::Contains("give --from and --to"));
}

TEST_CASE("the default range reads a KEY as --set does: a bare name with spaces, a named element",
          "[breakeven]") {
  StressFixture fx(
      "[[pool]]\nname = \"Pool A\"\nmembers = [\"C20\", \"C21\"]\nrule = \"cover\"\n"
      "cap_pct = 2.0\n");
  ScenarioRuns runs = fx.runs();
  for (const char* key : {"pool.Pool A.cap_pct", "pool.\"Pool A\".cap_pct", "pool[1].cap_pct"}) {
    INFO(key);
    const auto [lo, hi] = default_range(runs, key);
    CHECK(lo == 1.0);
    CHECK(hi == 3.0);
  }
}

TEST_CASE("the default range of a key at its bound is one-sided; an integer key has none",
          "[breakeven]") {
  StressFixture fx("[horizon]\ngap_plan_share = 1.0\n[recovery]\nyears = 3\n");
  ScenarioRuns runs = fx.runs();
  const auto [lo, hi] = default_range(runs, "horizon.gap_plan_share");
  CHECK(lo == 0.5);
  CHECK(hi == 1.0);  // every value above 1 is refused: the range ends at the value
  CHECK_THROWS_WITH(default_range(runs, "recovery.years"),
                    Catch::Contains("--param recovery.years") &&
                        Catch::Contains("no value near its current 3") &&
                        Catch::Contains("give --from and --to"));
}

TEST_CASE("ccgrisk breakeven writes /breakeven and prints the CCGs at risk", "[breakeven][cli]") {
  StressFixture fx("[drivers.cip_delivery]\nsd = 0.1\n");  // with the beta: few runs
  const auto out = fx.dir / "be.h5";
  const CliResult r = run_cli("breakeven " + quote(fx.scenario.string()) + " --param " + kCipMean +
                              " --p 0.3 --from 0.3 --to 0.95 --grid 5 --tolerance 0.05 " +
                              "--max-red 3 --trials 2000 -o " + quote(out.string()));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("P(red) <= p needs") && Catch::Contains("System:"));
  const h5::File f = h5::File::open(out);
  const auto status = h5::read_dataset<std::int64_t>(f, "breakeven/status");
  CHECK(status.dims == h5::Dims{12});
  CHECK(h5::read_dataset<double>(f, "breakeven/values").dims == h5::Dims{12});
  CHECK(h5::read_dataset<double>(f, "breakeven/p_red_at_from").dims == h5::Dims{12});
  CHECK(h5::read_dataset<double>(f, "breakeven/max_red").values == std::vector<double>{3.0});
  CHECK(std::isfinite(h5::read_dataset<double>(f, "breakeven/system_value").values[0]));
  check_documented(f, "breakeven");
  check_runs_recorded(f, "breakeven", r.out);
}

TEST_CASE("ccgrisk breakeven without --max-red records no system value", "[breakeven][cli]") {
  StressFixture fx("[drivers.cip_delivery]\nsd = 0.1\n");
  const auto out = fx.dir / "be.h5";
  const CliResult r = run_cli("breakeven " + quote(fx.scenario.string()) + " --param " + kCipMean +
                              " --p 0.3 --from 0.3 --to 0.95 --grid 5 --tolerance 0.1 " +
                              "--trials 1000 -o " + quote(out.string()));
  REQUIRE(r.exit_code == 0);
  const h5::File f = h5::File::open(out);
  CHECK(std::isnan(h5::read_dataset<double>(f, "breakeven/max_red").values[0]));
  CHECK(std::isnan(h5::read_dataset<double>(f, "breakeven/system_value").values[0]));
  CHECK(h5::read_dataset<std::int64_t>(f, "breakeven/system_status").values[0] == -1);
  // Not 0 CCGs: no system value was sought.
  CHECK(std::isnan(h5::read_dataset<double>(f, "breakeven/expected_red_at_system").values[0]));
}

TEST_CASE("ccgrisk breakeven: bad input is exit 2 with no output", "[breakeven][cli]") {
  StressFixture fx;
  const auto fails = [&fx](const std::string& args, const std::string& message) {
    fx.input_error("breakeven", args, message);
  };
  fails("--param drivers.cip_delivery.mean --p 1.2 --from 0.5 --to 0.9", "--p 1.2");
  fails("--param drivers.cip_delivery.mean --p 0 --from 0.5 --to 0.9", "--p 0");
  fails("--param drivers.cip_delivery.mean --p 0.5 --from 0.5 --to 0.5", "--from and --to");
  fails("--param drivers.cip_delivery.mean --p 0.5 --from 0.5", "both --from and --to");
  fails("--param drivers.cip_delivery.mean --p 0.5 --from -0.5 --to 0.9",
        "drivers.cip_delivery.mean = -0.5");
  fails("--param drivers.nope --p 0.5 --from 0 --to 1", "unknown key 'drivers.nope'");
  fails("--param drivers.sd_multiplier --p 0.5", "give --from and --to");
  fails("--param drivers.cip_delivery.mean --p 0.5 --from 0.5 --to 0.9 --max-red -1",
        "--max-red -1");
  // A tolerance of 1e-300 once bisected for thousands of runs.
  fails("--param drivers.cip_delivery.mean --p 0.5 --from 0.5 --to 0.9 --tolerance 1e-300",
        "--tolerance 1e-300: finer than a billionth of the range searched (0.4)");
}
