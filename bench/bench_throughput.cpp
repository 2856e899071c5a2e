// Every figure README.md's performance section quotes, as one Markdown report:
//
//   ./build/bench/cradle_bench --repeat 3 > bench/RESULTS.md
//
// For the `current` scenario of Xihu, Zhangping and Jiangxi (Jiangxi at 1/10 and at full
// size), with 1 thread and all hardware threads (or --threads): the yearly loop's
// throughput, peak resident memory per resident, and where the time of a run as `cradle
// run` makes it goes (population generation, simulation, writing the results file); and,
// beside them, the bare reference loop of bench/reference_loop.h, timed in turn with the
// model's runs, so that README quotes the model's time as a ratio to it: a ratio depends
// less than a time on the machine and on its speed that minute. Each case and thread count
// runs in a child process of its own, so that one case's memory and thread pool do not
// touch the next one's figures; this process starts no thread and no TBB itself.
// Progress goes to stderr; --quick is the smoke test ctest runs (label bench).
#include <sys/resource.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "bench/reference_loop.h"
#include "cradle_version.h"
#include "output/results_writer.h"
#include "sim/engine/engine.h"
#include "sim/engine/plan.h"
#include "sim/input/scenario.h"
#include "sim/population/base_population.h"
#include "sim/population/population.h"

using namespace cradle;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Options {
  std::vector<int> threads;  //!< ascending, distinct
  std::vector<std::string> cases;  //!< the cases' keys to run; empty: all
  int repeat = 3;
  bool quick = false;
  std::string command;             //!< as typed, for the report
  bench::ReferenceSize reference;  //!< Xihu's size, measured first
};

// The reference loop's runs: the scenarios' 11 years, replications enough for a tenth of a second.
constexpr int REFERENCE_YEARS = 11, REFERENCE_REPLICATIONS = 16;

struct Case {
  const char* key;  //!< for --cases
  const char* label;
  const char* scenario;                  //!< among the shipped scenarios
  std::int64_t sample;                   //!< 1 household in `sample`
  int replications, quick_replications;  //!< quick 0: not in --quick
};

// The cases: the full `current` package of each place.
const Case CASES[] = {{"xihu", "Xihu, current", "xihu_current.toml", 1, 32, 2},
                      {"zhangping", "Zhangping, current", "zhangping_current.toml", 1, 32, 2},
                      {"jiangxi-tenth", "Jiangxi, current, 1/10", "jiangxi_current.toml", 10, 4, 2},
                      {"jiangxi-full", "Jiangxi, current, full", "jiangxi_current.toml", 1, 2, 0}};
const Case& JIANGXI_FULL = CASES[3];

//! The replications a case runs with `threads`: its own count, and at least 2 a thread, so that
//! no thread waits long for the last replication while the others have none left.
int replications_at(const Case& c, int threads, bool quick) {
  return quick ? c.quick_replications : std::max(c.replications, 2 * threads);
}

//! Replications per population of the grouped run (`cradle run --replications-per-population`).
constexpr int GROUPED = 8;

//! What one case at one thread count measured; passed from the child process as bytes.
struct Measured {
  std::uint64_t households = 0, residents = 0, women = 0, children = 0;
  int years = 0, replications = 0, threads = 0;
  double generation_s = 0;                //!< replication 0's population (and its description for the results file)
  double loop_s = 0;                      //!< the yearly loop on that one population, best of the timed runs
  // The loop's run split (exact on one thread; best of the timed runs, each figure its own best):
  double setup_s = 0;                     //!< before and after its replications: the plan, fertility's calibration
  double first_replication_s = 0;         //!< a replication that took fresh memory for its working state, mean
  double later_replication_s = 0;         //!< one that reused a finished replication's, mean; 0: none ran
  double run_s = 0;                       //!< the same replications each on its own population, as `cradle run`
  double others_generation_thread_s = 0;  //!< in run_s: the threads' time generating replications 1 … R-1's
  double reduction_thread_s = 0;          //!< in run_s: the threads' time in the reduction (reduce_year)
  double writing_s = 0;                   //!< write_results of the run's results
  double grouped_run_s = 0;               //!< run_s's run again, GROUPED replications on each population
  double later_generation_s = 0;          //!< a later replication's population, in memory the one before released
  //! That population checked and its plan made (fertility calibrated on it), as a run does for
  //! each population but replication 0's: best of `repeat`
  double later_check_plan_s = 0;
  double reference_s = 0;                 //!< the reference loop, best of its runs, each just before one of the loop's
  std::int64_t reference_checksum = 0;
  double reference_together_s = 0;  //!< the reference loop's mean time a thread, all threads at once (threads > 1)
  // Bytes: the process's resident size at its start and after generation, and the peaks of
  // generation, of the loop and of the run (each its own when /proc/self/clear_refs resets
  // the peak, else the peak so far).
  std::int64_t rss_start = 0, rss_population = 0, peak_generation = 0, peak_loop = 0, peak_run = 0;
  bool peaks_separate = false;
};
static_assert(std::is_trivially_copyable_v<Measured>);

//! A field of /proc/self/status in bytes (VmRSS, VmHWM); 0 if absent.
std::int64_t proc_status_bytes(const char* field) {
  std::ifstream in("/proc/self/status");
  const std::size_t n = std::strlen(field);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::atoll(line.c_str() + n + 1) * 1024;  // "VmHWM:   123456 kB"
    }
  }
  return 0;
}

//! Resets the process's peak resident size to its present size (Linux 4.0+); false if refused.
bool reset_peak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

//! Runs `work` in a forked child and returns what it returned; throws if the child fails.
template <class T>
T in_child(const std::function<T()>& work) {
  static_assert(std::is_trivially_copyable_v<T>);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  std::fflush(stdout);  // else the child's exit would print the parent's buffered lines again
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    int rc = 0;
    try {
      const T out = work();
      rc = write(fds[1], &out, sizeof out) == static_cast<ssize_t>(sizeof out) ? 0 : 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cradle_bench: %s\n", e.what());
      rc = 1;
    }
    std::fflush(stderr);
    _exit(rc);
  }
  close(fds[1]);
  T out{};
  std::size_t got = 0;
  for (ssize_t n; got < sizeof out && (n = read(fds[0], reinterpret_cast<char*>(&out) + got, sizeof out - got)) > 0;) {
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got != sizeof out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("a measurement's child process failed");
  }
  return out;
}

