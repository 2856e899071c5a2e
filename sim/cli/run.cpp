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
#include "output/checkpoint.h"
#include "output/comparison.h"
#include "output/overview.h"
#include "output/report.h"
#include "output/results_reader.h"
#include "output/results_writer.h"
#include "output/summary.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"
#include "sim/cli/progress.h"
#include "sim/cli/resources.h"
#include "sim/engine/engine.h"
#include "sim/input/scenario.h"
#include "sim/input/scenario_set.h"
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
  if (const std::optional<std::string> why = unwritable_folder(dir)) {
    std::cerr << "cradle: error: cannot write in the output folder " << dir.string() << ": " << *why << "\n";
    return false;
  }
  return true;
}

//! Refuses to replace an existing file that is not a results file (a text, another program's
//! HDF5) unless --force: a mistyped -o must not cost someone their file.
bool replaceable_output(const std::filesystem::path& out, bool force) {
  std::error_code ec;
  if (force || !std::filesystem::exists(out, ec) || is_results_file(out)) return true;
  std::cerr << "cradle: error: " << out.string()
            << " exists and is not a Cradle results file; it is left as it is (name another file with -o, or "
               "replace it with --force)\n";
  return false;
}

//! What the file's root attribute title says: the set's title, else its scenarios'.
std::string set_title(const ScenarioSet& set) {
  if (!set.title.empty()) return set.title;
  std::string title;
  for (const Scenario& s : set.scenarios) (title += title.empty() ? "" : "; ") += s.title;
  return title;
}

