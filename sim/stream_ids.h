// Every purpose that draws random numbers has its own stream id, declared here
// and nowhere else. A draw site never consumes another site's numbers, so
// editing one model leaves the draws of the others unchanged, and a reform and
// its baseline see the same numbers for the same decision (common random numbers).
#pragma once

#include <cstdint>

namespace cradle::stream {

enum Id : std::uint16_t {
  // Base-population generation (replication slot GENERATION_REPLICATION).
  HOUSEHOLD_SIZE = 1,
  WOMAN_AGE = 2,
  WOMAN_PARITY = 3,
  WOMAN_HOUSEHOLD = 4,
  GIRL_HOUSEHOLD = 5,
  // Demography, per woman and year.
  BIRTH = 16,        //!< does a woman give birth this year
  BIRTH_MONTH = 17,  //!< in which month
  // Services, per child and year.
  CHILDCARE_ENROL = 32,     //!< is the child in childcare this year
  CHILDCARE_PROVIDER = 33,  //!< which provider class
  // Measures, per child (year 0): draw index = hash of the measure id.
  MEASURE_TAKEUP = 48,
};

//! The replication number used by base-population generation, which no
//! Monte Carlo replication can take (replications are < 2^31).
inline constexpr std::uint32_t GENERATION_REPLICATION = 0xFFFFFFFFu;

}  // namespace cradle::stream
