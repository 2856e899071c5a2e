#include "sim/population/base_population.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <stdexcept>
#include <string>

#include "sim/population/parallel_steps.h"

namespace cradle {

namespace {

using generation::for_chunks;

//! The largest (or, with `smallest`, the smallest) of the values, T{} for none, found by
//! chunks in parallel.
template <class T>
T extreme(const Column<T>& v, bool smallest = false) {
  std::vector<T> by_chunk(generation::chunk_count(v.size()), T{});
  auto pick = [&](auto first, auto last) {
    return smallest ? *std::min_element(first, last) : *std::max_element(first, last);
  };
  for_chunks(v.size(), [&](std::size_t k, std::size_t b, std::size_t e) {
    by_chunk[k] = pick(v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e));
  });
  return by_chunk.empty() ? T{} : pick(by_chunk.begin(), by_chunk.end());
}

//! Whether `sorted(from, end)` holds for every chunk [begin, end) of [0, n), from being the
//! index before the chunk (0 for the first), so that the chunks' joins are checked too.
template <class Sorted>
bool all_chunks(std::size_t n, const Sorted& sorted) {
  std::vector<std::uint8_t> ok(generation::chunk_count(n));
  for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) { ok[k] = sorted(b == 0 ? b : b - 1, e); });
  return std::all_of(ok.begin(), ok.end(), [](std::uint8_t x) { return x != 0; });
}

//! Whether records are in order of (major, minor), checked in parallel chunks.
template <class Major, class Minor>
bool sorted_by(const Column<Major>& major, const Column<Minor>& minor) {
  return all_chunks(major.size(), [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b + 1; i < e; ++i) {
      if (major[i] < major[i - 1] || (major[i] == major[i - 1] && minor[i] < minor[i - 1])) return false;
    }
    return true;
  });
}

//! v[i] = old v[order[i]].
template <class T>
void permute(Column<T>& v, const generation::Buffer<std::uint32_t>& order) {
  generation::Buffer<T> out(order.size());
  for_chunks(order.size(), [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) out[i] = v[order[i]];
  });
  for_chunks(order.size(), [&](std::size_t, std::size_t b, std::size_t e) {
    std::copy(out.data() + b, out.data() + e, v.data() + b);
  });
}

//! Each girl's child and woman records point at one person: the same household and birth
//! year, and every woman younger than YOUNGEST_WOMAN_AGE in the first year has one.
template <class Fail>
void check_girls(const BasePopulation& pop, Fail fail) {
  const std::size_t w = pop.women();
  std::vector<bool> linked(w, false);
  std::size_t girls_linked = 0;  // linked women younger than YOUNGEST_WOMAN_AGE
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
    girls_linked += pop.base_year - pop.woman_birth_year[g] < YOUNGEST_WOMAN_AGE;
  }
  // No woman is linked twice (above): every girl is linked exactly when as many girls are
  // linked as there are girls. A count, where a look-up of each woman's link took a third
  // of the check on full Jiangxi.
  const auto girls = std::count_if(pop.woman_birth_year.begin(), pop.woman_birth_year.end(),
                                   [&](std::int16_t year) { return pop.base_year - year < YOUNGEST_WOMAN_AGE; });
  if (static_cast<std::size_t>(girls) != girls_linked) fail("a girl's woman record has no child record");
}

