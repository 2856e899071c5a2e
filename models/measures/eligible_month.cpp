// The rule of every kind that pays an amount per month a child is eligible, enrolled or
// not: the national childcare subsidy (child_cash, 3,600 yuan a year under 3), free
// services by the month (in_kind_service), and the separate ledgers' monthly amounts —
// the income-tax deduction (tax_expenditure), parental leave days spread over a young
// child's months (leave), provident-fund and insurance-fund amounts per child-month.
#include "models/measures/kinds.h"

namespace cradle {

Cost eligible_month_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees&, FeeLedger*) {
  return monthly_cost(m, t, eligible_child_months(m, t, c));
}

}  // namespace cradle
