// The command line: `cradle run`, `cradle validate`, `--help`, `--version`.
#pragma once

namespace cradle {

//! Exit codes of the command line.
enum ExitCode : int { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_BAD_INPUT = 2, EXIT_RUN_FAILURE = 3 };

//! Runs the command line; returns the process exit code.
int run_cli(int argc, char** argv);

}  // namespace cradle
