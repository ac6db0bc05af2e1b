// A small RAII layer over the HDF5 C API: move-only handles closed by their
// destructors, every status checked (std::runtime_error naming the file and
// object path), and one-line typed writers and readers. Nothing outside this
// layer touches a raw hid_t. HDF5 here is the serial library: use it from one
// thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk::h5 {

// Dataset dimensions, slowest first; {} is a scalar (one element, shape ()).
using Dims = std::vector<std::uint64_t>;

// A shape as messages show it: "(3, 211)".
std::string dims_text(const Dims& dims);

// Owns one HDF5 identifier (file, group, dataset, ...). The destructor
// closes it with the close call its kind needs and never throws; close()
// does the same but throws on failure. `label()` is "file.h5:/path" for
// error messages.
class Handle {
 public:
  Handle() = default;
  Handle(std::int64_t id, std::string file, std::string path);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  bool valid() const { return id_ >= 0; }
  std::int64_t id() const { return id_; }  // the raw hid_t, for this layer's use
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }  // HDF5 path, "/" for a file
  std::string label() const { return path_.empty() ? file_ : file_ + ":" + path_; }
  std::string child(std::string_view name) const;  // path of `name` relative to this
  void close();

 private:
  std::int64_t id_ = -1;
  std::string file_;
  std::string path_;
};

class Dataset : public Handle {
 public:
  using Handle::Handle;
  enum class Kind { Float, Integer, String, Other };
  Dims dims() const;
  Kind kind() const;
  std::size_t element_bytes() const;  // 0 for variable-length strings
};

// A group, or (through File) a file's root group.
class Group : public Handle {
 public:
  using Handle::Handle;
  Group group(std::string_view path) const;       // opens, creating it (and parents) if missing
  Group open_group(std::string_view path) const;  // opens an existing group
  Dataset dataset(std::string_view path) const;   // opens an existing dataset
  Handle object(std::string_view path) const;     // opens any existing object
  bool exists(std::string_view path) const;       // every link on the way exists
};

class File : public Group {
 public:
  using Group::Group;
  static File create(const std::filesystem::path& path);  // truncates an existing file
  // A new file held in memory only (HDF5's core driver, no backing store);
  // image() gives its bytes, to be written out by the caller. `name` labels
  // it in messages.
  // `user_block`: bytes left free at the start of the file (0, or a power
  // of two >= 512), for the caller to fill: image() starts with that many
  // zero bytes.
  static File create_in_memory(const std::string& name, std::size_t user_block = 0);
  static File open(const std::filesystem::path& path);  // read-only
  // Read-only, from a file image in memory that outlives the File; `name`
  // labels it in messages.
  static File open_image(std::span<const unsigned char> image, const std::string& name);
  void close();  // flushes and closes; objects still open are closed with it
  std::vector<unsigned char> image() const;  // the whole file as it stands, flushed
  std::size_t user_block() const;
};

// Writers. `dims` must multiply out to the number of values; datasets of two
// or more dimensions and over 10k elements are chunked and deflated (with
// shuffle) when the filter is available. Each dataset gets a `units`
// attribute ("GBP thousands", "probability", "count", "1") and a one-line
// `description`. Strings are variable-length UTF-8 (h5py: `.asstr()[()]`).
Dataset write_dataset(const Group& loc, std::string_view name, std::span<const double> values,
                      const Dims& dims, std::string_view units, std::string_view description);
Dataset write_dataset(const Group& loc, std::string_view name, std::span<const std::int64_t> values,
                      const Dims& dims, std::string_view units, std::string_view description);
Dataset write_dataset(const Group& loc, std::string_view name, std::span<const std::string> values,
                      const Dims& dims, std::string_view units, std::string_view description);

// Attributes on a file (root group), group or dataset; an existing attribute
// of the same name is replaced. Pass integers as the exact type wanted.
void write_attribute(const Handle& obj, std::string_view name, std::string_view value);
void write_attribute(const Handle& obj, std::string_view name, double value);
void write_attribute(const Handle& obj, std::string_view name, std::int64_t value);
void write_attribute(const Handle& obj, std::string_view name, std::uint64_t value);
void write_attribute(const Handle& obj, std::string_view name, std::span<const double> values);
void write_attribute(const Handle& obj, std::string_view name,
                     std::span<const std::int32_t> values);

// Readers. Numbers convert to T as HDF5 converts them; strings may be
// variable- or fixed-length.
template <class T>
struct Array {
  std::vector<T> values;  // row-major
  Dims dims;
};
// Throws std::runtime_error for more than 2^28 elements, or 2^28 bytes of
// strings (no file ccgrisk writes comes near), whatever the file declares.
template <class T>  // T: double, std::int64_t or std::string
Array<T> read_dataset(const Group& loc, std::string_view path);
template <class T>
Array<T> read_dataset(const Dataset& dataset);

bool has_attribute(const Handle& obj, std::string_view name);
// Every attribute of `from` written on `to` (same names, types and shapes;
// an existing one of the same name is replaced).
void copy_attributes(const Handle& from, const Handle& to);
template <class T>  // T: double, std::int32_t, std::int64_t or std::uint64_t
std::vector<T> read_attribute(const Handle& obj, std::string_view name);
std::string read_string_attribute(const Handle& obj, std::string_view name);

// Links directly under `loc`, by kind, in name order.
struct Members {
  std::vector<std::string> groups;
  std::vector<std::string> datasets;
};
Members list_members(const Group& loc);

// Dimension scales (HDF5 H5DS, read by netCDF-4, h5netcdf and xarray as
// named dimensions). set_dimension_scale makes `scale` the scale of the
// dimension `name`; attach_dimension_scale labels axis `axis` of `data` with
// it; dimension_scale_count says how many scales label that axis.
void set_dimension_scale(const Dataset& scale, std::string_view name);
void attach_dimension_scale(const Dataset& data, const Dataset& scale, unsigned axis);
bool is_dimension_scale(const Dataset& dataset);
int dimension_scale_count(const Dataset& data, unsigned axis);

}  // namespace ccgrisk::h5