//! Points the children's mothers and own woman records, old indices of women now at new
//! places (old[new] = old), at the new places. Children live with their mothers: each is
//! looked for among the women of the child's household, women and children being sorted by
//! household, so that both are read in sequence; if one is not there, every index is
//! looked up in the inverse of `old`.
void remap_women(BasePopulation& pop, const generation::Buffer<std::uint32_t>& old) {
  const std::size_t w = pop.women(), c = pop.children();
  std::vector<std::uint8_t> found(generation::chunk_count(c), 1);
  generation::Buffer<std::uint32_t> mother(c), own(c);
  for_chunks(c, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::size_t first = static_cast<std::size_t>(
        std::lower_bound(pop.woman_household.begin(), pop.woman_household.end(), pop.child_household[b]) -
        pop.woman_household.begin());
    auto place = [&](std::uint32_t h, std::uint32_t woman, std::uint32_t none) -> std::uint32_t {
      if (woman == none) return none;
      for (std::size_t j = first; j < w && pop.woman_household[j] == h; ++j) {
        if (old[j] == woman) return static_cast<std::uint32_t>(j);
      }
      found[k] = 0;
      return none;
    };
    for (std::size_t i = b; i < e; ++i) {
      const std::uint32_t h = pop.child_household[i];
      while (first < w && pop.woman_household[first] < h) ++first;
      mother[i] = place(h, pop.child_mother[i], NO_MOTHER);
      own[i] = place(h, pop.child_woman[i], NO_WOMAN);
    }
  });
  if (std::all_of(found.begin(), found.end(), [](std::uint8_t f) { return f != 0; })) {
    for_chunks(c, [&](std::size_t, std::size_t b, std::size_t e) {
      std::copy(mother.data() + b, mother.data() + e, pop.child_mother.data() + b);
      std::copy(own.data() + b, own.data() + e, pop.child_woman.data() + b);
    });
    return;
  }
  generation::Buffer<std::uint32_t> new_woman(w);
  for_chunks(w, [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) new_woman[old[i]] = static_cast<std::uint32_t>(i);
  });
  for_chunks(c, [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      std::uint32_t& m = pop.child_mother[i];
      if (m != NO_MOTHER) m = new_woman[m];
      std::uint32_t& g = pop.child_woman[i];
      if (g != NO_WOMAN) g = new_woman[g];
    }
  });
}

}  // namespace

void reserve_columns(BasePopulation& pop, std::size_t households, std::size_t women, std::size_t children,
                     std::size_t others) {
  for_each_household_column(pop, [&](auto& column) { column.reserve(households); });
  pop.household_arrival.reserve(households);
  pop.household_departure.reserve(households);
  for_each_woman_column(pop, [&](auto& column) { column.reserve(women); });
  for_each_child_column(pop, [&](auto& column) { column.reserve(children); });
  for_each_other_column(pop, [&](auto& column) { column.reserve(others); });
}

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
  const MonthIndex first_month = month_index(pop.base_year, 1);
  // By chunks, each record type in turn: an exact count, the same whatever the threads.
  std::vector<std::size_t> by_chunk;
  auto count = [&](std::size_t n, const auto& resident) {
    by_chunk.assign(generation::chunk_count(n), 0);
    for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) {
      std::size_t c = 0;
      for (std::size_t i = b; i < e; ++i) c += resident(i);
      by_chunk[k] = c;
    });
    return std::accumulate(by_chunk.begin(), by_chunk.end(), std::size_t{0});
  };
  return count(pop.women(),
               [&](std::size_t w) {
                 return pop.base_year - pop.woman_birth_year[w] >= YOUNGEST_WOMAN_AGE && here(pop.woman_household[w]);
               }) +
         count(pop.children(),
               [&](std::size_t c) { return pop.child_birth_month[c] < first_month && here(pop.child_household[c]); }) +
         count(pop.others(), [&](std::size_t p) { return here(pop.person_household[p]); });
}

namespace {

//! Sorts the women by (household, birth year); returns their old indices by new place,
//! or nothing if they were sorted already.
generation::Buffer<std::uint32_t> sort_women(BasePopulation& pop) {
  const std::size_t w = pop.women();
  // Women: (household, birth year, parity, flags) in one word, moved by the sort with their
  // old index, so that nothing is gathered from scattered places.
  const bool women_sorted = sorted_by(pop.woman_household, pop.woman_birth_year);
  generation::Buffer<std::uint32_t> old;  // the women's old indices, by new place
  if (!women_sorted) {
    const std::int16_t first_year = extreme(pop.woman_birth_year, true);
    const auto years = static_cast<std::uint32_t>(extreme(pop.woman_birth_year) - first_year);
    // (household, birth year) are the key bits [16, 16 + year_bits + household_bits).
    const unsigned year_bits = generation::bit_width(years), shift = 16 + year_bits;
    generation::Buffer<std::uint64_t> records(w);
    old = generation::Buffer<std::uint32_t>(w);
    for_chunks(w, [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        records[i] = std::uint64_t{pop.woman_household[i]} << shift |
                     std::uint64_t{static_cast<std::uint16_t>(pop.woman_birth_year[i] - first_year)} << 16 |
                     std::uint64_t{pop.woman_parity[i]} << 8 | pop.woman_flags[i];
        old[i] = static_cast<std::uint32_t>(i);
      }
    });
    generation::radix_sort(records, &old, 16, shift + generation::bit_width(extreme(pop.woman_household)));
    for_chunks(w, [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const std::uint64_t r = records[i];
        pop.woman_household[i] = static_cast<std::uint32_t>(r >> shift);
        pop.woman_birth_year[i] =
            static_cast<std::int16_t>(static_cast<std::uint16_t>((r >> 16) & ((1u << year_bits) - 1)) + first_year);
        pop.woman_parity[i] = static_cast<std::uint8_t>(r >> 8);
        pop.woman_flags[i] = static_cast<std::uint8_t>(r);
      }
    });
  }
  return old;
}

