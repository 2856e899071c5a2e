#include "models/funding.h"

#include <algorithm>
#include <numeric>

namespace cradle {

__extension__ using Int128 = __int128;  // GCC/Clang extension, silenced for -Wpedantic

std::array<Fen, PAYER_COUNT> split_by_payer(Fen total, const PayerShares& shares) {
  std::array<Fen, PAYER_COUNT> part{};
  std::array<std::int64_t, PAYER_COUNT> remainder{};
  Fen assigned = 0;
  for (std::size_t p = 0; p < PAYER_COUNT; ++p) {
    // total * ppm can exceed int64 only for totals above ~9.2e12 fen (92 bn yuan) per
    // measure-year; use 128 bits so that no realistic budget is a limit.
    const Int128 scaled = static_cast<Int128>(total) * shares.ppm[p];
    part[p] = static_cast<Fen>(scaled / PPM);
    remainder[p] = static_cast<std::int64_t>(scaled % PPM);
    assigned += part[p];
  }
  std::array<std::size_t, PAYER_COUNT> order{};
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
  Fen left = total - assigned;  // 0 <= left < number of payers with a share
  for (std::size_t i = 0; left > 0 && i < PAYER_COUNT; ++i, --left) part[order[i]] += 1;
  return part;
}

}  // namespace cradle
