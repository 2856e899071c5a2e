// A long run's completed replications, kept beside its results file so that a run that is
// interrupted (killed, out of time, a power cut) can go on where it stopped: `cradle run
// --checkpoint` saves one after each batch, `cradle run --resume` reads it back.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "output/results.h"

namespace cradle {

//! What a checkpoint holds. Replication r draws the same numbers however the replications
//! are batched, so a run resumed from here gives the datasets an uninterrupted one gives.
struct Checkpoint {
  //! What the results depend on, as (what, value) pairs in a fixed order: the program, the
  //! seed, each scenario's resolved text… A resume compares them one by one and refuses at
  //! the first that differs, naming it.
  std::vector<std::pair<std::string, std::string>> identity;
  int done = 0;    //!< replications 0 … done - 1 of every run are complete
  int target = 0;  //!< the replications the batch under way runs up to (--target-rse)
  //! Each scenario's replication arrays (output/results.h: for_each_replication_array) for
  //! replications [0, done); then each reform's mechanical run, empty for the first scenario
  //! and when the differences are not split.
  std::vector<ScenarioResults> scenarios, mechanical;
};

//! Where the checkpoint of the results file `results` lives: "<results>.checkpoint" beside it.
std::filesystem::path checkpoint_path(const std::filesystem::path& results);

//! Writes `checkpoint` to `path` atomically (output/atomic_file.h: replace_file); throws
//! std::runtime_error naming the path and the cause.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& checkpoint);

//! Reads a checkpoint written by write_checkpoint. Throws ResultsFileError
//! (output/results_reader.h) naming the file for one that is missing, is not a checkpoint
//! or is inconsistent.
Checkpoint read_checkpoint(const std::filesystem::path& path);

//! The first pair of `saved` that `now` does not repeat, as "<what>: <saved value> in the
//! checkpoint, <now value> now"; "" when they agree.
std::string identity_difference(const std::vector<std::pair<std::string, std::string>>& saved,
                                const std::vector<std::pair<std::string, std::string>>& now);

//! Puts `saved`'s replications into `run`, a run of the same scenario with as many
//! replications whose arrays are still zero (a run of no replication, for its axes and
//! labels). Throws std::invalid_argument if their shapes differ.
void restore_replications(ScenarioResults& run, const ScenarioResults& saved);

}  // namespace cradle
