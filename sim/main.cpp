// Cradle: a Monte Carlo fiscal cost simulator for family-support policy.
// Everything lives in the library; see sim/cli/cli.cpp for the commands.
#include "sim/cli/cli.h"

int main(int argc, char** argv) { return cradle::run_cli(argc, argv); }
