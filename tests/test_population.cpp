#include <tbb/task_arena.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <map>
#include <numeric>
#include <thread>

#include <sys/mman.h>
#include <unistd.h>

#include "models/fertility.h"
#include "sim/population/column_memory.h"
#include "sim/population/parallel_steps.h"
#include "sim/population/population.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::default_population;
using cradle::testing::default_scenario;

TEST_CASE("the base population is generated deterministically from the seed", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation a = generate_population(s.profile, s.start_year, 7, 0.05);
  const BasePopulation b = generate_population(s.profile, s.start_year, 7, 0.05);
  const BasePopulation c = generate_population(s.profile, s.start_year, 8, 0.05);
  REQUIRE(a.household_size == b.household_size);
  REQUIRE(a.woman_parity == b.woman_parity);
  REQUIRE(a.child_birth_month == b.child_birth_month);
  REQUIRE(a.child_birth_month != c.child_birth_month);
}

TEST_CASE("the base population is the same on one thread and on two", "[population][reproducibility]") {
  const Scenario& s = default_scenario();
  // Large enough that every step splits its work: several chunks of every record type and
  // several parts of every random order.
  auto on = [&](int threads) {
    tbb::task_arena arena(threads);
    BasePopulation p;
    arena.execute([&] { p = generate_population(s.profile, s.start_year, 11); });
    return p;
  };
  const BasePopulation one = on(1), two = on(2);
  REQUIRE(one.others() > 4 * generation::CHUNK);
  REQUIRE(one.households() > std::size_t{2} << 16);
  REQUIRE(one.persons == two.persons);
  REQUIRE(one.household_size == two.household_size);
  REQUIRE(one.household_income_band == two.household_income_band);
  REQUIRE(one.household_employment == two.household_employment);
  REQUIRE(one.household_tenure == two.household_tenure);
  REQUIRE(one.household_flags == two.household_flags);
  REQUIRE(one.household_arrival == two.household_arrival);
  REQUIRE(one.household_departure == two.household_departure);
  REQUIRE(one.woman_household == two.woman_household);
  REQUIRE(one.woman_birth_year == two.woman_birth_year);
  REQUIRE(one.woman_parity == two.woman_parity);
  REQUIRE(one.woman_flags == two.woman_flags);
  REQUIRE(one.child_household == two.child_household);
  REQUIRE(one.child_birth_month == two.child_birth_month);
  REQUIRE(one.child_birth_order == two.child_birth_order);
  REQUIRE(one.child_mother == two.child_mother);
  REQUIRE(one.child_sex == two.child_sex);
  REQUIRE(one.child_woman == two.child_woman);
  REQUIRE(one.person_household == two.person_household);
  REQUIRE(one.person_birth_year == two.person_birth_year);
  REQUIRE(one.person_sex == two.person_sex);
  REQUIRE(one.blocks.size() == two.blocks.size());
  for (std::size_t b = 0; b < one.blocks.size(); ++b) {
    REQUIRE(one.blocks[b].woman_begin == two.blocks[b].woman_begin);
    REQUIRE(one.blocks[b].child_begin == two.blocks[b].child_begin);
    REQUIRE(one.blocks[b].person_begin == two.blocks[b].person_begin);
  }
  check_population(two);
}

TEST_CASE("transient memory: large buffers start on a huge-page boundary, are writable whole, and are not kept",
          "[population][unit]") {
  namespace cm = column_memory;
  cm::trim();
  constexpr std::size_t HUGE_PAGE = std::size_t{2} << 20;
  // Across a page boundary and at an odd size: the whole of it writable, from the boundary
  // (under AddressSanitizer, from operator new, aligned as it aligns).
#ifdef __SANITIZE_ADDRESS__
  constexpr std::size_t BOUNDARY = alignof(std::max_align_t);
#else
  constexpr std::size_t BOUNDARY = HUGE_PAGE;
#endif
  for (const std::size_t bytes : {HUGE_PAGE, 3 * HUGE_PAGE + 4097, 9 * HUGE_PAGE - 1}) {
    auto* const p = static_cast<unsigned char*>(cm::acquire_transient(bytes));
    REQUIRE(reinterpret_cast<std::uintptr_t>(p) % BOUNDARY == 0);
    std::memset(p, 0xA5, bytes);
    REQUIRE(p[0] == 0xA5);
    REQUIRE(p[bytes - 1] == 0xA5);
    cm::release_transient(p, bytes);
  }
  // A small one comes from operator new, aligned for any value.
  void* const small = cm::acquire_transient(100);
  REQUIRE(reinterpret_cast<std::uintptr_t>(small) % alignof(std::max_align_t) == 0);
  cm::release_transient(small, 100);
  REQUIRE(cm::kept_bytes() == 0);  // nothing transient is kept for reuse
}

