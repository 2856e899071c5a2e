// The memory of the population's columns and of generation's large buffers, kept for
// reuse. Every replication of a run generates its own population, about as large as the
// last: a block the last one released, kept here, comes back with its pages already in
// memory, where a fresh one must fault each page in (for Jiangxi, some 150,000 pages a
// population). A fresh block has them faulted in at once, by the kernel: taken one by one
// at the first write, on a 2-core virtual machine, they were a third of the first
// population's generation time. Blocks that no request of about their size takes for a
// while go back to the system, and trim() gives back every one; the engine trims at the
// end of each run.
#pragma once

#include <cstddef>

namespace cradle::column_memory {

//! Memory for `bytes` bytes, aligned for any column's values: for a large request a kept
//! block of its size or up to an eighth more, else a new block with every page resident
//! (so a column should not ask for room it will not use); a small one from operator new.
void* acquire(std::size_t bytes);
//! Gives back what acquire(bytes) returned (the same `bytes`); a large block is kept for
//! reuse, unless the thread is Generating.
void release(void* memory, std::size_t bytes) noexcept;
//! Gives every kept block back to the system; returns their bytes.
std::size_t trim() noexcept;
//! Gives back the kept blocks that this thread released; returns their bytes. What a thread
//! made its population from is what it released before, and the blocks another thread
//! released wait for that thread's next population, which trim() would leave to fault anew.
std::size_t trim_own() noexcept;
//! The bytes of the blocks kept now.
std::size_t kept_bytes() noexcept;

//! Faults in the whole pages within [memory, memory + bytes) at once, ready to be written:
//! on a virtual machine a page fault taken at a thread's first write costs an exit to the
//! hypervisor, where the kernel populating the range itself takes none. Memory that will
//! be written whole soon after; in pieces on the threads of the caller's TBB arena. Advice
//! only: an older kernel (before Linux 5.14) refuses it, and the pages fault in as they
//! are written.
void populate(void* memory, std::size_t bytes) noexcept;

//! The smallest request served from kept blocks: below it a fault or two is no cost.
inline constexpr std::size_t LARGE_BYTES = std::size_t{1} << 20;

//! Memory for `bytes` bytes that a step of generation uses and gives back (aligned for any
//! trivial value): a large request is mapped afresh with transparent huge pages advised,
//! where the system allows them, so that it faults in a page of 2 MiB at a time instead of
//! 512 of 4 KiB (a population's intermediate buffers are written once, in a few passes,
//! and the faults were most of their cost). Not for the population's columns: mapped so, they
//! made the first population faster, but the yearly loop over full Jiangxi ran 3–4 % slower on
//! a 2-core virtual machine (even with their starts staggered across cache sets), and a later
//! population takes its columns from acquire's kept blocks without a fault.
void* acquire_transient(std::size_t bytes);
//! Gives back what acquire_transient(bytes) returned (the same `bytes`), to the system at once.
void release_transient(void* memory, std::size_t bytes) noexcept;

//! While one exists on a thread, what that thread releases goes back to the system at once
//! instead of being kept: generation's intermediate columns, which no request of the same
//! population would take in time, and would otherwise raise its peak.
class Generating {
 public:
  Generating();
  ~Generating();
  Generating(const Generating&) = delete;
  Generating& operator=(const Generating&) = delete;

 private:
  bool was_;
};

}  // namespace cradle::column_memory
