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
//! [childcare], [kindergarten], [events], [income]; optional [mortality], [migration],
//! [households]), with the relative household factors scaled to a share-weighted mean
//! of 1. Throws ScenarioError.
PlaceProfile read_place_profile(TableReader& root);

}  // namespace cradle
