// A fertility table file: annual birth probabilities by single year of age × parity
// class, read from CSV in place of the profile's calibrated ones (scenarios/MICRODATA.md).
#pragma once

#include <filesystem>

#include "models/fertility.h"

namespace cradle {

//! Loads annual birth probabilities by single year of age (MIN_FERTILE_AGE …
//! MAX_FERTILE_AGE) × parity class (0, 1, 2 = two or more, also written `2+`) from a CSV
//! with the columns age, parity, probability (header required, any order). Combinations
//! the file does not give have probability 0; `threshold` is filled to match
//! `probability`. Throws ScenarioError (file, line, column, field) for an unreadable
//! file, a bad header, no data rows, or a bad row: a value out of range (parity 3 or more
//! included, since the engine's classes are 0, 1 and 2+; a probability outside
//! [0, MAX_BIRTH_PROBABILITY]) or a repeated (age, parity).
FertilityTable load_fertility_table(const std::filesystem::path& file);

}  // namespace cradle
