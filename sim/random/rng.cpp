#include "sim/random/rng.h"

#include "sim/x86_paths.h"

#include <atomic>
#include <cstring>

#ifdef CRADLE_X86_PATHS
#include <immintrin.h>
#endif

namespace cradle {

namespace {

constexpr std::size_t PAIRS = DRAW_BATCH / 2;

//! The lanes of a batch in pairs packed in 64-bit words (lane 2j in the low half), so that
//! the 32 × 32 → 64-bit products of Philox are the even/odd-lane multiplies of SIMD units.
struct Lanes {
  alignas(64) std::uint64_t x0[PAIRS], x1[PAIRS], x2[PAIRS], x3[PAIRS];
};

//! Where a batch's first n lanes go as words: word01[i] lane i's words 0 and 1 (0 high),
//! word23[i] its words 2 and 3; word23 null where they are not wanted.
struct Words {
  std::size_t n;
  std::uint64_t* word01;
  std::uint64_t* word23;
};

//! A keyed batch's counters: lane i is (entity[i], aux[i], year_purpose, draw), i < n.
struct KeyedCounters {
  const std::uint32_t* entity;
  const std::uint32_t* aux;
  std::size_t n;
  std::uint32_t year_purpose, draw;
};

//! `in`'s counters written into the first `lanes` lanes of `l` (lane i is 32-bit word i of
//! each array), those past n zero.
void fill_keyed(const KeyedCounters& in, std::size_t lanes, Lanes& l) {
  std::memcpy(l.x0, in.entity, in.n * sizeof *in.entity);
  std::memcpy(l.x1, in.aux, in.n * sizeof *in.aux);
  std::memset(reinterpret_cast<std::uint32_t*>(l.x0) + in.n, 0, (lanes - in.n) * sizeof *in.entity);
  std::memset(reinterpret_cast<std::uint32_t*>(l.x1) + in.n, 0, (lanes - in.n) * sizeof *in.aux);
  for (std::size_t j = 0; j < lanes / 2; ++j) {
    l.x2[j] = (std::uint64_t{in.year_purpose} << 32) | in.year_purpose;
    l.x3[j] = (std::uint64_t{in.draw} << 32) | in.draw;
  }
}

constexpr std::uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;  // Random123's multipliers
constexpr std::uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;  // and key increments

//! Philox4x32-10 on the first P pairs of `l`, portable: each round a loop over the pairs,
//! the halves' products put back in place with shifts and masks.
template <std::size_t P>
void philox_portable(std::uint32_t k0, std::uint32_t k1, Lanes& l) {
  constexpr std::uint64_t LOW = 0xFFFFFFFFu, HIGH = LOW << 32;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t key0 = (std::uint64_t{k0} << 32) | k0, key1 = (std::uint64_t{k1} << 32) | k1;
    for (std::size_t j = 0; j < P; ++j) {
      const std::uint64_t even0 = (l.x0[j] & LOW) * M0, odd0 = (l.x0[j] >> 32) * M0;
      const std::uint64_t even2 = (l.x2[j] & LOW) * M1, odd2 = (l.x2[j] >> 32) * M1;
      const std::uint64_t n0 = ((even2 >> 32) | (odd2 & HIGH)) ^ l.x1[j] ^ key0;
      const std::uint64_t n2 = ((even0 >> 32) | (odd0 & HIGH)) ^ l.x3[j] ^ key1;
      l.x1[j] = (even2 & LOW) | (odd2 << 32);
      l.x3[j] = (even0 & LOW) | (odd0 << 32);
      l.x0[j] = n0;
      l.x2[j] = n2;
    }
    k0 += W0;
    k1 += W1;
  }
}

//! The lanes of a counted batch (draw_batch_u64's counters: lane i is (first + i, 0,
//! year_purpose, 0)), packed as Lanes.
void count_lanes(std::uint32_t first, std::uint32_t year_purpose, Lanes& l) {
  for (std::size_t j = 0; j < PAIRS; ++j) {
    const auto even = static_cast<std::uint32_t>(first + 2 * j);
    l.x0[j] = (std::uint64_t{even + 1u} << 32) | even;
    l.x1[j] = 0;
    l.x2[j] = (std::uint64_t{year_purpose} << 32) | year_purpose;
    l.x3[j] = 0;
  }
}

//! The first out.n lanes of a batch as words. Lanes 2j and 2j + 1 are the low and high
//! halves of pair j.
void store_portable(const Lanes& l, Words out) {
  constexpr std::uint64_t LOW = 0xFFFFFFFFu, HIGH = LOW << 32;
  auto pair = [](std::uint64_t high, std::uint64_t low, std::size_t j, std::size_t n, std::uint64_t* words) {
    words[2 * j] = (high << 32) | (low & LOW);
    if (2 * j + 1 < n) words[2 * j + 1] = (high & HIGH) | (low >> 32);
  };
  for (std::size_t j = 0; 2 * j < out.n; ++j) {
    pair(l.x0[j], l.x1[j], j, out.n, out.word01);
    if (out.word23 != nullptr) pair(l.x2[j], l.x3[j], j, out.n, out.word23);
  }
}

void philox_portable_counted(std::uint32_t k0, std::uint32_t k1, std::uint32_t first, std::uint32_t year_purpose,
                             Words out) {
  Lanes l;
  count_lanes(first, year_purpose, l);
  philox_portable<PAIRS>(k0, k1, l);
  store_portable(l, out);
}

//! A keyed batch of P pairs, portable.
template <std::size_t P>
void keyed_portable(std::uint32_t k0, std::uint32_t k1, const KeyedCounters& in, Words out) {
  Lanes l;
  fill_keyed(in, 2 * P, l);
  philox_portable<P>(k0, k1, l);
  store_portable(l, out);
}

#ifdef CRADLE_X86_PATHS
// The same rounds with AVX-512 and AVX2 intrinsics (compilers turn the portable loop's
// products into full 64-bit multiplies); chosen at run time for the CPU, all give the same
// integers.

// GCC 12 warns of the intrinsics header's own deliberately undefined vectors.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
constexpr std::size_t V512 = PAIRS / 8;

//! The ten rounds on V vectors of eight pairs each (sixteen lanes), in registers.
template <std::size_t V>
__attribute__((target("avx512f"), always_inline)) inline void rounds_avx512(std::uint32_t k0, std::uint32_t k1,
                                                                            __m512i* a, __m512i* b, __m512i* c,
                                                                            __m512i* d) {
  const __m512i m0 = _mm512_set1_epi64(M0), m1 = _mm512_set1_epi64(M1);
  constexpr __mmask16 ODD = 0xAAAA;
  for (int round = 0; round < 10; ++round) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(k0)), key1 = _mm512_set1_epi32(static_cast<int>(k1));
    for (std::size_t v = 0; v < V; ++v) {
      const __m512i even0 = _mm512_mul_epu32(a[v], m0), odd0 = _mm512_mul_epu32(_mm512_srli_epi64(a[v], 32), m0);
      const __m512i even2 = _mm512_mul_epu32(c[v], m1), odd2 = _mm512_mul_epu32(_mm512_srli_epi64(c[v], 32), m1);
      const __m512i high0 = _mm512_mask_blend_epi32(ODD, _mm512_srli_epi64(even0, 32), odd0);
      const __m512i high2 = _mm512_mask_blend_epi32(ODD, _mm512_srli_epi64(even2, 32), odd2);
      const __m512i n0 = _mm512_ternarylogic_epi32(high2, b[v], key0, 0x96);  // three-way xor
      const __m512i n2 = _mm512_ternarylogic_epi32(high0, d[v], key1, 0x96);
      b[v] = _mm512_mask_blend_epi32(ODD, even2, _mm512_slli_epi64(odd2, 32));
      d[v] = _mm512_mask_blend_epi32(ODD, even0, _mm512_slli_epi64(odd0, 32));
      a[v] = n0;
      c[v] = n2;
    }
    k0 += W0;
    k1 += W1;
  }
}

