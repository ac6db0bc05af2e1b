// Output safety (issue 11), through the real ccgrisk binary and the library:
// an output never replaces an input or a non-regular file; outputs that
// cannot be written are refused before any work; a write that fails (a
// full disk, here a file size limit) is one clean error with nothing left
// behind; SIGINT and SIGTERM remove temporary files and exit 130 and 143.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli_fixture.hpp"
#include "output/file_output.hpp"

using namespace ccgrisk::test;
using namespace ccgrisk::test::cli;
using Catch::Contains;

namespace {

constexpr int kExitFailure = 1;

// A small targets file for the fixture: the North's expected number in the
// red, moved by its regional shift, to within `tolerance`. With 200 trials
// the expected number moves in steps of 1/200, so a tolerance of 0.0001
// around 1.0025 cannot be met: calibration does not converge.
std::string targets_text(double value, double tolerance = 0.5) {
  return "[calibration]\ntrials = 200\nmax_sweeps = 1\n[[target]]\nname = \"North red\"\n"
         "statistic = \"expected_red\"\ngroup = \"region:North\"\nvalue = " +
         std::to_string(value) + "\ntolerance = " + std::to_string(tolerance) +
         "\nparameter = \"shift.region.North\"\nlower = -5\nupper = 5\n";
}

// `ccgrisk COMMAND <scenario> -o OUT ...` for the case's scenario.
std::string command(const Case& c, const std::string& verb, const fs::path& out,
                    const std::string& extra = "") {
  return verb + " " + quote(c.scenario_path().string()) + " -o " + quote(out.string()) +
         " --quiet " + extra;
}

// A results file of the fixture, for the commands that read one.
fs::path results_of(Case& c) {
  const CliResult r = c.run();
  REQUIRE(r.exit_code == kExitOk);
  return c.out_path();
}

// Checks a command refused an output: exit 2, the message, nothing else written.
void check_refused(const CliResult& r, const std::string& message) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitBadInput);
  CHECK_THAT(r.err, Contains(message));
  CHECK(r.err.size() < 400);
}

// No temporary or partial files: only `allowed` names in the folder.
void check_only(const fs::path& dir, const std::set<std::string>& allowed) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    INFO("left in " << dir << ": " << entry.path().filename());
    CHECK(allowed.contains(entry.path().filename().string()));
  }
}

// A failed write: exit 1 (not a crash), one message naming the output.
void check_write_failed(const CliResult& r, const std::string& output) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == kExitFailure);
  CHECK_THAT(r.err, Contains("ccgrisk: error: cannot write"));
  CHECK_THAT(r.err, Contains(output));
}

// Runs with a file size limit of `bytes`: writes beyond it fail (EFBIG), as
// on a full disk.
std::string size_limit(int bytes) {
  return "prlimit --fsize=" + std::to_string(bytes);
}

}  // namespace

// ============================================== an output never replaces an input

TEST_CASE("output: -o naming an input of the run is refused and the input kept", "[output]") {
  Case c;
  c.write_inputs();
  write_file(c.dir / "t.toml", targets_text(1.0));
  const std::string input = GENERATE(as<std::string>{}, "s.toml", "ccgs.csv", "t.toml");
  const std::string before = read_file(c.dir / input);
  const CliResult r =
      run_cli(command(c, "run", c.dir / input, "--targets " + quote((c.dir / "t.toml").string())));
  check_refused(r, "is the same file as the input");
  CHECK(read_file(c.dir / input) == before);
}

TEST_CASE("output: -o reaching an input by a link or another name is refused", "[output]") {
  Case c;
  c.write_inputs();
  const std::string before = read_file(c.scenario_path());
  fs::create_hard_link(c.scenario_path(), c.dir / "hard.h5");
  fs::create_symlink(c.scenario_path(), c.dir / "soft.h5");
  fs::create_directory(c.dir / "sub");
  for (const fs::path& out :
       {c.dir / "hard.h5", c.dir / "soft.h5", c.dir / "sub" / ".." / kScenarioName}) {
    check_refused(run_cli(command(c, "run", out)), "is the same file as the input");
    CHECK(read_file(c.scenario_path()) == before);
  }
}

