// Drawing a scenario's estimates per replication (sim/input/estimate.h): replication r
// draws each chosen estimate from triangular(low, mode = written value, high), from a
// stream keyed by (seed, r, hash of the estimate's key, stream::ESTIMATE). The key, not
// the estimate's position, addresses the stream, so the scenarios of a set that share an
// estimate (a profile figure, a package's take-up) draw the same value for it in each
// replication: common random numbers. Replication r's scenario is the files read again
// with the drawn values, so every check of the readers still applies.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/input/scenario.h"

namespace cradle {

//! The values of the scenario's drawn estimates (in drawn_estimates' order) in replication
//! `rep`, from the scenario's seed; an amount's rounded to its step within its range.
std::vector<double> draw_estimates(const Scenario& scenario, std::uint32_t rep);

//! The scenario as replication `rep` runs it: as if each drawn estimate had its drawn value
//! (the scenario itself when it draws none, without reading anything). The files are read
//! again; the profile, the chain's budgets and, of a measure with a drawn estimate, its
//! take-ups (a drawn take-up) or amounts (a drawn amount) come from that reading, all else
//! (run settings, other measures, uncertain parameters) from `scenario`. Throws
//! ScenarioError naming the estimates, replication and values when a drawn value makes a
//! file invalid.
Scenario scenario_for_replication(const Scenario& scenario, std::uint32_t rep);

}  // namespace cradle
