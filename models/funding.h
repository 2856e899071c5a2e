// Who pays: levels of government and the split of a measure's cost between them.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cradle {

//! Money in fen (1 yuan = 100 fen). All outlays are accumulated in this unit, so sums
//! are exact and identical in any order.
using Fen = std::int64_t;

//! Levels of government that pay for measures, from the top. `county` is the county
//! level: urban districts (区), counties (县) and county-level cities (县级市).
enum class Payer : std::uint8_t { central, province, city, county };
inline constexpr std::size_t PAYER_COUNT = 4;
inline constexpr std::array<std::string_view, PAYER_COUNT> PAYER_NAMES{"central", "province", "city", "county"};

//! Parts per million: shares are held as integers so that a split is exact.
inline constexpr std::int64_t PPM = 1'000'000;

//! Shares of a measure's cost by payer, in parts per million, summing to PPM.
struct PayerShares {
  std::array<std::int64_t, PAYER_COUNT> ppm{};
};

//! Splits `total` between payers by their shares: each payer gets the floor of its
//! share and the remaining fen go, one each, to the payers with the largest
//! remainders (ties to the higher level). The parts sum to `total` exactly.
std::array<Fen, PAYER_COUNT> split_by_payer(Fen total, const PayerShares& shares);

}  // namespace cradle
