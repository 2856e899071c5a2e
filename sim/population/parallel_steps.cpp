#include "sim/population/parallel_steps.h"

#include <stdexcept>
#include <utility>

namespace cradle::generation {

namespace {

constexpr unsigned BUCKET_BITS = 12;  // 4096 buckets a class: a bucket of a large order fits a core's cache
constexpr unsigned RADIX_BITS = 11;   // at most 2048 buckets a pass: as many write streams as the caches hold

}  // namespace

void radix_sort(Buffer<std::uint64_t>& records, Buffer<std::uint32_t>* index, unsigned low, unsigned high) {
  const std::size_t n = records.size();
  if (n < 2 || high <= low) return;
  if (n >= (std::size_t{1} << 32)) throw std::invalid_argument("radix_sort: too many records");
  const unsigned passes = (high - low + RADIX_BITS - 1) / RADIX_BITS;
  Buffer<std::uint64_t> to(n);
  Buffer<std::uint32_t> index_to(index ? n : 0);
  for (unsigned pass = 0; pass < passes; ++pass) {
    // Passes of equal width, so that none is needlessly wide.
    const unsigned from_bit = low + (high - low) * pass / passes, to_bit = low + (high - low) * (pass + 1) / passes;
    const std::uint64_t mask = (std::uint64_t{1} << (to_bit - from_bit)) - 1;
    const std::uint64_t* from = records.data();
    auto digit = [from, from_bit, mask](std::size_t first, std::size_t count, std::uint32_t* bucket) {
      for (std::size_t k = 0; k < count; ++k)
        bucket[k] = static_cast<std::uint32_t>((from[first + k] >> from_bit) & mask);
    };
    Bucketing<decltype(digit)> pass_buckets(n, std::size_t{1} << (to_bit - from_bit), digit);
    if (index) {
      pass_buckets.scatter([&](std::size_t i, std::uint32_t, std::size_t slot) {
        to[slot] = records[i];
        index_to[slot] = (*index)[i];
      });
      std::swap(*index, index_to);
    } else {
      pass_buckets.scatter([&](std::size_t i, std::uint32_t, std::size_t slot) { to[slot] = records[i]; });
    }
    std::swap(records, to);
  }
}

void KeyedOrder::Fill::operator()(std::size_t first, std::size_t count, std::uint32_t* bucket) const {
  std::uint64_t u[FILL_BATCH];
  shared_draws<8>(seed, first, count, year, purpose, u);
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t c = class_of.empty() ? 0 : class_of[first + k];
    bucket[k] = (c << BUCKET_BITS) | static_cast<std::uint32_t>(u[k] >> (64 - BUCKET_BITS));
  }
}

namespace {

std::size_t checked(std::size_t n, std::uint16_t number, std::span<const std::uint8_t> class_of) {
  if (n >= (std::size_t{1} << 31)) throw std::invalid_argument("population too large");
  if (number >= (1u << 15)) throw std::invalid_argument("keyed order: number out of range");
  if (!class_of.empty() && class_of.size() != n) throw std::invalid_argument("keyed order: classes of another length");
  return n;
}

}  // namespace

KeyedOrder::KeyedOrder(std::size_t n, std::uint32_t seed, stream::Id purpose, std::uint16_t number,
                       std::span<const std::uint8_t> class_of, unsigned classes, std::size_t take)
    : seed_(seed),
      purpose_(purpose),
      number_(number),
      take_(take),
      buckets_(checked(n, number, class_of), std::size_t{classes} << BUCKET_BITS,
               Fill{seed, purpose, static_cast<std::uint16_t>(2 * number), class_of}, take),
      class_begin_(classes + 1) {
  for (unsigned c = 0; c <= classes; ++c) {
    class_begin_[c] = std::min({buckets_.begin(std::size_t{c} << BUCKET_BITS), buckets_.size(), take});
  }
}

void KeyedOrder::place_draws(std::size_t lo, std::size_t hi, std::uint64_t* u) const {
  shared_draws<2>(seed_, lo, hi - lo, static_cast<std::uint16_t>(2 * number_ + 1), purpose_, u);
}

}  // namespace cradle::generation
