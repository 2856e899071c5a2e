#include "sim/cli/cli.h"

#include <tbb/global_control.h>
#include <tbb/info.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cradle_version.h"
#include "output/report.h"
#include "output/results_writer.h"
#include "sim/engine/engine.h"
#include "sim/population/population.h"
#include "sim/input/scenario.h"

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

struct RunArgs {
  std::string scenario;
  std::string output = "results.h5";
  std::optional<int> replications;
  std::optional<std::uint32_t> seed;
  int threads = 0;
  bool quiet = false;
  bool no_progress = false;
  bool expected = false;
  std::string sample;  //!< "1/k" or "k"
};

//! Parses a sampling fraction "1/k" (or "k"); 0 if malformed.
std::int64_t parse_sample(const std::string& text) {
  std::string k = text.rfind("1/", 0) == 0 ? text.substr(2) : text;
  if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoll(k);
}

//! Prints the Monte Carlo mean of births by year beside the cohort-component projection.
void print_expected(std::ostream& out, const Scenario& scenario, const BasePopulation& population,
                    const ScenarioResults& r) {
  const auto projected = project_births(scenario, population);
  out << "\nBirths: Monte Carlo mean (± standard error) against the cohort-component projection\n"
      << "(parameters at their centres; the Monte Carlo draws them, so small gaps are expected)\n";
  out << "  year      Monte Carlo        ± s.e.     projected\n";
  const std::size_t R = static_cast<std::size_t>(r.replications);
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    double sum = 0, sum2 = 0;
    for (std::size_t rep = 0; rep < R; ++rep) {
      double b = 0;
      for (std::size_t k = 0; k < 3; ++k) b += static_cast<double>(r.births[r.births_index(rep, y, k)]);
      sum += b;
      sum2 += b * b;
    }
    const double mean = sum / static_cast<double>(R);
    const double se =
        R > 1 ? std::sqrt(std::max(0.0, sum2 / static_cast<double>(R) - mean * mean) / static_cast<double>(R - 1))
              : 0.0;
    char line[128];
    std::snprintf(line, sizeof line, "  %4d %16.1f %13.1f %13.1f\n", r.years[y], mean, se,
                  projected[y][0] + projected[y][1] + projected[y][2]);
    out << line;
  }
}

int command_run(const RunArgs& args) {
  const std::filesystem::path file =
      args.scenario.empty() ? default_scenario_path() : std::filesystem::path(args.scenario);
  Scenario scenario = load_scenario(file);
  if (args.replications) scenario.replications = *args.replications;
  if (args.seed) scenario.seed = *args.seed;

  // Refuse an unusable output path before spending time on the run.
  const std::filesystem::path out = args.output;
  const std::filesystem::path dir = out.parent_path().empty() ? std::filesystem::path(".") : out.parent_path();
  if (!std::filesystem::is_directory(dir)) {
    std::cerr << "cradle: error: output directory does not exist: " << dir.string() << "\n";
    return EXIT_RUN_FAILURE;
  }
  if (std::filesystem::is_directory(out)) {
    std::cerr << "cradle: error: output path is a directory: " << out.string() << "\n";
    return EXIT_RUN_FAILURE;
  }

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

  auto t0 = std::chrono::steady_clock::now();
  BasePopulation population;
  try {
    population = scenario_population(scenario, sample);
  } catch (const ScenarioError& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return EXIT_BAD_INPUT;
  } catch (const std::invalid_argument& e) {
    std::cerr << "cradle: error: " << scenario.file.string() << ": the base population cannot be built: " << e.what()
              << "\n";
    return EXIT_BAD_INPUT;
  }
  results.times.population_seconds = seconds_since(t0);
  results.households = static_cast<std::int64_t>(population.households()) * population.weight;
  results.persons = population.persons * population.weight;
  results.sample_weight = population.weight;
  results.households_simulated = static_cast<std::int64_t>(population.households());
  results.base = describe_population(population, scenario.profile, scenario.persons_file.empty());
  if (!args.quiet) {
    if (population.weight > 1) std::cerr << "cradle: simulating 1 household in " << population.weight << "\n";
    std::cerr << "cradle: " << scenario.id << ": " << population.households() << " households, " << population.persons
              << " persons, " << population.women() << " women and girls, " << population.children()
              << " children under 7; " << scenario.replications << " replications of " << scenario.start_year << "-"
              << scenario.end_year << " on " << threads << " thread(s)\n";
  }

  t0 = std::chrono::steady_clock::now();
  {
    Progress progress("simulating", static_cast<std::uint64_t>(scenario.replications) * scenario.years(),
                      !args.quiet && !args.no_progress);
    try {
      results.scenarios.push_back(
          simulate(scenario, population, RunOptions{scenario.replications, scenario.seed}, &progress));
    } catch (const std::invalid_argument& e) {
      progress.finish();
      std::cerr << "cradle: error: " << scenario.file.string() << ": the scenario cannot be calibrated: " << e.what()
                << "\n";
      return EXIT_BAD_INPUT;
    }
    progress.finish();
  }
  results.times.simulation_seconds = seconds_since(t0);

  write_results(out, results);
  if (!args.quiet) {
    print_summary(std::cout, results);
    if (args.expected) print_expected(std::cout, scenario, population, results.scenarios.front());
    std::cout << "\nwrote " << out.string() << " (population " << results.times.population_seconds << " s, simulation "
              << results.times.simulation_seconds << " s)\n";
  }
  return EXIT_OK;
}

