#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "models/behaviour.h"
#include "models/calendar.h"
#include "models/childcare_demand.h"
#include "models/funding.h"
#include "models/measures/kinds.h"
#include "models/measures/measure.h"
#include "models/services.h"
#include "models/uncertainty.h"

using namespace cradle;

namespace {
Measure national_subsidy() {
  Measure m;
  m.id = "national_childcare_subsidy";
  m.kind = MeasureKind::child_cash;
  m.basis = Basis::child_month;
  Phase p;
  p.fen_per_unit = 30000;
  m.phases = {p};
  m.eligibility.valid_from = month_index(2025, 1);
  m.payers.ppm = {900000, 50000, 0, 50000};
  return m;
}
ChildYear child(int year, int month, int order = 1) {
  ChildYear c;
  c.birth_month = month_index(year, month);
  c.birth_order = birth_order_class(order);
  c.flags = FLAG_LOCAL_RESIDENT;
  return c;
}
std::int64_t months_paid(const Measure& m, const ChildYear& c, int from, int to) {
  std::int64_t n = 0;
  for (int y = from; y <= to; ++y) n += child_year_cost(m, c, y, {}).units;
  return n;
}
//! A birth grant of 2,000 yuan, 5,000 from July 2025.
Measure phased_birth_grant() {
  Measure m;
  m.kind = MeasureKind::event_cash;
  m.basis = Basis::birth;
  Phase first;
  first.fen_per_unit = 200000;
  Phase later = first;
  later.from = month_index(2025, 7);
  later.fen_per_unit = 500000;
  m.phases = {first, later};
  return m;
}
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
  REQUIRE(months_paid(m, child(2023, 12), 2024, 2028) == 24);
  REQUIRE(child_year_cost(m, child(2023, 12), 2025, {}).fen == 12 * 30000);
  // Born in 2025: 36 months in all = 10,800 yuan.
  REQUIRE(months_paid(m, child(2025, 6), 2025, 2029) == 36);
  // Born December 2021: turned 3 in December 2024, nothing.
  REQUIRE(child_year_cost(m, child(2021, 12), 2025, {}).units == 0);
  // Born January 2022: one month (January 2025, the month it turns 3).
  REQUIRE(child_year_cost(m, child(2022, 1), 2025, {}).units == 1);
  // Born December 2022: the whole of 2025.
  REQUIRE(child_year_cost(m, child(2022, 12), 2025, {}).units == 12);
}

TEST_CASE("eligibility: birth order, residency, validity window and phases", "[measures]") {
  Measure m = national_subsidy();
  m.eligibility.birth_orders = 0b110;  // 2nd and 3rd+ only
  REQUIRE(child_year_cost(m, child(2024, 1, 1), 2025, {}).units == 0);
  REQUIRE(child_year_cost(m, child(2024, 1, 2), 2025, {}).units == 12);
  REQUIRE(child_year_cost(m, child(2024, 1, 5), 2025, {}).units == 12);  // 5th child counts as 3rd+
  m.eligibility.local_residents_only = true;
  ChildYear migrant = child(2024, 1, 2);
  migrant.flags = 0;
  REQUIRE(child_year_cost(m, migrant, 2025, {}).units == 0);
  m.eligibility.valid_until = month_index(2025, 7);  // in force January … June
  REQUIRE(child_year_cost(m, child(2024, 1, 2), 2025, {}).units == 6);
  // A second phase from July doubles the amount: 6 × 300 + 0 (out of force) …
  m.eligibility.valid_until = 1 << 30;
  Phase later = m.phases[0];
  later.from = month_index(2025, 7);
  later.fen_per_unit = 60000;
  m.phases.push_back(later);
  const Cost c = child_year_cost(m, child(2024, 1, 2), 2025, {});
  REQUIRE(c.units == 12);
  REQUIRE(c.fen == 6 * 30000 + 6 * 60000);
}

