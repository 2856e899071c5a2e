#include "sim/engine/ranks.h"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>

#ifdef CRADLE_USE_MPI
#include <mpi.h>
#endif

namespace cradle::ranks {

namespace {

// Set once by Session; rank 0 of 1 until then (a test, a library caller), and without MPI.
int this_rank = 0;
int rank_count = 1;

#ifdef CRADLE_USE_MPI
// What ranks other than 0 print, kept from the terminal (Session).
std::ostringstream captured_out, captured_err;
std::streambuf* terminal_out = nullptr;
std::streambuf* terminal_err = nullptr;

//! What this rank printed to std::cerr since the last call; std::cout's is dropped.
std::string take_captured() {
  std::string text = captured_err.str();
  captured_err.str({});
  captured_out.str({});
  return text;
}

template <class T>
void gather(std::vector<T>& rows, std::size_t per, const std::vector<ReplicationRange>& ranges, MPI_Datatype type) {
  // Counted in rows (a type of `per` elements), so that no count nears INT_MAX.
  MPI_Datatype row;
  MPI_Type_contiguous(static_cast<int>(per), type, &row);
  MPI_Type_commit(&row);
  const ReplicationRange mine = ranges[static_cast<std::size_t>(this_rank)];
  if (this_rank == 0) {
    std::vector<int> counts, displacements;
    for (const ReplicationRange& r : ranges) {
      counts.push_back(r.count());
      displacements.push_back(r.first);
    }
    MPI_Gatherv(MPI_IN_PLACE, 0, row, rows.data(), counts.data(), displacements.data(), row, 0, MPI_COMM_WORLD);
  } else {
    T* from = mine.count() > 0 ? rows.data() + static_cast<std::size_t>(mine.first) * per : nullptr;
    MPI_Gatherv(from, mine.count(), row, nullptr, nullptr, nullptr, row, 0, MPI_COMM_WORLD);
  }
  MPI_Type_free(&row);
}
#endif

}  // namespace

int rank() { return this_rank; }
int size() { return rank_count; }

Session::Session([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef CRADLE_USE_MPI
  // Only the main thread calls MPI; oneTBB's workers never do.
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &this_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &rank_count);
  if (this_rank != 0) {
    terminal_out = std::cout.rdbuf(captured_out.rdbuf());
    terminal_err = std::cerr.rdbuf(captured_err.rdbuf());
  }
#endif
}

Session::~Session() {
#ifdef CRADLE_USE_MPI
  if (terminal_out) std::cout.rdbuf(terminal_out);
  if (terminal_err) std::cerr.rdbuf(terminal_err);
  std::cout.flush();
  // Every rank leaves together: none exits (and has mpirun end the job) before rank 0 has
  // printed its last.
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  this_rank = 0;
  rank_count = 1;
#endif
}

int group_boundary(int r, int per_population, int first, int end) {
  if (r <= first) return first;
  const std::int64_t k = std::max(1, per_population);
  return static_cast<int>(std::min<std::int64_t>(end, (r + k - 1) / k * k));
}

ReplicationRange share(int run, int runs, int first, int end, int rank, int ranks, int per_population) {
  const std::int64_t n = std::max(0, end - first), total = n * runs;
  // Share k is units [bound(k), bound(k + 1)) of the batch's run-major order.
  const auto bound = [&](std::int64_t k) { return k * (total / ranks) + std::min<std::int64_t>(k, total % ranks); };
  const std::int64_t lo = std::max(bound(rank), run * n), hi = std::min(bound(rank + 1), (run + 1) * n);
  if (lo >= hi) return {end, end};
  // The same cut moves alike for the rank before and the rank after it: still a partition.
  const int from = group_boundary(first + static_cast<int>(lo - run * n), per_population, first, end);
  const int to = group_boundary(first + static_cast<int>(hi - run * n), per_population, first, end);
  if (from >= to) return {end, end};
  return {from, to};
}

std::vector<ReplicationRange> shares(int run, int runs, int first, int end, int per_population) {
  std::vector<ReplicationRange> out;
  for (int k = 0; k < rank_count; ++k) out.push_back(share(run, runs, first, end, k, rank_count, per_population));
  return out;
}

void gather_rows([[maybe_unused]] std::vector<std::int64_t>& rows, [[maybe_unused]] std::size_t per,
                 [[maybe_unused]] const std::vector<ReplicationRange>& ranges) {
#ifdef CRADLE_USE_MPI
  if (rank_count > 1) gather(rows, per, ranges, MPI_INT64_T);
#endif
}

void gather_rows([[maybe_unused]] std::vector<double>& rows, [[maybe_unused]] std::size_t per,
                 [[maybe_unused]] const std::vector<ReplicationRange>& ranges) {
#ifdef CRADLE_USE_MPI
  if (rank_count > 1) gather(rows, per, ranges, MPI_DOUBLE);
#endif
}

int agree(int code) {
#ifdef CRADLE_USE_MPI
  if (rank_count == 1) return code;
  const std::string message = this_rank == 0 ? std::string() : take_captured();
  int mine = code != 0 ? this_rank : rank_count, first = rank_count;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == rank_count) return 0;
  int agreed = code;
  MPI_Bcast(&agreed, 1, MPI_INT, first, MPI_COMM_WORLD);
  if (first != 0) {
    // Rank 0 went well, so it has said nothing of this: it prints the failed rank's message.
    if (this_rank == first) {
      MPI_Send(message.data(), static_cast<int>(message.size()), MPI_CHAR, 0, 0, MPI_COMM_WORLD);
    } else if (this_rank == 0) {
      MPI_Status status;
      MPI_Probe(first, 0, MPI_COMM_WORLD, &status);
      int length = 0;
      MPI_Get_count(&status, MPI_CHAR, &length);
      std::string text(static_cast<std::size_t>(length), '\0');
      MPI_Recv(text.data(), length, MPI_CHAR, first, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (text.empty()) {
        std::cerr << "cradle: error: rank " << first << " of " << rank_count << " failed (exit code " << agreed << ")\n";
      } else {
        std::cerr << text;
      }
    }
  }
  return agreed;
#else
  return code;
#endif
}

std::int64_t broadcast(std::int64_t value) {
#ifdef CRADLE_USE_MPI
  if (rank_count > 1) MPI_Bcast(&value, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
#endif
  return value;
}

}  // namespace cradle::ranks
