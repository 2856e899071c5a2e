// Time in the model: months are counted from year 0 (month index = year*12 + month-1).
// A child born in month b is `age_months(b, m) = m - b - 1` completed months old at the
// start of month m; it is "under 3" in the months b+1 … b+36. This is the reading of the
// national scheme under which a child born in December 2023 is paid 24 months from
// January 2025 (calibration.md) and every child 36 months in all.
#pragma once

#include <cstdint>

namespace cradle {

using MonthIndex = std::int32_t;

//! Month index of (year, month 1..12).
constexpr MonthIndex month_index(int year, int month) { return year * 12 + (month - 1); }

//! Days in `month` (1..12) of `year` (Gregorian).
constexpr int days_in_month(int year, int month) {
  constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

//! Days in `year`.
constexpr int days_in_year(int year) { return 337 + days_in_month(year, 2); }

//! A date within a year: its month index and day of the month (1..31).
struct MonthDay {
  MonthIndex month;
  int day;
};

//! The date of day `d` (0-based) of `year`.
constexpr MonthDay date_of_day(int year, int d) {
  int month = 1;
  while (month < 12 && d >= days_in_month(year, month)) d -= days_in_month(year, month++);
  return MonthDay{month_index(year, month), d + 1};
}

//! The 12-bit mask of months of `year` that fall in [first, last_excl).
constexpr std::uint16_t month_mask(int year, MonthIndex first, MonthIndex last_excl) {
  const MonthIndex y0 = year * 12;
  const MonthIndex lo = first > y0 ? first : y0;
  const MonthIndex hi = last_excl < y0 + 12 ? last_excl : y0 + 12;
  if (hi <= lo) return 0;
  const unsigned width = static_cast<unsigned>(hi - lo);
  const unsigned shift = static_cast<unsigned>(lo - y0);
  return static_cast<std::uint16_t>(((1u << width) - 1u) << shift);
}

//! Months of `year` in which a child born in month `birth` is aged
//! [min_age_months, max_age_months) completed months at the month's start.
constexpr std::uint16_t age_window_mask(int year, MonthIndex birth, int min_age_months, int max_age_months) {
  return month_mask(year, birth + 1 + min_age_months, birth + 1 + max_age_months);
}

namespace detail {
//! Months set in each 6-bit half-year mask.
inline constexpr std::uint8_t months_in_half[64] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 1, 2, 2, 3, 2, 3,
                                                    3, 4, 2, 3, 3, 4, 3, 4, 4, 5, 1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4,
                                                    3, 4, 4, 5, 2, 3, 3, 4, 3, 4, 4, 5, 3, 4, 4, 5, 4, 5, 5, 6};
}  // namespace detail

//! Number of months set in a 12-bit mask of a year's months. (Two table reads rather
//! than std::popcount, which without -mpopcnt becomes a library call in the hot loop,
//! or a bit-counting sequence four times as long.)
constexpr int months_in(std::uint16_t mask) {
  return detail::months_in_half[mask & 63u] + detail::months_in_half[(mask >> 6) & 63u];
}
static_assert([] {
  for (unsigned mask = 0; mask < 4096; ++mask) {
    int set = 0;
    for (unsigned bit = 0; bit < 12; ++bit) set += (mask >> bit) & 1u;
    if (months_in(static_cast<std::uint16_t>(mask)) != set) return false;
  }
  return true;
}());

}  // namespace cradle
