#include "sim/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace cradle {

Progress::Progress(std::string label, std::uint64_t total, bool enabled, std::chrono::milliseconds delay)
    : label_(std::move(label)),
      total_(total == 0 ? 1 : total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      delay_(delay),
      start_(std::chrono::steady_clock::now()) {
  if (enabled_) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() { finish(); }

void Progress::finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drawn_) draw(true);
}

void Progress::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_for(lock, delay_, [this] { return stop_; })) return;
  while (!stop_) {
    draw(false);
    drawn_ = true;
    wake_.wait_for(lock, std::chrono::milliseconds(tty_ ? 200 : 500), [this] { return stop_; });
  }
}

void Progress::draw(bool final) {
  const std::uint64_t done = final ? total_ : done_.load(std::memory_order_relaxed);
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) {
    constexpr int WIDTH = 40;
    const int filled = static_cast<int>(fraction * WIDTH);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(WIDTH, '.');
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fprintf(stderr, "\r%s [%s] %3.0f%%  %.1f s elapsed, ~%.0f s left ", label_.c_str(), bar.c_str(),
                 100 * fraction, elapsed, eta);
    if (final) std::fputc('\n', stderr);
  } else {
    const int tenth = static_cast<int>(fraction * 10);
    if (tenth > last_tenth_ || final) {
      last_tenth_ = tenth;
      std::fprintf(stderr, "%s: %3.0f%% (%.1f s)\n", label_.c_str(), 100 * fraction, elapsed);
    }
  }
  std::fflush(stderr);
}

}  // namespace cradle
