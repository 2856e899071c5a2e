#include "models/measures/child_cash.h"

namespace cradle {

int child_cash_months(const Measure& measure, const ChildYear& child, int year) {
  if (!measure.reaches_order(child.birth_order)) return 0;
  const auto& e = measure.eligibility;
  const std::uint16_t mask =
      age_window_mask(year, child.birth_month, e.min_age_months, e.max_age_months) & measure.months_in_force(year);
  return months_in(mask);
}

}  // namespace cradle
