#include "sim/population/population.h"

#include "sim/population/column_memory.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <span>
#include <stdexcept>
#include <utility>

#include <tbb/task_arena.h>

#include "models/fertility.h"
#include "sim/input/estimate_draws.h"
#include "sim/population/household_fit.h"
#include "sim/population/microdata.h"
#include "sim/population/parallel_steps.h"
#include "sim/random/rng.h"

namespace cradle {

namespace {

using generation::Buffer;
using generation::chunk_count;
using generation::ChunkOffsets;
using generation::each_draw;
using generation::exclusive_scan;
using generation::for_chunks;
using generation::KeyedDeal;
using generation::offsets_by_chunk;

//! Households: a number that reproduces the persons total at the mean size.
std::uint32_t household_count(const PlaceProfile& profile, double persons_target) {
  double mean_size = 0;
  for (std::size_t k = 0; k < profile.household_size_shares.size(); ++k) {
    mean_size += static_cast<double>(k + 1) * profile.household_size_shares[k];
  }
  const auto n_households = static_cast<std::uint32_t>(std::llround(persons_target / mean_size));
  if (n_households == 0) throw std::invalid_argument("the profile has no households");
  if (n_households >= (1u << 31)) throw std::invalid_argument("population too large");
  return n_households;
}

//! [k]: the first record of `owner` (sorted by household) in the households of chunk k of
//! for_chunks(n_households, …) or after it, for every chunk k and one past the last.
std::vector<std::size_t> chunk_starts(const Column<std::uint32_t>& owner, std::size_t n_households) {
  std::vector<std::size_t> at(chunk_count(n_households) + 1, owner.size());
  for_chunks(n_households, [&](std::size_t k, std::size_t b, std::size_t) { at[k] = first_at(owner, b); });
  return at;
}

//! The group g of `i` in groups that take the consecutive ranges [begin[g], begin[g+1]).
std::size_t group_of(const std::vector<std::size_t>& begin, std::size_t i) {
  return static_cast<std::size_t>(std::upper_bound(begin.begin(), begin.end(), i) - begin.begin()) - 1;
}

//! Flags an exact share of the households: those dealt the first of two labels in a deal
//! numbered `which`.
void mark_share(BasePopulation& pop, double share, std::uint8_t flag, std::uint16_t which, std::uint32_t seed) {
  const std::size_t n_households = pop.households();
  const auto n = static_cast<std::uint32_t>(std::llround(share * static_cast<double>(n_households)));
  const std::uint32_t counts[] = {n, static_cast<std::uint32_t>(n_households - n)};
  KeyedDeal(counts, seed, stream::HOUSEHOLD_FLAGS, which).each_place([&](std::size_t h, std::uint16_t label) {
    if (label == 0) pop.household_flags[h] |= flag;
  });
}

//! Labels dealt within classes: the members of class c < classes (the indices i < n whose
//! class_of(i) is c, in increasing order) get counts_of(c, sizes) copies of each label in a
//! uniformly random arrangement (deal c of `purpose`), `sizes` being every class's number of
//! members; set(i, label) is called for each member, in parallel. An index of class
//! `classes` or more is left out.
template <class ClassOf, class CountsOf, class Set>
void deal_within_classes(std::size_t n, unsigned classes, const ClassOf& class_of, const CountsOf& counts_of,
                         std::uint32_t seed, stream::Id purpose, const Set& set) {
  const std::size_t chunks = chunk_count(n);
  // By chunk and class: the class's members in the chunk, then in the chunks before it.
  std::vector<std::size_t> before(chunks * classes, 0);
  for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      const unsigned c = class_of(i);
      if (c < classes) before[k * classes + c]++;
    }
  });
  std::vector<std::size_t> sizes(classes, 0), class_begin(classes + 1, 0);
  for (unsigned c = 0; c < classes; ++c) {
    for (std::size_t k = 0; k < chunks; ++k) {
      const std::size_t here = before[k * classes + c];
      before[k * classes + c] = sizes[c];
      sizes[c] += here;
    }
    class_begin[c + 1] = class_begin[c] + sizes[c];
  }
  Buffer<std::uint16_t> label_by_rank(class_begin[classes]);
  for (unsigned c = 0; c < classes; ++c) {
    const std::vector<std::uint32_t> counts = counts_of(c, sizes);
    KeyedDeal(counts, seed, purpose, static_cast<std::uint16_t>(c)).each_place([&](std::size_t r, std::uint16_t label) {
      label_by_rank[class_begin[c] + r] = label;
    });
  }
  for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::size_t* rank = &before[k * classes];  // this chunk's own: its members' ranks in turn
    for (std::size_t i = b; i < e; ++i) {
      const unsigned c = class_of(i);
      if (c < classes) set(i, label_by_rank[class_begin[c] + rank[c]++]);
    }
  });
}

//! The households' types fitted to the profile's margins, dealt to the households at
//! random; special families and priority groups as exact shares.
void generate_households(BasePopulation& pop, const PlaceProfile& profile, std::uint32_t n_households,
                         std::uint32_t seed) {
  const HouseholdTable types = fit_households(household_margins(profile));
  const std::vector<std::uint32_t> counts = household_counts(types, n_households);
  std::vector<HouseholdTable::Type> type_of(counts.size());
  for (std::size_t c = 0; c < counts.size(); ++c) type_of[c] = types.type(c);
  for_each_household_column(pop, [&](auto& column) { column.resize(n_households); });
  // The columns as pointers held here: the byte stores below may alias anything, so what
  // the loop read through a reference would be read again after each of them.
  std::uint8_t* const size = pop.household_size.data();
  std::uint8_t* const band = pop.household_income_band.data();
  std::uint8_t* const employment = pop.household_employment.data();
  std::uint8_t* const tenure = pop.household_tenure.data();
  std::uint8_t* const flags = pop.household_flags.data();
  const HouseholdTable::Type* const types_of = type_of.data();
  KeyedDeal(counts, seed, stream::HOUSEHOLD_TYPE, 0).each_place([=](std::size_t h, std::uint16_t cell) {
    const HouseholdTable::Type& t = types_of[cell];
    size[h] = t.size;
    band[h] = t.band;
    employment[h] = t.employment;
    tenure[h] = t.tenure;
    flags[h] = t.local ? FLAG_LOCAL_RESIDENT : 0;
  });
  mark_share(pop, profile.special_family_share, FLAG_SPECIAL_FAMILY, 0, seed);
  mark_share(pop, profile.households.priority_group_share, FLAG_PRIORITY_GROUP, 1, seed);
}

//! The births of a burn-in year the rates are scaled to: the year's observed (or derived)
//! births, so that the burn-in is aligned to the record.
double burn_in_births(const PlaceProfile& profile, int year, double scale) {
  const auto observed = profile.observed.births.find(year);
  return observed == profile.observed.births.end() ? 0.0 : observed->second.value * scale;
}

//! Room for `expected` births and a margin of five standard deviations (more only costs a
//! reallocation).
std::size_t births_room(double expected) { return static_cast<std::size_t>(expected + 5 * std::sqrt(expected) + 64); }

//! Fills birth_year by age group: the members of group g are [group_begin[g],
//! group_begin[g+1]), and member i's age in completed years on 1 January is age(g, its
//! 32 bits of `purpose`, four members to a draw).
template <class Age>
void draw_ages(std::span<std::int16_t> birth_year, const std::vector<std::size_t>& group_begin, int base_year,
               std::uint32_t seed, stream::Id purpose, const Age& age) {
  for_chunks(birth_year.size(), [&](std::size_t, std::size_t b, std::size_t e) {
    std::size_t g = group_of(group_begin, b);
    each_draw<4>(seed, b, e, 0, purpose, [&](std::size_t i, std::uint64_t u) {
      while (i >= group_begin[g + 1]) ++g;
      birth_year[i] = static_cast<std::int16_t>(base_year - 1 - age(g, u));
    });
  });
}

