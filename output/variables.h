// The results variables: one table naming every dataset a results file holds, with
// its axes, dtype, units and long_name. The writer takes these facts from here and
// tests/test_format.cpp checks output/FORMAT.md against the same table, so each
// fact is stated once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

//! The group of a results file a variable lives in.
enum class VariableGroup : std::uint8_t {
  base_population,  //!< /base_population
  scenario,         //!< /scenarios/<id>
  summary,          //!< /scenarios/<id>/summary
  comparison,       //!< /comparisons/<baseline>--<reform>
};

//! What a variable is to netCDF readers.
enum class VariableRole : std::uint8_t {
  scale,  //!< a dimension scale: the coordinate of its one axis, named like it
  label,  //!< a non-index coordinate along one axis, listed in the `coordinates` of data along it
  data,   //!< a data variable
};

//! The stored type of a variable.
enum class DType : std::uint8_t { int32, int64, float64, string };

//! The placeholder a name pattern holds, e.g. households_by_<attribute>.
inline constexpr std::string_view NAME_PLACEHOLDER = "<attribute>";
//! The placeholder a long_name holds for a text given when written, e.g. an attribute's description.
inline constexpr std::string_view TEXT_PLACEHOLDER = "{}";

//! One dataset of a results file.
struct Variable {
  VariableGroup group;
  VariableRole role;
  std::string name;               // a name, or a pattern holding NAME_PLACEHOLDER once
  std::vector<std::string> axes;  // dimension names, slowest first; may hold NAME_PLACEHOLDER
  DType dtype;
  std::string units;      // "1": dimensionless; "": a text label
  std::string long_name;  // may hold TEXT_PLACEHOLDER, filled when written
};

//! One statistic over replications written into the summary group, as `<variable><suffix>`.
struct SummaryStatistic {
  std::string suffix;           // e.g. "_p05"
  std::optional<double> level;  // the quantile level; none for the mean
  std::string long_name;        // appended to the summarised variable's long_name
};

//! Every dataset of a results file, in the order the writer writes each group's members.
const std::vector<Variable>& results_variables();

//! The statistics the summary group holds of each summarised variable, in the order written.
const std::vector<SummaryStatistic>& summary_statistics();

//! The statistics along a comparison's `statistic` axis, in order: mean, se, p05, p95.
const std::vector<std::string>& comparison_statistics();

//! The quantile levels of summary_statistics(), in their order (the mean has none).
std::vector<double> summary_levels();

//! The table's entry of `group` whose name (or pattern) is exactly `name`; throws std::logic_error if none.
const Variable& find_variable(VariableGroup group, std::string_view name);

//! The value NAME_PLACEHOLDER takes if `pattern` matches `name` ("" for a plain name equal to it); nullopt if not.
std::optional<std::string> match_name(std::string_view pattern, std::string_view name);

//! `text` with every NAME_PLACEHOLDER replaced by `attribute`.
std::string fill_name(std::string_view text, std::string_view attribute);

//! `text` with every TEXT_PLACEHOLDER replaced by `value`.
std::string fill_text(std::string_view text, std::string_view value);

//! The names of the label variables along `variable`'s axes, space-separated, in table order: its
//! netCDF `coordinates` attribute. Empty for scales, labels and data with no labelled axis.
std::string coordinates_of(const Variable& variable);

//! The dtype's name as FORMAT.md writes it: "int32", "int64", "float64" or "string".
std::string_view dtype_name(DType dtype);

//! The description (`long_name`) of a group itself, where the writer gives one; empty otherwise.
std::string_view group_long_name(VariableGroup group);

}  // namespace cradle
