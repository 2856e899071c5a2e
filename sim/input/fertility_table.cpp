#include "sim/input/fertility_table.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <string>

#include "models/probability.h"
#include "sim/input/csv.h"
#include "sim/input/error.h"

namespace cradle {

namespace {

std::string format_number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

FertilityTable load_fertility_table(const std::filesystem::path& file) {
  CsvReader csv(file);
  const std::string& name = csv.file();
  enum { AGE_COLUMN, PARITY_COLUMN, PROBABILITY_COLUMN };
  constexpr std::array<const char*, 3> names{"age", "parity", "probability"};
  if (!csv.next()) {
    // A file-level problem: line 1 is where the header belongs.
    throw ScenarioError(name, 1, 1, "header", "the file is empty: its first line must name the columns age, parity, "
                                              "probability");
  }
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
      // Named by the first field missing, or the first one too many.
      const std::size_t k = std::min(fields.size(), n_fields);
      throw ScenarioError(
          name, csv.line(), static_cast<int>(k) + 1, csv.column_name(k), csv.field_count_message(fields.size(), n_fields));
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
  if (rows == 0) throw ScenarioError(name, header_line, 0, names[AGE_COLUMN], "no rows in the file after the header");
  return table;
}

}  // namespace cradle
