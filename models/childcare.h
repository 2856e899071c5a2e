// Childcare use of children under 3. In this first model each child-year draws one
// uniform number u: the child is enrolled in the months in which it is aged k
// (completed years) if u < p_k. Because p_k rises with age, a child enrolled at 1 stays
// enrolled when it turns 2 within the year. The provider class is a second draw.
#pragma once

#include <array>
#include <cstdint>

#include "models/calendar.h"

namespace cradle {

//! The profile's childcare facts.
struct ChildcareProfile {
  std::array<double, 3> enrolment_by_age{};  //!< share enrolled at ages 0, 1, 2 (completed years)
  double inclusive_share = 0.0;              //!< share of enrolled children with inclusive (普惠) providers
};

//! Precomputed thresholds of a childcare profile.
struct ChildcareUse {
  std::array<std::uint64_t, 3> enrol_threshold{};
  std::uint64_t inclusive_threshold = 0;
};

//! Thresholds for raw 64-bit draws.
ChildcareUse make_childcare_use(const ChildcareProfile& profile);

//! Months of `year` in which a child born in month `birth` is in childcare, given the
//! child-year's enrolment draw `u`.
std::uint16_t enrolled_mask(const ChildcareUse& use, MonthIndex birth, int year, std::uint64_t u);

}  // namespace cradle
