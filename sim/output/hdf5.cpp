#include "output/hdf5.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace ccgrisk::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "Handle stores hid_t as std::int64_t");

namespace {

// Datasets of 2+ dimensions above this many elements are deflated.
constexpr std::uint64_t kCompressAbove = 10'000;
constexpr std::uint64_t kChunkElements = 16'384;  // about 128 KiB of doubles
constexpr unsigned kDeflateLevel = 4;

// We report HDF5 failures as exceptions, so stop the library printing its
// error stack to stderr; done once, before the first file is opened.
void silence_hdf5_errors() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

// The innermost (most specific) message on HDF5's error stack, if any.
std::string hdf5_detail() {
  std::string detail;
  const auto keep_last = [](unsigned, const H5E_error2_t* err, void* data) -> herr_t {
    if (err->desc != nullptr && *err->desc != '\0') *static_cast<std::string*>(data) = err->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, keep_last, &detail);
  return detail;
}

[[noreturn]] void fail(std::string_view what, const std::string& where) {
  std::string message = "HDF5: cannot " + std::string(what) + " " + where;
  const std::string detail = hdf5_detail();
  if (!detail.empty()) message += " (" + detail + ")";
  throw std::runtime_error(message);
}

void check(herr_t status, std::string_view what, const std::string& where) {
  if (status < 0) fail(what, where);
}

hid_t check_id(hid_t id, std::string_view what, const std::string& where) {
  if (id < 0) fail(what, where);
  return id;
}

// A handle for a temporary object (dataspace, type, property list, attribute).
Handle own(hid_t id, std::string_view what, const std::string& where) {
  return Handle(check_id(id, what, where), where, "");
}

herr_t close_id(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_FILE:
      return H5Fclose(id);
    case H5I_GROUP:
      return H5Gclose(id);
    case H5I_DATASET:
      return H5Dclose(id);
    case H5I_DATASPACE:
      return H5Sclose(id);
    case H5I_DATATYPE:
      return H5Tclose(id);
    case H5I_ATTR:
      return H5Aclose(id);
    case H5I_GENPROP_LST:
      return H5Pclose(id);
    default:
      return H5Idec_ref(id) < 0 ? -1 : 0;
  }
}

// Most elements one read accepts (2 GiB of doubles), and most bytes of
// strings: a damaged or crafted file cannot make a read allocate without
// bound. Every file ccgrisk writes is far below both.
constexpr std::uint64_t kMaxReadElements = std::uint64_t{1} << 28;
constexpr std::uint64_t kMaxStringBytes = std::uint64_t{1} << 28;

// The number of elements of `dims`, or kMaxReadElements + 1 when larger
// (the product is never allowed to wrap around).
std::uint64_t element_count(const Dims& dims) {
  std::uint64_t n = 1;
  for (std::uint64_t d : dims) {
    if (d != 0 && n > kMaxReadElements / d) return kMaxReadElements + 1;
    n *= d;
  }
  return n;
}

// The element count of `dims` for reading into memory; throws when too large.
std::size_t readable_count(const Dims& dims, const std::string& where) {
  const std::uint64_t n = element_count(dims);
  if (n > kMaxReadElements)
    throw std::runtime_error("HDF5: " + where + " declares more than " +
                             std::to_string(kMaxReadElements) + " elements");
  return static_cast<std::size_t>(n);
}

// Variable-length strings read from datasets are allocated here, within a
// budget, so that declared lengths cannot exhaust memory.
struct StringBudget {
  std::uint64_t left = kMaxStringBytes;
};
void* budget_alloc(std::size_t size, void* info) {
  auto* budget = static_cast<StringBudget*>(info);
  if (size > budget->left) return nullptr;  // HDF5 then fails the read
  budget->left -= size;
  return std::malloc(size);
}
void budget_free(void* p, void*) {
  std::free(p);
}

Dims space_dims(hid_t space, const std::string& where) {
  const int rank = H5Sget_simple_extent_ndims(space);
  check(rank, "get the rank of", where);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), "get the shape of", where);
  return Dims(dims.begin(), dims.end());
}

