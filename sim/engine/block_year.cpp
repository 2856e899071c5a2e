#include "sim/engine/block_year.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <tuple>

#include "models/childcare_demand.h"
#include "models/demography.h"
#include "models/measures/kinds.h"
#include "sim/engine/change_sieve.h"
#include "sim/engine/parallel.h"
#include "sim/random/rng.h"

namespace cradle::engine {

namespace {
__extension__ using Wide = unsigned __int128;  // (GCC's; the product of two 64-bit words)
}  // namespace

//! Counts the year's residents: whether a living resident of a household (of a sex and
//! attained age) is resident this year, counting them among the year's residents, or
//! (with migration) among the arrivals or departures. A value holding its own copies of
//! what it reads, so that the hot loops' byte-sized writes (which may alias anything) do
//! not force them to be reloaded for every person.
class BlockYear::Census {
 public:
  Census(const std::int16_t* arrival, const std::int16_t* departure, bool migration, int year, int start_year)
      : arrival_(arrival), departure_(departure), migration_(migration), year_(year), start_year_(start_year) {}

  //! Counts the resident by sex and age into `tally`, and the totals here until book().
  bool counted(std::uint32_t household, Sex sex, int age, BlockTally& tally) {
    if (migration_) {
      const int departs = departure_[household], arrives = arrival_[household];
      if (departs == year_) {
        ++departed_;
        return false;
      }
      if (arrives > year_ || year_ >= departs) return false;
      if (arrives == year_ && year_ > start_year_) ++arrived_;
    }
    count(sex, age, tally);
    return true;
  }

  //! Counts a resident known to be present (without migration, every household is).
  void count(Sex sex, int age, BlockTally& tally) {
    ++population_;
    ++tally.residents[static_cast<std::size_t>(sex)][static_cast<std::size_t>(std::clamp(age, 0, OLDEST_AGE))];
  }

  //! Adds the totals counted so far to `tally` (kept in registers meanwhile: one
  //! increment of memory per person would chain every person's count to the last one's).
  void book(BlockTally& tally) {
    tally.population += population_;
    tally.arrived += arrived_;
    tally.departed += departed_;
    population_ = arrived_ = departed_ = 0;
  }

 private:
  const std::int16_t* arrival_;
  const std::int16_t* departure_;
  bool migration_;
  int year_, start_year_;
  std::int64_t population_ = 0, arrived_ = 0, departed_ = 0;
};

BlockYear::Census BlockYear::census() const {
  return Census(pop_.household_arrival.data(), pop_.household_departure.data(), plan_.migration, year_,
                plan_.start_year);
}

//! Up to DRAW_BATCH children admitted to the year, waiting for its draws; the stream keys
//! of those whose survival is drawn, compacted, so that only they draw.
struct ChildChunk {
  std::array<ChildRecord, DRAW_BATCH> child;
  std::array<ChildState*, DRAW_BATCH> state;
  std::array<bool, DRAW_BATCH> mortal;  //!< its survival is drawn
  std::array<std::uint32_t, DRAW_BATCH> entity, aux;
  std::size_t n = 0, keys = 0;
  std::int32_t* women_alive = nullptr;     //!< the block's women by birth year, when no household moves
  std::int32_t* children_alive = nullptr;  //!< the block's Cohorts of children, likewise
};

//! Some of a chunk's entries of `work`, in order, with their stream keys: those a batch of
//! draws is made for.
struct KeyedChildren {
  std::array<ChildWork*, DRAW_BATCH> work;
  std::uint32_t entity[DRAW_BATCH], aux[DRAW_BATCH];
  std::size_t n = 0;
};

namespace {

//! The entries work[i] of [0, n) for which keep(i) holds (n at most DRAW_BATCH: one chunk's
//! children). Gathered without a branch: a child's age, in household order, is random, and
//! a test on it mispredicted. Each entry is written at the next index and counted only if
//! kept, so the arrays are written at no index past n.
template <class Keep>
KeyedChildren gather_children(ChildWork* work, std::size_t n, Keep keep) {
  KeyedChildren kept;
  std::size_t m = 0;  // a local, not kept.n: a store through `kept` would reload it each time
  for (std::size_t i = 0; i < n; ++i) {
    kept.work[m] = &work[i];
    kept.entity[m] = work[i].entity;
    kept.aux[m] = work[i].aux;
    m += keep(i);
  }
  kept.n = m;
  return kept;
}

}  // namespace

//! The births of a block's year whose draws are still to be made: their mothers, each
//! raised to her parity after the birth, the birth tallied.
struct BirthBatch {
  std::array<std::uint32_t, DRAW_BATCH> woman;  //!< base entities: their keys' aux is 0
  std::array<std::uint8_t, DRAW_BATCH> k_class, order, age;
  std::array<bool, DRAW_BATCH> base;  //!< a birth whatever the response
  std::size_t n = 0;

  void add(std::uint32_t w, std::size_t k_class_before, bool whatever_the_response, std::uint8_t parity_after,
           int mother_age) {
    woman[n] = w;
    k_class[n] = static_cast<std::uint8_t>(k_class_before);
    order[n] = parity_after;
    age[n] = static_cast<std::uint8_t>(mother_age);
    base[n] = whatever_the_response;
    ++n;
  }
};

//! The home purchases of a block's women, booked a batch at a time (buy_homes): the records
//! of the buyers' households are then read for all of them at once, not one miss after
//! another, and each home measure draws its take-ups for the batch in one go.
struct HomeBatch {
  std::array<std::uint32_t, DRAW_BATCH> woman;
  //! The purchase draw, and the threshold it fell below (which dates the purchase)
  std::array<std::uint64_t, DRAW_BATCH> draw, below;
  std::array<std::uint8_t, DRAW_BATCH> children, age;
  std::size_t n = 0;

