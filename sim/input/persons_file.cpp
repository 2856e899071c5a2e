#include "sim/input/persons_file.h"

#include <hdf5.h>

#include <string>
#include <utility>

#include "models/calendar.h"
#include "output/h5.h"
#include "sim/input/csv.h"
#include "sim/input/error.h"
#include "sim/input/profile.h"

namespace cradle::persons {

namespace fs = std::filesystem;

std::optional<int> column_id(std::string_view name) {
  const std::string key = lower(name);
  for (int c = 0; c < COLUMN_COUNT; ++c) {
    if (key == COLUMNS[static_cast<std::size_t>(c)].name) return c;
  }
  return std::nullopt;
}

std::string column_list() {
  std::string out;
  for (const ColumnSpec& spec : COLUMNS) out += (out.empty() ? "" : ", ") + std::string(spec.name);
  return out;
}

namespace {

std::int64_t parse_cell(const CsvReader& csv, int c, int column, const std::string& text) {
  const ColumnSpec& spec = COLUMNS[static_cast<std::size_t>(c)];
  if (text.empty()) return EMPTY;
  auto fail = [&](const std::string& expected) -> std::int64_t {
    throw ScenarioError(csv.file(), csv.line(), column, spec.name, "'" + text + "' is not " + expected);
  };
  const std::string t = lower(text);
  switch (spec.cell) {
    case Cell::integer: {
      const auto v = parse_integer(text);
      return v ? *v : fail("an integer");
    }
    case Cell::sex:
      if (t == "f" || t == "female" || t == "2") return FEMALE;
      if (t == "m" || t == "male" || t == "1") return MALE;
      return fail("a sex (F or M, female or male, 2 or 1)");
    case Cell::residency:
      if (t == "local" || t == "1") return 1;
      if (t == "nonlocal" || t == "non-local" || t == "0") return 0;
      return fail("a residency (local or nonlocal, 1 or 0)");
    case Cell::employment:
      if (t == "both") return static_cast<std::int64_t>(Employment::both);
      if (t == "one") return static_cast<std::int64_t>(Employment::one);
      if (t == "neither") return static_cast<std::int64_t>(Employment::neither);
      return fail("an employment (both, one or neither)");
    case Cell::tenure:
      if (t == "owner") return static_cast<std::int64_t>(Tenure::owner);
      if (t == "renter") return static_cast<std::int64_t>(Tenure::renter);
      return fail("a tenure (owner or renter)");
  }
  return fail("readable");
}

PersonColumns read_persons_csv(const fs::path& file) {
  CsvReader csv(file);
  PersonColumns in;
  in.file = csv.file();
  if (!csv.next()) {
    // A file-level problem: line 1 is where the header belongs.
    throw ScenarioError(in.file, 1, 1, "header",
                        "the file is empty: its first line must name the columns (" + column_list() + ")");
  }
  in.header_line = csv.line();
  std::vector<int> ids;  // column id of each CSV column
  for (std::size_t k = 0; k < csv.fields().size(); ++k) {
    const std::string& name = csv.fields()[k];
    const int column = static_cast<int>(k) + 1;
    const auto c = column_id(name);
    if (!c)
      throw ScenarioError(in.file, in.header_line, column, name, "unknown column; the columns are " + column_list());
    const auto cu = static_cast<std::size_t>(*c);
    if (in.present[cu]) throw ScenarioError(in.file, in.header_line, column, name, "column given twice");
    in.present[cu] = true;
    in.column[cu] = column;
    ids.push_back(*c);
  }
  while (csv.next()) {
    const auto& fields = csv.fields();
    if (fields.size() < ids.size()) {
      const std::size_t k = fields.size();
      throw ScenarioError(
          in.file, csv.line(), static_cast<int>(k) + 1, COLUMNS[static_cast<std::size_t>(ids[k])].name,
          csv.field_count_message(k, ids.size()));
    }
    if (fields.size() > ids.size()) {
      throw ScenarioError(
          in.file, csv.line(), static_cast<int>(ids.size()) + 1, csv.column_name(ids.size()),
          csv.field_count_message(fields.size(), ids.size()));
    }
    for (std::size_t k = 0; k < ids.size(); ++k) {
      in.value[static_cast<std::size_t>(ids[k])].push_back(parse_cell(csv, ids[k], static_cast<int>(k) + 1, fields[k]));
    }
    in.line.push_back(csv.line());
  }
  return in;
}

//! Opens an object only to ask what it is, closing it again.
H5I_type_t object_type(hid_t parent, const char* name) {
  const hid_t id = H5Oopen(parent, name, H5P_DEFAULT);
  if (id < 0) return H5I_BADID;
  const H5I_type_t type = H5Iget_type(id);
  H5Oclose(id);
  return type;
}

PersonColumns read_persons_h5(const fs::path& file) {
  PersonColumns in;
  in.file = file.string();
  in.row_word = "row";
  h5::silence_errors();
  auto fail = [&](const std::string& field, const std::string& what) -> ScenarioError {
    h5::take_error_text();  // HDF5's stack says nothing the message does not
    return ScenarioError(in.file, 1, 0, field, what);
  };
  // A file that is not HDF5 is a problem of the whole file: line 1, the field its format.
  if (H5Fis_hdf5(in.file.c_str()) <= 0) {
    h5::take_error_text();
    throw ScenarioError(in.file, 1, 1, "format",
                        "not an HDF5 file (a persons file ending in .h5 or .hdf5 is read as HDF5; name a CSV file "
                        ".csv)");
  }
  const hid_t fid = H5Fopen(in.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (fid < 0) {
    h5::take_error_text();
    throw ScenarioError(in.file, 1, 1, "format", "cannot open the file as HDF5");
  }
  const h5::Handle f(fid, h5::Kind::file, in.file);
  // The columns live in /persons when the file has such a group, else in the root group.
  std::string group_path = "/";
  if (H5Lexists(f.id(), "persons", H5P_DEFAULT) > 0 && object_type(f.id(), "persons") == H5I_GROUP) {
    group_path = "/persons";
  }
  const hid_t gid = H5Gopen2(f.id(), group_path.c_str(), H5P_DEFAULT);
  if (gid < 0) throw fail(group_path, "cannot open the group " + group_path);
  const h5::Handle group(gid, h5::Kind::group, group_path);
  H5G_info_t info{};
  if (H5Gget_info(group.id(), &info) < 0) throw fail(group_path, "cannot list the group " + group_path);

  std::optional<hsize_t> rows;
  std::string first_dataset;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw fail(group_path, "cannot list the group " + group_path);
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    if (object_type(group.id(), name.c_str()) != H5I_DATASET) continue;  // groups and the like are not columns
    const auto c = column_id(name);
    if (!c) throw fail(name, "unknown dataset in " + group_path + "; the columns are " + column_list());
    const auto cu = static_cast<std::size_t>(*c);
    if (in.present[cu]) throw fail(name, "column given twice (names differ only in case)");

    const hid_t did = H5Dopen2(group.id(), name.c_str(), H5P_DEFAULT);
    if (did < 0) throw fail(name, "cannot open the dataset");
    const h5::Handle dataset(did, h5::Kind::dataset, name);
    const h5::Handle space(H5Dget_space(dataset.id()), h5::Kind::dataspace, name);
    const h5::Handle type(H5Dget_type(dataset.id()), h5::Kind::datatype, name);
    if (H5Tget_class(type.id()) != H5T_INTEGER) throw fail(name, "must be an integer dataset (codes for text)");
    if (H5Sget_simple_extent_ndims(space.id()) != 1) throw fail(name, "must be a 1-D dataset");
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space.id(), &n, nullptr);
    if (rows && *rows != n) {
      throw fail(name, "has " + std::to_string(n) + " rows but " + first_dataset + " has " + std::to_string(*rows));
    }
    rows = n;
    if (first_dataset.empty()) first_dataset = name;
    std::vector<std::int64_t>& values = in.value[cu];
    values.resize(static_cast<std::size_t>(n));
    if (n > 0 && H5Dread(dataset.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      throw fail(name, "cannot read the dataset");
    }
    for (std::int64_t& v : values) {
      if (v == -1) v = EMPTY;  // the file's missing value
    }
    in.present[cu] = true;
  }
  in.line.resize(static_cast<std::size_t>(rows.value_or(0)));
  for (std::size_t r = 0; r < in.line.size(); ++r) in.line[r] = static_cast<int>(r + 1);
  return in;
}

bool is_hdf5_path(const fs::path& file) {
  const std::string ext = lower(file.extension().string());
  return ext == ".h5" || ext == ".hdf5";
}

}  // namespace

PersonColumns read_persons(const fs::path& file) {
  return is_hdf5_path(file) ? read_persons_h5(file) : read_persons_csv(file);
}

}  // namespace cradle::persons
