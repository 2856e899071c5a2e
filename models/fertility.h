// Fertility: the annual probability that a woman gives birth, by her age and parity.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace cradle {

inline constexpr int MIN_FERTILE_AGE = 15;
inline constexpr int MAX_FERTILE_AGE = 49;
inline constexpr int MAX_AGE = 50;                    //!< women are tracked to age 49
inline constexpr int PARITY_CLASSES = 3;              //!< parity 0, 1, 2 and higher
inline constexpr double MAX_BIRTH_PROBABILITY = 0.9;  //!< an annual hazard above this is a calibration error

//! The parity class of a parity: 0, 1, 2 and higher.
constexpr int parity_class(int parity) { return parity < PARITY_CLASSES ? parity : PARITY_CLASSES - 1; }

//! The profile's fertility facts.
struct FertilityProfile {
  //! Births per 1000 women a year by 5-year age group 15–19 … 45–49: the shape to rescale.
  std::array<double, 7> age_pattern{};
  //! Shares of births of order 1, 2, 3 and higher.
  std::array<double, PARITY_CLASSES> order_shares{};
};

//! Annual birth probabilities by age attained in the year (0…49) and parity class,
//! with the matching 64-bit thresholds for comparing raw random draws; both are 0 outside
//! MIN_FERTILE_AGE…MAX_FERTILE_AGE, so that a draw below the threshold alone decides a birth.
struct FertilityTable {
  std::array<std::array<double, PARITY_CLASSES>, MAX_AGE> probability{};
  std::array<std::array<std::uint64_t, PARITY_CLASSES>, MAX_AGE> threshold{};

  double p(int age, int parity) const {
    if (age < MIN_FERTILE_AGE || age > MAX_FERTILE_AGE) return 0.0;
    return probability[age][parity_class(parity)];
  }
};

//! Rescales the profile's age pattern by parity so that, among the given women in
//! `year`, the expected number of births equals `target_births` and births split by
//! order as the profile's shares: p(a, k) = target · share(k+1) · f(a) / Σ_{women of
//! parity k} f(age). Throws std::invalid_argument naming the problem if a parity class
//! has a positive share but no fertile women, or a probability would exceed
//! MAX_BIRTH_PROBABILITY.
FertilityTable calibrate_fertility(const FertilityProfile& profile, double target_births,
                                   std::span<const std::int16_t> birth_years, std::span<const std::uint8_t> parity,
                                   int year);

//! Women counted by age attained in the year (0…MAX_AGE-1) and parity class.
using WomenByAgeParity = std::array<std::array<std::int64_t, PARITY_CLASSES>, MAX_AGE>;

//! calibrate_fertility for women given by their counts by age and parity class: the same
//! table up to the rounding of the sums (Σ count · f(age) instead of one term per woman).
//! Counts are exact whatever order they were gathered in, so a count gathered in parallel
//! gives the same table on any number of threads.
FertilityTable calibrate_fertility(const FertilityProfile& profile, double target_births, const WomenByAgeParity& women,
                                   int year);

//! Expected births in `year` of the given women under a table (for checks and tests).
double expected_births(const FertilityTable& table, std::span<const std::int16_t> birth_years,
                       std::span<const std::uint8_t> parity, int year);

}  // namespace cradle
