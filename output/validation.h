// The validation table: each figure of the place's record that the run can reproduce,
// beside what the run produced. One computation, behind both the results file's
// validation datasets and the printed summary, so both show the same numbers.
//
// What each observation is compared with:
//  - births in a simulated year: total births of that year over replications;
//  - deaths in a simulated year: deaths of that year over replications (the modelled
//    persons only, so far: see output/FORMAT.md);
//  - population at the end of year Y: residents at the start of Y + 1, when Y + 1 is simulated
//    and is not the first year (whose residents are the profile's input, not a result);
//  - births in a year before the first one: the base population's children born that year
//    (the burn-in's births), over replications when each draws its own base population
//    (results' burn_in_births); for results without them (one base population), a Poisson
//    band around the observation, observation ± 1.645 √(weight × observation), the 90 %
//    range of a count with that expectation (conservative: the burn-in's count is
//    Poisson-binomial, whose variance is at most its mean).
// Other observations (for example a past population) have nothing simulated to meet and are left out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output/results.h"

namespace cradle {

//! How a row's band was formed.
inline constexpr const char* BAND_REPLICATIONS = "replications: 5th-95th percentile";
inline constexpr const char* BAND_BURN_IN = "burn-in, one base population: 90 % Poisson band around the observation";
inline constexpr const char* BAND_BURN_IN_REPLICATIONS = "burn-in of each replication: 5th-95th percentile";

//! One observation beside the simulation.
struct ValidationRow {
  Observation observation;
  double simulated_mean = 0;  //!< mean over replications (the single burn-in value with one base population)
  double low = 0;             //!< 5th percentile (or the Poisson band's low end)
  double high = 0;            //!< 95th percentile (or the Poisson band's high end)
  bool inside = true;         //!< low <= observation <= high
  std::string band;           //!< BAND_REPLICATIONS, BAND_BURN_IN_REPLICATIONS or BAND_BURN_IN
};

//! The rows of a scenario's validation table, in the order of `s.observations`: statistics over
//! replications from summarise() (output/summary.h) at the summary group's levels; past births
//! against `base` with `sample_weight` (each simulated household stands for that many).
std::vector<ValidationRow> validation_table(const ScenarioResults& s, const BaseComposition& base,
                                            std::int64_t sample_weight);

}  // namespace cradle
