// Keyed random streams. A stream is addressed by
// (seed, replication, entity, aux, year, stream id) and derived on the spot
// from Random123's Philox4x32-10 counter-based generator: the key is
// (seed, replication), the counter (entity, aux, year|stream, draw index).
// Nothing is shared between threads and nothing depends on the order in which
// entities are visited, so results are identical whatever the thread count.
#pragma once

#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/probability.h"
#include "sim/random/stream_ids.h"

namespace cradle {

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang extension, silenced for -Wpedantic

//! Identifies an entity's stream. `aux` disambiguates entity spaces: base
//! population entities use aux 0; a child born in the simulation is
//! (mother index, aux = birth year), stable between a reform and its baseline.
struct StreamKey {
  std::uint32_t entity = 0;
  std::uint32_t aux = 0;
  std::uint16_t year = 0;
  stream::Id purpose{};
};

//! A uniform integer in [0, n) from 64 random bits `u`, by multiply-shift (bias below 2^-32
//! for n < 2^32).
inline std::uint32_t draw_below(std::uint64_t u, std::uint32_t n) {
  return static_cast<std::uint32_t>((static_cast<Uint128>(u) * n) >> 64);
}

//! A uniform double in [0, 1) from 64 random bits `u` (its top 53).
inline double draw_uniform(std::uint64_t u) { return static_cast<double>(u >> 11) * 0x1.0p-53; }

//! A short stream of 64-bit random numbers for one key; cheap to create
//! (no state beyond the counter), so one is made per decision.
class KeyedStream {
 public:
  KeyedStream(std::uint32_t seed, std::uint32_t replication, const StreamKey& key, std::uint32_t first_draw = 0)
      : key_{{seed, replication}},
        ctr_{{key.entity, key.aux,
              (static_cast<std::uint32_t>(key.year) << 16) | static_cast<std::uint32_t>(key.purpose), first_draw}} {}

  //! The next 64 uniformly distributed bits.
  std::uint64_t next_u64() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    r123::Philox4x32 gen;
    const auto out = gen(ctr_, key_);
    ctr_.v[3] += 1;
    spare_ = (static_cast<std::uint64_t>(out.v[2]) << 32) | out.v[3];
    have_spare_ = true;
    return (static_cast<std::uint64_t>(out.v[0]) << 32) | out.v[1];
  }

  //! A uniform double in [0, 1) with 53 random bits.
  double uniform() { return draw_uniform(next_u64()); }

  //! A uniform integer in [0, n) (draw_below).
  std::uint32_t below(std::uint32_t n) { return draw_below(next_u64(), n); }

  // For use with Boost.Random / <random> distributions.
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() { return next_u64(); }

 private:
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  std::uint64_t spare_ = 0;
  bool have_spare_ = false;
};

//! One 64-bit draw for a key: the common case of a single yes/no decision,
//! compared against a threshold from `probability_threshold`.
inline std::uint64_t draw_u64(std::uint32_t seed, std::uint32_t replication, const StreamKey& key,
                              std::uint32_t draw = 0) {
  r123::Philox4x32 gen;
  const r123::Philox4x32::ctr_type ctr{
      {key.entity, key.aux, (static_cast<std::uint32_t>(key.year) << 16) | static_cast<std::uint32_t>(key.purpose),
       draw}};
  const auto out = gen(ctr, r123::Philox4x32::key_type{{seed, replication}});
  return (static_cast<std::uint64_t>(out.v[0]) << 32) | out.v[1];
}

//! Philox draws for the consecutive entities first … first+n-1 (aux 0, draw 0) of one
//! year and purpose, identical to draw_u64 (word01) and to its second half (word23),
//! computed lane-parallel so that the compiler can vectorise them. n <= DRAW_BATCH; word23
//! may be null where the second halves are not wanted. Nothing past word01[n - 1] and
//! word23[n - 1] is written.
inline constexpr std::size_t DRAW_BATCH = 64;
void draw_batch_u64(std::uint32_t seed, std::uint32_t replication, std::uint32_t first, std::size_t n,
                    std::uint16_t year, stream::Id purpose, std::uint64_t* word01, std::uint64_t* word23);

