// `cradle run`, as its stages: the scenario and options, the base population, the
// simulation with a progress bar, the results file and the summary. Under mpirun every rank
// goes through the stages, simulates its share of each batch (sim/engine/ranks.h) and agrees
// with the others on how each stage ended; rank 0 alone holds the whole run, reads and saves
// the checkpoint, writes the results file and prints.
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
#include "sim/engine/ranks.h"
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

//! Runs `step` on this rank, then agrees with every rank on how it went (ranks.h: agree): the
//! exit code of the first rank that failed, its message printed once, or EXIT_OK. `step`
//! returns an exit code (after printing why it failed), or throws: a std::invalid_argument
//! says that the scenarios cannot be `what` (calibrated, resumed; exit 2) when `what` is
//! given, anything else is reported as the command line reports errors (cli.h: report_exception).
template <class Step>
int on_every_rank(Step&& step, const char* what = nullptr) {
  int code = EXIT_RUN_FAILURE;
  try {
    code = step();
  } catch (const std::invalid_argument& e) {
    if (what) {
      std::cerr << "cradle: error: the scenarios cannot be " << what << ": " << e.what() << "\n";
      code = EXIT_BAD_INPUT;
    } else {
      code = report_exception(e);
    }
  } catch (const std::exception& e) {
    code = report_exception(e);
  }
  return ranks::agree(code);
}

