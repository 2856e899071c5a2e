// What a run needs from the machine, checked before it starts: the memory it will hold at
// its peak against what the machine (or --max-memory) allows, and an output folder it can
// write to. `cradle run` refuses at once rather than fail after the simulation, or be
// killed by the kernel halfway through.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/cli/commands.h"
#include "sim/input/scenario_set.h"

namespace cradle {

//! What sets a run's memory: its populations, its replications and its results arrays.
struct RunShape {
  double persons = 0;             //!< persons of one simulated base population
  int scenarios = 1;              //!< scenarios of the set, each with its own replication-0 population
  bool per_replication = true;    //!< each replication builds its own population (false: a persons file, shared)
  int replications = 1;          //!< replications whose results are held (with --target-rse, its maximum)
  int concurrent = 1;             //!< replications simulated at the same time: min(threads, replications)
  int per_population = 1;         //!< replications that run on one population (--replications-per-population)
  //! 8-byte values per replication in every results array of the run: each scenario's, each
  //! reform's mechanical run, each comparison (output/results.h).
  double values_per_replication = 0;
};

//! A run's estimated peak memory in bytes, by part; linear in persons and in replications.
struct MemoryEstimate {
  double populations = 0;  //!< the base populations held at once and each running replication's state
  double results = 0;      //!< the results arrays, with the in-memory HDF5 image the writer builds
  double fixed = 0;        //!< the program, its libraries and the scenarios
  double populations_held = 0;  //!< population-sized blocks held at once (for the message)
  double total() const { return populations + results + fixed; }
};

//! The shape of running `set` 1 household in `sample` on `threads` threads: `replications`
//! each (the most --target-rse may reach, when given), with the reforms' mechanical runs if
//! `split`. Counts a persons file's rows (CSV lines; an HDF5 file's size / 32 bytes) without
//! loading it.
RunShape run_shape(const ScenarioSet& set, std::int64_t sample, int threads, int replications, bool split);

//! The peak memory of a run of that shape (constants measured: resources.cpp).
MemoryEstimate estimate_memory(const RunShape& shape);

//! The memory a run may use, in bytes, and where the figure comes from.
struct MemoryLimit {
  double bytes = 0;
  std::string source;  //!< e.g. "--max-memory", "MemAvailable in /proc/meminfo", "the cgroup's memory.max"
};

//! The memory available now: MemAvailable of /proc/meminfo, or the process's cgroup limit
//! (v2 memory.max, v1 memory.limit_in_bytes) if lower. Nullopt when neither can be read.
std::optional<MemoryLimit> available_memory();

//! A size such as 512M, 8G, 2.5G, 1T or 1048576 (bytes; K, M, G, T are powers of 1024, an
//! optional trailing B or iB allowed), in bytes; nullopt if it is not one or is 0.
std::optional<double> parse_memory_size(const std::string& text);

//! A byte count for people: "1.5 GiB", "730 MiB".
std::string format_bytes(double bytes);

//! Nullopt if a run of `shape` fits in `limit`; else the message refusing it: the estimate
//! by part, the limit and where it comes from, and the --sample 1/k (for a generated
//! population), the replications (named as `replications_option` sets them) or the threads
//! that would fit.
std::optional<std::string> memory_refusal(const RunShape& shape, std::int64_t sample, const MemoryLimit& limit,
                                          const std::string& replications_option = "-r");

//! `cradle run`'s check before it builds a population: true if the run of `set`, 1 household
//! in `sample` on `threads` threads, as `args` asks (replications, --target-rse, --no-split),
//! fits in --max-memory or else the memory available; false after printing why not (a
//! malformed --max-memory, or the refusal).
bool memory_allows_run(const ScenarioSet& set, std::int64_t sample, int threads, const RunArgs& args);

//! Nullopt if a new file can be created in `folder` (a uniquely named probe file is created
//! and removed); else why not (e.g. "Permission denied", "Read-only file system").
std::optional<std::string> unwritable_folder(const std::filesystem::path& folder);

}  // namespace cradle
