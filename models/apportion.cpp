#include "models/apportion.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cradle {

std::vector<std::uint32_t> apportion(const std::vector<double>& shares, std::uint32_t n) {
  std::vector<std::uint32_t> counts(shares.size());
  std::vector<double> remainder(shares.size());
  std::uint32_t given = 0;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const double exact = std::max(0.0, shares[i]) * static_cast<double>(n);
    counts[i] = static_cast<std::uint32_t>(std::floor(exact));
    remainder[i] = exact - std::floor(exact);
    given += counts[i];
  }
  std::vector<std::size_t> order(shares.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  for (std::size_t i = 0; given < n && i < order.size(); ++i, ++given) counts[order[i]]++;
  // Shares summing to slightly less than 1 leave a few over: to the largest share.
  if (given < n && !counts.empty()) {
    counts[static_cast<std::size_t>(std::max_element(shares.begin(), shares.end()) - shares.begin())] += n - given;
  }
  return counts;
}

}  // namespace cradle