TEST_CASE("column memory hands a released large block to the next request of about its size", "[population][unit]") {
  namespace cm = column_memory;
  cm::trim();
  const std::size_t large = 4 * cm::LARGE_BYTES;
  void* a = cm::acquire(large);
  REQUIRE(reinterpret_cast<std::uintptr_t>(a) % 64 == 0);
  std::memset(a, 1, large);  // all of it is writable
  REQUIRE(cm::kept_bytes() == 0);
  cm::release(a, large);
  REQUIRE(cm::kept_bytes() == large);
  // More than an eighth above the kept block: a new block; within an eighth below: the kept one.
  void* bigger = cm::acquire(large + large / 4);
  REQUIRE(bigger != a);
  void* smaller = cm::acquire(large - large / 16);
  REQUIRE(smaller == a);
  REQUIRE(cm::kept_bytes() == 0);
  cm::release(smaller, large - large / 16);  // its capacity, not the request, is kept
  cm::release(bigger, large + large / 4);
  REQUIRE(cm::kept_bytes() == large + large + large / 4);
  // A small request is not kept; trim gives every kept block back.
  cm::release(cm::acquire(64), 64);
  REQUIRE(cm::trim() == large + large + large / 4);
  REQUIRE(cm::kept_bytes() == 0);
  // What a Generating thread releases goes back at once; once it is gone, it is kept again.
  {
    const cm::Generating generating;
    cm::release(cm::acquire(large), large);
    REQUIRE(cm::kept_bytes() == 0);
  }
  cm::release(cm::acquire(large), large);
  REQUIRE(cm::trim() == large);
  // trim_own gives back what this thread released, and leaves another thread's block waiting.
  std::thread([&] { cm::release(cm::acquire(large), large); }).join();
  cm::release(cm::acquire(2 * large), 2 * large);
  REQUIRE(cm::kept_bytes() == 3 * large);
  REQUIRE(cm::trim_own() == 2 * large);
  REQUIRE(cm::kept_bytes() == large);
  REQUIRE(cm::trim_own() == 0);
  REQUIRE(cm::trim() == large);
  // A new large block is resident before it is written, where the kernel populates a range
  // on request (Linux 5.14 on); an older one faults it in as it is written.
  void* fresh = cm::acquire(large);
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  auto* const first = reinterpret_cast<char*>((reinterpret_cast<std::uintptr_t>(fresh) + page - 1) / page * page);
  std::vector<unsigned char> resident(large / page - 1);
  REQUIRE(mincore(first, resident.size() * page, resident.data()) == 0);
  void* probe = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(probe != MAP_FAILED);
  if (madvise(probe, page, MADV_POPULATE_WRITE) == 0) {
    REQUIRE(std::all_of(resident.begin(), resident.end(), [](unsigned char r) { return (r & 1) != 0; }));
  }
  munmap(probe, page);
  cm::release(fresh, large);
  cm::trim();
  // A column keeps its values through growth on this memory.
  Column<std::uint32_t> column;
  for (std::uint32_t i = 0; i < 1'000'000; ++i) column.push_back(i);
  REQUIRE(std::accumulate(column.begin(), column.end(), std::uint64_t{0}) == 999'999ull * 1'000'000ull / 2);
  cm::trim();
}

TEST_CASE("arrivals are appended into columns sized for them, not grown by doubling", "[population]") {
  // A column's pages are resident from its acquisition (column_memory::acquire): room
  // left by growth by doubling would be resident memory too.
  Scenario s = default_scenario();
  s.profile.net_migration_per_1000 = 8;
  const BasePopulation pop = generate_population(s.profile, s.start_year, 5, 0.05);
  REQUIRE(pop.households() > pop.blocks.size());
  REQUIRE(pop.household_arrival.back() > s.start_year);
  auto exact = [](const auto& column) { return column.capacity() == column.size(); };
  CHECK(exact(pop.household_size));
  CHECK(exact(pop.household_income_band));
  CHECK(exact(pop.household_employment));
  CHECK(exact(pop.household_tenure));
  CHECK(exact(pop.household_flags));
  CHECK(exact(pop.household_arrival));
  CHECK(exact(pop.household_departure));
  CHECK(exact(pop.woman_household));
  CHECK(exact(pop.woman_birth_year));
  CHECK(exact(pop.woman_parity));
  CHECK(exact(pop.woman_flags));
  // The children's columns keep the room the burn-in reserved for its births (a few
  // standard deviations of their number), far below what a doubling leaves.
  auto births_room = [](const auto& column) { return column.capacity() - column.size() <= column.size() / 8 + 64; };
  CHECK(births_room(pop.child_household));
  CHECK(births_room(pop.child_birth_month));
  CHECK(births_room(pop.child_birth_order));
  CHECK(births_room(pop.child_mother));
  CHECK(births_room(pop.child_sex));
  CHECK(births_room(pop.child_woman));
  CHECK(exact(pop.person_household));
  CHECK(exact(pop.person_birth_year));
  CHECK(exact(pop.person_sex));
}

TEST_CASE("a keyed random order: each class's indices once, class by class", "[population]") {
  const std::size_t n = 300000;
  std::vector<std::uint8_t> cls(n);
  for (std::size_t i = 0; i < n; ++i) cls[i] = static_cast<std::uint8_t>(i % 7 == 0 ? 9 : i % 3);  // 9: left out
  auto as_vector = [](const generation::Buffer<std::uint32_t>& b) {
    return std::vector<std::uint32_t>(b.begin(), b.end());
  };
  const std::vector<std::uint32_t> order =
      as_vector(generation::KeyedOrder(n, 5, stream::PERSON_HOUSEHOLD, 3, cls, 3).order());
  const generation::KeyedOrder again(n, 5, stream::PERSON_HOUSEHOLD, 3, cls, 3);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) kept += cls[i] < 3;
  REQUIRE(order.size() == kept);
  REQUIRE(again.class_begin(3) == kept);
  std::vector<std::uint8_t> seen(n, 0);
  for (std::size_t p = 0; p < order.size(); ++p) {
    const std::uint32_t i = order[p];
    REQUIRE(cls[i] < 3);
    REQUIRE(seen[i] == 0);
    seen[i] = 1;
    REQUIRE(p >= again.class_begin(cls[i]));  // class by class
    REQUIRE(p < again.class_begin(cls[i] + 1u));
  }
  // Shuffled within buckets: consecutive places hold increasing indices half the time
  // (without the shuffle, nearly always).
  std::size_t rising = 0;
  for (std::size_t p = 1; p < order.size(); ++p) rising += order[p] > order[p - 1];
  REQUIRE(static_cast<double>(rising) / static_cast<double>(order.size() - 1) == Approx(0.5).margin(0.01));
  // Another number, another order.
  REQUIRE(as_vector(generation::KeyedOrder(n, 5, stream::PERSON_HOUSEHOLD, 4, cls, 3).order()) != order);
}

