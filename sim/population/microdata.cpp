#include "sim/population/microdata.h"

#include <hdf5.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/calendar.h"
#include "models/measures/measure.h"
#include "models/probability.h"
#include "output/h5.h"
#include "sim/population/household_fit.h"
#include "sim/random/rng.h"
#include "sim/random/stream_ids.h"

namespace cradle {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Text helpers and a simple CSV reader shared by both file kinds.

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string_view trim(std::string_view s) {
  const auto is_space = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string format_number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

//! Reads a CSV file line by line: blank lines and lines starting with '#' are skipped,
//! fields may be double-quoted ("" inside quotes is a quote), whitespace around fields is
//! trimmed. One line is one record (no embedded newlines), so line numbers are exact.
class CsvReader {
 public:
  explicit CsvReader(const fs::path& file) : file_(file.string()), in_(file, std::ios::binary) {
    if (!in_) throw ScenarioError(file_, 0, 0, "", "cannot open the file");
  }

  //! Moves to the next record; false at the end of the file.
  bool next() {
    std::string text;
    while (std::getline(in_, text)) {
      ++line_;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      // A byte-order mark, as spreadsheet programs write, is not part of the first field.
      if (line_ == 1 && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
      const std::string_view t = trim(text);
      if (t.empty() || t.front() == '#') continue;
      split(text);
      return true;
    }
    if (in_.bad()) throw ScenarioError(file_, line_, 0, "", "cannot read the file");
    return false;
  }

  int line() const { return line_; }
  const std::vector<std::string>& fields() const { return fields_; }
  const std::string& file() const { return file_; }

 private:
  void split(std::string_view text) {
    fields_.clear();
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (true) {
      const int column = static_cast<int>(fields_.size()) + 1;
      while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
      std::string field;
      if (i < n && text[i] == '"') {
        ++i;
        bool closed = false;
        while (i < n) {
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          field += text[i++];
        }
        if (!closed) throw ScenarioError(file_, line_, column, "", "unterminated quoted field");
        while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i < n && text[i] != ',') throw ScenarioError(file_, line_, column, "", "text after a closing quote");
        field = std::string(trim(field));
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',') ++i;
        field = std::string(trim(text.substr(start, i - start)));
      }
      fields_.push_back(std::move(field));
      if (i >= n) break;
      ++i;  // the comma; a trailing comma leaves an empty last field
    }
  }

  std::string file_;
  std::ifstream in_;
  int line_ = 0;
  std::vector<std::string> fields_;
};

// ---------------------------------------------------------------------------
// The persons file: both readers fill PersonColumns, one builder checks and builds.

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

struct ColumnSpec {
  const char* name;
  bool required;
  Cell cell;
};

constexpr std::array<ColumnSpec, COLUMN_COUNT> COLUMNS{{
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

constexpr std::int64_t EMPTY = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t MALE = 1, FEMALE = 2;
constexpr int MAX_PERSON_AGE = 120;
constexpr int MAX_PARITY = 30;
constexpr int MAX_WOMAN_AGE = 49;  // completed years on 1 January; women are tracked to 49
constexpr int MAX_CHILD_AGE = BURN_IN_YEARS - 1;

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
  if (!csv.next()) throw ScenarioError(in.file, 1, 0, "", "no header: the file is empty");
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
          "the line has " + std::to_string(k) + " fields but the header has " + std::to_string(ids.size()));
    }
    if (fields.size() > ids.size()) {
      throw ScenarioError(
          in.file, csv.line(), static_cast<int>(ids.size()) + 1, "",
          "the line has " + std::to_string(fields.size()) + " fields but the header has " + std::to_string(ids.size()));
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
  const hid_t fid = H5Fopen(in.file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (fid < 0) {
    h5::take_error_text();
    throw ScenarioError(in.file, 0, 0, "", "cannot open the file as HDF5");
  }
  const h5::Handle f(fid, h5::Kind::file, in.file);
  // The columns live in /persons when the file has such a group, else in the root group.
  std::string group_path = "/";
  if (H5Lexists(f.id(), "persons", H5P_DEFAULT) > 0 && object_type(f.id(), "persons") == H5I_GROUP) {
    group_path = "/persons";
  }
  const hid_t gid = H5Gopen2(f.id(), group_path.c_str(), H5P_DEFAULT);
  if (gid < 0) throw fail("", "cannot open the group " + group_path);
  const h5::Handle group(gid, h5::Kind::group, group_path);
  H5G_info_t info{};
  if (H5Gget_info(group.id(), &info) < 0) throw fail("", "cannot list the group " + group_path);

  std::optional<hsize_t> rows;
  std::string first_dataset;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t length = H5Lget_name_by_idx(group.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (length < 0) throw fail("", "cannot list the group " + group_path);
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

//! Picks household types from the fitted table for households whose file leaves some of
//! income band, employment and tenure unstated: a cell among those of the household's
//! size class and registration that agree with what the file states, with probability
//! proportional to its share. If those all have share 0 (a profile without households of
//! that size or registration), the size is dropped, then the registration, then what the
//! file states, so that a household always gets a type the profile allows.
class TypeDrawer {
 public:
  explicit TypeDrawer(const PlaceProfile& profile) : table_(fit_households(household_margins(profile))) {}

  HouseholdTable::Type draw(std::size_t size_class, bool local, std::int64_t band, std::int64_t employment,
                            std::int64_t tenure, KeyedStream& stream) {
    const Candidates& cands = candidates(size_class, local, band, employment, tenure);
    const double u = stream.uniform() * cands.cumulative.back();
    const auto at = std::upper_bound(cands.cumulative.begin(), cands.cumulative.end(), u) - cands.cumulative.begin();
    return table_.type(cands.cell[static_cast<std::size_t>(
        std::min<std::ptrdiff_t>(at, static_cast<std::ptrdiff_t>(cands.cell.size()) - 1))]);
  }

 private:
  struct Candidates {
    std::vector<std::size_t> cell;
    std::vector<double> cumulative;
  };

  const Candidates& candidates(std::size_t size_class, bool local, std::int64_t band, std::int64_t employment,
                               std::int64_t tenure) {
    // One list per combination of what is known, built the first time it is needed.
    const auto key =
        std::array<std::int64_t, 5>{static_cast<std::int64_t>(size_class), local, band, employment, tenure};
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Candidates cands;
    for (int level = 0; level < 4 && cands.cell.empty(); ++level) {
      double total = 0;
      for (std::size_t c = 0; c < table_.cells(); ++c) {
        const HouseholdTable::Type t = table_.type(c);
        const double share = table_.share(c);
        if (!(share > 0)) continue;
        if (level == 0 && t.size != size_class) continue;
        if (level <= 1 && static_cast<bool>(t.local) != local) continue;
        if (level <= 2 && ((band != EMPTY && t.band != band) || (employment != EMPTY && t.employment != employment) ||
                           (tenure != EMPTY && t.tenure != tenure))) {
          continue;
        }
        total += share;
        cands.cell.push_back(c);
        cands.cumulative.push_back(total);
      }
    }
    if (cands.cell.empty()) throw std::invalid_argument("the profile's household table has no household type");
    return cache_.emplace(key, std::move(cands)).first->second;
  }

  struct KeyHash {
    std::size_t operator()(const std::array<std::int64_t, 5>& k) const {
      std::size_t h = 0;
      for (std::int64_t v : k) h = h * 1000003u ^ std::hash<std::int64_t>{}(v);
      return h;
    }
  };

  HouseholdTable table_;
  std::unordered_map<std::array<std::int64_t, 5>, Candidates, KeyHash> cache_;
};

BasePopulation build_population(const PersonColumns& in, const PlaceProfile& profile, int base_year, std::uint32_t seed,
                                std::int64_t weight) {
  using stream::GENERATION_REPLICATION;
  auto fail = [&](std::size_t row, int c, const std::string& what) -> ScenarioError {
    const auto cu = static_cast<std::size_t>(c);
    return ScenarioError(in.file, in.line[row], in.column[cu], COLUMNS[cu].name, what);
  };
  for (int c = 0; c < COLUMN_COUNT; ++c) {
    const ColumnSpec& spec = COLUMNS[static_cast<std::size_t>(c)];
    if (spec.required && !in.present[static_cast<std::size_t>(c)]) {
      throw ScenarioError(in.file, in.header_line, 0, spec.name, "required column missing");
    }
  }
  const std::size_t n = in.line.size();
  if (n == 0) throw ScenarioError(in.file, in.header_line, 0, "", "no persons in the file");
  if (n >= NO_MOTHER) throw ScenarioError(in.file, in.header_line, 0, "", "too many persons");
  auto stated = [&](int c, std::size_t r) {
    const auto cu = static_cast<std::size_t>(c);
    return in.present[cu] && in.value[cu][r] != EMPTY;
  };
  auto value = [&](int c, std::size_t r) { return in.value[static_cast<std::size_t>(c)][r]; };
  const auto bands = static_cast<std::int64_t>(profile.households.income_band_shares.size());

  // Each row on its own: presence and ranges; ids; households in order of first appearance.
  struct Range {
    int column;
    std::int64_t lo, hi;
    const char* what;
  };
  const std::array<Range, 11> ranges{{
      {AGE, 0, MAX_PERSON_AGE, "an age in completed years, 0 to 120"},
      {SEX, MALE, FEMALE, "a sex code, 1 (male) or 2 (female)"},
      {PARITY, 0, MAX_PARITY, "a parity, 0 to 30"},
      {RESIDENCY, 0, 1, "a residency code, 1 (local) or 0 (non-local)"},
      {INCOME_BAND, 1, bands, nullptr},  // the message names the profile's number of bands
      {EMPLOYMENT, 0, 2, "an employment code, 0 (both), 1 (one) or 2 (neither)"},
      {TENURE, 0, 1, "a tenure code, 0 (owner) or 1 (renter)"},
      {SPECIAL_FAMILY, 0, 1, "0 or 1"},
      {PRIORITY_GROUP, 0, 1, "0 or 1"},
      {BIRTH_MONTH, 1, 12, "a month, 1 to 12"},
      {BIRTH_ORDER, 1, MAX_PARITY, "a birth order, 1 to 30"},
  }};
  std::unordered_map<std::int64_t, std::uint32_t> row_of_person;
  std::unordered_map<std::int64_t, std::uint32_t> household_index;
  std::vector<std::uint32_t> household_of(n);
  std::vector<std::size_t> first_row_of_household;
  row_of_person.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    for (int c : {PERSON_ID, HOUSEHOLD_ID, AGE, SEX, RESIDENCY}) {
      if (!stated(c, r)) throw fail(r, c, "a value is required");
    }
    for (const Range& range : ranges) {
      if (!stated(range.column, r)) continue;
      const std::int64_t v = value(range.column, r);
      if (v < range.lo || v > range.hi) {
        const std::string expected =
            range.what ? std::string(range.what) : "an income band of the profile, 1 to " + std::to_string(bands);
        throw fail(r, range.column, std::to_string(v) + " is not " + expected);
      }
    }
    const std::int64_t age = value(AGE, r);
    if (value(SEX, r) == FEMALE && age >= MIN_FERTILE_AGE && age <= MAX_FERTILE_AGE && !stated(PARITY, r)) {
      throw fail(r, PARITY, "a value is required for a woman aged 15 to 49");
    }
    const auto [person, fresh] = row_of_person.emplace(value(PERSON_ID, r), static_cast<std::uint32_t>(r));
    if (!fresh) {
      throw fail(r, PERSON_ID,
                 "person_id " + std::to_string(value(PERSON_ID, r)) + " is already used on " + in.row_word + " " +
                     std::to_string(in.line[person->second]));
    }
    const auto [household, added] =
        household_index.emplace(value(HOUSEHOLD_ID, r), static_cast<std::uint32_t>(first_row_of_household.size()));
    if (added) first_row_of_household.push_back(r);
    household_of[r] = household->second;
  }
  const std::size_t n_households = first_row_of_household.size();

  // Household-level columns: what members state must agree; unstated stays EMPTY.
  std::array<std::vector<std::int64_t>, COLUMN_COUNT> household_value;  // filled for household columns only
  for (int c : {INCOME_BAND, EMPLOYMENT, TENURE, SPECIAL_FAMILY, PRIORITY_GROUP}) {
    household_value[static_cast<std::size_t>(c)].assign(n_households, EMPTY);
    if (!in.present[static_cast<std::size_t>(c)]) continue;
    std::vector<std::size_t> stated_on(n_households, 0);
    for (std::size_t r = 0; r < n; ++r) {
      if (!stated(c, r)) continue;
      std::int64_t& v = household_value[static_cast<std::size_t>(c)][household_of[r]];
      if (v == EMPTY) {
        v = value(c, r);
        stated_on[household_of[r]] = r;
      } else if (v != value(c, r)) {
        throw fail(r, c,
                   std::to_string(value(c, r)) + " disagrees with " + std::to_string(v) + " on " + in.row_word + " " +
                       std::to_string(in.line[stated_on[household_of[r]]]) + " for the same household_id " +
                       std::to_string(value(HOUSEHOLD_ID, r)));
      }
    }
  }

  // Mothers: a female in the same household, who is not the person herself.
  std::vector<std::uint32_t> mother_row(n, NO_MOTHER);
  for (std::size_t r = 0; r < n; ++r) {
    if (!stated(MOTHER_ID, r)) continue;
    const std::int64_t id = value(MOTHER_ID, r);
    const auto it = row_of_person.find(id);
    if (it == row_of_person.end()) throw fail(r, MOTHER_ID, "no person has person_id " + std::to_string(id));
    const std::size_t m = it->second;
    if (m == r) throw fail(r, MOTHER_ID, "a person cannot be her own mother");
    if (value(SEX, m) != FEMALE) {
      throw fail(r, MOTHER_ID, "the mother (" + in.row_word + " " + std::to_string(in.line[m]) + ") is not female");
    }
    if (household_of[m] != household_of[r]) {
      throw fail(r, MOTHER_ID,
                 "the mother (" + in.row_word + " " + std::to_string(in.line[m]) + ") lives in another household");
    }
    if (value(AGE, m) <= value(AGE, r)) {
      throw fail(r, MOTHER_ID,
                 "the mother (" + in.row_word + " " + std::to_string(in.line[m]) + ") is not older than her child");
    }
    mother_row[r] = static_cast<std::uint32_t>(m);
  }

  BasePopulation pop;
  pop.base_year = base_year;
  pop.weight = weight;
  pop.persons = static_cast<std::int64_t>(n);

  // Households: size and registration from the members; the rest from the file, or drawn.
  std::vector<std::uint32_t> members(n_households, 0);
  std::vector<bool> local(n_households, false);
  for (std::size_t r = 0; r < n; ++r) {
    members[household_of[r]]++;
    if (value(RESIDENCY, r) == 1) local[household_of[r]] = true;
  }
  pop.household_size.resize(n_households);
  pop.household_income_band.resize(n_households);
  pop.household_employment.resize(n_households);
  pop.household_tenure.resize(n_households);
  pop.household_flags.assign(n_households, 0);
  std::optional<TypeDrawer> drawer;
  for (std::size_t h = 0; h < n_households; ++h) {
    const auto hk = static_cast<std::uint32_t>(h);
    pop.household_size[h] = static_cast<std::uint8_t>(std::min<std::uint32_t>(members[h], 255));
    std::uint8_t flags = local[h] ? FLAG_LOCAL_RESIDENT : 0;
    {
      KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{hk, 0, 0, stream::HOUSEHOLD_FLAGS});
      const double u_special = s.uniform(), u_priority = s.uniform();
      const std::int64_t special = household_value[SPECIAL_FAMILY][h], priority = household_value[PRIORITY_GROUP][h];
      if (special != EMPTY ? special == 1 : u_special < profile.special_family_share) flags |= FLAG_SPECIAL_FAMILY;
      if (priority != EMPTY ? priority == 1 : u_priority < profile.households.priority_group_share) {
        flags |= FLAG_PRIORITY_GROUP;
      }
    }
    pop.household_flags[h] = flags;
    const std::int64_t stated_band = household_value[INCOME_BAND][h];
    std::int64_t band = stated_band == EMPTY ? EMPTY : stated_band - 1;  // 0-based from here on
    std::int64_t employment = household_value[EMPLOYMENT][h], tenure = household_value[TENURE][h];
    if (band == EMPTY || employment == EMPTY || tenure == EMPTY) {
      if (!drawer) drawer.emplace(profile);
      KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{hk, 0, 0, stream::HOUSEHOLD_TYPE});
      const std::size_t size_class = std::min<std::size_t>(members[h], HOUSEHOLD_SIZES);
      const HouseholdTable::Type t = drawer->draw(size_class, local[h], band, employment, tenure, s);
      if (band == EMPTY) band = t.band;
      if (employment == EMPTY) employment = t.employment;
      if (tenure == EMPTY) tenure = t.tenure;
    }
    pop.household_income_band[h] = static_cast<std::uint8_t>(band);
    pop.household_employment[h] = static_cast<std::uint8_t>(employment);
    pop.household_tenure[h] = static_cast<std::uint8_t>(tenure);
  }

  // Women (females 0–49) and children (everyone 0–6), in row order for now.
  std::vector<std::uint32_t> woman_row, child_row;
  std::vector<std::uint32_t> woman_of_row(n, NO_MOTHER);
  for (std::size_t r = 0; r < n; ++r) {
    const std::int64_t age = value(AGE, r);
    if (value(SEX, r) == FEMALE && age <= MAX_WOMAN_AGE) {
      woman_of_row[r] = static_cast<std::uint32_t>(woman_row.size());
      woman_row.push_back(static_cast<std::uint32_t>(r));
    }
    if (age <= MAX_CHILD_AGE) child_row.push_back(static_cast<std::uint32_t>(r));
  }
  const std::size_t n_children = child_row.size();
  std::vector<MonthIndex> birth_month(n_children);
  for (std::size_t i = 0; i < n_children; ++i) {
    const std::size_t r = child_row[i];
    const int year = base_year - 1 - static_cast<int>(value(AGE, r));
    int month = 0;
    if (stated(BIRTH_MONTH, r)) {
      month = static_cast<int>(value(BIRTH_MONTH, r));
    } else {
      KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{static_cast<std::uint32_t>(r), 0, 0, stream::BIRTH_MONTH});
      month = 1 + static_cast<int>(s.below(12));
    }
    birth_month[i] = month_index(year, month);
  }

