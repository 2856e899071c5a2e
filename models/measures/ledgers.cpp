// The kinds of the separate ledgers. Their amounts are not general-budget outlays and
// are reported apart: the insurance fund's benefits (maternity allowance, newborn
// premium support), revenue forgone through tax deductions (deduction × marginal rate),
// provident-fund liquidity (extra loan volume or withdrawals), and the wage cost of
// statutory leave (days × daily wage). Each counts its basis times its amount.
#include "models/measures/measure.h"

namespace cradle {

Cost insurance_fund_child_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}
Cost insurance_fund_event_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }

Cost tax_expenditure_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}

Cost provident_fund_child_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}
Cost provident_fund_event_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }

Cost leave_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }
// Parental leave while a child is young: days a year spread over its months.
Cost leave_child_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}

}  // namespace cradle
