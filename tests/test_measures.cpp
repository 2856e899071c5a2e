#include <catch2/catch.hpp>

#include <numeric>

#include "models/calendar.h"
#include "models/childcare.h"
#include "models/funding.h"
#include "models/measures/child_cash.h"
#include "models/measures/measure.h"
#include "models/measures/operating_subsidy.h"

using namespace cradle;

namespace {
Measure national_subsidy() {
  Measure m;
  m.id = "national_childcare_subsidy";
  m.kind = MeasureKind::child_cash;
  m.fen_per_month = 30000;
  m.eligibility.valid_from = month_index(2025, 1);
  m.payers.ppm = {900000, 50000, 0, 50000};
  return m;
}
ChildYear child(int year, int month, int order = 1) { return ChildYear{month_index(year, month), order, 0, 1}; }
}  // namespace

TEST_CASE("month masks count the months of a year inside a window", "[calendar]") {
  REQUIRE(month_mask(2025, month_index(2025, 1), month_index(2026, 1)) == 0xFFF);
  REQUIRE(month_mask(2025, month_index(2025, 3), month_index(2025, 5)) == 0b1100);
  REQUIRE(month_mask(2025, month_index(2026, 1), month_index(2027, 1)) == 0);
  REQUIRE(months_in(age_window_mask(2025, month_index(2025, 3), 0, 36)) == 9);  // April … December
}

TEST_CASE("child_cash: the national subsidy's proration (calibration.md)", "[measures][child_cash]") {
  const Measure m = national_subsidy();
  // Born December 2023: paid January 2025 … December 2026, 24 months = 7,200 yuan.
  int months = 0;
  for (int y = 2024; y <= 2028; ++y) months += child_cash_months(m, child(2023, 12), y);
  REQUIRE(months == 24);
  REQUIRE(months * m.fen_per_month == 720000);
  // Born in 2025: 36 months in all = 10,800 yuan.
  months = 0;
  for (int y = 2025; y <= 2029; ++y) months += child_cash_months(m, child(2025, 6), y);
  REQUIRE(months == 36);
  // Born December 2021: turned 3 in December 2024, nothing.
  REQUIRE(child_cash_months(m, child(2021, 12), 2025) == 0);
  // Born January 2022: one month (January 2025, the month it turns 3).
  REQUIRE(child_cash_months(m, child(2022, 1), 2025) == 1);
  // Born December 2022: the whole of 2025.
  REQUIRE(child_cash_months(m, child(2022, 12), 2025) == 12);
}

TEST_CASE("child_cash: birth-order eligibility and the validity window", "[measures][child_cash]") {
  Measure m = national_subsidy();
  m.eligibility.birth_orders = 0b110;  // 2nd and 3rd+ only
  REQUIRE(child_cash_months(m, child(2024, 1, 1), 2025) == 0);
  REQUIRE(child_cash_months(m, child(2024, 1, 2), 2025) == 12);
  REQUIRE(child_cash_months(m, child(2024, 1, 3), 2025) == 12);
  m.eligibility.valid_until = month_index(2025, 7);  // in force January … June
  REQUIRE(child_cash_months(m, child(2024, 1, 2), 2025) == 6);
}

TEST_CASE("operating_subsidy: enrolled months with the right provider class", "[measures][operating_subsidy]") {
  Measure m;
  m.kind = MeasureKind::operating_subsidy;
  m.fen_per_month = 12600;
  m.eligibility.provider = static_cast<std::uint8_t>(ProviderClass::inclusive);
  ChildYear c = child(2024, 6);
  c.enrolled_mask = 0b000011110000;  // May … August
  c.provider = static_cast<std::uint8_t>(ProviderClass::inclusive);
  REQUIRE(operating_subsidy_months(m, c, 2025) == 4);
  REQUIRE(measure_units(m, c, 2025) * m.fen_per_month == 4 * 12600);  // 504 yuan
  c.provider = static_cast<std::uint8_t>(ProviderClass::other);
  REQUIRE(operating_subsidy_months(m, c, 2025) == 0);
  c.provider = static_cast<std::uint8_t>(ProviderClass::inclusive);
  c.enrolled_mask = 0;
  REQUIRE(operating_subsidy_months(m, c, 2025) == 0);
}

TEST_CASE("childcare enrolment follows the age-specific draw", "[childcare]") {
  ChildcareProfile p;
  p.enrolment_by_age = {0.0, 0.5, 1.0};
  p.inclusive_share = 0.5;
  const ChildcareUse use = make_childcare_use(p);
  // Born March 2023: in 2025 it is 1 year old in Jan–Mar (completed years at month start:
  // months b+13 … b+24 are age 1), 2 from April.
  const MonthIndex b = month_index(2023, 3);
  const std::uint16_t low_u = enrolled_mask(use, b, 2025, 0);
  REQUIRE(low_u == age_window_mask(2025, b, 12, 36));
  const std::uint16_t high_u = enrolled_mask(use, b, 2025, ~std::uint64_t{0} - 1);
  REQUIRE(high_u == age_window_mask(2025, b, 24, 36));
  REQUIRE(months_in(high_u) == 9);
}

TEST_CASE("split_by_payer is exact and follows the shares", "[funding]") {
  PayerShares s;
  s.ppm = {900000, 50000, 0, 50000};
  const auto parts = split_by_payer(30000, s);
  REQUIRE(parts[0] == 27000);
  REQUIRE(parts[1] == 1500);
  REQUIRE(parts[2] == 0);
  REQUIRE(parts[3] == 1500);
  PayerShares thirds;
  thirds.ppm = {333334, 333333, 333333, 0};
  for (Fen total : {Fen{0}, Fen{1}, Fen{2}, Fen{100}, Fen{1234567891}, Fen{999999999999}}) {
    const auto p = split_by_payer(total, thirds);
    REQUIRE(std::accumulate(p.begin(), p.end(), Fen{0}) == total);
    REQUIRE(p[3] == 0);
  }
}

TEST_CASE("measure kinds round-trip through their names", "[measures]") {
  for (MeasureKind k : {MeasureKind::child_cash, MeasureKind::operating_subsidy}) {
    REQUIRE(parse_kind(kind_name(k)) == k);
  }
  REQUIRE_FALSE(parse_kind("housing_grant"));
  REQUIRE(caseload_unit(MeasureKind::child_cash) == "child-months");
}
