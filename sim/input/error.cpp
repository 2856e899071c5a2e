#include "sim/input/error.h"

#include <utility>

namespace cradle {

ScenarioError::ScenarioError(std::string file, int line, int column, std::string field, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         (field.empty() ? std::string() : "field '" + field + "': ") + what),
      file_(std::move(file)),
      line_(line),
      column_(column),
      field_(std::move(field)) {}

}  // namespace cradle
