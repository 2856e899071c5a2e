#include "models/services.h"

#include <algorithm>
#include <cmath>

#include "models/apportion.h"
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

std::array<std::uint64_t, PROVIDER_COUNT - 1> provider_thresholds(const std::array<double, PROVIDER_COUNT>& shares) {
  std::array<std::uint64_t, PROVIDER_COUNT - 1> t{};
  double c = 0;
  for (std::size_t i = 0; i + 1 < PROVIDER_COUNT; ++i) {
    c += shares[i];
    t[i] = probability_threshold(c);
  }
  return t;
}

ServiceUse make_service_use(const KindergartenProfile& kindergarten) {
  ServiceUse use;
  use.kindergarten_threshold = probability_threshold(kindergarten.enrolment_rate);
  use.kindergarten_provider_threshold = provider_thresholds(kindergarten.provider_shares);
  return use;
}

KindergartenProfile kindergarten_in(const KindergartenProfile& profile, int first_year, int year) {
  if (profile.target_year == 0) return profile;
  const int from_year = first_year - 1;  // the year of the profile's values
  const double f = year >= profile.target_year || profile.target_year <= from_year
                       ? 1.0
                       : std::max(0.0, static_cast<double>(year - from_year) / (profile.target_year - from_year));
  KindergartenProfile now = profile;
  now.enrolment_rate = profile.enrolment_rate + f * (profile.target_enrolment_rate - profile.enrolment_rate);
  for (std::size_t p = 0; p < PROVIDER_COUNT; ++p) {
    now.provider_shares[p] =
        profile.provider_shares[p] + f * (profile.target_provider_shares[p] - profile.provider_shares[p]);
  }
  return now;
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

PlacesAdded places_added(const ChildcareProfile& profile, std::int64_t before, std::int64_t after) {
  const std::int64_t added = std::max<std::int64_t>(0, after - before);
  const std::int64_t renovated = std::llround(static_cast<double>(added) * profile.renovated_share);
  const std::vector<double> shares(profile.provider_shares.begin(), profile.provider_shares.end());
  const auto built = apportion(shares, static_cast<std::uint32_t>(added - renovated));
  const auto renewed = apportion(shares, static_cast<std::uint32_t>(renovated));
  PlacesAdded out;
  for (std::size_t p = 0; p < PROVIDER_COUNT; ++p) {
    out.built[p] = built[p];
    out.renovated[p] = renewed[p];
  }
  return out;
}

void ration_childcare(std::vector<ChildcareRequest*>& requests, std::int64_t capacity) {
  std::array<std::int64_t, 12> demand{};
  for (const ChildcareRequest* r : requests) {
    for (int m = 0; m < 12; ++m) demand[static_cast<std::size_t>(m)] += (r->months >> m) & 1u;
  }
  if (*std::max_element(demand.begin(), demand.end()) <= capacity) return;  // nobody turned away
  std::sort(requests.begin(), requests.end(), [](const ChildcareRequest* a, const ChildcareRequest* b) {
    if (a->priority != b->priority) return a->priority < b->priority;
    if (a->key != b->key) return a->key < b->key;
    return a->entity != b->entity ? a->entity < b->entity : a->aux < b->aux;
  });
  std::array<std::int64_t, 12> taken{};
  for (ChildcareRequest* r : requests) {
    std::uint16_t granted = 0;
    for (int m = 0; m < 12; ++m) {
      if (((r->months >> m) & 1u) && taken[static_cast<std::size_t>(m)] < capacity) {
        ++taken[static_cast<std::size_t>(m)];
        granted = static_cast<std::uint16_t>(granted | (1u << m));
      }
    }
    r->months = granted;
  }
}

}  // namespace cradle
