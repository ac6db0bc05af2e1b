// Checkpoint and resume (ccgrisk run --checkpoint/--resume,
// output/checkpoint_file.hpp): a run killed at any point and resumed writes
// the results file an uninterrupted run writes, bit for bit; a checkpoint
// of other inputs is refused with exit 2 and the difference named;
// SIGINT/SIGTERM save a last checkpoint and leave no temporary file.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "cli_fixture.hpp"
#include "engine/run.hpp"
#include "input/error.hpp"
#include "output/checkpoint_file.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;
using namespace ccgrisk::test::cli;
using Catch::Contains;

namespace {

const fs::path kBaseline = fs::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml";

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos)
      out.push_back(e.path().filename().string());
  return out;
}

// `ccgrisk run` of the baseline with 100,000 trials (a few seconds).
std::vector<std::string> baseline_args(const fs::path& out, std::vector<std::string> extra) {
  std::vector<std::string> args = {"run",      kBaseline.string(), "-o",     out.string(),
                                   "--trials", "100000",           "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

CheckpointIdentity some_identity() {
  CheckpointIdentity id;
  id.tool_version = "0.1.0";
  id.git_sha = "abc";
  id.scenario_sha256 = std::string(64, 'a');
  id.ccg_table_sha256 = std::string(64, 'b');
  id.seed = 7;
  id.rng = "philox4x32";
  id.trials = 1000;
  id.max_trials = 10'000'000;
  return id;
}

}  // namespace

TEST_CASE("checkpoint identity: each difference is named", "[checkpoint]") {
  const CheckpointIdentity saved = some_identity();
  CHECK(identity_difference(saved, saved).empty());
  struct Case {
    const char* names;
    void (*change)(CheckpointIdentity&);
  };
  const std::vector<Case> cases = {
      {"the ccgrisk version", [](CheckpointIdentity& i) { i.tool_version = "0.2.0"; }},
      {"the ccgrisk version", [](CheckpointIdentity& i) { i.git_sha = "def"; }},
      {"the seed differs (checkpoint: 7, this run: 8)", [](CheckpointIdentity& i) { i.seed = 8; }},
      {"the random stream family", [](CheckpointIdentity& i) { i.rng = "philox4x64"; }},
      {"the number of trials differs (checkpoint: 1000, this run: 2000)",
       [](CheckpointIdentity& i) { i.trials = 2000; }},
      {"the precision target", [](CheckpointIdentity& i) { i.target_se = 0.01; }},
      {"the CCG table", [](CheckpointIdentity& i) { i.ccg_table_sha256[0] = 'c'; }},
      {"the scenario", [](CheckpointIdentity& i) { i.scenario_sha256[0] = 'c'; }},
  };
  for (const Case& c : cases) {
    CheckpointIdentity now = saved;
    c.change(now);
    CHECK_THAT(identity_difference(saved, now), Contains(c.names));
  }
}

TEST_CASE("a checkpoint reads back as written, and a damaged one is refused", "[checkpoint]") {
  TempDir dir;
  Checkpoint c;
  c.identity = some_identity();
  c.state.finished = {{7, {{1, 2, 3}, {4, 5}}}, {8, {{6}}}};
  c.state.current = {99, {{kTallyMagic, kTallyFormat, 0, 42, 1, 0, 0, 0, 0, 4096}, {}}};
  c.state.done = 4096;
  c.state.round_end = 10000;
  c.created_utc = "2026-01-01T00:00:00Z";
  const fs::path path = dir / "ck.h5";
  write_checkpoint(c, path);
  const Checkpoint back = read_checkpoint(path);
  CHECK(back.identity.seed == 7);
  CHECK(identity_difference(back.identity, c.identity).empty());
  CHECK(back.state.done == 4096);
  CHECK(back.state.round_end == 10000);
  CHECK(back.state.current.identity == 99);
  CHECK(back.state.current.tallies == c.state.current.tallies);
  REQUIRE(back.state.finished.size() == 2);
  CHECK(back.state.finished[0].identity == 7);
  CHECK(back.state.finished[0].tallies == c.state.finished[0].tallies);
  CHECK(back.state.finished[1].tallies == c.state.finished[1].tallies);
  CHECK(back.created_utc == c.created_utc);
  CHECK(temp_files(dir.path()).empty());

  std::string bytes = read_file(path);
  bytes[bytes.size() - 100] ^= 1;
  write_file(dir / "damaged.h5", bytes);
  CHECK_THROWS_WITH(read_checkpoint(dir / "damaged.h5"), Contains("changed or cut short"));
  write_file(dir / "text.h5", "not a checkpoint");
  CHECK_THROWS_WITH(read_checkpoint(dir / "text.h5"), Contains("not a ccgrisk checkpoint"));
  CHECK_THROWS_WITH(read_checkpoint(dir / "missing.h5"), Contains("no such file"));
}

TEST_CASE("resume refusals: another scenario, seed, table, streams, trials or version exit 2",
          "[checkpoint]") {
  Case c;
  TempDir elsewhere;  // the case's folder must hold only its inputs after a refusal
  const fs::path ck = elsewhere / "ck.h5", first = elsewhere / "first.h5";
  // A complete run leaves its last checkpoint (after every chunk with -every 0).
  const CliResult made =
      c.run("--quiet --trials 20000 --checkpoint " + quote(ck.string()) + " --checkpoint-every 0");
  REQUIRE(made.exit_code == kExitOk);
  REQUIRE(fs::exists(ck));
  fs::rename(c.out_path(), first);
  const std::string resume = " --quiet --trials 20000 --resume " + quote(ck.string());
  SECTION("the same inputs resume, to the same results") {
    const CliResult r = c.run(resume);
    INFO(r.err);
    CHECK(r.exit_code == kExitOk);
    const std::vector<std::string> differences = results_file_differences(first, c.out_path());
    for (const std::string& d : differences)
      UNSCOPED_INFO(d);
    CHECK(differences.empty());
  }
  SECTION("another seed") {
    check_rejected(c, c.run(resume + " --seed 5"), {"cannot resume from checkpoint", "the seed"});
  }
  SECTION("another number of trials") {
    check_rejected(c, c.run("--quiet --trials 30000 --resume " + quote(ck.string())),
                   {"the number of trials differs (checkpoint: 20000, this run: 30000)"});
  }
  SECTION("other streams") {
    check_rejected(c, c.run(resume + " --set 'run.rng=\"philox4x64\"'"),
                   {"the random stream family"});
  }
  SECTION("another scenario") {
    check_rejected(c, c.run(resume + " --set plan.surplus_pct=1.5"), {"the scenario differs"});
  }
  SECTION("another CCG table") {
    c.csv.cell(2, "allocation_2013_14_k") = "219308";
    check_rejected(c, c.run(resume), {"the CCG table"});
  }
  SECTION("another ccgrisk version") {
    Checkpoint forged = read_checkpoint(ck);
    forged.identity.tool_version = "0.0.1";
    write_checkpoint(forged, ck);
    check_rejected(c, c.run(resume), {"the ccgrisk version differs (checkpoint: 0.0.1"});
  }
  SECTION("a damaged checkpoint") {
    std::string bytes = read_file(ck);
    bytes.resize(bytes.size() / 2);
    write_file(ck, bytes);
    check_rejected(c, c.run(resume), {"changed or cut short"});
  }
  SECTION("the results file may not replace the checkpoint being resumed") {
    check_rejected(
        c,
        c.run_args("run " + quote(c.scenario_path().string()) + " -o " + quote(ck.string()) +
                   " --quiet --trials 20000 --resume " + quote(ck.string())),
        {"same file as the input"});
    CHECK(fs::exists(ck));
  }
  SECTION("the checkpoint may not be the results file") {
    check_rejected(c, c.run("--quiet --checkpoint " + quote(c.out_path().string())),
                   {"is the results file"});
  }
}

TEST_CASE(
    "SIGTERM and SIGINT save a last checkpoint and leave no temporary file, and resume is exact",
    "[checkpoint][signals]") {
  TempDir dir;
  const fs::path reference = dir / "reference.h5", out = dir / "out.h5", ck = dir / "ck.h5";
  REQUIRE(run_cli(joined(baseline_args(reference, {}))).exit_code == 0);
  std::int64_t position = -1;
  for (const int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    std::vector<std::string> extra = {"--checkpoint", ck.string(), "--checkpoint-every", "0"};
    if (position >= 0) extra.insert(extra.end(), {"--resume", ck.string()});
    Child child(baseline_args(out, extra), dir.path());
    REQUIRE(wait_for_checkpoint(ck, position) > position);  // the run is under way
    child.signal(sig);
    const int code = child.wait();
    CHECK(code == 128 + sig);
    const std::int64_t now = checkpoint_position(ck);
    CHECK(now > position);
    position = now;
    CHECK(temp_files(dir.path()).empty());
    CHECK_FALSE(fs::exists(out));
  }
  CHECK_THAT(read_file(dir / "child.err"), Contains("checkpoint written to"));
  const CliResult r = run_cli(joined(baseline_args(out, {"--resume", ck.string()})));
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(reference, out).empty());
}

