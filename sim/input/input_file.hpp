// Reading an input file (scenario, CCG table, targets) whole, with one set of
// checks and messages.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "input/limits.hpp"

namespace ccgrisk {

// The bytes of the input file `path`; `what` names it in messages ("the
// scenario file"). Throws InputError naming the path when it does not exist,
// is not a regular file (a folder, a device), cannot be read, or is larger
// than `max_bytes`.
std::string read_input_file(const std::filesystem::path& path, std::string_view what,
                            std::size_t max_bytes = limits::kMaxInputBytes);

}  // namespace ccgrisk
