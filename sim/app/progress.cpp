#include "app/progress.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/comm.hpp"

namespace ccgrisk {

namespace {

constexpr int kBarWidth = 30;

void draw(std::int64_t done, std::int64_t total, double elapsed) {
  const double share = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(share * kBarWidth);
  const std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
  const double eta = share > 0 ? elapsed * (1.0 - share) / share : 0.0;
  std::fprintf(stderr, "\r[%s] %3.0f%%  %lld/%lld trials  ETA %.0f s   ", bar.c_str(),
               100.0 * share, static_cast<long long>(done), static_cast<long long>(total), eta);
  std::fflush(stderr);
}

}  // namespace

ProgressBar::ProgressBar(const std::atomic<std::int64_t>& done, std::int64_t total, bool enabled)
    : done_(done), total_(total) {
  // Under MPI only rank 0 draws (its counter covers the job).
  if (enabled && ::isatty(STDERR_FILENO) && Comm::world().rank() == 0)
    thread_ = std::thread([this] { loop(); });
}

ProgressBar::~ProgressBar() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (drawn_) std::fprintf(stderr, "\r%*s\r", kBarWidth + 50, "");
}

void ProgressBar::loop() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed < 1.0 || stop_) continue;
    draw(done_.load(), total_, elapsed);
    drawn_ = true;
  }
}

}  // namespace ccgrisk
