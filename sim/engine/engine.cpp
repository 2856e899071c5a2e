#include "sim/engine/engine.h"

#include <tbb/concurrent_queue.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>

#include "sim/engine/parallel.h"
#include "sim/engine/plan.h"
#include "sim/engine/reduction.h"
#include "sim/engine/replication.h"
#include "sim/input/estimate_draws.h"
#include "sim/population/column_memory.h"

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

//! The measures births and childcare demand respond to: those of RunOptions::behaviour_from
//! (as replication r drew them, `drawn`, where it draws estimates), or null for the scenario's own.
const std::vector<Measure>* behaviour_measures(const RunOptions& options, const std::optional<Scenario>& drawn) {
  if (!options.behaviour_from) return nullptr;
  return drawn ? &drawn->measures : &options.behaviour_from->measures;
}

void check_base(const BasePopulation& pop) {
  check_population(pop);
  if (pop.household_arrival.size() != pop.households()) {
    throw std::invalid_argument("the base population has no arrival and departure years (add_migration)");
  }
}

}  // namespace

ScenarioResults simulate(const Scenario& scenario, const PopulationSource& source, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  const bool draws = !scenario.drawn_estimates.empty();
  const std::shared_ptr<const BasePopulation> first = source(0);
  check_base(*first);
  const engine::Plan first_plan = engine::make_plan(scenario, *first, options.seed, behaviour_measures(options, std::nullopt));
  const auto R = static_cast<std::size_t>(options.replications);
  const auto Y = static_cast<std::size_t>(first_plan.years);
  engine::ResultsLayout layout;
  ScenarioResults out = engine::make_results(scenario, first_plan, R, layout);
  if (trace && trace->record_births) trace->births.assign(R, {});
  const std::vector<std::size_t> first_reserve = newborn_reserve(scenario, *first, Y);
  // Not thread-local storage: with nested parallelism a thread waiting inside one
  // replication may start another, so buffers are taken from and returned to a pool; a
  // replication's memory is allocated (and its pages faulted in) once per concurrent one.
  tbb::concurrent_queue<std::unique_ptr<engine::ReplicationBuffers>> pool;
  const auto first_rep = static_cast<std::size_t>(std::clamp(options.first_replication, 0, options.replications));
  const std::size_t end_rep =
      options.end_replication < 0 ? R : std::clamp(static_cast<std::size_t>(options.end_replication), first_rep, R);
  engine::parallel_for(first_rep, end_rep, [&](const tbb::blocked_range<std::size_t>& reps) {
    for (std::size_t r = reps.begin(); r != reps.end(); ++r) {
      const auto rep = static_cast<std::uint32_t>(r);
      // A scenario that draws estimates runs replication r as its own scenario (own plan).
      std::optional<Scenario> drawn;
      if (draws) drawn.emplace(scenario_for_replication(scenario, rep));
      const Scenario& sc = draws ? *drawn : scenario;
      // Behaviour from another scenario responds to that scenario's draws of replication r.
      std::optional<Scenario> behaviour;
      if (options.behaviour_from && !options.behaviour_from->drawn_estimates.empty()) {
        behaviour.emplace(scenario_for_replication(*options.behaviour_from, rep));
      }
      const std::shared_ptr<const BasePopulation> pop = r == 0 ? first : source(rep);
      const bool shared = !draws && !behaviour && pop.get() == first.get();
      std::optional<engine::Plan> own_plan;
      if (!shared) {
        check_base(*pop);
        own_plan.emplace(engine::make_plan(sc, *pop, options.seed, behaviour_measures(options, behaviour)));
      }
      const engine::RunContext run{sc, *pop, shared ? first_plan : *own_plan, layout,
                                   shared ? first_reserve : newborn_reserve(sc, *pop, Y), progress, trace};
      engine::record_burn_in(out, *pop, r);
      if (draws) engine::record_estimates(out, scenario, draw_estimates(scenario, rep), r);
      std::unique_ptr<engine::ReplicationBuffers> buffers;
      if (!pool.try_pop(buffers)) buffers = std::make_unique<engine::ReplicationBuffers>();
      engine::run_replication(run, rep, *buffers, out);
      pool.push(std::move(buffers));
    }
  });
  // The populations' memory kept for the next replication's (column_memory) goes back.
  column_memory::trim();
  return out;
}

ScenarioResults simulate(const Scenario& scenario, const BasePopulation& pop, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  // One population shared by every replication: a non-owning pointer to the caller's.
  const std::shared_ptr<const BasePopulation> shared(std::shared_ptr<const BasePopulation>{}, &pop);
  return simulate(scenario, [&](std::uint32_t) { return shared; }, options, progress, trace);
}

}  // namespace cradle
