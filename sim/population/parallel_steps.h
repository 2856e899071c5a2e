// The parallel building blocks of base-population generation and sorting: loops over
// chunks whose boundaries depend on the element count alone, stable grouping of indices
// by bucket, a stable radix sort, and a random order drawn from keyed streams. Whatever a
// result depends on — a chunk's offset into an output, the order of equals — is fixed
// before the threads divide the work, so each gives the same output on any number of
// threads. Loops run in the caller's TBB arena (sim/engine/parallel.h). Memory is visited
// in sequence or in a few thousand sequential streams at most: at the sizes of a province,
// random access to main memory, not arithmetic, is what these steps cost.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

#include "sim/engine/parallel.h"
#include "sim/population/column_memory.h"
#include "sim/random/rng.h"

namespace cradle::generation {

//! Elements per chunk of for_chunks (a multiple of DRAW_BATCH, so that a chunk's draws
//! are whole batches).
inline constexpr std::size_t CHUNK = std::size_t{1} << 14;

inline std::size_t chunk_count(std::size_t n) { return (n + CHUNK - 1) / CHUNK; }

//! Calls body(k, begin, end) for every chunk k = [k·CHUNK, min(n, (k+1)·CHUNK)) of
//! [0, n), in parallel.
template <class Body>
void for_chunks(std::size_t n, const Body& body) {
  engine::parallel_for(0, chunk_count(n), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t k = range.begin(); k != range.end(); ++k) body(k, k * CHUNK, std::min(n, (k + 1) * CHUNK));
  });
}

//! n values of a trivial type, left uninitialised: the parallel loop that first writes them
//! faults their pages in, on every thread, where a std::vector would zero them all on one
//! thread first; a large one in huge pages (column_memory::acquire_transient).
template <class T>
class Buffer {
  static_assert(std::is_trivial_v<T>);

 public:
  Buffer() = default;
  explicit Buffer(std::size_t n) : data_(allocate(n)), size_(n) {}
  std::size_t size() const { return size_; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }
  //! Keeps the first n values (n <= size()).
  void shrink(std::size_t n) { size_ = n; }

 private:
  struct Release {
    std::size_t bytes = 0;
    void operator()(T* memory) const noexcept { column_memory::release_transient(memory, bytes); }
  };
  using Memory = std::unique_ptr<T, Release>;
  //! Room for n values (none for 0); throws as new T[n] would when their bytes overflow.
  static Memory allocate(std::size_t n) {
    if (n == 0) return Memory(nullptr, Release{});
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    return Memory(static_cast<T*>(column_memory::acquire_transient(bytes)), Release{bytes});
  }
  Memory data_;
  std::size_t size_ = 0;
};

//! Replaces counts by their exclusive prefix sums; returns the total.
template <class T>
T exclusive_scan(std::vector<T>& counts) {
  T total = 0;
  for (T& c : counts) {
    const T here = c;
    c = total;
    total += here;
  }
  return total;
}

//! How many of something (records to write, places, heads) the chunks of for_chunks(n, …)
//! before each chunk hold: where a chunk's share of a parallel write starts.
struct ChunkOffsets {
  std::vector<std::size_t> before;  //!< [k]: in chunks 0 … k-1
  std::size_t total = 0;            //!< in every chunk
  //! In chunks 0 … k-1, for k up to the number of chunks (then the total).
  std::size_t at(std::size_t k) const { return k < before.size() ? before[k] : total; }
};

//! The offsets of what count(k, begin, end) gives for each chunk k = [begin, end) of
//! for_chunks(n, …), counted in parallel.
template <class Count>
ChunkOffsets offsets_by_chunk(std::size_t n, const Count& count) {
  ChunkOffsets offsets{std::vector<std::size_t>(chunk_count(n))};
  for_chunks(n, [&](std::size_t k, std::size_t b, std::size_t e) { offsets.before[k] = count(k, b, e); });
  offsets.total = exclusive_scan(offsets.before);
  return offsets;
}

