#include "output/summary.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>

namespace cradle {
namespace {

void check_level(double q) {
  if (!(q >= 0.0 && q <= 1.0)) throw std::invalid_argument("quantile level outside [0, 1]");
}

// Type 7 on a sample sorted ascending: the virtual index (n - 1) q, interpolated between
// its neighbours, the lo-th and (lo + 1)-th order statistics.
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double index = static_cast<double>(sorted.size() - 1) * q;
  const double below = std::floor(index);
  const auto lo = static_cast<std::size_t>(below);
  const double t = index - below;
  const double a = sorted[lo];
  if (lo + 1 >= sorted.size()) return a;
  const double b = sorted[lo + 1];
  // numpy's _lerp: interpolate from the nearer end so results match it to the last bit.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

}  // namespace

Summary summarise(const std::vector<double>& sample, const std::vector<double>& levels) {
  if (sample.empty()) throw std::invalid_argument("summary of an empty sample");
  for (double q : levels) check_level(q);
  Summary summary;
  summary.n = sample.size();
  summary.mean = mean(sample);
  if (summary.n < 2) {
    summary.sd = summary.se = std::numeric_limits<double>::quiet_NaN();
  } else {
    double squares = 0.0;
    for (double v : sample) squares += (v - summary.mean) * (v - summary.mean);
    summary.sd = std::sqrt(squares / static_cast<double>(summary.n - 1));
    summary.se = summary.sd / std::sqrt(static_cast<double>(summary.n));
  }
  // One sort serves every level; the order statistics are those quantile() selects.
  std::vector<double> sorted = sample;
  std::sort(sorted.begin(), sorted.end());
  summary.quantiles.reserve(levels.size());
  for (double q : levels) summary.quantiles.push_back(sorted_quantile(sorted, q));
  return summary;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) throw std::invalid_argument("quantile of an empty sample");
  check_level(q);
  std::sort(values.begin(), values.end());
  return sorted_quantile(values, q);
}

double mean(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("mean of an empty sample");
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace cradle
