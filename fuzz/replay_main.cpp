// Replays inputs through a fuzz target's harness without libFuzzer, for
// CTest: `fuzz_X_replay PATH...`, each PATH a file or a folder whose files
// (not dot files) run in name order. Exits 1 if any input lets an exception
// other than InputError escape or takes the process over 2 GiB, and at once
// if one runs over 10 s (make fuzz's -rss_limit_mb and -timeout); a crash
// ends the process, as it should.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

constexpr long kRssLimitMb = 2048;
constexpr unsigned kTimeoutSeconds = 10;

// The input running now, named by the timeout handler.
std::string current_input;

// SIGALRM: a hang would otherwise hold CTest until its own timeout. Only
// async-signal-safe calls here.
extern "C" void on_timeout(int) {
  constexpr std::string_view kMessage = ": timed out (over 10 s)\n";
  [[maybe_unused]] ssize_t n = write(2, current_input.data(), current_input.size());
  n = write(2, kMessage.data(), kMessage.size());
  _exit(1);
}

// The process's peak resident set so far, MiB.
long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// The files to replay: `path` itself, or its folder's files sorted by name.
std::vector<fs::path> inputs_in(const fs::path& path) {
  if (!fs::is_directory(path)) return {path};
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(path))
    if (e.is_regular_file() && !e.path().filename().string().starts_with('.'))
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Runs one input; false (with the reason on stderr) if it was a finding.
bool replay(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << file.string() << ": cannot read\n";
    return false;
  }
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  std::cout << "replaying " << file.string() << " (" << bytes.size() << " bytes)" << std::endl;
  const bool under_limit_before = peak_rss_mb() <= kRssLimitMb;
  current_input = file.string();
  alarm(kTimeoutSeconds);
  try {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  } catch (const std::exception& e) {
    alarm(0);
    std::cerr << file.string() << ": uncaught exception: " << e.what() << "\n";
    return false;
  }
  alarm(0);
  // The peak only grows: blame the input that first crossed the limit.
  if (under_limit_before && peak_rss_mb() > kRssLimitMb) {
    std::cerr << file.string() << ": peak memory " << peak_rss_mb() << " MiB, over the "
              << kRssLimitMb << " MiB limit\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGALRM, on_timeout);
  int replayed = 0, failed = 0;
  for (int i = 1; i < argc; ++i)
    for (const fs::path& file : inputs_in(argv[i])) {
      ++replayed;
      failed += !replay(file);
    }
  std::cout << replayed << " inputs replayed, " << failed << " failed" << std::endl;
  return failed == 0 ? 0 : 1;
}
