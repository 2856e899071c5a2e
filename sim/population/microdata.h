// Researcher-supplied microdata in place of a generated population: a persons file
// (CSV, or HDF5; read by sim/input/persons_file.h) checked and assembled into a
// BasePopulation. The format is described for users in scenarios/MICRODATA.md. (The
// fertility table file, the other microdata, is sim/input/fertility_table.h.)
#pragma once

#include <cstdint>
#include <filesystem>

#include "sim/input/persons_file.h"
#include "sim/input/profile.h"
#include "sim/population/base_population.h"

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

//! Checks the columns of a persons file and assembles them into a base population, as
//! load_persons describes (which reads the file, then calls this).
BasePopulation build_population(const persons::PersonColumns& in, const PlaceProfile& profile, int base_year,
                                std::uint32_t seed, std::int64_t weight);

}  // namespace cradle
