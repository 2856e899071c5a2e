#include "sim/cli/resources.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "output/results.h"
#include "output/text.h"
#include "sim/input/profile.h"

namespace cradle {

namespace {

// The constants of the estimate, measured with /usr/bin/time -f %M (peak RSS) on
// `cradle run SCENARIO --sample 1/k -r R -t T -q -o /tmp/x.h5`, Release build, GCC 12,
// oneTBB 2021.8, HDF5 1.10, glibc 2.36 with main()'s fixed mmap threshold, x86-64, 2026-12:
//
//   FIXED: xihu_current at 1/1000, -r 1 -t 1 (about 500 persons): 22 MB. The program, its
//   libraries, the loaded scenario, TBB's threads.
//
//   BYTES_PER_PERSON: what one population-sized block costs per simulated person, a block
//   being a base population or a running replication's state. Peak less FIXED, over the
//   blocks estimate_memory counts, over the persons:
//     jiangxi_current 1/20 (2.25 m persons): -r 6 -t 1 129 MB (3 blocks): 15.8 B;
//       -r 12 -t 2 186 MB (5 blocks): 14.6 B; -r 1 -t 1 72 MB: 11 B (counted as 3 blocks)
//     xihu_current 1/1 (0.50 m persons): -r 8 -t 1 46 MB (3 blocks): 16.2 B;
//       -r 16 -t 2 63 MB (5 blocks): 16.3 B
//     sets/xihu_levers 1/1 (4 scenarios, 7 runs): -r 4 -t 2 79 MB (8 blocks): 14.4 B
//   20 bytes is the largest of these with a quarter more for margin. Since the population's
//   released columns are kept for the next replication's (sim/population/column_memory.h),
//   peaks are 6-10 % higher: jiangxi_current 1/20 -r 6 -t 1 105 -> 111 MB, -r 12 -t 2
//   165 -> 182 MB (2026-12-04, the same build with and without it), still within the margin.
//   The other residents' deaths counted by block, year and cohort (engine::Cohorts::dying,
//   2026-12-05) add under a byte a resident to each running replication: xihu_current 1/1
//   -r 16 -t 2 peaked at 48-52 MB before and 44-53 MB after, two runs each.
//
//   RESULTS_FACTOR: the peak's growth per 8-byte results value counted by run_shape:
//   xihu_current 1/1000 -t 2, -r 4000: 434 MB, 103 KB a replication for 39 KB of values
//   (2.6), estimated 470 MiB; sets/xihu_levers 1/1000 -r 1000 -t 2: 652 MB, estimated
//   974 MiB (its comparisons counted on the union of both scenarios' measures). The arrays
//   themselves, the comparisons and summaries derived from them, and the HDF5 file the
//   writer builds in memory and then copies out (output/results_writer.cpp: h5::file_image).
//
// tests/test_hardening.cpp checks the estimate against a child run's measured peak.
constexpr double FIXED = 24.0 * 1024 * 1024;
constexpr double BYTES_PER_PERSON = 20.0;
constexpr double RESULTS_FACTOR = 3.0;

//! Rows of a persons file without loading it: a CSV's lines less its header; an HDF5
//! file's size over 32 bytes, about a row of the seven required columns.
double persons_file_rows(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return 0;
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".h5" || ext == ".hdf5") return static_cast<double>(size) / 32.0;
  std::ifstream in(file, std::ios::binary);
  std::vector<char> buffer(1 << 16);
  double lines = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    lines += static_cast<double>(std::count(buffer.data(), buffer.data() + in.gcount(), '\n'));
  }
  return std::max(0.0, lines - 1);
}

//! 8-byte values per replication and year of a scenario's results (output/results.h):
//! outlay by measure and payer and caseload of the budget measures, amount and caseload of
//! the ledger measures (counted as if every measure were both), births by order, the
//! month sums, deaths, population, net migration and residents by sex and age.
double scenario_values_per_year(const Scenario& s) {
  const double m = static_cast<double>(s.measures.size()), p = static_cast<double>(s.chain.size());
  return m * (p + 1) + 2 * m + 3 + 4 + 3 + static_cast<double>(RESIDENT_SEXES * RESIDENT_AGES);
}

//! The same for a comparison of `reform` with `baseline`: outlay and its mechanical part on
//! the union of their measures by payer, births by order, five month sums, budget shares.
double comparison_values_per_year(const Scenario& baseline, const Scenario& reform) {
  const double m = static_cast<double>(baseline.measures.size() + reform.measures.size());
  const double p = static_cast<double>(reform.chain.size());
  return 2 * m * p + 3 + 5 + p;
}

//! The first number a file holds, if it can be read and is one.
std::optional<double> read_number(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word) || word.empty() || word.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stod(word);
}

