#include "models/measures/operating_subsidy.h"

namespace cradle {

int operating_subsidy_months(const Measure& measure, const ChildYear& child, int year) {
  const auto& e = measure.eligibility;
  if (child.enrolled_mask == 0) return 0;
  if (e.provider != PROVIDER_ANY && e.provider != child.provider) return 0;
  if (!measure.reaches_order(child.birth_order)) return 0;
  const std::uint16_t mask = child.enrolled_mask &
                             age_window_mask(year, child.birth_month, e.min_age_months, e.max_age_months) &
                             measure.months_in_force(year);
  return months_in(mask);
}

}  // namespace cradle
