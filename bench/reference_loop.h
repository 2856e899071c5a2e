// The bench's yardstick: a bare structure-of-arrays kernel of the yearly loop's core
// (births by age × parity, ageing, childcare and kindergarten draws, four measures in
// integer fen), timed in turn with the model so that README quotes a ratio, which depends
// less than a time on the machine and on its speed that minute. It is not the model: no calibration, deaths, migration,
// households' attributes beyond an income band, or results by payer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace cradle::bench {

//! The synthetic population's size (the bench takes Xihu's).
struct ReferenceSize {
  std::size_t households = 0;
  std::size_t women = 0;     //!< women of childbearing age 15–49
  std::size_t children = 0;  //!< children aged 0–6
};

//! The kernel over its synthetic population, built once (untimed) from a fixed hash, the
//! same on every machine; each run's replications start from it again.
class ReferenceLoop {
 public:
  explicit ReferenceLoop(const ReferenceSize& size);
  ~ReferenceLoop();
  ReferenceLoop(const ReferenceLoop&) = delete;
  ReferenceLoop& operator=(const ReferenceLoop&) = delete;

  //! Runs `replications` replications of `years` years on the calling thread and returns
  //! the seconds taken. The first run allocates the working buffers: time a later one.
  double run(int years, int replications);
  //! The last run's tallies summed, so that the work cannot be left out.
  std::int64_t checksum() const { return checksum_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::int64_t checksum_ = 0;
};

}  // namespace cradle::bench