TEST_CASE("the same signal twice at once (as timeout sends it) still saves a last checkpoint",
          "[checkpoint][signals]") {
  TempDir dir;
  const fs::path out = dir / "out.h5", ck = dir / "ck.h5";
  Child child(baseline_args(out, {"--checkpoint", ck.string(), "--checkpoint-every", "0"}),
              dir.path());
  const std::int64_t position = wait_for_checkpoint(ck, -1);
  REQUIRE(position > 0);
  // timeout sends it to the process, then to its group; 20 ms apart here, so
  // that the first has been taken before the second comes (two signals
  // pending at once are one).
  child.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  child.signal(SIGINT);
  CHECK(child.wait() == 128 + SIGINT);
  CHECK(checkpoint_position(ck) >= position);
  CHECK_THAT(read_file(dir / "child.err"), Contains("checkpoint written to"));
  CHECK(temp_files(dir.path()).empty());
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("kill -9 at several points, then resume: the uninterrupted run's file",
          "[checkpoint][kill]") {
  TempDir dir;
  const fs::path reference = dir / "reference.h5", out = dir / "out.h5", ck = dir / "ck.h5";
  REQUIRE(run_cli(joined(baseline_args(reference, {"--threads", "1"}))).exit_code == 0);
  const std::vector<std::string> checkpointing = {"--checkpoint", ck.string(), "--checkpoint-every",
                                                  "0"};
  std::int64_t position = -1;
  // Killed: before any checkpoint, just after one appears, and some way into
  // the next chunk or write.
  for (const int delay_ms : {50, 0, 150, 40}) {
    CAPTURE(delay_ms, position);
    std::vector<std::string> extra = checkpointing;
    if (position >= 0) extra.insert(extra.end(), {"--resume", ck.string()});
    Child child(baseline_args(out, extra), dir.path());
    if (position >= 0 || delay_ms != 50) {
      const std::int64_t at = wait_for_checkpoint(ck, position);
      REQUIRE(at > position);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    child.signal(SIGKILL);
    CHECK(child.wait() == 128 + SIGKILL);
    CHECK_FALSE(fs::exists(out));
    position = checkpoint_position(ck);
  }
  REQUIRE(position > 0);
  REQUIRE(position < 100000);
  const CliResult r =
      run_cli(joined(baseline_args(out, {"--resume", ck.string(), "--checkpoint", ck.string()})));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(reference, out).empty());
  // What the killed processes left beside the checkpoint was cleared.
  CHECK(temp_files(dir.path()).empty());
}

TEST_CASE("precision on demand (run.target_se): stopped mid-round and resumed, the same rounds",
          "[checkpoint][signals]") {
  TempDir dir;
  const fs::path reference = dir / "reference.h5", out = dir / "out.h5", ck = dir / "ck.h5";
  const std::vector<std::string> precision = {"--target-se", "0.0025", "--max-trials", "200000"};
  REQUIRE(run_cli(joined(baseline_args(reference, precision))).exit_code == 0);
  std::vector<std::string> extra = precision;
  extra.insert(extra.end(), {"--checkpoint", ck.string(), "--checkpoint-every", "0"});
  {
    Child child(baseline_args(out, extra), dir.path());
    REQUIRE(wait_for_checkpoint(ck, 0) > 0);
    child.signal(SIGTERM);
    CHECK(child.wait() == 128 + SIGTERM);
  }
  const Checkpoint saved = read_checkpoint(ck);
  CHECK(saved.state.done <= saved.state.round_end);
  CHECK(saved.identity.target_se == 0.0025);
  std::vector<std::string> resume = precision;
  resume.insert(resume.end(), {"--resume", ck.string()});
  const CliResult r = run_cli(joined(baseline_args(out, resume)));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(reference, out).empty());
}