TEST_CASE("output: every command refuses to write over its inputs", "[output]") {
  Case c;
  const fs::path results = results_of(c);
  write_file(c.dir / "t.toml", targets_text(1.0));
  const std::string scenario = quote(c.scenario_path().string());
  const std::string targets = quote((c.dir / "t.toml").string());
  const std::vector<std::string> commands = {
      command(c, "sweep", c.scenario_path(),
              "--param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 2"),
      command(c, "breakeven", c.dir / kCsvName, "--param drivers.cip_delivery.mean --p 0.5"),
      command(c, "reverse-stress", c.scenario_path(), "--red 2"),
      "calibrate " + scenario + " --targets " + targets + " -o " + targets + " --quiet",
      "bench " + scenario + " --trials 100 --rounds 1 --threads 1 --json " + scenario,
      "export " + quote(results.string()) + " --xlsx " + quote(results.string()),
  };
  for (const std::string& args : commands) {
    INFO(args);
    check_refused(run_cli(args), "is the same file as the input");
  }
  fs::create_directory(c.dir / "csv");
  fs::create_symlink(results, c.dir / "csv" / "ccg.csv");
  check_refused(
      run_cli("export " + quote(results.string()) + " --csv " + quote((c.dir / "csv").string())),
      "is the same file as the input");
  CHECK(fs::is_symlink(c.dir / "csv" / "ccg.csv"));
}

TEST_CASE("output: a device, FIFO or folder is never replaced", "[output]") {
  Case c;
  c.write_inputs();
  REQUIRE(::mkfifo((c.dir / "fifo").c_str(), 0600) == 0);
  check_refused(run_cli(command(c, "run", c.dir / "fifo")), "is not a regular file");
  CHECK(fs::is_fifo(c.dir / "fifo"));
  check_refused(run_cli(command(c, "run", "/dev/null")), "is not a regular file");
  CHECK(fs::is_character_file("/dev/null"));
  fs::create_directory(c.dir / "folder");
  check_refused(run_cli(command(c, "run", c.dir / "folder")), "is a folder");
  check_only(c.dir.path(), {kScenarioName, kCsvName, "fifo", "folder"});
}

// ==================================== outputs that cannot be written, refused first

TEST_CASE("output: empty, folder-like and overlong names are refused before simulating",
          "[output]") {
  Case c;
  c.write_inputs();
  const std::string many = "--trials 1000000000";  // hours, if it ran
  check_refused(run_cli(command(c, "run", "", many), "timeout 60"), "the output name is empty");
  check_refused(run_cli(command(c, "run", c.dir.path().string() + "/", many), "timeout 60"),
                "names a folder");
  check_refused(run_cli(command(c, "run", c.dir / std::string(300, 'x'), many), "timeout 60"),
                "at most 230");
  check_refused(run_cli(command(c, "run", c.dir / "no" / "out.h5", many), "timeout 60"),
                "does not exist");
  check_only(c.dir.path(), {kScenarioName, kCsvName});
}

TEST_CASE("output: a folder that takes no new files is refused before simulating", "[output]") {
  Case c;
  c.write_inputs();
  const fs::path locked = c.dir / "locked";
  fs::create_directory(locked);
  if (::geteuid() == 0) {
    // Root writes through permissions; a read-only file system stops it.
    const std::string mount = "mount -t tmpfs -o ro,size=64k tmpfs " + quote(locked.string());
    if (std::system((mount + " 2>/dev/null").c_str()) != 0) {
      WARN("running as root without permission to mount: not checked");
      return;
    }
  } else {
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  }
  const CliResult r =
      run_cli(command(c, "run", locked / "out.h5", "--trials 1000000000"), "timeout 60");
  if (::geteuid() == 0) std::system(("umount " + quote(locked.string())).c_str());
  fs::permissions(locked, fs::perms::owner_all);
  check_refused(r, "cannot create files in folder");
  CHECK(fs::is_empty(locked));
}