//! The cgroup limit on this process's memory less what the group uses now, if there is one.
std::optional<MemoryLimit> cgroup_memory() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  const std::filesystem::path root = "/sys/fs/cgroup";
  while (std::getline(in, line)) {
    const auto first = line.find(':'), second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    std::vector<std::filesystem::path> folders;
    const char* limit_name = nullptr;
    const char* usage_name = nullptr;
    if (controllers.empty()) {  // v2: "0::/path"
      folders = {root / std::filesystem::path(path).relative_path(), root};
      limit_name = "memory.max";
      usage_name = "memory.current";
    } else if (std::string(",").append(controllers).append(",").find(",memory,") != std::string::npos) {  // v1
      folders = {root / "memory" / std::filesystem::path(path).relative_path(), root / "memory"};
      limit_name = "memory.limit_in_bytes";
      usage_name = "memory.usage_in_bytes";
    } else {
      continue;
    }
    for (const std::filesystem::path& folder : folders) {
      const std::optional<double> limit = read_number(folder / limit_name);
      if (!limit) continue;
      if (*limit >= std::ldexp(1.0, 60)) break;  // no limit ("max", or v1's 2^63 rounded to pages)
      const double used = read_number(folder / usage_name).value_or(0);
      std::string source("the cgroup's ");
      source += limit_name;
      source += " less its current use";
      return MemoryLimit{std::max(0.0, *limit - used), source};
    }
  }
  return std::nullopt;
}

//! Whether a text is digits with at most one decimal point among them.
bool decimal(const std::string& text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  return text.find_first_not_of("0123456789.") == std::string::npos && std::count(text.begin(), text.end(), '.') <= 1;
}

//! The largest n below `above` with fits(n), where fits(n) falls from true to false as n
//! grows (a binary search); 0 when `above` is 1 or fits(1) is false.
template <class Fits>
int most_that_fit(int above, Fits fits) {
  if (above <= 1 || !fits(1)) return 0;
  int lo = 1, hi = above;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

RunShape run_shape(const ScenarioSet& set, std::int64_t sample, int threads, int replications, bool split) {
  const Scenario& first = set.scenarios.front();
  RunShape shape;
  shape.scenarios = static_cast<int>(set.scenarios.size());
  shape.per_replication = first.persons_file.empty();
  for (const Scenario& s : set.scenarios) {
    const double persons = s.persons_file.empty() ? s.profile.persons / static_cast<double>(std::max<std::int64_t>(1, sample))
                                                  : persons_file_rows(s.persons_file);
    shape.persons = std::max(shape.persons, persons);
  }
  shape.replications = std::max(1, replications);
  shape.concurrent = std::max(1, std::min(threads, shape.replications));
  shape.per_population = std::max(1, first.replications_per_population);
  const bool reforms_split = split && set.scenarios.size() > 1;
  double values = 0;
  for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
    const Scenario& s = set.scenarios[i];
    const double years = s.years();
    const double own = years * scenario_values_per_year(s) + BURN_IN_YEARS +
                       static_cast<double>(s.uncertainty.size() + s.drawn_estimates.size());
    values += own;
    if (i == 0) continue;
    if (reforms_split) values += own;
    values += years * comparison_values_per_year(first, s);
  }
  shape.values_per_replication = values;
  return shape;
}

MemoryEstimate estimate_memory(const RunShape& shape) {
  MemoryEstimate e;
  // Each scenario's source keeps replication 0's population for the whole run; each running
  // replication holds its state, and each group of replications running its population
  // when it builds its own: at most one per running replication, and no more than the groups.
  const int groups = (shape.replications + shape.per_population - 1) / shape.per_population;
  e.populations_held =
      shape.scenarios + shape.concurrent + (shape.per_replication ? std::min(shape.concurrent, groups) : 0);
  e.populations = shape.persons * BYTES_PER_PERSON * e.populations_held;
  e.results = shape.values_per_replication * shape.replications * 8.0 * RESULTS_FACTOR;
  e.fixed = FIXED;
  return e;
}

std::optional<MemoryLimit> available_memory() {
  std::optional<MemoryLimit> best;
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") best = MemoryLimit{value * 1024, "MemAvailable in /proc/meminfo"};
  }
  const std::optional<MemoryLimit> group = cgroup_memory();
  if (group && (!best || group->bytes < best->bytes)) best = group;
  return best;
}

