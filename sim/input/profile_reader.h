// Reading a jurisdiction file: its [jurisdiction] and [budget] sections, and, for the
// simulated place, its demographic and service profile (scenarios/README.md).
#pragma once

#include <filesystem>

#include "sim/input/profile.h"
#include "sim/input/toml_reader.h"

namespace cradle {

//! The [jurisdiction] and [budget] sections of a jurisdiction file's root table.
//! Throws ScenarioError.
Jurisdiction read_jurisdiction(TableReader& root, const std::filesystem::path& file);

//! The profile sections of a jurisdiction file's root table ([population], [fertility],
//! [childcare], [kindergarten], [events], [income], [observed]; optional [mortality],
//! [migration], [households]) for a run whose first year is `first_year`, with the
//! relative household factors scaled to a share-weighted mean of 1. [observed] births
//! must cover the BURN_IN_YEARS before `first_year`; the first year's births come from
//! it where it gives that year. Throws ScenarioError.
PlaceProfile read_place_profile(TableReader& root, int first_year);

//! The [observed] section: each series a list of { year, value, tag, source[, range] },
//! one figure a year. Throws ScenarioError (duplicate year, negative value, unknown key…).
ObservedSeries read_observed(TableReader& root);

}  // namespace cradle
