// The results of a scenario as the engine fills them: the frame (labels, payers,
// budgets, zeroed replication-major arrays) made before the run, and each replication-
// year's exact integer reduction of its blocks' tallies into it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "output/results.h"
#include "sim/engine/block_year.h"
#include "sim/engine/plan.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"

namespace cradle::engine {

//! Where each measure's tally goes in the results.
struct ResultsLayout {
  std::vector<std::size_t> budget_of;    //!< [tally]: index among budget measures, or SIZE_MAX
  std::vector<std::size_t> ledger_of;    //!< [tally]: index among ledger measures, or SIZE_MAX
  std::vector<std::size_t> payer_levels;  //!< [payer]: the Payer level of each payer column
};

//! The results frame for `replications` replications: years, measure and payer labels
//! (budget measures and the separate ledgers' apart, each in scenario order; payers are
//! the jurisdictions of the chain whose level pays a share of some budget measure),
//! parameter labels (the uncertain parameters, then the drawn estimates), budgets, places and persons, and every array zeroed at its size.
ScenarioResults make_results(const Scenario& scenario, const Plan& plan, std::size_t replications,
                             ResultsLayout& layout);

//! Records replication r's drawn estimates (draw_estimates, in drawn_estimates' order) into
//! out.parameters, after the uncertain parameters.
void record_estimates(ScenarioResults& out, const Scenario& scenario, const std::vector<double>& values,
                      std::size_t r);

//! Records replication r's base population's children by year of birth over the burn-in
//! years (residents in the first year, weighted) into out.burn_in_births.
void record_burn_in(ScenarioResults& out, const BasePopulation& pop, std::size_t r);

//! A replication-year's blocks, as the reduction reads them.
//! [sex][attained age]: residents.
using ResidentsByAge = std::array<std::array<std::int64_t, OLDEST_AGE + 1>, SEXES>;

struct YearBooks {
  const std::vector<BlockTally>& tally;   //!< [block]
  const std::vector<std::int64_t>& units;  //!< [block][tally]
  const std::vector<Fen>& fen;             //!< [block][tally]
};

//! Adds year offset `y` of replication `r` into `out`: counts and money summed over the
//! blocks in block order and scaled by the population's weight exactly, place subsidies
//! (whole-place counts) added, each budget measure's money split by payer, population
//! carried forward by its flows. Integer sums: the result does not depend on any order.
void reduce_year(ScenarioResults& out, const Scenario& scenario, const Plan& plan, const ResultsLayout& layout,
                 const BasePopulation& pop, std::size_t r, std::size_t y, const YearBooks& books);

}  // namespace cradle::engine
