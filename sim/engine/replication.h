// One replication: its drawn parameters, then year by year the demand pass over the
// blocks in parallel, the coupled childcare rationing, the settling pass in parallel,
// and the reduction of the year's tallies into the results. When the year's places are
// expected to be enough, each block settles right after its demand, and is settled again
// after the rationing only if they were not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "output/results.h"
#include "sim/engine/block_year.h"
#include "sim/engine/plan.h"
#include "sim/engine/reduction.h"
#include "sim/engine/trace.h"
#include "sim/cli/progress.h"

namespace cradle::engine {

//! The values a block keeps of what settling ahead booked for its children whose family
//! wants childcare: their childcare months, and units and fen by tally.
constexpr std::size_t wanting_books_per_block(std::size_t tallies) { return 1 + 2 * tallies; }

//! The working memory of one replication, reused by the next one that takes it.
struct ReplicationBuffers {
  std::vector<std::uint8_t> parity;
  std::vector<std::vector<Newborn>> newborns;  //!< [block]
  std::vector<ChildState> child_state;
  //! [block]: its children's records of the year; when it settled ahead, only those whose
  //! family wants childcare (all that settling again after a rationing needs).
  std::vector<std::vector<ChildWork>> work;
  //! The year's childcare requests when places fall short (ration), in the order of the
  //! blocks' records, and the queue of them that ration_childcare orders.
  std::vector<ChildcareRequest> requests;
  std::vector<ChildcareRequest*> queue;
  std::vector<BlockTally> tally;
  std::vector<std::int64_t> units;
  std::vector<Fen> fen;
  std::vector<Fen> household_paid;
  std::vector<std::uint8_t> person_death;  //!< [other resident]: its death's year offset, or NEVER_DIES
  std::vector<std::uint8_t> child_death;   //!< [base child]: as person_death, once dated_child_age
  std::vector<std::uint8_t> household_minors;
  Cohorts women_cohorts, other_cohorts, child_cohorts;  //!< when no household moves
  //! Whether the year's blocks settle right after their demand, before the rationing, while
  //! their children's records are still in the caches: when the year before turned nobody
  //! away (and in a replication's first year). Undone when the year's places fall short.
  bool settle_ahead = true;
  //! [block][wanting_books_per_block]: what settling ahead booked for the children whose
  //! family wants childcare (their childcare months, then units and fen by tally).
  std::vector<std::int64_t> wanting_books;
  //! [block]: the capped payments settling ahead made to those children
  std::vector<std::vector<CappedPayment>> capped_payments;
  std::vector<std::vector<CappedPaid>> capped_paid;         //!< [block][row]: BlockBooks::capped_paid

  //! Makes the buffers those of a fresh replication; keeps their capacity.
  //! `births_expected` as RunContext's.
  void reset(const BasePopulation& pop, const Plan& plan, const std::vector<std::size_t>& births_expected);
};

//! What every replication of a run shares.
struct RunContext {
  const Scenario& scenario;
  const BasePopulation& pop;
  const Plan& plan;
  const ResultsLayout& layout;
  //! [block]: the births expected over the run, for the room of its newborns and its
  //! children's records of the year
  std::vector<std::size_t> births_expected;
  Progress* progress;                         //!< advanced once per replication-year, if given
  SimulationTrace* trace;                     //!< its births[r] filled and the reduction timed, if given
};

//! Runs replication `r` into `out` (its own rows only, so replications may run at once).
void run_replication(const RunContext& run, std::uint32_t r, ReplicationBuffers& buffers, ScenarioResults& out);

}  // namespace cradle::engine
