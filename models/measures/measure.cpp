#include "models/measures/measure.h"

#include "models/measures/child_cash.h"
#include "models/measures/operating_subsidy.h"

namespace cradle {

std::string_view kind_name(MeasureKind kind) {
  switch (kind) {
    case MeasureKind::child_cash: return "child_cash";
    case MeasureKind::operating_subsidy: return "operating_subsidy";
  }
  return "unknown";
}

std::optional<MeasureKind> parse_kind(std::string_view name) {
  if (name == "child_cash") return MeasureKind::child_cash;
  if (name == "operating_subsidy") return MeasureKind::operating_subsidy;
  return std::nullopt;
}

std::string_view caseload_unit(MeasureKind kind) {
  switch (kind) {
    case MeasureKind::child_cash: return "child-months";
    case MeasureKind::operating_subsidy: return "enrolled child-months";
  }
  return "unknown";
}

int measure_units(const Measure& measure, const ChildYear& child, int year) {
  switch (measure.kind) {
    case MeasureKind::child_cash: return child_cash_months(measure, child, year);
    case MeasureKind::operating_subsidy: return operating_subsidy_months(measure, child, year);
  }
  return 0;
}

}  // namespace cradle
