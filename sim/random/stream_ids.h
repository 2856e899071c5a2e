// Every purpose that draws random numbers has its own stream id, declared here
// and nowhere else. A draw site never consumes another site's numbers, so
// editing one model leaves the draws of the others unchanged, and a reform and
// its baseline see the same numbers for the same decision (common random numbers).
#pragma once

#include <cstdint>

namespace cradle::stream {

enum Id : std::uint16_t {
  // Base-population generation (replication slot GENERATION_REPLICATION). A random order
  // or a deal (generation::KeyedOrder, generation::KeyedDeal, sim/population/parallel_steps.h)
  // numbered k draws in years 2k and 2k+1 of its purpose; a draw "per entity, 32 bits" is
  // shared by four entities.
  HOUSEHOLD_TYPE = 1,  //!< the deal giving households their fitted types
  WOMAN_AGE = 2,       //!< per woman, 32 bits: her age within her age group
  WOMAN_PARITY = 3,    //!< the deals (g for age group g) giving women their parities
  //! The deals choosing the households that adult women head (0: of two or more persons,
  //! 1: single) and (2) giving the heads their ages and parities.
  WOMAN_HOUSEHOLD = 4,
  //! Per girl's place (64 bits, two to a draw): which woman aged 32-49 she lives with; the
  //! deal (1) of the girls' ages and parities to their places.
  GIRL_HOUSEHOLD = 5,
  HOUSEHOLD_FLAGS = 6,  //!< the deals (0 and 1) choosing special families and priority groups
  CHILD_SEX = 7,        //!< per birth (mother, year): is the child a girl (burn-in and run)
  //! Per household: the year it leaves (net out-migration); per arrival year: the donor
  //! households whose copies arrive (net in-migration).
  MIGRATION = 8,
  PERSON_AGE = 9,  //!< per place of the other residents' order, 32 bits: the age within the age group
  //! The deals (0: aged 20 and over, 2: younger) of the other residents' age groups to the
  //! places of the order in which they are placed in households, and per place of
  //! that order (year 2) the household of one for whom no place is left.
  PERSON_HOUSEHOLD = 10,
  // Demography, per woman and year.
  //! One Philox block per woman-year: words 0-1 decide a birth (bottom of the range) and
  //! her death (top of the range, so deaths do not depend on policy); words 2-3 whether
  //! her household buys a new home. In the burn-in (GENERATION_REPLICATION) a birth alone,
  //! from 32 bits per woman-year.
  BIRTH = 16,
  BIRTH_MONTH = 17,            //!< in which month she gives birth
  ASSISTED_REPRODUCTION = 18,  //!< per birth (mother, year): was it after assisted reproduction
  CHILD_DEATH = 20,            //!< per child and year: does the child die, and in which month
  //! Per other resident (two to a Philox block, year 0): one uniform for the whole run,
  //! whose place against the resident's survival over the run's years dates its death.
  PERSON_DEATH = 21,
  //! Per base child without a woman record (two to a Philox block, year 0): one uniform
  //! whose place against its survival over the years it is past every service age
  //! (Plan::dated_child_age) dates its death in those years; CHILD_DEATH draws the years
  //! before.
  CHILD_DEATH_DATED = 22,
  // Services, per child.
  CHILDCARE_ENROL = 32,        //!< per year: is the child in childcare
  CHILDCARE_PROVIDER = 33,     //!< once (year 0): which provider class when in childcare
  KINDERGARTEN_ENROL = 34,     //!< once: is the child in kindergarten
  KINDERGARTEN_PROVIDER = 35,  //!< once: which provider class
  // Measures: draw index = hash of the measure id. Per child (year 0) for child
  // measures; per event entity and year for event measures.
  MEASURE_TAKEUP = 48,
  EVENT_TAKEUP = 49,
  // Uncertain parameters, per replication: entity = hash of the parameter's name.
  PARAMETER = 64,
  //! Per replication: the seed of the base population it runs on, when each replication
  //! draws its own (sim/engine/engine.h).
  POPULATION = 65,
  //! Per replication: the drawn value of an estimate (sim/input/estimate_draws.h); entity =
  //! hash of the estimate's key, so that scenarios sharing an estimate draw it alike.
  ESTIMATE = 66,
};

//! The replication number used by base-population generation, which no
//! Monte Carlo replication can take (replications are < 2^31).
inline constexpr std::uint32_t GENERATION_REPLICATION = 0xFFFFFFFFu;

}  // namespace cradle::stream
