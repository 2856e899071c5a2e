// Counted bases: residents by sex and age (screenings, vaccines, student aid per
// student-year), first marriages (marriage leave, premarital checks) and fixed programmes
// (trainees a year, one institution, a lump sum), counted over the whole place each year.
#include <cmath>

#include "models/measures/kinds.h"

namespace cradle {

Cost counted_cost(const Measure& m, int year, double count) {
  const int months = months_in(m.months_in_force(year));
  if (months == 0 || !(count > 0)) return {};
  const MonthIndex mid_year = month_index(year, 7);
  const auto units = static_cast<std::int64_t>(std::llround(count * m.take_up_at(mid_year) * months / 12.0));
  return Cost{units, units * m.phase_at(mid_year).fen_per_unit};
}

}  // namespace cradle
