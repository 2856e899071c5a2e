#include "sim/engine/engine.h"

#include <tbb/concurrent_queue.h>

#include <algorithm>
#include <chrono>
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

//! The births expected per block over the horizon, at the profile's yearly births spread
//! evenly over the place's households (each simulated one stands for pop.weight of them;
//! RunContext::births_expected).
std::vector<std::size_t> births_expected(const Scenario& scenario, const BasePopulation& pop, std::size_t years) {
  const double place_households = static_cast<double>(pop.households()) * static_cast<double>(pop.weight);
  const double births_per_household = scenario.profile.births / std::max(1.0, place_households);
  std::vector<std::size_t> expected;
  for (const HouseholdBlock& block : pop.blocks) {
    const double households = block.household_end - block.household_begin;
    expected.push_back(static_cast<std::size_t>(births_per_household * households * static_cast<double>(years)));
  }
  return expected;
}

//! The measures births and childcare demand respond to: those of RunOptions::behaviour_from
//! (as replication r drew them, `drawn`, where it draws estimates), or null for the scenario's own.
const std::vector<Measure>* behaviour_measures(const RunOptions& options, const std::optional<Scenario>& drawn) {
  if (!options.behaviour_from) return nullptr;
  return drawn ? &drawn->measures : &options.behaviour_from->measures;
}

std::shared_ptr<const BasePopulation> checked(std::shared_ptr<const BasePopulation> pop) {
  check_population(*pop);
  if (pop->household_arrival.size() != pop->households()) {
    throw std::invalid_argument("the base population has no arrival and departure years (add_migration)");
  }
  return pop;
}

//! Whether replications of `scenario` (or of the scenario its behaviour comes from) draw
//! estimates: each is then its own scenario, with its own plan and population.
bool draws_estimates(const Scenario& scenario, const RunOptions& options) {
  return !scenario.drawn_estimates.empty() ||
         (options.behaviour_from && !options.behaviour_from->drawn_estimates.empty());
}

//! One call of simulate: what its replications share (population 0 and its plan, the
//! results and their layout, the buffers' pool), and how a group and a replication run.
class Replications {
 public:
  Replications(const Scenario& scenario, const PopulationSource& source, const RunOptions& options, Progress* progress,
               SimulationTrace* trace)
      : scenario_(scenario),
        source_(source),
        options_(options),
        progress_(progress),
        trace_(trace),
        draws_(draws_estimates(scenario, options)),
        first_(checked(source(0))),
        first_plan_(engine::make_plan(scenario, *first_, options.seed, behaviour_measures(options, std::nullopt))),
        years_(static_cast<std::size_t>(first_plan_.years)),
        out_(engine::make_results(scenario, first_plan_, static_cast<std::size_t>(options.replications), layout_)),
        first_births_(births_expected(scenario, *first_, years_)) {}

  //! Population g's replications among [begin, end): the population asked for (and its
  //! rates calibrated) once, then its replications in parallel.
  void group(std::size_t g, std::size_t begin, std::size_t end) {
    const std::shared_ptr<const BasePopulation> pop = population(g);
    std::optional<engine::Plan> own_plan;
    if (pop != first_ && !draws_) own_plan.emplace(engine::make_plan_like(first_plan_, scenario_, *pop));
    // A scenario that draws estimates plans each replication as its own scenario.
    const engine::Plan* plan = draws_ ? nullptr : own_plan ? &*own_plan : &first_plan_;
    engine::parallel_for(begin, end, [&](const tbb::blocked_range<std::size_t>& reps) {
      for (std::size_t r = reps.begin(); r != reps.end(); ++r) replication(r, *pop, plan);
    });
  }

  ScenarioResults& results() { return out_; }

 private:
  //! Population g, checked where it is not population 0's (a source may share one).
  std::shared_ptr<const BasePopulation> population(std::size_t g) const {
    std::shared_ptr<const BasePopulation> pop = g == 0 ? first_ : source_(static_cast<std::uint32_t>(g));
    return pop == first_ ? pop : checked(std::move(pop));
  }