//! The implementations of the batches' Philox rounds: portable C++, AVX2, AVX-512. The
//! fastest the CPU has is used; all give the same integers.
enum class PhiloxPath { portable, avx2, avx512 };

//! Makes the batches use `path` from now on, if this CPU and build have it (false, and no
//! change, if not). For tests that check every path; not thread-safe against running batches.
bool use_philox_path(PhiloxPath path);

//! Philox draws for n arbitrary keys (entity[i], aux[i], year, purpose), each at draw
//! index `draw`: word01[i] is draw_u64 of key i, word23[i] the second half of its block
//! (what a KeyedStream of that key gives second). Lane-parallel, as draw_batch_u64.
//! n <= DRAW_BATCH; word23 may be null, and nothing past the first n words is written.
void draw_keyed_batch_u64(std::uint32_t seed, std::uint32_t replication, const std::uint32_t* entity,
                          const std::uint32_t* aux, std::size_t n, std::uint16_t year, stream::Id purpose,
                          std::uint32_t draw, std::uint64_t* word01, std::uint64_t* word23);

//! Calls each(i, u) for each entity i of [begin, end), in order, with u its draw of stream
//! (year 0, `purpose`) where entities share Philox blocks in pairs: entity i's is word i & 1
//! (word01, word23) of the block of entity i / 2, as draw_batch_u64 gives them, a batch of
//! DRAW_BATCH blocks at a time.
template <class Each>
void for_each_paired_u64(std::uint32_t seed, std::uint32_t replication, std::uint32_t begin, std::uint32_t end,
                         stream::Id purpose, Each each) {
  std::uint64_t draws[2][DRAW_BATCH];
  const std::uint32_t pair_end = (end + 1) / 2;
  for (std::uint32_t q0 = begin / 2; q0 < pair_end; q0 += DRAW_BATCH) {
    const std::size_t n = std::min<std::size_t>(DRAW_BATCH, pair_end - q0);
    draw_batch_u64(seed, replication, q0, n, 0, purpose, draws[0], draws[1]);
    std::uint32_t i = std::max(begin, 2 * q0);
    const std::uint32_t last = std::min<std::uint32_t>(end, 2 * (q0 + static_cast<std::uint32_t>(n)));
    // By pairs, so that no index is computed per entity (i & 1 and i / 2 were about a
    // tenth of BlockYear::date_deaths' instructions on Xihu).
    if (i < last && (i & 1u) != 0) {
      each(i, draws[1][i / 2 - q0]);
      ++i;
    }
    for (; i + 1 < last; i += 2) {
      const std::uint32_t pair = i / 2 - q0;
      each(i, draws[0][pair]);
      each(i + 1, draws[1][pair]);
    }
    if (i < last) each(i, draws[0][i / 2 - q0]);
  }
}

//! The aux of a batch of keys that have none (aux 0): shared, so that a batch of one key
//! does not zero a batch's worth of its own.
inline constexpr std::uint32_t NO_AUX[DRAW_BATCH] = {};

//! The two words of one Philox block drawn in a batch, read as the stream of its key: the
//! same numbers as a KeyedStream's first two draws (a third is a logic error).
class DrawnBlock {
 public:
  DrawnBlock(std::uint64_t word01, std::uint64_t word23) : words_{word01, word23} {}
  std::uint64_t next_u64() { return words_[next_++]; }
  //! As KeyedStream::below.
  std::uint32_t below(std::uint32_t n) { return draw_below(next_u64(), n); }

 private:
  std::array<std::uint64_t, 2> words_;
  std::size_t next_ = 0;
};

//! A stable 32-bit hash of a name (FNV-1a), for deriving draw indices from
//! identifiers such as measure ids, independent of their order in a scenario.
std::uint32_t stable_hash32(std::string_view name);

//! The seed of replication `replication`'s own base population: a keyed draw of the run's
//! seed, so that each replication's population is independent of the others' and the
//! same in a reform and its baseline.
inline std::uint32_t population_seed(std::uint32_t seed, std::uint32_t replication) {
  return static_cast<std::uint32_t>(draw_u64(seed, replication, StreamKey{0, 0, 0, stream::POPULATION}) >> 32);
}

}  // namespace cradle