std::optional<double> parse_memory_size(const std::string& text) {
  std::size_t end = text.size();
  auto strip = [&](const char* suffix) {
    const std::size_t n = std::strlen(suffix);
    if (end >= n && strncasecmp(text.c_str() + end - n, suffix, n) == 0) {
      end -= n;
      return true;
    }
    return false;
  };
  if (!strip("iB")) strip("B");
  double scale = 1;
  const char* units = "KMGT";
  if (end > 0) {
    const char* u = std::strchr(units, std::toupper(static_cast<unsigned char>(text[end - 1])));
    if (u != nullptr && *u != '\0') {
      scale = std::ldexp(1.0, 10 * static_cast<int>(u - units + 1));
      --end;
    }
  }
  const std::string number = text.substr(0, end);
  if (!decimal(number) || number.size() > 20) return std::nullopt;
  std::istringstream in(number);
  in.imbue(std::locale::classic());
  double value = 0;
  if (!(in >> value) || !std::isfinite(value) || value * scale < 1) return std::nullopt;
  return value * scale;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  std::size_t u = 0;
  while (bytes >= 1024 && u + 1 < std::size(units)) {
    bytes /= 1024;
    ++u;
  }
  char text[48];
  std::snprintf(text, sizeof text, u == 0 || bytes >= 100 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return text;
}

std::optional<std::string> memory_refusal(const RunShape& shape, std::int64_t sample, const MemoryLimit& limit,
                                          const std::string& replications_option) {
  const MemoryEstimate e = estimate_memory(shape);
  if (e.total() <= limit.bytes) return std::nullopt;
  std::string text("the run needs about ");
  text += format_bytes(e.total());
  text += " of memory, more than the ";
  text += format_bytes(limit.bytes);
  text += " it may use (";
  text += limit.source;
  text += "): populations ";
  text += format_bytes(e.populations);
  text += " (";
  text += grouped(shape.persons, 0);
  text += " persons, held ";
  text += grouped(e.populations_held, 0);
  text += " times: replication 0's population for each of ";
  text += std::to_string(shape.scenarios);
  text += " scenario(s), and for each of ";
  text += std::to_string(shape.concurrent);
  text += " replication(s) running at once its working state";
  if (shape.per_replication) {
    text += shape.per_population > 1
                ? ", and the population of each group of " + std::to_string(shape.per_population) + " running"
                : " and its own population";
  }
  text += "), results ";
  text += format_bytes(e.results);
  text += " (";
  text += std::to_string(shape.replications);
  text += " replications), program ";
  text += format_bytes(e.fixed);
  text += ".";
  // The smallest sample that fits: the population part falls as 1/k.
  if (shape.per_replication) {
    const double base_persons = shape.persons * static_cast<double>(std::max<std::int64_t>(1, sample));
    auto fits_at = [&](double k) {
      RunShape smaller = shape;
      smaller.persons = base_persons / k;
      return estimate_memory(smaller).total() <= limit.bytes;
    };
    constexpr double MOST_SAMPLE = 1'000'000;  // the largest `sample` a scenario may give
    if (fits_at(MOST_SAMPLE)) {
      double lo = static_cast<double>(std::max<std::int64_t>(1, sample)), hi = MOST_SAMPLE;
      while (hi - lo > 1) {
        const double mid = std::floor((lo + hi) / 2);
        (fits_at(mid) ? hi : lo) = mid;
      }
      text += " Simulate 1 household in k: --sample 1/";
      text += std::to_string(static_cast<long long>(hi));
      text += " would fit.";
    }
  }
  // The most replications that fit at this sample.
  const int replications = most_that_fit(shape.replications, [&](int r) {
    RunShape fewer = shape;
    fewer.replications = r;
    fewer.concurrent = std::min(shape.concurrent, r);
    return estimate_memory(fewer).total() <= limit.bytes;
  });
  if (replications > 0) {
    text += " Fewer replications: ";
    text += replications_option;
    text += ' ';
    text += std::to_string(replications);
    text += " would fit.";
  }
  // The most threads that fit: each replication running at once holds its own state.
  const int threads = most_that_fit(shape.concurrent, [&](int t) {
    RunShape fewer = shape;
    fewer.concurrent = t;
    return estimate_memory(fewer).total() <= limit.bytes;
  });
  if (threads > 0) {
    text += " Fewer threads: -t ";
    text += std::to_string(threads);
    text += " would fit.";
  }
  text += " --max-memory SIZE sets the limit.";
  return text;
}

bool memory_allows_run(const ScenarioSet& set, std::int64_t sample, int threads, const RunArgs& args) {
  std::optional<MemoryLimit> limit;
  if (!args.max_memory.empty()) {
    const std::optional<double> bytes = parse_memory_size(args.max_memory);
    if (!bytes) {
      std::cerr << "cradle: error: --max-memory expects a size such as 512M, 8G or 2.5G (K, M, G, T: powers of "
                   "1024; a plain number is bytes), found \""
                << args.max_memory << "\"\n";
      return false;
    }
    limit = MemoryLimit{*bytes, "--max-memory"};
  } else {
    limit = available_memory();
    if (!limit) return true;  // nothing to hold the run against
  }
  int replications = set.scenarios.front().replications;
  if (args.target_rse > 0) replications = std::max(replications, args.max_replications);
  const bool split = set.scenarios.size() > 1 && !args.no_split;
  const RunShape shape = run_shape(set, sample, threads, replications, split);
  // --target-rse may run up to --max-replications: the estimate holds that many.
  const std::optional<std::string> refusal =
      memory_refusal(shape, sample, *limit, args.target_rse > 0 ? "--max-replications" : "-r");
  if (!refusal) return true;
  std::cerr << "cradle: error: " << *refusal << "\n";
  return false;
}

std::optional<std::string> unwritable_folder(const std::filesystem::path& folder) {
  static std::atomic<unsigned> counter{0};
  std::string name(".cradle-probe-");
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter.fetch_add(1));
  name += '-';
  name += std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  const std::filesystem::path probe = folder / name;
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::string(std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return std::nullopt;
}

}  // namespace cradle