//! Women by age group, in exact expected counts; age within the group drawn. Their
//! households, parities and flags are left to later steps.
void generate_women(BasePopulation& pop, const PlaceProfile& profile, double scale, std::uint32_t seed) {
  const double persons_target = profile.persons * scale;
  const auto& females = profile.residents_per_1000[static_cast<std::size_t>(Sex::female)];
  std::vector<std::size_t> group_begin{0};
  std::vector<int> lo, width;
  for (int g = FIRST_WOMAN_GROUP; g <= LAST_WOMAN_GROUP; ++g) {
    lo.push_back(std::max(5 * g, YOUNGEST_WOMAN_AGE - 1));  // completed years on 1 January
    width.push_back(5 * g + 4 - lo.back() + 1);
    const double width_share = static_cast<double>(width.back()) / 5.0;
    const auto count = static_cast<std::size_t>(
        std::llround(persons_target / 1000.0 * females[static_cast<std::size_t>(g)] * width_share));
    group_begin.push_back(group_begin.back() + count);
  }
  const std::size_t n = group_begin.back();
  if (n >= (1u << 31)) throw std::invalid_argument("population too large");
  pop.woman_birth_year.resize(n);  // households and flags: place_women
  pop.woman_parity.assign(n, 0);
  draw_ages(pop.woman_birth_year, group_begin, pop.base_year, seed, stream::WOMAN_AGE,
            [&](std::size_t g, std::uint64_t u) {
              return lo[g] + static_cast<int>(draw_below(u, static_cast<std::uint32_t>(width[g])));
            });
}

//! Parity at the start of the burn-in: within each age group of that time, the
//! profile's shares as exact counts, dealt at random to the group's women (deal g of
//! WOMAN_PARITY for group g, over the group's women in the order of their indices).
void assign_parity(BasePopulation& pop, const PlaceProfile& profile, std::uint32_t seed) {
  auto group_at_start = [&](std::size_t i) -> unsigned {
    const int age_then = pop.base_year - BURN_IN_YEARS - pop.woman_birth_year[i];
    return age_then >= MIN_FERTILE_AGE && age_then <= MAX_FERTILE_AGE
               ? static_cast<unsigned>(age_then - MIN_FERTILE_AGE) / 5
               : FERTILE_AGE_GROUPS;  // left out: parity 0
  };
  auto counts = [&](unsigned g, const std::vector<std::size_t>& sizes) {
    const auto& row = profile.parity_shares[g];
    return apportion(std::vector<double>(row.begin(), row.end()), static_cast<std::uint32_t>(sizes[g]));
  };
  deal_within_classes(pop.women(), FERTILE_AGE_GROUPS, group_at_start, counts, seed, stream::WOMAN_PARITY,
                      [&](std::size_t i, std::uint16_t parity) { pop.woman_parity[i] = static_cast<std::uint8_t>(parity); });
}

//! The records a write loop of generation stores at once for a household's residents of
//! one kind (its free places, a mother's girls), whatever their number up to it: one store a
//! column, with no branch on the number, which varies at random.
constexpr std::size_t WIDE_FILL = 8;

//! Stores WIDE_FILL records of household h from place `at` on, into the columns `household`,
//! `first` and `second`; record j's two values are fields(j), a pair. The records are made in
//! registers and stored a column at a time (stored one by one, each byte store might alias
//! what the next record reads, and nothing would be combined).
template <class First, class Second, class Fields>
void store_wide(std::uint32_t* household, First* first, Second* second, std::size_t at, std::size_t h,
                const Fields& fields) {
  std::uint32_t homes[WIDE_FILL];
  First firsts[WIDE_FILL];
  Second seconds[WIDE_FILL];
  for (std::size_t j = 0; j < WIDE_FILL; ++j) {
    homes[j] = static_cast<std::uint32_t>(h);
    const auto [a, b] = fields(j);
    firsts[j] = a;
    seconds[j] = b;
  }
  std::memcpy(household + at, homes, sizeof homes);
  std::memcpy(first + at, firsts, sizeof firsts);
  std::memcpy(second + at, seconds, sizeof seconds);
}

//! Before the burn-in, women with the same birth year and parity are alike: a woman's kind
//! is the pair as one label, (birth year - first_year) · parities + parity.
struct WomanKinds {
  int first_year = 0;
  std::size_t parities = 1;
  std::vector<std::uint32_t> adults, girls;  // by kind: women aged 20 and over, and the others

  std::size_t kind(std::int16_t birth_year, std::uint8_t parity) const {
    return static_cast<std::size_t>(birth_year - first_year) * parities + parity;
  }
  std::int16_t birth_year(std::size_t kind) const { return static_cast<std::int16_t>(first_year + kind / parities); }
  std::uint8_t parity(std::size_t kind) const { return static_cast<std::uint8_t>(kind % parities); }
};

//! Each kind's birth year, parity and whether she is of the mothers' generation
//! (mothers_generation), looked up in the loops over households rather than divided out.
struct KindTable {
  std::vector<std::int16_t> birth_year;
  std::vector<std::uint8_t> parity, mother;
  KindTable(const WomanKinds& kinds, int base_year);
};

//! Adult: aged 20 and over in the first year (age attained), and so placed as a head.
bool adult_woman(int base_year, std::int16_t birth_year) { return base_year - birth_year >= 20; }
//! Of the mothers' generation, 32-49: the women girls live with.
bool mothers_generation(int base_year, std::int16_t birth_year) { return base_year - birth_year >= 32; }

KindTable::KindTable(const WomanKinds& kinds, int base_year) {
  for (std::size_t k = 0; k < kinds.adults.size(); ++k) {
    birth_year.push_back(kinds.birth_year(k));
    parity.push_back(kinds.parity(k));
    mother.push_back(mothers_generation(base_year, kinds.birth_year(k)) ? 1 : 0);
  }
}

//! The women's kinds, counted by chunk (exact, the same whatever the threads).
WomanKinds count_kinds(const BasePopulation& pop) {
  const std::size_t n = pop.women(), chunks = chunk_count(n);
  WomanKinds k;
  if (n == 0) return k;
  k.first_year = *std::min_element(pop.woman_birth_year.begin(), pop.woman_birth_year.end());
  const int last_year = *std::max_element(pop.woman_birth_year.begin(), pop.woman_birth_year.end());
  k.parities = std::size_t{*std::max_element(pop.woman_parity.begin(), pop.woman_parity.end())} + 1;
  const std::size_t kinds = static_cast<std::size_t>(last_year - k.first_year + 1) * k.parities;
  if (kinds >= (1u << 16)) throw std::invalid_argument("too many kinds of women");
  std::vector<std::uint32_t> by_chunk(chunks * 2 * kinds, 0);  // chunk k: adults, then girls
  for_chunks(n, [&](std::size_t c, std::size_t b, std::size_t e) {
    std::uint32_t* count = &by_chunk[c * 2 * kinds];
    for (std::size_t w = b; w < e; ++w) {
      const bool adult = adult_woman(pop.base_year, pop.woman_birth_year[w]);
      count[(adult ? 0 : kinds) + k.kind(pop.woman_birth_year[w], pop.woman_parity[w])]++;
    }
  });
  k.adults.assign(kinds, 0);
  k.girls.assign(kinds, 0);
  for (std::size_t c = 0; c < chunks; ++c) {
    for (std::size_t j = 0; j < kinds; ++j) {
      k.adults[j] += by_chunk[c * 2 * kinds + j];
      k.girls[j] += by_chunk[c * 2 * kinds + kinds + j];
    }
  }
  return k;
}

//! Whether an adult woman heads each household: `adults` of them, those of two or more
//! persons first, chosen at random within each class (deals 0, two or more persons, and 1,
//! single, of WOMAN_HOUSEHOLD, over the class's households in the order of their indices).
Buffer<std::uint8_t> headed_households(const BasePopulation& pop, std::size_t adults, std::uint32_t seed) {
  const std::size_t n_households = pop.households();
  if (adults > n_households) {
    throw std::invalid_argument("the profile has more women aged 20-49 (" + std::to_string(adults) +
                                ") than households (" + std::to_string(n_households) +
                                "): its household sizes are too large for its age structure");
  }
  auto single = [&](std::size_t h) { return pop.household_size[h] < 2 ? 1u : 0u; };
  auto counts = [&](unsigned c, const std::vector<std::size_t>& sizes) {
    const std::size_t in_larger = std::min(adults, sizes[0]), heads = c == 0 ? in_larger : adults - in_larger;
    return std::vector<std::uint32_t>{static_cast<std::uint32_t>(heads), static_cast<std::uint32_t>(sizes[c] - heads)};
  };
  Buffer<std::uint8_t> headed(n_households);
  deal_within_classes(n_households, 2, single, counts, seed, stream::WOMAN_HOUSEHOLD,
                      [&](std::size_t h, std::uint16_t label) { headed[h] = label == 0; });
  return headed;
}

