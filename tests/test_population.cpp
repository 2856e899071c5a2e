#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/fertility.h"
#include "sim/population/population.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::default_population;
using cradle::testing::default_scenario;

TEST_CASE("the base population is generated deterministically from the seed", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation a = generate_population(s.profile, s.start_year, 7, 0.05);
  const BasePopulation b = generate_population(s.profile, s.start_year, 7, 0.05);
  const BasePopulation c = generate_population(s.profile, s.start_year, 8, 0.05);
  REQUIRE(a.household_size == b.household_size);
  REQUIRE(a.woman_parity == b.woman_parity);
  REQUIRE(a.child_birth_month == b.child_birth_month);
  REQUIRE(a.child_birth_month != c.child_birth_month);
}

TEST_CASE("the base population matches the profile's totals", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  // Persons: households × mean size, within 1 %.
  REQUIRE(std::fabs(static_cast<double>(p.persons) / s.profile.persons - 1.0) < 0.01);
  // Women 15–49 in the first year: exactly the profile's counts, up to rounding per group.
  double expected_15_49 = 0;
  for (int g = 2; g < FEMALE_AGE_GROUPS; ++g)
    expected_15_49 += s.profile.females_per_1000[g] * s.profile.persons / 1000;
  const auto women_15_49 = std::count_if(p.woman_birth_year.begin(), p.woman_birth_year.end(), [&](std::int16_t by) {
    const int age = s.start_year - by;
    return age >= 15 && age <= 49;
  });
  REQUIRE(std::fabs(static_cast<double>(women_15_49) - expected_15_49) <= FEMALE_AGE_GROUPS);
  // Children born in the burn-in years: the profile's observed births of those years, within 4 standard errors
  // (Poisson-binomial ≤ √n).
  double expected_children = 0;
  for (int year = s.start_year - BURN_IN_YEARS; year < s.start_year; ++year) {
    expected_children += s.profile.observed.births.at(year).value;
  }
  REQUIRE(std::fabs(static_cast<double>(p.children()) - expected_children) < 4 * std::sqrt(expected_children));
}

TEST_CASE("women and children are sorted by household and blocks cover them exactly", "[population]") {
  const BasePopulation& p = default_population();
  REQUIRE(std::is_sorted(p.woman_household.begin(), p.woman_household.end()));
  REQUIRE(std::is_sorted(p.child_household.begin(), p.child_household.end()));
  std::uint32_t h = 0, w = 0, c = 0;
  for (const HouseholdBlock& b : p.blocks) {
    REQUIRE(b.household_begin == h);
    REQUIRE(b.woman_begin == w);
    REQUIRE(b.child_begin == c);
    for (std::uint32_t i = b.woman_begin; i < b.woman_end; ++i) {
      REQUIRE(p.woman_household[i] >= b.household_begin);
      REQUIRE(p.woman_household[i] < b.household_end);
    }
    h = b.household_end;
    w = b.woman_end;
    c = b.child_end;
  }
  REQUIRE(h == p.households());
  REQUIRE(w == p.women());
  REQUIRE(c == p.children());
  // Every child lives with its mother, and its order is her parity at its birth.
  for (std::size_t i = 0; i < p.children(); ++i) {
    REQUIRE(p.woman_household[p.child_mother[i]] == p.child_household[i]);
    REQUIRE(p.child_birth_order[i] >= 1);
    REQUIRE(p.child_birth_order[i] <= p.woman_parity[p.child_mother[i]]);
  }
}

TEST_CASE("fertility is calibrated to the profile's first-year births and order shares", "[population][fertility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const FertilityTable t =
      calibrate_fertility(s.profile.fertility, s.profile.births, p.woman_birth_year, p.woman_parity, s.start_year);
  REQUIRE(expected_births(t, p.woman_birth_year, p.woman_parity, s.start_year) ==
          Approx(s.profile.births).epsilon(1e-9));
  // Births of order 2 come from women of parity 1, in the profile's share.
  double order2 = 0;
  for (std::size_t i = 0; i < p.women(); ++i) {
    if (p.woman_parity[i] == 1) order2 += t.p(s.start_year - p.woman_birth_year[i], 1);
  }
  REQUIRE(order2 == Approx(s.profile.births * s.profile.fertility.order_shares[1]).epsilon(1e-9));
  // Nobody outside 15–49 gives birth.
  REQUIRE(t.p(14, 0) == 0);
  REQUIRE(t.p(50, 1) == 0);
}

TEST_CASE("calibration refuses impossible targets", "[fertility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  REQUIRE_THROWS_AS(calibrate_fertility(s.profile.fertility, 1e7, p.woman_birth_year, p.woman_parity, s.start_year),
                    std::invalid_argument);
}

TEST_CASE("girls born in the burn-in are women too, so long horizons keep their mothers", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  std::size_t girls = 0;
  for (std::size_t i = 0; i < p.women(); ++i) {
    if (s.start_year - p.woman_birth_year[i] < YOUNGEST_WOMAN_AGE) {
      ++girls;
      REQUIRE(p.woman_parity[i] == 0);
    }
  }
  // Girls are 100 / (100 + 111.3) of births.
  const double expected = static_cast<double>(p.children()) * 100.0 / 211.3;
  REQUIRE(std::fabs(static_cast<double>(girls) - expected) < 4 * std::sqrt(expected));
}

TEST_CASE("sort_by_household keeps the order of equals and follows the mothers", "[population]") {
  BasePopulation pop;
  // Women: household, birth year (two equal keys in household 0 keep their order).
  pop.woman_household = {1, 0, 0, 0};
  pop.woman_birth_year = {1990, 1995, 1980, 1995};
  pop.woman_parity = {1, 2, 3, 4};
  pop.woman_flags = {0, 0, 0, 0};
  pop.child_household = {1, 0, 0};
  pop.child_birth_month = {month_index(2020, 5), month_index(2021, 1), month_index(2019, 3)};
  pop.child_birth_order = {1, 2, 1};
  pop.child_mother = {0, 1, NO_MOTHER};
  sort_by_household(pop);
  REQUIRE(pop.woman_household == std::vector<std::uint32_t>{0, 0, 0, 1});
  REQUIRE(pop.woman_parity == std::vector<std::uint8_t>{3, 2, 4, 1});  // 1980, then the two 1995s in order
  REQUIRE(pop.child_household == std::vector<std::uint32_t>{0, 0, 1});
  REQUIRE(pop.child_birth_order == std::vector<std::uint8_t>{1, 2, 1});
  REQUIRE(pop.child_mother == std::vector<std::uint32_t>{NO_MOTHER, 1, 3});
}
