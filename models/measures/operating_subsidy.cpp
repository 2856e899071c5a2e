// operating_subsidy: paid to providers of the eligible classes per enrolled child-month
// (Xihu art. 11: 126 yuan per child aged 0–3 a month in inclusive childcare).
#include "models/measures/measure.h"

namespace cradle {

Cost operating_subsidy_cost(const Measure& m, const ChildYear& c, int year) { return enrolled_cost(m, c, year); }

}  // namespace cradle
