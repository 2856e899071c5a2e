#include "models/life_table.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace cradle {

namespace {

double hazard(const LifeTable& t, Sex sex, int age) {
  const auto g = static_cast<std::size_t>(life_table_group(age));
  return t.scale * t.per_1000[static_cast<std::size_t>(sex)][g] / 1000.0;
}

}  // namespace

bool LifeTable::empty() const {
  for (const auto& by_group : per_1000) {
    for (double m : by_group) {
      if (m > 0) return false;
    }
  }
  return true;
}

double LifeTable::death_probability(Sex sex, int age) const {
  const int a = age < 0 ? 0 : (age > OLDEST_AGE ? OLDEST_AGE : age);
  return -std::expm1(-hazard(*this, sex, a));
}

double LifeTable::life_expectancy(Sex sex) const {
  double alive = 1.0, years = 0.0;
  for (int a = 0; a <= OLDEST_AGE; ++a) {
    const double h = hazard(*this, sex, a);
    if (a == OLDEST_AGE) return h > 0 ? years + alive / h : INFINITY;
    // Person-years lived in the year under a constant hazard (h → 0: a whole year).
    years += alive * (h > 1e-12 ? -std::expm1(-h) / h : 1.0);
    alive *= std::exp(-h);
  }
  return years;
}

double LifeTable::life_expectancy(double sex_ratio_at_birth) const {
  const double boys = sex_ratio_at_birth / (100.0 + sex_ratio_at_birth);
  return boys * life_expectancy(Sex::male) + (1.0 - boys) * life_expectancy(Sex::female);
}

LifeTable scaled_to_life_expectancy(LifeTable table, double e0, double sex_ratio_at_birth) {
  if (table.empty()) throw std::invalid_argument("the life table has no deaths");
  auto e = [&](double k) {
    table.scale = k;
    return table.life_expectancy(sex_ratio_at_birth);
  };
  // Life expectancy falls as the scale rises: bracket e0, then bisect.
  double lo = 1e-3, hi = 1.0;
  while (e(hi) > e0 && hi < 1e3) hi *= 2;
  if (e(lo) < e0 || e(hi) > e0) {
    throw std::invalid_argument("no scaling of the life table gives a life expectancy of " + std::to_string(e0));
  }
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (e(mid) > e0 ? lo : hi) = mid;
  }
  table.scale = 0.5 * (lo + hi);
  return table;
}

}  // namespace cradle
