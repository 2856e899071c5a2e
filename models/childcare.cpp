#include "models/childcare.h"

#include "models/probability.h"

namespace cradle {

ChildcareUse make_childcare_use(const ChildcareProfile& profile) {
  ChildcareUse use;
  for (std::size_t k = 0; k < 3; ++k) use.enrol_threshold[k] = probability_threshold(profile.enrolment_by_age[k]);
  use.inclusive_threshold = probability_threshold(profile.inclusive_share);
  return use;
}

std::uint16_t enrolled_mask(const ChildcareUse& use, MonthIndex birth, int year, std::uint64_t u) {
  std::uint16_t mask = 0;
  for (int k = 0; k < 3; ++k) {
    if (u < use.enrol_threshold[static_cast<std::size_t>(k)]) {
      mask = static_cast<std::uint16_t>(mask | age_window_mask(year, birth, 12 * k, 12 * k + 12));
    }
  }
  return mask;
}

}  // namespace cradle