//! The scenarios as the command line names, amends (replications, seed) and sweeps them.
ScenarioSet amended_set(const RunArgs& args) {
  std::vector<std::filesystem::path> files;
  for (const std::string& f : args.scenarios) files.emplace_back(f);
  if (files.empty()) files.push_back(default_scenario_path());
  ScenarioSet set = load_scenario_set(files);
  for (Scenario& scenario : set.scenarios) {
    if (args.replications) scenario.replications = *args.replications;
    if (args.seed) scenario.seed = *args.seed;
    if (args.draw_estimates) draw_all_estimates(scenario);
  }
  for (const std::string& sweep : args.vary) apply_sweep(set, sweep);
  check_common_frame(set);
  return set;
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
  results.times.population_seconds += seconds_since(t0);
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

//! What a set's simulation keeps between batches: each scenario's results and, for each
//! reform, the mechanical run (its measures under the baseline's behaviour).
struct SetRun {
  std::vector<ScenarioResults> scenarios, mechanical;
};

//! A 64-bit FNV-1a digest of `text`, in hexadecimal: a scenario's text in a checkpoint.
std::string digest(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

//! What the datasets of a run depend on, in the order a resume checks it (output/checkpoint.h);
//! the thread count is not among them.
std::vector<std::pair<std::string, std::string>> run_identity(const ScenarioSet& set, const RunArgs& args,
                                                              std::int64_t sample) {
  const Scenario& first = set.scenarios.front();
  std::vector<std::pair<std::string, std::string>> identity = {
      {"program version", std::string(CRADLE_VERSION) + " (" + CRADLE_GIT_REVISION + ")"},
      {"seed", std::to_string(first.seed)},
      {"replications", std::to_string(first.replications)},
      {"sample", "1/" + std::to_string(sample)},
      {"estimates drawn", args.draw_estimates ? "yes" : "no"},
      {"differences split", set.scenarios.size() > 1 && !args.no_split ? "yes" : "no"},
      {"target relative standard error", std::to_string(args.target_rse)},
      {"most replications", std::to_string(args.max_replications)},
      {"scenarios", std::to_string(set.scenarios.size())}};
  for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
    const Scenario& s = set.scenarios[i];
    std::string what = "scenario ";
    what += s.id;
    std::string text = s.resolved_text;
    (text += "\n") += set.variants[i];
    identity.emplace_back(what, "text " + digest(text));
  }
  return identity;
}

//! Where the checkpoints of a run go, and what they record it by; no path: none are kept.
struct Checkpointing {
  std::filesystem::path path;
  std::vector<std::pair<std::string, std::string>> identity;
  int every = 0;  //!< replications per save
};

void save_checkpoint(const Checkpointing& saving, int done, int target, const SetRun& run) {
  write_checkpoint(saving.path, Checkpoint{saving.identity, done, target, run.scenarios, run.mechanical});
}

//! `run` as the checkpoint left it: each scenario's (and mechanical run's) axes and labels from
//! a run of none of its replications, with the saved replications put in.
void restore_run(const ScenarioSet& set, const std::vector<PopulationSource>& sources, const Checkpoint& saved,
                 bool split, SetRun& run) {
  const std::size_t n = set.scenarios.size();
  if (saved.scenarios.size() != n || (split && saved.mechanical.size() != n)) {
    throw std::invalid_argument("the checkpoint does not hold the set's scenarios");
  }
  run.scenarios.resize(n);
  run.mechanical.resize(split ? n : 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Scenario& scenario = set.scenarios[i];
    RunOptions none{saved.done, scenario.seed, saved.done, nullptr};
    run.scenarios[i] = simulate(scenario, sources[i], none, nullptr);
    restore_replications(run.scenarios[i], saved.scenarios[i]);
    if (split && i > 0) {
      none.behaviour_from = &set.scenarios.front();
      run.mechanical[i] = simulate(scenario, sources[i], none, nullptr);
      restore_replications(run.mechanical[i], saved.mechanical[i]);
    }
  }
}

//! Adds replications [first, count) of one run to `into` (or makes it, for the first batch).
void add_batch(ScenarioResults&& batch, int first, ScenarioResults& into) {
  if (first == 0) {
    into = std::move(batch);
  } else {
    append_replications(into, batch);
  }
}

//! Simulates replications [first, count) of every scenario (and the reforms' mechanical runs).
void simulate_batch(const ScenarioSet& set, const std::vector<PopulationSource>& sources, int first, int count,
                    bool split, Progress* progress, SetRun& run) {
  const std::size_t n = set.scenarios.size();
  run.scenarios.resize(n);
  run.mechanical.resize(split ? n : 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Scenario& scenario = set.scenarios[i];
    RunOptions options{count, scenario.seed, first, nullptr};
    add_batch(simulate(scenario, sources[i], options, progress), first, run.scenarios[i]);
    if (split && i > 0) {
      options.behaviour_from = &set.scenarios.front();
      add_batch(simulate(scenario, sources[i], options, progress), first, run.mechanical[i]);
    }
  }
}

//! The largest relative standard error among the horizon totals of the scenarios and of
//! each one's difference from the first.
double worst_rse(const SetRun& run) {
  double worst = 0;
  std::vector<std::int64_t> baseline;
  for (const ScenarioResults& s : run.scenarios) {
    const auto horizon = sum_over_years(total_outlay_fen(s), s.years, s.years.front(), s.years.back());
    worst = std::max(worst, relative_standard_error(horizon));
    if (baseline.empty()) {
      baseline = horizon;
      continue;
    }
    std::vector<std::int64_t> difference(horizon.size());
    for (std::size_t r = 0; r < horizon.size(); ++r) difference[r] = horizon[r] - baseline[r];
    worst = std::max(worst, relative_standard_error(difference));
  }
  return worst;
}

//! The replications the next batch runs up to: enough for the target at the spread seen so
//! far (the s.e. falls as 1/√n), at least one more batch, at most the maximum.
int next_replications(int done, int batch, double rse, double target, int most) {
  const double needed = std::ceil(static_cast<double>(done) * (rse / target) * (rse / target));
  const double batches = std::ceil(std::max(needed - done, 1.0) / batch);
  return static_cast<int>(std::min<double>(most, done + batches * batch));
}

//! Simulates replications [done, count) in batches of `saving.every` (all at once without
//! checkpoints), saving a checkpoint after each.
void simulate_to(const ScenarioSet& set, const std::vector<PopulationSource>& sources, bool split, int& done,
                 int count, const Checkpointing& saving, Progress* progress, SetRun& run) {
  while (done < count) {
    const int upto = saving.path.empty() ? count : std::min(count, done + saving.every);
    simulate_batch(set, sources, done, upto, split, progress, run);
    done = upto;
    if (!saving.path.empty()) save_checkpoint(saving, done, count, run);
  }
}

//! Simulates the set with a progress bar, in batches until --target-rse is met, from a
//! checkpoint if `resume` is set; false (after the message) if a scenario cannot be calibrated.
bool run_simulation(const ScenarioSet& set, const std::vector<PopulationSource>& sources, const RunArgs& args,
                    const Checkpointing& saving, const Checkpoint* resume, RunResults& results, SetRun& run) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool split = set.scenarios.size() > 1 && !args.no_split;
  const int runs = static_cast<int>(set.scenarios.size() * (split ? 2 : 1) - (split ? 1 : 0));
  const int batch = set.scenarios.front().replications;
  const bool show = !args.quiet && !args.no_progress;
  int done = 0, count = batch;
  try {
    if (resume) {
      restore_run(set, sources, *resume, split, run);
      done = resume->done;
      count = resume->target;
    }
    for (;;) {
      Progress progress("simulating", static_cast<std::uint64_t>(count - done) * set.scenarios.front().years() * runs,
                        show);
      simulate_to(set, sources, split, done, count, saving, &progress, run);
      progress.finish();
      if (args.target_rse <= 0) break;
      const double rse = worst_rse(run);
      if (!args.quiet) std::cerr << "cradle: " << done << " replications: relative standard error " << rse << "\n";
      if (rse <= args.target_rse || done >= args.max_replications) break;
      count = next_replications(done, batch, rse, args.target_rse, args.max_replications);
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "cradle: error: the scenarios cannot be " << (resume ? "resumed" : "calibrated") << ": " << e.what()
              << "\n";
    return false;
  }
  results.replications = run.scenarios.front().replications;
  results.times.simulation_seconds = seconds_since(t0);
  return true;
}

//! The set's results as the file holds them: aligned axes, and each scenario compared with the first.
void collect(const ScenarioSet& set, SetRun&& run, RunResults& results) {
  for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
    run.scenarios[i].variant = set.variants[i];
    run.scenarios[i].observations = describe_observations(set.scenarios[i].profile);
  }
  for (std::size_t i = 1; i < run.scenarios.size(); ++i) {
    results.comparisons.push_back(compare_scenarios(run.scenarios.front(), run.scenarios[i],
                                                    run.mechanical.empty() ? nullptr : &run.mechanical[i]));
  }
  results.scenarios = std::move(run.scenarios);
  align_scenarios(results.scenarios);
}

