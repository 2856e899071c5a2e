// child_cash: cash for every month a child is in the age window (e.g. the national
// childcare subsidy, 300 yuan a month under 3; Xihu's preschool aid, 2,000 a year).
#include "models/measures/measure.h"

namespace cradle {

Cost child_cash_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}

}  // namespace cradle
