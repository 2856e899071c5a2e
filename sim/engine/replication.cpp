#include "sim/engine/replication.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "sim/engine/parallel.h"
#include "sim/population/column_memory.h"

namespace cradle::engine {

namespace {

//! Room for at least n values in v; when it must grow, an eighth more, and the pages of
//! the first `written` values (those the caller will write, at most n) faulted in at once
//! (column_memory::populate). Each replication may have its own population, about as large
//! as the last: a buffer regrown to the exact size each time would be new memory, its pages
//! faulted in again, at nearly every replication.
template <class T>
void reserve_with_room(std::vector<T>& v, std::size_t n, std::size_t written = 0) {
  if (v.capacity() >= n) return;
  v.clear();
  v.reserve(n + n / 8);
  if (written != 0) column_memory::populate(v.data(), std::min(written, n) * sizeof(T));
}

//! v.assign(n, value), with room as reserve_with_room.
template <class T>
void assign_with_room(std::vector<T>& v, std::size_t n, const T& value) {
  reserve_with_room(v, n, n);
  v.assign(n, value);
}

//! Room for block b's newborns and its children's records of the year: for twice the births
//! expected (a replication may draw a higher fertility), the pages of those expected faulted in
//! at once (taken one by one at the first write, those faults were about a tenth of a first
//! replication's time on full Jiangxi, one thread). The records' pages are left to fault in
//! as written: a block that settles ahead keeps only the few of children wanting childcare.
void reserve_block(ReplicationBuffers& buffers, const BasePopulation& pop, std::size_t b, std::size_t expected) {
  const std::size_t children = pop.blocks[b].child_end - pop.blocks[b].child_begin;
  const std::size_t room = 2 * expected + 16;
  buffers.newborns[b].clear();
  reserve_with_room(buffers.newborns[b], room, expected);
  buffers.work[b].clear();
  reserve_with_room(buffers.work[b], children + room);
}

}  // namespace

void ReplicationBuffers::reset(const BasePopulation& pop, const Plan& plan,
                               const std::vector<std::size_t>& births_expected) {
  const std::size_t blocks = pop.blocks.size(), tallies = plan.n_tallies;
  assign_with_room(household_paid, pop.women() * plan.capped_event_measures, Fen{0});
  assign_with_room(person_death, pop.others(), NEVER_DIES);   // dated by the block's first year
  assign_with_room(child_death, pop.children(), NEVER_DIES);  // likewise
  if (!plan.migration) {
    women_cohorts.reset_women(pop);
    other_cohorts.reset_others(pop, plan.mortality.any ? plan.years : 0);
    child_cohorts.reset_children(pop);
  }
  assign_with_room(household_minors, plan.needs_minors ? pop.households() : 0, std::uint8_t{0});
  reserve_with_room(parity, pop.women(), pop.women());
  parity.assign(pop.woman_parity.begin(), pop.woman_parity.end());
  newborns.resize(blocks);
  work.resize(blocks);
  for (std::size_t b = 0; b < blocks; ++b) reserve_block(*this, pop, b, births_expected[b]);
  assign_with_room(child_state, pop.children(), ChildState{});
  tally.assign(blocks, BlockTally{});
  units.assign(blocks * tallies, 0);
  fen.assign(blocks * tallies, 0);
  settle_ahead = true;
  wanting_books.resize(blocks * wanting_books_per_block(tallies));
  capped_payments.resize(blocks);
  capped_paid.resize(blocks);
  for (auto& table : capped_paid) table.clear();
}

namespace {

//! Whether some month's childcare wanted over the whole place exceeds its places. When
//! none does, ration_childcare would turn nobody away: the requests are not gathered at all.
bool places_short(const ReplicationBuffers& buffers, std::int64_t capacity) {
  std::array<std::int64_t, 12> wanted{};
  for (const BlockTally& block : buffers.tally) {
    for (std::size_t m = 0; m < 12; ++m) wanted[m] += block.childcare_demand[m];
  }
  return *std::max_element(wanted.begin(), wanted.end()) > capacity;
}

//! The coupled step: the year's places are shared by the whole place, so every block's
//! requests are rationed together (serially, deterministically).
void ration(const BlockYear& step, ReplicationBuffers& buffers, std::int64_t capacity) {
  buffers.requests.clear();
  for (const auto& block : buffers.work) {
    for (const ChildWork& w : block) {
      if (w.childcare_months != 0) buffers.requests.push_back(step.childcare_request(w));
    }
  }
  buffers.queue.clear();
  for (ChildcareRequest& r : buffers.requests) buffers.queue.push_back(&r);
  ration_childcare(buffers.queue, capacity);
  // The months granted back to the records, met in the order their requests were made.
  const ChildcareRequest* granted = buffers.requests.data();
  for (auto& block : buffers.work) {
    for (ChildWork& w : block) {
      if (w.childcare_months != 0) w.childcare_months = (granted++)->months;
    }
  }
}

//! Where block b books its year.
BlockBooks block_books(ReplicationBuffers& buffers, std::size_t b, std::size_t tallies) {
  return BlockBooks{buffers.tally[b], buffers.units.data() + b * tallies, buffers.fen.data() + b * tallies,
                    &buffers.capped_paid[b]};
}

//! Block b's part of wanting_books: what its children wanting childcare added (months, units, fen).
std::int64_t* wanting_books(ReplicationBuffers& buffers, std::size_t b, std::size_t tallies) {
  return buffers.wanting_books.data() + b * wanting_books_per_block(tallies);
}

//! Adds `sign` × `kept` (a block's part of wanting_books) to its books.
void add_books(const BlockBooks& books, const std::int64_t* kept, std::size_t tallies, std::int64_t sign) {
  books.tally.childcare_months += sign * kept[0];
  for (std::size_t t = 0; t < tallies; ++t) {
    books.units[t] += sign * kept[1 + t];
    books.fen[t] += sign * kept[1 + tallies + t];
  }
}

//! Settles block b ahead from `records`, its children's records of the year. What those
//! whose family wants childcare add to its books (the rationing may change their year) is
//! kept apart, and they are copied (as settled) into the block's `work`: all that settling
//! again needs should the places fall short. Their capped payments are noted.
void settle_ahead(const BlockYear& step, ReplicationBuffers& buffers, std::size_t b, std::size_t tallies,
                  std::vector<ChildWork>& records) {
  const BlockBooks books = block_books(buffers, b, tallies);
  std::int64_t* kept = wanting_books(buffers, b, tallies);
  std::fill_n(kept, wanting_books_per_block(tallies), 0);
  BlockTally wanting_tally;
  buffers.capped_payments[b].clear();
  buffers.work[b].clear();
  step.settle_ahead(
      records, books,
      BlockBooks{wanting_tally, kept + 1, kept + 1 + tallies, books.capped_paid, &buffers.capped_payments[b]},
      buffers.work[b]);
  kept[0] = wanting_tally.childcare_months;
  add_books(books, kept, tallies, 1);
}

//! Undoes settle_ahead for the children whose family wants childcare: what they added to
//! block b's books taken off, their capped payments taken back from their paid-so-far.
void unsettle(ReplicationBuffers& buffers, std::size_t b, std::size_t tallies) {
  const BlockBooks books = block_books(buffers, b, tallies);
  const std::int64_t* kept = wanting_books(buffers, b, tallies);
  add_books(books, kept, tallies, -1);
  for (const CappedPayment& p : buffers.capped_payments[b]) buffers.capped_paid[b][p.row][p.slot] -= p.amount;
}

//! The demand pass over the blocks; with `ahead`, each block settles as soon as its demand
//! is known, while its children's records are still in the caches (once the whole demand
//! pass is done, a province's are not).
void demand_pass(const BlockYear& step, const BasePopulation& pop, std::size_t tallies, bool ahead,
                 ReplicationBuffers& buffers) {
  parallel_for(0, pop.blocks.size(), [&](const tbb::blocked_range<std::size_t>& blocks) {
    // Settling ahead, a block's records are written to the thread's own buffer, reused block
    // after block and so in its caches, and only those the rationing may change are kept:
    // written to the block's own, they missed the caches at each record (about a tenth of a
    // replication on Jiangxi at 1/10). No task of the thread's can start within a block.
    thread_local std::vector<ChildWork> records;
    for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
      std::vector<ChildWork>& work = ahead ? records : buffers.work[b];
      step.demand(pop.blocks[b], buffers.newborns[b], block_books(buffers, b, tallies), work);
      if (ahead) settle_ahead(step, buffers, b, tallies, work);
    }
  });
}

//! The rationing of the year's places and the settling pass, when the demand pass did not
//! settle the blocks ahead or the places fall short (its settling then undone). Returns
//! whether they fell short.
bool ration_and_settle(const BlockYear& step, std::size_t tallies, bool ahead, std::int64_t places,
                       ReplicationBuffers& buffers) {
  const std::size_t B = buffers.work.size();
  const bool short_of_places = places_short(buffers, places);
  if (short_of_places && ahead) {
    for (std::size_t b = 0; b < B; ++b) unsettle(buffers, b, tallies);
  }
  if (short_of_places) ration(step, buffers, places);
  if (short_of_places || !ahead) {
    parallel_for(0, B, [&](const tbb::blocked_range<std::size_t>& blocks) {
      for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
        step.settle(buffers.work[b], block_books(buffers, b, tallies));
      }
    });
  }
  return short_of_places;
}

