// A progress bar with ETA on stderr, drawn by a background thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace ccgrisk {

// Draws "[#####.....]  45%  90,000/200,000 trials  ETA 3 s" on stderr while
// alive, starting only once the run has taken a second, and only when
// `enabled` (not --quiet) and stderr is a terminal. Erases itself when done.
class ProgressBar {
 public:
  ProgressBar(const std::atomic<std::int64_t>& done, std::int64_t total, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

 private:
  void loop();

  const std::atomic<std::int64_t>& done_;
  std::int64_t total_;
  std::atomic<bool> stop_{false};
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace ccgrisk
