// ccgrisk under mpirun (docs/scale-out.md): any number of ranks and threads
// per rank gives the results file of a single-process run, bit for bit; a
// sweep likewise; a checkpointed job killed with SIGKILL resumes, under
// another number of ranks, to the same file; a rank that fails ends the job
// with one message from rank 0, a non-zero exit and no results file.
// Built only with MPI (CMake CCGRISK_MPI); CTest reports it skipped otherwise.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

#include "cli_fixture.hpp"
#include "input/error.hpp"
#include "output/checkpoint_file.hpp"
#include "support.hpp"

using namespace ccgrisk;
using namespace ccgrisk::test;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

const fs::path kBaseline = fs::path(CCGRISK_SOURCE_DIR) / "scenarios/baseline-2013-14.toml";

std::string mpirun(int ranks) {
  return std::string(CCGRISK_MPIEXEC) + " --oversubscribe --allow-run-as-root -n " +
         std::to_string(ranks);
}

// `ccgrisk run` of the baseline, 20,000 trials, with `extra` options.
std::string run_args(const fs::path& out, const std::string& extra) {
  return "run " + quote(kBaseline.string()) + " -o " + quote(out.string()) +
         " --trials 20000 --quiet " + extra;
}

const std::string kStudentT = "--set 'run.copula=\"student_t\"'";

// The single-process file of each scenario, made once.
const fs::path& single_process_file(const std::string& extra) {
  static TempDir dir;
  static std::map<std::string, fs::path> made;
  auto it = made.find(extra);
  if (it != made.end()) return it->second;
  const fs::path out = dir / ("single-" + std::to_string(made.size()) + ".h5");
  const CliResult r = run_cli(run_args(out, extra));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return made.emplace(extra, out).first->second;
}

std::int64_t checkpoint_position(const fs::path& path) {
  try {
    return fs::exists(path) ? read_checkpoint(path).state.done : -1;
  } catch (const InputError&) {
    return -1;
  }
}

}  // namespace

TEST_CASE("mpirun: 1, 2 and 3 ranks x 1 and 2 threads give the single-process file", "[mpi]") {
  const std::string scenario = GENERATE(std::string(), kStudentT);
  const int ranks = GENERATE(1, 2, 3);
  const int threads = GENERATE(1, 2);
  CAPTURE(scenario, ranks, threads);
  const fs::path& reference = single_process_file(scenario);
  TempDir dir;
  const fs::path out = dir / "mpi.h5";
  const CliResult r =
      run_cli(run_args(out, scenario + " --threads " + std::to_string(threads)), mpirun(ranks));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(results_file_differences(reference, out).empty());
}

TEST_CASE("mpirun: precision on demand (run.target_se), round by round across ranks", "[mpi]") {
  TempDir dir;
  const std::string extra = "--target-se 0.004 --max-trials 60000";
  const fs::path single = dir / "single.h5", out = dir / "mpi.h5";
  REQUIRE(run_cli(run_args(single, extra)).exit_code == 0);
  const CliResult r = run_cli(run_args(out, extra + " --threads 1"), mpirun(3));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(single, out).empty());
}

TEST_CASE("mpirun: bench reports ranks x threads, and the results identical", "[mpi]") {
  TempDir dir;
  const fs::path json = dir / "bench.json";
  const CliResult r =
      run_cli("bench " + quote(kBaseline.string()) +
                  " --trials 5000 --rounds 1 --threads 1,2 --quiet --json " + quote(json.string()),
              mpirun(2));
  INFO(r.err);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("MPI: 2 ranks share each run's trials"));
  CHECK_THAT(r.out, Contains("ranks x threads"));
  CHECK_THAT(r.out, Contains("2 x 1"));
  CHECK_THAT(r.out, Contains("2 x 2"));
  CHECK_THAT(r.out, Contains("results bit-identical across thread counts: yes"));
  const std::string text = read_file(json);
  CHECK_THAT(text, Contains("\"ranks\": 2"));
  CHECK_THAT(text, Contains("\"bit_identical\": true"));
}

