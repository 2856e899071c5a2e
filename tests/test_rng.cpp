#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>

#include "sim/random/rng.h"

using namespace cradle;

TEST_CASE("a keyed stream is a pure function of its key", "[rng]") {
  const StreamKey k{17, 0, 2025, stream::BIRTH};
  KeyedStream a(42, 3, k), b(42, 3, k);
  for (int i = 0; i < 10; ++i) REQUIRE(a.next_u64() == b.next_u64());
  REQUIRE(draw_u64(42, 3, k) == KeyedStream(42, 3, k).next_u64());
}

TEST_CASE("every part of the key changes the numbers", "[rng]") {
  const StreamKey k{17, 0, 2025, stream::BIRTH};
  const std::uint64_t base = draw_u64(42, 3, k);
  std::set<std::uint64_t> seen{base};
  seen.insert(draw_u64(43, 3, k));
  seen.insert(draw_u64(42, 4, k));
  seen.insert(draw_u64(42, 3, StreamKey{18, 0, 2025, stream::BIRTH}));
  seen.insert(draw_u64(42, 3, StreamKey{17, 2025, 2025, stream::BIRTH}));
  seen.insert(draw_u64(42, 3, StreamKey{17, 0, 2026, stream::BIRTH}));
  seen.insert(draw_u64(42, 3, StreamKey{17, 0, 2025, stream::BIRTH_MONTH}));
  seen.insert(draw_u64(42, 3, k, 1));
  REQUIRE(seen.size() == 8);
}

TEST_CASE("uniform draws have the right mean and bounded integers stay in range", "[rng]") {
  KeyedStream s(1, 0, StreamKey{0, 0, 0, stream::BIRTH});
  const int n = 200000;
  double sum = 0;
  int count[12] = {};
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    count[s.below(12)]++;
  }
  // mean of U(0,1): sd of the mean is sqrt(1/12/n)
  REQUIRE(std::fabs(sum / n - 0.5) < 4 * std::sqrt(1.0 / 12 / n));
  for (int c : count) REQUIRE(std::fabs(c - n / 12.0) < 4 * std::sqrt(n / 12.0));
}

TEST_CASE("probability thresholds realise their probability", "[rng]") {
  REQUIRE(probability_threshold(0.0) == 0);
  REQUIRE(probability_threshold(-1.0) == 0);
  REQUIRE(probability_threshold(1.0) == ~std::uint64_t{0});
  REQUIRE(probability_threshold(0.5) == (std::uint64_t{1} << 63));
  const std::uint64_t t = probability_threshold(0.1);
  int hits = 0;
  const int n = 100000;
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(n); ++i) {
    hits += draw_u64(9, 0, StreamKey{i, 0, 0, stream::BIRTH}) < t;
  }
  REQUIRE(std::fabs(hits - 0.1 * n) < 4 * std::sqrt(n * 0.1 * 0.9));
}

TEST_CASE("stable_hash32 depends on the name only", "[rng]") {
  REQUIRE(stable_hash32("national_childcare_subsidy") == stable_hash32("national_childcare_subsidy"));
  REQUIRE(stable_hash32("a") != stable_hash32("b"));
  REQUIRE(stable_hash32("") == 2166136261u);
}

TEST_CASE("batched draws equal the single draws of the same keys", "[rng]") {
  std::uint64_t w01[DRAW_BATCH], w23[DRAW_BATCH];
  const PhiloxPath path = GENERATE(PhiloxPath::portable, PhiloxPath::avx2, PhiloxPath::avx512);
  if (!use_philox_path(path)) return;  // this CPU has no such path
  for (std::size_t n : {std::size_t{1}, std::size_t{17}, DRAW_BATCH}) {
    draw_batch_u64(42, 7, 1000, n, 2026, stream::BIRTH, w01, w23);
    for (std::size_t i = 0; i < n; ++i) {
      const StreamKey key{static_cast<std::uint32_t>(1000 + i), 0, 2026, stream::BIRTH};
      REQUIRE(w01[i] == draw_u64(42, 7, key));
      KeyedStream s(42, 7, key);
      s.next_u64();
      REQUIRE(w23[i] == s.next_u64());  // the second half of the same Philox block
    }
  }
}