//! The results file of a run, as sim/cli/run.cpp assembles it for one scenario.
RunResults results_of(const Scenario& scenario, const BasePopulation& pop, const BaseComposition& base,
                      ScenarioResults&& run, int threads) {
  RunResults results;
  results.cradle_version = CRADLE_VERSION;
  results.git_revision = CRADLE_GIT_REVISION;
  results.created_utc = "2000-01-01T00:00:00Z";
  results.title = scenario.title;
  results.command = "cradle_bench";
  results.seed = scenario.seed;
  results.replications = run.replications;
  results.threads = threads;
  results.population_design = population_design(scenario);
  results.households = static_cast<std::int64_t>(pop.households()) * pop.weight;
  results.persons = pop.persons * pop.weight;
  results.sample_weight = pop.weight;
  results.households_simulated = static_cast<std::int64_t>(pop.households());
  results.base = base;
  run.observations = describe_observations(scenario.profile);
  results.scenarios.push_back(std::move(run));
  return results;
}

//! The reference loop on `threads` threads at once, each thread its own copy: the mean
//! seconds a thread takes for the run that the one-thread figure times alone, best of
//! `repeat` rounds. Over the one-thread time it is the machine's own efficiency with that
//! many threads busy (shared caches and memory bandwidth, a lower clock).
double reference_together(const bench::ReferenceSize& size, int threads, int replications, int repeat) {
  std::vector<std::unique_ptr<bench::ReferenceLoop>> loops;
  for (int t = 0; t < threads; ++t) loops.push_back(std::make_unique<bench::ReferenceLoop>(size));
  std::vector<double> best(static_cast<std::size_t>(threads), 1e300);
  std::atomic<int> arrived{0};
  const auto wait_for_all = [&](int round) {  // every thread starts each round together
    arrived.fetch_add(1);
    while (arrived.load() < threads * round) std::this_thread::yield();
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      bench::ReferenceLoop& loop = *loops[static_cast<std::size_t>(t)];
      loop.run(REFERENCE_YEARS, replications);  // allocates its buffers
      for (int round = 1; round <= repeat; ++round) {
        wait_for_all(round);
        double& b = best[static_cast<std::size_t>(t)];
        b = std::min(b, loop.run(REFERENCE_YEARS, replications));
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  double sum = 0;
  for (const double b : best) sum += b;
  return sum / threads;
}

//! The run as `cradle run` makes it, replications 1 … R-1 each generating their own population
//! within it: its time, and the threads' time in the population source (timed around each
//! call) and in the reduction, into `m`.
ScenarioResults run_as_cradle_run(const Scenario& scenario, const PopulationSource& source,
                                  const RunOptions& run_options, Measured& m) {
  std::atomic<std::int64_t> generating_ns{0};
  const PopulationSource timed_source = [&](std::uint32_t r) {
    const auto start = Clock::now();
    std::shared_ptr<const BasePopulation> p = source(r);
    generating_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    return p;
  };
  SimulationTrace reduction_timed;
  reduction_timed.record_births = false;
  const auto t0 = Clock::now();
  ScenarioResults run = simulate(scenario, timed_source, run_options, nullptr, &reduction_timed);
  m.run_s = seconds_since(t0);
  m.others_generation_thread_s = static_cast<double>(generating_ns.load()) * 1e-9;
  m.reduction_thread_s = static_cast<double>(reduction_timed.reduction_ns.load()) * 1e-9;
  return run;
}

//! A later replication's population as a run of many makes it: in the memory the one before it
//! released (replication 1's, made and released first; replication 2's is timed), into `m`;
//! then, best of `repeat`, what the run does with it before its replications: check it and make
//! its plan like `first`'s (fertility calibrated on it). The memory kept for reuse is given back after.
void time_later_population(const Scenario& scenario, const PopulationSource& source, const engine::Plan& first,
                           int repeat, Measured& m) {
  source(1).reset();
  auto t0 = Clock::now();
  const std::shared_ptr<const BasePopulation> later = source(2);
  m.later_generation_s = seconds_since(t0);
  if (later->households() == 0) throw std::runtime_error("a later population has no households");
  m.later_check_plan_s = 1e300;
  for (int k = 0; k < repeat; ++k) {
    t0 = Clock::now();
    check_population(*later);
    const engine::Plan plan = engine::make_plan_like(first, scenario, *later);
    m.later_check_plan_s = std::min(m.later_check_plan_s, seconds_since(t0));
    if (plan.years != first.years) throw std::runtime_error("a later population's plan has other years");
  }
}

//! Keeps in `m` the best of the loop's run split so far, from a run of `run_s` seconds with this
//! trace: its time beyond its replications, and its replications' mean times, those that took
//! fresh memory and the others.
void keep_replication_times(const SimulationTrace& trace, double run_s, Measured& m) {
  double all = 0, fresh = 0, later = 0;
  int fresh_n = 0, later_n = 0;
  for (std::size_t r = 0; r < trace.replication_ns.size(); ++r) {
    if (trace.replication_ns[r] == 0) continue;  // left out of the run
    const double s = static_cast<double>(trace.replication_ns[r]) * 1e-9;
    all += s;
    (trace.fresh_buffers[r] ? fresh : later) += s;
    ++(trace.fresh_buffers[r] ? fresh_n : later_n);
  }
  m.setup_s = std::min(m.setup_s, std::max(0.0, run_s - all / m.threads));
  if (fresh_n > 0) m.first_replication_s = std::min(m.first_replication_s, fresh / fresh_n);
  if (later_n > 0) m.later_replication_s = std::min(m.later_replication_s, later / later_n);
}

//! The yearly loop, every replication on `pop`, each run just after one of the reference loop's
//! (`reference_replications` a run): the best of the timed runs of each, and the loop's run
//! split (keep_replication_times), into `m`.
void time_loop(const Scenario& scenario, const BasePopulation& pop, const RunOptions& run_options,
               bench::ReferenceLoop& reference, int reference_replications, const Options& options, Measured& m) {
  m.loop_s = m.reference_s = m.setup_s = m.first_replication_s = m.later_replication_s = 1e300;
  for (int k = options.quick ? 1 : 0; k <= options.repeat; ++k) {  // k = 0: an untimed warm-up
    const double reference_s = reference.run(REFERENCE_YEARS, reference_replications);
    if (k > 0) m.reference_s = std::min(m.reference_s, reference_s);
    m.reference_checksum = reference.checksum();
    SimulationTrace timed;
    timed.record_births = false;
    const auto t0 = Clock::now();
    const ScenarioResults r = simulate(scenario, pop, run_options, nullptr, &timed);
    const double dt = seconds_since(t0);
    if (r.births.empty()) throw std::runtime_error("the simulation recorded no births");
    if (k > 0) {
      m.loop_s = std::min(m.loop_s, dt);
      keep_replication_times(timed, dt, m);
    }
  }
  if (m.later_replication_s == 1e300) m.later_replication_s = 0;
}

//! One case at one thread count, in the child process.
Measured measure(const Case& c, int replications, int threads, const Options& options,
                 const std::filesystem::path& scratch) {
  Measured m;
  // The reference loop is built and run once before the memory baseline, so that it adds nothing
  // to the case's figures.
  const int reference_replications = options.quick ? 2 : REFERENCE_REPLICATIONS;
  bench::ReferenceLoop reference(options.reference);
  reference.run(REFERENCE_YEARS, reference_replications);
  if (threads > 1) {
    m.reference_together_s = reference_together(options.reference, threads, reference_replications, options.repeat);
    reset_peak();  // its copies are gone: the case's peaks are its own
  }
  m.rss_start = proc_status_bytes("VmRSS");
  m.threads = threads;
  m.replications = replications;
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  const Scenario scenario = load_scenario(shipped_scenarios_dir() / c.scenario);
  const RunOptions run_options{replications, scenario.seed};
  m.years = scenario.years();

  // Generation: replication 0's population, as `cradle run` builds it before the run.
  auto t0 = Clock::now();
  const PopulationSource source = replication_populations(scenario, c.sample);
  const std::shared_ptr<const BasePopulation> pop = source(0);
  const BaseComposition base = describe_population(*pop, scenario.profile, scenario.persons_file.empty());
  m.generation_s = seconds_since(t0);
  m.rss_population = proc_status_bytes("VmRSS");
  m.peak_generation = proc_status_bytes("VmHWM");
  m.households = pop->households();
  m.residents = count_residents(*pop);
  m.women = pop->women();
  m.children = pop->children();
  m.peaks_separate = reset_peak();

  time_loop(scenario, *pop, run_options, reference, reference_replications, options, m);
  m.peak_loop = proc_status_bytes("VmHWM");
  if (m.peaks_separate) reset_peak();

  ScenarioResults run = run_as_cradle_run(scenario, source, run_options, m);
  m.peak_run = proc_status_bytes("VmHWM");

  const std::filesystem::path file = scratch / (std::to_string(getpid()) + ".h5");
  RunResults results = results_of(scenario, *pop, base, std::move(run), threads);
  t0 = Clock::now();
  write_results(file, results);
  m.writing_s = seconds_since(t0);
  std::filesystem::remove(file);

  // As `cradle run --replications-per-population GROUPED`.
  RunOptions grouped = run_options;
  grouped.replications_per_population = GROUPED;
  t0 = Clock::now();
  if (simulate(scenario, source, grouped).births.empty())
    throw std::runtime_error("the grouped run recorded no births");
  m.grouped_run_s = seconds_since(t0);
  time_later_population(scenario, source, engine::make_plan(scenario, *pop, run_options.seed), options.repeat, m);
  return m;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

//! The CPU seconds every process has spent busy since boot (/proc/stat's user, nice, system,
//! irq and softirq), and those the hypervisor took from this machine (steal); zero if unreadable.
struct CpuSeconds {
  double busy = 0, steal = 0;
};

CpuSeconds cpu_seconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {(user + nice + system + irq + softirq) / tick, steal / tick};
}

//! The CPU seconds of this process and of its children that have been waited for.
double own_cpu_seconds() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(self.ru_utime) + seconds(self.ru_stime) + seconds(children.ru_utime) + seconds(children.ru_stime);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one.empty() ? "unknown" : one;
}

const char* const USAGE =
    "usage: cradle_bench [--threads 1,2,...] [--cases xihu,...] [--repeat N] [--quick] > report.md\n"
    "  --threads  thread counts to time (default: 1 and the hardware threads)\n"
    "  --cases    among xihu, zhangping, jiangxi-tenth, jiangxi-full (default: all)\n"
    "  --repeat   timed runs of each loop, the best kept (default 3; 1 with --quick)\n"
    "  --quick    a smoke test: 2 replications, Jiangxi at 1/10 only, no warm-up\n";

//! Whether --cases leaves case `c` in.
bool chosen(const Options& o, const Case& c) {
  return o.cases.empty() || std::find(o.cases.begin(), o.cases.end(), c.key) != o.cases.end();
}

[[noreturn]] void usage_error(const std::string& message) {
  std::fprintf(stderr, "cradle_bench: %s\n%s", message.c_str(), USAGE);
  std::exit(2);
}

//! A whole number from 1 to 4096, or the usage error naming `what`.
int positive(const char* text, const char* what) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > 4096) {
    std::string message = what;
    message += " expects a whole number from 1 to 4096, found \"";
    message += text;
    message += "\"";
    usage_error(message);
  }
  return static_cast<int>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  o.command = "cradle_bench";
  bool repeat_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    (o.command += " ") += arg;
    if (arg == "--quick") {
      o.quick = true;
    } else if ((arg == "--threads" || arg == "--repeat" || arg == "--cases") && i + 1 < argc) {
      const std::string value = argv[++i];
      (o.command += " ") += value;
      if (arg == "--repeat") {
        o.repeat = positive(value.c_str(), "--repeat");
        repeat_given = true;
        continue;
      }
      std::size_t from = 0;
      for (;;) {
        const std::size_t comma = value.find(',', from);
        const std::string item = value.substr(from, comma - from);
        if (arg == "--threads") {
          o.threads.push_back(positive(item.c_str(), "--threads"));
        } else if (std::none_of(std::begin(CASES), std::end(CASES), [&](const Case& c) { return item == c.key; })) {
          usage_error("--cases expects keys among xihu, zhangping, jiangxi-tenth, jiangxi-full, found \"" + item +
                      "\"");
        } else {
          o.cases.push_back(item);
        }
        if (comma == std::string::npos) break;
        from = comma + 1;
      }
    } else if (arg == "--help" || arg == "-h") {
      std::printf("cradle_bench: times the model and prints a Markdown report (bench/RESULTS.md)\n%s", USAGE);
      std::exit(0);
    } else {
      std::string message = "unknown or incomplete argument \"";
      message += arg;
      message += "\"";
      usage_error(message);
    }
  }
  if (o.quick && !repeat_given) o.repeat = 1;
  const bool any_case = std::any_of(std::begin(CASES), std::end(CASES),
                                    [&](const Case& c) { return chosen(o, c) && replications_at(c, 1, o.quick) > 0; });
  if (!any_case) usage_error("--quick leaves out the full Jiangxi case: with --quick, --cases needs another case");
  if (o.threads.empty()) o.threads = {1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  std::sort(o.threads.begin(), o.threads.end());
  o.threads.erase(std::unique(o.threads.begin(), o.threads.end()), o.threads.end());
  return o;
}

