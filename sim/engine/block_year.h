// One replication's year of one block of households: the demand pass (every resident
// counted and aged, with arrivals, departures and deaths; women's births and the events
// they trigger; each child's counts, kindergarten and the childcare months its family
// wants) and, after the year's places are rationed over the whole place, the settling
// pass (the childcare months granted, the provider, and what each child measure pays).
// Blocks are independent within a pass, so both run block-parallel. When the places are
// expected to be enough, a block settles right after its demand pass, to be undone and
// settled again should they fall short (sim/engine/replication.h).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/measures/measure.h"
#include "models/services.h"
#include "sim/engine/plan.h"
#include "sim/population/population.h"
#include "sim/random/rng.h"

namespace cradle::engine {

//! A family's remembered take-ups of the first REMEMBERED_TAKE_UPS child measures.
struct TakeUps {
  std::uint64_t known = 0;  //!< bit i: the take-up of child measure i has been drawn
  std::uint64_t yes = 0;    //!< bit i: … and its family claims

  //! Remembers whether the family claims the child measure at `bit` (bit i: measure i).
  void remember(std::uint64_t bit, bool claims) {
    known |= bit;
    yes |= bit & (0 - std::uint64_t{claims});  // a mask: no branch
  }
  std::uint64_t declined() const { return known & ~yes; }  //!< the measures known not claimed
};

//! What a child has been paid so far by each capped child measure (MeasurePlan::cap_slot).
using CappedPaid = std::array<Fen, MAX_CAPPED_CHILD_MEASURES>;

//! A child's decisions that are drawn once (year 0 of its streams), remembered within a
//! replication so that each is drawn once; a value does not depend on when it is drawn.
struct ChildState {
  TakeUps take_ups;
  //! 1 + its row of its block's CappedPaid table (BlockBooks::capped_paid), made at its first
  //! capped payment; 0: none yet. A row, not the amounts here: few scenarios cap a child
  //! measure, and the amounts would more than double the size of every child's state, which
  //! the yearly loop reads for every child young enough for a service.
  std::uint32_t capped_row = 0;
  std::int8_t childcare_provider = -1;  //!< -1: not drawn yet
  std::int8_t kindergarten = -1;        //!< -1: not drawn; 0: not enrolled; 1 + provider
  bool dead = false;                    //!< died in an earlier year
};

//! A child born during the run, identified by (mother, birth year) so that its
//! streams do not depend on anyone else's births.
struct Newborn {
  MonthIndex birth_month;
  std::uint32_t mother;
  std::uint16_t birth_year;
  std::uint8_t order;
  Sex sex;
  //! Its mother's household, kept here (in what was padding) so that each year reads it
  //! with the record, not from her record far away: a cache miss a newborn-year.
  std::uint32_t household;
  ChildState state;
};
static_assert(sizeof(Newborn) == 40, "a newborn's household fills the record's padding");

//! A child record as a year reads it: a base child, or a newborn of the run.
struct ChildRecord {
  MonthIndex birth_month;
  int order;
  Sex sex;
  std::uint32_t household;
  std::uint32_t entity, aux;  //!< its streams' key: (base index, 0) or (mother, birth year)
  std::uint32_t woman;        //!< a girl's own woman record, or NO_WOMAN
};

//! Per block and year: the integer tallies of one replication.
struct BlockTally {
  std::array<std::int64_t, PARITY_CLASSES> births{};
  std::int64_t child_months_under3 = 0;
  //! [month of the year]: the children whose families want childcare in it (the rationing
  //! reads it summed over the blocks, the results its sum over months: child-months wanted)
  std::array<std::int64_t, 12> childcare_demand{};
  std::int64_t childcare_months = 0;
  std::int64_t kindergarten_months = 0;
  std::int64_t population = 0;  //!< residents at the year's start
  //! [sex][attained age]: the residents at the year's start
  std::array<std::array<std::int64_t, OLDEST_AGE + 1>, SEXES> residents{};
  std::int64_t deaths = 0;
  std::int64_t arrived = 0, departed = 0;  //!< residents of the households arriving, leaving at the year's start
};

//! The death year offset of an other resident who outlives the run (runs are shorter).
inline constexpr std::uint8_t NEVER_DIES = 0xFF;

//! One child's year between the demand pass and the settling pass: 64 bytes, a cache line.
//! (The random key that ranks it for childcare places is drawn again in the rare year they
//! fall short, BlockYear::childcare_request: kept here, with its padding, it made every record
//! 80 bytes, and the yearly loop about 3 % slower on Jiangxi at 1/10.)
struct ChildWork {
  ChildYear year;                   //!< its childcare_mask is set from childcare_months when settling
  std::uint32_t entity, aux;        //!< its streams' key: (base index, 0) or (mother, birth year)
  std::uint16_t childcare_months;   //!< the months of childcare wanted, then granted
  std::uint8_t childcare_priority;  //!< childcare_priority of its household's flags
  std::int8_t childcare_provider;   //!< as take_ups, the state's
  std::uint8_t employment;          //!< its household's Employment (childcare demand reads it)
  ChildState* state;
  //! The state's take-ups and childcare provider as the demand pass leaves them, so that
  //! the settling pass reads them here, in order, and not from the state, which the other
  //! blocks' demand passes have pushed out of the caches by then (a miss a child on Xihu).
  //! What the settling pass draws it remembers in both (remember_take_up, finish).
  TakeUps take_ups;