Handle make_space(const Dims& dims, const std::string& where) {
  if (dims.empty()) return own(H5Screate(H5S_SCALAR), "create a dataspace for", where);
  const std::vector<hsize_t> d(dims.begin(), dims.end());
  return own(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr),
             "create a dataspace for", where);
}

// A variable-length (size 0) or fixed-length UTF-8 / `cset` string type.
Handle string_type(std::size_t size, H5T_cset_t cset, const std::string& where) {
  Handle type = own(H5Tcopy(H5T_C_S1), "copy the string type for", where);
  check(H5Tset_size(type.id(), size == 0 ? H5T_VARIABLE : size), "size the string type for", where);
  check(H5Tset_cset(type.id(), cset), "set the character set for", where);
  if (size != 0) check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "pad the string type", where);
  return type;
}

bool deflate_available() {
  static const bool available = [] {
    unsigned info = 0;
    return H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 && H5Zfilter_avail(H5Z_FILTER_SHUFFLE) > 0 &&
           H5Zget_filter_info(H5Z_FILTER_DEFLATE, &info) >= 0 &&
           (info & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0;
  }();
  return available;
}

// Chunks of whole rows (about kChunkElements each), shuffled and deflated.
Handle make_creation_list(const Dims& dims, const std::string& where) {
  Handle dcpl = own(H5Pcreate(H5P_DATASET_CREATE), "create a property list for", where);
  if (dims.size() < 2 || element_count(dims) <= kCompressAbove || !deflate_available()) return dcpl;
  std::vector<hsize_t> chunk(dims.begin(), dims.end());
  const std::uint64_t row = element_count(dims) / dims[0];  // elements per leading index
  chunk[0] = std::clamp<hsize_t>(kChunkElements / row, 1, dims[0]);
  check(H5Pset_chunk(dcpl.id(), static_cast<int>(chunk.size()), chunk.data()), "chunk", where);
  check(H5Pset_shuffle(dcpl.id()), "set the shuffle filter on", where);
  check(H5Pset_deflate(dcpl.id(), kDeflateLevel), "set the deflate filter on", where);
  return dcpl;
}

struct Payload {
  hid_t file_type;
  hid_t memory_type;
  const void* data;
  std::size_t count;
};

Dataset create_dataset(const Group& loc, std::string_view name, const Payload& payload,
                       const Dims& dims, std::string_view units, std::string_view description) {
  const std::string path = loc.child(name);
  const std::string where = loc.file() + ":" + path;
  if (element_count(dims) != payload.count)
    throw std::runtime_error("HDF5: " + where + ": " + std::to_string(payload.count) +
                             " values do not fill shape " + dims_text(dims));
  const Handle space = make_space(dims, where);
  const Handle dcpl = make_creation_list(dims, where);
  Dataset dataset(check_id(H5Dcreate2(loc.id(), std::string(name).c_str(), payload.file_type,
                                      space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                           "create dataset", where),
                  loc.file(), path);
  if (payload.count > 0)
    check(H5Dwrite(dataset.id(), payload.memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, payload.data),
          "write dataset", where);
  write_attribute(dataset, "units", units);
  write_attribute(dataset, "description", description);
  return dataset;
}

// Pointers to NUL-terminated copies; HDF5 takes variable-length strings as char*.
std::vector<const char*> c_strings(std::span<const std::string> values, const std::string& where) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& s : values) {
    if (s.find('\0') != std::string::npos)
      throw std::runtime_error("HDF5: " + where + ": a string contains a NUL character");
    pointers.push_back(s.c_str());
  }
  return pointers;
}

std::string attribute_label(const Handle& obj, std::string_view name) {
  return obj.label() + " attribute '" + std::string(name) + "'";
}