//! The lowest `n` bits of a 16-bit mask (all of them from 16 on).
constexpr __mmask16 first_lanes(std::size_t n) { return static_cast<__mmask16>(n >= 16 ? 0xFFFFu : (1u << n) - 1); }

//! Sixteen lanes' words from the vector of their high halves and that of their low halves
//! (32-bit element i: lane i's), the first n of them (n > 0) stored at `out`: the halves
//! interleaved in registers and stored masked, so that nothing past n is written.
__attribute__((target("avx512f"), always_inline)) inline void store_words_avx512(__m512i high, __m512i low,
                                                                                 std::size_t n, std::uint64_t* out) {
  // Element 2k of a result from low's element k, 2k + 1 from high's (indices 16 on).
  const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i second = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const __m512i lanes0 = _mm512_permutex2var_epi32(low, first, high);
  const __m512i lanes8 = _mm512_permutex2var_epi32(low, second, high);
  if (n >= 16) {
    _mm512_storeu_si512(out, lanes0);
    _mm512_storeu_si512(out + 8, lanes8);
    return;
  }
  _mm512_mask_storeu_epi64(out, static_cast<__mmask8>(first_lanes(n)), lanes0);
  if (n > 8) _mm512_mask_storeu_epi64(out + 8, static_cast<__mmask8>(first_lanes(n - 8)), lanes8);
}