//! A Buffer of n copies of `value`, written in parallel.
template <class T>
Buffer<T> filled(std::size_t n, T value) {
  Buffer<T> b(n);
  for_chunks(
      n, [&](std::size_t, std::size_t first, std::size_t end) { std::fill(b.data() + first, b.data() + end, value); });
  return b;
}

//! Random bits for the entities first … first+count-1 of one generation stream, `share`
//! entities (1, 2, 4 or 8) to a Philox block: entity e takes the (e mod share)th of the
//! 128/share-bit pieces of the block of entity e / share of the keyed stream {entity, 0,
//! year, purpose} of replication GENERATION_REPLICATION (words 0-1, then 2-3, each from the
//! top), in the top bits of out[e - first], the others zero. With share 1, out[e - first] is
//! draw_u64's number for e. As many bits as a decision needs, and no more Philox blocks.
template <unsigned share>
void shared_draws(std::uint32_t seed, std::size_t first, std::size_t count, std::uint16_t year, stream::Id purpose,
                  std::uint64_t* out) {
  static_assert(share == 1 || share == 2 || share == 4 || share == 8);
  if (count == 0) return;
  constexpr unsigned bits = 128 / share, per_word = share / 2;
  auto piece = [](std::uint64_t w01, std::uint64_t w23, std::size_t e) -> std::uint64_t {
    if constexpr (share == 1) {
      return w01;
    } else {
      const auto k = static_cast<unsigned>(e % share);
      const std::uint64_t word = k < per_word ? w01 : w23;
      if constexpr (bits == 64)
        return word;
      else
        return word >> (bits * (per_word - 1 - k % per_word)) << (64 - bits);
    }
  };
  const std::size_t first_block = first / share, last_block = (first + count - 1) / share;
  if (last_block - first_block < 4) {  // a few blocks: a batch would compute DRAW_BATCH lanes
    for (std::size_t b = first_block; b <= last_block; ++b) {
      KeyedStream s(seed, stream::GENERATION_REPLICATION, StreamKey{static_cast<std::uint32_t>(b), 0, year, purpose});
      const std::uint64_t w01 = s.next_u64(), w23 = s.next_u64();
      for (std::size_t e = std::max(first, share * b), end = std::min(first + count, share * (b + 1)); e < end; ++e) {
        out[e - first] = piece(w01, w23, e);
      }
    }
    return;
  }
  std::uint64_t w01[DRAW_BATCH], w23[DRAW_BATCH];
  for (std::size_t block = first_block; block <= last_block; block += DRAW_BATCH) {
    const std::size_t blocks = std::min(DRAW_BATCH, last_block - block + 1);
    draw_batch_u64(seed, stream::GENERATION_REPLICATION, static_cast<std::uint32_t>(block), blocks, year, purpose, w01,
                   w23);
    const std::size_t begin = std::max(first, share * block), end = std::min(first + count, share * (block + blocks));
    // Whole blocks with their pieces at fixed places (a loop the compiler unrolls); the
    // entities of a block cut by [first, first + count) one by one.
    const std::size_t whole_begin = (begin + share - 1) / share, whole_end = end / share;
    const std::size_t head_end = std::min(end, share * whole_begin), tail_begin = std::max(head_end, share * whole_end);
    for (std::size_t e = begin; e < head_end; ++e) {
      out[e - first] = piece(w01[e / share - block], w23[e / share - block], e);
    }
    for (std::size_t b = whole_begin; b < whole_end; ++b) {
      std::uint64_t* const to = out + (share * b - first);
      for (unsigned k = 0; k < share; ++k) to[k] = piece(w01[b - block], w23[b - block], k);
    }
    for (std::size_t e = tail_begin; e < end; ++e) {
      out[e - first] = piece(w01[e / share - block], w23[e / share - block], e);
    }
  }
}

