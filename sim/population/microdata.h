// Researcher-supplied microdata in place of a generated population: a persons file
// (CSV, or HDF5) read into a BasePopulation, and a fertility table by single year of
// age × parity read from CSV. Both formats are described for users in
// scenarios/MICRODATA.md.
#pragma once

#include <cstdint>
#include <filesystem>

#include "models/fertility.h"
#include "sim/population/population.h"
#include "sim/input/scenario.h"

namespace cradle {

//! Loads a base population from a persons file: CSV, or HDF5 when the extension is .h5
//! or .hdf5 (datasets in the group /persons if it exists, else in the root group).
//!
//! One row per person; `age` is completed years on 1 January of `base_year`, so birth
//! year = base_year − 1 − age. Households are the distinct household_id values in order
//! of first appearance. Women are the females aged 0–49, children the persons aged 0–6;
//! a child's mother is the women-array index of the person named by mother_id (NO_MOTHER
//! when mother_id is empty or she is 50 or older). A child's birth order comes from the
//! birth_order column, else from her mother's parity less her younger children in the file.
//! Household attributes whose column is absent (or empty for every member) are drawn
//! reproducibly from `seed`: flags with the profile's shares, income band, employment and
//! tenure from the profile's fitted household table given the household's size, local
//! registration and any attribute the file states. Birth months absent are drawn too.
//! Women and children are sorted by household and blocks built; pop.weight = weight.
//!
//! Throws std::invalid_argument if weight < 1, and ScenarioError naming the file, the line
//! (the CSV line, 1-based with the header on line 1; for HDF5 the 1-based row, or 1 for
//! a problem with the file's layout), the column (the 1-based CSV column, 0 for HDF5 or
//! when the problem is not one field's) and the field (column or dataset name) for an
//! unreadable file, a bad header or layout, or any bad row.
BasePopulation load_persons(const std::filesystem::path& file, const PlaceProfile& profile, int base_year,
                            std::uint32_t seed, std::int64_t weight = 1);

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