//! V vectors' lanes as `out`'s words, straight from the registers: through Lanes, the
//! rounds' stores were read back by the interleaving loop.
template <std::size_t V>
__attribute__((target("avx512f"), always_inline)) inline void store_avx512(const __m512i* a, const __m512i* b,
                                                                           const __m512i* c, const __m512i* d,
                                                                           Words out) {
  for (std::size_t v = 0; v < V && 16 * v < out.n; ++v) {
    const std::size_t left = out.n - 16 * v;
    store_words_avx512(a[v], b[v], left, out.word01 + 16 * v);
    if (out.word23 != nullptr) store_words_avx512(c[v], d[v], left, out.word23 + 16 * v);
  }
}

//! A keyed batch of P pairs (a multiple of 8), its counters loaded straight into the
//! registers (masked: the lanes past n zero, nothing past them read).
template <std::size_t P>
__attribute__((target("avx512f"))) void keyed_avx512(std::uint32_t k0, std::uint32_t k1, const KeyedCounters& in,
                                                     Words out) {
  constexpr std::size_t V = P / 8;
  __m512i a[V], b[V], c[V], d[V];
  for (std::size_t v = 0; v < V; ++v) {
    const __mmask16 keys = 16 * v < in.n ? first_lanes(in.n - 16 * v) : 0;
    a[v] = keys != 0 ? _mm512_maskz_loadu_epi32(keys, in.entity + 16 * v) : _mm512_setzero_si512();
    b[v] = keys != 0 ? _mm512_maskz_loadu_epi32(keys, in.aux + 16 * v) : _mm512_setzero_si512();
    c[v] = _mm512_set1_epi32(static_cast<int>(in.year_purpose));
    d[v] = _mm512_set1_epi32(static_cast<int>(in.draw));
  }
  rounds_avx512<V>(k0, k1, a, b, c, d);
  store_avx512<V>(a, b, c, d, out);
}

//! The counted batch's lanes made in registers: written to memory just before, they would
//! be read back wider than they were stored, which stalls the load until the stores retire.
__attribute__((target("avx512f"))) void philox_avx512_counted(std::uint32_t k0, std::uint32_t k1, std::uint32_t first,
                                                              std::uint32_t year_purpose, Words out) {
  __m512i a[V512], b[V512], c[V512], d[V512];
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::size_t v = 0; v < V512; ++v) {
    a[v] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(first + 16 * v)), lane);
    b[v] = _mm512_setzero_si512();
    c[v] = _mm512_set1_epi32(static_cast<int>(year_purpose));
    d[v] = _mm512_setzero_si512();
  }
  rounds_avx512<V512>(k0, k1, a, b, c, d);
  store_avx512<V512>(a, b, c, d, out);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

constexpr std::size_t V256 = PAIRS / 4;

//! The ten rounds on V vectors of four pairs each (eight lanes), then stored to `l`.
template <std::size_t V>
__attribute__((target("avx2"), always_inline)) inline void rounds_avx2(std::uint32_t k0, std::uint32_t k1, __m256i* a,
                                                                       __m256i* b, __m256i* c, __m256i* d, Lanes& l) {
  const __m256i m0 = _mm256_set1_epi64x(M0), m1 = _mm256_set1_epi64x(M1);
  for (int round = 0; round < 10; ++round) {
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0)), key1 = _mm256_set1_epi32(static_cast<int>(k1));
    for (std::size_t v = 0; v < V; ++v) {
      const __m256i even0 = _mm256_mul_epu32(a[v], m0), odd0 = _mm256_mul_epu32(_mm256_srli_epi64(a[v], 32), m0);
      const __m256i even2 = _mm256_mul_epu32(c[v], m1), odd2 = _mm256_mul_epu32(_mm256_srli_epi64(c[v], 32), m1);
      const __m256i high0 = _mm256_blend_epi32(_mm256_srli_epi64(even0, 32), odd0, 0xAA);
      const __m256i high2 = _mm256_blend_epi32(_mm256_srli_epi64(even2, 32), odd2, 0xAA);
      const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(high2, b[v]), key0);
      const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(high0, d[v]), key1);
      b[v] = _mm256_blend_epi32(even2, _mm256_slli_epi64(odd2, 32), 0xAA);
      d[v] = _mm256_blend_epi32(even0, _mm256_slli_epi64(odd0, 32), 0xAA);
      a[v] = n0;
      c[v] = n2;
    }
    k0 += W0;
    k1 += W1;
  }
  for (std::size_t v = 0; v < V; ++v) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(l.x0 + 4 * v), a[v]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(l.x1 + 4 * v), b[v]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(l.x2 + 4 * v), c[v]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(l.x3 + 4 * v), d[v]);
  }
}