TEST_CASE("event_costs: the events a measure pays for, dated to the day, by order, age and household",
          "[measures][event_cash]") {
  Measure m = phased_birth_grant();
  m.eligibility.birth_orders = 0b110;  // 2nd and 3rd+ births
  m.eligibility.min_mother_age = 20;
  m.eligibility.local_residents_only = true;
  m.eligibility.valid_from = month_index(2025, 3);  // from 15 March 2025 …
  m.eligibility.valid_from_day = 15;
  m.eligibility.valid_until = month_index(2026, 1);  // … to 20 December 2025
  m.eligibility.valid_until_day = 20;
  const auto birth = [](int month, int day, int order) {
    Event e;
    e.basis = Basis::birth;
    e.month = month_index(2025, month);
    e.day = day;
    e.birth_order = order;
    e.mother_age = 30;
    e.flags = FLAG_LOCAL_RESIDENT;
    return e;
  };
  std::vector<Event> events = {birth(3, 14, 2),  birth(3, 15, 2), birth(5, 1, 1),  birth(8, 9, 3),  birth(12, 20, 2),
                               birth(12, 21, 2), birth(6, 30, 2), birth(6, 30, 2), birth(6, 30, 2), birth(6, 30, 2)};
  events[7].mother_age = 19;
  events[8].flags = 0;  // not a local resident
  events[9].basis = Basis::assisted_birth;
  std::uint32_t paid[16];
  std::int64_t units[16];
  Fen fen[16];
  const std::size_t n = event_costs(m, event_year(m, 2025), events.data(), events.size(), paid, units, fen);
  // Paid: 15 March (the first day in force), 9 August (3rd child, the later phase), 20
  // December (the last day) and 30 June; not 14 March or 21 December, a first child, a
  // mother under 20, a migrant's birth or another basis.
  REQUIRE(n == 4);
  CHECK(std::vector<std::uint32_t>(paid, paid + n) == std::vector<std::uint32_t>{1, 3, 4, 6});
  CHECK(std::vector<Fen>(fen, fen + n) == std::vector<Fen>{200000, 500000, 500000, 200000});
  CHECK(std::all_of(units, units + n, [](std::int64_t u) { return u == 1; }));
  // As home purchases, whose order is the household's children (here 2 … 3) and for
  // which the mother's age does not count: the same but the 4-child household's, and the
  // young mother's and the former assisted birth's now paid.
  m.basis = Basis::home_purchase;
  m.eligibility.min_children = 2;
  m.eligibility.max_children = 3;
  for (Event& e : events) e.basis = Basis::home_purchase;
  events[3].birth_order = 4;
  const std::size_t homes = event_costs(m, event_year(m, 2025), events.data(), events.size(), paid, units, fen);
  CHECK(std::vector<std::uint32_t>(paid, paid + homes) == std::vector<std::uint32_t>{1, 4, 6, 7, 9});
}

TEST_CASE("event_year: what an event costs in each month of the year, the phase in force then",
          "[measures][event_cash]") {
  Measure m = phased_birth_grant();
  const EventYear switching = event_year(m, 2025), after = event_year(m, 2026);
  CHECK(switching.first_month == month_index(2025, 1));
  for (std::size_t k = 0; k < 12; ++k) {
    INFO("month " << k + 1);
    CHECK(switching.by_month[k].units == 1);
    CHECK(switching.by_month[k].fen == (k < 6 ? 200000 : 500000));
    CHECK(after.by_month[k].fen == 500000);
  }
  // A kind that pays no event (a fee reduction) tables nothing.
  m.kind = MeasureKind::fee_reduction;
  const EventYear none = event_year(m, 2025);
  CHECK(std::all_of(none.by_month.begin(), none.by_month.end(),
                    [](const Cost& c) { return c.units == 0 && c.fen == 0; }));
}

TEST_CASE("a yearly amount that does not divide into months is exact for whole years", "[measures]") {
  Measure m = national_subsidy();
  m.phases[0].fen_per_unit = 200000;  // 2,000 yuan a year
  m.phases[0].per_months = 12;
  REQUIRE(child_year_cost(m, child(2024, 1), 2025, {}).fen == 200000);
  REQUIRE(child_year_cost(m, child(2025, 5), 2025, {}).fen == 7 * 200000 / 12);  // June–December, rounded down
}

