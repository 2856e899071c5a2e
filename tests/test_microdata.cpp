#include <hdf5.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/calendar.h"
#include "models/fertility.h"
#include "models/measures/measure.h"
#include "models/probability.h"
#include "output/h5.h"
#include "sim/input/fertility_table.h"
#include "sim/population/microdata.h"
#include "sim/population/population.h"
#include "sim/random/rng.h"
#include "sim/random/stream_ids.h"
#include "tests/test_helpers.h"

using namespace cradle;
namespace fs = std::filesystem;

namespace {

constexpr int BASE_YEAR = 2025;
constexpr std::int64_t E = -1;  // an empty HDF5 cell

fs::path fixture(const std::string& name) { return fs::path(CRADLE_SOURCE_DIR) / "tests/data/microdata" / name; }

//! A temporary directory removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cradle-microdata-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << text;
    return dir_ / name;
  }
  fs::path path(const std::string& name) const { return dir_ / name; }

 private:
  fs::path dir_;
};

//! The default profile with three income bands and no drawn flags, so that the
//! fixture's flags are exactly what the file says.
PlaceProfile fixture_profile() {
  PlaceProfile p = cradle::testing::default_scenario().profile;
  p.households.income_band_shares = {0.3, 0.4, 0.3};
  p.households.income_band_relative = {0.6, 1.0, 1.4};
  p.special_family_share = 0;
  p.households.priority_group_share = 0;
  return p;
}

//! One column of an HDF5 persons file, written with its own file type.
struct H5Column {
  std::string name;
  std::vector<std::int64_t> values;
  hid_t file_type;
};