std::string yuan(Fen fen) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(fen / 100), static_cast<long long>(fen % 100));
  return buf;
}

//! "300.00 yuan per child-month", "5 % of the fee per enrolled child-month", …
std::string describe_amount(const Measure& m) {
  const Phase& p = m.phases.front();
  std::string unit(caseload_unit(m.basis));
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  std::string amount;
  if (p.public_fee) {
    amount = "the public fee";
  } else if (p.percent_of_fee_bp >= 0) {
    amount = std::to_string(p.percent_of_fee_bp / 100) +
             (p.percent_of_fee_bp % 100 ? "." + std::to_string(p.percent_of_fee_bp % 100) : "") + " % of the fee";
  } else {
    amount = yuan(p.fen_per_unit) + " yuan";
    if (p.per_months == 12) amount += " / 12";
  }
  std::string text = amount + " per " + unit;
  if (m.phases.size() > 1) text += " (" + std::to_string(m.phases.size()) + " phases)";
  return text;
}

std::string describe_payers(const Scenario& s, const Measure& m) {
  if (m.ledger() != Ledger::budget) return std::string("ledger: ") + std::string(kind_name(m.kind));
  std::string text = "paid by ";
  bool first = true;
  for (const Jurisdiction& j : s.chain) {
    const auto ppm = m.payers.ppm[static_cast<std::size_t>(j.level)];
    if (ppm == 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s %.1f %%", first ? "" : ", ", j.id.c_str(),
                  100.0 * static_cast<double>(ppm) / PPM);
    text += buf;
    first = false;
  }
  return text;
}

int command_validate(const std::string& path) {
  const Scenario s = load_scenario(path);
  std::string chain;
  for (const Jurisdiction& j : s.chain) chain += (chain.empty() ? "" : " > ") + j.id;
  std::cout << path << ": ok: scenario '" << s.id << "', " << s.place().name << " (" << chain << "), " << s.start_year
            << "-" << s.end_year << ", " << s.measures.size() << " measure(s), " << s.replications
            << " replications, seed " << s.seed << "\n";
  if (!s.persons_file.empty()) {
    // Every row is checked now, not at the start of a long run.
    const BasePopulation p = scenario_population(s, 1);
    std::cout << "  persons: " << s.persons_file.string() << ": " << p.households() << " households, " << p.persons
              << " persons, " << p.women() << " women and girls, " << p.children() << " children under 7, weight "
              << p.weight << "\n";
  }
  if (s.fertility_table) std::cout << "  fertility table: " << s.fertility_table_file.string() << " (used as it is)\n";
  for (const Measure& m : s.measures) {
    std::cout << "  " << m.id << " (" << kind_name(m.kind) << "): " << describe_amount(m) << ", take-up " << m.take_up
              << "; " << describe_payers(s, m) << "\n      source: " << m.source << "\n";
  }
  return EXIT_OK;
}

std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

