// Uncertain parameters: each replication draws its own value of each, from its own
// stream, so that the spread over replications carries parameter uncertainty as well
// as chance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cradle {

//! A distribution a parameter is drawn from.
struct Distribution {
  enum class Kind : std::uint8_t { fixed, uniform, triangular, truncated_normal, lognormal };
  Kind kind = Kind::fixed;
  double a = 0;                       //!< fixed: value; uniform, triangular: low; normal: mean; lognormal: median
  double b = 0;                       //!< uniform, triangular: high; normal: sd; lognormal: sd of the log
  double c = 0;                       //!< triangular: mode
  double low = -1e300, high = 1e300;  //!< truncation (normal), bounds of all kinds

  //! The value at quantile u in (0, 1): a draw when u is uniform.
  double quantile(double u) const;
  //! The centre: fixed value, mean of uniform and triangular, mean of the normal, median of the lognormal.
  double centre() const;
};

//! Names a distribution kind as written in scenario files.
std::string_view distribution_name(Distribution::Kind kind);

}  // namespace cradle