void write_h5_persons(const fs::path& file, const std::string& group, const std::vector<H5Column>& columns) {
  h5::silence_errors();
  h5::Handle f(H5Fcreate(file.string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), h5::Kind::file,
               file.string());
  h5::Handle g = group.empty() ? h5::Handle(H5Gopen2(f.id(), "/", H5P_DEFAULT), h5::Kind::group, "/")
                               : h5::Handle(H5Gcreate2(f.id(), group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                            h5::Kind::group, group);
  for (const H5Column& c : columns) {
    const hsize_t n = c.values.size();
    h5::Handle space(H5Screate_simple(1, &n, nullptr), h5::Kind::dataspace, c.name);
    h5::Handle d(H5Dcreate2(g.id(), c.name.c_str(), c.file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                 h5::Kind::dataset, c.name);
    if (n > 0) REQUIRE(H5Dwrite(d.id(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.values.data()) >= 0);
  }
}

//! The fixture persons.csv as HDF5 columns (codes: sex 1 M / 2 F, residency 1 local,
//! employment 0 both / 1 one, tenure 0 owner / 1 renter, -1 empty), in several integer types.
std::vector<H5Column> fixture_columns() {
  return {
      {"person_id", {101, 102, 103, 104, 201, 202, 301, 401, 402, 403, 404, 405, 105, 501, 502}, H5T_STD_I64LE},
      {"household_id", {10, 10, 10, 10, 20, 20, 30, 40, 40, 40, 40, 40, 10, 50, 50}, H5T_STD_I32LE},
      {"age", {34, 36, 1, 4, 63, 5, 45, 27, 0, 0, 16, 49, 60, 30, 29}, H5T_STD_U8LE},
      {"sex", {2, 1, 1, 2, 2, 1, 1, 2, 2, 1, 2, 2, 2, 1, 2}, H5T_STD_I8LE},
      {"parity", {2, E, E, E, 3, E, E, 3, E, E, 0, 4, E, E, 0}, H5T_STD_I16BE},
      {"mother_id", {E, E, 101, 101, E, E, E, E, 401, 401, 401, E, E, E, E}, H5T_STD_I64LE},
      {"residency", {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1}, H5T_STD_I8LE},
      {"income_band", {2, 2, E, E, E, E, E, 1, E, E, E, E, E, E, E}, H5T_STD_I32LE},
      {"employment", {0, 0, E, E, E, E, E, 1, E, E, E, 1, E, E, E}, H5T_STD_I8LE},
      {"tenure", {0, 0, E, E, E, E, E, 1, E, E, E, E, E, E, E}, H5T_STD_I8LE},
      {"special_family", {E, E, E, E, E, E, E, 1, E, E, E, E, E, E, E}, H5T_STD_I8LE},
      {"priority_group", {E, E, E, E, E, E, 1, E, E, E, E, E, E, E, E}, H5T_STD_I8LE},
      {"birth_month", {E, E, 3, 11, E, E, E, E, 6, 6, E, E, E, E, E}, H5T_STD_I32LE},
      {"birth_order", {E, E, E, E, E, 2, E, E, E, E, E, E, E, E, E}, H5T_STD_I64LE},
  };
}

void require_same(const BasePopulation& a, const BasePopulation& b) {
  REQUIRE(a.base_year == b.base_year);
  REQUIRE(a.weight == b.weight);
  REQUIRE(a.persons == b.persons);
  REQUIRE(a.household_size == b.household_size);
  REQUIRE(a.household_income_band == b.household_income_band);
  REQUIRE(a.household_employment == b.household_employment);
  REQUIRE(a.household_tenure == b.household_tenure);
  REQUIRE(a.household_flags == b.household_flags);
  REQUIRE(a.woman_household == b.woman_household);
  REQUIRE(a.woman_birth_year == b.woman_birth_year);
  REQUIRE(a.woman_parity == b.woman_parity);
  REQUIRE(a.woman_flags == b.woman_flags);
  REQUIRE(a.child_household == b.child_household);
  REQUIRE(a.child_birth_month == b.child_birth_month);
  REQUIRE(a.child_birth_order == b.child_birth_order);
  REQUIRE(a.child_mother == b.child_mother);
  REQUIRE(a.blocks.size() == b.blocks.size());
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    REQUIRE(a.blocks[i].household_begin == b.blocks[i].household_begin);
    REQUIRE(a.blocks[i].household_end == b.blocks[i].household_end);
    REQUIRE(a.blocks[i].woman_begin == b.blocks[i].woman_begin);
    REQUIRE(a.blocks[i].woman_end == b.blocks[i].woman_end);
    REQUIRE(a.blocks[i].child_begin == b.blocks[i].child_begin);
    REQUIRE(a.blocks[i].child_end == b.blocks[i].child_end);
  }
}

//! The error loading a persons file must raise.
ScenarioError persons_error(const fs::path& file, const PlaceProfile& profile = fixture_profile()) {
  try {
    load_persons(file, profile, BASE_YEAR, 1);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no ScenarioError from " << file);
  throw std::logic_error("unreachable");
}

ScenarioError fertility_error(const fs::path& file) {
  try {
    load_fertility_table(file);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("no ScenarioError from " << file);
  throw std::logic_error("unreachable");
}

void require_error(const ScenarioError& e, const fs::path& file, int line, int column, const std::string& field,
                   const std::string& says = "") {
  INFO(e.what());
  REQUIRE(e.file() == file.string());
  REQUIRE(e.line() == line);
  REQUIRE(e.column() == column);
  REQUIRE(e.field() == field);
  if (!says.empty()) REQUIRE(std::string(e.what()).find(says) != std::string::npos);
}

//! A check of one bad file: writes `text` as <name>.csv in `tmp`, loads it with
//! `error_of` and requires the error to name that file, line, column and field.
template <class ErrorOf>
auto bad_file_check(const TempDir& tmp, ErrorOf error_of) {
  return [&tmp, error_of](const std::string& name, const std::string& text, int line, int column,
                          const std::string& field, const std::string& says = "") {
    INFO(name);
    const fs::path file = tmp.write(name + ".csv", text);
    require_error(error_of(file), file, line, column, field, says);
  };
}

const std::string HEADER = "person_id,household_id,age,sex,parity,mother_id,residency\n";

}  // namespace

TEST_CASE("microdata: the fixture persons file loads as the population it describes", "[microdata]") {
  const BasePopulation p = load_persons(fixture("persons.csv"), fixture_profile(), BASE_YEAR, 42, 3);
  REQUIRE(p.base_year == BASE_YEAR);
  REQUIRE(p.weight == 3);
  REQUIRE(p.persons == 15);

  // Households in order of first appearance: 10, 20, 30, 40, 50.
  REQUIRE(p.household_size == Column<std::uint8_t>{5, 2, 1, 5, 2});
  const std::uint8_t L = FLAG_LOCAL_RESIDENT, S = FLAG_SPECIAL_FAMILY, P = FLAG_PRIORITY_GROUP;
  // 30 is in a priority group by its column, 40 non-local and special, 50 local through one member.
  REQUIRE(p.household_flags == Column<std::uint8_t>{L, L, static_cast<std::uint8_t>(L | P), S, L});
  // Attributes stated for 10 and 40 (income band 1-based in the file, 0-based here).
  REQUIRE(p.household_income_band[0] == 1);
  REQUIRE(p.household_employment[0] == static_cast<std::uint8_t>(Employment::both));
  REQUIRE(p.household_tenure[0] == static_cast<std::uint8_t>(Tenure::owner));
  REQUIRE(p.household_income_band[3] == 0);
  REQUIRE(p.household_employment[3] == static_cast<std::uint8_t>(Employment::one));
  REQUIRE(p.household_tenure[3] == static_cast<std::uint8_t>(Tenure::renter));
  for (std::size_t h = 0; h < p.households(); ++h) {
    REQUIRE(p.household_income_band[h] < 3);
    REQUIRE(p.household_employment[h] < EMPLOYMENT_CLASSES);
    REQUIRE(p.household_tenure[h] < TENURE_CLASSES);
  }

  // Women: the females 0-49 (not the grandmothers of 60 and 63), sorted by household and
  // birth year (born 2024 - age), so the aunt of 49 comes before the mother of the twins.
  REQUIRE(p.women() == 7);
  REQUIRE(p.woman_household == Column<std::uint32_t>{0, 0, 3, 3, 3, 3, 4});
  REQUIRE(p.woman_birth_year == Column<std::int16_t>{1990, 2020, 1975, 1997, 2008, 2024, 1995});
  REQUIRE(p.woman_parity == Column<std::uint8_t>{2, 0, 4, 3, 0, 0, 0});
  REQUIRE(p.woman_flags == Column<std::uint8_t>{L, L, S, S, S, S, L});

  // Children: everyone 0-6, by household and birth month. Orders from the mothers'
  // parities: 101 (parity 2) has 104 (1st) and 103 (2nd); 401 (parity 3) the twins
  // 402 (2nd) and 403 (3rd, listed later); 202 has no mother but a stated order.
  REQUIRE(p.children() == 5);
  KeyedStream month_stream(42, stream::GENERATION_REPLICATION, StreamKey{5, 0, 0, stream::BIRTH_MONTH});
  const int drawn_month = 1 + static_cast<int>(month_stream.below(12));  // person row 5 (202)
  REQUIRE(p.child_household == Column<std::uint32_t>{0, 0, 1, 3, 3});
  REQUIRE(p.child_birth_month == Column<MonthIndex>{month_index(2020, 11), month_index(2023, 3),
                                                    month_index(2019, drawn_month), month_index(2024, 6),
                                                    month_index(2024, 6)});
  REQUIRE(p.child_birth_order == Column<std::uint8_t>{1, 2, 2, 2, 3});
  // Mothers point into the sorted women: 101 is woman 0, 401 moved to 3 behind the aunt.
  REQUIRE(p.child_mother == Column<std::uint32_t>{0, 0, NO_MOTHER, 3, 3});
  REQUIRE(p.woman_birth_year[p.child_mother[3]] == 1997);

  // Every person of the file is one resident record: the girls 0-6 are children whose own
  // woman records stand for them from age 8; everyone else (men, boys 7 and over, women
  // 50 and over: the grandmothers of 60 and 63) is another resident.
  REQUIRE(count_residents(p) == static_cast<std::size_t>(p.persons));
  const auto girls = std::count_if(p.child_woman.begin(), p.child_woman.end(), [](std::uint32_t w) { return w != NO_WOMAN; });
  REQUIRE(girls == 2);  // born 2020 and 2024
  REQUIRE(p.others() == static_cast<std::size_t>(p.persons) - p.women() - (p.children() - 2));
  REQUIRE(std::count(p.person_birth_year.begin(), p.person_birth_year.end(), std::int16_t{2024 - 60}) +
              std::count(p.person_birth_year.begin(), p.person_birth_year.end(), std::int16_t{2024 - 63}) >=
          2);

  REQUIRE(p.blocks.size() == 1);
  REQUIRE(p.blocks[0].woman_end == 7);
  REQUIRE(p.blocks[0].child_end == 5);
  REQUIRE(p.blocks[0].person_end == p.others());
}

TEST_CASE("microdata: an HDF5 persons file loads the same population as its CSV twin", "[microdata]") {
  const TempDir tmp;
  const PlaceProfile profile = fixture_profile();
  const BasePopulation csv = load_persons(fixture("persons.csv"), profile, BASE_YEAR, 42, 2);

  SECTION("columns in the group /persons") {
    const fs::path file = tmp.path("persons.h5");
    write_h5_persons(file, "/persons", fixture_columns());
    require_same(csv, load_persons(file, profile, BASE_YEAR, 42, 2));
  }
  SECTION("columns in the root group, beside another group") {
    const fs::path file = tmp.path("persons.HDF5");
    write_h5_persons(file, "", fixture_columns());
    {
      h5::Handle f(H5Fopen(file.string().c_str(), H5F_ACC_RDWR, H5P_DEFAULT), h5::Kind::file, file.string());
      h5::Handle g(H5Gcreate2(f.id(), "notes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), h5::Kind::group, "notes");
    }
    require_same(csv, load_persons(file, profile, BASE_YEAR, 42, 2));
  }
}

TEST_CASE("microdata: attributes a file leaves out are drawn from the profile, reproducibly from the seed",
          "[microdata]") {
  // 2,000 households of 1 to 4 persons, every fifth non-local; no optional columns.
  std::ostringstream text;
  text << HEADER;
  std::int64_t id = 1;
  for (int h = 0; h < 2000; ++h) {
    const int size = 1 + h % 4;
    const char* residency = h % 5 == 0 ? "nonlocal" : "local";
    const std::int64_t mother = id;
    const int parity = size >= 3 ? 1 + h % 2 : 0;
    text << id++ << ',' << h << ',' << 20 + h % 25 << ",F," << parity << ",," << residency << '\n';
    if (size >= 2) text << id++ << ',' << h << ',' << 30 + h % 20 << ",M,,," << residency << '\n';
    if (size >= 3) text << id++ << ',' << h << ',' << h % 7 << ",M,," << mother << ',' << residency << '\n';
    if (size >= 4) text << id++ << ',' << h << ",70,F,,," << residency << '\n';
  }
  const TempDir tmp;
  const fs::path file = tmp.write("big.csv", text.str());
  PlaceProfile profile = cradle::testing::default_scenario().profile;
  profile.households.income_band_shares = {0.2, 0.3, 0.5};
  profile.households.income_band_relative = {0.5, 0.8, 1.3};
  profile.households.tenure_shares = {0.7, 0.3};
  profile.households.nonlocal_renter_odds = 20;
  profile.special_family_share = 0.1;
  profile.households.priority_group_share = 0.05;

  const BasePopulation a = load_persons(file, profile, BASE_YEAR, 1);
  const BasePopulation b = load_persons(file, profile, BASE_YEAR, 1);
  const BasePopulation c = load_persons(file, profile, BASE_YEAR, 2);
  require_same(a, b);
  REQUIRE(a.households() == 2000);
  REQUIRE(a.children() == 1000);
  REQUIRE(a.household_income_band != c.household_income_band);
  REQUIRE(a.household_employment != c.household_employment);
  REQUIRE(a.household_flags != c.household_flags);
  REQUIRE(a.child_birth_month != c.child_birth_month);
  // Orders come from the file, not the seed: each mother's only child has her parity.
  REQUIRE(a.child_birth_order == c.child_birth_order);
  for (std::size_t i = 0; i < a.children(); ++i) {
    REQUIRE(a.child_birth_order[i] == a.woman_parity[a.child_mother[i]]);
    const int year = a.child_birth_month[i] / 12;
    REQUIRE(year >= BASE_YEAR - BURN_IN_YEARS);
    REQUIRE(year <= BASE_YEAR - 1);
  }

  // The drawn shares follow the profile (about 4.5 standard errors at n = 2,000), and
  // tenure is drawn given registration: non-local households rent far more often.
  std::array<double, 3> band{};
  double special = 0, priority = 0, local_renters = 0, locals = 0, nonlocal_renters = 0, nonlocals = 0;
  for (std::size_t h = 0; h < a.households(); ++h) {
    band[a.household_income_band[h]] += 1.0 / 2000;
    special += (a.household_flags[h] & FLAG_SPECIAL_FAMILY) ? 1.0 / 2000 : 0;
    priority += (a.household_flags[h] & FLAG_PRIORITY_GROUP) ? 1.0 / 2000 : 0;
    const bool local = a.household_flags[h] & FLAG_LOCAL_RESIDENT;
    REQUIRE(local == (h % 5 != 0));
    (local ? locals : nonlocals) += 1;
    (local ? local_renters : nonlocal_renters) += a.household_tenure[h] == 1 ? 1 : 0;
  }
  REQUIRE(band[0] == Approx(0.2).margin(0.05));
  REQUIRE(band[1] == Approx(0.3).margin(0.05));
  REQUIRE(band[2] == Approx(0.5).margin(0.05));
  REQUIRE(special == Approx(0.1).margin(0.03));
  REQUIRE(priority == Approx(0.05).margin(0.025));
  REQUIRE(nonlocal_renters / nonlocals > 2 * (local_renters / locals));
}

TEST_CASE("microdata: a drawn household type respects the attributes the file states", "[microdata]") {
  // Band stated for every household, employment and tenure drawn: the band stays.
  std::ostringstream text;
  text << "person_id,household_id,age,sex,parity,mother_id,residency,income_band\n";
  for (int h = 0; h < 300; ++h) text << h << ',' << h << ",40,M,,,local," << 1 + h % 3 << '\n';
  const TempDir tmp;
  const BasePopulation p = load_persons(tmp.write("banded.csv", text.str()), fixture_profile(), BASE_YEAR, 9);
  std::set<std::uint8_t> tenures;
  for (std::size_t h = 0; h < p.households(); ++h) {
    REQUIRE(p.household_income_band[h] == h % 3);
    tenures.insert(p.household_tenure[h]);
  }
  REQUIRE(tenures.size() == 2);
}

TEST_CASE("microdata: a household type is drawn even when the profile has no household of its registration",
          "[microdata]") {
  PlaceProfile profile = fixture_profile();
  profile.local_residency_share = 1.0;  // every fitted non-local cell has share 0
  const BasePopulation p = load_persons(fixture("persons.csv"), profile, BASE_YEAR, 42);
  REQUIRE(p.household_flags[3] == FLAG_SPECIAL_FAMILY);
  REQUIRE(p.household_tenure[3] == static_cast<std::uint8_t>(Tenure::renter));
}

TEST_CASE("microdata: a mother of 50 or more is not among the women but gives her child its order", "[microdata]") {
  const TempDir tmp;
  const fs::path file = tmp.write("old_mother.csv", HEADER + "1,7,52,F,2,,local\n2,7,6,F,,1,local\n");
  const BasePopulation p = load_persons(file, fixture_profile(), BASE_YEAR, 1);
  REQUIRE(p.women() == 1);  // the girl
  REQUIRE(p.children() == 1);
  REQUIRE(p.child_mother[0] == NO_MOTHER);
  REQUIRE(p.child_birth_order[0] == 2);
  REQUIRE(p.child_birth_month[0] / 12 == 2018);
}

TEST_CASE("microdata: a persons file's weight must be at least 1", "[microdata]") {
  REQUIRE_THROWS_AS(load_persons(fixture("persons.csv"), fixture_profile(), BASE_YEAR, 1, 0), std::invalid_argument);
}

TEST_CASE("microdata: bad persons CSV files name the file, line, column and field", "[microdata]") {
  const TempDir tmp;
  const auto check = bad_file_check(tmp, [](const fs::path& f) { return persons_error(f); });
  check("unknown_column", "person_id,household_id,age,colour,sex,parity,mother_id,residency\n", 1, 4, "colour",
        "unknown column");
  check("missing_column", "person_id,household_id,age,sex,parity,mother_id\n1,1,30,M,,\n", 1, 0, "residency",
        "missing");
  check("repeated_column", "person_id,household_id,age,sex,parity,mother_id,residency,age\n", 1, 8, "age");
  check("empty_file", "", 1, 1, "header", "empty");
  check("no_persons", HEADER + "# nobody\n\n", 1, 0, "person_id", "no persons");
  check("duplicate_id", HEADER + "1,1,30,M,,,local\n2,1,31,M,,,local\n1,2,40,M,,,local\n", 4, 1, "person_id", "line 2");
  check("age_range", HEADER + "1,1,121,M,,,local\n", 2, 3, "age");
  check("age_text", HEADER + "1,1,3.5,M,,,local\n", 2, 3, "age", "integer");
  check("age_empty", HEADER + "1,1,,M,,,local\n", 2, 3, "age", "required");
  check("sex", HEADER + "1,1,30,X,,,local\n", 2, 4, "sex");
  check("residency", HEADER + "1,1,30,M,,,abroad\n", 2, 7, "residency");
  check("parity_needed", HEADER + "1,1,30,M,,,local\n2,1,30,F,,,local\n", 3, 5, "parity", "15 to 49");
  check("parity_range", HEADER + "1,1,30,F,31,,local\n", 2, 5, "parity");
  check("mother_unknown", HEADER + "1,1,30,F,1,,local\n2,1,3,M,,9,local\n", 3, 6, "mother_id", "9");
  check("mother_male", HEADER + "1,1,30,M,,,local\n2,1,3,M,,1,local\n", 3, 6, "mother_id", "not female");
  check("mother_elsewhere", HEADER + "1,1,30,F,1,,local\n2,2,3,M,,1,local\n", 3, 6, "mother_id", "household");
  check("mother_younger", HEADER + "1,1,3,F,,,local\n2,1,5,M,,1,local\n", 3, 6, "mother_id", "not older");
  check("mother_self", HEADER + "1,1,3,F,,1,local\n", 2, 6, "mother_id");
  check("parity_too_low", HEADER + "1,1,30,F,1,,local\n2,1,3,M,,1,local\n3,1,1,F,,1,local\n", 3, 6, "mother_id",
        "too low");
  check("no_order", HEADER + "1,1,63,F,2,,local\n2,1,3,M,,,local\n", 3, 0, "birth_order", "not in the file");
  check("no_order_column_empty",
        "person_id,household_id,age,sex,parity,mother_id,residency,birth_order\n1,1,3,M,,,local,\n", 2, 8,
        "birth_order");
  check("tenure_disagrees",
        "person_id,household_id,tenure,age,sex,parity,mother_id,residency\n1,1,owner,30,M,,,local\n"
        "2,1,,30,M,,,local\n3,1,renter,3,M,,,local\n",
        4, 3, "tenure", "line 2");
  check("income_band_range",
        "person_id,household_id,age,sex,parity,mother_id,residency,income_band\n1,1,30,M,,,local,4\n", 2, 8,
        "income_band", "1 to 3");
  check("employment_text",
        "person_id,household_id,age,sex,parity,mother_id,residency,employment\n1,1,30,M,,,local,all\n", 2, 8,
        "employment");
  check("birth_month", "person_id,household_id,age,sex,parity,mother_id,residency,birth_month\n1,1,3,M,,,local,13\n", 2,
        8, "birth_month");
  check("special_family",
        "person_id,household_id,age,sex,parity,mother_id,residency,special_family\n1,1,30,M,,,local,2\n", 2, 8,
        "special_family");
  check("too_many_fields", HEADER + "1,1,30,M,,,local,extra\n", 2, 8, "column 8");
  check("too_few_fields", HEADER + "1,1,30,M\n", 2, 5, "parity");
  check("unterminated_quote", HEADER + "1,1,\"30,M,,,local\n", 2, 3, "age");
}

TEST_CASE("microdata: bad HDF5 persons files name the file, row and dataset", "[microdata]") {
  const TempDir tmp;
  const fs::path file = tmp.path("bad.h5");
  std::vector<H5Column> columns = fixture_columns();
  auto column = [&](const std::string& name) -> H5Column& {
    for (H5Column& c : columns) {
      if (c.name == name) return c;
    }
    throw std::logic_error("no column " + name);
  };
  SECTION("a bad code on a row") {
    column("sex").values[2] = 3;
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 3, 0, "sex", "1 (male) or 2 (female)");
  }
  SECTION("a required value missing") {
    column("residency").values[4] = E;
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 5, 0, "residency", "required");
  }
  SECTION("a duplicate person_id") {
    column("person_id").values[9] = 101;
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 10, 0, "person_id", "already used on row 1");
  }
  SECTION("a mother's parity too low for her children") {
    column("parity").values[7] = 1;
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 9, 0, "mother_id", "too low");
  }
  SECTION("datasets of different lengths") {
    column("age").values.pop_back();
    write_h5_persons(file, "/persons", columns);
    const ScenarioError e = persons_error(file);
    REQUIRE(e.line() == 1);
    REQUIRE((e.field() == "age" || std::string(e.what()).find("age") != std::string::npos));
  }
  SECTION("a required dataset missing") {
    columns.erase(columns.begin() + 6);  // residency
    write_h5_persons(file, "", columns);
    require_error(persons_error(file), file, 1, 0, "residency", "missing");
  }
  SECTION("an unknown dataset") {
    columns.push_back({"shoe_size", std::vector<std::int64_t>(15, 40), H5T_STD_I32LE});
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 1, 0, "shoe_size", "unknown");
  }
  SECTION("a dataset that is not integer") {
    column("age").file_type = H5T_IEEE_F64LE;
    write_h5_persons(file, "/persons", columns);
    require_error(persons_error(file), file, 1, 0, "age", "integer");
  }
  SECTION("a file that is not HDF5") {
    const fs::path text = tmp.write("not.h5", "person_id\n");
    require_error(persons_error(text), text, 1, 1, "format", "not an HDF5 file");
  }
}

