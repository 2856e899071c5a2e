// slot_construction: a one-off subsidy per childcare place added on the capacity path,
// new or renovated (Xihu art. 11: 360 yuan per new place, 300 per renovated place).
#include <cmath>

#include "models/measures/kinds.h"

namespace cradle {

Cost slot_construction_cost(const Measure& m, int year, std::int64_t new_slots, std::int64_t renovated_slots) {
  const std::int64_t n = m.basis == Basis::new_slot ? new_slots : renovated_slots;
  const MonthIndex mid_year = month_index(year, 7);
  if (n <= 0 || mid_year < m.eligibility.valid_from || mid_year >= m.eligibility.valid_until) return {};
  return Cost{n, n * m.phase_at(mid_year).fen_per_unit};
}

Cost place_subsidy_cost(const Measure& m, int year, const PlacesAdded& added) {
  std::int64_t built = 0, renovated = 0;
  for (std::size_t p = 0; p < PROVIDER_COUNT; ++p) {
    if (!((m.eligibility.providers >> p) & 1u)) continue;
    built += added.built[p];
    renovated += added.renovated[p];
  }
  Cost c = slot_cost(m, year, built, renovated);
  if (m.take_up < 1.0 && c.units > 0) {
    // Places whose providers claim: a share of a count, rounded once.
    const std::int64_t claimed = std::llround(static_cast<double>(c.units) * m.take_up);
    c.fen = c.fen / c.units * claimed;
    c.units = claimed;
  }
  return c;
}

}  // namespace cradle
