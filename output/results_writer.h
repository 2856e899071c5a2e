// The results file, format 1.6 (RESULTS_FORMAT_MAJOR.RESULTS_FORMAT_MINOR below; see output/FORMAT.md):
// one HDF5 file per run, readable with h5py, xarray (engine "h5netcdf") and R's hdf5r/rhdf5.
// What each dataset is (axes, dtype, units, long_name) comes from output/variables.h.
#pragma once

#include <filesystem>

#include "output/results.h"

namespace cradle {

//! Major and minor version of the file layout written; readers refuse an unknown major.
inline constexpr int RESULTS_FORMAT_MAJOR = 1;
inline constexpr int RESULTS_FORMAT_MINOR = 7;

//! Writes results to `target` atomically: a temporary file beside it, renamed over
//! target only when complete; on any error the temporary is removed, target is
//! untouched, and std::runtime_error is thrown. Sizes, labels (each measure on the axis of
//! its ledger), non-negative budgets and populations, and int64 room for the sums over
//! measures are checked before any file is touched. The time spent writing is measured here and stored as
//! /runtime@writing_seconds (results.times.writing_seconds is ignored).
void write_results(const std::filesystem::path& target, const RunResults& results);

//! Whether `file` is a Cradle results file of any version: HDF5 whose root attribute filetype
//! is "cradle.results". False for anything else (a missing file, text, other HDF5); never throws.
bool is_results_file(const std::filesystem::path& file);

//! Adds `comparisons` to the results file `target` (replacing groups of the same pair),
//! atomically as write_results: a copy beside it is changed and renamed over it; on any
//! error target is untouched and std::runtime_error is thrown.
void add_comparisons(const std::filesystem::path& target, const std::vector<ComparisonResults>& comparisons);

}  // namespace cradle
