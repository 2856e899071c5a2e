// `cradle run`, as its stages: the scenario and options, the base population, the
// simulation with a progress bar, the results file and the summary.
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "cradle_version.h"
#include "output/report.h"
#include "output/results_writer.h"
#include "output/summary.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"
#include "sim/cli/progress.h"
#include "sim/engine/engine.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"

namespace cradle {

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! Parses a sampling fraction "1/k" (or "k"); 0 if malformed.
std::int64_t parse_sample(const std::string& text) {
  std::string k = text.rfind("1/", 0) == 0 ? text.substr(2) : text;
  if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoll(k);
}

//! Prints the Monte Carlo mean of births by year beside the cohort-component projection.
void print_expected(std::ostream& out, const Scenario& scenario, const BasePopulation& population,
                    const ScenarioResults& r) {
  const auto projected = project_population(scenario, population).births;
  out << "\nBirths: Monte Carlo mean (± standard error) against the cohort-component projection\n"
      << "(parameters at their centres; the Monte Carlo draws them, so small gaps are expected)\n";
  out << "  year      Monte Carlo        ± s.e.     projected\n";
  const std::size_t R = static_cast<std::size_t>(r.replications);
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    std::vector<double> births(R, 0.0);
    for (std::size_t rep = 0; rep < R; ++rep) {
      for (std::size_t k = 0; k < 3; ++k) births[rep] += static_cast<double>(r.births[r.births_index(rep, y, k)]);
    }
    const Summary s = summarise(births, {});
    const double mean = s.mean, se = R > 1 ? s.se : 0.0;
    char line[128];
    std::snprintf(line, sizeof line, "  %4d %16.1f %13.1f %13.1f\n", r.years[y], mean, se,
                  projected[y][0] + projected[y][1] + projected[y][2]);
    out << line;
  }
}

//! Refuses an output path that cannot be written before any time is spent on the run.
bool usable_output(const std::filesystem::path& out) {
  const std::filesystem::path dir = out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << "cradle: error: output directory does not exist: " << dir.string() << "\n";
    return false;
  }
  if (std::filesystem::is_directory(out)) {
    std::cerr << "cradle: error: output path is a directory: " << out.string() << "\n";
    return false;
  }
  return true;
}

//! The scenario as the command line amends it (replications, seed).
Scenario amended_scenario(const RunArgs& args) {
  const std::filesystem::path file =
      args.scenario.empty() ? default_scenario_path() : std::filesystem::path(args.scenario);
  Scenario scenario = load_scenario(file);
  if (args.replications) scenario.replications = *args.replications;
  if (args.seed) scenario.seed = *args.seed;
  return scenario;
}

//! The replications' base populations (population.h: replication_populations), with what
//! replication 0's holds recorded; false (after the message) if the input cannot give one.
bool build_population(const Scenario& scenario, std::int64_t sample, bool quiet, int threads,
                      PopulationSource& source, RunResults& results) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    source = replication_populations(scenario, sample);
  } catch (const ScenarioError& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return false;
  } catch (const std::invalid_argument& e) {
    std::cerr << "cradle: error: " << scenario.file.string() << ": the base population cannot be built: " << e.what()
              << "\n";
    return false;
  }
  const std::shared_ptr<const BasePopulation> first = source(0);
  const BasePopulation& population = *first;
  results.population_design = population_design(scenario);
  results.times.population_seconds = seconds_since(t0);
  results.households = static_cast<std::int64_t>(population.households()) * population.weight;
  results.persons = population.persons * population.weight;
  results.sample_weight = population.weight;
  results.households_simulated = static_cast<std::int64_t>(population.households());
  results.base = describe_population(population, scenario.profile, scenario.persons_file.empty());
  if (!quiet) {
    if (population.weight > 1) std::cerr << "cradle: simulating 1 household in " << population.weight << "\n";
    std::cerr << "cradle: " << scenario.id << ": " << population.households() << " households, " << population.persons
              << " persons, " << population.women() << " women and girls, " << population.children()
              << " children under 7; " << scenario.replications << " replications of " << scenario.start_year << "-"
              << scenario.end_year << " on " << threads << " thread(s)\n";
  }
  return true;
}

//! Simulates the scenario with a progress bar; false (after the message) if it cannot be
//! calibrated.
bool run_simulation(const Scenario& scenario, const PopulationSource& source, bool show_progress,
                    RunResults& results) {
  const auto t0 = std::chrono::steady_clock::now();
  Progress progress("simulating", static_cast<std::uint64_t>(scenario.replications) * scenario.years(),
                    show_progress);
  try {
    results.scenarios.push_back(
        simulate(scenario, source, RunOptions{scenario.replications, scenario.seed}, &progress));
    results.scenarios.back().observations = describe_observations(scenario.profile);
  } catch (const std::invalid_argument& e) {
    progress.finish();
    std::cerr << "cradle: error: " << scenario.file.string() << ": the scenario cannot be calibrated: " << e.what()
              << "\n";
    return false;
  }
  progress.finish();
  results.times.simulation_seconds = seconds_since(t0);
  return true;
}

}  // namespace

int command_run(const RunArgs& args) {
  const Scenario scenario = amended_scenario(args);
  const std::filesystem::path out = args.output;
  if (!usable_output(out)) return EXIT_RUN_FAILURE;
  std::int64_t sample = scenario.sample;
  if (!args.sample.empty()) {
    sample = parse_sample(args.sample);
    if (sample < 1) {
      std::cerr << "cradle: error: --sample expects 1/k with k a whole number from 1, found \"" << args.sample
                << "\"\n";
      return EXIT_BAD_INPUT;
    }
  }
  const int threads = args.threads > 0 ? args.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

  RunResults results;
  results.cradle_version = CRADLE_VERSION;
  results.git_revision = CRADLE_GIT_REVISION;
  results.created_utc = utc_now();
  results.seed = scenario.seed;
  results.replications = scenario.replications;
  results.threads = threads;
  PopulationSource populations;
  if (!build_population(scenario, sample, args.quiet, threads, populations, results)) return EXIT_BAD_INPUT;
  if (!run_simulation(scenario, populations, !args.quiet && !args.no_progress, results)) return EXIT_BAD_INPUT;
  write_results(out, results);
  if (!args.quiet) {
    print_summary(std::cout, results);
    if (args.expected) print_expected(std::cout, scenario, *populations(0), results.scenarios.front());
    std::cout << "\nwrote " << out.string() << " (population " << results.times.population_seconds << " s, simulation "
              << results.times.simulation_seconds << " s)\n";
  }
  return EXIT_OK;
}

}  // namespace cradle
