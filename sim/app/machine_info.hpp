// What a benchmark ran on: CPU, cores, SIMD support, compiler and build type,
// so timings from different servers can be compared (ccgrisk bench).
#pragma once

#include <string>

namespace ccgrisk {

struct MachineInfo {
  std::string cpu_model;      // /proc/cpuinfo "model name"; "unknown" elsewhere
  int logical_cpus = 0;       // std::thread::hardware_concurrency()
  int available_cpus = 0;     // CPUs this process may run on (sched_getaffinity)
  std::string simd_cpu;       // best of avx512f, avx2, sse4.2 the CPU supports, else "baseline"
  std::string simd_compiled;  // the best the binary was compiled for (__AVX512F__, ...)
  std::string simd_engine;    // the engine loops' build in use: "x86-64-v4" or "baseline"
  std::string compiler;       // e.g. "GCC 12.2.0"
  std::string build_type;     // CMAKE_BUILD_TYPE of the library, e.g. "Release"
};

// Describes the machine this process runs on and how the library was built.
MachineInfo machine_info();

}  // namespace ccgrisk