  void add(std::uint32_t w, std::uint64_t u, std::uint64_t threshold, std::uint8_t children_now, int buyer_age) {
    woman[n] = w;
    draw[n] = u;
    below[n] = threshold;
    children[n] = children_now;
    age[n] = static_cast<std::uint8_t>(buyer_age);
    ++n;
  }
};

void BlockYear::demand(const HouseholdBlock& block, std::vector<Newborn>& newborns, BlockBooks books,
                       std::vector<ChildWork>& work) const {
  if (plan_.needs_minors) count_minors(block, newborns);
  women(block, newborns, books);
  others(block, books.tally);
  work.clear();
  Census census = this->census();
  ChildChunk chunk;
  if (!plan_.migration) {
    chunk.women_alive = women_alive(block);
    chunk.children_alive = dated_children(block, books.tally);
  } else if (y_ == 0 && plan_.mortality.any) {
    date_child_deaths(block);
  }
  // Born before this month: of dated_child_age or more this year.
  const MonthIndex dated_before = month_index(year_ - plan_.dated_child_age + 1, 1);
  std::int64_t deaths = 0;
  for (std::uint32_t c0 = block.child_begin; c0 < block.child_end; c0 += 64) {
    const auto n = std::min<std::uint32_t>(64, block.child_end - c0);
    const std::uint64_t young = undated(c0, n, dated_before);
    // Their states all at once, ahead of admit(): no pass of the year has read them yet,
    // and the young are too sparse among the block's children for the hardware to foresee.
    for (std::uint64_t ahead = young; ahead != 0; ahead &= ahead - 1) {
      __builtin_prefetch(&state_.child_state[c0 + static_cast<std::uint32_t>(std::countr_zero(ahead))].dead);
    }
    if (plan_.migration) {  // without it, dated_children counted the others
      const std::uint64_t batch = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
      for (std::uint64_t dated = batch & ~young; dated != 0; dated &= dated - 1) {
        const std::uint32_t c = c0 + static_cast<std::uint32_t>(std::countr_zero(dated));
        if (pop_.child_woman[c] == NO_WOMAN) deaths += dated_child_dies(c, census, books.tally);
      }
    }
    for (std::uint64_t left = young; left != 0; left &= left - 1) {
      const std::uint32_t c = c0 + static_cast<std::uint32_t>(std::countr_zero(left));
      const ChildRecord child{pop_.child_birth_month[c],
                              pop_.child_birth_order[c],
                              static_cast<Sex>(pop_.child_sex[c]),
                              pop_.child_household[c],
                              c,
                              0,
                              pop_.child_woman[c]};
      admit(child, state_.child_state[c], census, books.tally, chunk, work);
    }
  }
  books.tally.deaths += deaths;
  for (Newborn& nb : newborns) {
    const ChildRecord child{nb.birth_month, nb.order, nb.sex, nb.household, nb.mother, nb.birth_year, NO_WOMAN};
    admit(child, nb.state, census, books.tally, chunk, work);
  }
  enter_chunk(chunk, books.tally, work);
  census.book(books.tally);
  if (plan_.once_per_household_age_months > 0) mark_younger_siblings(block, work);
}

void BlockYear::settle(std::vector<ChildWork>& work, BlockBooks books) const {
  settle_each(work, books, books, nullptr);
}

void BlockYear::settle_ahead(std::vector<ChildWork>& work, BlockBooks others, BlockBooks wanting,
                             std::vector<ChildWork>& kept) const {
  settle_each(work, others, wanting, &kept);
}

void BlockYear::settle_each(std::vector<ChildWork>& work, BlockBooks others, BlockBooks wanting,
                            std::vector<ChildWork>* kept) const {
  FeeLedger fees_reduced;  // one for the block, emptied for each child
  for (ChildWork& w : work) {
    const bool wants = w.childcare_months != 0;
    finish(w, wants ? wanting : others, fees_reduced);
    if (wants && kept != nullptr) kept->push_back(w);
  }
}

//! The residents under 18 of each household of the block at the year's start (living,
//! present; each person once, as counted()), for measures that ask for minor children.
void BlockYear::count_minors(const HouseholdBlock& block, const std::vector<Newborn>& newborns) const {
  constexpr int ADULT = 18;
  std::uint8_t* minors = state_.household_minors;
  std::fill(minors + block.household_begin, minors + block.household_end, std::uint8_t{0});
  auto add = [&](std::uint32_t h, int age) {
    if (age < ADULT && minors[h] < 255) ++minors[h];
  };
  for (std::uint32_t w = block.woman_begin; w < block.woman_end; ++w) {
    const int age = year_ - pop_.woman_birth_year[w];
    if (state_.parity[w] != DEAD && age >= YOUNGEST_WOMAN_AGE) add(pop_.woman_household[w], age);
  }
  for (std::uint32_t p = block.person_begin; p < block.person_end; ++p) {
    if (state_.person_death[p] >= y_) add(pop_.person_household[p], year_ - pop_.person_birth_year[p]);
  }
  const MonthIndex year_start = month_index(year_, 1);
  for (std::uint32_t c = block.child_begin; c < block.child_end; ++c) {
    const int age = year_ - pop_.child_birth_month[c] / 12;
    const bool own = pop_.child_woman[c] == NO_WOMAN || age < YOUNGEST_WOMAN_AGE;
    if (own && !state_.child_state[c].dead && pop_.child_birth_month[c] < year_start) add(pop_.child_household[c], age);
  }
  for (const Newborn& nb : newborns) {  // the run's births of earlier years
    if (!nb.state.dead && nb.birth_month < year_start) add(nb.household, year_ - nb.birth_month / 12);
  }
}

namespace {

//! A young child's key in mark_younger_siblings: its household within the block, its birth
//! month from the oldest a young child may have, and its entry in `work`, so that sorting
//! the keys puts each household's children together, from the oldest to the youngest.
struct YoungKey {
  static constexpr int ENTRY_BITS = 32, BIRTH_BITS = 12;
  static_assert(BLOCK_HOUSEHOLDS <= 1u << (64 - ENTRY_BITS - BIRTH_BITS), "a block's households fit the key");
  static std::uint64_t of(std::uint32_t household, int birth, std::size_t entry) {
    return (std::uint64_t{household} << BIRTH_BITS | static_cast<std::uint64_t>(birth)) << ENTRY_BITS | entry;
  }
  static std::uint32_t household(std::uint64_t key) {
    return static_cast<std::uint32_t>(key >> (ENTRY_BITS + BIRTH_BITS));
  }
  static std::size_t entry(std::uint64_t key) { return static_cast<std::size_t>(key & 0xFFFFFFFFu); }
};

}  // namespace

//! For the measures counted once per household: each child's younger_alive, the months in
//! which a younger child of its household is alive (a later birth month, or the same one
//! and later in `work`: twins count once too). Only the children young enough for such a
//! measure take part (a younger sibling of one is younger still), and only those sharing
//! their household with another are ordered.
void BlockYear::mark_younger_siblings(const HouseholdBlock& block, std::vector<ChildWork>& work) const {
  thread_local std::vector<std::uint64_t> young;    // YoungKey
  thread_local std::vector<std::uint8_t> young_in;  // [household of the block]: left all 0
  const std::size_t n = young_children(block, work, young);
  if (young_in.size() < BLOCK_HOUSEHOLDS) young_in.resize(BLOCK_HOUSEHOLDS);
  std::uint8_t* const in = young_in.data();
  for (std::size_t k = 0; k < n; ++k) {
    std::uint8_t& count = in[YoungKey::household(young[k])];
    count = static_cast<std::uint8_t>(count + ((count >> 1) ^ 1));  // up to 2, with no branch to mispredict
  }
  std::size_t shared = 0;  // those of households with two or more, moved to the front
  for (std::size_t k = 0; k < n; ++k) {
    young[shared] = young[k];
    shared += in[YoungKey::household(young[k])] == 2;
  }
  for (std::size_t k = 0; k < n; ++k) in[YoungKey::household(young[k])] = 0;
  std::sort(young.begin(), young.begin() + static_cast<std::ptrdiff_t>(shared));
  std::uint16_t younger = 0;
  for (std::size_t k = shared; k-- > 0;) {  // each household from its youngest
    if (k + 1 == shared || YoungKey::household(young[k]) != YoungKey::household(young[k + 1])) younger = 0;
    ChildYear& child = work[YoungKey::entry(young[k])].year;
    child.younger_alive = younger;
    // Its months in the widest such window (it is younger than any sibling it follows here,
    // so in every window whenever they are): from the month after its birth, as age windows count.
    const std::uint16_t counted = age_window_mask(year_, child.birth_month, 0, plan_.once_per_household_age_months);
    younger = static_cast<std::uint16_t>(younger | (counted & child.alive_mask));
  }
}

//! The children of `work` young enough for a measure counted once per household, into
//! `young` as YoungKey, in `work`'s order; returns how many.
std::size_t BlockYear::young_children(const HouseholdBlock& block, const std::vector<ChildWork>& work,
                                      std::vector<std::uint64_t>& young) const {
  if (young.size() < work.size()) young.resize(work.size());
  // Locals, and kept by moving on rather than by a branch, which would mispredict at random.
  const MonthIndex oldest_birth = month_index(year_, 1) - plan_.once_per_household_age_months;
  const std::uint32_t* const child_household = pop_.child_household.data();
  const std::uint32_t* const woman_household = pop_.woman_household.data();
  const std::uint32_t first_household = block.household_begin;
  std::uint64_t* const out = young.data();
  std::size_t n = 0;
  for (std::size_t i = 0; i < work.size(); ++i) {
    const ChildWork& w = work[i];
    // A base child's own household, a child born in the run its mother's (its key's entity).
    const std::uint32_t h = w.aux == 0 ? child_household[w.entity] : woman_household[w.entity];
    const int birth = w.year.birth_month - oldest_birth;  // below 0: too old (its key is not kept)
    out[n] = YoungKey::of(h - first_household, std::max(birth, 0), i);
    n += birth >= 0;  // under the widest window at the year's start
  }
  return n;
}

//! Births (and the events they trigger) and deaths of the block's women, then home
//! purchases. One hot loop: it reads the arrays through locals and draws one Philox
//! block per woman-year for her birth (or death) and her household's purchase.
void BlockYear::women(const HouseholdBlock& block, std::vector<Newborn>& newborns, BlockBooks books) const {
  const std::size_t per_band = plan_.birth_year_span * PARITY_CLASSES;
  const std::size_t year_offset = static_cast<std::size_t>(y_) * plan_.band_income.size() * per_band;
  const std::uint64_t* thresholds = rplan_.birth_threshold.data() + year_offset;
  const std::uint64_t* base_thresholds = rplan_.base_birth_threshold.data() + year_offset;
  const auto year_key = static_cast<std::uint16_t>(year_);
  const bool homes = !plan_.event_measures[static_cast<std::size_t>(y_)].home.empty();
  // Locals, so that writes through the byte-typed parity array (which may alias
  // anything) do not force these to be reloaded on every woman.
  const std::int16_t* const birth_years = pop_.woman_birth_year.data();
  const std::uint32_t* const households = pop_.woman_household.data();
  const std::uint8_t* const bands = pop_.household_income_band.data();
  const std::uint8_t* const tenures = pop_.household_tenure.data();
  std::uint8_t* const parities = state_.parity;
  const std::int16_t min_birth_year = plan_.min_birth_year;
  const int home_min_children = plan_.home_min_children;
  const std::array<std::uint64_t, 2> home_threshold = plan_.home_purchase_threshold;
  // Most women's purchase draw is above both tenures' thresholds: tested first, it spares
  // reading the household's tenure.
  const std::uint64_t home_any = plan_.any_home_purchase_threshold();
  const std::uint64_t* const death_threshold =
      plan_.woman_death_threshold.data() + static_cast<std::size_t>(y_) * plan_.birth_year_span;
  // Uniform over the run, so these branches cost nothing when the feature is off.
  const bool banded = plan_.band_income.size() > 1;
  const int year = year_;
  // Without migration the census is read from the cohorts, and a death leaves its cohort.
  const bool migration = plan_.migration;
  std::int32_t* const alive = migration ? nullptr : count_women(block, books.tally);
  const std::int16_t first_cohort = migration ? 0 : state_.women_cohorts->first_birth_year;
  Census census = this->census();
  std::uint64_t birth_u[DRAW_BATCH], home_u[DRAW_BATCH];
  BirthBatch births;
  HomeBatch purchases;
  for (std::uint32_t w0 = block.woman_begin; w0 < block.woman_end; w0 += DRAW_BATCH) {
    const std::size_t n = std::min<std::size_t>(DRAW_BATCH, block.woman_end - w0);
    // The batch's households, read for each woman the test below passes: a few women far
    // apart, each of them a miss when read, unless asked for here while the draws are made.
    for (std::size_t i = 0; i < n; i += 64 / sizeof *households) __builtin_prefetch(households + w0 + i);
    // One Philox block per woman-year: words 0-1 decide a birth, words 2-3 a home purchase.
    draw_batch_u64(plan_.seed, rep_, w0, n, year_key, stream::BIRTH, birth_u, home_u);
    for (std::uint64_t maybe = may_change(w0, n, birth_u, home_u); maybe != 0; maybe &= maybe - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(maybe));
      const auto w = static_cast<std::uint32_t>(w0 + i);
      const int birth_year = birth_years[w];
      const std::uint8_t k = parities[w];
      const int age = year - birth_year;
      // Dead (passed for her purchase draw), or a girl, whose child record stands for her.
      if (k == DEAD || age < YOUNGEST_WOMAN_AGE) continue;
      const std::uint32_t h = households[w];
      if (migration && !census.counted(h, Sex::female, age, books.tally)) continue;
      if (woman_dies(birth_u[i], death_threshold[birth_year - min_birth_year])) {
        parities[w] = DEAD;
        books.tally.deaths++;
        if (!migration) --alive[birth_year - first_cohort];
        continue;
      }
      const auto k_class = static_cast<std::size_t>(parity_class(k));
      const std::size_t cell = (banded ? bands[h] * per_band : 0) +
                               static_cast<std::size_t>(birth_year - min_birth_year) * PARITY_CLASSES + k_class;
      std::uint8_t now = k;
      if (birth_u[i] < thresholds[cell]) {
        now = give_birth(w, k, birth_u[i] < base_thresholds[cell], age, births, newborns, books);
      }
      if (homes && home_u[i] < home_any && home_u[i] < home_threshold[tenures[h]] && now >= home_min_children &&
          age >= HOME_BUYER_MIN_AGE) {
        purchases.add(w, home_u[i], home_threshold[tenures[h]], now, age);
        if (purchases.n == DRAW_BATCH) buy_homes(purchases, books);
      }
    }
  }
  if (births.n != 0) born(births, newborns, books);
  if (purchases.n != 0) buy_homes(purchases, books);
  census.book(books.tally);
}