  //! Remembers the take-up of the child measure at `bit` (bit i: measure i) as `yes`, here
  //! and in the state.
  void remember_take_up(std::uint64_t bit, bool yes) {
    take_ups.remember(bit, yes);
    state->take_ups = take_ups;
  }
};
static_assert(sizeof(ChildWork) == 64, "a child's record of the year is one cache line");

struct ChildChunk;
struct BirthBatch;
struct HomeBatch;
struct KeyedChildren;

//! The living residents of one kind (women, or the other residents) in each block by sex
//! and birth year. When no household moves (Plan::migration false) the year's census of
//! them is read from these counts, and the yearly passes only remove the dead.
struct Cohorts {
  std::int16_t first_birth_year = 0;
  std::size_t birth_years = 0;
  std::vector<std::int32_t> alive;  //!< [block][sex][birth year - first_birth_year]
  //! The other residents only: [block][year][sex][birth year - first_birth_year], the deaths
  //! dated to each year of the run (BlockYear::date_deaths), so that a year removes them by
  //! cohort without visiting a resident. Empty without mortality.
  std::vector<std::int32_t> dying;
  std::size_t years = 0;  //!< of `dying`

  //! Every woman (girls too) of `pop` alive, as at a replication's start.
  void reset_women(const BasePopulation& pop);
  //! Every other resident of `pop` alive, as at a replication's start, and none yet dated
  //! to die in any of `years` years (0: none are dated).
  void reset_others(const BasePopulation& pop, int years);
  //! Every base child of `pop` without a woman record alive, as at a replication's start.
  void reset_children(const BasePopulation& pop);
  std::size_t cell(Sex sex, std::int16_t birth_year) const {
    return static_cast<std::size_t>(sex) * birth_years + static_cast<std::size_t>(birth_year - first_birth_year);
  }
  std::int32_t* block(std::size_t b) { return alive.data() + b * SEXES * birth_years; }
  std::int32_t* dying_in(std::size_t b, std::size_t y) { return dying.data() + (b * years + y) * SEXES * birth_years; }
};

//! The state a replication carries from year to year, shared by its blocks (each block
//! touches only its own households, women and children).
struct ReplicationState {
  std::uint8_t* parity;            //!< [woman]: live births so far, or DEAD
  ChildState* child_state;         //!< [base child]
  Fen* household_paid;             //!< [woman][capped event measure]: paid so far
  std::uint8_t* person_death;      //!< [other resident]: the year offset it dies in, or NEVER_DIES
  std::uint8_t* child_death;       //!< [base child]: likewise, from Plan::dated_child_age on
  std::uint8_t* household_minors;  //!< [household]: residents under 18 this year (when a measure asks)
  Cohorts* women_cohorts;          //!< when no household moves: women, girls too
  Cohorts* other_cohorts;          //!< when no household moves
  Cohorts* child_cohorts;          //!< when no household moves: base children without a woman record
};

//! What a capped child measure added to a child's paid-so-far while settling (its row of the
//! block's CappedPaid table and the measure's cap slot): kept when the settling pass may have
//! to be undone (BlockBooks::capped_payments).
struct CappedPayment {
  std::uint32_t row;
  std::uint32_t slot;
  Fen amount;
};

//! Where a block books its year: tallies, and units and fen by measure (scenario order).
struct BlockBooks {
  BlockTally& tally;
  std::int64_t* units;
  Fen* fen;
  //! [row]: the block's children's paid-so-far by capped child measure (ChildState::capped_row).
  std::vector<CappedPaid>* capped_paid;
  //! When set, the settling pass appends each capped payment here, so that it can be taken
  //! back (the only state it changes that a second settling would not set again).
  std::vector<CappedPayment>* capped_payments = nullptr;
};

//! One replication's year of the blocks of a population.
class BlockYear {
 public:
  BlockYear(const Plan& plan, const ReplicationPlan& rplan, const BasePopulation& pop, std::uint32_t replication,
            int year_offset, const ReplicationState& state)
      : plan_(plan),
        rplan_(rplan),
        pop_(pop),
        rep_(replication),
        y_(year_offset),
        year_(plan.start_year + year_offset),
        state_(state),
        child_rows_(ChildMeasureRows::of(plan, year_offset)) {}