  // Birth order: stated, or the mother's parity less her children in the file born after
  // (a later month; in the same month, a later row), so her youngest has her parity.
  // Checked afterwards in row order, so the first bad row in the file is the one named.
  std::vector<std::int64_t> order(n_children, 0);
  {
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> children_of;
    for (std::size_t i = 0; i < n_children; ++i) {
      const std::uint32_t m = mother_row[child_row[i]];
      if (m != NO_MOTHER) children_of[m].push_back(static_cast<std::uint32_t>(i));
    }
    for (auto& [mother, kids] : children_of) {
      std::stable_sort(kids.begin(), kids.end(),
                       [&](std::uint32_t a, std::uint32_t b) { return birth_month[a] < birth_month[b]; });
      const std::int64_t parity = stated(PARITY, mother) ? value(PARITY, mother) : 0;
      for (std::size_t k = 0; k < kids.size(); ++k) {
        order[kids[k]] = parity - static_cast<std::int64_t>(kids.size() - 1 - k);
      }
    }
    for (std::size_t i = 0; i < n_children; ++i) {
      const std::size_t r = child_row[i];
      const std::uint32_t m = mother_row[r];
      if (stated(BIRTH_ORDER, r)) {
        order[i] = value(BIRTH_ORDER, r);
      } else if (m == NO_MOTHER) {
        throw fail(r, BIRTH_ORDER, "a value is required when the child's mother is not in the file");
      } else if (order[i] < 1) {
        const std::int64_t parity = stated(PARITY, m) ? value(PARITY, m) : 0;
        throw fail(r, MOTHER_ID,
                   "the mother's parity (" + std::to_string(parity) + ", " + in.row_word + " " +
                       std::to_string(in.line[m]) + ") is too low for her " + std::to_string(children_of[m].size()) +
                       " children in the file; correct her parity or give the children's birth_order");
      }
    }
  }

