// output/FORMAT.md against the results variable table (output/variables.h): every variable the
// writer writes is documented, with the same axes, dtype and units where FORMAT.md states them,
// and every dataset FORMAT.md documents is one the writer writes.
#include <catch2/catch.hpp>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "output/variables.h"

namespace {

using cradle::Variable;
using cradle::VariableGroup;

// One dataset as a row of one of FORMAT.md's dataset tables states it.
struct Documented {
  VariableGroup group;
  std::string name;
  std::optional<std::vector<std::string>> axes;  // none where the table has no axes column
  std::optional<std::string> dtype;
  std::optional<std::string> units;  // none where the table has no units column or leaves it blank
  int line = 0;
};

std::string trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string strip_ticks(std::string text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '`' && text.back() == '`') text = text.substr(1, text.size() - 2);
  return text == "\"\"" ? "" : text;
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> result;
  std::stringstream in(trim(row).substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) result.push_back(trim(cell));
  return result;
}

// The names in a dataset cell: every `quoted` one; a trailing _* stands for each summary statistic.
std::vector<std::string> names_in(const std::string& cell) {
  std::vector<std::string> names;
  for (std::size_t open = cell.find('`'); open != std::string::npos; open = cell.find('`', open)) {
    const std::size_t close = cell.find('`', open + 1);
    const std::string name = cell.substr(open + 1, close - open - 1);
    open = close + 1;
    if (name.size() > 2 && name.compare(name.size() - 2, 2, "_*") == 0) {
      for (const cradle::SummaryStatistic& statistic : cradle::summary_statistics()) {
        names.push_back(name.substr(0, name.size() - 2) + statistic.suffix);
      }
    } else {
      names.push_back(name);
    }
  }
  return names;
}

std::vector<std::string> axes_in(const std::string& cell, const std::string& name) {
  if (trim(cell) == "itself") return {name};
  std::vector<std::string> axes;
  std::stringstream in(cell);
  std::string axis;
  while (std::getline(in, axis, ',')) axes.push_back(strip_ticks(axis));
  return axes;
}

// The group a `## Group` heading opens; none for the root, /runtime or any other section.
std::optional<VariableGroup> group_of(const std::string& heading) {
  if (heading.find("Group `/base_population`") != std::string::npos) return VariableGroup::base_population;
  if (heading.find("Group `/scenarios/<id>/summary/`") != std::string::npos) return VariableGroup::summary;
  if (heading.find("Group `/scenarios/<id>/`") != std::string::npos) return VariableGroup::scenario;
  if (heading.find("Group `/comparisons/<baseline>--<reform>/`") != std::string::npos) return VariableGroup::comparison;
  return std::nullopt;
}

int column(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    for (const char* name : names) {
      if (header[i] == name) return static_cast<int>(i);
    }
  }
  return -1;
}

// Every row of every table whose first column is headed `dataset` or `datasets`, outside the
// sections that do not describe one group (the root attributes, /runtime, reading examples).
std::vector<Documented> parse_format(std::istream& in) {
  std::vector<Documented> rows;
  std::optional<VariableGroup> group;
  std::vector<std::string> header;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.rfind("## ", 0) == 0) group = group_of(line);
    if (line.rfind("#", 0) == 0) header.clear();
    if (trim(line).rfind("|", 0) != 0) {
      header.clear();
      continue;
    }
    const std::vector<std::string> row = cells(line);
    if (header.empty()) {
      header = row;
      continue;
    }
    if (row.front().rfind("---", 0) == 0 || !group || (header[0] != "dataset" && header[0] != "datasets")) continue;
    const int axes = column(header, {"axes"}), dtype = column(header, {"dtype", "type"});
    const int units = column(header, {"units"});
    for (const std::string& name : names_in(row[0])) {
      Documented d{*group, name, std::nullopt, std::nullopt, std::nullopt, number};
      if (axes >= 0) d.axes = axes_in(row.at(static_cast<std::size_t>(axes)), name);
      if (dtype >= 0) d.dtype = strip_ticks(row.at(static_cast<std::size_t>(dtype)));
      if (units >= 0 && !row.at(static_cast<std::size_t>(units)).empty()) {
        d.units = strip_ticks(row.at(static_cast<std::size_t>(units)));
      }
      rows.push_back(d);
    }
  }
  return rows;
}

std::vector<Documented> format_rows() {
  // Tests run in the source root (tests/CMakeLists.txt sets the working directory).
  std::ifstream in("output/FORMAT.md");
  REQUIRE(in.good());
  return parse_format(in);
}

