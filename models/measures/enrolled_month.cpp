// The rule of operating subsidies: an amount per month a child is enrolled with a
// provider of the measure's classes (Xihu art. 11: 126 yuan per enrolled child a month to
// inclusive childcare providers).
#include "models/measures/kinds.h"

namespace cradle {

Cost enrolled_month_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees&, FeeLedger*) {
  return enrolled_cost(m, t, c);
}

}  // namespace cradle