//! Bit i: whether woman w0 + i, of a batch of n (at most 64) with these draws, may die, give
//! birth or have her household buy a home this year. A test without a branch on the few values
//! that decide them, so that the many women-years in which nothing happens end here (the
//! others' cohorts count them); it takes the highest birth threshold over the income bands, so
//! that it reads no household. A woman it passes is then decided in full, as if it were not
//! there; it may pass a dead woman, for her purchase draw, whom the caller skips. With
//! migration every living woman passes: each is counted one by one.
std::uint64_t BlockYear::may_change(std::uint32_t w0, std::size_t n, const std::uint64_t* birth_u,
                                    const std::uint64_t* home_u) const {
  const std::uint8_t* const parities = state_.parity;
  std::uint64_t maybe = 0;
  if (plan_.migration) {
    for (std::size_t i = 0; i < n; ++i) maybe |= std::uint64_t{parities[w0 + i] != DEAD} << i;
    return maybe;
  }
  const auto y = static_cast<std::size_t>(y_);
  // No draw is below 0: without home measures this year, no purchase passes.
  const SieveYear year{rplan_.change_window.data() + y * plan_.birth_year_span * CHANGE_CLASSES, plan_.min_birth_year,
                       plan_.event_measures[y].home.empty() ? 0 : plan_.any_home_purchase_threshold()};
  return sieve_changes(year, SieveBatch{parities + w0, pop_.woman_birth_year.data() + w0, birth_u, home_u, n});
}

//! A birth to woman w (aged `age`), of parity k before it, and `base` if whatever the
//! response: her parity raised, the birth tallied and queued in `births` (born() when the
//! batch is full). Returns her parity after it.
std::uint8_t BlockYear::give_birth(std::uint32_t w, std::uint8_t k, bool base, int age, BirthBatch& births,
                                   std::vector<Newborn>& newborns, BlockBooks books) const {
  const std::uint8_t now = parity_after_birth(k, DEAD);
  state_.parity[w] = now;
  books.tally.births[static_cast<std::size_t>(parity_class(now - 1))]++;
  births.add(w, static_cast<std::size_t>(parity_class(k)), base, now, age);
  if (births.n == DRAW_BATCH) born(births, newborns, books);
  return now;
}

//! The births of `births`: each newborn's month (any month for a birth whatever the
//! response, else in the months the response reaches, models/behaviour.h), day and sex,
//! appended to `newborns` in the births' order, then the events they trigger. Each kind of
//! draw is made for the whole batch at once (lane-parallel: the numbers a KeyedStream of
//! each birth's key gives). Leaves `births` empty.
void BlockYear::born(BirthBatch& births, std::vector<Newborn>& newborns, BlockBooks books) const {
  const std::size_t n = births.n;
  const auto year_key = static_cast<std::uint16_t>(year_);
  std::uint64_t month_u[DRAW_BATCH], day_u[DRAW_BATCH], sex_u[DRAW_BATCH];
  draw_keyed_batch_u64(plan_.seed, rep_, births.woman.data(), NO_AUX, n, year_key, stream::BIRTH_MONTH, 0, month_u,
                       day_u);
  draw_keyed_batch_u64(plan_.seed, rep_, births.woman.data(), NO_AUX, n, year_key, stream::CHILD_SEX, 0, sex_u,
                       nullptr);
  const auto& response_month = plan_.response_month[static_cast<std::size_t>(y_)];
  std::array<Event, DRAW_BATCH> events;
  for (std::size_t i = 0; i < n; ++i) {
    const int m = births.base[i] ? static_cast<int>(draw_below(month_u[i], 12)) + 1
                                 : response_birth_month(response_month[births.k_class[i]], month_u[i]);
    const MonthIndex month = month_index(year_, m);
    const int day = 1 + static_cast<int>(draw_below(day_u[i], static_cast<std::uint32_t>(days_in_month(year_, m))));
    const bool girl = sex_u[i] < plan_.girl_threshold;
    // Field by field into the vector, as admit() fills its chunk: a record built on the
    // stack from narrower stores and copied wider cannot be forwarded (a stall per birth).
    Newborn& nb = newborns.emplace_back();
    nb.birth_month = month;
    nb.mother = births.woman[i];
    nb.birth_year = year_key;
    nb.order = births.order[i];
    nb.sex = girl ? Sex::female : Sex::male;
    nb.household = pop_.woman_household[births.woman[i]];
    household_event(events[i], Basis::birth, MonthDay{month, day}, birth_order_class(births.order[i]), births.age[i],
                    births.woman[i]);
  }
  birth_events(births, events.data(), books);
  births.n = 0;
}

//! The home purchases of `purchases` (each by a woman's household, with her children and
//! age): the home measures' events, booked for the batch. Leaves `purchases` empty.
void BlockYear::buy_homes(HomeBatch& purchases, BlockBooks books) const {
  const auto days = static_cast<unsigned>(days_in_year(year_));
  std::array<Event, DRAW_BATCH> events;
  for (std::size_t j = 0; j < purchases.n; ++j) {
    // Below its threshold a purchase draw is uniform on [0, threshold): its place there
    // dates the purchase to a day of the year, without a draw of its own.
    const auto day = static_cast<int>(static_cast<Wide>(purchases.draw[j]) * days / purchases.below[j]);
    household_event(events[j], Basis::home_purchase, date_of_day(year_, day), purchases.children[j], purchases.age[j],
                    purchases.woman[j]);
  }
  book_event_batch(plan_.event_measures[static_cast<std::size_t>(y_)].home, purchases.woman.data(), events.data(),
                   purchases.n, books);
  purchases.n = 0;
}