//! The women of the mothers' generation with the girls living with each: the girls' places
//! come mother after mother, place s's mother drawn uniformly (GIRL_HOUSEHOLD, 64 bits by
//! place); the girls' kinds are dealt to the places (deal 1 of GIRL_HOUSEHOLD) and sorted
//! within each mother's. The same as each girl choosing her mother independently: given how
//! many girls each mother has, which girl goes where is a uniform arrangement.
struct Girls {
  //! By mother (in the order of their households): her first place; then the total, twice
  //! (so that begin[m + 1] may be read for m one past the last mother).
  std::vector<std::uint32_t> begin;
  //! By place, its girl's birth year and parity: a mother's girls are copied as they are,
  //! with no look-up of their kinds in the household's loop.
  Buffer<std::int16_t> birth_year;
  Buffer<std::uint8_t> parity;
  std::size_t size() const { return birth_year.size(); }
};

Girls place_girls(const WomanKinds& kinds, const KindTable& table, std::size_t n_mothers, std::uint32_t seed) {
  const std::size_t n = std::accumulate(kinds.girls.begin(), kinds.girls.end(), std::size_t{0});
  if (n > 0 && n_mothers == 0) throw std::invalid_argument("the profile has no women aged 32-49");
  Buffer<std::uint32_t> mother(n);
  for_chunks(n, [&](std::size_t, std::size_t b, std::size_t e) {
    each_draw<2>(seed, b, e, 0, stream::GIRL_HOUSEHOLD, [&](std::size_t s, std::uint64_t u) {
      mother[s] = draw_below(u, static_cast<std::uint32_t>(n_mothers));
    });
  });
  Girls g;
  g.begin.assign(n_mothers + 2, 0);
  for (std::size_t s = 0; s < n; ++s) g.begin[mother[s]]++;
  exclusive_scan(g.begin);
  Buffer<std::uint16_t> kind(n);
  KeyedDeal(kinds.girls, seed, stream::GIRL_HOUSEHOLD, 1).each_place([&](std::size_t s, std::uint16_t k) {
    kind[s] = k;
  });
  g.birth_year = Buffer<std::int16_t>(n);
  g.parity = Buffer<std::uint8_t>(n);
  // Most mothers have no girl or one: an insertion sort, with no call per mother.
  for_chunks(n_mothers, [&](std::size_t, std::size_t b, std::size_t e) {
    std::uint16_t* const kinds_at = kind.data();
    for (std::size_t m = b; m < e; ++m) {
      const std::size_t first = g.begin[m], last = g.begin[m + 1];
      for (std::size_t i = first + 1; i < last; ++i) {
        const std::uint16_t k = kinds_at[i];
        std::size_t j = i;
        for (; j > first && kinds_at[j - 1] > k; --j) kinds_at[j] = kinds_at[j - 1];
        kinds_at[j] = k;
      }
    }
  });
  for_chunks(n, [&](std::size_t, std::size_t b, std::size_t e) {
    // Pointers held here: the byte stores below may alias anything, so what the loop read
    // through a reference would be read again after each of them.
    const std::uint16_t* const kinds_at = kind.data();
    const std::int16_t* const years = table.birth_year.data();  // a kind's, with no division per girl
    const std::uint8_t* const parities = table.parity.data();
    std::int16_t* const birth_year = g.birth_year.data();
    std::uint8_t* const parity = g.parity.data();
    for (std::size_t i = b; i < e; ++i) {
      birth_year[i] = years[kinds_at[i]];
      parity[i] = parities[kinds_at[i]];
    }
  });
  return g;
}

//! What place_women writes its records from: whether each household is headed, each head's
//! kind (and a kind past the last), the kinds' table and the girls by mother.
struct WomenToWrite {
  const Buffer<std::uint8_t>& headed;
  const Buffer<std::uint16_t>& head_kind;
  const KindTable& table;
  const Girls& girls;

  //! Writes the women of households [b, e), `head` heads and `mother` mothers coming before
  //! b, into the columns from their first place up to `end`, the next households' first.
  void write(std::size_t b, std::size_t e, std::size_t head, std::size_t mother, std::size_t end,
             std::uint32_t* household_column, std::int16_t* birth_year_column, std::uint8_t* parity_column) const;
};

void WomenToWrite::write(std::size_t b, std::size_t e, std::size_t head, std::size_t mother, std::size_t end,
                         std::uint32_t* household_column, std::int16_t* birth_year_column,
                         std::uint8_t* parity_column) const {
  std::size_t at = head + girls.begin[mother];
  // What the loop reads, as pointers held here: the byte stores below may alias anything,
  // so what it read through a reference would be read again after each of them.
  const std::uint8_t* const is_headed = headed.data();
  const std::uint16_t* const kind_of_head = head_kind.data();
  const std::uint8_t* const of_mothers = table.mother.data();
  const std::uint32_t* const girls_begin = girls.begin.data();
  const std::int16_t* const girl_birth_year = girls.birth_year.data();
  const std::uint8_t* const girl_parity = girls.parity.data();
  const std::size_t n_girls = girls.size();
  const std::int16_t* const year_of = table.birth_year.data();
  const std::uint8_t* const parity_of = table.parity.data();
  auto write_at = [=](std::size_t i, std::size_t h, std::uint16_t kind) {
    household_column[i] = static_cast<std::uint32_t>(h);
    birth_year_column[i] = year_of[kind];
    parity_column[i] = parity_of[kind];
  };
  // Branches on whether a household is headed, and whether by a mother, would mispredict
  // at random: each head and a fixed number of girls are written, and kept by moving on.
  // Every place ahead of `at`, up to `end`, is written again later.
  for (std::size_t h = b; h < e; ++h) {
    const std::size_t headed_here = is_headed[h];
    const std::uint16_t kind = kind_of_head[head];  // past the last head, a kind not kept
    if (at < end) write_at(at, h, kind);
    at += headed_here;
    head += headed_here;
    const std::size_t with_girls = headed_here & of_mothers[kind];
    const std::size_t first = girls_begin[mother];
    const std::size_t count = (girls_begin[mother + 1] - first) & (std::size_t{0} - with_girls);
    if (count <= WIDE_FILL && at + WIDE_FILL <= end && first + WIDE_FILL <= n_girls) {
      store_wide(household_column, birth_year_column, parity_column, at, h, [&](std::size_t j) {
        return std::pair{girl_birth_year[first + j], girl_parity[first + j]};
      });
    } else {
      for (std::size_t j = 0; j < count; ++j) {
        household_column[at + j] = static_cast<std::uint32_t>(h);
        birth_year_column[at + j] = girl_birth_year[first + j];
        parity_column[at + j] = girl_parity[first + j];
      }
    }
    at += count;
    mother += with_girls;
  }
}

//! Adult women (20+) each head a distinct household (headed_households), their kinds dealt
//! to the headed households in the order of their indices (deal 2 of WOMAN_HOUSEHOLD); girls
//! live with a random woman aged 32–49 (their mother's generation, place_girls). The women's
//! records are rebuilt in the order of their households, each household's by birth year
//! (its head, then its girls), as sort_by_household leaves them.
void place_women(BasePopulation& pop, std::uint32_t seed) {
  const std::size_t n_households = pop.households();
  const WomanKinds kinds = count_kinds(pop);
  const std::size_t adults = std::accumulate(kinds.adults.begin(), kinds.adults.end(), std::size_t{0});
  const Buffer<std::uint8_t> headed = headed_households(pop, adults, seed);
  Buffer<std::uint16_t> head_kind(adults + 1);  // and a kind past the last head, read but not counted below
  KeyedDeal(kinds.adults, seed, stream::WOMAN_HOUSEHOLD, 2).each_place([&](std::size_t r, std::uint16_t k) {
    head_kind[r] = k;
  });
  head_kind[adults] = 0;
  const KindTable table(kinds, pop.base_year);
  // Heads, then mothers, before each chunk of households; the women before it follow, the
  // girls coming mother after mother.
  const ChunkOffsets heads = offsets_by_chunk(n_households, [&](std::size_t, std::size_t b, std::size_t e) {
    return static_cast<std::size_t>(std::count(headed.data() + b, headed.data() + e, 1));
  });
  const ChunkOffsets mothers = offsets_by_chunk(n_households, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::size_t head = heads.before[k], here = 0;
    for (std::size_t h = b; h < e; ++h) {  // without a branch, which would mispredict at random
      here += headed[h] & table.mother[head_kind[head]];
      head += headed[h];
    }
    return here;
  });
  const Girls girls = place_girls(kinds, table, mothers.total, seed);
  const std::size_t n = adults + girls.size();
  Column<std::uint32_t> household(n);
  Column<std::int16_t> birth_year(n);
  Column<std::uint8_t> parity(n);
  const WomenToWrite women{headed, head_kind, table, girls};
  for_chunks(n_households, [&](std::size_t k, std::size_t b, std::size_t e) {
    // One past the last chunk: every head (each adult heads a household) and every girl.
    const std::size_t end = heads.at(k + 1) + girls.begin[mothers.at(k + 1)];
    women.write(b, e, heads.before[k], mothers.before[k], end, household.data(), birth_year.data(), parity.data());
  });
  pop.woman_household = std::move(household);
  pop.woman_birth_year = std::move(birth_year);
  pop.woman_parity = std::move(parity);
  pop.woman_flags = Column<std::uint8_t>(n);  // left unset: generate_population sets each from her household
}

