// The Monte Carlo driver: replications × household blocks in parallel (oneTBB),
// a yearly loop of demography, services and measures, and an exact integer
// reduction. Results do not depend on the thread count: every random number comes
// from a keyed stream, and every tally is an integer sum. The stages are in this folder:
// plan.h (what is precomputed), block_year.h (a block's year), replication.h (a
// replication's years), reduction.h (the results), projection.cpp (the cross-check).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "output/results.h"
#include "sim/population/population.h"
#include "sim/cli/progress.h"
#include "sim/engine/trace.h"
#include "sim/input/scenario.h"

namespace cradle {

//! The whole population's expected course, in the results' units (weighted).
struct Projection {
  std::vector<std::array<double, 3>> births;  //!< [year][order 1, 2, 3+]
  std::vector<double> population;             //!< [year]: residents at the year's start
  std::vector<double> deaths;                 //!< [year]
};

//! The cohort-component cross-check: births, residents and deaths by year projected
//! analytically from the same base population and rates, with the uncertain parameters
//! at their centres. Each cohort of women is a parity vector moved each year by a
//! Leslie-type matrix of its birth and death probabilities; every other resident group
//! (by sex and birth year) and each year's newborns survive at the life table's rates;
//! households arrive and leave as in the population. It is what the Monte Carlo means
//! should approach when the parameters are fixed.
Projection project_population(const Scenario& scenario, const BasePopulation& population);

//! Simulates `scenario` on `population` for `options.replications` replications,
//! using whatever threads the caller's TBB arena allows. `progress`, if given, is
//! advanced once per replication-year. Throws std::invalid_argument if the
//! scenario's fertility cannot be calibrated on the population.
ScenarioResults simulate(const Scenario& scenario, const BasePopulation& population, const RunOptions& options,
                         Progress* progress = nullptr, SimulationTrace* trace = nullptr);

//! Simulates replication r on source(r / K), K being options.replications_per_population:
//! with a fresh population for each index (drawn from population_seed(seed, index)), groups
//! of K replications are independent, and the population's own randomness — households,
//! women's ages and parities, the burn-in's children, a 1-in-k sample — is in the bands.
//! Each population is asked for once, and its rates calibrated once, per call. The results'
//! per-year persons and places are those of population 0. Throws as simulate above, and
//! std::invalid_argument for K > 1 when the scenario (or behaviour_from) draws estimates.
ScenarioResults simulate(const Scenario& scenario, const PopulationSource& source, const RunOptions& options,
                         Progress* progress = nullptr, SimulationTrace* trace = nullptr);

}  // namespace cradle
