// The processes a run is split across: MPI ranks in a build with CRADLE_USE_MPI (started
// by mpirun or srun), else — and in a program not started by them — rank 0 of 1, for which
// every function below is a no-op. Only the thread that built a Session calls them.
//
// A run's work, its runs × replications, is cut among the ranks by share() alone, whatever
// each rank's thread count; each rank simulates its replications with oneTBB as a lone
// process does; gather_rows() puts their replication-major rows into rank 0's arrays, and
// rank 0 alone reduces them, writes the results file, the checkpoint and every message.
// Replication r's rows are the same on any rank (sim/random: keyed by seed and r), so the
// file is the one a single process writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cradle::ranks {

//! This process's rank, 0 … size() - 1.
int rank();
//! The number of ranks.
int size();
//! Whether this is rank 0: the rank that reads checkpoints and writes files and messages.
inline bool root() { return rank() == 0; }

//! The MPI environment for the life of the program (main() holds one): MPI_Init on
//! construction when the build has MPI, MPI_Finalize on destruction. On every rank but 0,
//! std::cout and std::cerr are captured meanwhile, so that what all ranks would print alike
//! (a bad scenario, a summary) is printed once, by rank 0; agree() forwards a captured error
//! of another rank. Without MPI it does nothing.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

//! Replications [first, end) of one run.
struct ReplicationRange {
  int first = 0;
  int end = 0;
  int count() const { return end - first; }
};

//! The one split of a batch's work across ranks. The batch is `runs` runs (scenarios and
//! mechanical runs) × replications [first, end), taken run by run (run 0's replications in
//! order, then run 1's…) and cut into `ranks` consecutive shares whose sizes differ by at
//! most one, the larger ones to the lowest ranks. Returns rank `rank`'s replications of run
//! `run` (possibly none; then first == end). It depends on nothing else, the thread count
//! least of all; the ranges of one run, rank by rank, follow one another in replication order.
ReplicationRange share(int run, int runs, int first, int end, int rank, int ranks);

//! The ranges of run `run` of every rank, rank by rank (share() for each).
std::vector<ReplicationRange> shares(int run, int runs, int first, int end);

//! Gathers rows of a replication-major array on rank 0: `rows` has `per` elements per
//! replication, and rank k has computed replications ranges[k] (shares()); they are copied
//! into rank 0's `rows` at their places, which must exist there. Other ranks' arrays are left
//! as they are. Collective: every rank calls it, in the same order.
void gather_rows(std::vector<std::int64_t>& rows, std::size_t per, const std::vector<ReplicationRange>& ranges);
void gather_rows(std::vector<double>& rows, std::size_t per, const std::vector<ReplicationRange>& ranges);

//! Agrees every rank on how a step ended. Each passes its exit code (0: it went well) after
//! printing its error, if any, as it would alone; each gets the code of the lowest rank that
//! failed, or 0. When that rank is not rank 0, rank 0 prints what it captured since the last
//! agreement (its message), unless rank 0 failed too: a failure anywhere is reported once.
//! Collective.
int agree(int code);

//! Rank 0's `value`, on every rank. Collective.
std::int64_t broadcast(std::int64_t value);

}  // namespace cradle::ranks
