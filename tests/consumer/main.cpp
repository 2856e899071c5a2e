// A program outside Cradle using its installed library: loads the shipped default scenario
// (found through $CRADLE_SCENARIOS, as a program outside <prefix>/bin must), simulates two
// replications of a 1-in-50 sample and prints the births of the first year.
#include <cstdint>
#include <cstdio>
#include <exception>

#include "sim/engine/engine.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"

int main() {
  try {
    const cradle::Scenario scenario = cradle::load_scenario(cradle::default_scenario_path());
    const cradle::BasePopulation population = cradle::scenario_population(scenario, 50);
    const cradle::ScenarioResults results = cradle::simulate(scenario, population, {2, scenario.seed});
    std::int64_t births = 0;
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t k = 0; k < static_cast<std::size_t>(results.birth_orders); ++k)
        births += results.births[results.births_index(r, 0, k)];
    std::printf("%s %d: %.1f births (mean of 2 replications, 1-in-50 sample weighted 50)\n", results.id.c_str(),
                results.years.at(0), static_cast<double>(births) / 2.0);
    return births > 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cradle_consumer: %s\n", e.what());
    return 1;
  }
}
