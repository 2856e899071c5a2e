// The plain-text summary printed at the end of a run, for a planner reading a
// terminal rather than a results file.
#pragma once

#include <ostream>

#include "output/results.h"

namespace cradle {

//! Prints the planner's per-year summary of a run: for each scenario and year, births, children under 3, childcare
//! enrolled, and outlay by measure and in total (mean with 5–95 % band over replications), in million yuan; and outlay
//! by payer. Fits an 80-column terminal; throws std::out_of_range if array sizes disagree with the axes.
void print_summary(std::ostream& out, const RunResults& results);

}  // namespace cradle
