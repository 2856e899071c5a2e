#include "output/h5.h"

#include <hdf5_hl.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cradle::h5 {
namespace {

herr_t close_id(hid_t id, Kind kind) {
  switch (kind) {
    case Kind::file: return H5Fclose(id);
    case Kind::group: return H5Gclose(id);
    case Kind::dataset: return H5Dclose(id);
    case Kind::dataspace: return H5Sclose(id);
    case Kind::datatype: return H5Tclose(id);
    case Kind::attribute: return H5Aclose(id);
    case Kind::plist: return H5Pclose(id);
  }
  return -1;
}

// Every failure funnels through here so messages share one shape and carry
// HDF5's own reason, which is otherwise lost with automatic printing off.
[[noreturn]] void fail(const std::string& what) {
  std::string reason = take_error_text();
  throw std::runtime_error("HDF5: " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

Handle own(hid_t id, Kind kind, const std::string& path, const std::string& action) {
  if (id < 0) fail("cannot " + action + " '" + path + "'");
  return Handle(id, kind, path);
}

std::string child_path(const Handle& parent, const std::string& name) {
  if (!name.empty() && name.front() == '/') return name;
  if (parent.kind() == Kind::file || parent.path() == "/") return "/" + name;
  return parent.path() + "/" + name;
}

// Variable-length UTF-8 strings: h5py and netCDF readers return these as
// native text, where fixed-length or ASCII strings come back as bytes.
Handle utf8_string_type() {
  Handle type = own(H5Tcopy(H5T_C_S1), Kind::datatype, "string type", "copy");
  check(H5Tset_size(type.id(), H5T_VARIABLE), "cannot make the string type variable-length");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "cannot set the string type to UTF-8");
  return type;
}

Handle simple_space(const std::vector<hsize_t>& dims, const std::string& path) {
  if (dims.empty()) return own(H5Screate(H5S_SCALAR), Kind::dataspace, path, "create scalar dataspace for");
  return own(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), Kind::dataspace, path,
             "create dataspace for");
}

template <class T>
Handle write_numeric(const Handle& parent, const std::string& name, const std::vector<T>& data,
                     const std::vector<hsize_t>& dims, hid_t file_type, hid_t memory_type) {
  const std::string path = child_path(parent, name);
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  if (count != data.size()) {
    throw std::runtime_error("HDF5: dataset '" + path + "' has " + std::to_string(data.size()) +
                             " values but its shape holds " + std::to_string(count));
  }
  Handle space = simple_space(dims, path);
  Handle dataset =
      own(H5Dcreate2(parent.id(), name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          Kind::dataset, path, "create dataset");
  // HDF5 refuses a null buffer even for zero elements, so skip the empty write.
  if (count > 0) {
    check(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()),
          "cannot write dataset '" + path + "'");
  }
  return dataset;
}

Handle create_attribute(const Handle& object, const std::string& name, hid_t type, const Handle& space) {
  const std::string path = object.path() + "@" + name;
  return own(H5Acreate2(object.id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT), Kind::attribute, path,
             "create attribute");
}

template <class T>
void write_scalar_attribute(const Handle& object, const std::string& name, T value, hid_t file_type,
                            hid_t memory_type) {
  Handle space =
      own(H5Screate(H5S_SCALAR), Kind::dataspace, object.path() + "@" + name, "create dataspace for attribute");
  Handle attribute = create_attribute(object, name, file_type, space);
  check(H5Awrite(attribute.id(), memory_type, &value), "cannot write attribute '" + attribute.path() + "'");
}

// Creation order makes h5py (and so xarray) list members in the order the
// writer chose rather than alphabetically.
Handle ordered_group_plist(hid_t plist_class, const std::string& path) {
  Handle plist = own(H5Pcreate(plist_class), Kind::plist, path, "create property list for");
  check(H5Pset_link_creation_order(plist.id(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "cannot set link creation order for '" + path + "'");
  return plist;
}

}  // namespace

Handle::Handle(hid_t id, Kind kind, std::string path) : id_(id), kind_(kind), path_(std::move(path)) {
  if (id_ < 0) throw std::runtime_error("HDF5: invalid identifier for '" + path_ + "'");
}

Handle::~Handle() {
  // Destructors must not throw; callers who need to see a failed close call close().
  if (id_ >= 0) close_id(id_, kind_);
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), kind_(other.kind_), path_(std::move(other.path_)) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) close_id(id_, kind_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    kind_ = other.kind_;
    path_ = std::move(other.path_);
  }
  return *this;
}