void create_attribute(const Handle& obj, std::string_view name, const Payload& payload,
                      const Dims& dims) {
  const std::string where = attribute_label(obj, name);
  const std::string attr_name(name);
  const htri_t exists = H5Aexists(obj.id(), attr_name.c_str());
  check(exists, "look up", where);
  if (exists > 0) check(H5Adelete(obj.id(), attr_name.c_str()), "replace", where);
  const Handle space = make_space(dims, where);
  Handle attr = own(H5Acreate2(obj.id(), attr_name.c_str(), payload.file_type, space.id(),
                               H5P_DEFAULT, H5P_DEFAULT),
                    "create", where);
  if (payload.count > 0)
    check(H5Awrite(attr.id(), payload.memory_type, payload.data), "write", where);
  attr.close();
}

template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
}

// Reads `count` strings stored with type `stored` through `read(memory_type,
// buffer, transfer list)`; handles variable- and fixed-length strings.
// Variable-length strings are allocated by budget_alloc when the read uses
// the transfer list (datasets do; attribute reads take none).
using RawRead = std::function<herr_t(hid_t, void*, hid_t)>;
std::vector<std::string> read_strings(hid_t stored, std::size_t count, const RawRead& read,
                                      const std::string& where) {
  if (H5Tget_class(stored) != H5T_STRING)
    throw std::runtime_error("HDF5: " + where + " does not hold strings");
  const htri_t variable = H5Tis_variable_str(stored);
  check(variable, "inspect the string type of", where);
  const H5T_cset_t cset = H5Tget_cset(stored);
  if (cset < 0) fail("get the character set of", where);
  const std::size_t size = variable > 0 ? 0 : H5Tget_size(stored);
  if (size > kMaxStringBytes / std::max<std::size_t>(count, 1))
    throw std::runtime_error("HDF5: " + where + " declares more than " +
                             std::to_string(kMaxStringBytes) + " bytes of strings");
  const Handle memory = string_type(size, cset, where);
  std::vector<std::string> out;
  out.reserve(count);
  if (variable > 0) {
    StringBudget budget;
    const Handle dxpl = own(H5Pcreate(H5P_DATASET_XFER), "create a transfer list for", where);
    check(H5Pset_vlen_mem_manager(dxpl.id(), budget_alloc, &budget, budget_free, nullptr),
          "set the string allocator for", where);
    std::vector<char*> pointers(count, nullptr);
    const herr_t status = read(memory.id(), pointers.data(), dxpl.id());
    for (char* p : pointers) {
      if (status >= 0) out.emplace_back(p != nullptr ? p : "");
      std::free(p);  // budget_alloc's or, for attributes, HDF5's own (malloc)
    }
    check(status, "read strings from", where);
  } else {
    std::vector<char> buffer(count * size);
    check(read(memory.id(), buffer.data(), H5P_DEFAULT), "read strings from", where);
    for (std::size_t i = 0; i < count; ++i)
      out.emplace_back(buffer.data() + i * size, ::strnlen(buffer.data() + i * size, size));
  }
  return out;
}

// An attribute's handle, stored type and shape.
struct OpenAttribute {
  Handle attr;
  Handle type;
  Dims dims;
};

OpenAttribute open_attribute(const Handle& obj, std::string_view name) {
  const std::string where = attribute_label(obj, name);
  OpenAttribute a;
  a.attr = own(H5Aopen(obj.id(), std::string(name).c_str(), H5P_DEFAULT), "open", where);
  a.type = own(H5Aget_type(a.attr.id()), "get the type of", where);
  const Handle space = own(H5Aget_space(a.attr.id()), "get the dataspace of", where);
  a.dims = space_dims(space.id(), where);
  return a;
}

}  // namespace

std::string dims_text(const Dims& dims) {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i)
    s.append(i ? ", " : "").append(std::to_string(dims[i]));
  return s + ")";
}

// ---- Handle -----------------------------------------------------------------

Handle::Handle(std::int64_t id, std::string file, std::string path)
    : id_(id), file_(std::move(file)), path_(std::move(path)) {}

