// Households fitted to a profile's marginals by iterative proportional fitting (IPF).
//
// A household's type is a cell of the table size × income band × parents' employment ×
// housing tenure × local registration. IPF starts from a seed table that carries the
// associations the profile states (non-local households rent more often; parents in
// higher income bands are more often both employed), and rescales it, one margin at a
// time, until every one-way margin equals the profile's shares. The fitted table keeps
// the seed's odds ratios. Whole-household counts then come from the table by largest
// remainders, so a population of n households matches each margin to within the number
// of cells in that margin's slice, divided by n.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "models/apportion.h"
#include "sim/input/profile.h"

namespace cradle {

//! 1 … 6+ persons (the profile's size classes).
inline constexpr std::size_t HOUSEHOLD_SIZES = HOUSEHOLD_SIZE_CLASSES;
inline constexpr std::size_t RESIDENCY_CLASSES = 2;  //!< non-local, local registration

//! The one-way margins to fit, and the associations the seed table carries.
struct HouseholdMargins {
  std::array<double, HOUSEHOLD_SIZES> size{};
  std::vector<double> income_band;  //!< shares of households by income band, lowest first (1 … MAX_INCOME_BANDS bands)
  std::array<double, EMPLOYMENT_CLASSES> employment{};
  std::array<double, TENURE_CLASSES> tenure{};
  double local = 1;  //!< share with local registration
  //! Odds ratio of renting for non-local against local households (1: none).
  double nonlocal_renter_odds = 1;
  //! Odds ratio of both parents being employed in the highest income band against the
  //! lowest, log-linear across bands (1: none).
  double income_employment_odds = 1;
};

//! The fitted joint distribution of household types.
class HouseholdTable {
 public:
  std::size_t bands() const { return bands_; }
  std::size_t cells() const { return static_cast<std::size_t>(share_.size()); }
  //! The cell of a type; size 1 … 6, the others 0-based.
  std::size_t cell(std::size_t size, std::size_t band, std::size_t employment, std::size_t tenure,
                   std::size_t local) const {
    return (((((size - 1) * bands_ + band) * EMPLOYMENT_CLASSES + employment) * TENURE_CLASSES + tenure) *
            RESIDENCY_CLASSES) +
           local;
  }
  struct Type {
    std::uint8_t size, band, employment, tenure, local;
  };
  Type type(std::size_t cell) const;
  //! Share of households in a cell; the shares sum to 1.
  double share(std::size_t cell) const { return share_[static_cast<Eigen::Index>(cell)]; }
  int iterations() const { return iterations_; }
  //! Largest absolute difference between a fitted one-way margin and its target.
  double max_margin_error() const { return max_error_; }

  friend HouseholdTable fit_households(const HouseholdMargins& margins);

 private:
  std::size_t bands_ = 1;
  Eigen::ArrayXd share_;
  int iterations_ = 0;
  double max_error_ = 0;
};

//! Fits the table by IPF. Throws std::invalid_argument if a margin does not sum to 1,
//! has a negative share, or the number of income bands is outside 1 … MAX_INCOME_BANDS.
HouseholdTable fit_households(const HouseholdMargins& margins);

//! Whole households per cell for a population of `n`: floor(n · share) plus one for the
//! cells with the largest remainders (ties to the lower cell), so the counts sum to n.
std::vector<std::uint32_t> household_counts(const HouseholdTable& table, std::uint32_t n);

//! The household margins of a profile, as the household fit takes them.
HouseholdMargins household_margins(const PlaceProfile& profile);

}  // namespace cradle
