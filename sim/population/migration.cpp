#include "sim/population/migration.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "sim/population/parallel_steps.h"
#include "sim/random/rng.h"

namespace cradle {

namespace {

using stream::GENERATION_REPLICATION;

StreamKey migration_key(std::uint32_t entity) { return StreamKey{entity, 0, 0, stream::MIGRATION}; }

//! The year each resident household leaves at an annual rate `rate` < 0: geometric,
//! from one draw per household; households that stay past the horizon never leave.
void draw_departures(BasePopulation& pop, double rate, std::uint32_t seed) {
  const auto n = static_cast<std::uint32_t>(pop.households());
  const auto base_year = static_cast<std::int16_t>(pop.base_year);
  const double log_stay = std::log1p(rate);
  // In parallel, each household from its own draw (migration_key(h)'s first).
  generation::for_chunks(n, [&](std::size_t, std::size_t b, std::size_t e) {
    generation::each_draw<1>(seed, b, e, 0, stream::MIGRATION, [&](std::size_t h, std::uint64_t u) {
      // Whole years stayed after the first.
      const double after = std::floor(std::log(1.0 - draw_uniform(u)) / log_stay);
      if (after + 1 < MAX_HORIZON_YEARS) pop.household_departure[h] = static_cast<std::int16_t>(base_year + 1 + after);
    });
  });
}

//! Where each resident household's women, children and other residents begin.
struct MemberIndex {
  std::vector<std::uint32_t> woman_at, child_at, person_at;
};

//! Appends a copy of household `d` (with its residents) arriving in `year`: every column
//! copied, then what differs set (the household's index and years, the links to the copy's
//! women).
void copy_household(BasePopulation& pop, std::uint32_t d, std::int16_t year, const MemberIndex& at) {
  const std::vector<std::uint32_t>& woman_at = at.woman_at;
  const auto h = static_cast<std::uint32_t>(pop.households());
  const auto append = [](std::size_t from) { return [from](auto& column) { column.push_back(column[from]); }; };
  for_each_household_column(pop, append(d));
  pop.household_arrival.push_back(year);
  pop.household_departure.push_back(NEVER_DEPARTS);
  const auto first_woman = static_cast<std::uint32_t>(pop.women());
  const auto copied_woman = [&](std::uint32_t w) { return w == NO_WOMAN ? NO_WOMAN : first_woman + (w - woman_at[d]); };
  for (std::uint32_t w = woman_at[d]; w < woman_at[d + 1]; ++w) {
    for_each_woman_column(pop, append(w));
    pop.woman_household.back() = h;
  }
  for (std::uint32_t c = at.child_at[d]; c < at.child_at[d + 1]; ++c) {
    for_each_child_column(pop, append(c));
    pop.child_household.back() = h;
    static_assert(NO_MOTHER == NO_WOMAN, "a child's mother and own record are women's indices alike");
    pop.child_mother.back() = copied_woman(pop.child_mother.back());
    pop.child_woman.back() = copied_woman(pop.child_woman.back());
  }
  for (std::uint32_t p = at.person_at[d]; p < at.person_at[d + 1]; ++p) {
    for_each_other_column(pop, append(p));
    pop.person_household.back() = h;
  }
}

//! Arrivals at the start of each later year at an annual rate `rate` > 0: copies of
//! random residents' households, as many as compound growth brings.
void add_arrivals(BasePopulation& pop, double rate, std::uint32_t seed) {
  const auto n = static_cast<std::uint32_t>(pop.households());
  const auto base_year = static_cast<std::int16_t>(pop.base_year);
  std::vector<std::uint32_t> donors;
  std::vector<std::int16_t> arrival;
  double expected = 0;
  std::uint64_t arrived = 0;
  for (int t = 1; t < MAX_HORIZON_YEARS; ++t) {
    expected += static_cast<double>(n) * rate * std::pow(1.0 + rate, t - 1);
    const auto total = static_cast<std::uint64_t>(std::llround(expected));
    KeyedStream s(seed, GENERATION_REPLICATION, migration_key(static_cast<std::uint32_t>(t)));
    for (; arrived < total; ++arrived) {
      donors.push_back(s.below(n));
      arrival.push_back(static_cast<std::int16_t>(base_year + t));
    }
  }
  if (static_cast<std::uint64_t>(n) + donors.size() >= (1u << 31)) throw std::invalid_argument("population too large");
  // Where each donor's residents are, before any copy is appended.
  MemberIndex at;
  for (std::uint32_t h = 0; h <= n; ++h) {
    at.woman_at.push_back(first_at(pop.woman_household, h));
    at.child_at.push_back(first_at(pop.child_household, h));
    at.person_at.push_back(first_at(pop.person_household, h));
  }
  std::size_t women = pop.women(), children = pop.children(), others = pop.others();
  for (const std::uint32_t d : donors) {
    women += at.woman_at[d + 1] - at.woman_at[d];
    children += at.child_at[d + 1] - at.child_at[d];
    others += at.person_at[d + 1] - at.person_at[d];
  }
  reserve_columns(pop, n + donors.size(), women, children, others);
  for (std::size_t i = 0; i < donors.size(); ++i) copy_household(pop, donors[i], arrival[i], at);
}

}  // namespace

void add_migration(BasePopulation& pop, double per_1000, std::uint32_t seed) {
  const auto n = pop.households();
  pop.household_arrival.assign(n, static_cast<std::int16_t>(pop.base_year));
  pop.household_departure.assign(n, NEVER_DEPARTS);
  const double rate = per_1000 / 1000.0;
  if (rate < 0) {
    draw_departures(pop, rate, seed);
  } else if (rate > 0 && n > 0) {
    add_arrivals(pop, rate, seed);
  }
  build_blocks(pop);
}

}  // namespace cradle