//! 12345678 as "12,345,678".
std::string grouped(std::uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

//! "1 thread", "2 threads".
std::string threads_text(int n) {
  std::string text = std::to_string(n);
  text += n == 1 ? " thread" : " threads";
  return text;
}

double household_years(const Measured& m) { return static_cast<double>(m.households) * m.years * m.replications; }

//! The reference loop's ns per household-year in the child that measured `m`.
double reference_ns(const Measured& m, const Options& options) {
  const int replications = options.quick ? 2 : REFERENCE_REPLICATIONS;
  return m.reference_s * 1e9 / (static_cast<double>(options.reference.households) * REFERENCE_YEARS * replications);
}

//! The model's core time per household-year (threads × wall) over the reference loop's.
double over_reference(const Measured& m, const Options& options) {
  return 1e9 * m.threads * m.loop_s / household_years(m) / reference_ns(m, options);
}

struct Row {
  const Case* c;
  Measured m;
};

void print_throughput(const std::vector<Row>& rows, const Options& options) {
  std::printf(
      "## The yearly loop\n\n"
      "Every replication on one base population (replication 0's); a household-year is one household "
      "with all its residents through one year. Speed-up and efficiency are against the case's "
      "smallest thread count. \"reference, ns\" is the reference loop's time per household-year in the "
      "same process, best of its runs, each run just before one of the model's; \"÷ reference\" is the "
      "model's core time per household-year (threads × wall) over it.\n\n");
  std::printf(
      "| population | households | residents | replications | threads | household-years/s | ns per "
      "household-year | household-years/s per core | reference, ns | ÷ reference | speed-up | efficiency |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Measured& m = rows[i].m;
    const Row& first = *std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.c == rows[i].c; });
    const double rate = household_years(m) / m.loop_s, base = household_years(first.m) / first.m.loop_s;
    const double speed_up = rate / base, efficiency = speed_up * first.m.threads / m.threads;
    std::printf("| %s | %s | %s | %d | %d | %.3g | %.1f | %.3g | %.2f | %.2f | %.2f | %.0f %% |\n", rows[i].c->label,
                grouped(m.households).c_str(), grouped(m.residents).c_str(), m.replications, m.threads, rate,
                1e9 / rate, rate / m.threads, reference_ns(m, options), over_reference(m, options), speed_up,
                100 * efficiency);
  }
  std::printf("\n");
}