namespace {

//! Fits `cohorts` to the birth years of one kind of resident (n of them, the i-th born in
//! birth_year(i)) and counts each block's, those for which counted(i).
template <class BirthYear, class SexOf, class Counted>
void reset_cohorts(Cohorts& cohorts, const BasePopulation& pop, std::size_t n, BirthYear birth_year,
                   std::uint32_t HouseholdBlock::*begin, std::uint32_t HouseholdBlock::*end, SexOf sex_of,
                   Counted counted) {
  const BirthYears years = birth_year_range(n, birth_year);
  cohorts.first_birth_year = years.first;
  cohorts.birth_years = years.span;
  cohorts.alive.assign(pop.blocks.size() * SEXES * cohorts.birth_years, 0);
  parallel_for(0, pop.blocks.size(), [&](const tbb::blocked_range<std::size_t>& blocks) {
    for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
      std::int32_t* counts = cohorts.block(b);
      for (std::uint32_t i = pop.blocks[b].*begin; i < pop.blocks[b].*end; ++i) {
        if (counted(i)) ++counts[cohorts.cell(sex_of(i), birth_year(i))];
      }
    }
  });
}

}  // namespace

void Cohorts::reset_women(const BasePopulation& pop) {
  reset_cohorts(
      *this, pop, pop.women(), [&](std::size_t w) { return pop.woman_birth_year[w]; }, &HouseholdBlock::woman_begin,
      &HouseholdBlock::woman_end, [](std::uint32_t) { return Sex::female; }, [](std::uint32_t) { return true; });
}

void Cohorts::reset_others(const BasePopulation& pop, int run_years) {
  reset_cohorts(
      *this, pop, pop.others(), [&](std::size_t p) { return pop.person_birth_year[p]; }, &HouseholdBlock::person_begin,
      &HouseholdBlock::person_end, [&](std::uint32_t p) { return static_cast<Sex>(pop.person_sex[p]); },
      [](std::uint32_t) { return true; });
  years = static_cast<std::size_t>(run_years);
  dying.assign(alive.size() * years, 0);
}

void Cohorts::reset_children(const BasePopulation& pop) {
  reset_cohorts(
      *this, pop, pop.children(),
      [&](std::size_t c) { return static_cast<std::int16_t>(pop.child_birth_month[c] / 12); },
      &HouseholdBlock::child_begin, &HouseholdBlock::child_end,
      [&](std::uint32_t c) { return static_cast<Sex>(pop.child_sex[c]); },
      [&](std::uint32_t c) { return pop.child_woman[c] == NO_WOMAN; });
}

//! The year's census of a block's women from their cohorts; returns the block's living
//! women by birth year (women_alive).
std::int32_t* BlockYear::count_women(const HouseholdBlock& block, BlockTally& tally) const {
  count_cohorts(*state_.women_cohorts, block_cohorts(*state_.women_cohorts, block), YOUNGEST_WOMAN_AGE, tally);
  return women_alive(block);
}

//! The year's census of a block's living residents of one kind aged `youngest` or more
//! from their counts by sex and birth year: what counting each of them would give when no
//! household moves.
void BlockYear::count_cohorts(const Cohorts& cohorts, const std::int32_t* alive, int youngest,
                              BlockTally& tally) const {
  std::int64_t population = 0;
  for (std::size_t s = 0; s < SEXES; ++s) {
    for (std::size_t i = 0; i < cohorts.birth_years; ++i) {
      const std::int32_t n = alive[s * cohorts.birth_years + i];
      const int age = year_ - (cohorts.first_birth_year + static_cast<int>(i));
      if (n == 0 || age < youngest) continue;
      tally.residents[s][static_cast<std::size_t>(std::clamp(age, 0, OLDEST_AGE))] += n;
      population += n;
    }
  }
  tally.population += population;
}

namespace {

//! The year offset of a death dated by one uniform u against survival `left` over the
//! years from offset `from` (RunSurvival::at for the age then): the first year where u
//! exceeds it, or NEVER_DIES when that is not before `to`. The year of death then has the
//! distribution that a draw per year gives.
std::uint8_t dated_death(std::uint64_t u, const std::uint64_t* left, int from, int to, int years) {
  // S falls, so the years lived through are a count, no branch. Most outlive the run: u
  // within the last year's S is within every year's.
  int lived = years - from;
  if (lived > 0 && u > left[lived - 1]) {
    lived = 0;
    for (int t = 0; t < years - from; ++t) lived += u <= left[t];
  }
  return from + lived < to ? static_cast<std::uint8_t>(from + lived) : NEVER_DIES;
}

}  // namespace

//! Dates each other resident's death once, in the run's first year, over the years it is
//! present (from its household's arrival; a resident who has left no longer dies).
void BlockYear::date_deaths(const HouseholdBlock& block) const {
  // Locals: the stores to `death` (bytes, which may alias anything) would otherwise reload
  // each of them through `this` for every resident.
  std::uint8_t* const death = state_.person_death;
  const std::uint32_t* const households = pop_.person_household.data();
  const std::int16_t* const birth_years = pop_.person_birth_year.data();
  const std::uint8_t* const sexes = pop_.person_sex.data();
  const std::int16_t* const arrival = pop_.household_arrival.data();
  const std::int16_t* const departure = pop_.household_departure.data();
  const RunSurvival::Rows survival = plan_.survival.rows();
  const int start = plan_.start_year, years = plan_.years;
  if (!plan_.migration) {  // everyone present from the start to the end
    Cohorts& cohorts = *state_.other_cohorts;
    std::int32_t* const dying = cohorts.dying_in(block_index(block), 0);
    const std::size_t cohort_years = cohorts.birth_years, year_cells = SEXES * cohort_years;
    const std::int16_t first_birth_year = cohorts.first_birth_year;
    // The few who die within the run, at random among the residents, are gathered without a
    // branch (which mispredicted for each of them), then dated.
    constexpr std::size_t GATHERED = 2 * DRAW_BATCH;
    std::uint32_t who[GATHERED];
    std::uint64_t draw[GATHERED];
    std::size_t m = 0;
    auto date_gathered = [&] {
      for (std::size_t j = 0; j < m; ++j) {
        const std::uint32_t p = who[j];
        const std::uint64_t* const left = survival.at(static_cast<Sex>(sexes[p]), start - birth_years[p]);
        const std::uint8_t dies = dated_death(draw[j], left, 0, years, years);
        death[p] = dies;
        ++dying[dies * year_cells + sexes[p] * cohort_years +
                static_cast<std::size_t>(birth_years[p] - first_birth_year)];
      }
      m = 0;
    };
    for_each_paired_u64(plan_.seed, rep_, block.person_begin, block.person_end, stream::PERSON_DEATH,
                        [&](std::uint32_t p, std::uint64_t u) {
                          death[p] = NEVER_DIES;
                          who[m] = p;
                          draw[m] = u;
                          // dies before the run's end
                          m += u > survival.to_end(static_cast<Sex>(sexes[p]), start - birth_years[p]);
                          if (m == GATHERED) date_gathered();
                        });
    date_gathered();
    return;
  }
  for_each_paired_u64(plan_.seed, rep_, block.person_begin, block.person_end, stream::PERSON_DEATH,
                      [=](std::uint32_t p, std::uint64_t u) {
                        const std::uint32_t h = households[p];
                        const int from = std::max(arrival[h] - start, 0);
                        const int to = std::min(departure[h] - start, years);
                        // Survival depends on attained ages only: from the arrival it is
                        // the table's row for the age at the arrival.
                        const std::uint64_t* const left =
                            survival.at(static_cast<Sex>(sexes[p]), start + from - birth_years[p]);
                        death[p] = dated_death(u, left, from, to, years);
                      });
}

