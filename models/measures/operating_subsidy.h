#pragma once

#include "models/measures/measure.h"

namespace cradle {

//! operating_subsidy: the months of `year` in which the child is enrolled with a
//! provider of the measure's class, in the age window, and the measure is in force.
int operating_subsidy_months(const Measure& measure, const ChildYear& child, int year);

}  // namespace cradle