TEST_CASE("a keyed random order of four is uniform over the 24 permutations", "[population]") {
  std::map<std::vector<std::uint32_t>, int> count;
  const int seeds = 4800;
  for (int seed = 0; seed < seeds; ++seed) {
    const generation::Buffer<std::uint32_t> order =
        generation::KeyedOrder(4, static_cast<std::uint32_t>(seed), stream::HOUSEHOLD_TYPE, 0).order();
    count[std::vector<std::uint32_t>(order.begin(), order.end())]++;
  }
  REQUIRE(count.size() == 24);
  double chi2 = 0;
  const double expected = seeds / 24.0;
  for (const auto& [order, k] : count) chi2 += (k - expected) * (k - expected) / expected;
  REQUIRE(chi2 < 49.7);  // 23 degrees of freedom, p = 0.001
}

namespace {

//! The labels a deal gives places 0 … N-1, dealt in an arena of `threads`.
std::vector<std::uint16_t> dealt(const std::vector<std::uint32_t>& counts, std::uint32_t seed, std::uint16_t number,
                                 int threads = 1) {
  std::vector<std::uint16_t> label(std::accumulate(counts.begin(), counts.end(), std::size_t{0}), 0xFFFF);
  std::vector<std::uint8_t> visits(label.size(), 0);
  tbb::task_arena arena(threads);
  arena.execute([&] {
    generation::KeyedDeal(counts, seed, stream::HOUSEHOLD_TYPE, number).each_place([&](std::size_t p, std::uint16_t j) {
      label[p] = j;
      visits[p]++;
    });
  });
  REQUIRE(std::all_of(visits.begin(), visits.end(), [](std::uint8_t v) { return v == 1; }));  // each place once
  return label;
}

}  // namespace