TEST_CASE("mpirun: a sweep under 2 ranks equals the single-process sweep", "[mpi]") {
  TempDir dir;
  const std::string sweep = "sweep " + quote(kBaseline.string()) +
                            " --param drivers.cip_delivery.mean --from 0.6 --to 0.9 --steps 4 "
                            "--trials 10000 --quiet -o ";
  const fs::path single = dir / "single.h5", out = dir / "mpi.h5";
  const CliResult s = run_cli(sweep + quote(single.string()));
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const CliResult r = run_cli(sweep + quote(out.string()) + " --threads 1", mpirun(2));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(results_file_differences(single, out).empty());
}

TEST_CASE("mpirun: a checkpointed job killed with SIGKILL resumes under other ranks exactly",
          "[mpi][kill]") {
  TempDir dir;
  const fs::path ck = dir / "ck.h5", out = dir / "out.h5";
  const std::string args = "run " + quote(kBaseline.string()) + " -o " + quote(out.string()) +
                           " --trials 100000 --quiet --threads 1 --checkpoint " +
                           quote(ck.string()) + " --checkpoint-every 0";
  // mpirun in the background; one rank killed once a checkpoint is there.
  const std::string pid_file = (dir / "mpirun.pid").string();
  REQUIRE(
      std::system((mpirun(2) + " " + quote(CCGRISK_EXE) + " " + args + " >" +
                   quote((dir / "log").string()) + " 2>&1 </dev/null & echo $! >" + quote(pid_file))
                      .c_str()) == 0);
  const auto start = std::chrono::steady_clock::now();
  while (checkpoint_position(ck) < 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::int64_t position = checkpoint_position(ck);
  REQUIRE(position > 0);
  // SIGKILL to the ranks, the children of mpirun; mpirun then ends the job.
  const std::string pid = read_file(pid_file);
  std::system(("pkill -KILL -P " + pid).c_str());
  for (int i = 0; i < 600 && ::kill(std::stoi(pid), 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(fs::exists(out));
  CHECK(checkpoint_position(ck) >= position);
  // Resumed under 3 ranks: the file of an uninterrupted single-process run.
  const CliResult r = run_cli(args + " --resume " + quote(ck.string()), mpirun(3));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  TempDir single_dir;
  const fs::path single = single_dir / "single.h5";
  REQUIRE(run_cli("run " + quote(kBaseline.string()) + " -o " + quote(single.string()) +
                  " --trials 100000 --quiet")
              .exit_code == 0);
  CHECK(results_file_differences(single, out).empty());
}

TEST_CASE("mpirun: bad input on every rank: exit 2, one message, no results file", "[mpi]") {
  TempDir dir;
  const fs::path out = dir / "out.h5";
  const CliResult r = run_cli(run_args(out, "--set run.seed=-1"), mpirun(3));
  CHECK(r.exit_code == 2);
  INFO(r.err);
  CHECK(r.out.empty());
  // One ccgrisk line (mpirun adds its own notice of the non-zero exit).
  const std::string line = "ccgrisk: error: ";
  const std::size_t first = r.err.find(line);
  REQUIRE(first != std::string::npos);
  CHECK(r.err.find(line, first + 1) == std::string::npos);
  CHECK_THAT(r.err, Contains("run.seed = -1"));
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("mpirun: one rank failing alone ends the job: rank 0 names it, no results file",
          "[mpi]") {
  // MPMD: rank 1 is given a scenario that does not parse, rank 0 a good one.
  TempDir dir;
  const fs::path bad = write_file(dir / "bad.toml", "[run]\ntrials = \n");
  const fs::path out = dir / "out.h5";
  const std::string exe = quote(CCGRISK_EXE);
  const std::string cmd = std::string(CCGRISK_MPIEXEC) +
                          " --oversubscribe --allow-run-as-root -n 1 " + exe + " " +
                          run_args(out, "") + " : -n 1 " + exe + " run " + quote(bad.string()) +
                          " -o " + quote(out.string()) + " --quiet";
  const std::string log = (dir / "log").string();
  const int status = std::system((cmd + " >" + quote(log) + " 2>&1 </dev/null").c_str());
  const std::string err = read_file(log);
  INFO(err);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_THAT(err, Contains("ccgrisk: error: rank 1: "));
  CHECK_THAT(err, Contains("bad.toml:2"));
  CHECK_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(dir.path()))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}
