#include "models/services.h"

#include <algorithm>
#include <cmath>

#include "models/probability.h"

namespace cradle {

const char* provider_name(Provider p) {
  switch (p) {
    case Provider::public_: return "public";
    case Provider::inclusive_private: return "inclusive_private";
    case Provider::other: return "other";
  }
  return "unknown";
}

namespace {
std::array<std::uint64_t, PROVIDER_COUNT - 1> cumulative_thresholds(const std::array<double, PROVIDER_COUNT>& shares) {
  std::array<std::uint64_t, PROVIDER_COUNT - 1> t{};
  double c = 0;
  for (std::size_t i = 0; i + 1 < PROVIDER_COUNT; ++i) {
    c += shares[i];
    t[i] = probability_threshold(c);
  }
  return t;
}
}  // namespace

ServiceUse make_service_use(const ChildcareProfile& childcare, const KindergartenProfile& kindergarten) {
  ServiceUse use;
  use.childcare_provider_threshold = cumulative_thresholds(childcare.provider_shares);
  use.kindergarten_threshold = probability_threshold(kindergarten.enrolment_rate);
  use.kindergarten_provider_threshold = cumulative_thresholds(kindergarten.provider_shares);
  return use;
}

Provider pick_provider(const std::array<std::uint64_t, PROVIDER_COUNT - 1>& cumulative, std::uint64_t u) {
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    if (u < cumulative[i]) return static_cast<Provider>(i);
  }
  return Provider::other;
}

std::array<std::uint16_t, 3> kindergarten_year_masks(MonthIndex birth, int year) {
  constexpr std::uint16_t SPRING = 0x003F;  // January–June
  constexpr std::uint16_t AUTUMN = 0x0F00;  // September–December
  std::array<std::uint16_t, 3> masks{};
  const int first = first_kindergarten_school_year(birth);
  const int k_spring = year - 1 - first;  // 0-based kindergarten year of the school year begun last September
  const int k_autumn = year - first;
  if (k_spring >= 0 && k_spring < 3) masks[static_cast<std::size_t>(k_spring)] |= SPRING;
  if (k_autumn >= 0 && k_autumn < 3) masks[static_cast<std::size_t>(k_autumn)] |= AUTUMN;
  return masks;
}

std::int64_t childcare_slots(const ChildcareProfile& profile, double persons, int first_year, int year) {
  const int from_year = first_year - 1;  // the year of the stock
  double per_1000 = profile.slots_per_1000;
  if (year > from_year) {
    if (year >= profile.target_year || profile.target_year <= from_year) {
      per_1000 = profile.target_slots_per_1000;
    } else {
      const double f = static_cast<double>(year - from_year) / static_cast<double>(profile.target_year - from_year);
      per_1000 = profile.slots_per_1000 + f * (profile.target_slots_per_1000 - profile.slots_per_1000);
    }
  }
  // A target below today's stock does not close places.
  per_1000 = std::max(per_1000, profile.slots_per_1000);
  return std::llround(persons * per_1000 / 1000.0);
}

}  // namespace cradle