//! Parses a sampling fraction "1/k" (or "k"); 0 if malformed.
std::int64_t parse_sample(const std::string& text) {
  std::string k = text.rfind("1/", 0) == 0 ? text.substr(2) : text;
  if (k.empty() || k.size() > 9 || k.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoll(k);
}

//! The clusters of a run's standard errors (output/summary.h: summarise).
std::size_t per_population(const ScenarioResults& s) { return static_cast<std::size_t>(s.replications_per_population); }

//! The replications that share a population in every run of the set: one K for all, as
//! the set requires (scenario_set.cpp), so that batches and ranks' shares end at the same
//! group boundaries in each.
int per_population(const ScenarioSet& set) { return set.scenarios.front().replications_per_population; }

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
    const Summary s = summarise(births, {}, per_population(r));
    // No standard error from one replication, or from one group of them.
    char se[32] = "-";
    if (!std::isnan(s.se)) std::snprintf(se, sizeof se, "%.1f", s.se);
    char line[128];
    std::snprintf(line, sizeof line, "  %4d %16.1f %13s %13.1f\n", r.years[y], s.mean, se,
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
    if (args.replications_per_population) scenario.replications_per_population = *args.replications_per_population;
    check_population_sharing(scenario, args.replications_per_population ? "--replications-per-population"
                                       : args.draw_estimates            ? "--uncertain estimates"
                                                                        : "scenario.replications_per_population");
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

//! One simulation of a batch: a scenario of the set, or a reform's mechanical run.
struct BatchRun {
  std::size_t scenario = 0;
  bool mechanical = false;
};

//! A batch's simulations in the order they run and ranks.h: share() numbers them: each
//! scenario, each reform followed by its mechanical run when the differences are split.
std::vector<BatchRun> batch_runs(const ScenarioSet& set, bool split) {
  std::vector<BatchRun> runs;
  for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
    runs.push_back({i, false});
    if (split && i > 0) runs.push_back({i, true});
  }
  return runs;
}

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
      {"replications per population", std::to_string(per_population(set))},
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
    RunOptions none{saved.done, scenario.seed, saved.done, nullptr, -1, per_population(set)};
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

//! Simulates replications [first, count) of every scenario (and the reforms' mechanical runs),
//! each rank its share of them (ranks.h: share), and adds them to rank 0's `run`, gathered in
//! replication order. The exit code every rank agrees on.
int simulate_batch(const ScenarioSet& set, const std::vector<PopulationSource>& sources, int first, int count,
                   bool split, Progress* progress, SetRun& run) {
  const std::vector<BatchRun> runs = batch_runs(set, split);
  const int n_runs = static_cast<int>(runs.size());
  std::vector<ScenarioResults> parts(runs.size());
  const int simulated = on_every_rank(
      [&] {
        for (int j = 0; j < n_runs; ++j) {
          const Scenario& scenario = set.scenarios[runs[j].scenario];
          const ranks::ReplicationRange mine =
              ranks::share(j, n_runs, first, count, ranks::rank(), ranks::size(), per_population(set));
          // Rank 0 runs even an empty share: the run's frame (axes, labels) the others' rows go into.
          if (mine.count() == 0 && !ranks::root()) continue;
          const RunOptions options{count,      scenario.seed,
                                   mine.first, runs[j].mechanical ? &set.scenarios.front() : nullptr,
                                   mine.end,   per_population(set)};
          parts[j] = simulate(scenario, sources[runs[j].scenario], options, progress);
        }
        return EXIT_OK;
      },
      "calibrated");
  if (simulated != EXIT_OK) return simulated;
  for (int j = 0; j < n_runs; ++j) {
    const std::vector<ranks::ReplicationRange> ranges = ranks::shares(j, n_runs, first, count, per_population(set));
    for_each_replication_array([&](const char*, auto member) {
      auto& rows = parts[j].*member;
      ranks::gather_rows(rows, rows.size() / static_cast<std::size_t>(count), ranges);
    });
  }
  if (!ranks::root()) return EXIT_OK;
  run.scenarios.resize(set.scenarios.size());
  run.mechanical.resize(split ? set.scenarios.size() : 0);
  for (int j = 0; j < n_runs; ++j) {
    const std::size_t i = runs[j].scenario;
    add_batch(std::move(parts[j]), first, runs[j].mechanical ? run.mechanical[i] : run.scenarios[i]);
  }
  return EXIT_OK;
}

//! The largest relative standard error among the horizon totals of the scenarios and of
//! each one's difference from the first.
double worst_rse(const SetRun& run) {
  double worst = 0;
  std::vector<std::int64_t> baseline;
  for (const ScenarioResults& s : run.scenarios) {
    const auto horizon = sum_over_years(total_outlay_fen(s), s.years, s.years.front(), s.years.back());
    worst = std::max(worst, relative_standard_error(horizon, per_population(s)));
    if (baseline.empty()) {
      baseline = horizon;
      continue;
    }
    std::vector<std::int64_t> difference(horizon.size());
    for (std::size_t r = 0; r < horizon.size(); ++r) difference[r] = horizon[r] - baseline[r];
    worst = std::max(worst, relative_standard_error(difference, per_population(s)));
  }
  return worst;
}

//! The replications the next batch runs up to: enough for the target at the spread seen so
//! far (the s.e. falls as 1/√n), at least one more batch, at most the maximum; moved up to
//! the end of a group of `per_population` (ranks::group_boundary), so that the batch after
//! does not generate a population of this one again.
int next_replications(int done, int batch, double rse, double target, int most, int per_population) {
  const double needed = std::ceil(static_cast<double>(done) * (rse / target) * (rse / target));
  const double batches = std::ceil(std::max(needed - done, 1.0) / batch);
  const int upto = static_cast<int>(std::min<double>(most, done + batches * batch));
  return ranks::group_boundary(upto, per_population, done, most);
}

//! Where the batch that starts at `done` ends: a checkpoint's worth of replications later
//! (moved up to the end of a group of `per_population`, as next_replications), or at
//! `count` without checkpoints.
int batch_end(int done, int count, const Checkpointing& saving, int per_population) {
  if (saving.path.empty()) return count;
  return ranks::group_boundary(done + saving.every, per_population, done, count);
}

//! The replication-years this rank simulates of replications [done, count), batch by batch:
//! what its progress bar counts.
std::uint64_t work_of_this_rank(int done, int count, int runs, int years, const Checkpointing& saving,
                                int per_population) {
  std::uint64_t replications = 0;
  for (int first = done, end = 0; first < count; first = end) {
    end = batch_end(first, count, saving, per_population);
    for (int j = 0; j < runs; ++j) {
      replications += static_cast<std::uint64_t>(
          ranks::share(j, runs, first, end, ranks::rank(), ranks::size(), per_population).count());
    }
  }
  return replications * static_cast<std::uint64_t>(years);
}

//! Simulates replications [done, count) in batches (batch_end), rank 0 saving a checkpoint
//! after each; the exit code every rank agrees on.
int simulate_to(const ScenarioSet& set, const std::vector<PopulationSource>& sources, bool split, int& done,
                int count, const Checkpointing& saving, Progress* progress, SetRun& run) {
  while (done < count) {
    const int upto = batch_end(done, count, saving, per_population(set));
    if (const int code = simulate_batch(set, sources, done, upto, split, progress, run)) return code;
    done = upto;
    if (saving.path.empty()) continue;
    const int saved = on_every_rank([&] {
      if (ranks::root()) save_checkpoint(saving, done, count, run);
      return EXIT_OK;
    });
    if (saved != EXIT_OK) return saved;
  }
  return EXIT_OK;
}

//! Simulates the set with a progress bar (of this rank's share), in batches until
//! --target-rse is met, from rank 0's checkpoint `resume` if --resume; the exit code every rank
//! agrees on (after the message: a scenario that cannot be calibrated is exit 2).
int run_simulation(const ScenarioSet& set, const std::vector<PopulationSource>& sources, const RunArgs& args,
                   const Checkpointing& saving, const Checkpoint* resume, RunResults& results, SetRun& run) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool split = set.scenarios.size() > 1 && !args.no_split;
  const int runs = static_cast<int>(batch_runs(set, split).size());
  const Scenario& first = set.scenarios.front();  // every scenario of a set shares its frame and groups
  const int batch = first.replications, k = per_population(set);
  const bool show = !args.quiet && !args.no_progress;
  int done = 0, count = batch;
  if (args.resume) {
    // Rank 0 read the checkpoint: it puts the saved replications into `run`, and every rank
    // goes on from where it stopped.
    const int restored = on_every_rank(
        [&] {
          if (ranks::root()) restore_run(set, sources, *resume, split, run);
          return EXIT_OK;
        },
        "resumed");
    if (restored != EXIT_OK) return restored;
    done = static_cast<int>(ranks::broadcast(resume ? resume->done : 0));
    count = static_cast<int>(ranks::broadcast(resume ? resume->target : 0));
  }
  for (;;) {
    Progress progress("simulating", work_of_this_rank(done, count, runs, first.years(), saving, k), show);
    const int simulated = simulate_to(set, sources, split, done, count, saving, &progress, run);
    progress.finish();
    if (simulated != EXIT_OK) return simulated;
    if (args.target_rse <= 0) break;
    // Rank 0 holds every replication: it decides whether to go on, and up to where (0: stop).
    std::int64_t next = 0;
    const int decided = on_every_rank([&] {
      if (!ranks::root()) return EXIT_OK;
      const double rse = worst_rse(run);
      if (!args.quiet) std::cerr << "cradle: " << done << " replications: relative standard error " << rse << "\n";
      if (rse > args.target_rse && done < args.max_replications) {
        next = next_replications(done, batch, rse, args.target_rse, args.max_replications, k);
      }
      return EXIT_OK;
    });
    if (decided != EXIT_OK) return decided;
    next = ranks::broadcast(next);
    if (next == 0) break;
    count = static_cast<int>(next);
  }
  results.replications = done;
  results.times.simulation_seconds = seconds_since(t0);
  return EXIT_OK;
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

//! What `cradle run` settles before any work.
struct RunSetup {
  ScenarioSet set;
  std::filesystem::path out;
  std::int64_t sample = 1;
  Checkpointing saving;
  std::optional<Checkpoint> resume;  //!< rank 0's, with --resume
  int threads = 1;
};

//! The checks before any work, as an exit code after the message: the set as the command line
//! amends it, the sample, and the memory the run needs (on every rank: each checks its own
//! machine); the output file and the checkpoint to resume from (on rank 0, which writes one
//! and reads the other).
int prepare_run(const RunArgs& args, RunSetup& setup) {
  setup.set = amended_set(args);
  const Scenario& scenario = setup.set.scenarios.front();
  setup.out = args.output.empty() ? default_output_name(setup.set.id) : args.output;
  if (ranks::root()) {
    if (!usable_output(setup.out)) return EXIT_RUN_FAILURE;
    if (!replaceable_output(setup.out, args.force)) return EXIT_BAD_INPUT;
  }
  setup.sample = scenario.sample;
  if (!args.sample.empty()) {
    setup.sample = parse_sample(args.sample);
    if (setup.sample < 1) {
      std::cerr << "cradle: error: --sample expects 1/k with k a whole number from 1, found \"" << args.sample
                << "\"\n";
      return EXIT_BAD_INPUT;
    }
  }
  if (args.checkpoint || args.resume || args.checkpoint_every > 0) {
    setup.saving =
        Checkpointing{checkpoint_path(setup.out), run_identity(setup.set, args, setup.sample),
                      args.checkpoint_every > 0 ? args.checkpoint_every : std::max(1, (scenario.replications + 9) / 10)};
  }
  if (args.resume && ranks::root() && !(setup.resume = resumable(setup.saving, args.quiet))) return EXIT_BAD_INPUT;
  setup.threads = args.threads > 0 ? args.threads : tbb::info::default_concurrency();
  if (!memory_allows_run(setup.set, setup.sample, setup.threads, args)) return EXIT_BAD_INPUT;
  return EXIT_OK;
}

}  // namespace

