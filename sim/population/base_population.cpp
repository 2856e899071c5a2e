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

//! The stable order of the members by household (a counting sort: households are dense
//! indices), and within a household by `less` (a stable insertion sort: a household holds
//! a few members).
template <class Less>
std::vector<std::uint32_t> order_by_household(const std::vector<std::uint32_t>& household, Less less) {
  const std::size_t households =
      household.empty() ? 0 : static_cast<std::size_t>(*std::max_element(household.begin(), household.end())) + 1;
  std::vector<std::uint32_t> start(households + 1, 0);
  for (std::uint32_t h : household) start[h + 1]++;
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::uint32_t> order(household.size());
  std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
  for (std::uint32_t i = 0; i < household.size(); ++i) order[next[household[i]]++] = i;
  for (std::size_t h = 0; h < households; ++h) {
    for (std::uint32_t i = start[h] + 1; i < start[h + 1]; ++i) {
      const std::uint32_t x = order[i];
      std::uint32_t j = i;
      for (; j > start[h] && less(x, order[j - 1]); --j) order[j] = order[j - 1];
      order[j] = x;
    }
  }
  return order;
}

//! v[i] = old v[order[i]].
template <class T>
void permute(std::vector<T>& v, const std::vector<std::uint32_t>& order) {
  std::vector<T> out(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) out[i] = v[order[i]];
  v = std::move(out);
}

//! Each girl's child and woman records point at one person: the same household and birth
//! year, and every woman younger than YOUNGEST_WOMAN_AGE in the first year has one.
template <class Fail>
void check_girls(const BasePopulation& pop, Fail fail) {
  const std::size_t w = pop.women();
  std::vector<bool> linked(w, false);
  for (std::size_t i = 0; i < pop.children(); ++i) {
    if (pop.child_mother[i] != NO_MOTHER && pop.child_mother[i] >= w) fail("a child's mother is out of range");
    if (pop.child_sex[i] > 1) fail("a child's sex is not 0 (male) or 1 (female)");
    const std::uint32_t g = pop.child_woman[i];
    if (g == NO_WOMAN) continue;
    if (g >= w || linked[g] || pop.child_sex[i] != static_cast<std::uint8_t>(Sex::female) ||
        pop.woman_household[g] != pop.child_household[i] ||
        pop.woman_birth_year[g] != static_cast<std::int16_t>(pop.child_birth_month[i] / 12)) {
      fail("a girl's woman record is not hers");
    }
    linked[g] = true;
  }
  for (std::size_t i = 0; i < w; ++i) {
    if (!linked[i] && pop.base_year - pop.woman_birth_year[i] < YOUNGEST_WOMAN_AGE) {
      fail("a girl's woman record has no child record");
    }
  }
}

}  // namespace

void build_blocks(BasePopulation& pop) {
  pop.blocks.clear();
  const auto n_households = static_cast<std::uint32_t>(pop.households());
  for (std::uint32_t h0 = 0; h0 < n_households; h0 += BLOCK_HOUSEHOLDS) {
    const std::uint32_t h1 = std::min(n_households, h0 + BLOCK_HOUSEHOLDS);
    pop.blocks.push_back(HouseholdBlock{h0, h1, first_at(pop.woman_household, h0), first_at(pop.woman_household, h1),
                                        first_at(pop.child_household, h0), first_at(pop.child_household, h1),
                                        first_at(pop.person_household, h0), first_at(pop.person_household, h1)});
  }
}

std::size_t count_residents(const BasePopulation& pop) {
  auto here = [&](std::uint32_t h) { return pop.household_arrival.empty() || pop.household_arrival[h] <= pop.base_year; };
  std::size_t n = 0;
  for (std::size_t w = 0; w < pop.women(); ++w) {
    n += pop.base_year - pop.woman_birth_year[w] >= YOUNGEST_WOMAN_AGE && here(pop.woman_household[w]);
  }
  for (std::size_t c = 0; c < pop.children(); ++c) {
    n += pop.child_birth_month[c] < month_index(pop.base_year, 1) && here(pop.child_household[c]);
  }
  for (std::uint32_t h : pop.person_household) n += here(h);
  return n;
}

void sort_by_household(BasePopulation& pop) {
  const std::vector<std::uint32_t> women = order_by_household(pop.woman_household, [&](std::uint32_t a, std::uint32_t b) {
    return pop.woman_birth_year[a] < pop.woman_birth_year[b];
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
  for (std::uint32_t& g : pop.child_woman) {
    if (g != NO_WOMAN) g = new_woman[g];
  }
  const std::vector<std::uint32_t> children = order_by_household(pop.child_household, [&](std::uint32_t a, std::uint32_t b) {
    return pop.child_birth_month[a] < pop.child_birth_month[b];
  });
  permute(pop.child_household, children);
  permute(pop.child_birth_month, children);
  permute(pop.child_birth_order, children);
  permute(pop.child_mother, children);
  permute(pop.child_sex, children);
  permute(pop.child_woman, children);
  const std::vector<std::uint32_t> others =
      order_by_household(pop.person_household, [](std::uint32_t, std::uint32_t) { return false; });
  permute(pop.person_household, others);
  permute(pop.person_birth_year, others);
  permute(pop.person_sex, others);
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
  if (pop.child_household.size() != c || pop.child_birth_order.size() != c || pop.child_mother.size() != c ||
      pop.child_sex.size() != c || pop.child_woman.size() != c) {
    fail("children's arrays of different lengths");
  }
  const std::size_t o = pop.others();
  if (pop.person_household.size() != o || pop.person_sex.size() != o) fail("other residents' arrays of different lengths");
  if (!std::is_sorted(pop.woman_household.begin(), pop.woman_household.end()) ||
      !std::is_sorted(pop.child_household.begin(), pop.child_household.end()) ||
      !std::is_sorted(pop.person_household.begin(), pop.person_household.end())) {
    fail("residents must be sorted by household");
  }
  if (w && pop.woman_household.back() >= h) fail("a woman's household is out of range");
  if (c && pop.child_household.back() >= h) fail("a child's household is out of range");
  if (o && pop.person_household.back() >= h) fail("a resident's household is out of range");
  check_girls(pop, fail);
  if (pop.weight < 1) fail("weight below 1");
  std::size_t covered = 0;
  for (const HouseholdBlock& b : pop.blocks) covered += b.household_end - b.household_begin;
  if (covered != h) fail("blocks do not cover the households");
}

}  // namespace cradle