//! Calls f(e, bits) for the entities [begin, end) in increasing order, bits being
//! shared_draws'.
template <unsigned share, class F>
void each_draw(std::uint32_t seed, std::size_t begin, std::size_t end, std::uint16_t year, stream::Id purpose,
               const F& f) {
  std::uint64_t u[share * DRAW_BATCH];
  for (std::size_t first = begin; first < end; first += share * DRAW_BATCH) {
    const std::size_t count = std::min(share * DRAW_BATCH, end - first);
    shared_draws<share>(seed, first, count, year, purpose, u);
    for (std::size_t k = 0; k < count; ++k) f(first + k, u[k]);
  }
}

//! Indices whose buckets Bucketing asks for at a time.
inline constexpr std::size_t FILL_BATCH = 8 * DRAW_BATCH;

//! The indices i < n (n < 2^32) grouped stably by bucket: a counting sort by parts. Each
//! part of the indices (at most 16, one per 2^16 indices) counts its buckets; the counts' prefix
//! sums, bucket by bucket and part by part, give each index its slot: bucket b's indices
//! take the slots [begin(b), begin(b+1)) in increasing order. fill(first, count, out)
//! writes the buckets of the indices first … first+count-1 (count <= FILL_BATCH) to out;
//! an index whose bucket is `buckets` or more is left out.
template <class Fill>
class Bucketing {
 public:
  Bucketing(std::size_t n, std::size_t buckets, const Fill& fill)
      : n_(n),
        buckets_(buckets),
        parts_(std::clamp<std::size_t>(n >> 16, 1, 16)),
        fill_(fill),
        next_(parts_ * buckets, 0),
        begin_(buckets + 1) {
    engine::parallel_for(0, parts_, [&](const tbb::blocked_range<std::size_t>& range) {
      for (std::size_t p = range.begin(); p != range.end(); ++p) {
        std::uint32_t* count = &next_[p * buckets_];
        each(p, [&](std::size_t, std::uint32_t b) {
          if (b < buckets_) count[b]++;
        });
      }
    });
    std::size_t total = 0;
    for (std::size_t b = 0; b < buckets_; ++b) {
      begin_[b] = total;
      for (std::size_t p = 0; p < parts_; ++p) {
        const std::uint32_t here = next_[p * buckets_ + b];
        next_[p * buckets_ + b] = static_cast<std::uint32_t>(total);
        total += here;
      }
    }
    begin_[buckets_] = total;
  }

  //! Slots taken: one per index kept.
  std::size_t size() const { return begin_[buckets_]; }
  std::size_t begin(std::size_t bucket) const { return begin_[bucket]; }
  std::size_t buckets() const { return buckets_; }

  //! Calls f(i, bucket, slot) for every index kept, part by part in parallel, each part's
  //! indices in increasing order. Once only.
  template <class F>
  void scatter(const F& f) {
    engine::parallel_for(0, parts_, [&](const tbb::blocked_range<std::size_t>& range) {
      for (std::size_t p = range.begin(); p != range.end(); ++p) {
        std::uint32_t* next = &next_[p * buckets_];
        each(p, [&](std::size_t i, std::uint32_t b) {
          if (b < buckets_) f(i, b, static_cast<std::size_t>(next[b]++));
        });
      }
    });
  }

 private:
  template <class F>
  void each(std::size_t p, const F& f) const {
    std::uint32_t bucket[FILL_BATCH];
    const std::size_t end = n_ * (p + 1) / parts_;
    for (std::size_t first = n_ * p / parts_; first < end; first += FILL_BATCH) {
      const std::size_t count = std::min(FILL_BATCH, end - first);
      fill_(first, count, bucket);
      for (std::size_t k = 0; k < count; ++k) f(first + k, bucket[k]);
    }
  }

  std::size_t n_, buckets_, parts_;
  Fill fill_;
  std::vector<std::uint32_t> next_;  // by part and bucket: counts, then each part's next slot
  std::vector<std::size_t> begin_;
};

