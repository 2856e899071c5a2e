// Net migration over the horizon: households leave, or copies of resident households
// arrive, keyed by the seed so that every replication and scenario sees the same moves.
#pragma once

#include <cstdint>

#include "sim/population/base_population.h"

namespace cradle {

//! Net migration of `per_1000` households a year per 1000 residents' households, over the
//! years after base_year up to MAX_HORIZON_YEARS: below 0, each resident household leaves
//! with that annual probability (its year drawn once, from the seed); above 0, copies of
//! resident households drawn at random (with their women and children, aged as they
//! were in base_year) arrive at the start of each year, as many as compound growth at
//! that rate brings. Sets every household's arrival and departure years (all present
//! throughout when `per_1000` is 0) and rebuilds the blocks.
void add_migration(BasePopulation& pop, double per_1000, std::uint32_t seed);

}  // namespace cradle
