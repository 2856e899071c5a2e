// The command line: `cradle run`, `cradle validate`, `--help`, `--version`.
#pragma once

#include <exception>

namespace cradle {

//! Exit codes of the command line.
enum ExitCode : int { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_BAD_INPUT = 2, EXIT_RUN_FAILURE = 3 };

//! Runs the command line; returns the process exit code. Under mpirun (sim/engine/ranks.h)
//! `run` is shared among the ranks; any other command runs on rank 0 alone, and every rank
//! returns its exit code.
int run_cli(int argc, char** argv);

//! Prints `e` as the command line reports an error ("cradle: error: …") and returns its exit
//! code: EXIT_BAD_INPUT for a ScenarioError, EXIT_RUN_FAILURE for anything else.
int report_exception(const std::exception& e);

}  // namespace cradle