//! Dates once, in the run's first year, the deaths of the block's base children without a
//! woman record in the years they are past every service age (from Plan::dated_child_age,
//! and while present), as date_deaths the other residents'.
void BlockYear::date_child_deaths(const HouseholdBlock& block) const {
  std::uint8_t* const death = state_.child_death;  // locals by value, as in date_deaths
  const std::uint32_t* const households = pop_.child_household.data();
  const MonthIndex* const birth_months = pop_.child_birth_month.data();
  const std::uint8_t* const sexes = pop_.child_sex.data();
  const std::uint32_t* const women = pop_.child_woman.data();
  const std::int16_t* const arrival = pop_.household_arrival.data();
  const std::int16_t* const departure = pop_.household_departure.data();
  const RunSurvival::Rows survival = plan_.survival.rows();
  const int start = plan_.start_year, years = plan_.years, dated_age = plan_.dated_child_age;
  for_each_paired_u64(plan_.seed, rep_, block.child_begin, block.child_end, stream::CHILD_DEATH_DATED,
                      [=](std::uint32_t c, std::uint64_t u) {
                        if (women[c] != NO_WOMAN) return;  // her woman record's draws follow hers
                        const std::uint32_t h = households[c];
                        const int birth_year = birth_months[c] / 12;
                        const int from = std::max({birth_year + dated_age - start, arrival[h] - start, 0});
                        const int to = std::min(departure[h] - start, years);
                        const std::uint64_t* const left =
                            survival.at(static_cast<Sex>(sexes[c]), start + from - birth_year);
                        death[c] = dated_death(u, left, from, to, years);
                      });
}

namespace {

//! Calls found(p) for each p in [begin, end) with bytes[p] == value, in order, 16 bytes
//! at a time: most residents do not die in a given year. The bytes equal to value are
//! found by one vector comparison (GCC's vector extension: SSE2 or better, whatever the
//! target), each window's hits read from its comparison bit by bit.
template <class Found>
void for_each_equal(const std::uint8_t* bytes, std::uint32_t begin, std::uint32_t end, std::uint8_t value,
                    Found found) {
  using Window = std::uint8_t __attribute__((vector_size(16)));
  constexpr std::uint64_t LOW_BITS = 0x0101010101010101u;  // bit 0 of each byte
  std::uint32_t p = begin;
  for (; p + 16 <= end; p += 16) {
    Window window;
    std::memcpy(&window, bytes + p, 16);
    const auto equal = window == value;  // 0xFF in each byte equal to value, else 0
    std::uint64_t words[2];
    std::memcpy(words, &equal, 16);
    if ((words[0] | words[1]) == 0) continue;
    for (std::uint32_t j = 0; j < 2; ++j) {
      for (std::uint64_t hits = words[j] & LOW_BITS; hits != 0; hits &= hits - 1) {
        found(p + 8 * j + static_cast<std::uint32_t>(std::countr_zero(hits)) / 8);
      }
    }
  }
  for (; p < end; ++p) {
    if (bytes[p] == value) found(p);
  }
}

}  // namespace

//! The other residents' year: each living one is counted, and those whose death falls in
//! the year (date_deaths) die. When no household moves, they are counted by cohort
//! (Cohorts), and the year's deaths leave their cohorts as date_deaths counted them.
void BlockYear::others(const HouseholdBlock& block, BlockTally& tally) const {
  if (block.person_begin == block.person_end) return;
  if (y_ == 0 && plan_.mortality.any) date_deaths(block);
  if (plan_.migration) {
    moving_others(block, tally);
    return;
  }
  Cohorts& cohorts = *state_.other_cohorts;
  std::int32_t* const alive = block_cohorts(cohorts, block);
  count_cohorts(cohorts, alive, 0, tally);
  if (!plan_.mortality.any) return;
  const std::int32_t* const dying = cohorts.dying_in(block_index(block), static_cast<std::size_t>(y_));
  std::int64_t deaths = 0;
  for (std::size_t i = 0; i < SEXES * cohorts.birth_years; ++i) {
    alive[i] -= dying[i];
    deaths += dying[i];
  }
  tally.deaths += deaths;
}

//! others() with migration: each resident not dead before the year counted one by one if
//! present, and its death counted if dated to the year.
void BlockYear::moving_others(const HouseholdBlock& block, BlockTally& tally) const {
  const std::uint8_t* const death = state_.person_death;
  const std::uint32_t* const households = pop_.person_household.data();
  const std::int16_t* const birth_years = pop_.person_birth_year.data();
  const std::uint8_t* const sexes = pop_.person_sex.data();
  const auto y = static_cast<std::uint8_t>(y_);
  Census census = this->census();
  std::int64_t deaths = 0;
  for (std::uint32_t p = block.person_begin; p < block.person_end; ++p) {
    if (death[p] < y) continue;  // died in an earlier year
    if (census.counted(households[p], static_cast<Sex>(sexes[p]), year_ - birth_years[p], tally)) {
      deaths += death[p] == y;
    }
  }
  tally.deaths += deaths;
  census.book(tally);
}

//! Without migration: the year's census of the block's base children past every service
//! age (Plan::dated_child_age) from their cohorts, and the deaths dated to the year
//! (date_child_deaths, first dated here), each leaving its cohort. Returns the block's
//! cohorts, which the younger ones' deaths leave too.
std::int32_t* BlockYear::dated_children(const HouseholdBlock& block, BlockTally& tally) const {
  Cohorts& cohorts = *state_.child_cohorts;
  std::int32_t* const alive = block_cohorts(cohorts, block);
  count_cohorts(cohorts, alive, plan_.dated_child_age, tally);
  if (!plan_.mortality.any) return alive;
  if (y_ == 0) date_child_deaths(block);
  std::int64_t deaths = 0;
  for_each_equal(state_.child_death, block.child_begin, block.child_end, static_cast<std::uint8_t>(y_),
                 [&](std::uint32_t c) {
                   ++deaths;
                   state_.child_state[c].dead = true;
                   --alive[cohorts.cell(static_cast<Sex>(pop_.child_sex[c]),
                                        static_cast<std::int16_t>(pop_.child_birth_month[c] / 12))];
                 });
  tally.deaths += deaths;
  return alive;
}

//! Bit i: whether base child c0 + i, of n (at most 64), is admitted to the year: younger
//! than dated_child_age (born from `dated_before` on), or with a woman record and too young
//! for it to stand for her yet. The others are past every service age: a child without a
//! woman record is counted by its cohort (dated_children) or, with migration, one by one
//! (dated_child_dies); a girl's woman record stands for her. A test without a branch, since
//! ages are mixed in a household.
std::uint64_t BlockYear::undated(std::uint32_t c0, std::uint32_t n, MonthIndex dated_before) const {
  const MonthIndex* const birth_months = pop_.child_birth_month.data() + c0;
  const std::uint32_t* const women = pop_.child_woman.data() + c0;
  const MonthIndex girl_from = month_index(year_ - YOUNGEST_WOMAN_AGE + 1, 1);  // born from then: under its age
  std::uint64_t young = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const bool admitted = (birth_months[i] >= dated_before) | ((women[i] != NO_WOMAN) & (birth_months[i] >= girl_from));
    young |= std::uint64_t{admitted} << i;
  }
  return young;
}

//! With migration: base child c past every service age, counted if present; whether its
//! death is dated to the year (date_child_deaths), which it then dies.
bool BlockYear::dated_child_dies(std::uint32_t c, Census& census, BlockTally& tally) const {
  const std::uint8_t death = state_.child_death[c];
  if (death < y_) return false;  // died in an earlier year
  const int age = year_ - pop_.child_birth_month[c] / 12;
  if (!census.counted(pop_.child_household[c], static_cast<Sex>(pop_.child_sex[c]), age, tally)) return false;
  if (death != y_) return false;
  state_.child_state[c].dead = true;
  return true;
}

//! The first half of a child's year: whether it lives through it (counted among the
//! residents unless born this year), counts, kindergarten, and the months its family
//! wants childcare (allocated later under the year's capacity). A girl's woman record
//! stands for her from YOUNGEST_WOMAN_AGE on: her child record then follows it, and is
//! neither counted nor drawn for death again. A child alive at the year's start is
//! admitted into `chunk`; each full chunk draws its survivals in one batch and enters
//! `work`. Forced inline: it is the body of demand()'s loops, and GCC left it a call once
//! there were two (about 26 M instructions on Xihu, 4 replications).
[[gnu::always_inline]] inline void BlockYear::admit(const ChildRecord& child, ChildState& state, Census& census,
                                                    BlockTally& tally, ChildChunk& chunk,
                                                    std::vector<ChildWork>& work) const {
  const MonthIndex year_start = month_index(year_, 1);
  if (child.birth_month >= year_start + 12 || state.dead) return;  // not yet born, or died
  bool mortal = false;
  // One branch (&, not &&): whether a child is a girl is as good as random to the predictor.
  const bool woman_now = (child.woman != NO_WOMAN) & (year_ - child.birth_month / 12 >= YOUNGEST_WOMAN_AGE);
  if (woman_now) {
    if (state_.parity[child.woman] == DEAD) state.dead = true;
    if (state.dead || (plan_.migration && !present(child.household))) return;
  } else {
    if (child.birth_month < year_start &&
        !census.counted(child.household, child.sex, year_ - child.birth_month / 12, tally)) {
      return;
    }
    mortal = plan_.mortality.any;
  }
  const std::size_t i = chunk.n++;
  // Field by field: a whole-record copy was built on the stack from narrower stores and
  // read back wider, which the CPU cannot forward (a stall per child).
  ChildRecord& slot = chunk.child[i];
  slot.birth_month = child.birth_month;
  slot.order = child.order;
  slot.sex = child.sex;
  slot.household = child.household;
  slot.entity = child.entity;
  slot.aux = child.aux;
  slot.woman = child.woman;
  chunk.state[i] = &state;
  chunk.mortal[i] = mortal;
  if (mortal) {
    chunk.entity[chunk.keys] = child.entity;
    chunk.aux[chunk.keys] = child.aux;
    ++chunk.keys;
  }
  if (chunk.n == DRAW_BATCH) enter_chunk(chunk, tally, work);
}

