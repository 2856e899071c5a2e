// Probabilities as thresholds on raw 64-bit random draws: the hot loop compares an
// integer instead of building a distribution per draw.
#pragma once

#include <cmath>
#include <cstdint>

namespace cradle {

//! The threshold t with P(u < t) = p for u uniform on 64 bits, p clamped to [0, 1].
//! (p = 1 gives 2^64-1: certain but for one draw in 2^64; code that needs certainty
//! tests p >= 1 and skips the draw.)
inline std::uint64_t probability_threshold(double p) {
  if (!(p > 0.0)) return 0;
  if (p >= 1.0) return ~std::uint64_t{0};
  const double scaled = std::ldexp(p, 64);  // exact; the cast below truncates
  if (scaled >= 18446744073709551615.0) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(scaled);
}

}  // namespace cradle