//! A later replication's time on one thread (the first's where only one ran).
double later_or_first_s(const Measured& m) {
  return m.later_replication_s > 0 ? m.later_replication_s : m.first_replication_s;
}

//! A later replication's (or the first's, where only one ran) ns per household-year.
double later_ns(const Measured& m) { return 1e9 * later_or_first_s(m) / (static_cast<double>(m.households) * m.years); }

void print_run_split(const std::vector<Row>& rows, const Options& options) {
  std::printf(
      "## A run's setup and its replications, one thread\n\n"
      "The yearly loop's runs above with one thread, split (each figure the best of the timed runs): the setup, "
      "the run's time beyond its replications (the plan, with fertility's calibration on the population, and the "
      "results' arrays); a first replication, which takes fresh memory for its working state (the first on each "
      "thread: every page is touched for the first time); and a later one, which reuses the memory of a finished "
      "replication, as nearly every replication of a long run does (the mean over those of the run; where the "
      "run has only one replication, the first's time stands for it).\n\n");
  std::printf(
      "| population | replications | setup, s | first replication, s | later replication, s | ns per "
      "household-year, a later replication | ÷ reference, a later replication |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const Measured& m = r.m;
    if (m.threads != 1) continue;
    std::printf("| %s | %d | %.2f | %.2f | %.2f | %.1f | %.2f |\n", r.c->label, m.replications, m.setup_s,
                m.first_replication_s, later_or_first_s(m), later_ns(m), later_ns(m) / reference_ns(m, options));
  }
  std::printf("\n");
}

//! The reference loop's rate a thread with the case's threads all running it, over its
//! rate alone in the same process: the machine's own efficiency (0 with one thread).
double reference_efficiency(const Measured& m) {
  return m.reference_together_s > 0 ? m.reference_s / m.reference_together_s : 0;
}

//! The most threads a row ran with.
int most_threads(const std::vector<Row>& rows) {
  int most = 1;
  for (const Row& r : rows) most = std::max(most, r.m.threads);
  return most;
}

