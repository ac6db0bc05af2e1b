#include "model/random.hpp"

namespace ccgrisk {

// The draws the inline path does not take: Boost redoes them from the word
// put back, so the value and the words consumed are Boost's own.
double standard_normal_slow(TrialStream& stream) {
  return boost::random::normal_distribution<double>()(stream);
}

void fill_normals(TrialStream& stream, double sign, double* out, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k)
    out[k] = sign * standard_normal(stream);
}

}  // namespace ccgrisk
