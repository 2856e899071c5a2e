// What a caller asks of a run and may record of it.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "models/calendar.h"

namespace cradle {

struct Scenario;

//! Which replications to run, the seed of their streams, and whose measures behaviour
//! responds to.
struct RunOptions {
  int replications = 1;  //!< replications 0 … replications - 1 are in the results
  std::uint32_t seed = 0;
  //! Replications before this one are left zero: a batch that extends an earlier run
  //! (replication r draws the same numbers whatever the batching).
  int first_replication = 0;
  //! When set, births and childcare demand respond to this scenario's measures (as each
  //! replication draws them) instead of the simulated scenario's own: its measures are paid
  //! to the families the other scenario would have, on the same streams (the mechanical
  //! part of a difference).
  const Scenario* behaviour_from = nullptr;
  //! When not negative, replications from this one on are left zero too: the part of a batch
  //! one MPI rank runs (sim/engine/ranks.h).
  int end_replication = -1;
  //! Replications that run on one base population: replication r runs on source(r / this),
  //! so that a population is generated once for each group of this many consecutive
  //! replications (1: each its own). The results' standard errors are then cluster-robust
  //! over the groups (output/summary.h). More than 1 needs a scenario that draws no
  //! estimates (each replication's drawn profile would build its own population).
  int replications_per_population = 1;
};

//! A child born during a replication, as recorded for checks and tests.
struct TracedBirth {
  MonthIndex birth_month;
  std::uint32_t mother;
  std::uint8_t order;
};

//! Optional record of what a simulation did: the children born in each replication, for
//! tests that recount its results independently, and the time spent in the reduction and
//! in each replication, for the benchmark's split of a run's time.
struct SimulationTrace {
  bool record_births = true;                     //!< false: `births` stays empty
  std::vector<std::vector<TracedBirth>> births;  //!< [replication]
  //! Nanoseconds spent summing each replication-year's blocks into the results, added
  //! over the threads that did it.
  std::atomic<std::int64_t> reduction_ns{0};
  //! [replication]: the nanoseconds from its start to its end on the thread that ran it
  //! (its blocks may have been shared with idle threads), and whether that took memory for
  //! its working state rather than reusing a finished replication's (its pages then faulted
  //! in: a run pays that once for each replication running at the same time). Left zero for
  //! replications the run left out.
  std::vector<std::int64_t> replication_ns;
  std::vector<std::uint8_t> fresh_buffers;
  //! [replication]: the births over the horizon its working memory was sized for (the room
  //! of its newborns and its children's records: the profile's births per household of the
  //! place, times the households the population simulates); zero where left out.
  std::vector<std::int64_t> births_expected;
};

}  // namespace cradle
