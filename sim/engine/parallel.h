// The engine's parallel loop: tbb::parallel_for over [begin, end) in chunks of at least
// one index, with oneTBB's ordering made visible to ThreadSanitizer.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

#ifdef CRADLE_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace cradle::engine {

//! Calls body(range) on disjoint subranges covering [begin, end), on any threads, and
//! returns when all are done. What the caller did before the call happens before every
//! body, and every body happens before the return (oneTBB's promise).
template <class Body>
void parallel_for(std::size_t begin, std::size_t end, const Body& body) {
#ifdef CRADLE_TSAN
  // oneTBB's scheduler (libtbb) is not instrumented, so ThreadSanitizer sees neither of
  // the two orderings above and would report every write before a loop and every read of
  // a result after it. They are declared here, and nothing more: two bodies are still not
  // ordered with each other, so a race between them is reported.
  char before = 0, after = 0;
  __tsan_release(&before);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, 1),
                    [&](const tbb::blocked_range<std::size_t>& range) {
                      __tsan_acquire(&before);
                      body(range);
                      __tsan_release(&after);
                    });
  __tsan_acquire(&after);
#else
  tbb::parallel_for(tbb::blocked_range<std::size_t>(begin, end, 1), body);
#endif
}

}  // namespace cradle::engine