//! The chunk's survival draws in one batch, then each child's year into `work`, then its
//! kindergarten and the childcare its family wants; leaves the chunk empty.
void BlockYear::enter_chunk(ChildChunk& chunk, BlockTally& tally, std::vector<ChildWork>& work) const {
  std::uint64_t w01[DRAW_BATCH], w23[DRAW_BATCH];
  if (chunk.keys != 0) {
    draw_keyed_batch_u64(plan_.seed, rep_, chunk.entity.data(), chunk.aux.data(), chunk.keys,
                         static_cast<std::uint16_t>(year_), stream::CHILD_DEATH, 0, w01, w23);
  }
  const std::size_t first = work.size();
  // kindergarten(), childcare_wants() and draw_take_ups() gather (gather_children) at most
  // DRAW_BATCH entries: each of the chunk's children enters `work` at most once, and the
  // chunk holds no more.
  static_assert(std::tuple_size_v<decltype(ChildChunk::child)> == DRAW_BATCH, "a chunk is one batch of draws");
  for (std::size_t i = 0, k = 0; i < chunk.n; ++i) {
    std::uint16_t alive = 0xFFF;
    if (chunk.mortal[i]) {
      alive = survival(chunk.child[i], *chunk.state[i], DrawnBlock(w01[k], w23[k]), chunk.women_alive,
                       chunk.children_alive, tally);
      ++k;
    }
    enter(chunk.child[i], *chunk.state[i], alive, work);
  }
  kindergarten(work.data() + first, work.size() - first, tally);
  childcare_wants(work.data() + first, work.size() - first, tally);
  draw_take_ups(work.data() + first, work.size() - first);
  chunk.n = chunk.keys = 0;
}

//! The months of the year the child is alive, at its sex and age's mortality, from its
//! stream's first block; a death is counted and remembered (for a girl, in her woman record
//! too, and she leaves her cohort in `women_alive` when there is one; a base child without
//! one is marked dead in child_death and leaves its cohort in `children_alive`). Forced
//! inline into enter_chunk's loop: its seven arguments made the call about 29 M instructions
//! on Xihu, 4 replications (1.6 %).
[[gnu::always_inline]] inline std::uint16_t BlockYear::survival(const ChildRecord& child, ChildState& state,
                                                                DrawnBlock draws, std::int32_t* women_alive,
                                                                std::int32_t* children_alive, BlockTally& tally) const {
  const MonthIndex year_start = month_index(year_, 1);
  const int born_in = child.birth_month >= year_start ? child.birth_month - year_start : -1;
  const ChildSurvival year =
      child_survival(draws, born_in, plan_.mortality.at(child.sex, year_ - child.birth_month / 12));
  if (year.dies) {
    state.dead = true;
    tally.deaths++;
    if (child.woman != NO_WOMAN) {
      state_.parity[child.woman] = DEAD;
      if (women_alive != nullptr) {
        --women_alive[pop_.woman_birth_year[child.woman] - state_.women_cohorts->first_birth_year];
      }
    } else if (child.aux == 0) {
      // A base child: dead before the years whose death date_child_deaths dated, and out of
      // its cohort.
      state_.child_death[child.entity] = static_cast<std::uint8_t>(y_);
      if (children_alive != nullptr) {
        --children_alive[state_.child_cohorts->cell(child.sex, static_cast<std::int16_t>(child.birth_month / 12))];
      }
    }
  }
  return year.alive;
}

//! A child young enough for some service or measure, into `work`: its year as the
//! measures read it.
void BlockYear::enter(const ChildRecord& child, ChildState& state, std::uint16_t alive,
                      std::vector<ChildWork>& work) const {
  const int age_at_start = month_index(year_, 1) - child.birth_month - 1;  // completed months at the year's first month
  if (age_at_start >= plan_.oldest_relevant_age_months) return;             // too old for anything
  const std::uint8_t flags = pop_.household_flags[child.household];
  ChildWork& w = work.emplace_back();
  w.entity = child.entity;
  w.aux = child.aux;
  w.childcare_priority = childcare_priority(flags);
  w.state = &state;
  w.take_ups = state.take_ups;
  w.childcare_provider = state.childcare_provider;
  w.employment = pop_.household_employment[child.household];
  ChildYear& cy = w.year;
  cy.birth_month = child.birth_month;
  cy.birth_order = birth_order_class(child.order);
  cy.flags = flags;
  cy.tenure = pop_.household_tenure[child.household];
  cy.income_band = pop_.household_income_band[child.household];
  cy.minor_children = plan_.needs_minors ? state_.household_minors[child.household] : 0;
  cy.alive_mask = alive;
}

//! Kindergarten enrolment (the three school years after 3) of `n` entries of `work`: drawn
//! once for the child's whole stay, with its provider, the draws of the children enrolling
//! this year made in one batch; then each enrolled child's kindergarten months.
void BlockYear::kindergarten(ChildWork* work, std::size_t n, BlockTally& tally) const {
  const int ages = plan_.oldest_relevant_age_months - ChildMeasureReach::YOUNGEST;
  const MonthIndex year_start = month_index(year_, 1);
  const auto* const masks = plan_.kindergarten_masks.data() + static_cast<std::size_t>(y_ * ages);
  // Kindergarten ages: some month of the year at 3 or more (completed months at its start + 11).
  auto too_young = [&](const ChildWork& w) { return year_start - w.year.birth_month - 1 + 11 < UNDER3_MONTHS; };
  auto months_of = [&](const ChildWork& w) -> const auto& {
    return masks[static_cast<std::size_t>(year_start - w.year.birth_month - 1 - ChildMeasureReach::YOUNGEST)];
  };
  // Every child in `work` has a row of masks.
  KeyedChildren due = gather_children(work, n, [&](std::size_t i) {
    const auto& kg = months_of(work[i]);
    const bool old_enough = !too_young(work[i]), undecided = work[i].state->kindergarten < 0;
    return old_enough & undecided & ((kg[0] | kg[1] | kg[2]) != 0);  // & rather than &&: no branch to mispredict
  });
  if (due.n != 0) enrol_kindergarten(due);
  for (std::size_t i = 0; i < n; ++i) {
    ChildWork& w = work[i];
    if (w.state->kindergarten <= 0 || too_young(w)) continue;
    const auto& kg = months_of(w);
    ChildYear& cy = w.year;
    const std::uint16_t alive = cy.alive_mask;
    cy.kindergarten_masks = {static_cast<std::uint16_t>(kg[0] & alive), static_cast<std::uint16_t>(kg[1] & alive),
                             static_cast<std::uint16_t>(kg[2] & alive)};
    cy.kindergarten_provider = static_cast<Provider>(w.state->kindergarten - 1);
    tally.kindergarten_months += months_in(static_cast<std::uint16_t>((kg[0] | kg[1] | kg[2]) & alive));
  }
}