//! Sorts the children by (household, birth month), their records gathered in the new order.
void sort_children(BasePopulation& pop) {
  const std::size_t c = pop.children();
  // Children: (household, birth month) with their old index; their records then gathered.
  const bool children_sorted = sorted_by(pop.child_household, pop.child_birth_month);
  if (!children_sorted) {
    const MonthIndex first_month = extreme(pop.child_birth_month, true);
    const auto months = static_cast<std::uint32_t>(extreme(pop.child_birth_month) - first_month);
    const unsigned month_bits = generation::bit_width(months);
    generation::Buffer<std::uint64_t> keys(c);
    generation::Buffer<std::uint32_t> order(c);
    for_chunks(c, [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        keys[i] = std::uint64_t{pop.child_household[i]} << month_bits |
                  static_cast<std::uint32_t>(pop.child_birth_month[i] - first_month);
        order[i] = static_cast<std::uint32_t>(i);
      }
    });
    generation::radix_sort(keys, &order, 0, month_bits + generation::bit_width(extreme(pop.child_household)));
    keys = {};
    for_each_child_column(pop, [&](auto& column) { permute(column, order); });
  }
}

//! Sorts the other residents by household.
void sort_others(BasePopulation& pop) {
  const std::size_t o = pop.others();
  // The other residents: (household, birth year, sex) in one word.
  const bool others_sorted = all_chunks(o, [&](std::size_t b, std::size_t e) {
    return std::is_sorted(pop.person_household.begin() + static_cast<std::ptrdiff_t>(b),
                          pop.person_household.begin() + static_cast<std::ptrdiff_t>(e));
  });
  if (!others_sorted) {
    generation::Buffer<std::uint64_t> records(o);
    for_chunks(o, [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        records[i] = std::uint64_t{pop.person_household[i]} << 32 |
                     std::uint64_t{static_cast<std::uint16_t>(pop.person_birth_year[i])} << 8 | pop.person_sex[i];
      }
    });
    generation::radix_sort(records, nullptr, 32, 32 + generation::bit_width(extreme(pop.person_household)));
    for_chunks(o, [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        pop.person_household[i] = static_cast<std::uint32_t>(records[i] >> 32);
        pop.person_birth_year[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(records[i] >> 8));
        pop.person_sex[i] = static_cast<std::uint8_t>(records[i]);
      }
    });
  }
}

}  // namespace

void sort_by_household(BasePopulation& pop) {
  const std::size_t w = pop.women(), c = pop.children();
  if (w >= (std::size_t{1} << 32) || c >= (std::size_t{1} << 32)) throw std::invalid_argument("population too large");
  const generation::Buffer<std::uint32_t> old = sort_women(pop);
  sort_children(pop);
  if (old.size() != 0) remap_women(pop, old);
  sort_others(pop);
}

void check_population(const BasePopulation& pop) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("base population: " + what); };
  const std::size_t h = pop.households(), w = pop.women(), c = pop.children(), o = pop.others();
  const auto lengths = [&](std::size_t n, const char* what) {
    return [n, what, &fail](const auto& column) {
      if (column.size() != n) fail(std::string(what) + " arrays of different lengths");
    };
  };
  for_each_household_column(pop, lengths(h, "household"));
  for_each_woman_column(pop, lengths(w, "women's"));
  for_each_child_column(pop, lengths(c, "children's"));
  for_each_other_column(pop, lengths(o, "other residents'"));
  // Arrival and departure years come last (add_migration): absent until then.
  if (pop.household_arrival.size() != pop.household_departure.size() ||
      (!pop.household_arrival.empty() && pop.household_arrival.size() != h)) {
    fail("household arrays of different lengths");
  }
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