TEST_CASE("a measure's year table: its phases and dates cut the year into segments", "[measures]") {
  Measure m = national_subsidy();
  m.eligibility.valid_from = month_index(2024, 1);
  m.eligibility.valid_until = month_index(2025, 11);  // in force until October 2025
  Phase spring, autumn;
  spring.from = month_index(2025, 4);
  spring.fen_per_unit = 20000;
  autumn.from = month_index(2025, 9);
  autumn.fen_per_unit = 360000;  // 3,600 yuan a year
  autumn.per_months = 12;
  m.phases = {m.phases[0], spring, autumn};
  m.phases[0].fen_per_unit = 10000;
  const MeasureYear y2025 = measure_year(m, 2025);
  REQUIRE(y2025.segments.size() == 3);
  REQUIRE(y2025.segments[0].months == 0b000000000111);  // January–March
  REQUIRE(y2025.segments[1].months == 0b000011111000);  // April–August
  REQUIRE(y2025.segments[2].months == 0b001100000000);  // September–October
  REQUIRE(measure_year(m, 2024).segments.size() == 1);  // only the first phase in 2024
  REQUIRE_FALSE(measure_year(m, 2026).in_force());
  // A child under 3 all year: 3 × 100 + 5 × 200 + 2 × 3,600 / 12 yuan over 10 months.
  const Cost c = child_year_cost(m, child(2024, 6), 2025, {});
  REQUIRE(c.units == 10);
  REQUIRE(c.fen == 3 * 10000 + 5 * 20000 + 2 * 360000 / 12);
  // Born in July 2025: eligible from August, so one month of spring and two of autumn.
  const Cost late = child_year_cost(m, child(2025, 7), 2025, {});
  REQUIRE(late.units == 3);
  REQUIRE(late.fen == 20000 + 2 * 360000 / 12);
  REQUIRE(child_year_cost(m, child(2024, 6), 2026, {}).units == 0);
}

TEST_CASE("childcare enrolment follows the age-specific draw", "[services]") {
  ChildcareProfile cp;
  cp.enrolment_by_age = {0.0, 0.5, 1.0};
  const NetPriceRatios full_price = net_price_ratios({}, cp, 2025);
  const ChildcareDemandYear demand = childcare_demand(cp, {1, 1, 1}, full_price, 1.0, 0.0);
  const auto& use = demand.at(0, 1, true);
  // Born March 2023: in 2025 it is 1 year old January–March, 2 from April.
  const MonthIndex b = month_index(2023, 3);
  REQUIRE(childcare_demand_mask(use, b, 2025, 0) == age_window_mask(2025, b, 12, 36));
  const std::uint16_t high_u = childcare_demand_mask(use, b, 2025, ~std::uint64_t{0} - 1);
  REQUIRE(high_u == age_window_mask(2025, b, 24, 36));
  REQUIRE(months_in(high_u) == 9);
}

TEST_CASE("kindergarten years follow the school year after the third birthday", "[services]") {
  // Born May 2021: turns 3 in May 2024, starts September 2024.
  REQUIRE(first_kindergarten_school_year(month_index(2021, 5)) == 2024);
  // Born October 2021: turns 3 in October 2024, starts September 2025.
  REQUIRE(first_kindergarten_school_year(month_index(2021, 10)) == 2025);
  const auto m = kindergarten_year_masks(month_index(2021, 5), 2025);
  REQUIRE(m[0] == 0x003F);  // year 1: January–June 2025
  REQUIRE(m[1] == 0x0F00);  // year 2: September–December 2025
  REQUIRE(m[2] == 0);
  const auto last = kindergarten_year_masks(month_index(2021, 5), 2027);
  REQUIRE(last[2] == 0x003F);  // year 3 ends in June 2027
  REQUIRE((last[0] | last[1]) == 0);
  const auto none = kindergarten_year_masks(month_index(2021, 5), 2028);
  REQUIRE((none[0] | none[1] | none[2]) == 0);
}