TEST_CASE("microdata: a fertility table loads probabilities and thresholds by age and parity", "[microdata]") {
  const FertilityTable t = load_fertility_table(fixture("fertility.csv"));
  REQUIRE(t.probability[15][0] == 0.02);
  REQUIRE(t.probability[25][0] == 0.10);
  REQUIRE(t.probability[25][1] == 0.12);
  REQUIRE(t.probability[25][2] == 0.03);  // written 2+
  REQUIRE(t.probability[30][0] == 0.15);
  REQUIRE(t.probability[45][1] == 0.004);  // quoted
  REQUIRE(t.probability[49][2] == 0.05);
  REQUIRE(t.p(25, 5) == 0.03);  // parity 5 is in the 2+ class
  REQUIRE(t.probability[30][1] == 0);
  REQUIRE(t.probability[20][0] == 0);
  double total = 0;
  for (int a = 0; a < MAX_AGE; ++a) {
    for (int k = 0; k < PARITY_CLASSES; ++k) {
      const auto au = static_cast<std::size_t>(a), ku = static_cast<std::size_t>(k);
      total += t.probability[au][ku];
      REQUIRE(t.threshold[au][ku] == probability_threshold(t.probability[au][ku]));
    }
  }
  REQUIRE(total == Approx(0.02 + 0.10 + 0.12 + 0.03 + 0.15 + 0.05 + 0.004));
  REQUIRE(t.threshold[25][1] > t.threshold[25][0]);
}