  // Sort women by (household, birth year) and children by (household, birth month),
  // keeping file order among equals, and point children at their mothers' new places.
  const std::size_t n_women = woman_row.size();
  std::vector<std::uint32_t> by(n_women);
  for (std::uint32_t i = 0; i < n_women; ++i) by[i] = i;
  auto birth_year_of = [&](std::size_t r) { return base_year - 1 - static_cast<int>(value(AGE, r)); };
  std::stable_sort(by.begin(), by.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint32_t ha = household_of[woman_row[a]], hb = household_of[woman_row[b]];
    return ha != hb ? ha < hb : birth_year_of(woman_row[a]) < birth_year_of(woman_row[b]);
  });
  std::vector<std::uint32_t> new_woman(n_women);
  pop.woman_household.resize(n_women);
  pop.woman_birth_year.resize(n_women);
  pop.woman_parity.resize(n_women);
  pop.woman_flags.resize(n_women);
  for (std::uint32_t i = 0; i < n_women; ++i) {
    const std::size_t r = woman_row[by[i]];
    new_woman[by[i]] = i;
    pop.woman_household[i] = household_of[r];
    pop.woman_birth_year[i] = static_cast<std::int16_t>(birth_year_of(r));
    pop.woman_parity[i] = static_cast<std::uint8_t>(stated(PARITY, r) ? value(PARITY, r) : 0);
    pop.woman_flags[i] = pop.household_flags[household_of[r]];
  }
  std::vector<std::uint32_t> cby(n_children);
  for (std::uint32_t i = 0; i < n_children; ++i) cby[i] = i;
  std::stable_sort(cby.begin(), cby.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint32_t ha = household_of[child_row[a]], hb = household_of[child_row[b]];
    return ha != hb ? ha < hb : birth_month[a] < birth_month[b];
  });
  pop.child_household.resize(n_children);
  pop.child_birth_month.resize(n_children);
  pop.child_birth_order.resize(n_children);
  pop.child_mother.resize(n_children);
  for (std::size_t i = 0; i < n_children; ++i) {
    const std::uint32_t j = cby[i];
    const std::size_t r = child_row[j];
    pop.child_household[i] = household_of[r];
    pop.child_birth_month[i] = birth_month[j];
    pop.child_birth_order[i] = static_cast<std::uint8_t>(std::min<std::int64_t>(order[j], 255));
    // A mother of 50 or more is not among the women: the child keeps its order, not her.
    const std::uint32_t w = mother_row[r] == NO_MOTHER ? NO_MOTHER : woman_of_row[mother_row[r]];
    pop.child_mother[i] = w == NO_MOTHER ? NO_MOTHER : new_woman[w];
  }

  build_blocks(pop);
  check_population(pop);
  return pop;
}

