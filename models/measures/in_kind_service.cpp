// in_kind_service: a free service at a unit cost, either per event (HPV screening at a
// 2nd or 3rd birth, prenatal screening per birth) or per eligible child-month (nutrition
// packs at 6–24 months, non-programme vaccine doses for third children under 3, with the
// amount being the monthly cost: unit cost × units a month).
#include "models/measures/measure.h"

namespace cradle {

Cost in_kind_service_child_cost(const Measure& m, const ChildYear& c, int year) {
  return monthly_cost(m, eligible_child_months(m, c, year), year);
}

Cost in_kind_service_event_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }

}  // namespace cradle
