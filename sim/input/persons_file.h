// A persons file (scenarios/MICRODATA.md): one row per person, CSV or HDF5, read into
// columns of integer codes with each row's place in the file, so that the population
// builder (sim/population/microdata.h) checks and assembles them and every message
// names the file, line, column and field.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::persons {

//! The columns of a persons file.
enum Column : int {
  PERSON_ID,
  HOUSEHOLD_ID,
  AGE,
  SEX,
  PARITY,
  MOTHER_ID,
  RESIDENCY,
  INCOME_BAND,
  EMPLOYMENT,
  TENURE,
  SPECIAL_FAMILY,
  PRIORITY_GROUP,
  BIRTH_MONTH,
  BIRTH_ORDER,
  COLUMN_COUNT
};

//! How a CSV cell becomes the integer the builder reads (HDF5 stores the codes directly).
enum class Cell { integer, sex, residency, employment, tenure };

//! A column: its name in files, whether a file must have it, how its CSV cells read.
struct ColumnSpec {
  const char* name;
  bool required;
  Cell cell;
};

//! Every column, in Column order.
inline constexpr std::array<ColumnSpec, COLUMN_COUNT> COLUMNS{{
    {"person_id", true, Cell::integer},
    {"household_id", true, Cell::integer},
    {"age", true, Cell::integer},
    {"sex", true, Cell::sex},
    {"parity", true, Cell::integer},
    {"mother_id", true, Cell::integer},
    {"residency", true, Cell::residency},
    {"income_band", false, Cell::integer},
    {"employment", false, Cell::employment},
    {"tenure", false, Cell::tenure},
    {"special_family", false, Cell::integer},
    {"priority_group", false, Cell::integer},
    {"birth_month", false, Cell::integer},
    {"birth_order", false, Cell::integer},
}};

//! An empty cell (-1 in HDF5).
inline constexpr std::int64_t EMPTY = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t MALE = 1, FEMALE = 2;

//! The column of a name (any case), if it is one.
std::optional<int> column_id(std::string_view name);
//! Every column name, comma-separated, for messages.
std::string column_list();

//! A persons file read into columns.
struct PersonColumns {
  std::string file;
  int header_line = 1;
  std::array<bool, COLUMN_COUNT> present{};
  std::array<int, COLUMN_COUNT> column{};  //!< 1-based CSV column; 0 for HDF5
  //! Per column, one value per row: EMPTY for an empty cell, codes for the coded columns
  //! (sex 1 male / 2 female, residency 1 local / 0 non-local, Employment, Tenure).
  std::array<std::vector<std::int64_t>, COLUMN_COUNT> value;
  std::vector<int> line;          //!< per row: its CSV line, or its 1-based HDF5 row
  std::string row_word = "line";  //!< how messages name another row: "line" (CSV) or "row" (HDF5)
};

//! Reads a persons file: HDF5 when the extension is .h5 or .hdf5 (datasets in the group
//! /persons if it exists, else in the root group), else CSV. Checks the header or layout
//! and each cell's form (integer, or a known code word), not the values' ranges or their
//! consistency. Throws ScenarioError.
PersonColumns read_persons(const std::filesystem::path& file);

}  // namespace cradle::persons
