// Births and deaths, decided from keyed random draws compared with integer thresholds
// (models/probability.h), so that the hot loop compares integers.
//
// Every resident dies in a year with the probability of the place's life table at their
// sex and attained age (models/life_table.h).
//
// A woman's year is one 64-bit draw u: a birth when u < t_birth (her hazard by age,
// parity and household income band: models/fertility.h, models/behaviour.h), her death
// when u ≥ 2^64 − q·2^64 (q her annual mortality). Births take the bottom of the range
// and deaths the top, so the two never meet and whether a woman dies does not depend on
// the policy. The month of a birth is drawn uniformly from the twelve.
//
// A child dies in a year at its age's rate (age 0 in its year of birth), in a month drawn
// uniformly from those after its birth; it is alive in the months before. An other
// resident's death is dated once for the run: one draw u against their survival S over
// the years, death in the first year where u > S (RunSurvival). No death depends on the policy.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "models/life_table.h"
#include "models/probability.h"

namespace cradle {

//! Women of this age and over may have an assisted-reproduction birth (the documents'
//! grants are for births to women of advanced maternal age).
inline constexpr int ASSISTED_REPRODUCTION_MIN_AGE = 35;
//! Women of this age and over stand for a household buying a home.
inline constexpr int HOME_BUYER_MIN_AGE = 20;

//! Annual mortality as thresholds on 64-bit draws, by sex and life-table age: a draw
//! below the threshold is a death (a woman's draw: at or above its complement).
struct MortalityThresholds {
  std::array<std::array<std::uint64_t, OLDEST_AGE + 1>, SEXES> by_age{};
  bool any = false;  //!< some rate is positive

  //! The threshold of a calendar year for a person of attained age `attained` (the year
  //! less the birth year), at its mortality_age.
  std::uint64_t at(Sex sex, int attained) const {
    return by_age[static_cast<std::size_t>(sex)]
                 [static_cast<std::size_t>(std::clamp(mortality_age(attained), 0, OLDEST_AGE))];
  }
};

//! The thresholds of a life table (none when it is empty: a closed population).
inline MortalityThresholds mortality_thresholds(const LifeTable& table) {
  MortalityThresholds t;
  if (table.empty()) return t;
  t.any = true;
  for (int s = 0; s < SEXES; ++s) {
    for (int a = 0; a <= OLDEST_AGE; ++a) {
      t.by_age[static_cast<std::size_t>(s)][static_cast<std::size_t>(a)] =
          probability_threshold(table.death_probability(static_cast<Sex>(s), a));
    }
  }
  return t;
}

//! Survival through one more year at a mortality threshold, in 64-bit fixed point
//! (2^64 − 1 for certain): what is left of `survival` after the year's deaths.
inline std::uint64_t survive_year(std::uint64_t survival, std::uint64_t threshold) {
  __extension__ using Wide = unsigned __int128;
  return survival - static_cast<std::uint64_t>((static_cast<Wide>(survival) * threshold) >> 64);
}

//! Survival from a run's start through each of its years, by sex and attained age at the
//! start (survive_year in turn), so that a resident's year of death is one comparison per
//! year: the years whose survival is at least the resident's draw are those it lives through.
//! Rates depend on attained age only, so a row also serves from any later year (an arrival):
//! the row of the age then.
class RunSurvival {
 public:
  RunSurvival() = default;
  RunSurvival(const MortalityThresholds& mortality, int years) : years_(years) {
    left_.resize(static_cast<std::size_t>(SEXES * AGES * years));
    through_run_.resize(static_cast<std::size_t>(SEXES * AGES));
    for (int s = 0; s < SEXES; ++s) {
      for (int a = 0; a < AGES; ++a) {
        std::uint64_t survival = ~std::uint64_t{0};
        for (int y = 0; y < years; ++y) {
          survival = survive_year(survival, mortality.at(static_cast<Sex>(s), a + y));
          left_[static_cast<std::size_t>((s * AGES + a) * years + y)] = survival;
        }
        through_run_[static_cast<std::size_t>(s * AGES + a)] = survival;
      }
    }
  }
  //! The table as pointers and a stride, which a hot loop can hold in registers (a
  //! loop storing bytes would otherwise reload them through the table after every store).
  struct Rows {
    const std::uint64_t* left;
    const std::uint64_t* through_run;
    int years;
    //! [year]: survival through the end of each year, for a resident of `sex` attained
    //! `age` at the start (older than OLDEST_AGE + 1: as that age, which the table clamps to).
    const std::uint64_t* at(Sex sex, int age) const { return left + static_cast<std::size_t>(row(sex, age) * years); }
    //! Survival through the run's last year, as at(sex, age)[years - 1] (years > 0): a draw
    //! above it dies within the run. One load, for the loops that test everyone.
    std::uint64_t to_end(Sex sex, int age) const { return through_run[row(sex, age)]; }
    //! The table's row of a resident of `sex` attained `age`, the age clamped as at() says.
    static std::size_t row(Sex sex, int age) {
      return static_cast<std::size_t>(static_cast<int>(sex) * AGES + std::clamp(age, 0, AGES - 1));
    }
  };
  Rows rows() const { return {left_.data(), through_run_.data(), years_}; }
  //! As Rows::at.
  const std::uint64_t* at(Sex sex, int age) const { return rows().at(sex, age); }

