#include "output/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>

namespace cradle {

namespace {

// Writes `bytes` to a new file at `path` and makes them durable (fsync); throws
// std::system_error naming the path and the cause (e.g. no space left on device).
void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + path.string());
  crash_point("temporary_created");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = n < 0 ? errno : ENOSPC;
      ::close(fd);
      throw std::system_error(saved, std::generic_category(), "cannot write " + path.string());
    }
    done += static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd);
  const int saved = errno;
  if (::close(fd) != 0 || synced != 0) {
    throw std::system_error(synced != 0 ? saved : errno, std::generic_category(), "cannot write " + path.string());
  }
}

void sync_directory(const std::filesystem::path& directory) {
  // Best effort: the rename has happened, so failing here would misreport the outcome.
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::filesystem::path dir = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp.";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() || name.size() - prefix.size() > 9) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid == ::getpid() || (::kill(pid, 0) != 0 && errno == ESRCH)) std::filesystem::remove(entry.path(), ec);
  }
}

void replace_file(const std::filesystem::path& target, const std::vector<unsigned char>& bytes) {
  remove_stale_temporaries(target);
  std::filesystem::path temporary = target;
  temporary += ".tmp.";
  temporary += std::to_string(::getpid());
  try {
    write_bytes(temporary, bytes);
    crash_point("temporary_written");
    std::filesystem::rename(temporary, target);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_directory(target.parent_path());
}

void crash_point(const char* name) {
  static const char* const wanted = std::getenv("CRADLE_CRASH_AT");
  if (wanted == nullptr) return;
  const std::string spec = wanted;
  const std::string point = spec.substr(0, spec.find(':'));
  if (point != name) return;
  // Several points share one counter: a test names one point per run.
  static std::atomic<long> passages{0};
  const long nth = spec.find(':') == std::string::npos ? 1 : std::atol(spec.c_str() + spec.find(':') + 1);
  if (++passages == nth) ::kill(::getpid(), SIGKILL);
}

}  // namespace cradle