//! Adds woman w to `count` by her age attained in `year` (if below MAX_AGE) and her
//! parity class.
void count_woman(WomenByAgeParity& count, const BasePopulation& pop, std::size_t w, int year) {
  const int age = year - pop.woman_birth_year[w];
  if (age < 0 || age >= MAX_AGE) return;
  count[static_cast<std::size_t>(age)][static_cast<std::size_t>(parity_class(pop.woman_parity[w]))]++;
}

//! The women by age and parity class a year on, from this year's and the births of the
//! year by the mothers' age and parity class before them: each a year older, each mother a
//! class up (the last class keeps its own). Exact, so the same as counting them again.
WomenByAgeParity a_year_on(const WomenByAgeParity& women, const WomenByAgeParity& births) {
  WomenByAgeParity next{};
  for (std::size_t a = 0; a + 1 < next.size(); ++a) {
    for (std::size_t k = 0; k < PARITY_CLASSES; ++k) {
      next[a + 1][k] += women[a][k] - births[a][k];
      next[a + 1][std::min(k + 1, std::size_t{PARITY_CLASSES} - 1)] += births[a][k];
    }
  }
  return next;
}

//! The sum of counts gathered by chunks (exact: the same whatever the threads).
WomenByAgeParity total(const std::vector<WomenByAgeParity>& by_chunk) {
  WomenByAgeParity sum{};
  for (const WomenByAgeParity& c : by_chunk) {
    for (std::size_t a = 0; a < sum.size(); ++a) {
      for (std::size_t k = 0; k < PARITY_CLASSES; ++k) sum[a][k] += c[a][k];
    }
  }
  return sum;
}

//! The woman records of the burn-in's girls, linked to their child records and merged into
//! the women, in the order of the households and, within each, of birth years (the girls,
//! born in the burn-in, are the youngest). Children must be sorted by (household, birth
//! month) and women by (household, birth year); the children's mothers are pointed at their
//! new places.
void append_girls(BasePopulation& pop) {
  const std::size_t n_households = pop.households(), n_women = pop.women();
  auto is_girl = [sex = pop.child_sex.data()](std::size_t c) {
    return sex[c] == static_cast<std::uint8_t>(Sex::female);
  };
  // By chunk of households: its first woman, its first child and the girls before it.
  const std::vector<std::size_t> woman_at = chunk_starts(pop.woman_household, n_households);
  const std::vector<std::size_t> child_at = chunk_starts(pop.child_household, n_households);
  const ChunkOffsets girls = offsets_by_chunk(n_households, [&](std::size_t k, std::size_t, std::size_t) {
    std::size_t here = 0;
    for (std::size_t c = child_at[k]; c < child_at[k + 1]; ++c) here += is_girl(c);
    return here;
  });
  const std::size_t n = n_women + girls.total;
  Column<std::uint32_t> household(n);
  Column<std::int16_t> birth_year(n);
  Column<std::uint8_t> parity(n);
  Buffer<std::uint32_t> new_place(n_women);
  for_chunks(n_households, [&](std::size_t k, std::size_t, std::size_t) {
    std::size_t w = woman_at[k], c = child_at[k], at = woman_at[k] + girls.before[k];
    const std::size_t w_end = woman_at[k + 1], c_end = child_at[k + 1];
    // The columns as pointers held here: the byte stores below may alias anything, so what
    // the loop read through a reference would be read again after each of them.
    const std::uint32_t* const woman_household = pop.woman_household.data();
    const std::int16_t* const woman_birth_year = pop.woman_birth_year.data();
    const std::uint8_t* const woman_parity = pop.woman_parity.data();
    const std::uint32_t* const child_household = pop.child_household.data();
    const MonthIndex* const child_birth_month = pop.child_birth_month.data();
    const auto girl = is_girl;  // a copy, its pointer held here
    std::uint32_t* const child_woman = pop.child_woman.data();
    std::uint32_t* const woman_place = new_place.data();
    std::uint32_t* const to_household = household.data();
    std::int16_t* const to_birth_year = birth_year.data();
    std::uint8_t* const to_parity = parity.data();
    while (w < w_end || c < c_end) {
      // A household's women before its girls.
      if (c == c_end || (w < w_end && woman_household[w] <= child_household[c])) {
        woman_place[w] = static_cast<std::uint32_t>(at);
        to_household[at] = woman_household[w];
        to_birth_year[at] = woman_birth_year[w];
        to_parity[at++] = woman_parity[w++];
      } else if (girl(c)) {
        child_woman[c] = static_cast<std::uint32_t>(at);
        to_household[at] = child_household[c];
        to_birth_year[at] = static_cast<std::int16_t>(child_birth_month[c++] / 12);
        to_parity[at++] = 0;
      } else {
        ++c;
      }
    }
  });
  for_chunks(pop.children(), [&](std::size_t, std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      if (pop.child_mother[c] != NO_MOTHER) pop.child_mother[c] = new_place[pop.child_mother[c]];
    }
  });
  pop.woman_household = std::move(household);
  pop.woman_birth_year = std::move(birth_year);
  pop.woman_parity = std::move(parity);
  // Left unset, as place_women leaves them; a column of its exact size (a resize would leave
  // room by doubling).
  pop.woman_flags = Column<std::uint8_t>(n);
}

//! The burn-in years a woman gave birth in: bit (year - first burn-in year) of her byte,
//! set by decide_births and read by write_births.
static_assert(BURN_IN_YEARS <= 8, "a woman's burn-in births are one byte");

//! The births in each such byte (a table read: std::popcount, without -mpopcnt, is a
//! library call).
constexpr std::array<std::uint8_t, 256> BIRTHS_IN = [] {
  std::array<std::uint8_t, 256> births{};
  for (unsigned years = 0; years < 256; ++years) births[years] = static_cast<std::uint8_t>(std::popcount(years));
  return births;
}();

//! One burn-in year's births decided woman by woman in parallel, each from her own draws
//! (32 bits, four women to a draw) at the year's calibrated `table`; each mother moves a
//! parity up and has the year's bit `year_bit` set in `born`. Returns the year's births by
//! the mothers' age and parity class before them.
WomenByAgeParity decide_births(BasePopulation& pop, const FertilityTable& table, int year, std::uint32_t seed,
                               Buffer<std::uint8_t>& born, std::uint8_t year_bit) {
  const std::size_t n_women = pop.women();
  const auto y = static_cast<std::uint16_t>(year);
  std::vector<WomenByAgeParity> by_chunk(chunk_count(n_women), WomenByAgeParity{});
  for_chunks(n_women, [&](std::size_t k, std::size_t begin, std::size_t end) {
    // Pointers copied into the closure: the byte stores below may alias anything, so what
    // the loop read through a reference would be read again after each of them.
    const std::int16_t* const birth_year = pop.woman_birth_year.data();
    std::uint8_t* const parity = pop.woman_parity.data();
    std::uint8_t* const years_born = born.data();
    const auto* const threshold = table.threshold.data();
    WomenByAgeParity births{};
    each_draw<4>(seed, begin, end, y, stream::BIRTH, [=, &births](std::size_t w, std::uint64_t u) {
      const int age = year - birth_year[w];
      // Outside the fertile ages a threshold is 0, so that one test, which mispredicts
      // only at a birth, decides (a test of the age range mispredicted at random ages).
      if (static_cast<unsigned>(age) >= MAX_AGE) return;
      const auto pc = static_cast<std::size_t>(parity_class(parity[w]));
      if (u >= threshold[age][pc]) return;
      years_born[w] |= year_bit;
      births[static_cast<std::size_t>(age)][pc]++;
      if (parity[w] < 255) parity[w]++;
    });
    by_chunk[k] = births;
  });
  return total(by_chunk);
}

//! The births of one burn-in year waiting for their draws: each its mother, its place
//! among the children and its birth order.
struct PendingBirths {
  std::uint32_t mother[DRAW_BATCH];
  std::uint32_t place[DRAW_BATCH];
  std::uint8_t order[DRAW_BATCH];
  std::size_t n = 0;
};

