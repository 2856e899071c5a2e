// The malformed-input corpus (tests/data/malformed/cases.tsv): each case breaks one
// shipped or fixture file the way a user might, and `cradle validate` must exit 2 with a
// message that names the file, a line above 0 and the field. The cases are data, so that
// adding one is one line; a case whose text to find is no longer in its file fails, so
// the corpus cannot rot silently when the shipped files change.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "tests/test_helpers.h"

using cradle::testing::cli;
using cradle::testing::cli_captured;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;
namespace fs = std::filesystem;

namespace {

const fs::path CORPUS = fs::path(CRADLE_SOURCE_DIR) / "tests/data/malformed";
const fs::path MICRODATA = fs::path(CRADLE_SOURCE_DIR) / "tests/data/microdata";

//! One line of a cases file.
struct Case {
  int source_line = 0;
  std::string id, scenario, file, find, replace, message_file, line, field;
  bool run = false;  // also `cradle run`: exit 2 and no output file
};

//! The text of a cell: \n, \t, \r, \\ and \xHH (any byte) unescaped.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c == 'n') {
      out += '\n';
    } else if (c == 't') {
      out += '\t';
    } else if (c == 'r') {
      out += '\r';
    } else if (c == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return cells;
    start = tab + 1;
  }
}

//! The cases of a file: tab-separated id, scenario, file, find, replace, message file,
//! line, field and an optional `run`; '#' lines and blank lines are comments.
std::vector<Case> read_cases(const fs::path& file) {
  std::ifstream in(file);
  REQUIRE(in);
  std::vector<Case> cases;
  std::string text;
  int n = 0;
  while (std::getline(in, text)) {
    ++n;
    if (text.empty() || text[0] == '#') continue;
    const std::vector<std::string> c = split_tabs(text);
    INFO(file.string() << ":" << n);
    REQUIRE((c.size() == 8 || c.size() == 9));
    Case k{n, c[0], c[1], c[2], unescape(c[3]), unescape(c[4]), c[5], c[6], c[7], c.size() == 9 && c[8] == "run"};
    cases.push_back(std::move(k));
  }
  return cases;
}

//! What an error message says: "cradle: error: FILE:LINE:COLUMN: [field 'F': ]WHAT".
struct Message {
  bool parsed = false;
  std::string file, field;
  long line = -1;
};

Message parse_message(const std::string& err) {
  static const std::regex form("cradle: error: (.+?):(-?[0-9]+):(-?[0-9]+): (field '([^']*)': )?");
  std::smatch m;
  Message out;
  if (!std::regex_search(err, m, form)) return out;
  out.parsed = true;
  out.file = m[1].str();
  out.line = std::stol(m[2].str());
  out.field = m[5].str();
  return out;
}

//! A scenario copy with the microdata fixtures in data/ and micro.toml using them (and
//! micro_h5.toml using data/persons.h5, which a case writes).
void add_microdata(const ScenarioCopy& c) {
  c.write("data/persons.csv", read_file(MICRODATA / "persons.csv"));
  c.write("data/fertility.csv", read_file(MICRODATA / "fertility.csv"));
  const std::string scenario =
      "[scenario]\nbase = \"xihu_current.toml\"\nid = \"micro\"\ntitle = \"microdata\"\n"
      "persons = \"data/persons.csv\"\npersons_weight = 100\nfertility_table = \"data/fertility.csv\"\n";
  c.write("micro.toml", scenario);
  c.write("micro_h5.toml",
          "[scenario]\nbase = \"xihu_current.toml\"\nid = \"micro_h5\"\ntitle = \"microdata\"\n"
          "persons = \"data/persons.h5\"\npersons_weight = 100\n");
}

//! Applies a case's edit; false (with the reason in `why`) if its text is not found.
bool apply_edit(const ScenarioCopy& c, const Case& k, std::string& why) {
  if (k.find == "<all>") {  // the whole file, which need not exist yet
    c.write(k.file, k.replace);
    return true;
  }
  if (!fs::exists(c.path(k.file))) {
    why = "no file " + k.file;
    return false;
  }
  std::string text = read_file(c.path(k.file));
  const auto at = text.find(k.find);
  if (at == std::string::npos) {
    why = "the text to find is not in " + k.file + " (has the file changed?)";
    return false;
  }
  text.replace(at, k.find.size(), k.replace);
  c.write(k.file, text);
  return true;
}

//! Checks that an error message names the case's file, line and field.
void check_message(const Case& k, const std::string& err) {
  const Message m = parse_message(err);
  CHECK(m.parsed);
  if (!m.parsed) return;
  const std::string shown = fs::path(k.message_file).lexically_normal().string();
  CHECK((m.file == shown || m.file.ends_with("/" + shown)));
  CHECK(m.line > 0);
  if (k.line != ">0") CHECK(std::to_string(m.line) == k.line);
  if (k.field != "-") CHECK(m.field.find(k.field) != std::string::npos);
}

