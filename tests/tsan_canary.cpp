// A deliberate data race between two bodies of the engine's parallel loop, built only
// with CRADLE_TSAN. ThreadSanitizer must report it under tests/tsan.supp: were the
// orderings that sim/engine/parallel.h declares too broad, or a suppression broad enough
// to match a body's stack (every body run by a oneTBB worker has libtbb's frames below
// it), every race in the engine would be hidden too, and this test would fail.
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "sim/engine/parallel.h"

namespace {

long shared_total = 0;  // written by both iterations without synchronisation: the race

//! One parallel loop of two iterations that race on shared_total and meet; whether they met.
bool race_once(tbb::task_arena& arena) {
  std::atomic<int> arrived{0};
  std::atomic<bool> met{false};
  arena.execute([&] {
    cradle::engine::parallel_for(0, 2, [&](const tbb::blocked_range<std::size_t>&) {
      // The race: both iterations write, neither waiting for the other's write.
      shared_total += 1;
      // Then each waits for the other, so that the two surely ran on two threads (the wait
      // orders only what follows it).
      arrived.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (arrived.load() == 2) met = true;
    });
  });
  return met;
}

}  // namespace

int main() {
  // Two slots, so one iteration runs on a oneTBB worker even on a one-core machine.
  tbb::task_arena arena(2);
  // ThreadSanitizer reports the first race (halt_on_error) and ends the program; a single
  // loop was missed once on a loaded CI machine, so the race is offered many times.
  int met = 0;
  for (int trial = 0; trial < 200; ++trial) met += race_once(arena);
  if (met == 0) {
    std::fprintf(stderr, "tsan_canary: the two iterations never ran on two threads at once; nothing was tested\n");
    return 1;
  }
  std::printf("tsan_canary: ran without a ThreadSanitizer report (%d loops on two threads)\n", met);
  return 0;
}