//! The checkpoint a --resume goes on from, if it was made by this program for this run;
//! std::nullopt after the message saying why not.
std::optional<Checkpoint> resumable(const Checkpointing& saving, bool quiet) {
  Checkpoint saved;
  try {
    saved = read_checkpoint(saving.path);
  } catch (const ResultsFileError& e) {
    std::cerr << "cradle: error: cannot resume: " << e.what() << " (a run saves one with --checkpoint, and removes it "
              << "once its results are written)\n";
    return std::nullopt;
  }
  const std::string changed = identity_difference(saved.identity, saving.identity);
  if (!changed.empty()) {
    std::cerr << "cradle: error: cannot resume from " << saving.path.string() << ": it was made by another run ("
              << changed << "); run without --resume to start again\n";
    return std::nullopt;
  }
  if (!quiet) {
    std::cerr << "cradle: resuming from " << saving.path.string() << ": " << saved.done << " of " << saved.target
              << " replications done\n";
  }
  return saved;
}

}  // namespace

std::string default_output_name(const std::string& set_id) { return set_id + ".h5"; }

int command_run(const RunArgs& args) {
  const ScenarioSet set = amended_set(args);
  const Scenario& scenario = set.scenarios.front();
  const std::filesystem::path out = args.output.empty() ? default_output_name(set.id) : args.output;
  if (!usable_output(out)) return EXIT_RUN_FAILURE;
  if (!replaceable_output(out, args.force)) return EXIT_BAD_INPUT;
  std::int64_t sample = scenario.sample;
  if (!args.sample.empty()) {
    sample = parse_sample(args.sample);
    if (sample < 1) {
      std::cerr << "cradle: error: --sample expects 1/k with k a whole number from 1, found \"" << args.sample
                << "\"\n";
      return EXIT_BAD_INPUT;
    }
  }
  Checkpointing saving;
  std::optional<Checkpoint> resume;
  if (args.checkpoint || args.resume || args.checkpoint_every > 0) {
    saving = Checkpointing{checkpoint_path(out), run_identity(set, args, sample),
                           args.checkpoint_every > 0 ? args.checkpoint_every : std::max(1, (scenario.replications + 9) / 10)};
  }
  if (args.resume && !(resume = resumable(saving, args.quiet))) return EXIT_BAD_INPUT;
  const int threads = args.threads > 0 ? args.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  if (!memory_allows_run(set, sample, threads, args)) return EXIT_BAD_INPUT;

  RunResults results;
  results.cradle_version = CRADLE_VERSION;
  results.git_revision = CRADLE_GIT_REVISION;
  results.created_utc = utc_now();
  results.title = set_title(set);
  results.command = args.command_line;
  results.seed = scenario.seed;
  results.threads = threads;
  // One source per scenario: each draws replication r's population from (seed, r), so the
  // scenarios of a set, all of one place, run on the same populations.
  std::vector<PopulationSource> sources(set.scenarios.size());
  for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
    if (!build_population(set.scenarios[i], sample, args.quiet || i > 0, threads, sources[i], results)) return EXIT_BAD_INPUT;
  }
  SetRun run;
  if (!run_simulation(set, sources, args, saving, resume ? &*resume : nullptr, results, run)) return EXIT_BAD_INPUT;
  collect(set, std::move(run), results);
  write_results(out, results);
  if (!saving.path.empty()) std::filesystem::remove(saving.path);
  if (!args.quiet) {
    if (args.detail) {
      print_summary(std::cout, results);
    } else {
      print_overview(std::cout, results, args.style);
    }
    for (const ComparisonResults& c : results.comparisons) print_comparison(std::cout, c, args.style);
    if (args.expected) print_expected(std::cout, scenario, *sources.front()(0), results.scenarios.front());
    std::cout << "\nwrote " << out.string() << " (population " << results.times.population_seconds << " s, simulation "
              << results.times.simulation_seconds << " s)\n";
  }
  return EXIT_OK;
}

}  // namespace cradle