  //! The demand pass of a block: the women's births, deaths and events (newborns appended
  //! to `newborns`), the other residents' deaths, then every child's survival, counts and
  //! wants (its base children, then its newborns), into `work` (cleared first); a base
  //! child past every service age (Plan::dated_child_age) is only counted, and dies when
  //! its dated death falls in the year. Every resident alive at the year's start is counted
  //! once, with the arrivals and departures.
  void demand(const HouseholdBlock& block, std::vector<Newborn>& newborns, BlockBooks books,
              std::vector<ChildWork>& work) const;

  //! The settling pass of a block, once places are rationed: childcare months granted,
  //! providers, and what every child measure pays. Run before the rationing (when it is
  //! expected to turn nobody away), it may be undone: restoring the block's books and taking
  //! back its capped payments, then settling again after it, gives what settling only after
  //! it gives: a provider or take-up it drew and remembered is a keyed draw, remembered
  //! only where its answer holds from then on (the childcare provider's thresholds are
  //! the same every year, ReplicationPlan::childcare_provider_threshold).
  void settle(std::vector<ChildWork>& work, BlockBooks books) const;
  //! settle() ahead of the rationing, which may change the year only of the children whose
  //! family wants childcare (childcare_months not 0): those are booked in `wanting`, not
  //! `others`, and appended as settled to `kept`. Each child's settling is its own: the two
  //! books add up to settle()'s.
  void settle_ahead(std::vector<ChildWork>& work, BlockBooks others, BlockBooks wanting,
                    std::vector<ChildWork>& kept) const;

  //! The childcare request of `w` as ration_childcare reads it: its priority, the months it
  //! wants, and its year's random key, drawn again as childcare_wants drew it.
  ChildcareRequest childcare_request(const ChildWork& w) const;