TEST_CASE("the childcare capacity path runs straight to the target, then holds", "[services]") {
  ChildcareProfile p;
  p.slots_per_1000 = 4.0;
  p.target_slots_per_1000 = 6.0;
  p.target_year = 2027;
  REQUIRE(childcare_slots(p, 10000, 2025, 2024) == 40);
  REQUIRE(childcare_slots(p, 10000, 2025, 2025) == std::llround(10000 * (4.0 + 2.0 / 3) / 1000));
  REQUIRE(childcare_slots(p, 10000, 2025, 2027) == 60);
  REQUIRE(childcare_slots(p, 10000, 2025, 2030) == 60);
  p.target_slots_per_1000 = 3.0;  // a target below the stock closes nothing
  REQUIRE(childcare_slots(p, 10000, 2025, 2027) == 40);
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

TEST_CASE("measure kinds and bases round-trip through their names", "[measures]") {
  for (std::size_t k = 0; k < MEASURE_KIND_COUNT; ++k) {
    const auto kind = static_cast<MeasureKind>(k);
    REQUIRE(parse_kind(kind_name(kind)) == kind);
    REQUIRE_FALSE(kind_bases(kind).empty());
    for (Basis b : kind_bases(kind)) REQUIRE(parse_basis(basis_name(b)) == b);
  }
  REQUIRE_FALSE(parse_kind("housing_grant"));
  REQUIRE(kind_ledger(MeasureKind::leave) == Ledger::leave);
  REQUIRE(kind_ledger(MeasureKind::fee_reduction) == Ledger::budget);
  REQUIRE(caseload_unit(Basis::child_month) == "child-months");
}

TEST_CASE("distributions: quantiles of each kind", "[uncertainty]") {
  Distribution d;
  d.kind = Distribution::Kind::uniform;
  d.a = 2;
  d.b = 4;
  REQUIRE(d.quantile(0.25) == Approx(2.5));
  d.kind = Distribution::Kind::triangular;
  d.a = 0;
  d.c = 1;
  d.b = 2;  // symmetric: the median is the mode
  REQUIRE(d.quantile(0.5) == Approx(1.0));
  REQUIRE(d.centre() == Approx(1.0));
  d.kind = Distribution::Kind::truncated_normal;
  d.a = 1;
  d.b = 0.1;
  d.low = 0.9;
  d.high = 1.3;
  REQUIRE(d.quantile(0.5) > 1.0);  // truncated more below than above
  REQUIRE(d.quantile(1e-9) >= 0.9);
  REQUIRE(d.quantile(1 - 1e-9) <= 1.3);
  Distribution n;
  n.kind = Distribution::Kind::truncated_normal;
  n.a = 0;
  n.b = 1;
  REQUIRE(n.quantile(0.975) == Approx(1.959964).epsilon(1e-6));
  Distribution l;
  l.kind = Distribution::Kind::lognormal;
  l.a = 2;
  l.b = 0.5;
  REQUIRE(l.quantile(0.5) == Approx(2.0));
}

TEST_CASE("behaviour: what a birth brings its family, and the response", "[behaviour]") {
  Measure m = national_subsidy();
  m.take_up = 0.9;
  ChildcareProfile cc;
  KindergartenProfile kg;
  // A birth in July 2025: 36 months × 300 yuan × take-up 0.9.
  const auto v = birth_value_yuan({m}, cc, kg, month_index(2025, 7), 0.0);
  REQUIRE(v[0] == Approx(9720.0));
  REQUIRE(v[2] == Approx(9720.0));
  // Providers' subsidies do not reach the family.
  Measure op = m;
  op.kind = MeasureKind::operating_subsidy;
  op.basis = Basis::enrolled_month;
  REQUIRE(birth_value_yuan({op}, cc, kg, month_index(2025, 7), 0.0)[0] == 0.0);
  const auto mult = response_multipliers(v, 100000, 0.2);
  REQUIRE(mult[0] == Approx(1.0 + 0.2 * 9720.0 / 100000));
  REQUIRE(response_multipliers(v, 100000, 0.0)[1] == 1.0);
}

TEST_CASE("behaviour: stacked fee reductions are worth at most the fee", "[behaviour]") {
  ChildcareProfile cc;
  KindergartenProfile kg;
  kg.enrolment_rate = 0.5;
  kg.provider_shares = {1, 0, 0};
  kg.fees = {40000, 50000, 120000};  // 400 yuan a month in public kindergartens
  Measure free;
  free.id = "free";
  free.kind = MeasureKind::fee_reduction;
  free.basis = Basis::enrolled_month;
  free.eligibility.service = Service::kindergarten;
  Phase all;
  all.percent_of_fee_bp = 10000;
  free.phases = {all};
  Measure five = free;
  five.id = "five";
  five.phases[0].percent_of_fee_bp = 500;
  // Three kindergarten years of 10 fee months, enrolled with probability 0.5, 400 yuan.
  const double full = 30 * 0.5 * 400.0;
  const MonthIndex birth = month_index(2025, 7);
  REQUIRE(birth_value_yuan({free}, cc, kg, birth, 0.0)[1] == Approx(full));
  REQUIRE(birth_value_yuan({five}, cc, kg, birth, 0.0)[1] == Approx(0.05 * full));
  REQUIRE(birth_value_yuan({free, five}, cc, kg, birth, 0.0)[1] == Approx(full));  // not 105 %
  free.take_up = 0.5;  // in expectation, half the fee is left for the 5 %
  REQUIRE(birth_value_yuan({free, five}, cc, kg, birth, 0.0)[1] == Approx(0.55 * full));
}