//! Runs every case of a file through `cradle validate` (and `cradle run` where marked).
void run_cases(const fs::path& file) {
  const std::vector<Case> cases = read_cases(file);
  std::set<std::string> ids;
  for (const Case& k : cases) {
    INFO("case " << k.id << " (" << file.filename().string() << ":" << k.source_line << ")");
    CHECK(ids.insert(k.id).second);
    ScenarioCopy c;
    add_microdata(c);
    std::string why;
    const bool edited = apply_edit(c, k, why);
    INFO(why);
    CHECK(edited);
    if (!edited) continue;
    std::string err;
    const int code = cli_captured({"validate", c.path(k.scenario).string()}, err);
    INFO("message: " << err);
    // CRADLE_MALFORMED_PRINT=1 shows every case's message, to write a new case's line and field.
    if (std::getenv("CRADLE_MALFORMED_PRINT")) std::printf("%s\t%d\t%s", k.id.c_str(), code, err.c_str());
    CHECK(code == cradle::EXIT_BAD_INPUT);
    check_message(k, err);
    if (!k.run) continue;
    const fs::path out = c.path("out.h5");
    const int run_code =
        cli_captured({"run", c.path(k.scenario).string(), "-r", "1", "--sample", "1/100", "-o", out.string(),
                      "--quiet"},
                     err);
    CHECK(run_code == cradle::EXIT_BAD_INPUT);
    CHECK_FALSE(fs::exists(out));
    check_message(k, err);
  }
  CHECK(cases.size() >= 1);
}

//! One column of an HDF5 persons file.
struct H5Column {
  std::string name;
  std::vector<std::int64_t> values;
  hid_t file_type;
};

void write_h5(const fs::path& file, const std::vector<H5Column>& columns) {
  const hid_t f = H5Fcreate(file.string().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const H5Column& c : columns) {
    const hsize_t n = c.values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(f, c.name.c_str(), c.file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(d >= 0);
    if (n > 0) REQUIRE(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.values.data()) >= 0);
    H5Dclose(d);
    H5Sclose(space);
  }
  H5Fclose(f);
}

//! A valid persons file of two persons as HDF5 columns.
std::vector<H5Column> h5_columns() {
  return {{"person_id", {1, 2}, H5T_STD_I64LE}, {"household_id", {1, 1}, H5T_STD_I32LE},
          {"age", {30, 2}, H5T_STD_U8LE},       {"sex", {2, 1}, H5T_STD_I8LE},
          {"parity", {1, -1}, H5T_STD_I16LE},   {"mother_id", {-1, 1}, H5T_STD_I64LE},
          {"residency", {1, 1}, H5T_STD_I8LE}};
}

}  // namespace

TEST_CASE("malformed inputs: every case of the corpus exits 2 naming file, line and field", "[cli][malformed]") {
  run_cases(CORPUS / "cases.tsv");
}

TEST_CASE("malformed inputs: HDF5 persons files that are not HDF5 or lack a column", "[cli][malformed]") {
  struct H5Case {
    const char* id;
    std::function<void(const fs::path&)> write;
    const char* field;
  };
  const std::vector<H5Case> cases = {
      {"h5_not_hdf5", [](const fs::path& p) { std::ofstream(p) << "person_id,household_id\n1,1\n"; }, "-"},
      {"h5_empty_file", [](const fs::path& p) { std::ofstream{p}; }, "-"},
      {"h5_no_sex",
       [](const fs::path& p) {
         auto c = h5_columns();
         c.erase(c.begin() + 3);
         write_h5(p, c);
       },
       "sex"},
      {"h5_no_rows",
       [](const fs::path& p) {
         auto c = h5_columns();
         for (H5Column& col : c) col.values.clear();
         write_h5(p, c);
       },
       "person_id"},
      {"h5_float_age",
       [](const fs::path& p) {
         auto c = h5_columns();
         c[2].file_type = H5T_IEEE_F64LE;
         write_h5(p, c);
       },
       "age"},
      {"h5_short_column",
       [](const fs::path& p) {
         auto c = h5_columns();
         c[5].values.pop_back();
         write_h5(p, c);
       },
       "mother_id"},
      {"h5_bad_sex_code",
       [](const fs::path& p) {
         auto c = h5_columns();
         c[3].values[1] = 3;
         write_h5(p, c);
       },
       "sex"},
  };
  for (const H5Case& k : cases) {
    INFO("case " << k.id);
    ScenarioCopy c;
    add_microdata(c);
    k.write(c.path("data/persons.h5"));
    std::string err;
    const int code = cli_captured({"validate", c.path("micro_h5.toml").string()}, err);
    INFO("message: " << err);
    CHECK(code == cradle::EXIT_BAD_INPUT);
    check_message(Case{0, k.id, "", "", "", "", "data/persons.h5", ">0", k.field}, err);
  }
}

TEST_CASE("malformed inputs: what the corpus refuses is not refused when it is right", "[cli][malformed]") {
  ScenarioCopy c;
  add_microdata(c);
  // A byte-order mark, as Windows editors save UTF-8, is not a character of the text.
  c.write("xihu_baseline.toml", "\xEF\xBB\xBF" + read_file(c.path("xihu_baseline.toml")));
  c.write("data/persons.csv", "\xEF\xBB\xBF" + read_file(c.path("data/persons.csv")));
  std::string err;
  CHECK(cli_captured({"validate", c.path("xihu_current.toml").string()}, err) == cradle::EXIT_OK);
  CHECK(cli_captured({"validate", c.path("micro.toml").string()}, err) == cradle::EXIT_OK);
  // A folder where a file belongs says so.
  const ScenarioCopy d;
  d.edit("xihu_current.toml", "\"packages/002_xihu.toml\"]", "\"packages\"]");
  CHECK(cli_captured({"validate", d.path("xihu_current.toml").string()}, err) == cradle::EXIT_BAD_INPUT);
  INFO(err);
  CHECK(err.find("folder") != std::string::npos);
}
