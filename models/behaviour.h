// How births respond to money. A woman's annual probability of a birth of order k is
// multiplied by
//
//   (1 + β · V_k / I) / (1 + β · V0_k / I)
//
// where V_k is what a birth in that year would bring the family under the scenario's
// measures (undiscounted yuan: cash, fee reductions, grants and free services for that
// child, and tax forgone on its behalf, each times its take-up and the chance of using
// the service; averaged over the year's months), V0_k the same in the first year, whose
// births the rates are calibrated to (so the response is to what is new since the
// record), and I the household's annual income. A birth in a month counts only the
// measures announced at least RESPONSE_LAG_MONTHS before it: no conception can respond
// to a measure before it is known. β follows from the response r, an uncertain
// parameter stated as the percentage rise in births that a birth value of
// RESPONSE_REFERENCE_YUAN brings at the place's mean household income (response_beta).
#pragma once

#include <array>
#include <vector>

#include "models/fertility.h"
#include "models/measures/measure.h"
#include "models/services.h"

namespace cradle {

//! Births respond to a measure from this many months after the month it was announced:
//! conceptions from the month after it, births about nine months later.
inline constexpr int RESPONSE_LAG_MONTHS = 10;
//! The birth value at which the response parameter is stated, yuan (about what the
//! national childcare subsidy of 2025 brings a birth after its take-up: 9,720 yuan).
inline constexpr double RESPONSE_REFERENCE_YUAN = 10000;

//! Whether a birth in month `birth` can respond to a measure (announced long enough before).
inline bool responds_to(const Measure& m, MonthIndex birth) { return birth >= m.announced + RESPONSE_LAG_MONTHS; }

//! What a birth of order 1, 2 and 3+ in month `birth` would bring its family, yuan,
//! counting the measures it can respond to.
std::array<double, PARITY_CLASSES> birth_value_yuan(const std::vector<Measure>& measures,
                                                    const ChildcareProfile& childcare,
                                                    const KindergartenProfile& kindergarten, MonthIndex birth,
                                                    double assisted_reproduction_share);

//! What a birth of each order would bring in each month of `year`, yuan: [month][order].
using MonthlyBirthValue = std::array<std::array<double, PARITY_CLASSES>, 12>;
MonthlyBirthValue birth_values_by_month(const std::vector<Measure>& measures, const ChildcareProfile& childcare,
                                        const KindergartenProfile& kindergarten, int year,
                                        double assisted_reproduction_share);

//! The mean over the months of a year.
std::array<double, PARITY_CLASSES> year_mean(const MonthlyBirthValue& value);

//! β for a response of `response_percent` % more births at a birth value of
//! RESPONSE_REFERENCE_YUAN: β = r/100 · Ī / RESPONSE_REFERENCE_YUAN, with Ī the harmonic
//! mean of the bands' incomes weighted by their shares, so that the share-weighted mean of
//! β · V / I over the bands is r/100 · V / RESPONSE_REFERENCE_YUAN.
double response_beta(double response_percent, const std::vector<double>& band_income,
                     const std::vector<double>& band_shares);

//! The hazard multipliers (1 + β · V_k / I) / (1 + β · V0_k / I), at least 0 (1 without
//! income); `first_value_yuan` V0 defaults to nothing, giving 1 + β · V_k / I.
std::array<double, PARITY_CLASSES> response_multipliers(const std::array<double, PARITY_CLASSES>& value_yuan,
                                                        double household_income, double beta,
                                                        const std::array<double, PARITY_CLASSES>& first_value_yuan = {});

}  // namespace cradle
