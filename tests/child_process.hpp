// A ccgrisk process run in the background (to be killed or signalled), and
// waiting for the checkpoints it writes: for the tests that interrupt runs
// (test_checkpoint, test_horizon). Needs CCGRISK_EXE and Catch2.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "input/error.hpp"
#include "output/checkpoint_file.hpp"
#include "support.hpp"

namespace ccgrisk::test {

// ccgrisk started in the background with `args`, its output to files in `dir`.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::filesystem::path& dir) {
    std::vector<std::string> all = {CCGRISK_EXE};
    all.insert(all.end(), args.begin(), args.end());
    const std::string out = (dir / "child.out").string(), err = (dir / "child.err").string();
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      std::vector<char*> argv;
      for (std::string& a : all)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void signal(int sig) const { ::kill(pid_, sig); }
  bool running() const {
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;  // never reaps: callers wait() after
  }
  // The exit code, or 128 + signal.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

// Trials done in the checkpoint at `path`, or -1 while there is none.
inline std::int64_t checkpoint_position(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return -1;
  try {
    return read_checkpoint(path).state.done;
  } catch (const InputError&) {
    return -1;
  }
}

// Waits until the checkpoint at `path` is past `after` trials (or 60 s).
inline std::int64_t wait_for_checkpoint(const std::filesystem::path& path, std::int64_t after) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    const std::int64_t at = checkpoint_position(path);
    if (at > after) return at;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

// `args` as one command line, each quoted.
inline std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args)
    s.append(s.empty() ? "" : " ").append(quote(a));
  return s;
}

}  // namespace ccgrisk::test
