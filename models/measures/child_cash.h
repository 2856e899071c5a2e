#pragma once

#include "models/measures/measure.h"

namespace cradle {

//! child_cash: the months of `year` in which the child is in the age window, of an
//! eligible birth order, and the measure is in force.
int child_cash_months(const Measure& measure, const ChildYear& child, int year);

}  // namespace cradle