//! Writes the pending births of `year` at their places, their sex and month drawn for their
//! mothers' keys (the same numbers as a scalar draw of each key), and empties them.
void write_pending(BasePopulation& pop, int year, std::uint32_t seed, double girl_share, PendingBirths& p) {
  static constexpr std::uint32_t no_aux[DRAW_BATCH] = {};
  const auto y = static_cast<std::uint16_t>(year);
  std::uint64_t sex[DRAW_BATCH], month[DRAW_BATCH];
  draw_keyed_batch_u64(seed, stream::GENERATION_REPLICATION, p.mother, no_aux, p.n, y, stream::CHILD_SEX, 0, sex,
                       nullptr);
  draw_keyed_batch_u64(seed, stream::GENERATION_REPLICATION, p.mother, no_aux, p.n, y, stream::BIRTH_MONTH, 0, month,
                       nullptr);
  // The columns as pointers held here: the byte stores below may alias anything, so what
  // the loop read through a reference would be read again after each of them.
  std::uint32_t* const household = pop.child_household.data();
  MonthIndex* const birth_month = pop.child_birth_month.data();
  std::uint8_t* const birth_order = pop.child_birth_order.data();
  std::uint32_t* const mother = pop.child_mother.data();
  std::uint8_t* const child_sex = pop.child_sex.data();
  const std::uint32_t* const mothers_household = pop.woman_household.data();
  for (std::size_t i = 0; i < p.n; ++i) {
    const std::uint32_t w = p.mother[i], c = p.place[i];
    household[c] = mothers_household[w];
    birth_month[c] = month_index(year, static_cast<int>(draw_below(month[i], 12)) + 1);
    birth_order[c] = p.order[i];
    mother[c] = w;
    child_sex[c] = static_cast<std::uint8_t>(draw_uniform(sex[i]) < girl_share ? Sex::female : Sex::male);
  }
  p.n = 0;
}

//! Children [b, e) of whole households, each mother's in the order of her births: put in
//! order of (household, birth month, mother) where a household has more than one mother.
void order_households_births(BasePopulation& pop, std::size_t b, std::size_t e) {
  auto before = [&](std::size_t i, std::size_t j) {
    return pop.child_birth_month[i] != pop.child_birth_month[j] ? pop.child_birth_month[i] < pop.child_birth_month[j]
                                                                : pop.child_mother[i] < pop.child_mother[j];
  };
  for (std::size_t c = b + 1; c < e; ++c) {
    if (pop.child_household[c] != pop.child_household[c - 1] || !before(c, c - 1)) continue;
    // An insertion: child c moves back past the later births of its household.
    std::size_t to = c - 1;
    while (to > b && pop.child_household[to - 1] == pop.child_household[c] && before(c, to - 1)) --to;
    for_each_child_column(pop, [&](auto& column) {
      std::rotate(column.begin() + static_cast<std::ptrdiff_t>(to), column.begin() + static_cast<std::ptrdiff_t>(c),
                  column.begin() + static_cast<std::ptrdiff_t>(c) + 1);
    });
  }
}

//! The child records of the burn-in's births (decide_births), written once its years are
//! decided, household by household: each mother's births in the order of their years, her
//! parity rising by one at each; where a household has more than one mother, its births
//! by month (order_households_births). The children come out as sort_by_household orders
//! them: by household, birth month and, within a month, mother.
void write_births(BasePopulation& pop, int first_year, std::uint32_t seed, double girl_share,
                  const Buffer<std::uint8_t>& born) {
  const std::size_t n_households = pop.households(), first_child = pop.children();
  const std::vector<std::size_t> woman_at = chunk_starts(pop.woman_household, n_households);
  const ChunkOffsets births = offsets_by_chunk(n_households, [&](std::size_t k, std::size_t, std::size_t) {
    std::size_t here = 0;
    for (std::size_t w = woman_at[k]; w < woman_at[k + 1]; ++w) here += BIRTHS_IN[born[w]];
    return here;
  });
  const std::size_t n_children = first_child + births.total;
  for_each_child_column(pop, [&](auto& column) { column.resize(n_children); });
  std::fill(pop.child_woman.begin() + static_cast<std::ptrdiff_t>(first_child), pop.child_woman.end(), NO_WOMAN);
  for_chunks(n_households, [&](std::size_t k, std::size_t, std::size_t) {
    const std::size_t chunk_first = first_child + births.before[k];
    std::size_t c = chunk_first;
    PendingBirths pending[BURN_IN_YEARS];
    const std::uint8_t* const years_born = born.data();
    const std::uint8_t* const parity = pop.woman_parity.data();
    const std::uint32_t* const households = pop.woman_household.data();
    for (std::size_t w = woman_at[k]; w < woman_at[k + 1]; ++w) {
      std::uint8_t years = years_born[w];
      if (years == 0) continue;
      // Her parity before the burn-in: decide_births raised it by one a birth, and no
      // profile's parities come near the 255 it stops at.
      if (parity[w] == 255) throw std::logic_error("a woman's parity reached 255 in the burn-in");
      __builtin_prefetch(households + w);  // read when her year's batch is written, later
      auto order = static_cast<std::uint8_t>(parity[w] - BIRTHS_IN[years]);
      for (; years != 0; years &= static_cast<std::uint8_t>(years - 1)) {
        const int y = std::countr_zero(years);
        PendingBirths& p = pending[y];
        p.mother[p.n] = static_cast<std::uint32_t>(w);
        p.place[p.n] = static_cast<std::uint32_t>(c++);
        p.order[p.n++] = ++order;
        if (p.n == DRAW_BATCH) write_pending(pop, first_year + y, seed, girl_share, p);
      }
    }
    for (int y = 0; y < BURN_IN_YEARS; ++y) {
      if (pending[y].n != 0) write_pending(pop, first_year + y, seed, girl_share, pending[y]);
    }
    order_households_births(pop, chunk_first, c);
  });
}

//! Burn-in: the births of the years before the first scenario year, each year's rates
//! scaled so that expected births equal the profile's observed births of that year, give
//! every child under 7 its birth month, order, sex and mother (an index into the women).
//! A year's births are decided woman by woman in parallel, each from her own draws (32
//! bits, four women to a draw); once every year is decided, the children are written
//! household by household, in the order sort_by_household keeps, a birth's sex and month
//! drawn for its mother's keys, 64 births of a year to a batch.
//! The girls born get woman records later (append_girls), since within long horizons they
//! reach childbearing age.
void simulate_burn_in(BasePopulation& pop, const PlaceProfile& profile, double scale, std::uint32_t seed) {
  const int base_year = pop.base_year;
  const std::size_t n_women = pop.women(), chunks = chunk_count(n_women);
  const int first_year = base_year - BURN_IN_YEARS;
  const double girl_share = 100.0 / (100.0 + profile.sex_ratio_at_birth);
  Buffer<std::uint8_t> born = generation::filled<std::uint8_t>(n_women, 0);
  // The women by age and parity at the start of the burn-in, then of each year from the
  // births of the year before.
  std::vector<WomenByAgeParity> by_chunk(chunks, WomenByAgeParity{});
  for_chunks(n_women, [&](std::size_t k, std::size_t b, std::size_t e) {
    for (std::size_t w = b; w < e; ++w) count_woman(by_chunk[k], pop, w, first_year);
  });
  WomenByAgeParity women = total(by_chunk);
  // The children's columns with room for the expected births and a margin: of the same
  // size in every population of a profile, they take the blocks the last one left
  // (column_memory), where a column of each population's own size would often not.
  double expected = 0;
  for (int year = first_year; year < base_year; ++year) expected += burn_in_births(profile, year, scale);
  for_each_child_column(pop, [&](auto& column) { column.reserve(births_room(expected)); });
  for (int year = first_year; year < base_year; ++year) {
    const FertilityTable table =
        calibrate_fertility(profile.fertility, burn_in_births(profile, year, scale), women, year);
    const auto year_bit = static_cast<std::uint8_t>(1u << (year - first_year));
    women = a_year_on(women, decide_births(pop, table, year, seed, born, year_bit));
  }
  write_births(pop, first_year, seed, girl_share, born);
}

}  // namespace

std::vector<double> open_group_ages(const PlaceProfile& profile, Sex sex) {
  std::vector<double> cumulative;
  double alive = 1.0, total = 0.0;
  for (int a = 85; a < OLDEST_AGE; ++a) {
    const double weight = profile.life_table.empty() ? (a < 95 ? 1.0 : 0.0) : alive;
    total += weight;
    cumulative.push_back(total);
    alive *= 1.0 - profile.life_table.death_probability(sex, a);
  }
  return cumulative;
}

