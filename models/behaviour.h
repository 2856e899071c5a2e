// How births respond to money. The annual probability of a birth of order k is
// multiplied by 1 + β · V_k / I, where V_k is what such a birth would bring the family
// under the scenario's measures (undiscounted yuan: cash, fee reductions, grants and
// free services for that child, and tax forgone on its behalf, each times its take-up
// and the chance of using the service), I the household's annual income, and β the
// response in births per share of income (an uncertain parameter; calibration.md:
// 0.25–0.4 % of births per 1 % of income in the literature, of which part is timing).
#pragma once

#include <array>
#include <vector>

#include "models/fertility.h"
#include "models/measures/measure.h"
#include "models/services.h"

namespace cradle {

//! What a birth of order 1, 2 and 3+ in month `birth` would bring its family, yuan.
std::array<double, PARITY_CLASSES> birth_value_yuan(const std::vector<Measure>& measures,
                                                    const ChildcareProfile& childcare,
                                                    const KindergartenProfile& kindergarten, MonthIndex birth,
                                                    double assisted_reproduction_share);

//! The hazard multipliers 1 + β · V_k / I (at least 0).
std::array<double, PARITY_CLASSES> response_multipliers(const std::array<double, PARITY_CLASSES>& value_yuan,
                                                        double household_income, double beta);

}  // namespace cradle
