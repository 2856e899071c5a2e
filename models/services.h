// Childcare (ages 0–3) and kindergarten (the three school years from the September
// after a child turns 3) as the measures see them: who is enrolled in which months,
// with which class of provider, at what fee; and the childcare capacity path.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/calendar.h"
#include "models/funding.h"

namespace cradle {

//! Childcare is for children under this age (completed months).
inline constexpr int UNDER3_MONTHS = 36;
//! Children older than this at a year's start can be in no service: kindergarten year 3
//! ends in the June of the year a child born in August turns 7.
inline constexpr int OLDEST_SERVICE_AGE_MONTHS = 7 * 12;

//! Classes of provider of childcare and kindergarten places.
enum class Provider : std::uint8_t {
  public_ = 0,            //!< 公办 public (inclusive by definition)
  inclusive_private = 1,  //!< 普惠 inclusive private, fees capped by government
  other = 2,              //!< market providers
};
inline constexpr std::size_t PROVIDER_COUNT = 3;
inline constexpr std::uint8_t ALL_PROVIDERS = 0b111;
//! The provider's name as written in scenario files.
const char* provider_name(Provider p);

enum class Service : std::uint8_t { childcare = 0, kindergarten = 1 };

//! Monthly fees by provider class, fen.
using FeeTable = std::array<Fen, PROVIDER_COUNT>;

//! The profile's childcare facts.
struct ChildcareProfile {
  //! share enrolled at ages 0, 1, 2 (completed years), read as the demand at the full fee
  std::array<double, 3> enrolment_by_age{};
  std::array<double, PROVIDER_COUNT> provider_shares{};  //!< of enrolled children
  FeeTable fees{};
  double slots_per_1000 = 0;         //!< places per 1000 residents in the year before the first year
  double target_slots_per_1000 = 0;  //!< the documents' target …
  int target_year = 0;               //!< … to be reached by the end of this year
  double renovated_share = 0;        //!< share of added places made by renovation rather than new building
};

//! The profile's kindergarten facts.
struct KindergartenProfile {
  double enrolment_rate = 0;  //!< share of children of kindergarten age enrolled
  std::array<double, PROVIDER_COUNT> provider_shares{};
  FeeTable fees{};  //!< care-and-education fee (保教费) a month
  //! A document's target (e.g. 58 % public, 93 % inclusive by 2025): enrolment and shares
  //! move on a straight path from the values above (the year before the first) to these in
  //! `target_year`, then hold. No target when target_year is 0.
  int target_year = 0;
  double target_enrolment_rate = 0;
  std::array<double, PROVIDER_COUNT> target_provider_shares{};
};

//! The kindergarten enrolment and provider shares in force in `year` of a run starting
//! in `first_year` (the profile's, or a point on its path to the target).
KindergartenProfile kindergarten_in(const KindergartenProfile& profile, int first_year, int year);

//! Cumulative thresholds of a provider draw (raw 64-bit) for providers in these shares.
std::array<std::uint64_t, PROVIDER_COUNT - 1> provider_thresholds(const std::array<double, PROVIDER_COUNT>& shares);

//! Thresholds of a year's kindergarten draws, precomputed (childcare demand:
//! models/childcare_demand.h; the childcare provider's are the same every year).
struct ServiceUse {
  std::uint64_t kindergarten_threshold = 0;
  std::array<std::uint64_t, PROVIDER_COUNT - 1> kindergarten_provider_threshold{};  //!< cumulative
};

//! Thresholds for raw 64-bit draws.
ServiceUse make_service_use(const KindergartenProfile& kindergarten);

//! The provider class a draw picks, from cumulative thresholds.
Provider pick_provider(const std::array<std::uint64_t, PROVIDER_COUNT - 1>& cumulative, std::uint64_t u);

//! The school year (by its starting calendar year) of a child's first kindergarten
//! year: the September after it turns 3 (born January–August: the year it turns 3).
constexpr int first_kindergarten_school_year(MonthIndex birth) {
  const int year = birth / 12;
  const int month = birth % 12 + 1;
  return year + 3 + (month >= 9 ? 1 : 0);
}

//! Months of `year` in kindergarten year k (1, 2, 3) of a child born in `birth`:
//! January–June belong to the school year that began the previous September,
//! September–December to the one beginning that year; July and August are holidays.
std::array<std::uint16_t, 3> kindergarten_year_masks(MonthIndex birth, int year);

//! Childcare places in `year` for `persons` residents then: a straight path of places
//! per 1000 from the stock in the year before `first_year` to the target in the target
//! year, then held, never below the stock's rate.
std::int64_t childcare_slots(const ChildcareProfile& profile, double persons, int first_year, int year);

//! The childcare places the capacity path adds in a year, by provider class.
struct PlacesAdded {
  std::array<std::int64_t, PROVIDER_COUNT> built{};      //!< newly built
  std::array<std::int64_t, PROVIDER_COUNT> renovated{};  //!< made by renovation or extension
};

//! The places added when the stock grows from `before` to `after` (none when it does
//! not grow): the renovated share of them rounded to whole places, each part split by
//! the profile's provider shares into whole places by largest remainders.
PlacesAdded places_added(const ChildcareProfile& profile, std::int64_t before, std::int64_t after);

//! One child's request for childcare in a year, as the rationing sees it.
struct ChildcareRequest {
  std::uint64_t key = 0;        //!< the child-year's random key: its rank among equal priorities
  std::uint32_t entity = 0;     //!< ties broken by entity, then aux (the child's stream address)
  std::uint32_t aux = 0;
  std::uint8_t priority = 1;    //!< 0 is served first (childcare_priority)
  std::uint16_t months = 0;     //!< months wanted; on return, the months granted
};

//! Allocates a year's places: requests are served in order of priority, then of their
//! random key (ties by entity and aux), and each gets the months of its request in which
//! places remain. Deterministic whatever the order of `requests`; enrolment never
//! exceeds `capacity` in any month; when no month's demand exceeds it nothing changes
//! (and `requests` is not reordered).
void ration_childcare(std::vector<ChildcareRequest*>& requests, std::int64_t capacity);

}  // namespace cradle