//! The lowest and highest reference_efficiency of the rows with the most threads; {0, 0}
//! where every row has one thread.
std::pair<double, double> efficiency_range(const std::vector<Row>& rows) {
  const int most = most_threads(rows);
  if (most == 1) return {0, 0};
  double low = 1e300, high = 0;
  for (const Row& r : rows) {
    if (r.m.threads != most) continue;
    low = std::min(low, reference_efficiency(r.m));
    high = std::max(high, reference_efficiency(r.m));
  }
  return {low, high};
}

//! The efficiency_range as "87 %" or "72–103 %"; empty where every row has one thread.
std::string machine_efficiency(const std::vector<Row>& rows) {
  const auto [low, high] = efficiency_range(rows);
  if (high == 0) return {};
  char text[32];
  if (std::lround(100 * low) == std::lround(100 * high)) {
    std::snprintf(text, sizeof text, "%.0f %%", 100 * high);
  } else {
    std::snprintf(text, sizeof text, "%.0f–%.0f %%", 100 * low, 100 * high);
  }
  return text;
}

//! The reference loop's fastest and slowest ns per household-year over the cases' processes.
std::pair<double, double> reference_range(const std::vector<Row>& rows, const Options& options) {
  double low = 1e300, high = 0;
  for (const Row& r : rows) {
    low = std::min(low, reference_ns(r.m, options));
    high = std::max(high, reference_ns(r.m, options));
  }
  return {low, high};
}

void print_reference(const std::vector<Row>& rows, const Options& options) {
  const Measured& first = rows.front().m;
  const bench::ReferenceSize& size = options.reference;
  const auto [low, high] = reference_range(rows, options);
  std::printf(
      "## The reference loop\n\n"
      "bench/reference_loop.cpp: a bare structure-of-arrays kernel on one thread over a synthetic "
      "population the size of Xihu's (%s households, %s women, %s children), %d years × %d "
      "replications a run: per woman a batched Philox draw (`draw_batch_u64`, as the model's) against an "
      "integer threshold by age × parity, per child one for childcare under 3 or kindergarten at 3–5, "
      "ageing, and four measures as months × fen summed into int64 tallies (checksum %lld). It ran at "
      "%.2f–%.2f ns per household-year in the cases' processes. **%s on %s: %.2f × the "
      "reference** in core time per household-year.\n\n",
      grouped(size.households).c_str(), grouped(size.women).c_str(), grouped(size.children).c_str(), REFERENCE_YEARS,
      options.quick ? 2 : REFERENCE_REPLICATIONS, static_cast<long long>(first.reference_checksum), low, high,
      rows.front().c->label, threads_text(first.threads).c_str(), over_reference(first, options));
  if (const std::string efficiency = machine_efficiency(rows); !efficiency.empty()) {
    std::printf(
        "Run on %s at once, each thread its own copy, it kept %s of its one-thread rate a thread "
        "(in each case's process; timed runs: %d, the best kept): the machine's own efficiency with that many threads "
        "busy (shared caches and memory bandwidth, a lower clock), the ceiling of the model's.\n\n",
        threads_text(rows.back().m.threads).c_str(), efficiency.c_str(), options.repeat);
  }
}

void print_memory(const std::vector<Row>& rows) {
  const bool separate = std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.m.peaks_separate; });
  std::printf(
      "## Memory\n\n"
      "Bytes per resident of the simulated population, above the process's resident size at its "
      "start (VmRSS and VmHWM of /proc/self/status, in a process of the case's own): held by the "
      "base population after generation, and the peaks of generation, of the yearly loop (the "
      "population and the replications running at once) and of the run as `cradle run` makes it "
      "(each replication its own population)%s.\n\n",
      separate ? "" : "; each peak includes those before it (/proc/self/clear_refs could not reset it)");
  std::printf(
      "| population | threads | residents | population | peak, generation | peak, loop | peak, as "
      "`cradle run` | largest peak, MB |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const Measured& m = r.m;
    const auto per = [&](std::int64_t bytes) {
      return static_cast<double>(bytes - m.rss_start) / static_cast<double>(m.residents);
    };
    const std::int64_t largest = std::max({m.peak_generation, m.peak_loop, m.peak_run});
    std::printf("| %s | %d | %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", r.c->label, m.threads,
                grouped(m.residents).c_str(), per(m.rss_population), per(m.peak_generation), per(m.peak_loop),
                per(m.peak_run), static_cast<double>(largest) / 1e6);
  }
  std::printf("\n");
}

//! The grouped run's total as the phase table counts a run's: population 0, the run, the writing.
double grouped_total(const Measured& m) { return m.generation_s + m.grouped_run_s + m.writing_s; }

void print_phases(const std::vector<Row>& rows) {
  std::printf(
      "## Where a run's time goes\n\n"
      "A run as `cradle run` makes it, each replication on its own population (the scenario's reading "
      "left out), its wall time split into phases. Generation: replication 0's population, built "
      "before the run with the case's threads allowed (\"one population\"), and the other replications' "
      "within the run, counted as the time the threads spent in the population source (timed around "
      "each call) divided by the threads (exact on one thread; an approximation when fewer "
      "replications than threads leave a thread idle). Simulation: the rest of the run, which includes calibrating "
      "fertility on each "
      "replication's population. Reduction: the exact integer sum of each replication-year's blocks "
      "into the results (`reduce_year`), timed around each call and divided by the threads like the "
      "generation of replications 1 … R-1. Writing: `write_results`, which computes the summary statistics over "
      "replications (means, quantiles, sensitivity) and writes the HDF5 file (to a temporary folder). The last "
      "column is the total of the same run with `--replications-per-population %d` (each %d replications on one "
      "population, generated and calibrated once; the writing counted as above): with fewer replications than "
      "that, the one population replication 0's. \"A later population\" is replication 2's, generated after "
      "replication 1's was made and released, in the memory that one left, as a run of many replications "
      "generates most of its populations (replication 0's is the first in the process: every page is new).\n\n",
      GROUPED, GROUPED);
  std::printf(
      "| population | threads | replications | total, s | one population, s | generation | simulation | reduction "
      "| writing | total, %d per population, s | a later population, s |\n",
      GROUPED);
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    const Measured& m = r.m;
    const double others = m.others_generation_thread_s / m.threads;
    const double reduction = m.reduction_thread_s / m.threads;
    const double generation = m.generation_s + others, simulation = m.run_s - others - reduction;
    const double total = generation + simulation + reduction + m.writing_s;
    std::printf(
        "| %s | %d | %d | %.2f | %.2f | %.2f s, %.0f %% | %.2f s, %.0f %% | %.3f s, %.1f %% | %.2f s, %.0f %% | %.2f "
        "| %.2f |\n",
        r.c->label, m.threads, m.replications, total, m.generation_s, generation, 100 * generation / total, simulation,
        100 * simulation / total, reduction, 100 * reduction / total, m.writing_s, 100 * m.writing_s / total,
        grouped_total(m), m.later_generation_s);
  }
  std::printf("\n");
}