TEST_CASE("output: report refuses a missing parent folder and creates nothing", "[output]") {
  Case c;
  const fs::path results = results_of(c);
  const fs::path out = c.dir / "no" / "report";
  check_refused(run_cli("report " + quote(results.string()) + " -o " + quote(out.string())),
                "does not exist");
  CHECK_FALSE(fs::exists(c.dir / "no"));
}

// ================================================= a failed write leaves nothing

TEST_CASE("output: a full disk is one clean error and leaves no file", "[output]") {
  Case c;
  c.write_inputs();
  const CliResult r = run_cli(command(c, "run", c.out_path()), size_limit(4096));
  check_write_failed(r, kOutName);
  check_only(c.dir.path(), {kScenarioName, kCsvName});
  const CliResult s =
      run_cli(command(c, "sweep", c.out_path(),
                      "--param drivers.cip_delivery.mean --from 0.5 --to 0.9 --steps 2"),
              size_limit(4096));
  check_write_failed(s, kOutName);
  check_only(c.dir.path(), {kScenarioName, kCsvName});
}

TEST_CASE("output: a full disk keeps the previous results file intact", "[output]") {
  Case c;
  const fs::path results = results_of(c);
  const std::string before = read_file(results);
  check_write_failed(run_cli(command(c, "run", results, "--seed 5"), size_limit(4096)), kOutName);
  CHECK(read_file(results) == before);
  check_only(c.dir.path(), {kScenarioName, kCsvName, kOutName});
}

TEST_CASE("output: report, export, calibrate and bench on a full disk leave nothing", "[output]") {
  Case c;
  const fs::path results = results_of(c);
  write_file(c.dir / "t.toml", targets_text(1.0025, 0.0001));
  const std::string in = quote(results.string()), scenario = quote(c.scenario_path().string());
  const std::set<std::string> inputs = {kScenarioName, kCsvName, kOutName, "t.toml"};
  // matplotlib builds its font cache (in the home folder) on its first
  // import; on a fresh machine that write would hit the limit before the
  // report's own. Built here first, without the limit.
  REQUIRE(std::system("/usr/bin/python3 -c 'import matplotlib.pyplot' > /dev/null 2>&1") == 0);
  check_write_failed(
      run_cli("report " + in + " -o " + quote((c.dir / "rep").string()), size_limit(4096)),
      "index.html");
  check_write_failed(
      run_cli("export " + in + " --csv " + quote((c.dir / "csv").string()), size_limit(200)),
      ".csv");
  check_write_failed(
      run_cli("export " + in + " --xlsx " + quote((c.dir / "x.xlsx").string()), size_limit(2048)),
      "x.xlsx");
  check_write_failed(
      run_cli("calibrate " + scenario + " --targets " + quote((c.dir / "t.toml").string()) +
                  " -o " + quote((c.dir / "cal.toml").string()) + " --allow-unconverged",
              size_limit(100)),
      "cal.toml");
  check_write_failed(run_cli("bench " + scenario + " --trials 100 --rounds 1 --threads 1 --json " +
                                 quote((c.dir / "b.json").string()),
                             size_limit(100)),
                     "b.json");
  check_only(c.dir.path(), inputs);
}

