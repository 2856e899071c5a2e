#include "sim/engine/engine.h"

#include <tbb/blocked_range.h>
#include <tbb/concurrent_queue.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "sim/engine/plan.h"
#include "sim/engine/reduction.h"
#include "sim/engine/replication.h"

namespace cradle {

namespace {

//! Newborns to reserve room for per block: twice the expected births of its households
//! over the horizon, so that a replication's vectors grow rarely.
std::vector<std::size_t> newborn_reserve(const Scenario& scenario, const BasePopulation& pop, std::size_t years) {
  const double births_per_household =
      scenario.profile.births / std::max<double>(1.0, static_cast<double>(pop.households()));
  std::vector<std::size_t> reserve;
  for (const HouseholdBlock& block : pop.blocks) {
    const double households = block.household_end - block.household_begin;
    reserve.push_back(static_cast<std::size_t>(2.0 * births_per_household * households * static_cast<double>(years)) +
                      16);
  }
  return reserve;
}

}  // namespace

ScenarioResults simulate(const Scenario& scenario, const BasePopulation& pop, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  check_population(pop);
  if (pop.household_arrival.size() != pop.households()) {
    throw std::invalid_argument("the base population has no arrival and departure years (add_migration)");
  }
  const engine::Plan plan = engine::make_plan(scenario, pop, options.seed);
  const auto R = static_cast<std::size_t>(options.replications);
  engine::ResultsLayout layout;
  ScenarioResults out = engine::make_results(scenario, plan, pop, R, layout);
  if (trace) trace->births.assign(R, {});
  const engine::RunContext run{scenario, pop, plan, layout,
                               newborn_reserve(scenario, pop, static_cast<std::size_t>(plan.years)), progress, trace};
  // Not thread-local storage: with nested parallelism a thread waiting inside one
  // replication may start another, so buffers are taken from and returned to a pool; a
  // replication's memory is allocated (and its pages faulted in) once per concurrent one.
  tbb::concurrent_queue<std::unique_ptr<engine::ReplicationBuffers>> pool;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, R, 1), [&](const tbb::blocked_range<std::size_t>& reps) {
    for (std::size_t r = reps.begin(); r != reps.end(); ++r) {
      std::unique_ptr<engine::ReplicationBuffers> buffers;
      if (!pool.try_pop(buffers)) buffers = std::make_unique<engine::ReplicationBuffers>();
      engine::run_replication(run, static_cast<std::uint32_t>(r), *buffers, out);
      pool.push(std::move(buffers));
    }
  });
  return out;
}

}  // namespace cradle