void run_year(const RunContext& run, const ReplicationPlan& rplan, std::uint32_t r, std::size_t y,
              ReplicationBuffers& buffers, ScenarioResults& out) {
  const std::size_t T = run.plan.n_tallies;
  std::fill(buffers.tally.begin(), buffers.tally.end(), BlockTally{});
  std::fill(buffers.units.begin(), buffers.units.end(), 0);
  std::fill(buffers.fen.begin(), buffers.fen.end(), 0);
  const ReplicationState state{buffers.parity.data(),       buffers.child_state.data(), buffers.household_paid.data(),
                               buffers.person_death.data(), buffers.child_death.data(), buffers.household_minors.data(),
                               &buffers.women_cohorts,      &buffers.other_cohorts,     &buffers.child_cohorts};
  const BlockYear step(run.plan, rplan, run.pop, r, static_cast<int>(y), state);
  // Settled ahead when the year before turned nobody away (as a replication's first year).
  const bool ahead = buffers.settle_ahead;
  demand_pass(step, run.pop, T, ahead, buffers);
  buffers.settle_ahead = !ration_and_settle(step, T, ahead, run.plan.sample_places[y], buffers);
  const auto reduction_start = run.trace ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  reduce_year(out, run.scenario, run.plan, run.layout, run.pop, r, y,
              YearBooks{buffers.tally, buffers.units, buffers.fen});
  if (run.trace) {
    run.trace->reduction_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                                                    reduction_start)
                                   .count();
  }
}

}  // namespace

void run_replication(const RunContext& run, std::uint32_t r, ReplicationBuffers& buffers, ScenarioResults& out) {
  buffers.reset(run.pop, run.plan, run.births_expected);
  const ReplicationPlan rplan = make_replication_plan(run.scenario, run.plan, r);
  std::copy(rplan.parameters.begin(), rplan.parameters.end(),
            out.parameters.begin() + static_cast<std::ptrdiff_t>(r * out.parameter_labels.size()));
  for (std::size_t y = 0; y < static_cast<std::size_t>(run.plan.years); ++y) {
    run_year(run, rplan, r, y, buffers, out);
    if (run.progress) run.progress->advance();
  }
  if (run.trace && run.trace->record_births) {
    for (const auto& block_births : buffers.newborns) {
      for (const Newborn& nb : block_births) {
        run.trace->births[r].push_back(TracedBirth{nb.birth_month, nb.mother, nb.order});
      }
    }
  }
}

}  // namespace cradle::engine
