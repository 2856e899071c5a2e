// The commands of the command line, each a function returning the process exit code
// (cli.h: ExitCode). Bad input throws ScenarioError, which run_cli turns into exit 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "output/text.h"

namespace cradle {

//! The options of `cradle run`.
struct RunArgs {
  std::vector<std::string> scenarios;  //!< scenario and set files; none: the shipped default
  std::vector<std::string> vary;       //!< lever sweeps, TARGET.FIELD=v1,v2,…
  double target_rse = 0;               //!< 0: run the replications asked for; else add batches until reached
  int max_replications = 10000;        //!< the most --target-rse may run
  bool no_split = false;               //!< skip the mechanical runs of a set's reforms
  bool draw_estimates = false;         //!< --uncertain estimates: draw every estimate with a range
  bool detail = false;                 //!< print by measure and ledger, every year (the full summary)
  ReportStyle style;                   //!< unit and language of what is printed
  std::string output;  //!< -o; "": <id>.h5 in the current folder (default_output_name)
  bool force = false;  //!< --force: replace an existing output file even if it is not a results file
  bool checkpoint = false;    //!< --checkpoint: save completed replications beside the output (output/checkpoint.h)
  int checkpoint_every = 0;   //!< replications per checkpoint; 0: a tenth of the scenario's, at least 1
  bool resume = false;        //!< --resume: go on from the output's checkpoint (and keep saving them)
  std::string command_line;  //!< the command as typed, for the file's history attribute
  std::optional<int> replications;
  std::optional<std::uint32_t> seed;
  std::optional<int> replications_per_population;  //!< --replications-per-population
  int threads = 0;
  bool quiet = false;
  bool no_progress = false;
  bool expected = false;
  std::string sample;  //!< "1/k" or "k"
  std::string max_memory;  //!< --max-memory SIZE (resources.h: parse_memory_size); "": the memory available
};

//! The results file `cradle run` writes without -o: "<set id>.h5" in the current folder, the set
//! id being the scenario's id for one scenario file, the set file's id for a set file (the first
//! set file's if several), the first scenario's id for several scenario files, with "_sweep"
//! appended per --vary (scenario_set.h: ScenarioSet::id).
std::string default_output_name(const std::string& set_id);

//! `cradle run`: loads the scenario or set (and sweeps it), builds the base populations,
//! simulates every scenario on the same streams (in batches until --target-rse is met),
//! compares each with the first, writes the results file atomically and prints the summary.
//! An existing output file that is not a Cradle results file is refused (exit 2, untouched,
//! before any simulation) unless --force; so are, before the population is built, an output
//! folder where no file can be created (exit 3) and a run whose estimated memory exceeds
//! --max-memory or the memory available (exit 2; resources.h). With --checkpoint the
//! completed replications are saved beside the output after each batch, and the save removed
//! once the results are written; --resume goes on from it, giving the datasets an
//! uninterrupted run gives, and refuses (exit 2) a checkpoint made by another program
//! version, seed or scenario. Under mpirun (sim/engine/ranks.h) the replications are shared
//! among the ranks, rank 0 alone reads and writes files and prints, a failure on any rank ends
//! every rank with one message, and the file's datasets are those of one process.
int command_run(const RunArgs& args);

//! The options of `cradle compare`.
struct CompareArgs {
  std::string file;
  std::string baseline;  //!< "" the file's first scenario
  std::string reform;    //!< "" every other scenario
  bool no_write = false;
  ReportStyle style;
};

//! The options of `cradle report`.
struct ReportArgs {
  std::string file;
  ReportStyle style;
  bool detail = false;
  std::string csv_dir;    //!< "" none
  std::string html_file;  //!< "" none
};

//! `cradle report`: a results file's scenarios and comparisons for people (output/overview.h),
//! as CSV (output/csv_export.h) and as a standalone HTML page. Exit 2 for a file that is not
//! a readable Cradle results file.
int command_report(const ReportArgs& args);

//! `cradle compare`: each pair asked for, reform less baseline replication by replication,
//! printed and written under /comparisons/<baseline>--<reform>/ of the file (atomically).
//! Exit 2 for a file that is not a results file or a scenario it does not hold.
int command_compare(const CompareArgs& args);

//! `cradle validate`: checks a scenario and everything it composes (every row of a persons
//! file included) and prints what it found.
int command_validate(const std::string& path);

//! `cradle list`: the shipped jurisdictions, packages, measure kinds and scenarios.
int command_list();

//! `cradle list --sources PLACE`: the article tables (scenarios/sources) of the documents
//! whose package is PLACE or is issued by the jurisdiction PLACE; exit 2 if there is none.
int command_list_sources(const std::string& place);

}  // namespace cradle
