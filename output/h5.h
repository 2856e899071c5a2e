// A thin RAII layer over the HDF5 C API, just wide enough for the results
// writer: owning handles, N-d numeric and string datasets, attributes, and
// dimension scales. Every failure becomes a std::runtime_error naming the
// object, because HDF5's own error stack is silenced (it would print to
// stderr from library code).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cradle::h5 {

//! What a Handle owns, which decides the H5?close function called on it.
enum class Kind { file, group, dataset, dataspace, datatype, attribute, plist };

//! Owns one HDF5 identifier and closes it on destruction; move-only.
class Handle {
 public:
  Handle() = default;
  //! Takes ownership of `id`; throws std::runtime_error naming `path` if id is negative.
  Handle(hid_t id, Kind kind, std::string path);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  //! The raw identifier, for direct C API calls; H5I_INVALID_HID when empty.
  hid_t id() const { return id_; }
  //! The object's path inside the file (or the file name for a file), for messages.
  const std::string& path() const { return path_; }
  //! Whether this handle owns an identifier.
  bool valid() const { return id_ >= 0; }
  //! What kind of object this handle owns.
  Kind kind() const { return kind_; }
  //! Closes now and throws std::runtime_error if HDF5 reports a failure (e.g. a failed flush).
  void close();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Kind kind_ = Kind::file;
  std::string path_;
};

//! Turns off HDF5's automatic error printing for this thread; failures surface only as exceptions.
void silence_errors();

//! Describes the innermost entry of HDF5's current error stack (empty if none), then clears it.
std::string take_error_text();

//! Creates (truncating) a file whose groups track link and attribute creation order.
Handle create_file(const std::filesystem::path& path);
//! Creates a file held in memory only (HDF5's core driver, no backing store), as
//! create_file does on disk; `name` is what messages call it. Nothing touches the disk, so
//! a full disk cannot leave HDF5 with unflushed state (file_image gives the bytes to write).
Handle create_memory_file(const std::string& name);
//! Opens a copy of an existing file in memory for reading and writing: the disk file is
//! never changed.
Handle open_memory_copy(const std::filesystem::path& path);
//! The bytes of a file held in memory, after flushing it: what the file on disk would hold.
std::vector<unsigned char> file_image(const Handle& file);

//! Opens an existing file read-only.
Handle open_file(const std::filesystem::path& path);
//! Creates a group `name` under `parent` (a file or group), tracking creation order.
Handle create_group(const Handle& parent, const std::string& name);
//! Opens an existing group `name` (a relative or absolute path) under `parent`.
Handle open_group(const Handle& parent, const std::string& name);
//! Opens an existing dataset `name` under `parent`.
Handle open_dataset(const Handle& parent, const std::string& name);

//! Writes `data` as a contiguous dataset of shape `dims` (row-major); throws if sizes disagree.
Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<std::int64_t>& data,
                     const std::vector<hsize_t>& dims);
//! As above, float64.
Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<double>& data,
                     const std::vector<hsize_t>& dims);
//! As above, int32.
Handle write_dataset(const Handle& parent, const std::string& name, const std::vector<std::int32_t>& data,
                     const std::vector<hsize_t>& dims);
//! Writes a 1-D dataset of variable-length UTF-8 strings.
Handle write_strings(const Handle& parent, const std::string& name, const std::vector<std::string>& values);

//! Writes a scalar variable-length UTF-8 string attribute (h5py reads it as str).
void write_attribute(const Handle& object, const std::string& name, const std::string& value);
//! Overload for string literals, so they do not decay to a pointer conversion.
void write_attribute(const Handle& object, const std::string& name, const char* value);
//! Writes a scalar int64 attribute.
void write_attribute(const Handle& object, const std::string& name, std::int64_t value);
//! Writes a scalar uint64 attribute.
void write_attribute(const Handle& object, const std::string& name, std::uint64_t value);
//! Writes a scalar float64 attribute.
void write_attribute(const Handle& object, const std::string& name, double value);
//! Writes a 1-D int32 array attribute.
void write_attribute(const Handle& object, const std::string& name, const std::vector<std::int32_t>& values);

//! Marks `dataset` as a dimension scale named `dimension_name` (H5DSset_scale).
void make_scale(const Handle& dataset, const std::string& dimension_name);
//! Attaches dimension scale `scale` to axis `axis` of `dataset` (H5DSattach_scale).
void attach_scale(const Handle& dataset, const Handle& scale, unsigned axis);

//! Opens an existing file for reading and writing.
Handle open_file_rw(const std::filesystem::path& path);
//! Whether `parent` has a link `name` (one level, no path).
bool exists(const Handle& parent, const std::string& name);
//! Removes the link `name` from `parent` (the object goes with its last link).
void unlink(const Handle& parent, const std::string& name);
//! The names of the links of a group, in creation order.
std::vector<std::string> members(const Handle& group);
//! The extent of a dataset along each axis.
std::vector<hsize_t> shape(const Handle& dataset);
//! A numeric dataset read whole as int64 (row-major); throws if it is not an integer dataset.
std::vector<std::int64_t> read_int64(const Handle& parent, const std::string& name);
//! A numeric dataset read whole as float64 (row-major).
std::vector<double> read_float64(const Handle& parent, const std::string& name);
//! A 1-D string dataset read as UTF-8 text.
std::vector<std::string> read_strings(const Handle& parent, const std::string& name);

//! Reads a numeric attribute (scalar or 1-D) as int64 values.
std::vector<std::int64_t> read_integer_attribute(const Handle& object, const std::string& name);
//! Whether `object` has an attribute `name`.
bool attribute_exists(const Handle& object, const std::string& name);

//! Reads a scalar or fixed/variable-length string attribute as UTF-8 text.
std::string read_string_attribute(const Handle& object, const std::string& name);

}  // namespace cradle::h5