//! Sorts `records` stably by their bits [low, high) (an LSD radix sort in passes of at most
//! 11 bits, each a Bucketing), moving `index` (if not null, of the same length) alongside.
void radix_sort(Buffer<std::uint64_t>& records, Buffer<std::uint32_t>* index, unsigned low, unsigned high);

//! Bits needed for the values 0 … max.
inline unsigned bit_width(std::uint64_t max) { return static_cast<unsigned>(std::bit_width(max)); }

//! Fisher–Yates over a[0 … end-begin), what the places begin … end-1 hold, from the top
//! down: place p = begin + j swaps with a uniform place in [0, j], by draw_below of word
//! (p mod 2) of entity p / 2 in `year` of `purpose` (shared_draws<2>).
template <class T>
void shuffle_places(T* a, std::size_t begin, std::size_t end, std::uint32_t seed, stream::Id purpose,
                    std::uint16_t year) {
  constexpr std::size_t BATCH = 2 * DRAW_BATCH;
  std::uint64_t u[BATCH];
  for (std::size_t hi = end; hi > begin + 1;) {
    const std::size_t lo = hi - begin > BATCH ? hi - BATCH : begin;
    shared_draws<2>(seed, lo, hi - lo, year, purpose, u);
    for (std::size_t p = hi - 1; p >= lo && p > begin; --p) {
      const std::size_t j = p - begin;
      std::swap(a[j], a[draw_below(u[p - lo], static_cast<std::uint32_t>(j + 1))]);
    }
    hi = lo;
  }
}

//! A random order of the indices i < n (n < 2^31) class by class: the indices of class c,
//! in a uniformly random order, take the places [class_begin[c], class_begin[c+1]). The
//! classes are class_of[i] (all 0 when class_of is empty); an index of class `classes` or
//! more is left out. (Where the indices stand for alike copies of a few labels, KeyedDeal
//! gives the same distribution without moving them.)
//!
//! The method (Rao–Sandelius): index i falls into bucket (class_of[i], 12 random bits); the
//! buckets follow each other in order, each holding its indices in increasing order,
//! shuffled by Fisher–Yates with a 64-bit draw for each place. An independent uniform
//! shuffle of each bucket of an independent uniform bucketing is a uniform permutation.
//! The draws are Philox blocks of the keyed stream {entity, 0, year, purpose} of replication
//! GENERATION_REPLICATION, each keyed by its own index or place, so the order is the same on
//! any number of threads: index i's bits are the top 12 of the (i mod 8)th 16-bit piece
//! (words 0-1, then 2-3, each from the top) of entity i / 8 in year 2·number; place p's draw
//! is word (p mod 2) of entity p / 2 in year 2·number + 1. `number` (< 2^15) tells a
//! purpose's orders apart.
class KeyedOrder {
 public:
  KeyedOrder(std::size_t n, std::uint32_t seed, stream::Id purpose, std::uint16_t number,
             std::span<const std::uint8_t> class_of = {}, unsigned classes = 1);
  std::size_t class_begin(unsigned c) const { return class_begin_[c]; }

  //! The order, as record(i) of the index i at each place (record(i) = i gives the
  //! indices), built in place: no index is looked up at a scattered place. Once only.
  template <class T, class Record>
  Buffer<T> order(const Record& record);
  Buffer<std::uint32_t> order() {
    return order<std::uint32_t>([](std::size_t i) { return static_cast<std::uint32_t>(i); });
  }

 private:
  struct Fill {
    std::uint32_t seed;
    stream::Id purpose;
    std::uint16_t year;
    std::span<const std::uint8_t> class_of;
    void operator()(std::size_t first, std::size_t count, std::uint32_t* bucket) const;
  };
  std::uint32_t seed_;
  stream::Id purpose_;
  std::uint16_t number_;
  Bucketing<Fill> buckets_;
  std::vector<std::size_t> class_begin_;
};

