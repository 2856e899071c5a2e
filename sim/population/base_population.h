// The base population as structure-of-arrays: households and every resident in them —
// women, children, and the other residents —
// generated from a profile (sim/population/population.h) or assembled from a persons
// file (sim/population/microdata.h), and read-only while replications run on it: the
// command line gives each replication its own generated population (replication_populations)
// and shares a persons file's.
// Every resident is one record, counted once: women (females aged 8 and over, and the
// girls of the burn-in), children (born in the burn-in or the run), and the other
// residents (males aged 8 and over and females aged 50 and over in the first year). A
// girl of the burn-in has both a child and a woman record, linked: the child record
// stands for her while her age is below YOUNGEST_WOMAN_AGE, the woman record from then
// on. Women, children and other residents are sorted by household, so that a block of
// consecutive households owns contiguous ranges of each.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

#include "models/calendar.h"
#include "models/life_table.h"
#include "sim/input/profile.h"
#include "sim/population/column_memory.h"

namespace cradle {

//! Households per block: the unit of parallel work within a replication.
inline constexpr std::uint32_t BLOCK_HOUSEHOLDS = 4096;
//! Youngest age (attained in the first scenario year) of a generated woman; a girl's
//! woman record stands for her from this age on (her child record before).
inline constexpr int YOUNGEST_WOMAN_AGE = BURN_IN_YEARS + 1;

//! std::allocator, except that a value made without arguments is default-initialised:
//! left unset for the trivial types of the population's columns; and that large blocks come
//! from column_memory, which keeps released ones for the next population.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(column_memory::acquire(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { column_memory::release(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

//! One field of every household or resident. Growing it without a value (resize(n),
//! Column(n)) leaves the new values unset, for a parallel loop to write: std::vector would
//! zero them first, on one thread (at a province's size, 0.2 s of page faults and stores).
template <class T>
using Column = std::vector<T, DefaultInitAllocator<T>>;

//! A run of consecutive households and the residents who live in them.
struct HouseholdBlock {
  std::uint32_t household_begin, household_end;
  std::uint32_t woman_begin, woman_end;
  std::uint32_t child_begin, child_end;
  std::uint32_t person_begin, person_end;  //!< the other residents
};

//! The departure year of a household that stays.
inline constexpr std::int16_t NEVER_DEPARTS = 0x7FFF;

//! A child whose mother is not in the population (loaded microdata may have such).
inline constexpr std::uint32_t NO_MOTHER = 0xFFFFFFFFu;
//! A child without a woman record of her own (boys, and children born in the run).
inline constexpr std::uint32_t NO_WOMAN = 0xFFFFFFFFu;

struct BasePopulation {
  int base_year = 0;         //!< the first scenario year; states are as at its 1 January
  std::int64_t weight = 1;   //!< households each simulated household stands for (a 1-in-k sample: k)
  std::int64_t persons = 0;  //!< residents in base_year (later arrivals not counted)

  Column<std::uint8_t> household_size;
  Column<std::uint8_t> household_income_band;  //!< 0 = lowest of the profile's bands
  Column<std::uint8_t> household_employment;   //!< Employment: parents both employed, one, neither
  Column<std::uint8_t> household_tenure;       //!< Tenure: owner, renter
  Column<std::uint8_t> household_flags;        //!< FLAG_LOCAL_RESIDENT, FLAG_SPECIAL_FAMILY, FLAG_PRIORITY_GROUP
  //! Migration: a household is present from 1 January of its arrival year (base_year for
  //! residents) until its departure year, exclusive (NEVER_DEPARTS if it stays).
  Column<std::int16_t> household_arrival;
  Column<std::int16_t> household_departure;

  Column<std::uint32_t> woman_household;
  Column<std::int16_t> woman_birth_year;
  Column<std::uint8_t> woman_parity;  //!< live births so far (saturates at 255)
  Column<std::uint8_t> woman_flags;   //!< her household's flags (a copy, read in the yearly loop)

  Column<std::uint32_t> child_household;
  Column<MonthIndex> child_birth_month;
  Column<std::uint8_t> child_birth_order;  //!< 1, 2, 3, … (saturates at 255)
  Column<std::uint32_t> child_mother;      //!< index into the women arrays, or NO_MOTHER
  Column<std::uint8_t> child_sex;          //!< Sex
  Column<std::uint32_t> child_woman;       //!< a girl's own woman record, or NO_WOMAN

  //! The other residents: neither women nor children records.
  Column<std::uint32_t> person_household;
  Column<std::int16_t> person_birth_year;
  Column<std::uint8_t> person_sex;  //!< Sex