namespace {

//! The age (in completed years on 1 January of the first year) from which a resident is
//! placed as an adult: 20 attained in that year.
constexpr int ADULT_AGE = 19;

//! The other residents in the order they are placed in households (place_others): those
//! aged 20 and over first. `persons[p]` is place p's (birth year << 8 | sex).
struct OtherResidents {
  Buffer<std::uint32_t> persons;
  std::size_t adults = 0;
};
//! A person of OtherResidents::persons: the birth year and the sex.
std::int16_t birth_year_of(std::uint32_t person) {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(person >> 8));
}
std::uint8_t sex_of(std::uint32_t person) { return static_cast<std::uint8_t>(person); }

//! The other residents by sex and age group, in exact expected counts: males aged
//! YOUNGEST_WOMAN_AGE and over and females aged 50 and over (younger females are women
//! records and younger children the burn-in's). A group straddling ADULT_AGE is split at it
//! in proportion to its ages. The groups are dealt to the places of the adults and of the
//! others at random (deals 0 and 2 of PERSON_HOUSEHOLD); each place then draws an age
//! within its group (PERSON_AGE, 32 bits, by place).
OtherResidents generate_others(const PlaceProfile& profile, double persons_target, int base_year,
                               std::uint32_t seed) {
  struct Group {
    Sex sex;
    bool open;  // 85+: ages from the open group's weights
    int lo, width;
  };
  std::vector<Group> groups;
  std::vector<std::uint32_t> counts[2];  // by class (adults, then the others), each group's
  std::vector<std::uint16_t> group_of[2];
  auto add = [&](Group g, std::int64_t count) {
    const int cls = g.lo >= ADULT_AGE ? 0 : 1;
    counts[cls].push_back(static_cast<std::uint32_t>(count));
    group_of[cls].push_back(static_cast<std::uint16_t>(groups.size()));
    groups.push_back(g);
  };
  for (const Sex sex : {Sex::male, Sex::female}) {
    const auto& per_1000 = profile.residents_per_1000[static_cast<std::size_t>(sex)];
    for (int g = sex == Sex::male ? 1 : LAST_WOMAN_GROUP + 1; g < AGE_SEX_GROUPS; ++g) {
      const bool open = g == AGE_SEX_GROUPS - 1;
      const int lo = std::max(5 * g, YOUNGEST_WOMAN_AGE - 1), hi = 5 * g + 4;  // completed years on 1 January
      const double width_share = open ? 1.0 : static_cast<double>(hi - lo + 1) / 5.0;
      const std::int64_t count = std::llround(persons_target / 1000.0 * per_1000[static_cast<std::size_t>(g)] * width_share);
      if (lo < ADULT_AGE && hi >= ADULT_AGE) {
        const std::int64_t young = std::llround(static_cast<double>(count) * (ADULT_AGE - lo) / (hi - lo + 1));
        add(Group{sex, false, lo, ADULT_AGE - lo}, young);
        add(Group{sex, false, ADULT_AGE, hi - ADULT_AGE + 1}, count - young);
      } else {
        add(Group{sex, open, lo, hi - lo + 1}, count);
      }
    }
  }
  OtherResidents out;
  for (std::uint32_t c : counts[0]) out.adults += c;
  std::size_t n = out.adults;
  for (std::uint32_t c : counts[1]) n += c;
  if (n >= (1u << 31)) throw std::invalid_argument("population too large");
  // Each place's group, replaced by the person once the age is drawn.
  out.persons = Buffer<std::uint32_t>(n);
  for (const int cls : {0, 1}) {
    const std::size_t first = cls == 0 ? 0 : out.adults;
    KeyedDeal(counts[cls], seed, stream::PERSON_HOUSEHOLD, static_cast<std::uint16_t>(2 * cls))
        .each_place([&](std::size_t p, std::uint16_t j) { out.persons[first + p] = group_of[cls][j]; });
  }
  const std::vector<double> oldest[SEXES] = {open_group_ages(profile, Sex::male),
                                             open_group_ages(profile, Sex::female)};
  for_chunks(n, [&](std::size_t, std::size_t b, std::size_t e) {
    each_draw<4>(seed, b, e, 0, stream::PERSON_AGE, [&](std::size_t p, std::uint64_t u) {
      const Group& g = groups[out.persons[p]];
      int age = g.lo + static_cast<int>(draw_below(u, static_cast<std::uint32_t>(g.width)));
      if (g.open) {
        const std::vector<double>& w = oldest[static_cast<std::size_t>(g.sex)];
        age = 85 + static_cast<int>(std::upper_bound(w.begin(), w.end() - 1, draw_uniform(u) * w.back()) - w.begin());
      }
      out.persons[p] = std::uint32_t{static_cast<std::uint16_t>(base_year - 1 - age)} << 8 |
                       static_cast<std::uint8_t>(g.sex);
    });
  });
  return out;
}

//! Calls body(begin, end) for chunks of [0, n) that split no run of equal `key`s (which
//! are sorted), so that a chunk alone writes what belongs to its keys.
template <class Body>
void for_runs(const Column<std::uint32_t>& key, const Body& body) {
  const std::size_t n = key.size();
  auto run_start = [&](std::size_t i) {
    while (i > 0 && i < n && key[i] == key[i - 1]) ++i;
    return i;
  };
  for_chunks(n, [&](std::size_t, std::size_t b, std::size_t e) {
    const std::size_t begin = run_start(b), end = run_start(e);
    if (begin < end) body(begin, end);
  });
}

//! Each household's residents before the other residents are placed (saturating: from 255
//! on no place is free anyway), and whether an adult woman is among them. Women and
//! children must be sorted by household.
struct Occupancy {
  Buffer<std::uint8_t> members, has_adult;
};

Occupancy count_occupants(const BasePopulation& pop) {
  const std::size_t n_households = pop.households();
  Occupancy o{generation::filled<std::uint8_t>(n_households, 0), generation::filled<std::uint8_t>(n_households, 0)};
  for_runs(pop.woman_household, [&](std::size_t b, std::size_t e) {
    // Pointers held here, as the write loops'; and no branch on a woman's age, which
    // would mispredict at random (a girl of the burn-in is not counted: her child record is).
    const std::int16_t* const birth_year = pop.woman_birth_year.data();
    const std::uint32_t* const household = pop.woman_household.data();
    std::uint8_t* const members = o.members.data();
    std::uint8_t* const has_adult = o.has_adult.data();
    const int base_year = pop.base_year;
    for (std::size_t w = b; w < e; ++w) {
      const int age = base_year - birth_year[w];
      const std::uint32_t h = household[w];
      const int counted = age >= YOUNGEST_WOMAN_AGE ? 1 : 0;
      members[h] = static_cast<std::uint8_t>(std::min(255, members[h] + counted));
      has_adult[h] = static_cast<std::uint8_t>(has_adult[h] | (age >= 20 ? 1 : 0));
    }
  });
  for_runs(pop.child_household, [&](std::size_t b, std::size_t e) {
    for (std::size_t c = b; c < e; ++c) {
      std::uint8_t& m = o.members[pop.child_household[c]];
      m = static_cast<std::uint8_t>(std::min(255, m + 1));
    }
  });
  return o;
}

//! The other residents at the places [first, first + count) of their order, for whom no
//! place is left: each into a random household, drawn for the resident's place (year 2 of
//! PERSON_HOUSEHOLD), as (household << 32 | person), sorted by household in order.
Buffer<std::uint64_t> extra_residents(const Buffer<std::uint32_t>& persons, std::size_t first, std::size_t count,
                                      std::size_t n_households, std::uint32_t seed) {
  Buffer<std::uint64_t> extra(count);
  for_chunks(count, [&](std::size_t, std::size_t b, std::size_t e) {
    each_draw<1>(seed, first + b, first + e, 2, stream::PERSON_HOUSEHOLD, [&](std::size_t k, std::uint64_t u) {
      extra[k - first] = std::uint64_t{draw_below(u, static_cast<std::uint32_t>(n_households))} << 32 | persons[k];
    });
  });
  generation::radix_sort(extra, nullptr, 32, 32 + generation::bit_width(n_households));
  return extra;
}

//! The households as place_others walks them, by pointers and a count that a loop holds in
//! registers (read through references, they would be read again after each byte it stores).
struct HouseholdPlaces {
  const std::uint8_t* size;       //!< household_size
  const std::uint8_t* members;    //!< Occupancy
  const std::uint8_t* has_adult;  //!< Occupancy
  std::size_t heads;              //!< the adults who head a household without an adult woman

