#include "sim/engine/change_sieve.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "sim/x86_paths.h"

#ifdef CRADLE_X86_PATHS
#include <immintrin.h>
#endif

namespace cradle::engine {

namespace {

static_assert(CHANGE_CLASSES == 4, "a row of windows is four classes: its index a shift");

//! A woman's class in a row of windows, by her parity (or DEAD).
constexpr std::array<std::uint8_t, 256> CHANGE_CLASS = [] {
  std::array<std::uint8_t, 256> c{};
  for (std::size_t k = 0; k < c.size(); ++k) {
    c[k] = static_cast<std::uint8_t>(k == DEAD ? PARITY_CLASSES : parity_class(static_cast<int>(k)));
  }
  return c;
}();

//! Women [begin, n) of the batch, one at a time.
std::uint64_t sieve_from(const SieveYear& year, const SieveBatch& women, std::size_t begin) {
  std::uint64_t maybe = 0;
  for (std::size_t i = begin; i < women.n; ++i) {
    const auto row = static_cast<std::size_t>(women.birth_year[i] - year.min_birth_year);
    const ChangeWindow& w = year.window[row * CHANGE_CLASSES + CHANGE_CLASS[women.parity[i]]];
    const bool may = w.admits(women.birth_u[i]) | (women.home_u[i] < year.home_any);
    maybe |= std::uint64_t{may} << i;
  }
  return maybe;
}

#ifdef CRADLE_X86_PATHS
// GCC 12 warns of the intrinsics header's own deliberately undefined vectors.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

//! Eight women's windows, women [i, i + 8) of the batch: each window's index in 32-bit
//! lanes, for both paths' gathers. The class is parity_class's, and one more for DEAD,
//! which the minimum makes the highest.
[[gnu::always_inline]] inline __attribute__((target("avx2"))) __m256i window_index(const SieveYear& year,
                                                                                   const SieveBatch& women,
                                                                                   std::size_t i) {
  std::int64_t parities;
  std::memcpy(&parities, women.parity + i, sizeof parities);
  const __m256i k = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128(parities));
  const __m256i cls = _mm256_sub_epi32(_mm256_min_epi32(k, _mm256_set1_epi32(PARITY_CLASSES - 1)),
                                       _mm256_cmpeq_epi32(k, _mm256_set1_epi32(DEAD)));
  const __m256i birth_year =
      _mm256_cvtepi16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(women.birth_year + i)));
  const __m256i row = _mm256_sub_epi32(birth_year, _mm256_set1_epi32(year.min_birth_year));
  return _mm256_add_epi32(_mm256_slli_epi32(row, 2), cls);
}

// ChangeWindow::admits in 64-bit lanes: the sum of a draw's top 32 bits and the window's
// shift, in the word's low half (a 32-bit add carries nothing into the last, in the high
// half). Shifted up, that sum is at most the word exactly when it is at most the last.
static_assert(sizeof(ChangeWindow) == 8, "a window is one word, gathered as one");

//! Four women of the AVX2 path, j … j + 3 of the batch, their windows' indexes in
//! `index`; the unsigned 64-bit comparisons made signed by flipping the sign bits. Bit i:
//! woman j + i passes.
[[gnu::always_inline]] inline __attribute__((target("avx2"))) std::uint64_t sieve_four(const SieveYear& year,
                                                                                       const SieveBatch& women,
                                                                                       std::size_t j, __m128i index) {
  const auto* const window = reinterpret_cast<const long long*>(year.window);
  const __m256i sign = _mm256_set1_epi64x(static_cast<long long>(std::uint64_t{1} << 63));
  const __m256i word = _mm256_i32gather_epi64(window, index, 8);
  const __m256i u = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(women.birth_u + j));
  const __m256i sum = _mm256_add_epi32(_mm256_srli_epi64(u, 32), word);
  const __m256i outside = _mm256_cmpgt_epi64(_mm256_xor_si256(_mm256_slli_epi64(sum, 32), sign),
                                             _mm256_xor_si256(sum, sign));  // sum's low half > its last
  const __m256i home_u = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(women.home_u + j)), sign);
  const __m256i home_any = _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(year.home_any)), sign);
  const __m256i buys = _mm256_cmpgt_epi64(home_any, home_u);  // home_u < home_any
  const __m256i may = _mm256_or_si256(_mm256_andnot_si256(outside, _mm256_set1_epi64x(-1)), buys);
  return static_cast<std::uint64_t>(_mm256_movemask_pd(_mm256_castsi256_pd(may)));
}

//! Eight women at a time, as two fours.
__attribute__((target("avx2"))) std::uint64_t sieve_avx2(const SieveYear& year, const SieveBatch& women) {
  std::uint64_t maybe = 0;
  std::size_t i = 0;
  for (; i + 8 <= women.n; i += 8) {
    const __m256i index = window_index(year, women, i);
    maybe |= sieve_four(year, women, i, _mm256_castsi256_si128(index)) << i;
    maybe |= sieve_four(year, women, i + 4, _mm256_extracti128_si256(index, 1)) << (i + 4);
  }
  return maybe | sieve_from(year, women, i);
}

//! Eight women at a time, each window gathered, with AVX-512's unsigned comparisons into
//! a mask.
__attribute__((target("avx512f"))) std::uint64_t sieve_avx512(const SieveYear& year, const SieveBatch& women) {
  const auto* const window = reinterpret_cast<const long long*>(year.window);
  const __m512i home_any = _mm512_set1_epi64(static_cast<long long>(year.home_any));
  std::uint64_t maybe = 0;
  std::size_t i = 0;
  for (; i + 8 <= women.n; i += 8) {
    const __m512i word = _mm512_i32gather_epi64(window_index(year, women, i), window, 8);
    const __m512i sum = _mm512_add_epi32(_mm512_srli_epi64(_mm512_loadu_si512(women.birth_u + i), 32), word);
    const __mmask8 admits = _mm512_cmple_epu64_mask(_mm512_slli_epi64(sum, 32), sum);
    const __mmask8 buys = _mm512_cmplt_epu64_mask(_mm512_loadu_si512(women.home_u + i), home_any);
    maybe |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(admits | buys)) << i;
  }
  return maybe | sieve_from(year, women, i);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

using Sieve = std::uint64_t (*)(const SieveYear&, const SieveBatch&);

std::uint64_t sieve_portable(const SieveYear& year, const SieveBatch& women) { return sieve_from(year, women, 0); }

//! The path's sieve, or nullptr where this CPU or build lacks it.
Sieve sieve_of(SievePath path) {
#ifdef CRADLE_X86_PATHS
  __builtin_cpu_init();
  if (path == SievePath::avx512) return __builtin_cpu_supports("avx512f") ? sieve_avx512 : nullptr;
  if (path == SievePath::avx2) return __builtin_cpu_supports("avx2") ? sieve_avx2 : nullptr;
#endif
  return path == SievePath::portable ? sieve_portable : nullptr;
}

Sieve fastest_sieve() {
  for (const SievePath path : {SievePath::avx512, SievePath::avx2}) {
    if (const Sieve sieve = sieve_of(path)) return sieve;
  }
  return sieve_portable;
}

const Sieve chosen_sieve = fastest_sieve();

}  // namespace

std::uint64_t sieve_changes(const SieveYear& year, const SieveBatch& women) { return chosen_sieve(year, women); }

std::optional<std::uint64_t> sieve_changes_on(SievePath path, const SieveYear& year, const SieveBatch& women) {
  const Sieve sieve = sieve_of(path);
  if (sieve == nullptr) return std::nullopt;
  return sieve(year, women);
}

}  // namespace cradle::engine
