// Throughput of the yearly loop in household-years per second, for the default
// scenario and for its population scaled to over a million households, with 1 and 2
// threads (or the counts given). Prints a Markdown table; README.md quotes it.
//
//   build/bench/cradle_bench [--threads 1,2] [--repeat 3]
#include <tbb/global_control.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/population/population.h"
#include "sim/input/scenario.h"

using namespace cradle;

namespace {

struct Case {
  const char* name;
  const char* scenario;  //!< file in the shipped scenarios
  double scale;
  int replications;
};

double time_once(const Scenario& s, const BasePopulation& pop, int reps) {
  const auto t0 = std::chrono::steady_clock::now();
  const ScenarioResults r = simulate(s, pop, RunOptions{reps, s.seed});
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.births.empty()) std::puts("no births?");  // keeps the work observable
  return dt;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> threads{1, 2};
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) {
      threads.clear();
      for (char* tok = std::strtok(argv[i + 1], ","); tok; tok = std::strtok(nullptr, ","))
        threads.push_back(std::atoi(tok));
    } else if (!std::strcmp(argv[i], "--repeat")) {
      repeat = std::max(1, std::atoi(argv[i + 1]));
    }
  }
  const Case cases[] = {{"Xihu, national measures (xihu_baseline)", "xihu_baseline.toml", 1.0, 64},
                        {"Xihu, all measures (xihu_current, the default)", "xihu_current.toml", 1.0, 64},
                        {"Xihu x5.5, all measures (>1 M households)", "xihu_current.toml", 5.5, 12}};

  char date[16];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  std::printf("cradle_bench on %s, %s, %u hardware threads; best of %d runs after a warm-up\n\n", date,
              cpu_model().c_str(), std::thread::hardware_concurrency(), repeat);
  std::printf(
      "| population | households | residents | threads | household-years/s | wall ns per household-year | speed-up |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Case& c : cases) {
    Scenario scenario = load_scenario(shipped_scenarios_dir() / c.scenario);
    const BasePopulation pop = generate_population(scenario.profile, scenario.start_year, scenario.seed, c.scale);
    scenario.profile.births *= c.scale;  // the simulated years' births scale with the population too
    const double hh_years = static_cast<double>(pop.households()) * scenario.years() * c.replications;
    double base_rate = 0;
    for (int t : threads) {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(t));
      // Warm-up: a full untimed run, so that clocks and caches are in their steady state.
      time_once(scenario, pop, c.replications);
      double best = 1e300;
      for (int k = 0; k < repeat; ++k) best = std::min(best, time_once(scenario, pop, c.replications));
      const double rate = hh_years / best;
      if (base_rate == 0) base_rate = rate;
      std::printf("| %s | %zu | %zu | %d | %.3g | %.1f | %.2f |\n", c.name, pop.households(), count_residents(pop), t, rate,
                  1e9 / rate, rate / base_rate);
      std::fflush(stdout);
    }
  }
  return 0;
}
