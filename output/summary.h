// Statistics over the replication axis, for the file's summary group and the
// printed report.
#pragma once

#include <vector>

namespace cradle {

//! Quantile of a sample (type-7 linear interpolation, as numpy's default); q in [0, 1].
//! Throws std::invalid_argument for an empty sample or q outside [0, 1].
double quantile(std::vector<double> values, double q);

//! Arithmetic mean of a sample; throws std::invalid_argument for an empty sample.
double mean(const std::vector<double>& values);

}  // namespace cradle
