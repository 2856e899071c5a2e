// Statistics over the replication axis: the one computation behind the results
// file's summary group and every printed report, so that a figure written and a
// figure printed are the same number to the last bit.
#pragma once

#include <cstddef>
#include <vector>

namespace cradle {

//! Mean, spread and quantiles of one sample over replications.
struct Summary {
  std::size_t n = 0;              //!< sample size (replications)
  double mean = 0;                //!< arithmetic mean, summed in sample order
  double sd = 0;                  //!< standard deviation (divisor n - 1); NaN when n < 2
  //! standard error of the mean: sd / sqrt(n) for independent replications; cluster-robust
  //! (CR1) over clusters of replications that share a base population; NaN when n < 2 or
  //! with fewer than two clusters
  double se = 0;
  std::vector<double> quantiles;  //!< one per requested level, in the order requested (type 7)
};

//! Summarises `sample`: its mean, SD, SE and the quantile at each level of `levels` (type 7, as
//! quantile()). The sample is in replication order, and each consecutive `per_cluster`
//! replications (the last group possibly fewer) shared a base population: the SE is then
//! cluster-robust over those groups, sd / sqrt(n) exactly when per_cluster is 1. The mean, SD
//! and quantiles are those of the replications whatever the clusters. Throws
//! std::invalid_argument for an empty sample, per_cluster 0 or a level outside [0, 1].
Summary summarise(const std::vector<double>& sample, const std::vector<double>& levels, std::size_t per_cluster = 1);

//! Quantile of a sample (type-7 linear interpolation, as numpy's default); q in [0, 1].
//! Throws std::invalid_argument for an empty sample or q outside [0, 1].
double quantile(std::vector<double> values, double q);

//! The share of further draws that the band between the type-7 quantiles at `low` and `high`
//! of n draws is expected to hold, all draws independent from one continuous distribution:
//! (h(high) - h(low)) / (n + 1), h(q) = (n - 1) q + 1, the expected ranks of the interpolated
//! order statistics. Exact for a uniform distribution; for normal and exponential ones within
//! about 0.02 of the truth from 2 draws on. So a 5 %-95 % band of 8 replications holds about
//! 70 % of further replications, not 90 %. Throws std::invalid_argument for n = 0 or levels
//! outside [0, 1] or out of order.
double expected_band_coverage(std::size_t n, double low, double high);

//! Arithmetic mean of a sample, summed in sample order; throws std::invalid_argument for an empty sample.
double mean(const std::vector<double>& values);

}  // namespace cradle