void Handle::close() {
  if (id_ < 0) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  check(close_id(id, kind_), "cannot close '" + path_ + "'");
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string take_error_text() {
  std::string text;
  // Walking upward starts at the innermost frame, where the specific cause
  // (errno text, "name already exists", ...) is recorded.
  auto visit = [](unsigned n, const H5E_error2_t* error, void* data) -> herr_t {
    if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &text);
  H5Eclear2(H5E_DEFAULT);
  return text;
}

Handle create_file(const std::filesystem::path& path) {
  silence_errors();
  const std::string name = path.string();
  Handle fcpl = ordered_group_plist(H5P_FILE_CREATE, name);
  // SEMI close degree: closing the file fails while any object in it is
  // still open, so a forgotten handle cannot leave a half-flushed file that
  // the caller then believes complete.
  Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), Kind::plist, name, "create access property list for");
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_SEMI), "cannot set close degree for '" + name + "'");
  return own(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), Kind::file, name, "create file");
}

namespace {

Handle memory_access(const std::string& name) {
  Handle fapl = own(H5Pcreate(H5P_FILE_ACCESS), Kind::plist, name, "create access property list for");
  check(H5Pset_fclose_degree(fapl.id(), H5F_CLOSE_SEMI), "cannot set close degree for '" + name + "'");
  check(H5Pset_fapl_core(fapl.id(), std::size_t{1} << 20, false), "cannot hold '" + name + "' in memory");
  return fapl;
}

}  // namespace

Handle create_memory_file(const std::string& name) {
  silence_errors();
  Handle fcpl = ordered_group_plist(H5P_FILE_CREATE, name);
  Handle fapl = memory_access(name);
  return own(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), Kind::file, name, "create file");
}

Handle open_memory_copy(const std::filesystem::path& path) {
  silence_errors();
  const std::string name = path.string();
  Handle fapl = memory_access(name);
  return own(H5Fopen(name.c_str(), H5F_ACC_RDWR, fapl.id()), Kind::file, name, "open file");
}

std::vector<unsigned char> file_image(const Handle& file) {
  check(H5Fflush(file.id(), H5F_SCOPE_GLOBAL), "cannot flush '" + file.path() + "'");
  const ssize_t size = H5Fget_file_image(file.id(), nullptr, 0);
  if (size < 0) fail("cannot take the image of '" + file.path() + "'");
  std::vector<unsigned char> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file.id(), image.data(), image.size()) != size) fail("cannot take the image of '" + file.path() + "'");
  return image;
}

Handle open_file(const std::filesystem::path& path) {
  silence_errors();
  const std::string name = path.string();
  return own(H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), Kind::file, name, "open file");
}

Handle create_group(const Handle& parent, const std::string& name) {
  const std::string path = child_path(parent, name);
  Handle gcpl = ordered_group_plist(H5P_GROUP_CREATE, path);
  return own(H5Gcreate2(parent.id(), name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), Kind::group, path,
             "create group");
}

Handle open_group(const Handle& parent, const std::string& name) {
  return own(H5Gopen2(parent.id(), name.c_str(), H5P_DEFAULT), Kind::group, child_path(parent, name), "open group");
}

