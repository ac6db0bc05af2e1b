#include "input/input_file.hpp"

#include <fstream>
#include <iterator>

#include "input/error.hpp"

namespace ccgrisk {

namespace fs = std::filesystem;

std::string read_input_file(const fs::path& path, std::string_view what, std::size_t max_bytes) {
  const std::string where = path.string() + ": cannot open " + std::string(what);
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) throw InputError(where + " (no such file)");
  if (!fs::is_regular_file(st)) throw InputError(where + " (not a regular file)");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes)
    throw InputError(path.string() + ": " + std::string(what) + " is " + std::to_string(size) +
                     " bytes; at most " + std::to_string(max_bytes) + " are accepted");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(where + " (not readable)");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path.string() + ": cannot read " + std::string(what));
  if (bytes.size() > max_bytes)  // it grew while being read
    throw InputError(path.string() + ": " + std::string(what) + " is larger than " +
                     std::to_string(max_bytes) + " bytes");
  return bytes;
}

}  // namespace ccgrisk