Handle::~Handle() {
  // Closing the file closes its objects too (H5F_CLOSE_STRONG), so an id may
  // already be gone.
  if (id_ >= 0 && H5Iis_valid(id_) > 0) close_id(id_);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      file_(std::move(other.file_)),
      path_(std::move(other.path_)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Handle old(std::move(*this));
    id_ = std::exchange(other.id_, -1);
    file_ = std::move(other.file_);
    path_ = std::move(other.path_);
  }
  return *this;
}

std::string Handle::child(std::string_view name) const {
  if (name.starts_with('/')) return std::string(name);
  if (path_.empty() || path_.ends_with('/')) return path_ + std::string(name);
  return path_ + "/" + std::string(name);
}

void Handle::close() {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, -1);
  check(close_id(id), "close", label());
}

// ---- Dataset ----------------------------------------------------------------

Dims Dataset::dims() const {
  const Handle space = own(H5Dget_space(id()), "get the dataspace of", label());
  return space_dims(space.id(), label());
}

Dataset::Kind Dataset::kind() const {
  const Handle type = own(H5Dget_type(id()), "get the type of", label());
  switch (H5Tget_class(type.id())) {
    case H5T_FLOAT:
      return Kind::Float;
    case H5T_INTEGER:
      return Kind::Integer;
    case H5T_STRING:
      return Kind::String;
    default:
      return Kind::Other;
  }
}

std::size_t Dataset::element_bytes() const {
  const Handle type = own(H5Dget_type(id()), "get the type of", label());
  const htri_t variable = H5Tis_variable_str(type.id());
  check(variable, "inspect the type of", label());
  return variable > 0 ? 0 : H5Tget_size(type.id());
}

// ---- Group and File ---------------------------------------------------------

Group Group::group(std::string_view path) const {
  if (exists(path)) return open_group(path);
  const std::string full = child(path);
  const std::string where = file() + ":" + full;
  const Handle lcpl = own(H5Pcreate(H5P_LINK_CREATE), "create a link property list for", where);
  check(H5Pset_create_intermediate_group(lcpl.id(), 1), "allow parent groups for", where);
  const hid_t gid =
      H5Gcreate2(id(), std::string(path).c_str(), lcpl.id(), H5P_DEFAULT, H5P_DEFAULT);
  return Group(check_id(gid, "create group", where), file(), full);
}

Group Group::open_group(std::string_view path) const {
  const std::string full = child(path);
  const hid_t gid = H5Gopen2(id(), std::string(path).c_str(), H5P_DEFAULT);
  return Group(check_id(gid, "open group", file() + ":" + full), file(), full);
}

Dataset Group::dataset(std::string_view path) const {
  const std::string full = child(path);
  const hid_t did = H5Dopen2(id(), std::string(path).c_str(), H5P_DEFAULT);
  return Dataset(check_id(did, "open dataset", file() + ":" + full), file(), full);
}

Handle Group::object(std::string_view path) const {
  const std::string full = child(path);
  const hid_t oid = H5Oopen(id(), std::string(path).c_str(), H5P_DEFAULT);
  return Handle(check_id(oid, "open object", file() + ":" + full), file(), full);
}

bool Group::exists(std::string_view path) const {
  // H5Lexists fails on a missing parent, so test every prefix in turn.
  std::string prefix = path.starts_with('/') ? "/" : "";
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) {
      if (!prefix.empty() && !prefix.ends_with('/')) prefix += '/';
      prefix += path.substr(start, end - start);
      const htri_t found = H5Lexists(id(), prefix.c_str(), H5P_DEFAULT);
      check(found, "look up", file() + ":" + child(prefix));
      if (found == 0) return false;
    }
    start = end + 1;
  }
  return true;
}

File File::create(const std::filesystem::path& path) {
  silence_hdf5_errors();
  const std::string name = path.string();
  const Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), "create an access list for", name);
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), "set the close degree for", name);
  const hid_t fid = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id());
  return File(check_id(fid, "create file", name), name, "/");
}