int command_list() {
  const std::filesystem::path dir = shipped_scenarios_dir();
  std::cout << "Shipped in " << dir.string() << "\n\nJurisdictions (level, parent):\n";
  for (const auto& f : toml_files(dir / "jurisdictions")) {
    try {
      const Jurisdiction j = load_jurisdiction(f);
      std::printf("  %-10s %-8s %-10s %s\n", j.id.c_str(),
                  std::string(PAYER_NAMES[static_cast<std::size_t>(j.level)]).c_str(),
                  j.parent.empty() ? "-" : j.parent.c_str(), j.name.c_str());
    } catch (const ScenarioError& e) {
      std::cout << "  (unreadable) " << e.what() << "\n";
    }
  }
  std::cout << "\nPackages (issued by; measures):\n";
  for (const auto& f : toml_files(dir / "packages")) {
    try {
      const PackageInfo p = describe_package(f);
      std::cout << "  " << f.filename().string() << ": " << p.id << ", issued by " << p.issued_by << "; "
                << p.measures.size() << " measure(s)\n      " << p.title << "\n";
    } catch (const ScenarioError& e) {
      std::cout << "  (unreadable) " << e.what() << "\n";
    }
  }
  std::cout << "\nMeasure kinds (what each counts; ledger):\n";
  for (std::size_t k = 0; k < MEASURE_KIND_COUNT; ++k) {
    const auto kind = static_cast<MeasureKind>(k);
    std::string bases;
    for (Basis b : kind_bases(kind)) bases += (bases.empty() ? "" : ", ") + std::string(basis_name(b));
    std::printf("  %-18s %-45s %s\n", std::string(kind_name(kind)).c_str(), bases.c_str(),
                kind_ledger(kind) == Ledger::budget ? "general budget" : "separate ledger");
  }
  std::cout << "\nScenarios (run with: cradle run scenarios/FILE):\n";
  for (const auto& f : toml_files(dir)) {
    try {
      const Scenario s = load_scenario(f);
      std::cout << "  " << f.filename().string() << ": " << s.id << " — " << s.title << " (" << s.measures.size()
                << " measures, " << s.start_year << "-" << s.end_year << ")\n";
    } catch (const ScenarioError& e) {
      std::cout << "  " << f.filename().string() << ": invalid: " << e.what() << "\n";
    }
  }
  return EXIT_OK;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "Cradle: Monte Carlo projection of what family-support measures cost, year by year, by measure "
      "and by paying level of government."};
  app.set_version_flag("--version", std::string("cradle ") + CRADLE_VERSION + " (" + CRADLE_GIT_REVISION + ")");
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok; 2 bad input (the message names file, line, column and field); 3 run or I/O failure.\n"
      "Results format: output/FORMAT.md. Scenarios: scenarios/README.md; your own persons file and\n"
      "fertility table: scenarios/MICRODATA.md.");

  RunArgs run;
  CLI::App* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its results to HDF5");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (default: the shipped Xihu scenario)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("-o,--output", run.output, "Results file to write (HDF5)")->capture_default_str();
  run_cmd->add_option("-r,--replications", run.replications, "Monte Carlo replications (overrides the scenario)")
      ->check(CLI::Range(1, 1'000'000));
  run_cmd->add_option("-s,--seed", run.seed, "Random seed, 0 to 4294967295 (overrides the scenario)");
  run_cmd->add_option("-t,--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_flag("--no-progress", run.no_progress, "Do not draw a progress bar");
  run_cmd->add_option("--sample", run.sample,
                      "Simulate 1 household in k, each weighted k (e.g. 1/20): results stay scaled to the whole "
                      "place and the sampling error shows in the bands (overrides the scenario's sample)");
  run_cmd->add_flag("--expected", run.expected,
                    "Also print births by year projected by the cohort-component cross-check");

  std::string validate_path;
  CLI::App* validate_cmd = app.add_subcommand("validate", "Check a scenario file and everything it composes");
  validate_cmd->add_option("scenario", validate_path, "Scenario file")->required()->check(CLI::ExistingFile);

  CLI::App* list_cmd =
      app.add_subcommand("list", "Show the shipped jurisdictions, packages, measure kinds and scenarios");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }

  try {
    if (*run_cmd) return command_run(run);
    if (*validate_cmd) return command_validate(validate_path);
    if (*list_cmd) return command_list();
  } catch (const ScenarioError& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return EXIT_BAD_INPUT;
  } catch (const std::exception& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return EXIT_RUN_FAILURE;
  }
  return EXIT_USAGE;
}

}  // namespace cradle