//! Eight lanes' 64-bit words from four pairs of `high` and of `low`: the halves interleaved
//! within each 128-bit half, then the halves put in order.
__attribute__((target("avx2"), always_inline)) inline void interleave_avx2(const std::uint64_t* high,
                                                                           const std::uint64_t* low,
                                                                           std::uint64_t* out) {
  const __m256i h = _mm256_load_si256(reinterpret_cast<const __m256i*>(high));
  const __m256i w = _mm256_load_si256(reinterpret_cast<const __m256i*>(low));
  const __m256i first = _mm256_unpacklo_epi32(w, h), second = _mm256_unpackhi_epi32(w, h);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permute2x128_si256(first, second, 0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4), _mm256_permute2x128_si256(first, second, 0x31));
}

//! store_portable with AVX2 (AVX-512 CPUs have it too), eight lanes at a time.
__attribute__((target("avx2"))) void store_avx2(const Lanes& l, Words out) {
  std::size_t i = 0;
  for (; i + 8 <= out.n; i += 8) {
    interleave_avx2(l.x0 + i / 2, l.x1 + i / 2, out.word01 + i);
    if (out.word23 != nullptr) interleave_avx2(l.x2 + i / 2, l.x3 + i / 2, out.word23 + i);
  }
  if (i < out.n) {  // the last few lanes
    std::uint64_t rest01[8], rest23[8];
    interleave_avx2(l.x0 + i / 2, l.x1 + i / 2, rest01);
    interleave_avx2(l.x2 + i / 2, l.x3 + i / 2, rest23);
    for (std::size_t k = 0; i + k < out.n; ++k) {
      out.word01[i + k] = rest01[k];
      if (out.word23 != nullptr) out.word23[i + k] = rest23[k];
    }
  }
}

//! A keyed batch of P pairs (a multiple of 4) with AVX2.
template <std::size_t P>
__attribute__((target("avx2"))) void keyed_avx2(std::uint32_t k0, std::uint32_t k1, const KeyedCounters& in,
                                                Words out) {
  constexpr std::size_t V = P / 4;
  Lanes l;
  fill_keyed(in, 2 * P, l);
  __m256i a[V], b[V], c[V], d[V];
  for (std::size_t v = 0; v < V; ++v) {
    a[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(l.x0 + 4 * v));
    b[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(l.x1 + 4 * v));
    c[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(l.x2 + 4 * v));
    d[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(l.x3 + 4 * v));
  }
  rounds_avx2<V>(k0, k1, a, b, c, d, l);
  store_avx2(l, out);
}

__attribute__((target("avx2"))) void philox_avx2_counted(std::uint32_t k0, std::uint32_t k1, std::uint32_t first,
                                                         std::uint32_t year_purpose, Words out) {
  __m256i a[V256], b[V256], c[V256], d[V256];
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::size_t v = 0; v < V256; ++v) {
    a[v] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first + 8 * v)), lane);
    b[v] = _mm256_setzero_si256();
    c[v] = _mm256_set1_epi32(static_cast<int>(year_purpose));
    d[v] = _mm256_setzero_si256();
  }
  Lanes l;
  rounds_avx2<V256>(k0, k1, a, b, c, d, l);
  store_avx2(l, out);
}
#endif

using KeyedFn = void (*)(std::uint32_t, std::uint32_t, const KeyedCounters&, Words);
using CountedFn = void (*)(std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t, Words);

