#include "app/machine_info.hpp"

#include <sched.h>

#include <fstream>
#include <thread>

#include "model/simd.hpp"

#ifndef CCGRISK_BUILD_TYPE
#define CCGRISK_BUILD_TYPE ""
#endif

namespace ccgrisk {

namespace {

// The first "model name" line of /proc/cpuinfo (x86 and most ARM kernels).
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}

// What the CPU running us supports, asked at run time.
std::string simd_cpu() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2")) return "avx2";
  if (__builtin_cpu_supports("sse4.2")) return "sse4.2";
#endif
  return "baseline";
}

// What the compiler was allowed to emit (-march/-m flags of this build).
std::string simd_compiled() {
#if defined(__AVX512F__)
  return "avx512f";
#elif defined(__AVX2__)
  return "avx2";
#elif defined(__SSE4_2__)
  return "sse4.2";
#elif defined(__x86_64__)
  return "sse2 (x86-64 baseline)";
#else
  return "baseline";
#endif
}

std::string compiler() {
#if defined(__clang__)
  return std::string("Clang ").append(__clang_version__);
#elif defined(__GNUC__)
  return std::string("GCC ").append(__VERSION__);
#else
  return __VERSION__;
#endif
}

}  // namespace

MachineInfo machine_info() {
  MachineInfo m;
  m.cpu_model = cpu_model();
  m.logical_cpus = static_cast<int>(std::thread::hardware_concurrency());
  m.available_cpus = available_cpus();
  m.simd_cpu = simd_cpu();
  m.simd_compiled = simd_compiled();
  m.simd_engine = simd_name(simd_path());
  m.compiler = compiler();
  m.build_type = *CCGRISK_BUILD_TYPE ? CCGRISK_BUILD_TYPE : "unknown";
  return m;
}

}  // namespace ccgrisk
