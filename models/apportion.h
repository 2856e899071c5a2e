// Whole counts from shares by largest remainders: households of a fitted table, women
// of an age group by parity, childcare places by provider class.
#pragma once

#include <cstdint>
#include <vector>

namespace cradle {

//! Whole counts for shares summing to 1: floor(n · share), then one more for the shares
//! with the largest remainders (ties to the lower index), and any left over (shares
//! summing to slightly less than 1) to the largest share; they sum to n.
std::vector<std::uint32_t> apportion(const std::vector<double>& shares, std::uint32_t n);

}  // namespace cradle
