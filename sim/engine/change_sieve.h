// The women's sieve (BlockYear::may_change): which of a batch of women may die, give birth
// or have her household buy a home this year, tested on their draws without a branch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "models/demography.h"
#include "sim/engine/plan.h"

namespace cradle::engine {

//! A batch of at most 64 women, read in place.
struct SieveBatch {
  const std::uint8_t* parity;      //!< [i]: live births so far, or DEAD
  const std::int16_t* birth_year;  //!< [i]
  const std::uint64_t* birth_u;    //!< [i]: the draw that decides a birth or a death
  const std::uint64_t* home_u;     //!< [i]: the draw that decides a purchase
  std::size_t n;
};

//! The year's sieve: ChangeWindows by (birth year - min_birth_year) × CHANGE_CLASSES +
//! class (ReplicationPlan::change_window: the parity class, or the last for DEAD), and the
//! draw below which a purchase may be made (0: none).
struct SieveYear {
  const ChangeWindow* window;
  std::int16_t min_birth_year;
  std::uint64_t home_any;
};

//! Bit i: whether woman i of the batch passes the sieve: her window admits her birth draw
//! (ChangeWindow::admits, on its top 32 bits), or her purchase draw is below home_any. A
//! dead woman's window admits none of her birth draws but the top block of 2^32 draws. On
//! the fastest path the CPU has (chosen at run time); every path gives the same bits.
std::uint64_t sieve_changes(const SieveYear& year, const SieveBatch& women);

//! The sieve's implementations: one woman at a time, eight with AVX2 (as two fours) or AVX-512.
enum class SievePath { portable, avx2, avx512 };

//! sieve_changes on `path`, for tests that compare the paths; nothing where this CPU or
//! build lacks it.
std::optional<std::uint64_t> sieve_changes_on(SievePath path, const SieveYear& year, const SieveBatch& women);

}  // namespace cradle::engine
