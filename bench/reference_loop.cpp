#include "bench/reference_loop.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <vector>

#include "models/probability.h"
#include "sim/random/rng.h"

namespace cradle::bench {

namespace {

constexpr int MIN_AGE = 15, MAX_AGE = 49, PARITIES = 4;  // parity 3 stands for 3+
constexpr int LEAVING_AGE = 7;                           // children past the service ages leave the arrays
constexpr std::uint32_t SEED = 20251122;
constexpr std::int64_t YUAN = 100;  // fen

// The four measures, integer fen: a birth grant by order, a monthly allowance under 3, a
// monthly childcare subsidy for enrolled under-3s of the lower income bands, and a
// kindergarten fee reduction for enrolled second and later children aged 3–5.
enum Measure { BIRTH_GRANT, ALLOWANCE, CHILDCARE_SUBSIDY, KINDERGARTEN_FEES, MEASURES };
constexpr std::array<std::int64_t, PARITIES> GRANT_BY_ORDER = {0, 0, 5000 * YUAN, 10000 * YUAN};  // [min(order, 3)]
constexpr std::int64_t ALLOWANCE_PER_MONTH = 300 * YUAN, CHILDCARE_PER_MONTH = 500 * YUAN;
constexpr std::int64_t KINDERGARTEN_MONTHS = 10, KINDERGARTEN_PER_MONTH = 200 * YUAN;
constexpr std::uint8_t SUBSIDY_MAX_BAND = 2, FEES_MIN_ORDER = 2;

//! splitmix64's finaliser: the synthetic population from a fixed hash, the same everywhere.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct People {
  std::vector<std::uint8_t> income_band;       // [household]
  std::vector<std::uint32_t> woman_household;  // women, sorted by household
  std::vector<std::uint8_t> woman_age, woman_parity;
  std::vector<std::uint32_t> child_household;                     // children aged 0–6
  std::vector<std::uint8_t> child_age, child_month, child_order;  // month of birth 0–11
};

People synthetic(const ReferenceSize& size) {
  People p;
  const std::uint64_t H = std::max<std::size_t>(size.households, 1);
  for (std::uint64_t h = 0; h < H; ++h) p.income_band.push_back(static_cast<std::uint8_t>(mix(h) % 5));
  for (std::uint64_t i = 0; i < size.women; ++i) {
    const std::uint64_t u = mix(i | (1ull << 40));
    const auto age = static_cast<std::uint8_t>(MIN_AGE + u % (MAX_AGE - MIN_AGE + 1));
    p.woman_household.push_back(static_cast<std::uint32_t>(i * H / size.women));
    p.woman_age.push_back(age);
    p.woman_parity.push_back(static_cast<std::uint8_t>((u >> 32) % (1 + std::min(3, (age - MIN_AGE) / 8))));
  }
  for (std::uint64_t i = 0; i < size.children; ++i) {
    const std::uint64_t u = mix(i | (2ull << 40));
    p.child_household.push_back(static_cast<std::uint32_t>(i * H / size.children));
    p.child_age.push_back(static_cast<std::uint8_t>(u % LEAVING_AGE));
    p.child_month.push_back(static_cast<std::uint8_t>((u >> 8) % 12));
    p.child_order.push_back(static_cast<std::uint8_t>(1 + (u >> 16) % 3));
  }
  return p;
}

struct Thresholds {
  std::array<std::array<std::uint64_t, PARITIES>, MAX_AGE - MIN_AGE + 1> birth{};  // [age - MIN_AGE][parity]
  std::uint64_t childcare = 0, kindergarten = 0;
};

Thresholds thresholds() {
  Thresholds t;
  constexpr std::array<double, PARITIES> by_parity = {1.0, 0.6, 0.12, 0.03};
  for (int a = MIN_AGE; a <= MAX_AGE; ++a) {
    const double z = (a - 29) / 6.0;
    for (std::size_t p = 0; p < PARITIES; ++p) {
      t.birth[static_cast<std::size_t>(a - MIN_AGE)][p] = probability_threshold(0.12 * std::exp(-z * z) * by_parity[p]);
    }
  }
  t.childcare = probability_threshold(0.12);
  t.kindergarten = probability_threshold(0.85);
  return t;
}

//! One replication from `base`, in `work` (whose buffers are reused); the tallies' sum.
std::int64_t replication(const People& base, const Thresholds& t, int years, std::uint32_t r, People& work) {
  work.woman_age = base.woman_age;
  work.woman_parity = base.woman_parity;
  work.child_household = base.child_household;
  work.child_age = base.child_age;
  work.child_month = base.child_month;
  work.child_order = base.child_order;
  std::array<std::int64_t, MEASURES> fen{};
  alignas(64) std::uint64_t w01[DRAW_BATCH], w23[DRAW_BATCH];
  for (int y = 0; y < years; ++y) {
    const auto year = static_cast<std::uint16_t>(y);
    // Women: one Philox block each; words 0–1 decide a birth, 2–3 its month.
    const std::size_t W = work.woman_age.size();
    for (std::size_t first = 0; first < W; first += DRAW_BATCH) {
      const std::size_t n = std::min(DRAW_BATCH, W - first);
      draw_batch_u64(SEED, r, static_cast<std::uint32_t>(first), n, year, stream::BIRTH, w01, w23);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = first + i;
        const std::uint8_t age = work.woman_age[k], parity = work.woman_parity[k];
        if (w01[i] < t.birth[static_cast<std::size_t>(age - MIN_AGE)][std::min<std::size_t>(parity, PARITIES - 1)]) {
          const auto order = static_cast<std::uint8_t>(std::min(parity + 1, 255));
          work.woman_parity[k] = order;
          work.child_household.push_back(base.woman_household[k]);
          work.child_age.push_back(0);
          work.child_month.push_back(static_cast<std::uint8_t>(((w23[i] >> 32) * 12) >> 32));
          work.child_order.push_back(order);
          fen[BIRTH_GRANT] += GRANT_BY_ORDER[std::min<std::size_t>(order, PARITIES - 1)];
        }
        // Ageing; a woman leaving 49 is replaced by one of 15, so the kernel's size is stationary.
        work.woman_age[k] = age == MAX_AGE ? std::uint8_t{MIN_AGE} : static_cast<std::uint8_t>(age + 1);
        if (age == MAX_AGE) work.woman_parity[k] = 0;
      }
    }
    // Children (this year's newborns included): one Philox block each; words 0–1 decide
    // childcare under 3, words 2–3 kindergarten at 3–5. Then ageing, compacting in place.
    const std::size_t C = work.child_age.size();
    std::size_t kept = 0;
    for (std::size_t first = 0; first < C; first += DRAW_BATCH) {
      const std::size_t n = std::min(DRAW_BATCH, C - first);
      draw_batch_u64(SEED, r, static_cast<std::uint32_t>(first), n, year, stream::CHILDCARE_ENROL, w01, w23);
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = first + i;
        const std::uint8_t age = work.child_age[k];
        const std::int64_t months = age == 0 ? 12 - work.child_month[k] : 12;
        if (age < 3) {
          fen[ALLOWANCE] += months * ALLOWANCE_PER_MONTH;
          if (w01[i] < t.childcare && base.income_band[work.child_household[k]] <= SUBSIDY_MAX_BAND) {
            fen[CHILDCARE_SUBSIDY] += months * CHILDCARE_PER_MONTH;
          }
        } else if (age < 6 && w23[i] < t.kindergarten && work.child_order[k] >= FEES_MIN_ORDER) {
          fen[KINDERGARTEN_FEES] += KINDERGARTEN_MONTHS * KINDERGARTEN_PER_MONTH;
        }
        if (age + 1 < LEAVING_AGE) {
          work.child_household[kept] = work.child_household[k];
          work.child_age[kept] = static_cast<std::uint8_t>(age + 1);
          work.child_month[kept] = work.child_month[k];
          work.child_order[kept] = work.child_order[k];
          ++kept;
        }
      }
    }
    work.child_household.resize(kept);
    work.child_age.resize(kept);
    work.child_month.resize(kept);
    work.child_order.resize(kept);
  }
  std::int64_t sum = 0;
  for (std::int64_t f : fen) sum += f;
  return sum;
}

}  // namespace

struct ReferenceLoop::State {
  People base, work;
  Thresholds thresholds;
};

ReferenceLoop::ReferenceLoop(const ReferenceSize& size)
    : state_(std::make_unique<State>(State{synthetic(size), People{}, thresholds()})) {}

ReferenceLoop::~ReferenceLoop() = default;

double ReferenceLoop::run(int years, int replications) {
  const auto t0 = std::chrono::steady_clock::now();
  std::int64_t sum = 0;
  for (int r = 0; r < replications; ++r) {
    sum += replication(state_->base, state_->thresholds, years, static_cast<std::uint32_t>(r), state_->work);
  }
  checksum_ = sum;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace cradle::bench