//! The kindergarten decisions of the children `due`: whether each enrols, then the provider
//! of those who do, each kind in one batch (year 0 of KINDERGARTEN_ENROL and
//! KINDERGARTEN_PROVIDER, as draw_u64 of each key gives). Compacts `due`'s keys to those
//! who enrol.
void BlockYear::enrol_kindergarten(KeyedChildren& due) const {
  const ServiceUse& services = rplan_.services[static_cast<std::size_t>(y_)];
  std::uint64_t u[DRAW_BATCH];
  draw_keyed_batch_u64(plan_.seed, rep_, due.entity, due.aux, due.n, 0, stream::KINDERGARTEN_ENROL, 0, u, nullptr);
  ChildState* enrolled[DRAW_BATCH];
  std::size_t e = 0;
  for (std::size_t j = 0; j < due.n; ++j) {
    ChildState& state = *due.work[j]->state;
    state.kindergarten = 0;
    if (u[j] >= services.kindergarten_threshold) continue;
    enrolled[e] = &state;
    due.entity[e] = due.entity[j];
    due.aux[e++] = due.aux[j];
  }
  if (e == 0) return;
  draw_keyed_batch_u64(plan_.seed, rep_, due.entity, due.aux, e, 0, stream::KINDERGARTEN_PROVIDER, 0, u, nullptr);
  for (std::size_t j = 0; j < e; ++j) {
    enrolled[j]->kindergarten =
        static_cast<std::int8_t>(1 + static_cast<int>(pick_provider(services.kindergarten_provider_threshold, u[j])));
  }
}

namespace {

//! Twelve month counters of 16 bits, four to a word: a month mask is added with a multiply
//! per word instead of a test per month. For at most 65,535 masks (a chunk's children).
class MonthCounts {
 public:
  void add(std::uint16_t months) {
    // Bit k of a nibble times SPREAD lands at bit 16k; the other products fall between
    // lanes, without a carry (each is 4 bits wide, 15 bits apart), and are masked off.
    constexpr std::uint64_t SPREAD = 1u | 1u << 15 | std::uint64_t{1} << 30 | std::uint64_t{1} << 45;
    constexpr std::uint64_t LANE_BITS = 0x0001000100010001u;
    for (std::size_t w = 0; w < WORDS; ++w) words_[w] += ((months >> (4 * w)) & 0xFu) * SPREAD & LANE_BITS;
  }
  std::int64_t operator[](std::size_t month) const {
    return static_cast<std::int64_t>((words_[month / 4] >> (16 * (month % 4))) & 0xFFFFu);
  }

 private:
  static constexpr std::size_t WORDS = 3;
  std::array<std::uint64_t, WORDS> words_{};
};

}  // namespace

//! The childcare months wanted by the families of the children under 3 at the year's start
//! among `n` entries of `work`: their year's keys drawn in one batch.
void BlockYear::childcare_wants(ChildWork* work, std::size_t n, BlockTally& tally) const {
  const MonthIndex year_start = month_index(year_, 1);
  const KeyedChildren young = gather_children(
      work, n, [&](std::size_t i) { return year_start - work[i].year.birth_month - 1 < UNDER3_MONTHS; });
  if (young.n == 0) return;
  std::uint64_t keys[DRAW_BATCH];
  draw_keyed_batch_u64(plan_.seed, rep_, young.entity, young.aux, young.n, static_cast<std::uint16_t>(year_),
                       stream::CHILDCARE_ENROL, 0, keys, nullptr);
  const auto& demand_by = rplan_.childcare_demand[static_cast<std::size_t>(y_)];
  MonthCounts wanted;
  for (std::size_t j = 0; j < young.n; ++j) {
    ChildWork& w = *young.work[j];
    const ChildYear& cy = w.year;
    tally.child_months_under3 += months_in(age_window_mask(year_, cy.birth_month, 0, UNDER3_MONTHS) & cy.alive_mask);
    const auto& demand = demand_by.at(w.employment, cy.birth_order, (cy.flags & FLAG_LOCAL_RESIDENT) != 0);
    w.childcare_months = childcare_demand_mask(demand, cy.birth_month, year_, keys[j]) & cy.alive_mask;
    wanted.add(w.childcare_months);
  }
  for (std::size_t month = 0; month < 12; ++month) tally.childcare_demand[month] += wanted[month];
}

ChildcareRequest BlockYear::childcare_request(const ChildWork& w) const {
  const StreamKey key{w.entity, w.aux, static_cast<std::uint16_t>(year_), stream::CHILDCARE_ENROL};
  return ChildcareRequest{draw_u64(plan_.seed, rep_, key), w.entity, w.aux, w.childcare_priority, w.childcare_months};
}

//! The take-ups of the child-month measures of Plan::child_take_ups_ahead in force that reach
//! each of `n` entries of `work` and that its family has not been asked yet: drawn for all of
//! them, one batch per measure, and remembered as claims() would remember them when asked.
//! The scalar draw of each asking stalled the settling pass (about 6 % of Xihu's loop). The
//! draw is keyed, so it answers the same whenever it is made; remembered before the asking,
//! an answer only spares the settling pass the visit of a measure declined. Here, in the
//! demand pass, the children's states are still in the caches.
void BlockYear::draw_take_ups(ChildWork* work, std::size_t n) const {
  if (plan_.child_take_ups_ahead == 0) return;  // (and without child measures, no word to read)
  const std::uint64_t ahead = plan_.child_take_ups_ahead & child_rows_.in_force[0];
  if (ahead == 0) return;
  const MonthIndex year_start = month_index(year_, 1);
  std::uint64_t ask[DRAW_BATCH], asked_of_any = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const ChildWork& w = work[j];
    ask[j] = plan_.child_reach.child_months(year_start - w.year.birth_month - 1, w.year, 0) & ahead & ~w.take_ups.known;
    asked_of_any |= ask[j];
  }
  for (; asked_of_any != 0; asked_of_any &= asked_of_any - 1) {
    const auto i = static_cast<std::size_t>(std::countr_zero(asked_of_any));
    const std::uint64_t bit = std::uint64_t{1} << i;
    const KeyedChildren asked = gather_children(work, n, [&](std::size_t j) { return (ask[j] & bit) != 0; });
    const MeasurePlan& mp = plan_.child_measures[i];
    std::uint64_t u[DRAW_BATCH];
    draw_keyed_batch_u64(plan_.seed, rep_, asked.entity, asked.aux, asked.n, 0, stream::MEASURE_TAKEUP, mp.take_up_draw,
                         u, nullptr);
    const std::uint64_t threshold = take_up_threshold(mp, static_cast<std::size_t>(y_));
    for (std::size_t k = 0; k < asked.n; ++k) asked.work[k]->remember_take_up(bit, u[k] < threshold);
  }
}

//! A family's claim of child measure i: one draw for the child's whole eligibility (year 0
//! of its stream), its answer remembered for the first REMEMBERED_TAKE_UPS measures. Under a
//! phased take-up the same draw meets each year's threshold, so a family that claims keeps
//! claiming as take-up rises; its answer is remembered when no year's threshold could change
//! it, and the draw made again otherwise.
inline bool BlockYear::claims(const MeasurePlan& mp, std::size_t i, ChildWork& w) const {
  if (mp.take_up_certain) return true;
  const std::uint64_t bit = i < REMEMBERED_TAKE_UPS ? std::uint64_t{1} << i : 0;
  if (w.take_ups.known & bit) return (w.take_ups.yes & bit) != 0;
  return draw_claim(mp, bit, w);
}

//! claims' draw, and its answer remembered at `bit` (0: none) where it holds for good.
bool BlockYear::draw_claim(const MeasurePlan& mp, std::uint64_t bit, ChildWork& w) const {
  const StreamKey key{w.entity, w.aux, 0, stream::MEASURE_TAKEUP};
  const std::uint64_t u = draw_u64(plan_.seed, rep_, key, mp.take_up_draw);
  const auto y = static_cast<std::size_t>(y_);
  const bool yes = u < take_up_threshold(mp, y);
  if (mp.take_up_by_year.empty() || u < mp.take_up_lowest_from[y] || u >= mp.take_up_highest_from[y]) {
    w.remember_take_up(bit, yes);
  }
  return yes;
}

namespace {

//! A tabled child-month measure's cost for a child its reach keeps (so that reaches_child
//! holds), claimed: what claimed_child_year_cost gives with eligible_month_cost (the claim
//! asked only when the cost is not zero).
template <class Claims>
Cost tabled_cost(const ChildMonthTable& table, std::size_t age_row, const ChildYear& child, Claims&& claims) {
  const Cost cost = table.cost(age_row, child);
  return cost.units != 0 && claims() ? cost : Cost{};
}

//! The child's row of its block's paid-so-far table, made (all zero) at its first capped payment.
CappedPaid& capped_paid(ChildState& state, std::vector<CappedPaid>& table) {
  if (state.capped_row == 0) {
    table.emplace_back();
    state.capped_row = static_cast<std::uint32_t>(table.size());
  }
  return table[state.capped_row - 1];
}

}  // namespace