TEST_CASE("output: calibrate that does not converge exits 1 and writes nothing", "[output]") {
  Case c;
  c.write_inputs();
  const fs::path targets = write_file(c.dir / "t.toml", targets_text(1.0025, 0.0001));
  const std::string args = "calibrate " + quote(c.scenario_path().string()) + " --targets " +
                           quote(targets.string()) + " -o " + quote((c.dir / "cal.toml").string());
  const CliResult r = run_cli(args + " --quiet");
  INFO("stderr: " << r.err << "\nstdout: " << r.out);
  CHECK(r.exit_code == kExitFailure);
  CHECK_THAT(r.out, Contains("NOT converged"));
  // The failure is an error message on stderr, as every other.
  CHECK_THAT(r.err, StartsWith("ccgrisk: error: calibrate did not converge in "));
  CHECK_THAT(r.err, Contains("nothing written"));
  CHECK_FALSE(fs::exists(c.dir / "cal.toml"));
  const CliResult kept = run_cli(args + " --quiet --allow-unconverged");
  CHECK(kept.exit_code == kExitOk);
  CHECK_THAT(read_file(c.dir / "cal.toml"), Contains("NOT converged"));
  // Written elsewhere, the calibrated scenario still finds its CCG table.
  TempDir other;
  const CliResult moved =
      run_cli(args.substr(0, args.find(" -o ")) + " -o " + quote((other / "cal.toml").string()) +
              " --quiet --allow-unconverged --trials 100");
  REQUIRE(moved.exit_code == kExitOk);
  // Its header gives the command as run, options included.
  CHECK_THAT(read_file(other / "cal.toml"), Contains(" --trials 100`\n"));
  const CliResult runs = run_cli("run " + quote((other / "cal.toml").string()) +
                                 " --trials 100 --quiet -o " + quote((other / "r.h5").string()));
  INFO("run: " << runs.err);
  CHECK(runs.exit_code == kExitOk);
  // run.trials is not what calibrate runs: refused, pointing at --trials.
  const CliResult set = run_cli(args + " --quiet --set run.trials=500");
  CHECK(set.exit_code == kExitBadInput);
  CHECK_THAT(set.err, Contains("give --trials N"));
}

// ======================================================== signals clean up

namespace {

// Exit status of a child that writes a temporary file (and creates a
// folder) through the library and is then sent `signal` before committing.
int interrupted_child(const fs::path& dir, int signal) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ccgrisk::install_signal_cleanup();
    ccgrisk::OutputFolder folder(dir / "made");
    ccgrisk::TempFile temp(folder.path() / "out.h5");
    temp.write("partial");
    ::kill(::getpid(), signal);
    ::_exit(99);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Exit status and stderr of a forked child that installs the signal
// cleanup and runs `body`, which must end the process (by a signal).
std::pair<int, std::string> in_child(const fs::path& dir, const std::function<void()>& body) {
  const fs::path err = dir / "stderr.txt";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    ccgrisk::install_signal_cleanup();
    body();
    ::_exit(99);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::string message = read_file(err);
  fs::remove(err);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, message};
}

// A child that stages two files (one in a new folder) and is sent `signal`
// while committing them (inside its CommitSection), or with `after`, once
// they are committed.
std::pair<int, std::string> signalled_commit(const fs::path& dir, int signal, bool after) {
  return in_child(dir, [&] {
    ccgrisk::StagedOutputs outputs;
    auto folder = std::make_unique<ccgrisk::OutputFolder>(dir / "tables");
    auto first = std::make_unique<ccgrisk::TempFile>(dir / "book.xlsx");
    auto second = std::make_unique<ccgrisk::TempFile>(folder->path() / "ccg.csv");
    first->write("book");
    second->write("table");
    outputs.add(std::move(folder));
    outputs.add(std::move(first));
    outputs.add(std::move(second));
    if (after) {
      outputs.commit();
      ::kill(::getpid(), signal);
    } else {
      const ccgrisk::CommitSection section;  // as if the signal came between the renames
      ::kill(::getpid(), signal);
      outputs.commit();
    }
  });
}

// The message of a child that defers signals (run --checkpoint), writes a
// checkpoint (`output` false) or an output, and then gets a signal and a
// different one, which exits at once.
std::string message_after_write(const fs::path& dir, bool output) {
  const auto [code, message] = in_child(dir, [&] {
    ccgrisk::defer_signals();
    ccgrisk::write_file_atomically(dir / "written.h5", "bytes", output);
    ::kill(::getpid(), SIGINT);   // recorded
    ::kill(::getpid(), SIGTERM);  // another signal: at once
  });
  CHECK(code == 143);
  fs::remove(dir / "written.h5");
  return message;
}

}  // namespace

