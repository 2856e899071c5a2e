#include "output/sensitivity.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace cradle {

std::vector<double> ranks(const std::vector<double>& sample) {
  std::vector<std::size_t> order(sample.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sample[a] < sample[b]; });
  std::vector<double> rank(sample.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && sample[order[j + 1]] == sample[order[i]]) ++j;
    const double average = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = average;
    i = j + 1;
  }
  return rank;
}

namespace {

//! Ranks of a sample, centred and scaled to unit standard deviation; empty if it does not vary.
Eigen::VectorXd standardised_ranks(const std::vector<double>& sample) {
  const std::vector<double> r = ranks(sample);
  Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(r.data(), static_cast<Eigen::Index>(r.size()));
  v.array() -= v.mean();
  const double norm = v.norm();
  if (!(norm > 0)) return {};
  return v / norm * std::sqrt(static_cast<double>(v.size() - 1));
}

}  // namespace

double sensitivity_noise_share(std::size_t replications, std::size_t inputs) {
  const std::size_t dof = replications >= inputs + 2 ? replications - inputs - 1 : replications - 1;
  if (dof == 0) return 1.0;
  return 1.96 * 1.96 / static_cast<double>(dof);
}

std::vector<SensitivityEntry> rank_sensitivity(const std::vector<std::string>& names, const std::vector<double>& values,
                                               const std::vector<double>& outcome) {
  const std::size_t R = outcome.size(), K = names.size();
  if (values.size() != R * K) throw std::invalid_argument("rank_sensitivity: values are not replications × inputs");
  if (R < MIN_SENSITIVITY_REPLICATIONS) return {};
  std::vector<std::string> kept;
  std::vector<Eigen::VectorXd> columns;
  for (std::size_t k = 0; k < K; ++k) {
    std::vector<double> column(R);
    for (std::size_t r = 0; r < R; ++r) column[r] = values[r * K + k];
    Eigen::VectorXd x = standardised_ranks(column);
    if (x.size() == 0) continue;
    kept.push_back(names[k]);
    columns.push_back(std::move(x));
  }
  std::vector<SensitivityEntry> out;
  for (const std::string& name : kept) out.push_back({name, 0.0, 0.0});
  const Eigen::VectorXd y = standardised_ranks(outcome);
  if (y.size() == 0 || kept.empty()) return out;
  const auto n = static_cast<double>(R - 1);
  if (R >= kept.size() + 2) {
    Eigen::MatrixXd X(static_cast<Eigen::Index>(R), static_cast<Eigen::Index>(kept.size()));
    for (std::size_t k = 0; k < kept.size(); ++k) X.col(static_cast<Eigen::Index>(k)) = columns[k];
    const Eigen::VectorXd beta = X.colPivHouseholderQr().solve(y);
    for (std::size_t k = 0; k < kept.size(); ++k) out[k].coefficient = beta(static_cast<Eigen::Index>(k));
  } else {
    for (std::size_t k = 0; k < kept.size(); ++k) out[k].coefficient = columns[k].dot(y) / n;
  }
  for (SensitivityEntry& e : out) e.share = e.coefficient * e.coefficient;
  std::stable_sort(out.begin(), out.end(), [](const SensitivityEntry& a, const SensitivityEntry& b) { return a.share > b.share; });
  return out;
}

}  // namespace cradle