std::string default_output_name(const std::string& set_id) { return set_id + ".h5"; }

int command_run(const RunArgs& given) {
  // Ranks other than 0 say nothing (ranks.h: Session captures what they would print anyway).
  RunArgs args = given;
  if (!ranks::root()) args.quiet = args.no_progress = true;
  RunSetup setup;
  if (const int code = on_every_rank([&] { return prepare_run(args, setup); }); code != EXIT_OK) return code;
  const ScenarioSet& set = setup.set;
  const Scenario& scenario = set.scenarios.front();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(setup.threads));

  RunResults results;
  results.cradle_version = CRADLE_VERSION;
  results.git_revision = CRADLE_GIT_REVISION;
  results.created_utc = utc_now();
  results.title = set_title(set);
  results.command = args.command_line;
  results.seed = scenario.seed;
  results.threads = setup.threads;
  results.ranks = ranks::size();
  // One source per scenario: each draws replication r's population from (seed, r), so the
  // scenarios of a set, all of one place, run on the same populations. Every rank builds
  // replication 0's, on which the runs are planned.
  std::vector<PopulationSource> sources(set.scenarios.size());
  const int built = on_every_rank([&] {
    for (std::size_t i = 0; i < set.scenarios.size(); ++i) {
      if (!build_population(set.scenarios[i], setup.sample, args.quiet || i > 0, setup.threads, sources[i], results)) {
        return EXIT_BAD_INPUT;
      }
    }
    return EXIT_OK;
  });
  if (built != EXIT_OK) return built;
  SetRun run;
  const Checkpoint* resume = setup.resume ? &*setup.resume : nullptr;
  if (const int code = run_simulation(set, sources, args, setup.saving, resume, results, run); code != EXIT_OK) {
    return code;
  }
  const int written = on_every_rank([&] {
    if (!ranks::root()) return EXIT_OK;
    collect(set, std::move(run), results);
    write_results(setup.out, results);
    if (!setup.saving.path.empty()) std::filesystem::remove(setup.saving.path);
    return EXIT_OK;
  });
  if (written != EXIT_OK) return written;
  if (!args.quiet) {
    if (args.detail) {
      print_summary(std::cout, results, args.style.unit);
    } else {
      print_overview(std::cout, results, args.style);
    }
    for (const ComparisonResults& c : results.comparisons) print_comparison(std::cout, c, args.style);
    if (args.expected) print_expected(std::cout, scenario, *sources.front()(0), results.scenarios.front());
    char times[96];
    std::snprintf(times, sizeof times, " (population %.2f s, simulation %.2f s)\n", results.times.population_seconds,
                  results.times.simulation_seconds);
    std::cout << "\nwrote " << setup.out.string() << times;
  }
  return EXIT_OK;
}

}  // namespace cradle
