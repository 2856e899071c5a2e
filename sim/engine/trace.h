// What a caller asks of a run and may record of it.
#pragma once

#include <cstdint>
#include <vector>

#include "models/calendar.h"

namespace cradle {

//! How many replications to run, and the seed of their streams.
struct RunOptions {
  int replications = 1;
  std::uint32_t seed = 0;
};

//! A child born during a replication, as recorded for checks and tests.
struct TracedBirth {
  MonthIndex birth_month;
  std::uint32_t mother;
  std::uint8_t order;
};

//! Optional record of what a simulation did, for tests that recount its results
//! independently: the children born in each replication.
struct SimulationTrace {
  std::vector<std::vector<TracedBirth>> births;  //!< [replication]
};

}  // namespace cradle