TEST_CASE("a run with [uncertainty]: killed in one pass, stopped in the next, resumed exactly",
          "[checkpoint][kill][uncertainty]") {
  // The baseline with 14 outer samples: 15 points, two passes over the trials.
  TempDir dir;
  std::string text = read_file(kBaseline);
  const std::string data = "\"data/ccg_2013_14.csv\"";
  const std::size_t at = text.find(data);
  REQUIRE(at != std::string::npos);
  text.replace(at, data.size(), quote((kBaseline.parent_path() / "data/ccg_2013_14.csv").string()));
  text +=
      "\n[uncertainty]\nsamples = 14\n[[uncertainty.parameter]]\n"
      "key = \"drivers.cip_delivery.mean\"\ndistribution = \"beta\"\n"
      "mean = 0.8\nsd = 0.05\nmin = 0.6\nmax = 0.95\nsource = \"a test\"\n";
  const fs::path scenario = write_file(dir / "uncertain.toml", text);
  const fs::path reference = dir / "reference.h5", out = dir / "out.h5", ck = dir / "ck.h5";
  const auto args = [&](const fs::path& o, std::vector<std::string> extra) {
    std::vector<std::string> all = {"run",      scenario.string(), "-o",     o.string(),
                                    "--trials", "60000",           "--quiet"};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  };
  REQUIRE(run_cli(joined(args(reference, {}))).exit_code == 0);
  const std::vector<std::string> checkpointing = {"--checkpoint", ck.string(), "--checkpoint-every",
                                                  "0"};
  {
    Child child(args(out, checkpointing), dir.path());
    REQUIRE(wait_for_checkpoint(ck, 0) > 0);
    child.signal(SIGKILL);
    CHECK(child.wait() == 128 + SIGKILL);
  }
  CHECK(read_checkpoint(ck).state.finished.empty());  // killed in the first pass
  {
    std::vector<std::string> extra = checkpointing;
    extra.insert(extra.end(), {"--resume", ck.string()});
    Child child(args(out, extra), dir.path());
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
      const std::optional<Checkpoint> c =
          fs::exists(ck) ? std::optional(read_checkpoint(ck)) : std::nullopt;
      if (c && !c->state.finished.empty() && c->state.done > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    child.signal(SIGTERM);
    CHECK(child.wait() == 128 + SIGTERM);
  }
  // The message counts the pass it finished, then the next one's trials.
  CHECK_THAT(read_file(dir / "child.err"), Contains("after 1 finished pass and "));
  const Checkpoint mid = read_checkpoint(ck);
  CHECK(mid.state.finished.size() == 1);  // stopped in the second pass
  CHECK(mid.state.finished.front().tallies.size() == 12);
  CHECK(mid.state.current.tallies.size() == 3);
  CHECK(temp_files(dir.path()).empty());
  const CliResult r = run_cli(joined(args(out, {"--resume", ck.string()})));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(reference, out).empty());
}
