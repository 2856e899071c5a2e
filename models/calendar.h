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

//! Number of months set in a mask. (Written out rather than std::popcount, which
//! without -mpopcnt becomes a library call in the hot loop.)
constexpr int months_in(std::uint16_t mask) {
  unsigned x = mask;
  x = x - ((x >> 1) & 0x5555u);
  x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
  x = (x + (x >> 4)) & 0x0F0Fu;
  return static_cast<int>((x + (x >> 8)) & 0x1Fu);
}
static_assert(months_in(0xFFF) == 12 && months_in(0) == 0 && months_in(0b1010'0000'0001) == 3);

}  // namespace cradle
