// Births and deaths, decided from keyed random draws compared with integer thresholds
// (models/probability.h), so that the hot loop compares integers.
//
// A woman's year is one 64-bit draw u: a birth when u < t_birth (her hazard by age,
// parity and household income band: models/fertility.h, models/behaviour.h), her death
// when u ≥ 2^64 − q·2^64 (q her annual mortality). Births take the bottom of the range
// and deaths the top, so the two never meet and whether a woman dies does not depend on
// the policy. The month of a birth is drawn uniformly from the twelve.
//
// A child dies in a year at the infant rate in its year of birth and at the child rate
// after it, in a month drawn uniformly from those after its birth; it is alive in the
// months before. Deaths of children do not depend on the policy either.
#pragma once

#include <algorithm>
#include <cstdint>

#include "models/probability.h"

namespace cradle {

//! Women of this age and over may have an assisted-reproduction birth (the documents'
//! grants are for births to women of advanced maternal age).
inline constexpr int ASSISTED_REPRODUCTION_MIN_AGE = 35;
//! Women of this age and over stand for a household buying a home.
inline constexpr int HOME_BUYER_MIN_AGE = 20;

//! Annual mortality as thresholds on 64-bit draws.
struct MortalityThresholds {
  std::uint64_t women_death_from = ~std::uint64_t{0};  //!< a woman's draw at or above this: her death (~0: none)
  std::uint64_t infant = 0;                            //!< a child's death draw below this, in its year of birth
  std::uint64_t child = 0;                             //!< … in a later year
  bool any = false;                                    //!< some rate is positive
};

//! The thresholds for rates per 1000 a year: infants (in the year of birth), children
//! after it, women.
inline MortalityThresholds mortality_thresholds(double infant_per_1000, double child_per_1000,
                                                double women_per_1000) {
  MortalityThresholds t;
  t.women_death_from = ~probability_threshold(women_per_1000 / 1000.0);
  t.infant = probability_threshold(infant_per_1000 / 1000.0);
  t.child = probability_threshold(child_per_1000 / 1000.0);
  t.any = women_per_1000 > 0 || infant_per_1000 > 0 || child_per_1000 > 0;
  return t;
}

//! Whether a woman's year draw `u` is her death.
inline bool woman_dies(std::uint64_t u, const MortalityThresholds& t) {
  return t.women_death_from != ~std::uint64_t{0} && u >= t.women_death_from;
}

//! A parity after one more birth (saturating below `ceiling`, which callers may reserve
//! as a marker).
inline std::uint8_t parity_after_birth(std::uint8_t parity, std::uint8_t ceiling) {
  return parity + 1 < ceiling ? static_cast<std::uint8_t>(parity + 1) : parity;
}

//! A child's year as mortality decides it.
struct ChildSurvival {
  bool dies = false;              //!< dies during the year
  std::uint16_t alive = 0xFFF;    //!< months of the year it is alive (bit m: month m + 1)
};

//! A child's survival through a year. `draws` is the child-year's death stream (next_u64,
//! below): its first draw decides a death, at the infant rate when the child is born this
//! year (`born_in_month` 0–11, else −1) and the child rate otherwise; the second the month,
//! among those after the birth (an infant born in December dies at the year's end: alive
//! all year, counted among its deaths).
template <class Stream>
ChildSurvival child_survival(Stream& draws, int born_in_month, const MortalityThresholds& t) {
  const bool infant = born_in_month >= 0;
  if (draws.next_u64() >= (infant ? t.infant : t.child)) return {};
  const int first = infant ? born_in_month + 1 : 0;  // the first month it can die in
  const int month = first + static_cast<int>(draws.below(static_cast<std::uint32_t>(std::max(1, 12 - first))));
  return {true, static_cast<std::uint16_t>((1u << std::min(month, 12)) - 1u)};
}

}  // namespace cradle