//! Jiangxi at full size, 1000 replications on 16 cores. Where the case ran with 16 threads or
//! more, its run split there (setup, first and later replications), scaled to 1000
//! replications (the replications are independent and alike); else projected from the
//! one-thread run split and the efficiency at the next thread count (assumed to hold at 16).
struct Projection {
  const Measured* one = nullptr;   //!< the one-thread row; null: not made
  const Measured* more = nullptr;  //!< the row whose rate or efficiency is used
  bool on_cores = false;           //!< `more` ran with 16 threads or more: its rate is measured, not projected
  double measured = 0;             //!< the efficiency measured at `more`'s threads
  double efficiency = 0;  //!< the one assumed: the measured one, at most 100 % (more is noise)
  double loop_s = 0, run_s = 0;
  //! As `cradle run --replications-per-population PROJECTED_GROUP`: the loop, plus each
  //! population's own cost (generation, calibration) once a group.
  double grouped_s = 0;

  //! How the efficiency assumed was obtained, for the report's sentences.
  std::string efficiency_text() const {
    char text[160];
    std::snprintf(text, sizeof text, "%.0f %% efficiency measured with %d threads%s", 100 * measured, more->threads,
                  measured > 1 && !on_cores ? " (taken as 100 %: above linear is noise in the one-thread time)" : "");
    return text;
  }
};

constexpr double PROJECTED_REPLICATIONS = 1000, PROJECTED_CORES = 16, PROJECTED_GROUP = 10;

//! The yearly loop of PROJECTED_REPLICATIONS, `per_thread` on each thread, from the run split of
//! `m`: the setup once (it runs before the replications start), and on each thread its share of
//! the replications, the first taking fresh memory for its working state (as on every thread of
//! the run, at the same time), the others reusing it, their times divided by `efficiency`.
double projected_loop_s(const Measured& m, double per_thread, double efficiency) {
  return m.setup_s + (m.first_replication_s + (per_thread - 1) * later_or_first_s(m)) / efficiency;
}

Projection project(const std::vector<Row>& rows) {
  Projection p;
  for (const Row& r : rows) {
    if (r.c != &JIANGXI_FULL) continue;
    if (r.m.threads == 1) p.one = &r.m;
    if (r.m.threads > 1 && (!p.more || (!p.on_cores && r.m.threads >= PROJECTED_CORES))) {
      p.more = &r.m;
      p.on_cores = r.m.threads >= PROJECTED_CORES;
    }
  }
  if (!p.one || !p.more) return Projection{};
  const Measured &m1 = *p.one, &mt = *p.more;
  p.measured = (household_years(mt) / mt.loop_s) / (household_years(m1) / m1.loop_s) / mt.threads;
  p.efficiency = std::min(p.measured, 1.0);
  const Measured& per = p.on_cores ? mt : m1;
  const double scale = PROJECTED_REPLICATIONS / per.replications / (p.on_cores ? 1 : PROJECTED_CORES * p.efficiency);
  p.loop_s = p.on_cores ? projected_loop_s(mt, PROJECTED_REPLICATIONS / mt.threads, 1)
                        : projected_loop_s(m1, PROJECTED_REPLICATIONS / PROJECTED_CORES, p.efficiency);
  // Each population's own cost beyond the loop, for the run's replications: measured on the
  // cores as the run's time beyond its loop; projected as a later population's generation
  // (nearly every one of 1000 is one: the first's fresh pages come once), check and plan, each
  // timed alone: the one-thread run's time beyond its loop and its generation, a difference of
  // two single runs, is too noisy to stand for them.
  const double own = p.on_cores ? per.generation_s + per.run_s - per.loop_s
                                : (per.later_generation_s + per.later_check_plan_s) * per.replications;
  p.run_s = p.loop_s + own * scale;
  p.grouped_s = p.loop_s + own / PROJECTED_GROUP * scale;
  return p;
}

