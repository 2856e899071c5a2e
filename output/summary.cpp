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

// The cluster-robust (CR1) standard error of the mean of `sample`, whose consecutive runs of
// `per_cluster` values (the last run possibly shorter) are the clusters: with G clusters,
// se^2 = G / (G - 1) * sum over clusters of (sum of its deviations from the mean)^2 / n^2.
// Deviations within a cluster add before they are squared, so values that move together
// (replications on one population) count for what they are. NaN with fewer than 2 clusters.
double clustered_se(const std::vector<double>& sample, double mean, std::size_t per_cluster) {
  const std::size_t n = sample.size(), clusters = (n + per_cluster - 1) / per_cluster;
  if (clusters < 2) return std::numeric_limits<double>::quiet_NaN();
  double squares = 0.0;
  for (std::size_t begin = 0; begin < n; begin += per_cluster) {
    double deviation = 0.0;
    for (std::size_t i = begin; i < std::min(n, begin + per_cluster); ++i) deviation += sample[i] - mean;
    squares += deviation * deviation;
  }
  const double g = static_cast<double>(clusters), nn = static_cast<double>(n);
  return std::sqrt(g / (g - 1.0) * squares) / nn;
}

}  // namespace

Summary summarise(const std::vector<double>& sample, const std::vector<double>& levels, std::size_t per_cluster) {
  if (sample.empty()) throw std::invalid_argument("summary of an empty sample");
  if (per_cluster < 1) throw std::invalid_argument("a cluster of no replications");
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
    summary.se = per_cluster == 1 ? summary.sd / std::sqrt(static_cast<double>(summary.n))
                                  : clustered_se(sample, summary.mean, per_cluster);
  }
  // One sort serves every level; the order statistics are those quantile() selects.
  std::vector<double> sorted = sample;
  std::sort(sorted.begin(), sorted.end());
  summary.quantiles.reserve(levels.size());
  for (double q : levels) summary.quantiles.push_back(sorted_quantile(sorted, q));
  return summary;
}

double expected_band_coverage(std::size_t n, double low, double high) {
  if (n == 0) throw std::invalid_argument("a band of no draws");
  check_level(low);
  check_level(high);
  if (low > high) throw std::invalid_argument("a band's low level above its high one");
  const double rank_span = static_cast<double>(n - 1) * (high - low);
  return rank_span / static_cast<double>(n + 1);
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
