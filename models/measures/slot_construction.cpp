// slot_construction: a one-off subsidy per childcare place added on the capacity path,
// new or renovated (Xihu art. 11: 360 yuan per new place, 300 per renovated place).
#include "models/measures/measure.h"

namespace cradle {

Cost slot_construction_cost(const Measure& m, int year, std::int64_t new_slots, std::int64_t renovated_slots) {
  const std::int64_t n = m.basis == Basis::new_slot ? new_slots : renovated_slots;
  const MonthIndex mid_year = month_index(year, 7);
  if (n <= 0 || mid_year < m.eligibility.valid_from || mid_year >= m.eligibility.valid_until) return {};
  return Cost{n, n * m.phase_at(mid_year).fen_per_unit};
}

}  // namespace cradle
