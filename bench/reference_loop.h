// The bench's yardstick: a bare structure-of-arrays kernel of the yearly loop's core
// (births by age × parity, ageing, childcare and kindergarten draws, four measures in
// integer fen), timed beside the model so that README quotes a ratio that does not
// depend on the machine. It is not the model: no calibration, deaths, migration,
// households' attributes beyond an income band, or results by payer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cradle::bench {

//! The synthetic population's size (the bench takes Xihu's).
struct ReferenceSize {
  std::size_t households = 0;
  std::size_t women = 0;     //!< women of childbearing age 15–49
  std::size_t children = 0;  //!< children aged 0–6
};

struct ReferenceTiming {
  double seconds = 0;         //!< best of the timed runs
  std::int64_t checksum = 0;  //!< the tallies' sum, so that the work cannot be left out
};

//! Runs `replications` replications of `years` years of the kernel on one thread, after one
//! untimed warm-up, `repeat` times, and returns the best. The population is built (untimed)
//! from a fixed hash, the same on every machine; each replication starts from it again.
ReferenceTiming time_reference_loop(const ReferenceSize& size, int years, int replications, int repeat);

}  // namespace cradle::bench