std::string group_name(VariableGroup group) {
  switch (group) {
    case VariableGroup::base_population: return "/base_population";
    case VariableGroup::scenario: return "/scenarios/<id>";
    case VariableGroup::summary: return "/scenarios/<id>/summary";
    case VariableGroup::comparison: return "/comparisons/<baseline>--<reform>";
  }
  return "?";
}

// The table's entry a documented row names, with the value its name pattern takes: the entry of
// that very name, else the pattern with the longest fixed part (`<attribute>` matches any name).
std::optional<std::pair<const Variable*, std::string>> entry_of(const Documented& d) {
  std::optional<std::pair<const Variable*, std::string>> found;
  std::size_t fixed = 0;
  for (const Variable& variable : cradle::results_variables()) {
    if (variable.group != d.group) continue;
    if (variable.name == d.name) return {{&variable, ""}};
    const std::optional<std::string> attribute = cradle::match_name(variable.name, d.name);
    const std::size_t length = variable.name.size() - cradle::NAME_PLACEHOLDER.size();
    if (attribute && (!found || length > fixed)) {
      found = {{&variable, *attribute}};
      fixed = length;
    }
  }
  return found;
}

}  // namespace

TEST_CASE("FORMAT.md's dataset tables are parsed", "[unit][format]") {
  const std::vector<Documented> rows = format_rows();
  auto documented = [&](VariableGroup group, const std::string& name) {
    for (const Documented& d : rows) {
      if (d.group == group && d.name == name) return true;
    }
    return false;
  };
  CHECK(documented(VariableGroup::scenario, "outlay"));
  CHECK(documented(VariableGroup::scenario, "measure_kind"));
  CHECK(documented(VariableGroup::summary, "budget_share_p95"));
  CHECK(documented(VariableGroup::base_population, "households_by_<attribute>"));
  CHECK(documented(VariableGroup::base_population, "income_band"));
  CHECK_FALSE(documented(VariableGroup::scenario, "filetype"));  // a root attribute, not a dataset

  std::istringstream sample(
      "## Group `/scenarios/<id>/`\n\n| dataset | axes | dtype | units | content |\n|---|---|---|---|---|\n"
      "| `a`, `b` | replication, year | int64 | `fen` | x |\n\n## Group `/runtime`\n\n"
      "| dataset | type |\n|---|---|\n| `c` | float64 |\n");
  const std::vector<Documented> parsed = parse_format(sample);
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[1].name == "b");
  CHECK(parsed[1].axes == std::vector<std::string>{"replication", "year"});
  CHECK(parsed[1].units == "fen");
}

TEST_CASE("every results variable is documented in FORMAT.md, with its axes, dtype and units", "[unit][format]") {
  const std::vector<Documented> rows = format_rows();
  for (const Variable& variable : cradle::results_variables()) {
    INFO(group_name(variable.group) << "/" << variable.name << " (output/variables.cpp)");
    // The summary group's scales and labels are copies of the scenario group's (FORMAT.md says so).
    const Variable* documented = &variable;
    // So are the comparison group's, except the two scales only it has.
    const bool copied = variable.group == VariableGroup::summary ||
                        (variable.group == VariableGroup::comparison && variable.name != "period" &&
                         variable.name != "statistic");
    if (copied && variable.role != cradle::VariableRole::data) {
      documented = &cradle::find_variable(VariableGroup::scenario, variable.name);
    }
    bool found = false;
    for (const Documented& d : rows) {
      const auto entry = entry_of(d);
      if (!entry || entry->first != documented) continue;
      found = true;
      INFO("output/FORMAT.md line " << d.line << ": " << d.name);
      if (d.units) CHECK(*d.units == variable.units);
      if (d.dtype) CHECK(*d.dtype == cradle::dtype_name(variable.dtype));
      if (d.axes) {
        std::vector<std::string> axes, documented_axes;
        for (const std::string& axis : variable.axes) axes.push_back(cradle::fill_name(axis, entry->second));
        for (const std::string& axis : *d.axes) documented_axes.push_back(cradle::fill_name(axis, entry->second));
        CHECK(documented_axes == axes);
      }
    }
    CHECK(found);
  }
}

TEST_CASE("every dataset FORMAT.md documents is in the results variable table", "[unit][format]") {
  for (const Documented& d : format_rows()) {
    INFO("output/FORMAT.md line " << d.line << ": " << group_name(d.group) << "/" << d.name);
    CHECK(entry_of(d).has_value());
  }
}