TEST_CASE("a keyed deal gives each label its count, the same on any number of threads", "[population]") {
  // Several buckets, several runs of copies per label, and labels with no copy.
  const std::vector<std::uint32_t> counts{700000, 0, 3, 1500000, 1, 250000, 0};
  const std::vector<std::uint16_t> one = dealt(counts, 5, 2, 1), two = dealt(counts, 5, 2, 2);
  REQUIRE(generation::KeyedDeal::bucket_bits(one.size()) >= 7);
  REQUIRE(one == two);
  std::vector<std::size_t> got(counts.size(), 0);
  for (std::uint16_t j : one) got[j]++;
  for (std::size_t j = 0; j < counts.size(); ++j) REQUIRE(got[j] == counts[j]);
  // Spread over the places: label 3's share of each tenth of them is its share of all,
  // within 5 standard errors of a hypergeometric count (the shuffle within buckets and the
  // buckets' sizes both at work).
  const double n = static_cast<double>(one.size()), share = counts[3] / n, tenth = n / 10;
  for (int t = 0; t < 10; ++t) {
    const auto b = static_cast<std::size_t>(t * tenth), e = static_cast<std::size_t>((t + 1) * tenth);
    const auto k = static_cast<double>(std::count(one.begin() + b, one.begin() + e, 3));
    REQUIRE(std::abs(k - share * tenth) < 5 * std::sqrt(tenth * share * (1 - share)));
  }
  // Neighbours: the next place holds label 3 as often after a 3 as after anything else.
  double after3 = 0, threes = 0;
  for (std::size_t p = 0; p + 1 < one.size(); ++p) {
    if (one[p] != 3) continue;
    ++threes;
    after3 += one[p + 1] == 3;
  }
  const double q = (counts[3] - 1) / (n - 1);
  REQUIRE(std::abs(after3 - q * threes) < 5 * std::sqrt(threes * q * (1 - q)));
  REQUIRE(dealt(counts, 5, 3) != one);  // another number, another deal
  REQUIRE(dealt({}, 5, 0).empty());
  // Copies of one label only (the others none): every place has it, on any number of threads.
  const std::vector<std::uint16_t> alike = dealt({0, 300000, 0}, 5, 2, 2);
  REQUIRE(alike.size() == 300000);
  REQUIRE(std::all_of(alike.begin(), alike.end(), [](std::uint16_t j) { return j == 1; }));
}

TEST_CASE("a keyed deal of 2, 1 and 1 copies is uniform over the 12 arrangements", "[population]") {
  std::map<std::vector<std::uint16_t>, int> count;
  const int seeds = 4800;
  for (int seed = 0; seed < seeds; ++seed) count[dealt({2, 1, 1}, static_cast<std::uint32_t>(seed), 0)]++;
  REQUIRE(count.size() == 12);
  double chi2 = 0;
  const double expected = seeds / 12.0;
  for (const auto& [arrangement, k] : count) chi2 += (k - expected) * (k - expected) / expected;
  REQUIRE(chi2 < 31.3);  // 11 degrees of freedom, p = 0.001
}

namespace {

//! Entity e's bits by shared_draws' definition, from its block's scalar stream.
template <unsigned share>
std::uint64_t shared_bits(std::uint32_t seed, std::size_t e, std::uint16_t year, stream::Id purpose) {
  KeyedStream s(seed, stream::GENERATION_REPLICATION,
                StreamKey{static_cast<std::uint32_t>(e / share), 0, year, purpose});
  const std::uint64_t words[2] = {s.next_u64(), s.next_u64()};
  constexpr unsigned bits = 128 / share;
  const unsigned k = static_cast<unsigned>(e % share), per_word = share == 1 ? 1 : share / 2;
  const std::uint64_t word = words[k / per_word];
  return bits == 64 || share == 1 ? word : word >> (bits * (per_word - 1 - k % per_word)) << (64 - bits);
}

template <unsigned share>
void check_shared_draws() {
  // Ranges that start and end inside a block, span a batch's end, or lie within one block.
  const std::size_t firsts[] = {0, 1, 3, 5, 64 * share - 1, 1000};
  const std::size_t counts[] = {1, 2, 7, 64 * share + 3, 3 * 64 * share + 5};
  std::vector<std::uint64_t> out(4 * 64 * share);
  for (const std::size_t first : firsts) {
    for (const std::size_t count : counts) {
      generation::shared_draws<share>(7u, first, count, 2019, stream::BIRTH, out.data());
      for (std::size_t i = 0; i < count; ++i) {
        INFO("share " << share << ", first " << first << ", count " << count << ", entity " << first + i);
        REQUIRE(out[i] == shared_bits<share>(7u, first + i, 2019, stream::BIRTH));
      }
    }
  }
}

}  // namespace

TEST_CASE("shared draws give each entity its piece of its block, however a range is cut", "[population][rng]") {
  check_shared_draws<1>();
  check_shared_draws<2>();
  check_shared_draws<4>();
  check_shared_draws<8>();
}

TEST_CASE("offsets_by_chunk: each chunk's offset is what the chunks before it counted", "[population][unit]") {
  // A last chunk cut short, so that the chunks are not all alike; each counts its elements
  // divisible by 3 (a count that differs between chunks).
  const std::size_t n = 5 * generation::CHUNK + 123;
  for (const int threads : {1, 2}) {
    INFO(threads << " threads");
    generation::ChunkOffsets offsets;
    tbb::task_arena(threads).execute([&] {
      offsets = generation::offsets_by_chunk(n, [](std::size_t, std::size_t b, std::size_t e) {
        std::size_t here = 0;
        for (std::size_t i = b; i < e; ++i) here += i % 3 == 0;
        return here;
      });
    });
    REQUIRE(offsets.before.size() == 6);
    REQUIRE(offsets.total == (n + 2) / 3);
    for (std::size_t k = 0; k <= offsets.before.size(); ++k) {
      const std::size_t first = std::min(k * generation::CHUNK, n);
      REQUIRE(offsets.at(k) == (first + 2) / 3);  // the multiples of 3 below `first`
      if (k < offsets.before.size()) REQUIRE(offsets.before[k] == offsets.at(k));
    }
  }
}