//! A uniformly random arrangement of labels in exact numbers: label j at counts[j] of the
//! places [0, N), N = the counts' sum (< 2^31, fewer than 2^16 labels). Where KeyedOrder
//! orders distinct entities, which it must move, a deal only says which label each place
//! gets; copies of a label being alike, nothing is moved, and each place's label is written
//! where it is used, in sequence.
//!
//! The method is KeyedOrder's (Rao–Sandelius) over the labels' copies: copy i (label j's
//! copies being the numbers [C_j, C_{j+1}), C the counts' prefix sums) falls into one of
//! 2^bits buckets (bits = bucket_bits(N): a few thousand places to a bucket), the top bits
//! of the (i mod 8)th 16-bit piece (words 0-1, then 2-3, each from the top) of entity i / 8
//! in year 2·number. The buckets follow each other in order, each holding its labels in
//! increasing order, shuffled by Fisher–Yates with place p's draw, word (p mod 2) of entity
//! p / 2 in year 2·number + 1. Only each bucket's count of each label is kept, so the copies'
//! draws are counted, not stored. Drawn from keyed streams: the same on any number of threads.
class KeyedDeal {
 public:
  KeyedDeal(std::span<const std::uint32_t> counts, std::uint32_t seed, stream::Id purpose, std::uint16_t number);

  //! Calls use(place, label) for every place, in parallel, each bucket's places (a few
  //! thousand) in increasing order.
  template <class Use>
  void each_place(const Use& use) const;

  //! Buckets of a deal of n places.
  static unsigned bucket_bits(std::size_t n);

 private:
  //! Bucket b's labels, in increasing order, then shuffled; `labels` has its size.
  void bucket_labels(std::size_t b, std::uint16_t* labels) const;

  //! The label of every place when all copies are of one label (any arrangement of alike
  //! copies is the same, so nothing is drawn); -1 otherwise.
  int only_label_ = -1;
  std::size_t places_ = 0;
  std::uint32_t seed_;
  stream::Id purpose_;
  std::uint16_t number_;
  std::size_t labels_;
  std::vector<std::uint32_t> count_;        // by bucket and label: the copies of the label in the bucket
  std::vector<std::size_t> bucket_begin_;  // by bucket: its first place; then N
};

template <class Use>
void KeyedDeal::each_place(const Use& use) const {
  if (only_label_ >= 0) {
    const auto label = static_cast<std::uint16_t>(only_label_);
    engine::parallel_for(0, places_, [&](const tbb::blocked_range<std::size_t>& range) {
      for (std::size_t p = range.begin(); p != range.end(); ++p) use(p, label);
    });
    return;
  }
  const std::size_t buckets = bucket_begin_.size() - 1;
  engine::parallel_for(0, buckets, [&](const tbb::blocked_range<std::size_t>& range) {
    std::vector<std::uint16_t> labels;
    for (std::size_t b = range.begin(); b != range.end(); ++b) {
      const std::size_t begin = bucket_begin_[b];
      labels.resize(bucket_begin_[b + 1] - begin);
      bucket_labels(b, labels.data());
      for (std::size_t j = 0; j < labels.size(); ++j) use(begin + j, labels[j]);
    }
  });
}

template <class T, class Record>
Buffer<T> KeyedOrder::order(const Record& record) {
  Buffer<T> out(buckets_.size());
  buckets_.scatter([&](std::size_t i, std::uint32_t, std::size_t slot) { out[slot] = record(i); });
  // Each bucket's slots shuffled: slot j of a bucket then holds what goes to its place j.
  engine::parallel_for(0, buckets_.buckets(), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t b = range.begin(); b != range.end(); ++b) {
      shuffle_places(out.data() + buckets_.begin(b), buckets_.begin(b), buckets_.begin(b + 1), seed_, purpose_,
                     static_cast<std::uint16_t>(2 * number_ + 1));
    }
  });
  return out;
}

}  // namespace cradle::generation
