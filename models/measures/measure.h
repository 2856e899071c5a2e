// A measure as data: what it pays, to whom, when, and who pays for it. A new
// measure of an existing kind is a TOML edit (scenarios/packages/); each kind's
// cost rule is one small function in this folder, dispatched by a switch on the
// kind once per measure, never per person.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "models/calendar.h"
#include "models/funding.h"

namespace cradle {

enum class MeasureKind : std::uint8_t {
  child_cash,         //!< periodic cash per eligible child, prorated by month
  operating_subsidy,  //!< per enrolled child-month, paid to a provider class
};

//! The kind's name as written in scenario files, e.g. "child_cash".
std::string_view kind_name(MeasureKind kind);
//! Parses a kind name; nullopt if it is not a kind the engine supports.
std::optional<MeasureKind> parse_kind(std::string_view name);
//! What one unit of a kind's caseload is, e.g. "child-months".
std::string_view caseload_unit(MeasureKind kind);

//! Childcare provider classes.
enum class ProviderClass : std::uint8_t { inclusive = 0, other = 1 };
inline constexpr std::uint8_t PROVIDER_ANY = 0xFF;

//! Who a measure reaches.
struct Eligibility {
  int min_age_months = 0;                //!< completed months at the start of the month, inclusive
  int max_age_months = 36;               //!< exclusive
  std::uint8_t birth_orders = 0b111;     //!< bit k-1 set: birth order k eligible (bit 2: 3rd and higher)
  std::uint8_t provider = PROVIDER_ANY;  //!< provider class for service-linked kinds
  MonthIndex valid_from = 0;             //!< first month in force
  MonthIndex valid_until = 1 << 30;      //!< first month no longer in force
};

//! One measure, resolved and validated.
struct Measure {
  std::string id;
  MeasureKind kind = MeasureKind::child_cash;
  std::string title;
  std::string source;
  Eligibility eligibility;
  Fen fen_per_month = 0;  //!< amount per eligible unit-month
  double take_up = 1.0;   //!< share of eligible children whose families claim
  PayerShares payers;

  //! Is a child of this birth order (1, 2, 3 = 3rd and higher) eligible?
  bool reaches_order(int order) const {
    const int bit = (order >= 3 ? 3 : order) - 1;
    return bit >= 0 && ((eligibility.birth_orders >> bit) & 1u) != 0;
  }
  //! Months of `year` in which the measure is in force.
  std::uint16_t months_in_force(int year) const {
    return month_mask(year, eligibility.valid_from, eligibility.valid_until);
  }
};

//! What the measures read of one child in one year.
struct ChildYear {
  MonthIndex birth_month;
  int birth_order;              //!< 1, 2, 3 (3 = 3rd and higher)
  std::uint16_t enrolled_mask;  //!< months of the year in childcare
  std::uint8_t provider;        //!< provider class while enrolled
};

//! Units a measure pays for in a year for one child (child-months, enrolled
//! child-months, …), before take-up. The cost is units × fen_per_month.
int measure_units(const Measure& measure, const ChildYear& child, int year);

}  // namespace cradle
