#include "sim/population/base_population.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace cradle {

namespace {

//! The first index whose owner is at least `h` in arrays sorted by owner.
std::uint32_t first_at(const std::vector<std::uint32_t>& owner, std::uint32_t h) {
  return static_cast<std::uint32_t>(std::lower_bound(owner.begin(), owner.end(), h) - owner.begin());
}

//! The stable order of indices 0 … n-1 under `less`.
template <class Less>
std::vector<std::uint32_t> stable_order(std::size_t n, Less less) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), less);
  return order;
}

//! v[i] = old v[order[i]].
template <class T>
void permute(std::vector<T>& v, const std::vector<std::uint32_t>& order) {
  std::vector<T> out(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) out[i] = v[order[i]];
  v = std::move(out);
}

}  // namespace

void build_blocks(BasePopulation& pop) {
  pop.blocks.clear();
  const auto n_households = static_cast<std::uint32_t>(pop.households());
  for (std::uint32_t h0 = 0; h0 < n_households; h0 += BLOCK_HOUSEHOLDS) {
    const std::uint32_t h1 = std::min(n_households, h0 + BLOCK_HOUSEHOLDS);
    pop.blocks.push_back(HouseholdBlock{h0, h1, first_at(pop.woman_household, h0), first_at(pop.woman_household, h1),
                                        first_at(pop.child_household, h0), first_at(pop.child_household, h1)});
  }
}

void sort_by_household(BasePopulation& pop) {
  const std::vector<std::uint32_t> women = stable_order(pop.women(), [&](std::uint32_t a, std::uint32_t b) {
    return pop.woman_household[a] != pop.woman_household[b] ? pop.woman_household[a] < pop.woman_household[b]
                                                            : pop.woman_birth_year[a] < pop.woman_birth_year[b];
  });
  permute(pop.woman_household, women);
  permute(pop.woman_birth_year, women);
  permute(pop.woman_parity, women);
  permute(pop.woman_flags, women);
  std::vector<std::uint32_t> new_woman(women.size());
  for (std::uint32_t i = 0; i < women.size(); ++i) new_woman[women[i]] = i;
  for (std::uint32_t& m : pop.child_mother) {
    if (m != NO_MOTHER) m = new_woman[m];
  }
  const std::vector<std::uint32_t> children = stable_order(pop.children(), [&](std::uint32_t a, std::uint32_t b) {
    return pop.child_household[a] != pop.child_household[b] ? pop.child_household[a] < pop.child_household[b]
                                                            : pop.child_birth_month[a] < pop.child_birth_month[b];
  });
  permute(pop.child_household, children);
  permute(pop.child_birth_month, children);
  permute(pop.child_birth_order, children);
  permute(pop.child_mother, children);
}

void check_population(const BasePopulation& pop) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("base population: " + what); };
  const std::size_t h = pop.households(), w = pop.women(), c = pop.children();
  if (pop.household_income_band.size() != h || pop.household_employment.size() != h ||
      pop.household_tenure.size() != h || pop.household_flags.size() != h) {
    fail("household arrays of different lengths");
  }
  // Arrival and departure years come last (add_migration): absent until then.
  if (pop.household_arrival.size() != pop.household_departure.size() ||
      (!pop.household_arrival.empty() && pop.household_arrival.size() != h)) {
    fail("household arrays of different lengths");
  }
  if (pop.woman_household.size() != w || pop.woman_parity.size() != w || pop.woman_flags.size() != w) {
    fail("women's arrays of different lengths");
  }
  if (pop.child_household.size() != c || pop.child_birth_order.size() != c || pop.child_mother.size() != c) {
    fail("children's arrays of different lengths");
  }
  if (!std::is_sorted(pop.woman_household.begin(), pop.woman_household.end()) ||
      !std::is_sorted(pop.child_household.begin(), pop.child_household.end())) {
    fail("women and children must be sorted by household");
  }
  if (w && pop.woman_household.back() >= h) fail("a woman's household is out of range");
  if (c && pop.child_household.back() >= h) fail("a child's household is out of range");
  for (std::size_t i = 0; i < c; ++i) {
    if (pop.child_mother[i] != NO_MOTHER && pop.child_mother[i] >= w) fail("a child's mother is out of range");
  }
  if (pop.weight < 1) fail("weight below 1");
  std::size_t covered = 0;
  for (const HouseholdBlock& b : pop.blocks) covered += b.household_end - b.household_begin;
  if (covered != h) fail("blocks do not cover the households");
}

}  // namespace cradle
