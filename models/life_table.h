// Mortality of every resident by sex and single year of age, from an abridged life
// table: central death rates m by sex for the age groups 0, 1–4, 5–9, …, 95–99, 100+,
// all multiplied by one factor so that the table's life expectancy at birth is the
// place's (a national table scaled to local life expectancy).
//
// q(x) = 1 − exp(−k·m(x)) is the probability of dying between exact ages x and x + 1
// under a constant hazard k·m(x). In a calendar year a person dies with q of their
// completed age at the year's start (mortality_age); the year of birth takes q(0) and
// the year after q(1), so that the infant's risk is taken once. Life expectancy is computed
// from the same single-year probabilities, so that the calibration and the simulation
// use one mortality: e0 = Σ_a l(a)·(1 − exp(−h))/h with h = k·m(a) (person-years under
// a constant hazard), the last age OLDEST_AGE open (its person-years l/h).
#pragma once

#include <array>
#include <cstdint>

namespace cradle {

enum class Sex : std::uint8_t { male = 0, female = 1 };
inline constexpr int SEXES = 2;

//! Age groups of a life table: 0, 1–4, 5–9, …, 95–99, 100+.
inline constexpr int LIFE_TABLE_GROUPS = 22;
//! The oldest age whose rate is applied: older people die at its rate (the 100+ rate).
inline constexpr int OLDEST_AGE = 110;

//! The life-table age whose probability of dying applies in a calendar year to a person
//! of attained age `attained` (the year less the birth year): the completed age at the
//! year's start, except that the year of birth takes age 0 and the year after age 1.
inline int mortality_age(int attained) { return attained <= 1 ? attained : attained - 1; }

//! The group of an age in a life table.
inline int life_table_group(int age) {
  if (age <= 0) return 0;
  if (age < 5) return 1;
  return age >= 100 ? LIFE_TABLE_GROUPS - 1 : 1 + age / 5;
}

struct LifeTable {
  //! Central death rates per 1000 person-years, [sex][group].
  std::array<std::array<double, LIFE_TABLE_GROUPS>, SEXES> per_1000{};
  double scale = 1;  //!< multiplies every rate

  //! No deaths at all (a profile without [mortality]: a closed population).
  bool empty() const;
  //! The probability of dying between exact ages `age` and `age` + 1 (clamped to
  //! 0 … OLDEST_AGE).
  double death_probability(Sex sex, int age) const;
  //! Life expectancy at birth of one sex, in years.
  double life_expectancy(Sex sex) const;
  //! Life expectancy at birth of both sexes: the mean of the two weighted by births
  //! (`sex_ratio_at_birth` boys per 100 girls).
  double life_expectancy(double sex_ratio_at_birth) const;
};

//! The table with its scale set so that both sexes' life expectancy at birth is
//! `e0` (bisection on the scale; the rates keep their shape). Throws
//! std::invalid_argument if the table is empty or no positive scale reaches e0.
LifeTable scaled_to_life_expectancy(LifeTable table, double e0, double sex_ratio_at_birth);

}  // namespace cradle
