// The one error type of bad input, whichever file it comes from: scenario and profile
// TOML, persons files (CSV or HDF5) and fertility tables.
#pragma once

#include <stdexcept>
#include <string>

namespace cradle {

//! Bad input: names the file, line, column and field. The CLI exits with code 2.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, int line, int column, std::string field, const std::string& what);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string field_;
};

}  // namespace cradle
