// The plain-text summary printed at the end of a run, for a planner reading a
// terminal rather than a results file.
#pragma once

#include <ostream>

#include "output/results.h"
#include "output/text.h"

namespace cradle {

//! Prints the planner's per-year summary of a run: for each scenario and year, births, children under 3, childcare
//! and kindergarten enrolled, childcare places (and per 1000 residents); outlay of the general public budget by
//! measure, in total and by payer; each payer's budget share (outlay over its general public budget expenditure, in
//! % or ppm as the row label says); and the separate ledgers (insurance fund, tax expenditure, provident fund, leave)
//! apart, never added into outlay; then the validation table (output/validation.h), with a line starting
//! "WARNING:" for each observation outside its band. Figures are the mean with the 5–95 % band over replications; money
//! in `unit` (yuan, wan or yi, at table_decimals), as the scenario's heading says; labels in English. Lines fit 100
//! columns (the label column widens for long measure ids; an id too long for it gets a line of its own, never cut).
//! Throws std::out_of_range if array sizes disagree with the axes.
void print_summary(std::ostream& out, const RunResults& results, MoneyUnit unit);

}  // namespace cradle