TEST_CASE("radix_sort is a stable sort by the chosen bits", "[population]") {
  generation::Buffer<std::uint64_t> records(200000);
  std::uint64_t x = 88172645463325252ull;
  for (std::uint64_t& r : records) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r = x;
  }
  generation::Buffer<std::uint32_t> index(records.size());
  std::iota(index.begin(), index.end(), 0u);
  std::vector<std::uint32_t> expected(index.begin(), index.end());
  auto key = [&](std::uint32_t i) { return (records[i] >> 20) & ((std::uint64_t{1} << 25) - 1); };
  std::stable_sort(expected.begin(), expected.end(), [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  generation::Buffer<std::uint64_t> sorted(records.size());
  std::copy(records.begin(), records.end(), sorted.begin());
  generation::radix_sort(sorted, &index, 20, 45);
  REQUIRE(std::vector<std::uint32_t>(index.begin(), index.end()) == expected);
  for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == records[expected[i]]);
}

TEST_CASE("the base population matches the profile's totals", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  // Residents: the profile's persons within 1 % (the burn-in's children stand in for the
  // structure's ages 0-6).
  REQUIRE(std::fabs(static_cast<double>(p.persons) / s.profile.persons - 1.0) < 0.01);
  REQUIRE(p.persons == static_cast<std::int64_t>(count_residents(p)));
  // Women of completed ages 15–49 on 1 January: exactly the profile's counts, up to rounding per group.
  const auto& females = s.profile.residents_per_1000[static_cast<std::size_t>(Sex::female)];
  double expected_15_49 = 0;
  for (int g = 3; g <= LAST_WOMAN_GROUP; ++g) expected_15_49 += females[g] * s.profile.persons / 1000;
  const auto women_15_49 = std::count_if(p.woman_birth_year.begin(), p.woman_birth_year.end(), [&](std::int16_t by) {
    const int completed = s.start_year - 1 - by;
    return completed >= 15 && completed <= 49;
  });
  REQUIRE(std::fabs(static_cast<double>(women_15_49) - expected_15_49) <= LAST_WOMAN_GROUP);
  // Children born in the burn-in years: the profile's observed births of those years, within 4 standard errors
  // (Poisson-binomial ≤ √n).
  double expected_children = 0;
  for (int year = s.start_year - BURN_IN_YEARS; year < s.start_year; ++year) {
    expected_children += s.profile.observed.births.at(year).value;
  }
  REQUIRE(std::fabs(static_cast<double>(p.children()) - expected_children) < 4 * std::sqrt(expected_children));
}

TEST_CASE("every resident: the profile's residents by sex and age group, each in a household with an adult",
          "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  std::array<std::array<double, AGE_SEX_GROUPS>, SEXES> count{};
  int oldest = 0;
  auto add = [&](std::uint8_t sex, int birth_year) {
    const int completed = s.start_year - 1 - birth_year;  // on 1 January of the first year
    oldest = std::max(oldest, completed);
    count[sex][static_cast<std::size_t>(std::min(completed / 5, AGE_SEX_GROUPS - 1))] += 1;
  };
  for (std::size_t w = 0; w < p.women(); ++w) {
    if (s.start_year - p.woman_birth_year[w] >= YOUNGEST_WOMAN_AGE) add(1, p.woman_birth_year[w]);
  }
  for (std::size_t i = 0; i < p.others(); ++i) add(p.person_sex[i], p.person_birth_year[i]);
  // Ages 10 and over come from the structure, in exact counts up to rounding (younger ones
  // from the burn-in's births).
  for (std::size_t sex = 0; sex < SEXES; ++sex) {
    for (std::size_t g = 2; g < AGE_SEX_GROUPS; ++g) {
      INFO("sex " << sex << ", age group " << g);
      REQUIRE(std::fabs(count[sex][g] - s.profile.persons * s.profile.residents_per_1000[sex][g] / 1000) <= 1);
    }
  }
  REQUIRE(oldest < OLDEST_AGE);
  REQUIRE(oldest >= 95);  // the open group reaches the very old
  // Every child record has a sex; each girl of the burn-in has her woman record.
  const auto girls = std::count(p.child_sex.begin(), p.child_sex.end(), static_cast<std::uint8_t>(Sex::female));
  const auto linked = std::count_if(p.child_woman.begin(), p.child_woman.end(), [](std::uint32_t w) { return w != NO_WOMAN; });
  REQUIRE(girls == linked);
  const double girl_share = static_cast<double>(girls) / static_cast<double>(p.children());
  REQUIRE(girl_share == Approx(100.0 / (100.0 + s.profile.sex_ratio_at_birth)).margin(0.01));
  // Every household has someone aged 20 or over.
  std::vector<bool> adult(p.households(), false);
  for (std::size_t w = 0; w < p.women(); ++w) {
    if (s.start_year - p.woman_birth_year[w] >= 20) adult[p.woman_household[w]] = true;
  }
  for (std::size_t i = 0; i < p.others(); ++i) {
    if (s.start_year - p.person_birth_year[i] >= 20) adult[p.person_household[i]] = true;
  }
  REQUIRE(std::count(adult.begin(), adult.end(), false) == 0);
}

