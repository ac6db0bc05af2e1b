// SHA-256 (FIPS 180-4), for provenance hashes of input files.
#pragma once

#include <string>
#include <string_view>

namespace ccgrisk {

// Lower-case hex digest of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace ccgrisk
