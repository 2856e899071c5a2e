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

}  // namespace

int main() {
  std::atomic<int> arrived{0};
  std::atomic<bool> met{false};
  // Two slots, so one iteration runs on a oneTBB worker even on a one-core machine.
  tbb::task_arena arena(2);
  arena.execute([&] {
    cradle::engine::parallel_for(0, 2, [&](const tbb::blocked_range<std::size_t>&) {
      // The race: both iterations write, neither waiting for the other's write.
      shared_total += 1;
      // Then each waits for the other, so that the two surely ran on two threads (the wait
      // orders only what follows it). With the write after the wait, ThreadSanitizer
      // missed the race in about one run in five; before it, in none of 40.
      arrived.fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (arrived.load() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (arrived.load() == 2) met = true;
    });
  });
  if (!met) {
    std::fprintf(stderr, "tsan_canary: the two iterations never ran on two threads at once; nothing was tested\n");
    return 1;
  }
  std::printf("tsan_canary: ran without a ThreadSanitizer report\n");
  return 0;
}