  std::vector<HouseholdBlock> blocks;

  std::size_t households() const { return household_size.size(); }
  std::size_t women() const { return woman_birth_year.size(); }
  std::size_t children() const { return child_birth_month.size(); }
  std::size_t others() const { return person_birth_year.size(); }
};

//! Each column of one kind of record, once, as f(column): the lists that growing, reserving,
//! copying, permuting and checking a kind's columns walk, so that a column added to
//! BasePopulation and to its kind's list here is handled by each of them. The households'
//! are those every household has from generation on; their arrival and departure years,
//! which add_migration appends, are not among them.
template <class Pop, class F>
void for_each_household_column(Pop& pop, F&& f) {
  f(pop.household_size);
  f(pop.household_income_band);
  f(pop.household_employment);
  f(pop.household_tenure);
  f(pop.household_flags);
}
template <class Pop, class F>
void for_each_woman_column(Pop& pop, F&& f) {
  f(pop.woman_household);
  f(pop.woman_birth_year);
  f(pop.woman_parity);
  f(pop.woman_flags);
}
template <class Pop, class F>
void for_each_child_column(Pop& pop, F&& f) {
  f(pop.child_household);
  f(pop.child_birth_month);
  f(pop.child_birth_order);
  f(pop.child_mother);
  f(pop.child_sex);
  f(pop.child_woman);
}
template <class Pop, class F>
void for_each_other_column(Pop& pop, F&& f) {
  f(pop.person_household);
  f(pop.person_birth_year);
  f(pop.person_sex);
}

//! The first index whose owner is at least `h`, in a column sorted by owner (such as
//! woman_household): where household h's residents of that kind begin.
inline std::uint32_t first_at(const Column<std::uint32_t>& owner, std::size_t h) {
  return static_cast<std::uint32_t>(std::lower_bound(owner.begin(), owner.end(), h) - owner.begin());
}

//! Room in every column for the given totals of households (their arrival and departure
//! years included), women, children and other residents, so that appending up to them does
//! not reallocate. Room is resident memory: a column's block has its pages faulted in when
//! it is acquired (column_memory::acquire), so a column grown by doubling would hold up to
//! twice what it uses.
void reserve_columns(BasePopulation& pop, std::size_t households, std::size_t women, std::size_t children,
                     std::size_t others);

//! Splits the households into blocks of BLOCK_HOUSEHOLDS with their residents (who must
//! be sorted by household).
void build_blocks(BasePopulation& pop);

//! The residents in base_year: each record that stands for a person then (women aged
//! YOUNGEST_WOMAN_AGE and over, children born before base_year, other residents), in
//! the households present then.
std::size_t count_residents(const BasePopulation& pop);

//! Birth years first … first + span - 1.
struct BirthYears {
  std::int16_t first = 0;
  std::size_t span = 0;  //!< 0: none
};

//! The birth years from the earliest to the latest of birth_year(i) for i < n (none when n
//! is 0). A plain min and max, which the compiler vectorises: std::minmax_element compares
//! the elements of each pair first, a branch that mispredicts half the time.
template <class BirthYear>
BirthYears birth_year_range(std::size_t n, const BirthYear& birth_year) {
  if (n == 0) return {};
  std::int16_t earliest = INT16_MAX, latest = INT16_MIN;
  for (std::size_t i = 0; i < n; ++i) {
    earliest = std::min(earliest, birth_year(i));
    latest = std::max(latest, birth_year(i));
  }
  return {earliest, static_cast<std::size_t>(latest - earliest + 1)};
}

//! Sorts the women by (household, birth year), the children by (household, birth month)
//! and the other residents by household, keeping the order of equals, and points each
//! child's mother and own woman record (indices into the women as they were) at their
//! new places. Stable radix sorts, in parallel in the caller's TBB arena: the same result
//! on any number of threads.
void sort_by_household(BasePopulation& pop);

//! Throws std::invalid_argument if the arrays are inconsistent: lengths, sorting by
//! household, indices in range, links between girls' records, blocks covering every
//! household. The arrival and departure years may be absent (before add_migration).
void check_population(const BasePopulation& pop);

//! The base populations of a run, by index (replication r runs on population r / K, K the
//! run's replications per population: sim/engine/trace.h). It may return the same population
//! for every index (shared) or a fresh one for each; it may be called from several threads.
using PopulationSource = std::function<std::shared_ptr<const BasePopulation>(std::uint32_t index)>;

}  // namespace cradle