  //! Calls f(h, takes_head, rank, places) for each household h in [b, e), `head` being the
  //! households without an adult before b: whether h takes a head (it has no adult, and
  //! fewer than `heads` such households come before it), its rank among those households
  //! and the places its size leaves free.
  template <class F>
  void each(std::size_t head, std::size_t b, std::size_t e, const F& f) const {
    for (std::size_t h = b; h < e; ++h) {
      const std::size_t rank = head;
      const bool no_adult = !has_adult[h];
      const bool takes_head = no_adult & (rank < heads);  // & rather than &&: no branch to mispredict
      head += no_adult;
      const unsigned here = members[h] + (takes_head ? 1u : 0u), room = size[h];
      f(h, takes_head, rank, room - std::min(room, here));  // a branch on it would mispredict at random
    }
  }
};

//! What place_others writes its records from: the households' places, the residents in
//! their order (the first `households.heads` head a household, the next `placed` fill free
//! places) and the extra residents (household << 32 | person, sorted by household).
struct OthersToWrite {
  const HouseholdPlaces& households;
  const Buffer<std::uint32_t>& persons;
  std::size_t placed;
  const Buffer<std::uint64_t>& extra;

  //! What comes before a chunk of households: the households without an adult, the records
  //! written, the free places and the extra residents.
  struct Before {
    std::size_t headless, written, free, extras;
  };

  //! Writes the other residents of households [b, e), `before` coming before b, into pop's
  //! columns from their first place up to `end`, the next households' first.
  void write(std::size_t b, std::size_t e, Before before, std::size_t end, BasePopulation& pop) const;
};

void OthersToWrite::write(std::size_t b, std::size_t e, Before before, std::size_t end, BasePopulation& pop) const {
  std::size_t at = before.written, free_at = before.free, x = before.extras;
  // What the loop reads, as pointers and counts held here: the byte stores below may alias
  // anything, so what it read through a reference would be read again after each of them.
  const std::uint32_t* const person = persons.data();
  const std::uint64_t* const extra_at = extra.data();
  const std::size_t n = persons.size(), filled = placed, extras = extra.size();
  const HouseholdPlaces walk = households;
  std::uint32_t* const household_column = pop.person_household.data();
  std::int16_t* const birth_year_column = pop.person_birth_year.data();
  std::uint8_t* const sex_column = pop.person_sex.data();
  auto write_at = [=](std::size_t i, std::size_t h, std::uint32_t who) {
    household_column[i] = static_cast<std::uint32_t>(h);
    birth_year_column[i] = birth_year_of(who);
    sex_column[i] = sex_of(who);
  };
  walk.each(before.headless, b, e, [&](std::size_t h, bool takes_head, std::size_t head, unsigned places) {
    // Written whether or not it is kept, and kept by moving on: a branch on it would
    // mispredict at random. Every place ahead of `at`, up to `end`, is written again later.
    if (at < end) write_at(at, h, person[takes_head ? head : 0]);
    at += takes_head;
    const std::size_t fill = std::min<std::size_t>(places, filled - std::min(free_at, filled));
    const std::uint32_t* const from = person + walk.heads + free_at;
    if (fill <= WIDE_FILL && at + WIDE_FILL <= end && walk.heads + free_at + WIDE_FILL <= n) {
      store_wide(household_column, birth_year_column, sex_column, at, h, [&](std::size_t j) {
        return std::pair{birth_year_of(from[j]), sex_of(from[j])};
      });
    } else {
      for (std::size_t j = 0; j < fill; ++j) write_at(at + j, h, from[j]);
    }
    at += fill;
    free_at += places;
    for (; x < extras && extra_at[x] >> 32 == h; ++x) write_at(at++, h, static_cast<std::uint32_t>(extra_at[x]));
  });
}

//! The other residents (in generate_others' order) into households, written
//! into pop's arrays in the order of the households: first an adult (20 or over) as the
//! head of each household without an adult woman, then the rest into the places the
//! households' sizes leave free, then, when none is left, each into a random household.
//! The adults, then the others, come in a random order; the households come in the order
//! of their indices, which carry no information (their types were dealt in a random order,
//! and the women placed in another), and which keeps the residents sorted as they are
//! written. Women and children must be sorted by household.
void place_others(BasePopulation& pop, const OtherResidents& others, std::uint32_t seed) {
  const std::size_t n_households = pop.households(), n = others.persons.size(), adults = others.adults;
  const Buffer<std::uint32_t>& persons = others.persons;
  const Occupancy occupants = count_occupants(pop);
  const Buffer<std::uint8_t>& members = occupants.members;
  const Buffer<std::uint8_t>& has_adult = occupants.has_adult;
  // Household by household: whether it takes a head (the headless ones, while adults
  // last), its free places and, at the end, those filled.
  const ChunkOffsets headless = offsets_by_chunk(n_households, [&](std::size_t, std::size_t b, std::size_t e) {
    std::size_t here = 0;
    for (std::size_t h = b; h < e; ++h) here += !has_adult[h];
    return here;
  });
  const std::size_t heads = std::min(adults, headless.total);
  const HouseholdPlaces households{pop.household_size.data(), members.data(), has_adult.data(), heads};
  const ChunkOffsets free_places = offsets_by_chunk(n_households, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::size_t here = 0;
    households.each(headless.before[k], b, e, [&](std::size_t, bool, std::size_t, unsigned places) { here += places; });
    return here;
  });
  const std::size_t placed = std::min(n - heads, free_places.total);  // into free places
  const std::size_t n_extra = n - heads - placed;  // no place left
  const Buffer<std::uint64_t> extra = extra_residents(persons, heads + placed, n_extra, n_households, seed);
  auto first_extra = [&](std::size_t h) {
    return static_cast<std::size_t>(std::lower_bound(extra.begin(), extra.end(), std::uint64_t{h} << 32) -
                                    extra.begin());
  };
  // A chunk's residents written: its heads, its free places up to the `placed`th of all,
  // and its extra residents.
  const ChunkOffsets written = offsets_by_chunk(n_households, [&](std::size_t k, std::size_t b, std::size_t e) {
    const std::size_t chunk_heads = std::min(heads, headless.at(k + 1)) - std::min(heads, headless.before[k]);
    const std::size_t chunk_filled = std::min(placed, free_places.at(k + 1)) - std::min(placed, free_places.before[k]);
    return chunk_heads + chunk_filled + first_extra(e) - first_extra(b);
  });
  for_each_other_column(pop, [&](auto& column) { column.resize(n); });
  const OthersToWrite to_write{households, persons, placed, extra};
  for_chunks(n_households, [&](std::size_t k, std::size_t b, std::size_t e) {
    to_write.write(b, e, {headless.before[k], written.before[k], free_places.before[k], first_extra(b)},
                   written.at(k + 1), pop);
  });
}

}  // namespace

BasePopulation generate_population(const PlaceProfile& profile, int base_year, std::uint32_t seed, double scale) {
  if (!(scale > 0)) throw std::invalid_argument("population scale must be positive");
  BasePopulation pop;
  pop.base_year = base_year;
  const double persons_target = profile.persons * scale;
  // Isolated: a thread waiting inside these loops takes none of the caller's other work
  // (such as another replication, which would generate its own population meanwhile).
  tbb::this_task_arena::isolate([&] {
    generate_households(pop, profile, household_count(profile, persons_target), seed);
    generate_women(pop, profile, scale, seed);
    assign_parity(pop, profile, seed);
    place_women(pop, seed);
    simulate_burn_in(pop, profile, scale, seed);
    sort_by_household(pop);  // a check: place_women and write_births leave both in order
    append_girls(pop);
    // A woman carries her household's flags (read here in the order of the households).
    for_chunks(pop.women(), [&](std::size_t, std::size_t b, std::size_t e) {
      for (std::size_t w = b; w < e; ++w) pop.woman_flags[w] = pop.household_flags[pop.woman_household[w]];
    });
    place_others(pop, generate_others(profile, persons_target, base_year, seed), seed);
    pop.persons = static_cast<std::int64_t>(count_residents(pop));
    add_migration(pop, profile.net_migration_per_1000, seed);
  });
  return pop;
}

BasePopulation generate_sample(const PlaceProfile& profile, int base_year, std::uint32_t seed, std::int64_t k) {
  if (k < 1) throw std::invalid_argument("a sample is 1 in k with k >= 1");
  BasePopulation pop = generate_population(profile, base_year, seed, 1.0 / static_cast<double>(k));
  pop.weight = k;
  return pop;
}