void print_projection(const Projection& p) {
  if (!p.one) {
    std::printf("## Projection, not measured: Jiangxi full, 1000 replications on 16 cores\n\n");
    std::printf("Not made: it needs the full Jiangxi case timed with 1 thread and with more (not with --quick).\n\n");
    return;
  }
  if (p.on_cores) {
    std::printf("## Jiangxi full, 1000 replications on %d threads, from %d measured\n\n", p.more->threads,
                p.more->replications);
    const Measured& more = *p.more;
    std::printf(
        "The full Jiangxi case (%s households, %d years) ran %d replications with %d threads on this machine: "
        "the run's setup (%.2f s), and each thread's first replication, on fresh memory (%.2f s, mean), and its "
        "later ones (%.2f s, mean). Scaled to 1000 replications (independent and alike): the setup once, and "
        "%.1f replications a thread, the first of them on fresh memory; with the %s:\n\n",
        grouped(more.households).c_str(), more.years, more.replications, more.threads, more.setup_s,
        more.first_replication_s, later_or_first_s(more), PROJECTED_REPLICATIONS / more.threads,
        p.efficiency_text().c_str());
  } else {
    const Measured& one = *p.one;
    std::printf("## Projection, not measured: Jiangxi full, 1000 replications on 16 cores\n\n");
    std::printf(
        "From the full Jiangxi case on this machine (%s households, %d years), timed on one thread (the table "
        "above): the run's setup (%.2f s), a first replication, on fresh memory (%.2f s), and a later one (%.2f s, "
        "%.1f ns per household-year); a later population's generation (%.2f s), and its check and plan (%.2f s). "
        "On 16 cores the setup runs once, and each core runs %.1f replications, the first of them on fresh "
        "memory, at the %s, assumed to hold at 16 (memory not projected):\n\n",
        grouped(one.households).c_str(), one.years, one.setup_s, one.first_replication_s, later_or_first_s(one),
        later_ns(one), one.later_generation_s, one.later_check_plan_s, PROJECTED_REPLICATIONS / PROJECTED_CORES,
        p.efficiency_text().c_str());
  }
  const char* how = p.on_cores ? "scaled from the measured run" : "projected";
  std::printf("- the yearly loop on one shared population: %.0f s (%.1f min), %s;\n", p.loop_s, p.loop_s / 60, how);
  std::printf("- as `cradle run`, each replication generating its own population: %.0f s (%.1f min), %s%s;\n", p.run_s,
              p.run_s / 60, how,
              p.on_cores ? ""
                         : ": the loop's time, and for each replication a later population's generation (in the "
                           "memory the one before released, as nearly every population of a long run is made) and "
                           "what the run does with it before its replications, its check and its plan (fertility "
                           "calibrated on it), each timed alone on one thread");
  std::printf(
      "- as `cradle run --replications-per-population %.0f`: %.0f s (%.1f min), projected from the same times: the "
      "loop's, and each population's own cost (its generation, check and plan, as above) once per %.0f "
      "replications.\n\n",
      PROJECTED_GROUP, p.grouped_s, p.grouped_s / 60, PROJECTED_GROUP);
}

//! The share of a run's time spent generating populations (the phase table's).
double generation_share(const Measured& m) {
  const double others = m.others_generation_thread_s / m.threads;
  return (m.generation_s + others) / (m.generation_s + m.run_s + m.writing_s);
}

//! The figures README.md quotes, one line each, so that its copy can be checked against this report.
void print_summary(const std::vector<Row>& rows, const Options& options, const std::string& machine,
                   const std::string& quiet) {
  const Row& first = rows.front();
  const Row& first_most = *std::find_if(rows.rbegin(), rows.rend(), [&](const Row& r) { return r.c == first.c; });
  const Row& large = *std::find_if(rows.begin(), rows.end(), [&](const Row& r) { return r.c == rows.back().c; });
  const Row& large_most = rows.back();
  const auto per_resident = [](const Measured& m, std::int64_t bytes) {
    return static_cast<double>(bytes - m.rss_start) / static_cast<double>(m.residents);
  };
  std::printf("## Summary (README.md quotes these lines)\n\n");
  std::printf("- %s; %s.\n", machine.c_str(), quiet.c_str());
  std::printf(
      "- %s, %s: %.1f ns per household-year, **%.2f × the reference loop** (%.2f ns); with %s: "
      "%.2f × the rate with %s.\n",
      first.c->label, threads_text(first.m.threads).c_str(), 1e9 * first.m.loop_s / household_years(first.m),
      over_reference(first.m, options), reference_ns(first.m, options), threads_text(first_most.m.threads).c_str(),
      (household_years(first_most.m) / first_most.m.loop_s) / (household_years(first.m) / first.m.loop_s),
      threads_text(first.m.threads).c_str());
  std::printf(
      "- %s, %s, %d replications as `cradle run` makes them, each on its own population: %.2f s; with "
      "`--replications-per-population %d`: %.2f s.\n",
      first.c->label, threads_text(first.m.threads).c_str(), first.m.replications,
      first.m.generation_s + first.m.run_s + first.m.writing_s, GROUPED, grouped_total(first.m));
  std::printf(
      "- %s (%s households, %s residents): replication 0's population takes %.2f s to generate with %s "
      "and %.2f s with %s, and holds %.0f bytes per resident; with %s, a later replication's population "
      "takes %.2f s (in the memory the one before released); the yearly loop peaks at %.0f bytes per "
      "resident with %s; generating each replication's own population takes %.0f %% of a run as "
      "`cradle run` makes it (%d replications, %s).\n",
      large.c->label, grouped(large.m.households).c_str(), grouped(large.m.residents).c_str(), large.m.generation_s,
      threads_text(large.m.threads).c_str(), large_most.m.generation_s, threads_text(large_most.m.threads).c_str(),
      per_resident(large.m, large.m.rss_population), threads_text(large_most.m.threads).c_str(),
      large_most.m.later_generation_s, per_resident(large_most.m, large_most.m.peak_loop),
      threads_text(large_most.m.threads).c_str(), 100 * generation_share(large.m), large.m.replications,
      threads_text(large.m.threads).c_str());
  if (const std::string efficiency = machine_efficiency(rows); !efficiency.empty()) {
    std::printf(
        "- The reference loop on %s at once, each thread its own copy, keeps %s of its one-thread "
        "rate a thread: the machine's own efficiency with every thread busy.\n",
        threads_text(large_most.m.threads).c_str(), efficiency.c_str());
  }
  const Projection p = project(rows);
  if (p.on_cores) {
    std::printf(
        "- Jiangxi full, %d years × 1000 replications on %d threads, scaled from %d replications measured: %.1f "
        "min for the yearly loop, %.1f min as `cradle run` makes it, %.1f min with `--replications-per-population "
        "%.0f` (projected from the same times); %s.\n",
        p.one->years, p.more->threads, p.more->replications, p.loop_s / 60, p.run_s / 60, p.grouped_s / 60,
        PROJECTED_GROUP, p.efficiency_text().c_str());
  } else if (p.one) {
    std::printf(
        "- Projected, not measured: Jiangxi full, %d years × 1000 replications on 16 cores at the %s: %.1f min "
        "for the yearly loop (a later replication, on one thread: %.1f ns per household-year), %.1f min as `cradle "
        "run` makes it, %.1f min with `--replications-per-population %.0f`.\n",
        p.one->years, p.efficiency_text().c_str(), p.loop_s / 60, later_ns(*p.one), p.run_s / 60, p.grouped_s / 60,
        PROJECTED_GROUP);
  }
  std::printf("\n");
}

