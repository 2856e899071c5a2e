// The Monte Carlo driver: replications × household blocks in parallel (oneTBB),
// a yearly loop of demography, services and measures, and an exact integer
// reduction. Results do not depend on the thread count: every random number comes
// from a keyed stream, and every tally is an integer sum.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "output/results.h"
#include "sim/population/population.h"
#include "sim/cli/progress.h"
#include "sim/input/scenario.h"

namespace cradle {

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

//! The cohort-component cross-check: births by year and order projected analytically
//! from the same base population and rates (each cohort of women a parity vector moved
//! by a Leslie-type transition matrix each year), with the uncertain parameters at their
//! centres. Its births are what the Monte Carlo mean should approach when the parameters
//! are fixed. [year][order 1, 2, 3+]
std::vector<std::array<double, 3>> project_births(const Scenario& scenario, const BasePopulation& population);

//! Simulates `scenario` on `population` for `options.replications` replications,
//! using whatever threads the caller's TBB arena allows. `progress`, if given, is
//! advanced once per replication-year. Throws std::invalid_argument if the
//! scenario's fertility cannot be calibrated on the population.
ScenarioResults simulate(const Scenario& scenario, const BasePopulation& population, const RunOptions& options,
                         Progress* progress = nullptr, SimulationTrace* trace = nullptr);

}  // namespace cradle
