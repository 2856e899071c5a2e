#include "sim/population/column_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace cradle::column_memory {

namespace {

// A large block starts with a header that holds its capacity (a reused block may be larger
// than the request it serves); the memory handed out follows it, aligned as the header is.
constexpr std::size_t HEADER = 64;
// Large requests a kept block may wait through before it goes back to the system (a
// population's generation makes a few dozen; replication_population also trims the pool
// once its population is made).
constexpr std::uint64_t MAX_IDLE = 256;

struct Kept {
  char* base;
  std::size_t capacity;
  std::uint64_t since;    //!< the request count when it was released
  std::thread::id owner;  //!< the thread that released it
};

struct Pool {
  std::mutex mutex;
  std::vector<Kept> kept;
  std::size_t bytes = 0;
  std::uint64_t requests = 0;
};

Pool& pool() {
  // Never destroyed: a column of another static object may be released after it would be.
  static Pool* const p = new Pool;
  return *p;
}

thread_local bool generating = false;

void free_block(char* base) noexcept { ::operator delete (base, std::align_val_t{HEADER}); }

//! Removes kept[i] (order is not kept) and returns its base.
char* take(Pool& p, std::size_t i) {
  char* base = p.kept[i].base;
  p.bytes -= p.kept[i].capacity;
  p.kept[i] = p.kept.back();
  p.kept.pop_back();
  return base;
}

//! The kept block that best fits `bytes` (the smallest of capacity bytes … bytes + bytes/8),
//! removed from the pool; null if none.
char* reuse(std::size_t bytes) {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  ++p.requests;
  std::size_t best = p.kept.size();
  for (std::size_t i = 0; i < p.kept.size(); ++i) {
    const std::size_t c = p.kept[i].capacity;
    if (c >= bytes && c - bytes <= bytes / 8 && (best == p.kept.size() || c < p.kept[best].capacity)) best = i;
  }
  return best == p.kept.size() ? nullptr : take(p, best);
}

}  // namespace

void populate(void* memory, std::size_t bytes) noexcept {
#ifdef MADV_POPULATE_WRITE
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto start = reinterpret_cast<std::uintptr_t>(memory);
  const std::uintptr_t first = (start + page - 1) / page * page, last = (start + bytes) / page * page;
  if (last <= first) return;
  // The kernel zeroes each page: in pieces, on the threads of the caller's TBB arena.
  // Isolated, so that a thread waiting for the pieces takes no other task of the caller's
  // (such as another replication, which would take buffers of its own).
  constexpr std::uintptr_t PIECE = std::uintptr_t{4} << 20;
  const std::size_t pieces = (last - first + PIECE - 1) / PIECE;
  try {
    tbb::this_task_arena::isolate([&] {
      tbb::parallel_for(std::size_t{0}, pieces, [&](std::size_t k) {
        const std::uintptr_t b = first + k * PIECE, e = std::min(last, b + PIECE);
        madvise(reinterpret_cast<void*>(b), e - b, MADV_POPULATE_WRITE);
      });
    });
  } catch (...) {  // no memory for the tasks: the pages fault in as they are written
  }
#else
  (void)memory;
  (void)bytes;
#endif
}

void* acquire(std::size_t bytes) {
  if (bytes < LARGE_BYTES) return ::operator new(bytes);
  char* base = reuse(bytes);
  if (!base) {
    base = static_cast<char*>(::operator new (bytes + HEADER, std::align_val_t{HEADER}));
    std::memcpy(base, &bytes, sizeof bytes);
    populate(base, bytes + HEADER);
  }
  return base + HEADER;
}