TEST_CASE("keyed batches equal the streams of the same keys", "[rng]") {
  std::uint32_t entity[DRAW_BATCH], aux[DRAW_BATCH];
  std::uint64_t w01[DRAW_BATCH], w23[DRAW_BATCH];
  for (std::size_t i = 0; i < DRAW_BATCH; ++i) {
    entity[i] = static_cast<std::uint32_t>(977 * i + 5);
    aux[i] = i % 3 == 0 ? 0u : static_cast<std::uint32_t>(2020 + i % 7);
  }
  const PhiloxPath path = GENERATE(PhiloxPath::portable, PhiloxPath::avx2, PhiloxPath::avx512);
  if (!use_philox_path(path)) return;  // this CPU has no such path
  // Every size of batch a path computes (keys one by one, 16, 32 and 64 lanes), full and
  // just past full.
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{16}, std::size_t{17},
                        std::size_t{23}, std::size_t{32}, std::size_t{33}, DRAW_BATCH}) {
    for (std::uint32_t draw : {0u, 0xBEEFu}) {
      draw_keyed_batch_u64(42, 7, entity, aux, n, 2027, stream::CHILD_DEATH, draw, w01, w23);
      for (std::size_t i = 0; i < n; ++i) {
        const StreamKey key{entity[i], aux[i], 2027, stream::CHILD_DEATH};
        REQUIRE(w01[i] == draw_u64(42, 7, key, draw));
        KeyedStream s(42, 7, key, draw);
        DrawnBlock block(w01[i], w23[i]);
        REQUIRE(block.next_u64() == s.next_u64());
        REQUIRE(block.below(1000) == s.below(1000));  // the block's second word, as the stream's
      }
    }
  }
}

TEST_CASE("batches write their first n words only, and no second halves where none are wanted", "[rng]") {
  constexpr std::uint64_t GUARD = 0x5A5A5A5A5A5A5A5Au;
  std::uint32_t entity[DRAW_BATCH], aux[DRAW_BATCH] = {};
  for (std::size_t i = 0; i < DRAW_BATCH; ++i) entity[i] = static_cast<std::uint32_t>(31 * i + 2);
  const PhiloxPath path = GENERATE(PhiloxPath::portable, PhiloxPath::avx2, PhiloxPath::avx512);
  if (!use_philox_path(path)) return;  // this CPU has no such path
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{9}, std::size_t{16}, std::size_t{17},
                        std::size_t{40}, DRAW_BATCH - 1}) {
    INFO(n << " keys");
    std::uint64_t with[2][DRAW_BATCH], w01[DRAW_BATCH + 1], w23[DRAW_BATCH + 1];
    for (const bool keyed : {false, true}) {
      std::fill(std::begin(w01), std::end(w01), GUARD);
      std::fill(std::begin(w23), std::end(w23), GUARD);
      auto draw = [&](std::uint64_t* word01, std::uint64_t* word23) {
        if (keyed) {
          draw_keyed_batch_u64(42, 7, entity, aux, n, 2026, stream::CHILDCARE_ENROL, 0, word01, word23);
        } else {
          draw_batch_u64(42, 7, 500, n, 2026, stream::BIRTH, word01, word23);
        }
      };
      draw(with[0], with[1]);
      draw(w01, nullptr);  // the first halves alone
      REQUIRE(std::equal(w01, w01 + n, with[0]));
      REQUIRE(std::all_of(w01 + n, std::end(w01), [](std::uint64_t w) { return w == GUARD; }));
      draw(w01, w23);
      REQUIRE(std::equal(w23, w23 + n, with[1]));
      REQUIRE(std::all_of(w23 + n, std::end(w23), [](std::uint64_t w) { return w == GUARD; }));
    }
  }
}

TEST_CASE("paired draws give each entity its half of its pair's block, whatever the range", "[rng]") {
  // Ranges starting and ending on either half of a pair, within one batch and across batches.
  const std::uint32_t batch = 2 * static_cast<std::uint32_t>(DRAW_BATCH);
  for (const std::uint32_t begin : {0u, 1u, 6u, 7u, batch - 1, batch + 3}) {
    for (const std::uint32_t size : {0u, 1u, 2u, 3u, batch, batch + 1, 3 * batch + 2}) {
      INFO("entities " << begin << " to " << begin + size);
      std::uint32_t expected = begin;
      for_each_paired_u64(42, 7, begin, begin + size, stream::PERSON_DEATH, [&](std::uint32_t i, std::uint64_t u) {
        REQUIRE(i == expected++);
        KeyedStream pair(42, 7, StreamKey{i / 2, 0, 0, stream::PERSON_DEATH});
        const std::uint64_t first = pair.next_u64(), second = pair.next_u64();
        REQUIRE(u == ((i & 1u) != 0 ? second : first));
      });
      REQUIRE(expected == begin + size);
    }
  }
}
