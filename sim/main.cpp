// Cradle: a Monte Carlo fiscal cost simulator for family-support policy.
// Everything lives in the library; see sim/cli/cli.cpp for the commands.
#include <malloc.h>

#include "sim/cli/cli.h"
#include "sim/engine/ranks.h"

int main(int argc, char** argv) {
  // A fixed mmap threshold: glibc otherwise raises it to the size of each large block
  // freed (up to 32 MiB), so that the next replication's population and state come from
  // the heap, whose freed pages stay resident: measured on Jiangxi at --sample 1/20, the
  // peak grew with every replication (275 MiB for 6 on one thread, 128 MiB with this),
  // and no estimate of a run's memory (sim/cli/resources.h) could hold.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // MPI for the program's life when built with it (a rank of mpirun's, or alone as rank 0 of 1).
  const cradle::ranks::Session session(argc, argv);
  return cradle::run_cli(argc, argv);
}
