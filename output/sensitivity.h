// Which uncertain input moves an outcome most: a standardised rank regression over the
// replications. Each replication drew its own value of every uncertain input (the
// [uncertainty] parameters and any estimate drawn from its range); inputs and outcome are
// replaced by their ranks and standardised, and the outcome regressed on all inputs at
// once (least squares, Eigen). With independent draws the squared coefficient of an input
// is the share of the outcome's rank variance it explains alone; the shares add up to at
// most about the regression's R².
#pragma once

#include <string>
#include <vector>

#include "output/results.h"

namespace cradle {

//! The fewest replications a ranking is made from: with fewer, rank correlations are noise.
inline constexpr std::size_t MIN_SENSITIVITY_REPLICATIONS = 10;

//! The inputs that vary over replications, ranked by share (largest first); empty with
//! fewer than MIN_SENSITIVITY_REPLICATIONS replications. `values` is
//! [replication][input] (names.size() inputs); `outcome` is per replication. Inputs that
//! do not vary are left out. With fewer replications than inputs + 2 the regression is not
//! determined and each coefficient is the input's rank correlation with the outcome alone.
//! An outcome that does not vary gives every input coefficient 0. Throws
//! std::invalid_argument on mismatched sizes.
std::vector<SensitivityEntry> rank_sensitivity(const std::vector<std::string>& names, const std::vector<double>& values,
                                               const std::vector<double>& outcome);

//! The share below which an input's share is within sampling noise (95 %) when the ranking
//! comes from `replications` replications of `inputs` varying inputs: (1.96 / √dof)², dof
//! the residual degrees of freedom of the regression (replications − inputs − 1), or of a
//! single rank correlation (replications − 1) when the regression is not determined.
double sensitivity_noise_share(std::size_t replications, std::size_t inputs);

//! Ranks 1 … n of a sample, ties given their average rank.
std::vector<double> ranks(const std::vector<double>& sample);

}  // namespace cradle
