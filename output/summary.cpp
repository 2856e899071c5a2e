#include "output/summary.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>

namespace cradle {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of an empty sample");
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile level outside [0, 1]");
  // Type 7: the virtual index (n - 1) q, interpolated between its neighbours.
  const double index = static_cast<double>(values.size() - 1) * q;
  const double below = std::floor(index);
  const auto lo = static_cast<std::size_t>(below);
  const double t = index - below;
  // Partial selection suffices: a is the lo-th order statistic, b the smallest value above it.
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double a = values[lo];
  if (lo + 1 >= values.size()) return a;
  const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo + 1), values.end());
  // numpy's _lerp: interpolate from the nearer end so results match it to the last bit.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("mean of an empty sample");
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace cradle
