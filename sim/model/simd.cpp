#include "model/simd.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace ccgrisk {

namespace {

SimdPath initial_path() {
  const char* forced = std::getenv("CCGRISK_SIMD");
  if (forced != nullptr && std::string_view(forced) == "baseline") return SimdPath::kBaseline;
  return simd_supported(SimdPath::kX86_64_V4) ? SimdPath::kX86_64_V4 : SimdPath::kBaseline;
}

std::atomic<SimdPath>& active() {
  static std::atomic<SimdPath> path{initial_path()};
  return path;
}

}  // namespace

bool simd_supported(SimdPath path) {
  if (path == SimdPath::kBaseline) return true;
#if defined(CCGRISK_HAVE_X86_64_V4)
  __builtin_cpu_init();
  return __builtin_cpu_supports("x86-64-v4");
#else
  return false;
#endif
}

SimdPath simd_path() {
  return active().load(std::memory_order_relaxed);
}

void set_simd_path(SimdPath path) {
  if (!simd_supported(path))
    throw std::invalid_argument("this CPU or build cannot run the " + simd_name(path) + " path");
  active().store(path, std::memory_order_relaxed);
}

std::string simd_name(SimdPath path) {
  return path == SimdPath::kX86_64_V4 ? "x86-64-v4" : "baseline";
}

}  // namespace ccgrisk