File File::create_in_memory(const std::string& name, std::size_t user_block) {
  silence_hdf5_errors();
  constexpr std::size_t kIncrement = std::size_t{1} << 20;  // grows 1 MiB at a time
  const Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), "create an access list for", name);
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), "set the close degree for", name);
  check(H5Pset_fapl_core(fapl.id(), kIncrement, false), "hold in memory", name);
  const Handle fcpl = own(H5Pcreate(H5P_FILE_CREATE), "create a creation list for", name);
  check(H5Pset_userblock(fcpl.id(), user_block), "leave a user block in", name);
  const hid_t fid = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id());
  return File(check_id(fid, "create file", name), name, "/");
}

std::size_t File::user_block() const {
  const Handle fcpl = own(H5Fget_create_plist(id()), "get the creation list of", file());
  hsize_t size = 0;
  check(H5Pget_userblock(fcpl.id(), &size), "get the user block of", file());
  return static_cast<std::size_t>(size);
}

std::vector<unsigned char> File::image() const {
  check(H5Fflush(id(), H5F_SCOPE_LOCAL), "flush file", file());
  // HDF5's image starts at the superblock: the user block comes before it.
  const std::size_t block = user_block();
  const ssize_t size = H5Fget_file_image(id(), nullptr, 0);
  if (size < 0) fail("get the image of", file());
  std::vector<unsigned char> bytes(block + static_cast<std::size_t>(size), 0);
  if (H5Fget_file_image(id(), bytes.data() + block, static_cast<std::size_t>(size)) != size)
    fail("copy the image of", file());
  return bytes;
}

File File::open(const std::filesystem::path& path) {
  silence_hdf5_errors();
  const std::string name = path.string();
  const Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), "create an access list for", name);
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_STRONG), "set the close degree for", name);
  const hid_t fid = H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.id());
  return File(check_id(fid, "open file", name), name, "/");
}

namespace {

// Whether `image` has an HDF5 superblock signature where HDF5 looks for one
// (offset 0, 512, 1024, 2048, ...). HDF5 1.10 leaks memory when asked to open
// an image without one, so such images never reach it.
bool has_hdf5_signature(std::span<const unsigned char> image) {
  static constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  for (std::size_t at = 0; at + sizeof kSignature <= image.size(); at = at == 0 ? 512 : 2 * at)
    if (std::memcmp(image.data() + at, kSignature, sizeof kSignature) == 0) return true;
  return false;
}

}  // namespace

File File::open_image(std::span<const unsigned char> image, const std::string& name) {
  silence_hdf5_errors();
  if (!has_hdf5_signature(image))
    throw std::runtime_error("HDF5: " + name + " has no HDF5 signature");
  // DONT_COPY and DONT_RELEASE: HDF5 reads the caller's buffer in place and
  // never frees it (the image is read-only: no OPEN_RW).
  void* buffer = const_cast<unsigned char*>(image.data());
  const hid_t fid = H5LTopen_file_image(buffer, image.size(),
                                        H5LT_FILE_IMAGE_DONT_COPY | H5LT_FILE_IMAGE_DONT_RELEASE);
  return File(check_id(fid, "open file image", name), name, "/");
}

void File::close() {
  if (!valid()) return;
  check(H5Fflush(id(), H5F_SCOPE_LOCAL), "flush file", file());
  Handle::close();
}

// ---- Writers ----------------------------------------------------------------

Dataset write_dataset(const Group& loc, std::string_view name, std::span<const double> values,
                      const Dims& dims, std::string_view units, std::string_view description) {
  const Payload payload{H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), values.size()};
  return create_dataset(loc, name, payload, dims, units, description);
}

Dataset write_dataset(const Group& loc, std::string_view name, std::span<const std::int64_t> values,
                      const Dims& dims, std::string_view units, std::string_view description) {
  const Payload payload{H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), values.size()};
  return create_dataset(loc, name, payload, dims, units, description);
}

