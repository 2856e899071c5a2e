#include "sim/population/parallel_steps.h"

#include <algorithm>
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
                       std::span<const std::uint8_t> class_of, unsigned classes)
    : seed_(seed),
      purpose_(purpose),
      number_(number),
      buckets_(checked(n, number, class_of), std::size_t{classes} << BUCKET_BITS,
               Fill{seed, purpose, static_cast<std::uint16_t>(2 * number), class_of}),
      class_begin_(classes + 1) {
  for (unsigned c = 0; c <= classes; ++c) {
    class_begin_[c] = buckets_.begin(std::size_t{c} << BUCKET_BITS);
  }
}

unsigned KeyedDeal::bucket_bits(std::size_t n) {
  // 2^13 to 2^14 places to a bucket: its labels and their shuffle stay in a core's cache.
  return std::min(bit_width(n >> 14), 16u);
}

KeyedDeal::KeyedDeal(std::span<const std::uint32_t> counts, std::uint32_t seed, stream::Id purpose,
                     std::uint16_t number)
    : seed_(seed), purpose_(purpose), number_(number), labels_(counts.size()) {
  if (number >= (1u << 15)) throw std::invalid_argument("keyed deal: number out of range");
  if (labels_ >= (1u << 16)) throw std::invalid_argument("keyed deal: too many labels");
  std::vector<std::size_t> copy_begin{0};
  for (std::uint32_t c : counts) copy_begin.push_back(copy_begin.back() + c);
  const std::size_t n = copy_begin.back();
  if (n >= (std::size_t{1} << 31)) throw std::invalid_argument("keyed deal: too many places");
  places_ = n;
  const auto labelled = static_cast<std::size_t>(std::count_if(counts.begin(), counts.end(), [](std::uint32_t c) { return c != 0; }));
  if (labelled == 1) {
    only_label_ = static_cast<int>(std::find_if(counts.begin(), counts.end(), [](std::uint32_t c) { return c != 0; }) - counts.begin());
    return;
  }
  const unsigned bits = bucket_bits(n);
  const std::size_t buckets = std::size_t{1} << bits;
  // The copies in runs of one label and at most `piece` copies, each run counting its
  // copies' buckets on its own, so that the runs can be counted in parallel.
  const std::size_t piece = std::max<std::size_t>(std::size_t{1} << 20, (n / 64 + 7) / 8 * 8);
  struct Run {
    std::size_t label, begin, end;
  };
  std::vector<Run> runs;
  for (std::size_t j = 0; j < labels_; ++j) {
    for (std::size_t b = copy_begin[j]; b < copy_begin[j + 1];) {
      const std::size_t e = std::min(copy_begin[j + 1], (b / piece + 1) * piece);
      runs.push_back(Run{j, b, e});
      b = e;
    }
  }
  std::vector<std::uint32_t> by_run(runs.size() * buckets, 0);
  engine::parallel_for(0, runs.size(), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t r = range.begin(); r != range.end(); ++r) {
      std::uint32_t* count = &by_run[r * buckets];
      each_draw<8>(seed, runs[r].begin, runs[r].end, static_cast<std::uint16_t>(2 * number), purpose,
                   [&](std::size_t, std::uint64_t u) { count[bits ? u >> (64 - bits) : 0]++; });
    }
  });
  count_.assign(buckets * labels_, 0);
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (std::size_t b = 0; b < buckets; ++b) count_[b * labels_ + runs[r].label] += by_run[r * buckets + b];
  }
  bucket_begin_.assign(buckets + 1, 0);
  for (std::size_t b = 0; b < buckets; ++b) {
    std::size_t size = 0;
    for (std::size_t j = 0; j < labels_; ++j) size += count_[b * labels_ + j];
    bucket_begin_[b + 1] = bucket_begin_[b] + size;
  }
}

void KeyedDeal::bucket_labels(std::size_t b, std::uint16_t* labels) const {
  std::size_t at = 0;
  for (std::size_t j = 0; j < labels_; ++j) {
    std::fill_n(labels + at, count_[b * labels_ + j], static_cast<std::uint16_t>(j));
    at += count_[b * labels_ + j];
  }
  shuffle_places(labels, bucket_begin_[b], bucket_begin_[b + 1], seed_, purpose_,
                 static_cast<std::uint16_t>(2 * number_ + 1));
}

}  // namespace cradle::generation
