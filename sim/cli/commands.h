// The commands of the command line, each a function returning the process exit code
// (cli.h: ExitCode). Bad input throws ScenarioError, which run_cli turns into exit 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace cradle {

//! The options of `cradle run`.
struct RunArgs {
  std::string scenario;
  std::string output = "results.h5";
  std::optional<int> replications;
  std::optional<std::uint32_t> seed;
  int threads = 0;
  bool quiet = false;
  bool no_progress = false;
  bool expected = false;
  std::string sample;  //!< "1/k" or "k"
};

//! `cradle run`: loads the scenario, builds its base population, simulates it, writes the
//! results file atomically and prints the summary.
int command_run(const RunArgs& args);

//! `cradle validate`: checks a scenario and everything it composes (every row of a persons
//! file included) and prints what it found.
int command_validate(const std::string& path);

//! `cradle list`: the shipped jurisdictions, packages, measure kinds and scenarios.
int command_list();

//! `cradle list --sources PLACE`: the article tables (scenarios/sources) of the documents
//! whose package is PLACE or is issued by the jurisdiction PLACE; exit 2 if there is none.
int command_list_sources(const std::string& place);

}  // namespace cradle
