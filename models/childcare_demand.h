// Childcare demand: whether a family wants a place for its child under 3.
//
// The probability that a family wants a place in a month its child is aged a (completed
// years 0, 1, 2) is
//
//   p = min(1, p_a · L · e_E · (P_net / P)^ε)
//
// where p_a is the profile's enrolment share at age a (the demand the profile's
// enrolment reveals, at the full fee P), L the childcare demand level (an uncertain
// parameter), e_E the relative demand of families whose parents are both employed, one
// employed or neither (normalised so that the profile's average holds), P_net the fee
// after the scenario's fee reductions for that child (its birth order, registration and
// age, averaged over provider classes by their shares, each reduction times its
// take-up), and ε the price elasticity (an uncertain parameter, 0 or negative). The
// net price ratio is floored at MIN_NET_PRICE_RATIO so that a free place does not
// make the demand infinite before the cap at 1.
//
// One draw per child-year decides: the child is wanted in the months of age a when the
// draw is below p_a, so with p rising by age a child wanted at 1 is wanted at 2; and a
// reform that lowers the price raises p, so with the same draw (common random numbers)
// every child wanted in the baseline is wanted in the reform.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/measures/measure.h"
#include "models/services.h"

namespace cradle {

inline constexpr double MIN_NET_PRICE_RATIO = 0.1;
inline constexpr std::size_t DEMAND_EMPLOYMENT_CLASSES = 3;
inline constexpr std::size_t DEMAND_ORDER_CLASSES = 3;  //!< birth order 1, 2, 3+
inline constexpr std::size_t DEMAND_AGES = 3;

//! P_net / P for a child of birth order `order` (1, 2, 3+) aged `age` (completed years)
//! through `year`, in a household with or without local registration, before the floor.
double childcare_net_price_ratio(const std::vector<Measure>& measures, const ChildcareProfile& childcare, int year,
                                 int order, bool local, int age);

//! The demand thresholds of one year, for raw 64-bit draws.
struct ChildcareDemandYear {
  //! [employment][order class][local][age]
  std::array<std::array<std::array<std::array<std::uint64_t, DEMAND_AGES>, 2>, DEMAND_ORDER_CLASSES>,
             DEMAND_EMPLOYMENT_CLASSES>
      threshold{};

  const std::array<std::uint64_t, DEMAND_AGES>& at(std::uint8_t employment, int order, bool local) const {
    return threshold[employment][static_cast<std::size_t>(order >= 3 ? 2 : order - 1)][local ? 1 : 0];
  }
};

//! The net price ratios of a year, [order class][local][age], computed once per scenario.
using NetPriceRatios = std::array<std::array<std::array<double, DEMAND_AGES>, 2>, DEMAND_ORDER_CLASSES>;
NetPriceRatios net_price_ratios(const std::vector<Measure>& measures, const ChildcareProfile& childcare, int year);

//! The thresholds for a year's ratios, the profile's enrolment, the employment factors,
//! the demand level L and the elasticity ε.
ChildcareDemandYear childcare_demand(const ChildcareProfile& childcare,
                                     const std::array<double, DEMAND_EMPLOYMENT_CLASSES>& employment_factor,
                                     const NetPriceRatios& ratios, double level, double elasticity);

//! A child's priority for childcare places, 0 first: the groups the documents put first —
//! special planned-birth families, martyrs' and serving soldiers' children (Xihu 002
//! art. 11) — then everyone else.
inline std::uint8_t childcare_priority(std::uint8_t household_flags) {
  return (household_flags & (FLAG_SPECIAL_FAMILY | FLAG_PRIORITY_GROUP)) ? 0 : 1;
}

//! Months of `year` in which a child born in `birth` is wanted in childcare, given the
//! child-year's draw `u` and the thresholds by age.
//! (Inline: asked of every child-year under 3.)
inline std::uint16_t childcare_demand_mask(const std::array<std::uint64_t, DEMAND_AGES>& threshold, MonthIndex birth,
                                           int year, std::uint64_t u) {
  std::uint16_t mask = 0;
  for (int a = 0; a < static_cast<int>(DEMAND_AGES); ++a) {
    if (u < threshold[static_cast<std::size_t>(a)]) {
      mask = static_cast<std::uint16_t>(mask | age_window_mask(year, birth, 12 * a, 12 * a + 12));
    }
  }
  return mask;
}

}  // namespace cradle