Dataset write_dataset(const Group& loc, std::string_view name, std::span<const std::string> values,
                      const Dims& dims, std::string_view units, std::string_view description) {
  const std::string where = loc.file() + ":" + loc.child(name);
  const Handle type = string_type(0, H5T_CSET_UTF8, where);
  const std::vector<const char*> pointers = c_strings(values, where);
  const Payload payload{type.id(), type.id(), pointers.data(), pointers.size()};
  return create_dataset(loc, name, payload, dims, units, description);
}

void write_attribute(const Handle& obj, std::string_view name, std::string_view value) {
  const std::string text(value);
  const std::vector<const char*> pointer = c_strings({&text, 1}, attribute_label(obj, name));
  const Handle type = string_type(0, H5T_CSET_UTF8, attribute_label(obj, name));
  create_attribute(obj, name, {type.id(), type.id(), pointer.data(), 1}, {});
}

void write_attribute(const Handle& obj, std::string_view name, double value) {
  create_attribute(obj, name, {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, 1}, {});
}

void write_attribute(const Handle& obj, std::string_view name, std::int64_t value) {
  create_attribute(obj, name, {H5T_STD_I64LE, H5T_NATIVE_INT64, &value, 1}, {});
}

void write_attribute(const Handle& obj, std::string_view name, std::uint64_t value) {
  create_attribute(obj, name, {H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, 1}, {});
}

void write_attribute(const Handle& obj, std::string_view name, std::span<const double> values) {
  create_attribute(obj, name, {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), values.size()},
                   {values.size()});
}

void write_attribute(const Handle& obj, std::string_view name,
                     std::span<const std::int32_t> values) {
  create_attribute(obj, name, {H5T_STD_I32LE, H5T_NATIVE_INT32, values.data(), values.size()},
                   {values.size()});
}

// ---- Readers ----------------------------------------------------------------

template <class T>
Array<T> read_dataset(const Group& loc, std::string_view path) {
  return read_dataset<T>(loc.dataset(path));
}

template <class T>
Array<T> read_dataset(const Dataset& dataset) {
  Array<T> out{{}, dataset.dims()};
  const std::size_t count = readable_count(out.dims, dataset.label());
  if constexpr (std::is_same_v<T, std::string>) {
    const Handle type = own(H5Dget_type(dataset.id()), "get the type of", dataset.label());
    const RawRead read = [&](hid_t memory, void* buffer, hid_t dxpl) {
      return H5Dread(dataset.id(), memory, H5S_ALL, H5S_ALL, dxpl, buffer);
    };
    out.values = read_strings(type.id(), count, read, dataset.label());
  } else {
    out.values.resize(count);
    if (count > 0)
      check(
          H5Dread(dataset.id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()),
          "read dataset", dataset.label());
  }
  return out;
}

template Array<double> read_dataset<double>(const Group&, std::string_view);
template Array<std::int64_t> read_dataset<std::int64_t>(const Group&, std::string_view);
template Array<std::string> read_dataset<std::string>(const Group&, std::string_view);
template Array<double> read_dataset<double>(const Dataset&);
template Array<std::int64_t> read_dataset<std::int64_t>(const Dataset&);
template Array<std::string> read_dataset<std::string>(const Dataset&);

bool has_attribute(const Handle& obj, std::string_view name) {
  const htri_t exists = H5Aexists(obj.id(), std::string(name).c_str());
  check(exists, "look up", attribute_label(obj, name));
  return exists > 0;
}

template <class T>
std::vector<T> read_attribute(const Handle& obj, std::string_view name) {
  const OpenAttribute a = open_attribute(obj, name);
  std::vector<T> values(readable_count(a.dims, attribute_label(obj, name)));
  if (!values.empty())
    check(H5Aread(a.attr.id(), native_type<T>(), values.data()), "read",
          attribute_label(obj, name));
  return values;
}

template std::vector<double> read_attribute<double>(const Handle&, std::string_view);
template std::vector<std::int32_t> read_attribute<std::int32_t>(const Handle&, std::string_view);
template std::vector<std::int64_t> read_attribute<std::int64_t>(const Handle&, std::string_view);
template std::vector<std::uint64_t> read_attribute<std::uint64_t>(const Handle&, std::string_view);