TEST_CASE("microdata: bad fertility tables name the file, line, column and field", "[microdata]") {
  const TempDir tmp;
  const auto check = bad_file_check(tmp, fertility_error);
  const std::string header = "age,parity,probability\n";
  check("age_low", header + "20,0,0.1\n14,0,0.1\n", 3, 1, "age", "15");
  check("age_high", header + "50,1,0.1\n", 2, 1, "age");
  check("parity_3", header + "30,3,0.01\n", 2, 2, "parity", "0, 1 and 2+");
  check("parity_negative", header + "30,-1,0.01\n", 2, 2, "parity");
  check("parity_text", header + "30,3+,0.01\n", 2, 2, "parity");
  check("probability_high", header + "30,0,0.95\n", 2, 3, "probability", "0.9");
  check("probability_negative", header + "30,0,-0.1\n", 2, 3, "probability");
  check("probability_text", header + "30,0,high\n", 2, 3, "probability");
  check("probability_empty", header + "30,0,\n", 2, 3, "probability");
  check("duplicate", header + "30,2,0.01\n31,2,0.01\n30,2+,0.02\n", 4, 1, "age", "line 2");
  check("unknown_column", "age,parity,probability,source\n", 1, 4, "source", "unknown");
  check("missing_column", "parity,age\n0,30\n", 1, 0, "probability", "missing");
  check("no_rows", header, 1, 0, "age", "no rows");
  check("fields", header + "30,0\n", 2, 3, "probability");
  check("too_many", header + "30,0,0.1,x\n", 2, 4, "column 4");
  check("chinese_commas", header + "30，0，0.1\n", 2, 2, "parity", "Chinese");
  check("empty", "", 1, 1, "header", "empty");
  const fs::path absent = tmp.path("absent.csv");
  require_error(fertility_error(absent), absent, 0, 0, "");
}