void release(void* memory, std::size_t bytes) noexcept {
  if (!memory) return;
  if (bytes < LARGE_BYTES) {
    ::operator delete(memory);
    return;
  }
  char* const base = static_cast<char*>(memory) - HEADER;
  if (generating) {
    free_block(base);
    return;
  }
  std::size_t capacity = 0;
  std::memcpy(&capacity, base, sizeof capacity);
  char* idle[8];  // blocks that waited too long, freed outside the lock
  std::size_t n_idle = 0;
  bool kept = false;
  {
    Pool& p = pool();
    std::lock_guard lock(p.mutex);
    for (std::size_t i = 0; i < p.kept.size() && n_idle < 8;) {
      if (p.requests - p.kept[i].since > MAX_IDLE) {
        idle[n_idle++] = take(p, i);
      } else {
        ++i;
      }
    }
    try {
      p.kept.push_back(Kept{base, capacity, p.requests, std::this_thread::get_id()});
      p.bytes += capacity;
      kept = true;
    } catch (...) {  // no memory for the list: the block goes back instead
    }
  }
  for (std::size_t i = 0; i < n_idle; ++i) free_block(idle[i]);
  if (!kept) free_block(base);
}

namespace {

constexpr std::size_t HUGE_PAGE = std::size_t{2} << 20;

// Under AddressSanitizer every transient buffer comes from operator new, whose bounds it
// checks (it does not watch a mapping of one's own).
#ifdef __SANITIZE_ADDRESS__
constexpr bool HEAP_ONLY = true;
#else
constexpr bool HEAP_ONLY = false;
#endif

//! Whether acquire_transient(bytes) maps its memory (else it is operator new's).
bool mapped(std::size_t bytes) { return !HEAP_ONLY && bytes >= HUGE_PAGE; }

std::size_t huge_pages_for(std::size_t bytes) { return (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; }

}  // namespace

void* acquire_transient(std::size_t bytes) {
  if (!mapped(bytes)) return ::operator new(bytes);
  const std::size_t length = huge_pages_for(bytes);
  // A page more than asked, so that a whole number of huge pages can start on a boundary;
  // the head and tail beyond it are unmapped.
  void* const region = mmap(nullptr, length + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) throw std::bad_alloc();
  char* const start = static_cast<char*>(region);
  const std::size_t head = (HUGE_PAGE - reinterpret_cast<std::uintptr_t>(start) % HUGE_PAGE) % HUGE_PAGE;
  if (head != 0) munmap(start, head);
  munmap(start + head + length, HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
  madvise(start + head, length, MADV_HUGEPAGE);  // advice: refused or ignored, the pages are small
#endif
  return start + head;
}

void release_transient(void* memory, std::size_t bytes) noexcept {
  if (!memory) return;
  if (!mapped(bytes)) {
    ::operator delete(memory);
    return;
  }
  munmap(memory, huge_pages_for(bytes));
}

Generating::Generating() : was_(generating) { generating = true; }
Generating::~Generating() { generating = was_; }

namespace {

//! Gives back the kept blocks that `chosen(kept)` picks; returns their bytes.
template <class Chosen>
std::size_t trim_if(Chosen chosen) noexcept {
  Pool& p = pool();
  std::vector<Kept> freed;
  {
    std::lock_guard lock(p.mutex);
    const auto first = std::partition(p.kept.begin(), p.kept.end(), [&](const Kept& k) { return !chosen(k); });
    try {
      freed.assign(first, p.kept.end());
    } catch (...) {  // no memory for the list: nothing is given back this time
      return 0;
    }
    p.kept.erase(first, p.kept.end());
    for (const Kept& k : freed) p.bytes -= k.capacity;
  }
  std::size_t bytes = 0;
  for (const Kept& k : freed) {
    bytes += k.capacity;
    free_block(k.base);
  }
  return bytes;
}

}  // namespace

std::size_t trim() noexcept {
  return trim_if([](const Kept&) { return true; });
}

std::size_t trim_own() noexcept {
  return trim_if([me = std::this_thread::get_id()](const Kept& k) { return k.owner == me; });
}

std::size_t kept_bytes() noexcept {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  return p.bytes;
}

}  // namespace cradle::column_memory