std::string read_string_attribute(const Handle& obj, std::string_view name) {
  const std::string where = attribute_label(obj, name);
  const OpenAttribute a = open_attribute(obj, name);
  if (element_count(a.dims) != 1) throw std::runtime_error("HDF5: " + where + " is not one string");
  const RawRead read = [&](hid_t memory, void* buffer, hid_t) {
    return H5Aread(a.attr.id(), memory, buffer);
  };
  return read_strings(a.type.id(), 1, read, where).front();
}

void copy_attributes(const Handle& from, const Handle& to) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  check(H5Aiterate2(from.id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names),
        "list the attributes of", from.label());
  for (const std::string& name : names) {
    const OpenAttribute a = open_attribute(from, name);
    if (H5Tget_class(a.type.id()) == H5T_STRING && element_count(a.dims) == 1) {
      write_attribute(to, name, read_string_attribute(from, name));
      continue;
    }
    const std::string where = attribute_label(from, name);
    if (H5Tget_class(a.type.id()) == H5T_STRING || H5Tis_variable_str(a.type.id()) > 0)
      throw std::runtime_error("HDF5: " + where + ": cannot copy an array of strings");
    const Handle native =
        own(H5Tget_native_type(a.type.id(), H5T_DIR_ASCEND), "get the native type of", where);
    const std::size_t bytes = H5Tget_size(native.id()) * readable_count(a.dims, where);
    std::vector<unsigned char> buffer(bytes);
    if (bytes > 0) check(H5Aread(a.attr.id(), native.id(), buffer.data()), "read", where);
    const Payload payload{a.type.id(), native.id(), buffer.data(), element_count(a.dims)};
    create_attribute(to, name, payload, a.dims);
  }
}

// ---- Listing and dimension scales --------------------------------------------

namespace {

// The name of link `index` (name order) of `loc`.
std::string link_name(const Group& loc, hsize_t index) {
  const auto get = [&](char* buffer, std::size_t size) {
    const ssize_t length = H5Lget_name_by_idx(loc.id(), ".", H5_INDEX_NAME, H5_ITER_INC, index,
                                              buffer, size, H5P_DEFAULT);
    if (length < 0) fail("list the members of", loc.label());
    return static_cast<std::size_t>(length);
  };
  std::string name(get(nullptr, 0), '\0');
  get(name.data(), name.size() + 1);  // also writes the terminating NUL
  return name;
}

}  // namespace

Members list_members(const Group& loc) {
  H5G_info_t info{};
  check(H5Gget_info(loc.id(), &info), "list the members of", loc.label());
  Members members;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    std::string name = link_name(loc, i);
    const H5I_type_t type = H5Iget_type(loc.object(name).id());
    if (type == H5I_GROUP)
      members.groups.push_back(std::move(name));
    else if (type == H5I_DATASET)
      members.datasets.push_back(std::move(name));
  }
  return members;
}

void set_dimension_scale(const Dataset& scale, std::string_view name) {
  check(H5DSset_scale(scale.id(), std::string(name).c_str()), "make a dimension scale of",
        scale.label());
}

void attach_dimension_scale(const Dataset& data, const Dataset& scale, unsigned axis) {
  const htri_t attached = H5DSis_attached(data.id(), scale.id(), axis);
  check(attached, "look up the dimension scales of", data.label());
  if (attached > 0) return;
  check(H5DSattach_scale(data.id(), scale.id(), axis),
        std::string("attach dimension scale ").append(scale.path()).append(" to"), data.label());
}

bool is_dimension_scale(const Dataset& dataset) {
  const htri_t scale = H5DSis_scale(dataset.id());
  check(scale, "inspect", dataset.label());
  return scale > 0;
}

int dimension_scale_count(const Dataset& data, unsigned axis) {
  const int count = H5DSget_num_scales(data.id(), axis);
  check(count, "count the dimension scales of", data.label());
  return count;
}

}  // namespace ccgrisk::h5
