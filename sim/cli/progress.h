// A progress bar for long runs, drawn on stderr from its own thread so that the
// workers only bump an atomic counter.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace cradle {

class Progress {
 public:
  //! Starts watching `total` units of work. Nothing is drawn unless the work
  //! outlasts `delay` (one second by default) and `enabled` is true. On a terminal
  //! the bar redraws in place; otherwise a line is printed at each tenth.
  Progress(std::string label, std::uint64_t total, bool enabled,
           std::chrono::milliseconds delay = std::chrono::milliseconds(1000));
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  //! Records `n` more units done; safe from any thread.
  void advance(std::uint64_t n = 1) { done_.fetch_add(n, std::memory_order_relaxed); }
  //! Stops the display, drawing the final state if anything was drawn.
  void finish();

 private:
  void run();
  void draw(bool final);

  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool tty_;
  std::chrono::milliseconds delay_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> done_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool drawn_ = false;
  int last_tenth_ = 0;
  std::thread thread_;
};

}  // namespace cradle