TEST_CASE("output: a checkpoint written is not the output: stopped after it, nothing written",
          "[output]") {
  TempDir dir;
  CHECK(message_after_write(dir.path(), false) == "\nccgrisk: interrupted; no output written\n");
  CHECK(message_after_write(dir.path(), true) ==
        "\nccgrisk: interrupted after its output was written (complete)\n");
}

TEST_CASE("output: SIGINT, SIGTERM and SIGHUP remove temporary files and exit 128 + signal",
          "[output]") {
  TempDir dir;
  CHECK(interrupted_child(dir.path(), SIGINT) == 130);
  CHECK(fs::is_empty(dir.path()));
  CHECK(interrupted_child(dir.path(), SIGTERM) == 143);
  CHECK(fs::is_empty(dir.path()));
  // A closed terminal (SIGHUP) once left the temporary file behind.
  CHECK(interrupted_child(dir.path(), SIGHUP) == 129);
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("output: a signal while outputs are renamed waits for the last, and says so",
          "[output]") {
  TempDir dir;
  // Inside the commit: every output is renamed into place, none left half
  // done, and the message does not say "no output written".
  const auto [during, message] = signalled_commit(dir.path(), SIGTERM, false);
  CHECK(during == 143);
  CHECK(message == "\nccgrisk: interrupted after its output was written (complete)\n");
  CHECK(read_file(dir / "book.xlsx") == "book");
  CHECK(read_file(dir / "tables" / "ccg.csv") == "table");
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir.path()))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"book.xlsx", "ccg.csv", "tables"});
  // After the commit the outputs stay, and the message says they are written.
  fs::remove_all(dir / "tables");
  fs::remove(dir / "book.xlsx");
  const auto [later, said] = signalled_commit(dir.path(), SIGINT, true);
  CHECK(later == 130);
  CHECK(said == "\nccgrisk: interrupted after its output was written (complete)\n");
  CHECK(fs::exists(dir / "book.xlsx"));
  CHECK(fs::exists(dir / "tables" / "ccg.csv"));
}

TEST_CASE("output: report stopped by SIGTERM ends its Python too, quietly, and leaves nothing",
          "[output]") {
  Case c;
  const fs::path results = results_of(c);
  const fs::path err = c.dir / "report.err";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    const std::string exe = CCGRISK_EXE, report = (c.dir / "rep").string();
    ::execl(exe.c_str(), exe.c_str(), "report", results.c_str(), "-o", report.c_str(), nullptr);
    ::_exit(127);
  }
  // The report's Python, once ccgrisk has started it.
  const fs::path children =
      "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  long python = 0;
  for (int k = 0; k < 200 && python == 0; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::istringstream(read_file(children)) >> python;
  }
  REQUIRE(python > 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // Python under way
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  // The child once ran on alone, and printed a traceback when its pipe closed.
  bool gone = false;
  for (int k = 0; k < 100 && !gone; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // Exited: no such process, or a zombie its new parent has not reaped.
    const std::string stat = "/proc/" + std::to_string(python) + "/stat";
    const std::string text = fs::exists(stat) ? read_file(stat) : "";
    gone = text.empty() || text.find(") Z ") != std::string::npos;
  }
  CHECK(gone);
  const std::string message = read_file(err);
  CHECK(message == "\nccgrisk: interrupted; no output written\n");
  CHECK_FALSE(fs::exists(c.dir / "rep"));
}

TEST_CASE("output: a run stopped by SIGTERM exits 143 and leaves nothing", "[output]") {
  Case c;
  c.write_inputs();
  const std::string script = quote(CCGRISK_EXE) + " " +
                             command(c, "run", c.out_path(), "--trials 1000000000") +
                             " 2>/dev/null & pid=$!; sleep 1; kill -TERM $pid; wait $pid";
  const int status = std::system(script.c_str());
  CHECK(WEXITSTATUS(status) == 143);
  check_only(c.dir.path(), {kScenarioName, kCsvName});
}