TEST_CASE("women and children are sorted by household and blocks cover them exactly", "[population]") {
  const BasePopulation& p = default_population();
  REQUIRE(std::is_sorted(p.woman_household.begin(), p.woman_household.end()));
  REQUIRE(std::is_sorted(p.child_household.begin(), p.child_household.end()));
  std::uint32_t h = 0, w = 0, c = 0;
  for (const HouseholdBlock& b : p.blocks) {
    REQUIRE(b.household_begin == h);
    REQUIRE(b.woman_begin == w);
    REQUIRE(b.child_begin == c);
    for (std::uint32_t i = b.woman_begin; i < b.woman_end; ++i) {
      REQUIRE(p.woman_household[i] >= b.household_begin);
      REQUIRE(p.woman_household[i] < b.household_end);
    }
    h = b.household_end;
    w = b.woman_end;
    c = b.child_end;
  }
  REQUIRE(h == p.households());
  REQUIRE(w == p.women());
  REQUIRE(c == p.children());
  // Every child lives with its mother, and its order is her parity at its birth.
  for (std::size_t i = 0; i < p.children(); ++i) {
    REQUIRE(p.woman_household[p.child_mother[i]] == p.child_household[i]);
    REQUIRE(p.child_birth_order[i] >= 1);
    REQUIRE(p.child_birth_order[i] <= p.woman_parity[p.child_mother[i]]);
  }
}

TEST_CASE("women aged 20 and over head distinct households at random, and girls live with women aged 32-49",
          "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const int y = s.start_year;
  std::vector<std::uint8_t> heads(p.households(), 0), mothers(p.households(), 0), girls(p.households(), 0);
  for (std::size_t w = 0; w < p.women(); ++w) {
    const int age = y - p.woman_birth_year[w];
    const std::uint32_t h = p.woman_household[w];
    if (w > 0 && p.woman_household[w - 1] == h) REQUIRE(p.woman_birth_year[w - 1] <= p.woman_birth_year[w]);
    if (age >= 20) heads[h]++;
    if (age >= 32) mothers[h]++;
    if (age >= YOUNGEST_WOMAN_AGE && age < 20) girls[h]++;
  }
  double headed[2] = {0, 0}, households[2] = {0, 0}, with_girls = 0, n_mothers = 0, n_girls = 0;
  for (std::size_t h = 0; h < p.households(); ++h) {
    REQUIRE(heads[h] <= 1);
    if (girls[h] > 0) REQUIRE(mothers[h] == 1);
    const int c = p.household_size[h] == 2 ? 0 : p.household_size[h] >= 4 ? 1 : -1;
    if (c >= 0) {
      households[c]++;
      headed[c] += heads[h];
    }
    n_mothers += mothers[h];
    n_girls += girls[h];
    with_girls += girls[h] > 0;
  }
  // The households of two or more persons first: here there are fewer adult women than such
  // households, so no one-person household has one.
  for (std::size_t h = 0; h < p.households(); ++h) {
    if (p.household_size[h] < 2) REQUIRE(heads[h] == 0);
  }
  // Headed at random within them: the shares for two persons and for four or more agree,
  // within 5 standard errors.
  const double share = (headed[0] + headed[1]) / (households[0] + households[1]);
  const double se = std::sqrt(share * (1 - share) * (1 / households[0] + 1 / households[1]));
  REQUIRE(std::fabs(headed[0] / households[0] - headed[1] / households[1]) < 5 * se);
  // Each girl chooses her mother independently: the mothers without a girl are a share
  // (1 - 1/M)^G of them, within 5 standard errors (binomial, a little wider than the truth).
  const double none = std::pow(1 - 1 / n_mothers, n_girls);
  REQUIRE(std::fabs((n_mothers - with_girls) / n_mothers - none) < 5 * std::sqrt(none * (1 - none) / n_mothers));
  // Households of six persons only: fewer households than women aged 20-49, refused.
  PlaceProfile crowded = s.profile;
  crowded.household_size_shares = {0, 0, 0, 0, 0, 1};
  REQUIRE_THROWS_WITH(generate_population(crowded, y, 1, 0.02), Catch::Contains("more women aged 20-49"));
}

