#include "sim/random/rng.h"

// ThreadSanitizer instruments the resolver that picks a clone at load time, which then runs
// before the sanitizer's runtime is up and crashes the program (GCC 12): a ThreadSanitizer
// build has the baseline version alone.
#ifdef CRADLE_TSAN
#define CRADLE_VECTOR_CLONES
#else
#define CRADLE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

namespace cradle {

namespace {

//! Philox4x32-10 written lane by lane (round outside, lanes inside), so that each round
//! is a vector loop; the multipliers and key increments are Random123's. Inlined into each
//! clone below, which the compiler vectorises for its target.
[[gnu::always_inline]] inline void philox_lanes(std::uint32_t seed, std::uint32_t replication, std::uint32_t* c0,
                                                std::uint32_t* c1, std::uint32_t* c2, std::uint32_t* c3) {
  std::uint32_t k0 = seed, k1 = replication;
  for (int round = 0; round < 10; ++round) {
    for (std::size_t i = 0; i < DRAW_BATCH; ++i) {
      const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0[i];
      const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2[i];
      const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1[i] ^ k0;
      const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3[i] ^ k1;
      c1[i] = static_cast<std::uint32_t>(p1);
      c3[i] = static_cast<std::uint32_t>(p0);
      c0[i] = n0;
      c2[i] = n2;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
}

[[gnu::always_inline]] inline void store_words(std::size_t n, const std::uint32_t* c0, const std::uint32_t* c1,
                                               const std::uint32_t* c2, const std::uint32_t* c3,
                                               std::uint64_t* word01, std::uint64_t* word23) {
  for (std::size_t i = 0; i < n; ++i) {
    word01[i] = (static_cast<std::uint64_t>(c0[i]) << 32) | c1[i];
    word23[i] = (static_cast<std::uint64_t>(c2[i]) << 32) | c3[i];
  }
}

}  // namespace

// Built for AVX-512, AVX2 and the baseline, chosen at load time for the CPU; all give the
// same integers (tests/test_rng.cpp checks the batches against Random123's scalar Philox).
CRADLE_VECTOR_CLONES void draw_batch_u64(std::uint32_t seed, std::uint32_t replication, std::uint32_t first,
                                         std::size_t n, std::uint16_t year, stream::Id purpose,
                                         std::uint64_t* word01, std::uint64_t* word23) {
  alignas(64) std::uint32_t c0[DRAW_BATCH], c1[DRAW_BATCH], c2[DRAW_BATCH], c3[DRAW_BATCH];
  const std::uint32_t year_purpose = (static_cast<std::uint32_t>(year) << 16) | static_cast<std::uint32_t>(purpose);
  for (std::size_t i = 0; i < DRAW_BATCH; ++i) {
    c0[i] = first + static_cast<std::uint32_t>(i);
    c1[i] = 0;
    c2[i] = year_purpose;
    c3[i] = 0;
  }
  philox_lanes(seed, replication, c0, c1, c2, c3);
  store_words(n, c0, c1, c2, c3, word01, word23);
}

CRADLE_VECTOR_CLONES void draw_keyed_batch_u64(std::uint32_t seed, std::uint32_t replication,
                                               const std::uint32_t* entity, const std::uint32_t* aux, std::size_t n,
                                               std::uint16_t year, stream::Id purpose, std::uint32_t draw,
                                               std::uint64_t* word01, std::uint64_t* word23) {
  alignas(64) std::uint32_t c0[DRAW_BATCH] = {}, c1[DRAW_BATCH] = {}, c2[DRAW_BATCH], c3[DRAW_BATCH];
  const std::uint32_t year_purpose = (static_cast<std::uint32_t>(year) << 16) | static_cast<std::uint32_t>(purpose);
  for (std::size_t i = 0; i < n; ++i) {
    c0[i] = entity[i];
    c1[i] = aux[i];
  }
  for (std::size_t i = 0; i < DRAW_BATCH; ++i) {
    c2[i] = year_purpose;
    c3[i] = draw;
  }
  philox_lanes(seed, replication, c0, c1, c2, c3);
  store_words(n, c0, c1, c2, c3, word01, word23);
}

std::uint32_t stable_hash32(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace cradle