bool is_hdf5_path(const fs::path& file) {
  const std::string ext = lower(file.extension().string());
  return ext == ".h5" || ext == ".hdf5";
}

}  // namespace

BasePopulation load_persons(const fs::path& file, const PlaceProfile& profile, int base_year, std::uint32_t seed,
                            std::int64_t weight) {
  if (weight < 1) throw std::invalid_argument("a population's weight must be at least 1");
  const PersonColumns in = is_hdf5_path(file) ? read_persons_h5(file) : read_persons_csv(file);
  return build_population(in, profile, base_year, seed, weight);
}

FertilityTable load_fertility_table(const fs::path& file) {
  CsvReader csv(file);
  const std::string& name = csv.file();
  enum { AGE_COLUMN, PARITY_COLUMN, PROBABILITY_COLUMN };
  constexpr std::array<const char*, 3> names{"age", "parity", "probability"};
  if (!csv.next()) throw ScenarioError(name, 1, 0, "", "no header: the file is empty");
  const int header_line = csv.line();
  std::array<int, 3> at{-1, -1, -1};  // 0-based CSV index of each column
  for (std::size_t k = 0; k < csv.fields().size(); ++k) {
    const std::string& field = csv.fields()[k];
    const auto it = std::find(names.begin(), names.end(), lower(field));
    const int column = static_cast<int>(k) + 1;
    if (it == names.end()) {
      throw ScenarioError(name, header_line, column, field, "unknown column; the columns are age, parity, probability");
    }
    int& slot = at[static_cast<std::size_t>(it - names.begin())];
    if (slot >= 0) throw ScenarioError(name, header_line, column, field, "column given twice");
    slot = static_cast<int>(k);
  }
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (at[c] < 0) throw ScenarioError(name, header_line, 0, names[c], "required column missing");
  }
  const std::size_t n_fields = csv.fields().size();

  FertilityTable table{};
  std::array<std::array<int, PARITY_CLASSES>, MAX_AGE> line_of{};  // 0: not given yet
  int rows = 0;
  while (csv.next()) {
    const auto& fields = csv.fields();
    if (fields.size() != n_fields) {
      throw ScenarioError(
          name, csv.line(), static_cast<int>(std::min(fields.size(), n_fields)) + 1, "",
          "the line has " + std::to_string(fields.size()) + " fields but the header has " + std::to_string(n_fields));
    }
    auto cell = [&](int c) -> const std::string& {
      return fields[static_cast<std::size_t>(at[static_cast<std::size_t>(c)])];
    };
    auto fail = [&](int c, const std::string& what) {
      return ScenarioError(name, csv.line(), at[static_cast<std::size_t>(c)] + 1, names[static_cast<std::size_t>(c)],
                           what);
    };
    const auto age = parse_integer(cell(AGE_COLUMN));
    if (!age || *age < MIN_FERTILE_AGE || *age > MAX_FERTILE_AGE) {
      throw fail(AGE_COLUMN, "'" + cell(AGE_COLUMN) + "' is not an age from " + std::to_string(MIN_FERTILE_AGE) +
                                 " to " + std::to_string(MAX_FERTILE_AGE));
    }
    const std::string& parity_text = cell(PARITY_COLUMN);
    const auto parity = parity_text == "2+" ? std::optional<std::int64_t>(2) : parse_integer(parity_text);
    if (!parity || *parity < 0) throw fail(PARITY_COLUMN, "'" + parity_text + "' is not a parity 0, 1, 2 or 2+");
    if (*parity >= PARITY_CLASSES) {
      throw fail(PARITY_COLUMN, "parity " + parity_text +
                                    ": the engine's parity classes are 0, 1 and 2+ (two or more); give the "
                                    "probability of parity 2 and higher once, as 2 or 2+");
    }
    const auto p = parse_double(cell(PROBABILITY_COLUMN));
    if (!p || *p < 0 || *p > MAX_BIRTH_PROBABILITY) {
      throw fail(PROBABILITY_COLUMN, "'" + cell(PROBABILITY_COLUMN) + "' is not a probability from 0 to " +
                                         format_number(MAX_BIRTH_PROBABILITY));
    }
    const auto a = static_cast<std::size_t>(*age), k = static_cast<std::size_t>(*parity);
    if (line_of[a][k] != 0) {
      throw fail(AGE_COLUMN, "age " + std::to_string(*age) + " and parity " + std::to_string(*parity) +
                                 " are already given on line " + std::to_string(line_of[a][k]));
    }
    line_of[a][k] = csv.line();
    table.probability[a][k] = *p;
    table.threshold[a][k] = probability_threshold(*p);
    ++rows;
  }
  if (rows == 0) throw ScenarioError(name, header_line, 0, "", "no rows in the file");
  return table;
}

}  // namespace cradle