TEST_CASE("microdata: the examples of scenarios/MICRODATA.md load as the text says", "[microdata]") {
  // Each ```csv block of the reference, in order: the persons example, then the fertility one.
  const std::string doc = cradle::testing::read_file(fs::path(CRADLE_SOURCE_DIR) / "scenarios/MICRODATA.md");
  std::vector<std::string> blocks;
  for (std::size_t at = doc.find("```csv\n"); at != std::string::npos; at = doc.find("```csv\n", at)) {
    at += 7;
    const std::size_t end = doc.find("```", at);
    REQUIRE(end != std::string::npos);
    blocks.push_back(doc.substr(at, end - at));
    at = end + 3;
  }
  REQUIRE(blocks.size() == 2);
  const TempDir tmp;
  const BasePopulation p = load_persons(tmp.write("example.csv", blocks[0]), fixture_profile(), BASE_YEAR, 5);
  REQUIRE(p.households() == 2);
  REQUIRE(p.women() == 2);  // the mother and her daughter; the grandmother is 62
  REQUIRE(p.children() == 3);
  REQUIRE(p.child_birth_order == Column<std::uint8_t>{1, 2, 1});
  REQUIRE(p.child_mother == Column<std::uint32_t>{0, 0, NO_MOTHER});
  REQUIRE(p.household_flags[1] == 0);  // non-local; the example's profile draws no flags
  REQUIRE(p.household_tenure == Column<std::uint8_t>{0, 1});
  const FertilityTable t = load_fertility_table(tmp.write("example_fertility.csv", blocks[1]));
  REQUIRE(t.p(25, 4) == 0.03);
}