BasePopulation scenario_population(const Scenario& scenario, std::int64_t sample,
                                   std::optional<std::uint32_t> seed) {
  const std::uint32_t s = seed.value_or(scenario.seed);
  if (!scenario.persons_file.empty()) {
    if (sample > 1) throw std::invalid_argument("a persons file is used whole; it cannot be sampled 1 in k");
    BasePopulation pop =
        load_persons(scenario.persons_file, scenario.profile, scenario.start_year, s, scenario.persons_weight);
    add_migration(pop, scenario.profile.net_migration_per_1000, s);
    return pop;
  }
  return sample > 1 ? generate_sample(scenario.profile, scenario.start_year, s, sample)
                    : generate_population(scenario.profile, scenario.start_year, s);
}

BasePopulation replication_population(const Scenario& scenario, std::int64_t sample, std::uint32_t r) {
  const std::optional<std::uint32_t> seed =
      scenario.persons_file.empty() ? std::optional<std::uint32_t>(population_seed(scenario.seed, r)) : std::nullopt;
  // It takes the blocks the last population left (column_memory); what it releases itself
  // goes back at once, and so do the blocks of the last population on this thread that it
  // did not take (another thread's wait for that thread's next one).
  BasePopulation pop = [&] {
    const column_memory::Generating generating;
    return scenario_population(scenario, sample, seed);
  }();
  column_memory::trim_own();
  return pop;
}

PopulationSource replication_populations(const Scenario& scenario, std::int64_t sample) {
  const bool fresh = scenario.persons_file.empty();
  auto spec = std::make_shared<const Scenario>(scenario);
  if (!scenario.drawn_estimates.empty()) {
    // Each replication's profile differs: its population is built from its own scenario.
    auto first =
        std::make_shared<const BasePopulation>(replication_population(scenario_for_replication(scenario, 0), sample, 0));
    return [first, spec, sample](std::uint32_t r) -> std::shared_ptr<const BasePopulation> {
      if (r == 0) return first;
      return std::make_shared<const BasePopulation>(
          replication_population(scenario_for_replication(*spec, r), sample, r));
    };
  }
  auto first = std::make_shared<const BasePopulation>(replication_population(scenario, sample, 0));
  return [first, spec, sample, fresh](std::uint32_t r) -> std::shared_ptr<const BasePopulation> {
    if (r == 0 || !fresh) return first;
    return std::make_shared<const BasePopulation>(replication_population(*spec, sample, r));
  };
}

std::string population_design(const Scenario& scenario) {
  if (!scenario.persons_file.empty()) return "shared";
  return scenario.replications_per_population > 1 ? "per_group" : "per_replication";
}

std::vector<Observation> describe_observations(const PlaceProfile& profile) {
  std::vector<Observation> out;
  const std::pair<const char*, const std::map<int, Sourced>*> series[] = {
      {"births", &profile.observed.births},
      {"population", &profile.observed.population},
      {"deaths", &profile.observed.deaths}};
  for (const auto& [quantity, figures] : series) {
    for (const auto& [year, figure] : *figures) {
      out.push_back(Observation{quantity, year, figure.value, std::string(1, figure.tag), figure.source});
    }
  }
  return out;
}

namespace {

//! A category none counts (count_by).
constexpr std::size_t UNCOUNTED = SIZE_MAX;

//! How many of the indices [0, n) fall in each category: category_of(i) below `categories`
//! (UNCOUNTED, or any other, is left out). Counted by chunk in parallel and summed: exact.
template <class CategoryOf>
std::vector<std::int64_t> count_by(std::size_t n, std::size_t categories, const CategoryOf& category_of) {
  const std::size_t chunks = chunk_count(n);
  std::vector<std::int64_t> by_chunk(chunks * categories, 0), total(categories, 0);
  for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) {
    std::int64_t* const count = by_chunk.data() + k * categories;
    for (std::size_t i = b; i < e; ++i) {
      const std::size_t c = category_of(i);
      if (c < categories) count[c]++;
    }
  });
  for (std::size_t k = 0; k < chunks; ++k) {
    for (std::size_t c = 0; c < categories; ++c) total[c] += by_chunk[k * categories + c];
  }
  return total;
}

//! Each count times the households one simulated household stands for.
std::vector<std::int64_t> weighted(std::vector<std::int64_t> counts, std::int64_t weight) {
  for (std::int64_t& c : counts) c *= weight;
  return counts;
}

}  // namespace

BaseComposition describe_population(const BasePopulation& pop, const PlaceProfile& profile, bool from_profile) {
  BaseComposition out;
  const HouseholdProfile& hp = profile.households;
  const double none = std::numeric_limits<double>::quiet_NaN();
  auto present = [&](std::uint32_t h) { return pop.household_arrival[h] <= pop.base_year; };  // not a later arrival
  auto margin = [&](std::string name, std::string long_name, std::vector<std::string> categories,
                    std::vector<double> shares, auto category_of) {
    BaseComposition::Margin m{std::move(name), std::move(long_name), std::move(categories), {}, {}};
    m.households = weighted(
        count_by(pop.households(), m.categories.size(),
                 [&](std::size_t h) {
                   return present(static_cast<std::uint32_t>(h)) ? static_cast<std::size_t>(category_of(h)) : UNCOUNTED;
                 }),
        pop.weight);
    m.profile_share = from_profile ? std::move(shares) : std::vector<double>(m.categories.size(), none);
    out.households.push_back(std::move(m));
  };
  std::vector<std::string> sizes, bands;
  for (int k = 1; k <= HOUSEHOLD_SIZE_CLASSES; ++k)
    sizes.push_back(k < HOUSEHOLD_SIZE_CLASSES ? std::to_string(k) : "6+");
  for (std::size_t b = 0; b < hp.income_band_shares.size(); ++b) bands.push_back(std::to_string(b + 1));
  margin("household_size", "persons in the household", sizes,
         std::vector<double>(profile.household_size_shares.begin(), profile.household_size_shares.end()),
         [&](std::size_t h) { return std::min<int>(pop.household_size[h], HOUSEHOLD_SIZE_CLASSES) - 1; });
  margin("income_band", "income band, 1 the lowest", bands, hp.income_band_shares,
         [&](std::size_t h) { return pop.household_income_band[h]; });
  margin("employment", "parents employed", {"both", "one", "neither"},
         std::vector<double>(hp.employment_shares.begin(), hp.employment_shares.end()),
         [&](std::size_t h) { return pop.household_employment[h]; });
  margin("tenure", "housing tenure", {"owner", "renter"},
         std::vector<double>(hp.tenure_shares.begin(), hp.tenure_shares.end()),
         [&](std::size_t h) { return pop.household_tenure[h]; });
  margin("registration", "household registration (hukou) in the place", {"nonlocal", "local"},
         {1 - profile.local_residency_share, profile.local_residency_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_LOCAL_RESIDENT) ? 1 : 0; });
  margin("special_family", "special planned-birth family", {"no", "yes"},
         {1 - profile.special_family_share, profile.special_family_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_SPECIAL_FAMILY) ? 1 : 0; });
  margin("priority_group", "childcare priority group named by the documents", {"no", "yes"},
         {1 - hp.priority_group_share, hp.priority_group_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_PRIORITY_GROUP) ? 1 : 0; });
  out.first_birth_year = pop.base_year - BURN_IN_YEARS;
  out.children_by_birth_year = weighted(
      count_by(pop.children(), BURN_IN_YEARS,
               [&](std::size_t c) {
                 const int offset = pop.child_birth_month[c] / 12 - out.first_birth_year;
                 return present(pop.child_household[c]) && offset >= 0 ? static_cast<std::size_t>(offset) : UNCOUNTED;
               }),
      pop.weight);
  constexpr int ages = BaseComposition::MAX_AGE - BaseComposition::MIN_AGE + 1;
  out.women_by_age_parity = weighted(
      count_by(pop.women(), static_cast<std::size_t>(ages * BaseComposition::PARITIES),
               [&](std::size_t w) {
                 const int age = pop.base_year - pop.woman_birth_year[w];
                 if (!present(pop.woman_household[w]) || age < BaseComposition::MIN_AGE ||
                     age > BaseComposition::MAX_AGE)
                   return UNCOUNTED;
                 const int k = std::min<int>(pop.woman_parity[w], BaseComposition::PARITIES - 1);
                 return static_cast<std::size_t>((age - BaseComposition::MIN_AGE) * BaseComposition::PARITIES + k);
               }),
      pop.weight);
  return out;
}

}  // namespace cradle