//! The second half: the childcare months granted, the provider, and what each measure pays.
//! Forced inline: it is the body of settle()'s loop, and as a call its saved registers and
//! the plan's rows reloaded for every child were about 28 M instructions on Xihu, 4
//! replications (1.5 %).
[[gnu::always_inline]] inline void BlockYear::finish(ChildWork& w, BlockBooks books, FeeLedger& fees_reduced) const {
  ChildYear& cy = w.year;
  cy.childcare_mask = w.childcare_months;
  if (cy.childcare_mask != 0) {
    if (w.childcare_provider < 0) {
      const StreamKey once{w.entity, w.aux, 0, stream::CHILDCARE_PROVIDER};
      w.childcare_provider = w.state->childcare_provider = static_cast<std::int8_t>(
          pick_provider(rplan_.childcare_provider_threshold, draw_u64(plan_.seed, rep_, once)));
    }
    cy.childcare_provider = static_cast<Provider>(w.childcare_provider);
    books.tally.childcare_months += months_in(cy.childcare_mask);
  }
  const int age_at_start = month_index(year_, 1) - cy.birth_month - 1;
  fees_reduced.clear();  // what the child's claimed fee reductions take off
  const ChildMeasureReach& reach = plan_.child_reach;
  const auto age_row = static_cast<std::size_t>(age_at_start - ChildMeasureReach::YOUNGEST);
  // Only the measures in force that the child's age and services can reach, in the
  // scenario's order (stacked fee reductions apply in it), less those its family is known
  // not to claim (claims() would answer no, and a claim not made changes nothing): after
  // a child's first year most of the visits a low take-up would cost.
  static_assert(REMEMBERED_TAKE_UPS == 64, "the remembered take-ups are word 0's measures");
  const std::uint64_t declined = w.take_ups.declined();
  for (std::size_t word = 0; word < reach.words; ++word) {
    for (std::uint64_t set = reach.reach(static_cast<std::size_t>(y_), age_at_start, cy, word) &
                             child_rows_.in_force[word] & ~(word == 0 ? declined : 0);
         set != 0; set &= set - 1) {
      const std::size_t i = word * 64 + static_cast<std::size_t>(std::countr_zero(set));
      const MeasurePlan& mp = plan_.child_measures[i];
      const ChildMonthTable& table = child_rows_.tables[i];
      const Cost c = table.tabled ? tabled_cost(table, age_row, cy, [&] { return claims(mp, i, w); })
                                  : claimed_child_year_cost(*mp.measure, child_rows_.years[i], cy, plan_.fees,
                                                            fees_reduced, [&] { return claims(mp, i, w); });
      if (c.units == 0) continue;
      Fen paid = c.fen;
      if (mp.cap_slot >= 0) {
        const auto slot = static_cast<std::uint32_t>(mp.cap_slot);
        Fen& paid_so_far = capped_paid(*w.state, *books.capped_paid)[slot];
        if (!pay_within_cap(paid, mp.measure->cap_per_person, paid_so_far)) continue;
        if (books.capped_payments != nullptr) books.capped_payments->push_back({w.state->capped_row - 1, slot, paid});
      }
      books.units[mp.tally] += c.units;
      books.fen[mp.tally] += paid;
    }
  }
}

//! An event of a woman's household into `e`: its date, order (or children), her age and her
//! household's flags, tenure, income band and minor children. Field by field in place: an
//! event built on the stack from narrower stores and copied wider cannot be forwarded (a
//! stall per birth).
void BlockYear::household_event(Event& e, Basis basis, MonthDay date, int order, int age, std::uint32_t woman) const {
  // Every field of Event is written below: a field added to Event fails this binding until
  // it is written here too (else it would keep its default unnoticed).
  [[maybe_unused]] const auto& [basis_, month_, day_, order_, age_, flags_, minors_, tenure_, band_] = e;
  const std::uint32_t h = pop_.woman_household[woman];
  e.basis = basis;
  e.month = date.month;
  e.day = date.day;
  e.birth_order = order;
  e.mother_age = age;
  e.flags = pop_.woman_flags[woman];
  e.tenure = pop_.household_tenure[h];
  e.income_band = pop_.household_income_band[h];
  e.minor_children = plan_.needs_minors ? state_.household_minors[h] : 0;
}

//! The events of a batch of births (`events`, in its order): the birth measures', then
//! the assisted-reproduction measures' for the births of mothers of 35 or more drawn to
//! have followed assisted reproduction.
void BlockYear::birth_events(const BirthBatch& births, const Event* events, BlockBooks books) const {
  const YearEventMeasures& in_year = plan_.event_measures[static_cast<std::size_t>(y_)];
  book_event_batch(in_year.birth, births.woman.data(), events, births.n, books);
  if (in_year.assisted.empty()) return;
  std::uint32_t women[DRAW_BATCH];
  std::size_t older[DRAW_BATCH], m = 0;
  for (std::size_t i = 0; i < births.n; ++i) {
    if (events[i].mother_age < ASSISTED_REPRODUCTION_MIN_AGE) continue;
    women[m] = births.woman[i];
    older[m++] = i;
  }
  if (m == 0) return;
  std::uint64_t u[DRAW_BATCH];
  draw_keyed_batch_u64(plan_.seed, rep_, women, NO_AUX, m, static_cast<std::uint16_t>(year_),
                       stream::ASSISTED_REPRODUCTION, 0, u, nullptr);
  Event assisted[DRAW_BATCH];
  std::size_t a = 0;
  for (std::size_t j = 0; j < m; ++j) {
    if (u[j] >= plan_.assisted_threshold) continue;
    women[a] = women[j];
    assisted[a] = events[older[j]];
    assisted[a++].basis = Basis::assisted_birth;
  }
  book_event_batch(in_year.assisted, women, assisted, a, books);
}

//! The measures of n events of distinct women, measure by measure, each claimed by its
//! household's draw: the take-up draws of the events a measure reaches are made at once.
void BlockYear::book_event_batch(const std::vector<EventMeasureYear>& measures, const std::uint32_t* women,
                                 const Event* events, std::size_t n, BlockBooks books) const {
  const auto y = static_cast<std::size_t>(y_);
  // Units and fen apart, not Costs: an array of Costs would be zeroed whole on every
  // call, and the home purchases call with one event.
  std::uint32_t paid[DRAW_BATCH], reached[DRAW_BATCH];
  std::int64_t units[DRAW_BATCH];
  Fen fen[DRAW_BATCH];
  std::uint64_t u[DRAW_BATCH];
  for (const EventMeasureYear& measure : measures) {
    const MeasurePlan& mp = measure.plan;
    const std::size_t m = event_costs(*mp.measure, measure.costs, events, n, paid, units, fen);
    if (m == 0) continue;
    for (std::size_t j = 0; j < m; ++j) reached[j] = women[paid[j]];
    if (!mp.take_up_certain) {
      draw_keyed_batch_u64(plan_.seed, rep_, reached, NO_AUX, m, static_cast<std::uint16_t>(year_),
                           stream::EVENT_TAKEUP, mp.take_up_draw, u, nullptr);
    }
    const std::uint64_t threshold = mp.take_up_certain ? 0 : take_up_threshold(mp, y);
    // Whether event j is claimed, 1 or 0: an integer, so that the uncapped sum below
    // needs no branch on it.
    auto claimed = [&](std::size_t j) { return mp.take_up_certain ? std::int64_t{1} : std::int64_t{u[j] < threshold}; };
    if (mp.cap_slot >= 0) {  // each claim paid within its household's cap
      for (std::size_t j = 0; j < m; ++j) {
        if (claimed(j) != 0) book_capped(mp, Cost{units[j], fen[j]}, reached[j], books);
      }
      continue;
    }
    // Uncapped: the claims summed without a branch on each (a claim is as likely as the
    // take-up, and mispredicted), then booked at once (integer sums: the same in any order).
    std::int64_t claimed_units = 0;
    Fen claimed_fen = 0;
    for (std::size_t j = 0; j < m; ++j) {
      claimed_units += claimed(j) * units[j];
      claimed_fen += claimed(j) * fen[j];
    }
    books.units[mp.tally] += claimed_units;
    books.fen[mp.tally] += claimed_fen;
  }
}

//! A claim of an event measure with a household cap (mp.cap_slot >= 0): paid within the
//! cap (a woman stands for her household), booked.
void BlockYear::book_capped(const MeasurePlan& mp, Cost c, std::uint32_t woman, BlockBooks books) const {
  Fen paid = c.fen;
  Fen& paid_so_far = state_.household_paid[woman * plan_.capped_event_measures + static_cast<std::size_t>(mp.cap_slot)];
  if (!pay_within_cap(paid, mp.measure->cap_per_household, paid_so_far)) return;
  books.units[mp.tally] += c.units;
  books.fen[mp.tally] += paid;
}

}  // namespace cradle::engine