 private:
  bool present(std::uint32_t household) const {
    return pop_.household_arrival[household] <= year_ && year_ < pop_.household_departure[household];
  }
  class Census;
  Census census() const;
  void count_minors(const HouseholdBlock& block, const std::vector<Newborn>& newborns) const;
  void mark_younger_siblings(const HouseholdBlock& block, std::vector<ChildWork>& work) const;
  std::size_t young_children(const HouseholdBlock& block, const std::vector<ChildWork>& work,
                             std::vector<std::uint64_t>& young) const;
  void women(const HouseholdBlock& block, std::vector<Newborn>& newborns, BlockBooks books) const;
  std::uint8_t give_birth(std::uint32_t w, std::uint8_t k, bool base, int age, BirthBatch& births,
                          std::vector<Newborn>& newborns, BlockBooks books) const;
  void born(BirthBatch& births, std::vector<Newborn>& newborns, BlockBooks books) const;
  void buy_homes(HomeBatch& purchases, BlockBooks books) const;
  void others(const HouseholdBlock& block, BlockTally& tally) const;
  void moving_others(const HouseholdBlock& block, BlockTally& tally) const;
  void date_deaths(const HouseholdBlock& block) const;
  void date_child_deaths(const HouseholdBlock& block) const;
  std::int32_t* dated_children(const HouseholdBlock& block, BlockTally& tally) const;
  bool dated_child_dies(std::uint32_t c, Census& census, BlockTally& tally) const;
  std::uint64_t undated(std::uint32_t c0, std::uint32_t n, MonthIndex dated_before) const;
  void count_cohorts(const Cohorts& cohorts, const std::int32_t* alive, int youngest, BlockTally& tally) const;
  std::int32_t* count_women(const HouseholdBlock& block, BlockTally& tally) const;
  std::size_t block_index(const HouseholdBlock& block) const {
    return static_cast<std::size_t>(&block - pop_.blocks.data());
  }
  std::int32_t* block_cohorts(Cohorts& cohorts, const HouseholdBlock& block) const {
    return cohorts.block(block_index(block));
  }
  //! The block's living women (girls too) by birth year less the cohorts' first.
  std::int32_t* women_alive(const HouseholdBlock& block) const {
    Cohorts& women = *state_.women_cohorts;
    return block_cohorts(women, block) + women.cell(Sex::female, women.first_birth_year);
  }
  void admit(const ChildRecord& child, ChildState& state, Census& census, BlockTally& tally, ChildChunk& chunk,
             std::vector<ChildWork>& work) const;
  void enter_chunk(ChildChunk& chunk, BlockTally& tally, std::vector<ChildWork>& work) const;
  std::uint16_t survival(const ChildRecord& child, ChildState& state, DrawnBlock draws, std::int32_t* women_alive,
                         std::int32_t* children_alive, BlockTally& tally) const;
  void enter(const ChildRecord& child, ChildState& state, std::uint16_t alive, std::vector<ChildWork>& work) const;
  // kindergarten, childcare_wants, draw_take_ups: n at most DRAW_BATCH (one chunk's children;
  // enter_chunk's static_assert).
  void kindergarten(ChildWork* work, std::size_t n, BlockTally& tally) const;
  void enrol_kindergarten(KeyedChildren& due) const;
  void childcare_wants(ChildWork* work, std::size_t n, BlockTally& tally) const;
  void draw_take_ups(ChildWork* work, std::size_t n) const;
  //! settle() and settle_ahead() (`kept` null for settle()): one loop, so that finish(),
  //! forced inline, is one copy (with a copy a caller, its measures' cost was left a call).
  void settle_each(std::vector<ChildWork>& work, BlockBooks others, BlockBooks wanting,
                   std::vector<ChildWork>* kept) const;
  void finish(ChildWork& w, BlockBooks books, FeeLedger& fees_reduced) const;
  std::uint64_t may_change(std::uint32_t w0, std::size_t n, const std::uint64_t* birth_u,
                           const std::uint64_t* home_u) const;
  bool claims(const MeasurePlan& mp, std::size_t i, ChildWork& w) const;
  bool draw_claim(const MeasurePlan& mp, std::uint64_t bit, ChildWork& w) const;
  void household_event(Event& e, Basis basis, MonthDay date, int order, int age, std::uint32_t woman) const;
  void birth_events(const BirthBatch& births, const Event* events, BlockBooks books) const;
  void book_event_batch(const std::vector<EventMeasureYear>& measures, const std::uint32_t* women, const Event* events,
                        std::size_t n, BlockBooks books) const;
  void book_capped(const MeasurePlan& mp, Cost c, std::uint32_t woman, BlockBooks books) const;

  //! The plan's child-measure tables at this year's rows, found once for all its children.
  struct ChildMeasureRows {
    const MeasureYear* years;       //!< [child measure]
    const ChildMonthTable* tables;  //!< [child measure]
    const std::uint64_t* in_force;  //!< [word]
    static ChildMeasureRows of(const Plan& plan, int year_offset) {
      const auto y = static_cast<std::size_t>(year_offset), n = plan.child_measures.size();
      return {plan.child_measure_years.data() + y * n, plan.child_month_tables.data() + y * n,
              plan.child_in_force.data() + y * plan.child_reach.words};
    }
  };

  const Plan& plan_;
  const ReplicationPlan& rplan_;
  const BasePopulation& pop_;
  std::uint32_t rep_;
  int y_;
  int year_;
  ReplicationState state_;
  ChildMeasureRows child_rows_;
};

}  // namespace cradle::engine