 private:
  static constexpr int AGES = OLDEST_AGE + 2;  // attained ages whose rates over a run differ
  int years_ = 0;
  std::vector<std::uint64_t> left_;
  std::vector<std::uint64_t> through_run_;  // [sex × AGES + age]: left_'s last year
};

//! Whether a woman's year draw `u` is her death, for her age's threshold: the top of
//! the range, which births (at the bottom) never reach.
inline bool woman_dies(std::uint64_t u, std::uint64_t threshold) { return ~u < threshold; }

//! The draws of a woman's year that may be her death (woman_dies at threshold `death`) or a
//! birth (below `birth`), as one window on the circle of 64-bit draws: deaths take the top
//! and births the bottom, so that shifted by `death` they join. A sieve for the women's
//! loop, tested on a draw's top 32 bits so that a window is one 8-byte word (the sieve
//! fetches one word a woman): the window's first and last draws widened to their whole
//! blocks of 2^32 draws. It never refuses a draw that is either; a draw that is neither it
//! admits only in the block of the window's first or last draw (one in 2^32 of the draws
//! at each end), or, when both thresholds are 0 and the window is empty, in the top block.
struct ChangeWindow {
  //! Bits 0-31: the shift, added to a draw's top 32 bits (mod 2^32); bits 32-63: the last
  //! sum admitted. The default (shift 1, last 0) admits the top block only.
  std::uint64_t word = 1;

  static ChangeWindow of(std::uint64_t birth, std::uint64_t death) {
    if (birth == 0 && death == 0) return {};
    // On the whole draws, u + death (mod 2^64) is below `death` for a death and in
    // [death, death + birth) for a birth: a window of `span` + 1 draws from -death on. When
    // that sum passes 2^64 the two overlap and cover every draw.
    const std::uint64_t first = 0 - death;
    const std::uint64_t span = death != 0 && birth > ~(death - 1) ? ~std::uint64_t{0} : death - 1 + birth;
    constexpr std::uint64_t LOW = 0xFFFFFFFFu;
    // The blocks of 2^32 draws it reaches after the first's, without overflowing 64 bits.
    const std::uint64_t blocks = (span >> 32) + (((span & LOW) + (first & LOW)) >> 32);
    if (blocks >= LOW) return {LOW << 32};  // every block: shift 0, last 2^32 - 1
    const std::uint64_t shift = (0 - (first >> 32)) & LOW;
    return {shift | blocks << 32};
  }
  bool admits(std::uint64_t u) const {
    const std::uint32_t sum = static_cast<std::uint32_t>(u >> 32) + static_cast<std::uint32_t>(word);
    return sum <= static_cast<std::uint32_t>(word >> 32);
  }
};

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
//! below): its first draw decides a death, below `threshold` (its sex and age's; age 0
//! when the child is born this year, `born_in_month` 0–11, else −1); the second the month,
//! among those after the birth (an infant born in December dies at the year's end: alive
//! all year, counted among its deaths).
template <class Stream>
ChildSurvival child_survival(Stream& draws, int born_in_month, std::uint64_t threshold) {
  const bool infant = born_in_month >= 0;
  if (draws.next_u64() >= threshold) return {};
  const int first = infant ? born_in_month + 1 : 0;  // the first month it can die in
  const int month = first + static_cast<int>(draws.below(static_cast<std::uint32_t>(std::max(1, 12 - first))));
  return {true, static_cast<std::uint16_t>((1u << std::min(month, 12)) - 1u)};
}

}  // namespace cradle
