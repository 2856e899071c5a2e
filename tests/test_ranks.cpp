// The split of a run's work across MPI ranks (sim/engine/ranks.h), and the single process's
// shim. Runs under mpirun are tested by tests/check_mpi.py (label mpi, a CRADLE_USE_MPI build).
#include <catch2/catch.hpp>

#include <vector>

#include "sim/engine/ranks.h"

using namespace cradle;

TEST_CASE("ranks: every replication of every run goes to one rank, in replication order", "[ranks]") {
  for (int n_ranks = 1; n_ranks <= 5; ++n_ranks) {
    for (int runs = 1; runs <= 4; ++runs) {
      for (const auto& [first, end] : std::vector<std::pair<int, int>>{{0, 1}, {0, 7}, {4, 6}, {10, 23}, {3, 3}}) {
        INFO(n_ranks << " ranks, " << runs << " runs, replications " << first << "-" << end);
        std::vector<int> units(static_cast<std::size_t>(n_ranks), 0);
        for (int run = 0; run < runs; ++run) {
          int next = first;  // rank by rank, the ranges of one run follow one another
          for (int k = 0; k < n_ranks; ++k) {
            const ranks::ReplicationRange r = ranks::share(run, runs, first, end, k, n_ranks);
            REQUIRE(r.count() >= 0);
            if (r.count() == 0) continue;
            REQUIRE(r.first == next);
            next = r.end;
            units[static_cast<std::size_t>(k)] += r.count();
          }
          REQUIRE(next == end);
        }
        // Shares differ by at most one replication, the larger ones to the lowest ranks.
        for (int k = 1; k < n_ranks; ++k) {
          REQUIRE(units[static_cast<std::size_t>(k)] <= units[static_cast<std::size_t>(k - 1)]);
          REQUIRE(units.front() - units[static_cast<std::size_t>(k)] <= 1);
        }
      }
    }
  }
}

TEST_CASE("ranks: a batch of 7 replications of 5 runs on 3 ranks", "[ranks]") {
  // 35 replications: 12, 12 and 11, taken run by run.
  REQUIRE(ranks::share(0, 5, 0, 7, 0, 3).first == 0);
  REQUIRE(ranks::share(0, 5, 0, 7, 0, 3).end == 7);
  REQUIRE(ranks::share(1, 5, 0, 7, 0, 3).end == 5);
  REQUIRE(ranks::share(1, 5, 0, 7, 1, 3).first == 5);
  REQUIRE(ranks::share(3, 5, 0, 7, 1, 3).end == 3);
  REQUIRE(ranks::share(3, 5, 0, 7, 2, 3).first == 3);
  REQUIRE(ranks::share(4, 5, 0, 7, 2, 3).count() == 7);
  REQUIRE(ranks::share(0, 5, 0, 7, 2, 3).count() == 0);
}

TEST_CASE("ranks: a process not started by mpirun is rank 0 of 1", "[ranks]") {
  REQUIRE(ranks::rank() == 0);
  REQUIRE(ranks::size() == 1);
  REQUIRE(ranks::root());
  REQUIRE(ranks::agree(0) == 0);
  REQUIRE(ranks::agree(3) == 3);
  REQUIRE(ranks::broadcast(42) == 42);
  const auto all = ranks::shares(0, 1, 2, 9);
  REQUIRE(all.size() == 1);
  std::vector<std::int64_t> rows = {1, 2, 3};
  ranks::gather_rows(rows, 1, all);
  REQUIRE(rows == std::vector<std::int64_t>{1, 2, 3});
}
