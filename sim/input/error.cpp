#include "sim/input/error.h"

#include <sstream>
#include <utility>

namespace cradle {

namespace {

//! "file:line:column: field 'f': what"; without line and column when the place has no line
//! (a command-line option), without the field when there is none.
std::string message(const std::string& file, int line, int column, const std::string& field, const std::string& what) {
  std::ostringstream text;
  text << file;
  if (line > 0) text << ':' << line << ':' << column;
  text << ": ";
  if (!field.empty()) text << "field '" << field << "': ";
  text << what;
  return text.str();
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, std::string field, const std::string& what)
    : std::runtime_error(message(file, line, column, field, what)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      field_(std::move(field)) {}

}  // namespace cradle