Handle open_dataset(const Handle& parent, const std::string& name) {
  return own(H5Dopen2(parent.id(), name.c_str(), H5P_DEFAULT), Kind::dataset, child_path(parent, name), "open dataset");
}

Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<std::int64_t>& data,
                     const std::vector<hsize_t>& dims) {
  return write_numeric(parent, name, data, dims, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<double>& data,
                     const std::vector<hsize_t>& dims) {
  return write_numeric(parent, name, data, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<std::int32_t>& data,
                     const std::vector<hsize_t>& dims) {
  return write_numeric(parent, name, data, dims, H5T_STD_I32LE, H5T_NATIVE_INT32);
}

Handle write_strings(const Handle& parent, const std::string& name, const std::vector<std::string>& values) {
  const std::string path = child_path(parent, name);
  Handle type = utf8_string_type();
  Handle space = simple_space({static_cast<hsize_t>(values.size())}, path);
  Handle dataset =
      own(H5Dcreate2(parent.id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
          Kind::dataset, path, "create dataset");
  if (!values.empty()) {
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const std::string& value : values) pointers.push_back(value.c_str());
    // A conversion buffer for these strings alone: by default HDF5 takes 1 MiB and zeroes
    // a background buffer as large for each write of variable-length strings, which was
    // most of the time of writing a small run's results. Room for every element in either
    // form (a pointer in memory, a heap reference of at most 16 bytes in the file).
    Handle transfer = own(H5Pcreate(H5P_DATASET_XFER), Kind::plist, path, "create transfer property list for");
    const std::size_t per_element = 2 * std::max<std::size_t>(sizeof(const char*), 16);
    check(H5Pset_buffer(transfer.id(), std::max<std::size_t>(values.size() * per_element, 1024), nullptr, nullptr),
          "cannot size the conversion buffer of '" + path + "'");
    check(H5Dwrite(dataset.id(), type.id(), H5S_ALL, H5S_ALL, transfer.id(), pointers.data()),
          "cannot write dataset '" + path + "'");
  }
  return dataset;
}

void write_attribute(const Handle& object, const std::string& name, const std::string& value) {
  Handle type = utf8_string_type();
  Handle space =
      own(H5Screate(H5S_SCALAR), Kind::dataspace, object.path() + "@" + name, "create dataspace for attribute");
  Handle attribute = create_attribute(object, name, type.id(), space);
  const char* pointer = value.c_str();
  check(H5Awrite(attribute.id(), type.id(), &pointer), "cannot write attribute '" + attribute.path() + "'");
}

void write_attribute(const Handle& object, const std::string& name, const char* value) {
  write_attribute(object, name, std::string(value));
}

void write_attribute(const Handle& object, const std::string& name, std::int64_t value) {
  write_scalar_attribute(object, name, value, H5T_STD_I64LE, H5T_NATIVE_INT64);
}

void write_attribute(const Handle& object, const std::string& name, std::uint64_t value) {
  write_scalar_attribute(object, name, value, H5T_STD_U64LE, H5T_NATIVE_UINT64);
}

void write_attribute(const Handle& object, const std::string& name, double value) {
  write_scalar_attribute(object, name, value, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

void write_attribute(const Handle& object, const std::string& name, const std::vector<std::int32_t>& values) {
  const hsize_t size = values.size();
  Handle space = own(H5Screate_simple(1, &size, nullptr), Kind::dataspace, object.path() + "@" + name,
                     "create dataspace for attribute");
  Handle attribute = create_attribute(object, name, H5T_STD_I32LE, space);
  if (!values.empty()) {
    check(H5Awrite(attribute.id(), H5T_NATIVE_INT32, values.data()),
          "cannot write attribute '" + attribute.path() + "'");
  }
}

void make_scale(const Handle& dataset, const std::string& dimension_name) {
  check(H5DSset_scale(dataset.id(), dimension_name.c_str()), "cannot make '" + dataset.path() + "' a dimension scale");
}

void attach_scale(const Handle& dataset, const Handle& scale, unsigned axis) {
  check(H5DSattach_scale(dataset.id(), scale.id(), axis),
        "cannot attach scale '" + scale.path() + "' to axis " + std::to_string(axis) + " of '" + dataset.path() + "'");
}

std::string read_string_attribute(const Handle& object, const std::string& name) {
  const std::string path = object.path() + "@" + name;
  Handle attribute = own(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), Kind::attribute, path, "open attribute");
  Handle type = own(H5Aget_type(attribute.id()), Kind::datatype, path, "get type of");
  if (H5Tget_class(type.id()) != H5T_STRING) throw std::runtime_error("HDF5: '" + path + "' is not a string");
  const htri_t variable = H5Tis_variable_str(type.id());
  check(variable, "cannot inspect type of '" + path + "'");
  Handle memory_type = own(H5Tget_native_type(type.id(), H5T_DIR_ASCEND), Kind::datatype, path, "get memory type of");
  if (variable > 0) {
    char* pointer = nullptr;
    check(H5Aread(attribute.id(), memory_type.id(), &pointer), "cannot read '" + path + "'");
    std::string value = pointer != nullptr ? pointer : "";
    H5free_memory(pointer);
    return value;
  }
  std::string buffer(H5Tget_size(type.id()), '\0');
  check(H5Aread(attribute.id(), memory_type.id(), buffer.data()), "cannot read '" + path + "'");
  // Fixed-length strings may be NUL-padded.
  buffer.resize(std::min(buffer.size(), buffer.find('\0')));
  return buffer;
}

}  // namespace cradle::h5

namespace cradle::h5 {

Handle open_file_rw(const std::filesystem::path& path) {
  silence_errors();
  const std::string name = path.string();
  return own(H5Fopen(name.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), Kind::file, name, "open file");
}

bool exists(const Handle& parent, const std::string& name) {
  const htri_t found = H5Lexists(parent.id(), name.c_str(), H5P_DEFAULT);
  check(found, "cannot look up '" + child_path(parent, name) + "'");
  return found > 0;
}

void unlink(const Handle& parent, const std::string& name) {
  check(H5Ldelete(parent.id(), name.c_str(), H5P_DEFAULT), "cannot remove '" + child_path(parent, name) + "'");
}

namespace {

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

template <class T>
std::vector<T> read_numeric(const Handle& parent, const std::string& name, hid_t memory_type, H5T_class_t want) {
  Handle dataset = open_dataset(parent, name);
  Handle type = own(H5Dget_type(dataset.id()), Kind::datatype, dataset.path(), "get type of");
  const H5T_class_t found = H5Tget_class(type.id());
  if (found != want && !(want == H5T_FLOAT && found == H5T_INTEGER)) {
    throw std::runtime_error("HDF5: '" + dataset.path() + "' is not " + (want == H5T_INTEGER ? "integer" : "numeric"));
  }
  hsize_t count = 1;
  for (hsize_t d : shape(dataset)) count *= d;
  std::vector<T> values(count);
  if (count > 0) {
    check(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "cannot read '" + dataset.path() + "'");
  }
  return values;
}

}  // namespace

std::vector<std::string> members(const Handle& group) {
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Literate(group.id(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect_name, &names),
        "cannot list '" + group.path() + "'");
  return names;
}

std::vector<hsize_t> shape(const Handle& dataset) {
  Handle space = own(H5Dget_space(dataset.id()), Kind::dataspace, dataset.path(), "get dataspace of");
  const int rank = H5Sget_simple_extent_ndims(space.id());
  check(rank, "cannot read the shape of '" + dataset.path() + "'");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  return dims;
}

std::vector<std::int64_t> read_int64(const Handle& parent, const std::string& name) {
  return read_numeric<std::int64_t>(parent, name, H5T_NATIVE_INT64, H5T_INTEGER);
}

std::vector<double> read_float64(const Handle& parent, const std::string& name) {
  return read_numeric<double>(parent, name, H5T_NATIVE_DOUBLE, H5T_FLOAT);
}

std::vector<std::string> read_strings(const Handle& parent, const std::string& name) {
  Handle dataset = open_dataset(parent, name);
  const std::vector<hsize_t> dims = shape(dataset);
  if (dims.size() != 1) throw std::runtime_error("HDF5: '" + dataset.path() + "' is not a list of strings");
  Handle type = own(H5Tcopy(H5T_C_S1), Kind::datatype, dataset.path(), "make string type for");
  H5Tset_size(type.id(), H5T_VARIABLE);
  H5Tset_cset(type.id(), H5T_CSET_UTF8);
  std::vector<char*> pointers(dims[0], nullptr);
  if (!pointers.empty()) {
    check(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
          "cannot read '" + dataset.path() + "'");
  }
  std::vector<std::string> values;
  for (char* pointer : pointers) {
    values.emplace_back(pointer != nullptr ? pointer : "");
    H5free_memory(pointer);
  }
  return values;
}

}  // namespace cradle::h5

namespace cradle::h5 {

bool attribute_exists(const Handle& object, const std::string& name) {
  const htri_t found = H5Aexists(object.id(), name.c_str());
  check(found, "cannot look up attribute '" + object.path() + "@" + name + "'");
  return found > 0;
}

std::vector<std::int64_t> read_integer_attribute(const Handle& object, const std::string& name) {
  const std::string path = object.path() + "@" + name;
  Handle attribute = own(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), Kind::attribute, path, "open attribute");
  Handle type = own(H5Aget_type(attribute.id()), Kind::datatype, path, "get type of");
  if (H5Tget_class(type.id()) != H5T_INTEGER) throw std::runtime_error("HDF5: '" + path + "' is not an integer");
  Handle space = own(H5Aget_space(attribute.id()), Kind::dataspace, path, "get dataspace of");
  const hssize_t count = H5Sget_simple_extent_npoints(space.id());
  check(static_cast<herr_t>(count < 0 ? -1 : 0), "cannot read the size of '" + path + "'");
  std::vector<std::int64_t> values(static_cast<std::size_t>(count));
  if (!values.empty()) check(H5Aread(attribute.id(), H5T_NATIVE_INT64, values.data()), "cannot read '" + path + "'");
  return values;
}

}  // namespace cradle::h5