//! Every chosen case at every thread count, each in a child process, after the reference
//! loop's size (Xihu's) is set in `options`. Throws, naming what it was doing, if one fails.
std::vector<Row> run_cases(Options& options, const std::filesystem::path& scratch) {
  std::vector<Row> rows;
  std::string doing = "sizing the reference loop on Xihu";
  try {
    // The reference loop's size: Xihu's population, generated in a child of its own.
    options.reference = in_child<bench::ReferenceSize>([] {
      const Scenario xihu = load_scenario(shipped_scenarios_dir() / CASES[0].scenario);
      const BasePopulation pop = replication_population(xihu, CASES[0].sample, 0);  // as the case's
      return bench::ReferenceSize{pop.households(), pop.women(), pop.children()};
    });
    for (const Case& c : CASES) {
      if (!chosen(options, c) || replications_at(c, 1, options.quick) == 0) continue;
      for (int t : options.threads) {
        const int replications = replications_at(c, t, options.quick);
        ((doing = c.label) += ", ") += threads_text(t);
        const auto t0 = Clock::now();
        const Measured m = in_child<Measured>([&] { return measure(c, replications, t, options, scratch); });
        rows.push_back({&c, m});
        std::fprintf(stderr, "cradle_bench: %s, %s: %.1f s\n", c.label, threads_text(t).c_str(), seconds_since(t0));
      }
    }
  } catch (const std::exception& e) {
    throw std::runtime_error(doing + ": " + e.what());
  }
  return rows;
}

//! The report's title and its first paragraph: the machine, the revision, how long the
//! bench took and how quiet the machine was (from what the CPUs did and from the reference
//! loop's times in the cases' processes); returns the machine's and the quiet's words for
//! the summary.
std::pair<std::string, std::string> print_header(const Options& options, Clock::time_point started,
                                                 const std::string& load, const CpuSeconds& cpu_before,
                                                 const std::vector<Row>& rows) {
  // What other processes and the hypervisor took while the bench ran, as a share of all the CPUs.
  const CpuSeconds cpu_after = cpu_seconds();
  const double capacity = seconds_since(started) * std::max(1u, std::thread::hardware_concurrency());
  // At least 0: /proc/stat's ticks and getrusage's times are rounded differently, so an idle
  // machine can come out a hair below.
  const double others = std::max(0.0, (cpu_after.busy - cpu_before.busy - own_cpu_seconds()) / capacity);
  const double steal = (cpu_after.steal - cpu_before.steal) / capacity;

  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  std::printf("# cradle_bench\n\n");
  std::printf(
      "Regenerate with `./build/bench/cradle_bench --repeat 3 > bench/RESULTS.md` on a quiet machine; "
      "this report was printed by `%s`.\n\n",
      options.command.c_str());
  char machine[512];
  std::snprintf(machine, sizeof machine, "%s, %s, %u hardware threads", date, cpu_model().c_str(),
                std::thread::hardware_concurrency());
  // The same loop, timed the same way in each case's process: where its speed moved, so did
  // the machine's, whatever /proc/stat says (a virtual machine's host need not report the
  // time it takes). Alone on one thread, and on every thread at once: a host that slows one
  // thread while the other runs leaves the first steady and the cases with all threads not.
  const auto [fastest, slowest] = reference_range(rows, options);
  const double moved = slowest / fastest - 1;
  const auto [least, most] = efficiency_range(rows);
  const double moved_together = most > 0 ? most / least - 1 : 0;
  char together[160] = "";
  if (most > 0) {
    std::snprintf(together, sizeof together, " and its efficiency on %s at once by %.0f %%",
                  threads_text(most_threads(rows)).c_str(), 100 * moved_together);
  }
  const bool noisy = others > 0.05 || steal > 0.05 || moved > 0.1 || moved_together > 0.1;
  char quiet[480];
  std::snprintf(quiet, sizeof quiet,
                "other processes kept the CPUs %.0f %% busy, the hypervisor took %.0f %%, the reference loop's "
                "speed moved by %.0f %% between the cases%s: %s",
                100 * others, 100 * steal, 100 * moved, together,
                noisy ? "**not a quiet run; regenerate before quoting**" : "a quiet run");
  std::printf(
      "%s, load average %s at the start (the bench itself adds up to its thread count); cradle %s (%s); timed runs "
      "of each loop: %d, the best kept%s; the bench took %.0f s. While it ran, %s (the CPUs and the hypervisor: "
      "shares of all hardware threads over the bench's time, from /proc/stat less the bench's own CPU time; the "
      "reference loop: its slowest case's best time over its fastest case's, and its lowest efficiency with "
      "every thread running a copy over its highest, among the cases with the most threads; quiet up to 10 %% "
      "each).\n\n",
      machine, load.c_str(), CRADLE_VERSION, CRADLE_GIT_REVISION, options.repeat,
      options.quick ? ", no warm-up (--quick)" : " after a warm-up", seconds_since(started), quiet);
  return {machine, quiet};
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  const auto started = Clock::now();
  const std::string load = load_average();
  const CpuSeconds cpu_before = cpu_seconds();
  std::string scratch = (std::filesystem::temp_directory_path() / "cradle_bench.XXXXXX").string();
  if (!mkdtemp(scratch.data())) {
    std::fprintf(stderr, "cradle_bench: cannot make a temporary folder %s\n", scratch.c_str());
    return 1;
  }
  std::vector<Row> rows;
  try {
    rows = run_cases(options, scratch);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cradle_bench: %s\n", e.what());
    std::filesystem::remove_all(scratch);
    return 1;
  }
  std::filesystem::remove_all(scratch);
  const auto [machine, quiet] = print_header(options, started, load, cpu_before, rows);
  print_summary(rows, options, machine, quiet);
  print_throughput(rows, options);
  print_run_split(rows, options);
  print_reference(rows, options);
  print_memory(rows);
  print_phases(rows);
  print_projection(project(rows));
  return 0;
}
