// Tidy CSV of a results file, for spreadsheets: one value per row, every row labelled with
// its scenario (or comparison), variable, year or period, measure, payer, provenance and
// statistic, UTF-8 with a byte-order mark so that Excel shows the Chinese labels. The values
// are the statistics the results file's summary and comparison groups hold, computed by the
// same functions from the same numbers, printed with 17 significant digits so that they
// parse back to the same doubles.
#pragma once

#include <filesystem>

#include "output/results.h"

namespace cradle {

//! Writes scenarios.csv (and comparisons.csv when the results hold comparisons) into `dir`,
//! creating it; returns the number of files written. Throws std::runtime_error if a file
//! cannot be written.
std::size_t write_csv(const std::filesystem::path& dir, const RunResults& results);

//! The header of every CSV file written, in column order.
inline constexpr const char* CSV_HEADER =
    "scenario,variable,year,period,measure,measure_title,payer,payer_name,provenance,statistic,value,unit";

}  // namespace cradle