//! The sizes of keyed batch a path computes, in lanes: a batch of n keys takes the
//! smallest that holds them, so that a few keys do not cost a whole DRAW_BATCH.
constexpr std::size_t KEYED_SIZES = 3;
constexpr std::size_t keyed_lanes(std::size_t size) { return (DRAW_BATCH >> (KEYED_SIZES - 1)) << size; }
constexpr std::size_t keyed_size(std::size_t n) {
  std::size_t size = 0;
  while (keyed_lanes(size) < n) ++size;
  return size;
}

//! Up to this many keys are drawn one by one: a batch's narrowest lanes (16) would be
//! mostly padding, their set-up and stores as long as the scalar rounds. (A home purchase
//! draws for one key.)
constexpr std::size_t SCALAR_KEYS = 2;

//! A path's entries: a keyed batch (by size: keyed_lanes(size) lanes computed) and a
//! counted batch, each giving its first n lanes as words.
struct PhiloxImpl {
  KeyedFn keyed[KEYED_SIZES];
  CountedFn counted;
};

constexpr PhiloxImpl PORTABLE{{keyed_portable<PAIRS / 4>, keyed_portable<PAIRS / 2>, keyed_portable<PAIRS>},
                              philox_portable_counted};
#ifdef CRADLE_X86_PATHS
constexpr PhiloxImpl AVX2{{keyed_avx2<PAIRS / 4>, keyed_avx2<PAIRS / 2>, keyed_avx2<PAIRS>}, philox_avx2_counted};
constexpr PhiloxImpl AVX512{{keyed_avx512<PAIRS / 4>, keyed_avx512<PAIRS / 2>, keyed_avx512<PAIRS>},
                            philox_avx512_counted};
#endif

//! The implementation for a path, or null where this CPU (or build) has none.
const PhiloxImpl* philox_on(PhiloxPath path) {
  switch (path) {
    case PhiloxPath::portable: return &PORTABLE;
#ifdef CRADLE_X86_PATHS
    case PhiloxPath::avx2: return __builtin_cpu_supports("avx2") ? &AVX2 : nullptr;
    case PhiloxPath::avx512: return __builtin_cpu_supports("avx512f") ? &AVX512 : nullptr;
#endif
    default: return nullptr;
  }
}

const PhiloxImpl* fastest_philox() {
  __builtin_cpu_init();
  for (const PhiloxPath path : {PhiloxPath::avx512, PhiloxPath::avx2}) {
    if (const PhiloxImpl* impl = philox_on(path)) return impl;
  }
  return philox_on(PhiloxPath::portable);
}

// Relaxed, as it is set only by use_philox_path (tests, before any run).
std::atomic<const PhiloxImpl*> chosen{fastest_philox()};

}  // namespace

// tests/test_rng.cpp checks the batches against Random123's scalar Philox.
void draw_batch_u64(std::uint32_t seed, std::uint32_t replication, std::uint32_t first, std::size_t n,
                    std::uint16_t year, stream::Id purpose, std::uint64_t* word01, std::uint64_t* word23) {
  const std::uint32_t year_purpose = (static_cast<std::uint32_t>(year) << 16) | static_cast<std::uint32_t>(purpose);
  chosen.load(std::memory_order_relaxed)->counted(seed, replication, first, year_purpose, Words{n, word01, word23});
}

void draw_keyed_batch_u64(std::uint32_t seed, std::uint32_t replication, const std::uint32_t* entity,
                          const std::uint32_t* aux, std::size_t n, std::uint16_t year, stream::Id purpose,
                          std::uint32_t draw, std::uint64_t* word01, std::uint64_t* word23) {
  if (n <= SCALAR_KEYS) {  // the two words are the key's stream's first two draws
    for (std::size_t i = 0; i < n; ++i) {
      KeyedStream stream(seed, replication, StreamKey{entity[i], aux[i], year, purpose}, draw);
      word01[i] = stream.next_u64();
      if (word23 != nullptr) word23[i] = stream.next_u64();
    }
    return;
  }
  const std::uint32_t year_purpose = (static_cast<std::uint32_t>(year) << 16) | static_cast<std::uint32_t>(purpose);
  chosen.load(std::memory_order_relaxed)
      ->keyed[keyed_size(n)](seed, replication, KeyedCounters{entity, aux, n, year_purpose, draw},
                             Words{n, word01, word23});
}

bool use_philox_path(PhiloxPath path) {
  const PhiloxImpl* impl = philox_on(path);
  if (impl == nullptr) return false;
  chosen.store(impl, std::memory_order_relaxed);
  return true;
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