TEST_CASE("residents beyond the households' places are each written once, on any number of threads", "[population]") {
  const Scenario& s = default_scenario();
  // Residents aged 20 and over a fifth more than the structure says, in households of one
  // and two persons: the residents outnumber the places, and those past them go to random
  // households (extra_residents), a path the shipped profiles hardly take.
  PlaceProfile crowded = s.profile;
  for (auto& by_age : crowded.residents_per_1000) {
    for (std::size_t g = 4; g < AGE_SEX_GROUPS; ++g) by_age[g] *= 1.2;
  }
  PlaceProfile small = crowded;
  small.household_size_shares = {0.5, 0.5, 0, 0, 0, 0};
  const double scale = 0.25;  // still several chunks of every record type
  auto on = [&](const PlaceProfile& profile, int threads) {
    tbb::task_arena arena(threads);
    BasePopulation p;
    arena.execute([&] { p = generate_population(profile, s.start_year, 5, scale); });
    return p;
  };
  const BasePopulation one = on(small, 1), two = on(small, 2);
  REQUIRE(one.others() > 4 * generation::CHUNK);
  check_population(one);
  // Chunks write ahead of their place and are overwritten later: whatever order the
  // chunks run in, the same records.
  REQUIRE(one.person_household == two.person_household);
  REQUIRE(one.person_birth_year == two.person_birth_year);
  REQUIRE(one.person_sex == two.person_sex);
  // Women and children fill each household first; without a resident past the places, the
  // others would be its head where no adult woman lives there, and fill what is left.
  std::vector<int> members(one.households(), 0), others(one.households(), 0), adult(one.households(), 0);
  for (std::size_t w = 0; w < one.women(); ++w) {
    const int age = s.start_year - one.woman_birth_year[w];
    if (age >= YOUNGEST_WOMAN_AGE) members[one.woman_household[w]]++;
    if (age >= 20) adult[one.woman_household[w]] = 1;
  }
  for (std::size_t c = 0; c < one.children(); ++c) members[one.child_household[c]]++;
  for (std::size_t i = 0; i < one.others(); ++i) others[one.person_household[i]]++;
  std::size_t beyond = 0;
  for (std::size_t h = 0; h < one.households(); ++h) {
    const int head = 1 - adult[h];
    beyond += others[h] > head + std::max(0, one.household_size[h] - members[h] - head);
  }
  REQUIRE(beyond > 100);
  // The other residents do not depend on the households: the same people as with the
  // profile's own sizes, each written once (by birth year and sex).
  const BasePopulation own = on(crowded, 2);
  auto people = [](const BasePopulation& p) {
    std::map<std::pair<int, int>, std::size_t> n;
    for (std::size_t i = 0; i < p.others(); ++i) n[{p.person_birth_year[i], p.person_sex[i]}]++;
    return n;
  };
  REQUIRE(one.others() == own.others());
  REQUIRE(people(one) == people(own));
}

TEST_CASE("fertility is calibrated to the profile's first-year births and order shares", "[population][fertility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const FertilityTable t =
      calibrate_fertility(s.profile.fertility, s.profile.births, p.woman_birth_year, p.woman_parity, s.start_year);
  REQUIRE(expected_births(t, p.woman_birth_year, p.woman_parity, s.start_year) ==
          Approx(s.profile.births).epsilon(1e-9));
  // Births of order 2 come from women of parity 1, in the profile's share.
  double order2 = 0;
  for (std::size_t i = 0; i < p.women(); ++i) {
    if (p.woman_parity[i] == 1) order2 += t.p(s.start_year - p.woman_birth_year[i], 1);
  }
  REQUIRE(order2 == Approx(s.profile.births * s.profile.fertility.order_shares[1]).epsilon(1e-9));
  // Nobody outside 15–49 gives birth.
  REQUIRE(t.p(14, 0) == 0);
  REQUIRE(t.p(50, 1) == 0);
}

TEST_CASE("calibration refuses impossible targets", "[fertility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  REQUIRE_THROWS_AS(calibrate_fertility(s.profile.fertility, 1e7, p.woman_birth_year, p.woman_parity, s.start_year),
                    std::invalid_argument);
}

