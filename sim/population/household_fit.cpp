#include "sim/population/household_fit.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace cradle {

namespace {

constexpr int MAX_ITERATIONS = 1000;
constexpr double TOLERANCE = 1e-12;

void check_shares(const double* shares, std::size_t n, const char* what) {
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(shares[i] >= 0)) throw std::invalid_argument(std::string("household ") + what + ": a share is negative");
    total += shares[i];
  }
  if (std::fabs(total - 1.0) > 1e-6) {
    throw std::invalid_argument(std::string("household ") + what + ": shares sum to " + std::to_string(total) +
                                ", not 1");
  }
}

}  // namespace

HouseholdTable::Type HouseholdTable::type(std::size_t cell) const {
  Type t{};
  t.local = static_cast<std::uint8_t>(cell % RESIDENCY_CLASSES);
  cell /= RESIDENCY_CLASSES;
  t.tenure = static_cast<std::uint8_t>(cell % TENURE_CLASSES);
  cell /= TENURE_CLASSES;
  t.employment = static_cast<std::uint8_t>(cell % EMPLOYMENT_CLASSES);
  cell /= EMPLOYMENT_CLASSES;
  t.band = static_cast<std::uint8_t>(cell % bands_);
  t.size = static_cast<std::uint8_t>(cell / bands_ + 1);
  return t;
}

HouseholdTable fit_households(const HouseholdMargins& m) {
  const std::size_t bands = m.income_band.size();
  if (bands < 1 || bands > MAX_INCOME_BANDS) {
    throw std::invalid_argument("household income bands: between 1 and " + std::to_string(MAX_INCOME_BANDS));
  }
  check_shares(m.size.data(), m.size.size(), "size");
  check_shares(m.income_band.data(), bands, "income bands");
  check_shares(m.employment.data(), m.employment.size(), "employment");
  check_shares(m.tenure.data(), m.tenure.size(), "tenure");
  if (!(m.local >= 0 && m.local <= 1)) throw std::invalid_argument("household local share outside [0, 1]");
  if (!(m.nonlocal_renter_odds > 0) || !(m.income_employment_odds > 0)) {
    throw std::invalid_argument("household association odds ratios must be positive");
  }

  HouseholdTable t;
  t.bands_ = bands;
  const std::size_t n = HOUSEHOLD_SIZES * bands * EMPLOYMENT_CLASSES * TENURE_CLASSES * RESIDENCY_CLASSES;
  // Each margin as (category of every cell, target shares).
  struct Margin {
    std::vector<std::uint8_t> category;
    std::vector<double> target;
  };
  std::vector<Margin> margins(5);
  margins[0].target.assign(m.size.begin(), m.size.end());
  margins[1].target = m.income_band;
  margins[2].target.assign(m.employment.begin(), m.employment.end());
  margins[3].target.assign(m.tenure.begin(), m.tenure.end());
  margins[4].target = {1.0 - m.local, m.local};
  for (Margin& mg : margins) mg.category.resize(n);

  // The seed: log-linear associations, everything else independent.
  t.share_.resize(static_cast<Eigen::Index>(n));
  for (std::size_t c = 0; c < n; ++c) {
    const HouseholdTable::Type ty = t.type(c);
    margins[0].category[c] = static_cast<std::uint8_t>(ty.size - 1);
    margins[1].category[c] = ty.band;
    margins[2].category[c] = ty.employment;
    margins[3].category[c] = ty.tenure;
    margins[4].category[c] = ty.local;
    double seed = 1.0;
    if (ty.local == 0 && ty.tenure == static_cast<std::uint8_t>(Tenure::renter)) seed *= m.nonlocal_renter_odds;
    if (ty.employment == static_cast<std::uint8_t>(Employment::both) && bands > 1) {
      seed *= std::pow(m.income_employment_odds, static_cast<double>(ty.band) / static_cast<double>(bands - 1));
    }
    t.share_[static_cast<Eigen::Index>(c)] = seed;
  }
  t.share_ /= t.share_.sum();

  // IPF: scale to each margin in turn until none is off by more than the tolerance.
  std::vector<double> sums;
  for (t.iterations_ = 0; t.iterations_ < MAX_ITERATIONS; ++t.iterations_) {
    for (const Margin& mg : margins) {
      sums.assign(mg.target.size(), 0.0);
      for (std::size_t c = 0; c < n; ++c) sums[mg.category[c]] += t.share_[static_cast<Eigen::Index>(c)];
      for (std::size_t c = 0; c < n; ++c) {
        const double s = sums[mg.category[c]];
        t.share_[static_cast<Eigen::Index>(c)] *= s > 0 ? mg.target[mg.category[c]] / s : 0.0;
      }
    }
    t.max_error_ = 0;
    for (const Margin& mg : margins) {
      sums.assign(mg.target.size(), 0.0);
      for (std::size_t c = 0; c < n; ++c) sums[mg.category[c]] += t.share_[static_cast<Eigen::Index>(c)];
      for (std::size_t k = 0; k < sums.size(); ++k)
        t.max_error_ = std::max(t.max_error_, std::fabs(sums[k] - mg.target[k]));
    }
    if (t.max_error_ < TOLERANCE) break;
  }
  return t;
}

std::vector<std::uint32_t> household_counts(const HouseholdTable& table, std::uint32_t n) {
  std::vector<double> shares(table.cells());
  for (std::size_t c = 0; c < shares.size(); ++c) shares[c] = table.share(c);
  return apportion(shares, n);
}

HouseholdMargins household_margins(const PlaceProfile& profile) {
  HouseholdMargins m;
  m.size = profile.household_size_shares;
  m.income_band = profile.households.income_band_shares;
  m.employment = profile.households.employment_shares;
  m.tenure = profile.households.tenure_shares;
  m.local = profile.local_residency_share;
  m.nonlocal_renter_odds = profile.households.nonlocal_renter_odds;
  m.income_employment_odds = profile.households.income_employment_odds;
  return m;
}

}  // namespace cradle