  //! Replication r on `pop`, with `plan`, or (null) a plan of its own drawn scenario.
  void replication(std::size_t r, const BasePopulation& pop, const engine::Plan* plan) {
    const auto started = std::chrono::steady_clock::now();
    const auto rep = static_cast<std::uint32_t>(r);
    std::optional<Scenario> drawn;
    if (!scenario_.drawn_estimates.empty()) drawn.emplace(scenario_for_replication(scenario_, rep));
    const Scenario& sc = drawn ? *drawn : scenario_;
    // Behaviour from another scenario responds to that scenario's draws of replication r.
    std::optional<Scenario> behaviour;
    if (options_.behaviour_from && !options_.behaviour_from->drawn_estimates.empty()) {
      behaviour.emplace(scenario_for_replication(*options_.behaviour_from, rep));
    }
    std::optional<engine::Plan> own_plan;
    if (!plan)
      plan = &own_plan.emplace(engine::make_plan(sc, pop, options_.seed, behaviour_measures(options_, behaviour)));
    const engine::RunContext run{
        sc,        pop,   *plan, layout_, &pop == first_.get() ? first_births_ : births_expected(sc, pop, years_),
        progress_, trace_};
    engine::record_burn_in(out_, pop, r);
    if (drawn) engine::record_estimates(out_, scenario_, draw_estimates(scenario_, rep), r);
    std::unique_ptr<engine::ReplicationBuffers> buffers;
    const bool fresh = !pool_.try_pop(buffers);
    if (fresh) buffers = std::make_unique<engine::ReplicationBuffers>();
    engine::run_replication(run, rep, *buffers, out_);
    pool_.push(std::move(buffers));
    if (trace_) {
      trace_->replication_ns[r] =
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
      trace_->fresh_buffers[r] = fresh;
      for (const std::size_t b : run.births_expected) trace_->births_expected[r] += static_cast<std::int64_t>(b);
    }
  }

  const Scenario& scenario_;
  const PopulationSource& source_;
  const RunOptions& options_;
  Progress* progress_;
  SimulationTrace* trace_;
  const bool draws_;
  const std::shared_ptr<const BasePopulation> first_;
  const engine::Plan first_plan_;
  const std::size_t years_;
  engine::ResultsLayout layout_;
  ScenarioResults out_;
  const std::vector<std::size_t> first_births_;
  // Not thread-local storage: with nested parallelism a thread waiting inside one
  // replication may start another, so buffers are taken from and returned to a pool; a
  // replication's memory is allocated (and its pages faulted in) once per concurrent one.
  tbb::concurrent_queue<std::unique_ptr<engine::ReplicationBuffers>> pool_;
};

}  // namespace

ScenarioResults simulate(const Scenario& scenario, const PopulationSource& source, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  const auto per_population = static_cast<std::size_t>(std::max(1, options.replications_per_population));
  if (per_population > 1 && draws_estimates(scenario, options)) {
    throw std::invalid_argument(
        "replications cannot share a base population in a run that draws estimates: each replication's drawn "
        "profile builds its own");
  }
  Replications run(scenario, source, options, progress, trace);
  ScenarioResults& out = run.results();
  out.replications_per_population = static_cast<int>(per_population);
  const auto R = static_cast<std::size_t>(options.replications);
  if (trace && trace->record_births) trace->births.assign(R, {});
  if (trace) {
    trace->replication_ns.assign(R, 0);
    trace->fresh_buffers.assign(R, 0);
    trace->births_expected.assign(R, 0);
  }
  const auto first_rep = static_cast<std::size_t>(std::clamp(options.first_replication, 0, options.replications));
  const std::size_t end_rep =
      options.end_replication < 0 ? R : std::clamp(static_cast<std::size_t>(options.end_replication), first_rep, R);
  // Population by population; replication r runs on population r / per_population.
  engine::parallel_for(first_rep / per_population, (end_rep + per_population - 1) / per_population,
                       [&](const tbb::blocked_range<std::size_t>& groups) {
                         for (std::size_t g = groups.begin(); g != groups.end(); ++g) {
                           run.group(g, std::max(first_rep, g * per_population),
                                     std::min(end_rep, (g + 1) * per_population));
                         }
                       });
  // The populations' memory kept for the next replication's (column_memory) goes back.
  column_memory::trim();
  return std::move(out);
}

ScenarioResults simulate(const Scenario& scenario, const BasePopulation& pop, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  // One population shared by every replication: a non-owning pointer to the caller's.
  const std::shared_ptr<const BasePopulation> shared(std::shared_ptr<const BasePopulation>{}, &pop);
  return simulate(scenario, [&](std::uint32_t) { return shared; }, options, progress, trace);
}

}  // namespace cradle
