// Which instruction set the engine's vectorised loops use.
//
// The per-CCG loops of a trial (and the statistics update) are compiled
// twice: for the x86-64 baseline (SSE2) and for x86-64-v4 (AVX-512). The
// program picks the best the CPU supports when it starts; the environment
// variable CCGRISK_SIMD=baseline (or x86-64-v4) chooses one, for comparison.
// Both do the same IEEE-754 operations in the same order (the build never
// contracts a * b + c into an FMA), so they give bit-identical results; a
// test runs both and compares.
#pragma once

#include <string>

namespace ccgrisk {

enum class SimdPath { kBaseline, kX86_64_V4 };

// The path in use.
SimdPath simd_path();
// Whether this CPU (and this build) can run `path`.
bool simd_supported(SimdPath path);
// Selects `path` for every later trial; throws std::invalid_argument when
// it is not supported. Not meant to be called while trials run.
void set_simd_path(SimdPath path);
// "baseline" or "x86-64-v4".
std::string simd_name(SimdPath path);

// Marks the x86-64-v4 build of a loop (define the body once, always_inline,
// and call it from one function with this attribute and one without).
#if defined(CCGRISK_HAVE_X86_64_V4)
#define CCGRISK_TARGET_X86_64_V4 [[gnu::target("arch=x86-64-v4")]]
#else
#define CCGRISK_TARGET_X86_64_V4
#endif

}  // namespace ccgrisk