TEST_CASE("girls born in the burn-in are women too, so long horizons keep their mothers", "[population]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  std::size_t girls = 0;
  for (std::size_t i = 0; i < p.women(); ++i) {
    if (s.start_year - p.woman_birth_year[i] < YOUNGEST_WOMAN_AGE) {
      ++girls;
      REQUIRE(p.woman_parity[i] == 0);
    }
  }
  // Girls are 100 / (100 + 111.3) of births.
  const double expected = static_cast<double>(p.children()) * 100.0 / 211.3;
  REQUIRE(std::fabs(static_cast<double>(girls) - expected) < 4 * std::sqrt(expected));
}

TEST_CASE("check_population: each girl's woman record is hers alone, and every girl has one", "[population]") {
  const BasePopulation& p = default_population();
  check_population(p);
  std::vector<std::size_t> girls;  // child records with a woman record
  for (std::size_t c = 0; c < p.children() && girls.size() < 2; ++c) {
    if (p.child_woman[c] != NO_WOMAN) girls.push_back(c);
  }
  REQUIRE(girls.size() == 2);
  {
    BasePopulation unlinked = p;  // a girl's woman record that no child record points at
    unlinked.child_woman[girls[0]] = NO_WOMAN;
    REQUIRE_THROWS_WITH(check_population(unlinked), Catch::Contains("a girl's woman record has no child record"));
  }
  {
    BasePopulation shared = p;  // two girls pointing at one woman record
    shared.child_woman[girls[1]] = shared.child_woman[girls[0]];
    REQUIRE_THROWS_WITH(check_population(shared), Catch::Contains("a girl's woman record is not hers"));
  }
  {
    BasePopulation older = p;  // a girl's woman record aged YOUNGEST_WOMAN_AGE in the first year
    older.woman_birth_year[older.child_woman[girls[0]]] =
        static_cast<std::int16_t>(older.base_year - YOUNGEST_WOMAN_AGE);
    REQUIRE_THROWS_WITH(check_population(older), Catch::Contains("a girl's woman record is not hers"));
  }
}

TEST_CASE("sort_by_household keeps the order of equals and follows the mothers", "[population]") {
  BasePopulation pop;
  // Women: household, birth year (two equal keys in household 0 keep their order).
  pop.woman_household = {1, 0, 0, 0};
  pop.woman_birth_year = {1990, 1995, 1980, 1995};
  pop.woman_parity = {1, 2, 3, 4};
  pop.woman_flags = {0, 0, 0, 0};
  pop.child_household = {1, 0, 0};
  pop.child_birth_month = {month_index(2020, 5), month_index(2021, 1), month_index(2019, 3)};
  pop.child_birth_order = {1, 2, 1};
  pop.child_mother = {0, 1, NO_MOTHER};
  pop.child_sex = {1, 0, 1};
  pop.child_woman = {NO_WOMAN, NO_WOMAN, 3};  // (a girl's own record, to test that it follows)
  pop.person_household = {1, 0, 1, 0};
  pop.person_birth_year = {1950, 1960, 1970, 1980};
  pop.person_sex = {0, 1, 0, 1};
  sort_by_household(pop);
  REQUIRE(pop.woman_household == Column<std::uint32_t>{0, 0, 0, 1});
  REQUIRE(pop.woman_parity == Column<std::uint8_t>{3, 2, 4, 1});  // 1980, then the two 1995s in order
  REQUIRE(pop.child_household == Column<std::uint32_t>{0, 0, 1});
  REQUIRE(pop.child_birth_order == Column<std::uint8_t>{1, 2, 1});
  REQUIRE(pop.child_mother == Column<std::uint32_t>{NO_MOTHER, 1, 3});
  REQUIRE(pop.child_sex == Column<std::uint8_t>{1, 0, 1});
  REQUIRE(pop.child_woman == Column<std::uint32_t>{2, NO_WOMAN, NO_WOMAN});
  REQUIRE(pop.person_household == Column<std::uint32_t>{0, 0, 1, 1});
  REQUIRE(pop.person_birth_year == Column<std::int16_t>{1960, 1980, 1950, 1970});
}

TEST_CASE("sort_by_household follows a mother who lives in another household", "[population]") {
  BasePopulation pop;
  pop.woman_household = {2, 0, 1};
  pop.woman_birth_year = {1990, 1991, 1992};
  pop.woman_parity = {1, 1, 0};
  pop.woman_flags = {0, 0, 0};
  pop.child_household = {0, 2};
  pop.child_birth_month = {month_index(2020, 1), month_index(2021, 1)};
  pop.child_birth_order = {1, 1};
  pop.child_mother = {0, 1};  // the first child's mother lives in household 2, the second's in 0
  pop.child_sex = {0, 0};
  pop.child_woman = {NO_WOMAN, NO_WOMAN};
  sort_by_household(pop);
  REQUIRE(pop.woman_household == Column<std::uint32_t>{0, 1, 2});
  REQUIRE(pop.child_mother == Column<std::uint32_t>{2, 0});
}
