#include "sim/cli/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cradle_version.h"
#include "sim/cli/commands.h"
#include "sim/engine/ranks.h"
#include "sim/input/scenario.h"

namespace cradle {

namespace {

//! --unit and --lang of a command that prints money.
void add_style_options(CLI::App* cmd, std::string& unit, std::string& lang) {
  cmd->add_option("--unit", unit, "Money in yuan (元), wan (万元, the default) or yi (亿元)")
      ->check(CLI::IsMember({"yuan", "wan", "yi"}))
      ->capture_default_str();
  cmd->add_option("--lang", lang, "Labels, measure titles and paying levels in en or zh (Chinese)")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
}

ReportStyle style_of(const std::string& unit, const std::string& lang) {
  ReportStyle style;
  style.unit = unit == "yuan" ? MoneyUnit::yuan : unit == "yi" ? MoneyUnit::yi : MoneyUnit::wan;
  style.lang = lang == "zh" ? Language::zh : Language::en;
  return style;
}

//! The command as typed, the program named "cradle", for the results file's history: words with
//! a space or a quote in single quotes, as a shell would take them back.
std::string command_line(int argc, char** argv) {
  std::string line = "cradle";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    line += ' ';
    if (!word.empty() && word.find_first_of(" \t\n'\"\\$`") == std::string::npos) {
      line += word;
      continue;
    }
    line += '\'';
    for (char c : word) {
      if (c == '\'') {
        line += "'\\''";
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

}  // namespace

namespace {

//! What the command line asked for: each command's options, filled by CLI11.
struct CommandLine {
  RunArgs run;
  CompareArgs compare;
  ReportArgs report;
  std::string validate_path, sources_place, uncertain;
  std::string run_unit = "wan", run_lang = "en", compare_unit = "wan", compare_lang = "en", report_unit = "wan",
              report_lang = "en";
  CLI::App *run_cmd = nullptr, *compare_cmd = nullptr, *report_cmd = nullptr, *validate_cmd = nullptr,
           *list_cmd = nullptr;
};

//! `run`'s inputs: scenarios, sets, sweeps, batches, drawn estimates.
void add_run_inputs(CLI::App* run_cmd, CommandLine& cl) {
  run_cmd->add_option("scenario", cl.run.scenarios,
                      "Scenario files, or set files (scenarios/sets/), run together on the same base populations and "
                      "random streams; each is compared with the first (default: the shipped Xihu scenario)");
  run_cmd->add_option("--vary", cl.run.vary,
                      "Sweep a lever: MEASURE.FIELD=v1,v2,... (amount, amount_per_year, take_up, cap_per_person, "
                      "cap_per_household, units_per_year) or PARAMETER.FIELD=... (value, low, high, mode, mean, sd, "
                      "median); one scenario per value, compared with the first")
      ->option_text("TARGET.FIELD=V1,V2,...");
  run_cmd
      ->add_option("--target-rse", cl.run.target_rse,
                   "Add replications in batches (the scenario's count each, each after the first ending with a "
                   "whole group of --replications-per-population) until the relative standard error of the "
                   "horizon's total outlay, and of each difference from the first scenario, is at most this")
      ->check(CLI::Range(1e-6, 1.0));
  run_cmd->add_option("--max-replications", cl.run.max_replications, "The most replications --target-rse may run")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  run_cmd->add_option("--uncertain", cl.uncertain,
                      "\"estimates\": also draw, in each replication, every figure of the scenario's files tagged E "
                      "with a range (a take-up, a rate, an assumed amount) from triangular(low, value, high); the "
                      "sensitivity ranking then covers them (scenarios/README.md)")
      ->check(CLI::IsMember({"estimates"}));
  run_cmd->add_flag("--no-split", cl.run.no_split,
                    "Do not split each difference into its mechanical and behavioural parts (saves one run per "
                    "reform)");
}

//! `run`'s outputs and settings: the file, replications, seed, threads, what is printed.
void add_run_outputs(CLI::App* run_cmd, CommandLine& cl) {
  run_cmd->add_option("-o,--output", cl.run.output,
                      "Results file to write (HDF5; default: <id>.h5 in the current folder, <id> the scenario's, or "
                      "the set's when several scenarios or a set file run). An existing file is replaced only if it "
                      "is a Cradle results file")
      ->option_text("FILE");
  run_cmd->add_flag("--force", cl.run.force, "Replace the output file even if it exists and is not a Cradle results file");
  run_cmd->add_flag("--checkpoint", cl.run.checkpoint,
                    "Save the completed replications beside the output (FILE.checkpoint) after each batch, so that "
                    "an interrupted run can go on with --resume; the save is removed once the results are written");
  run_cmd
      ->add_option("--checkpoint-every", cl.run.checkpoint_every,
                   "Replications per checkpoint, rounded up to a whole group of --replications-per-population; "
                   "implies --checkpoint (default: a tenth of the replications, at least 1)")
      ->check(CLI::Range(1, 1'000'000));
  run_cmd->add_flag("--resume", cl.run.resume,
                    "Go on from the output's checkpoint, given the same scenarios and options as the interrupted run; "
                    "the results are those of an uninterrupted run. A checkpoint of another program version, seed or "
                    "scenario is refused");
  run_cmd->add_option("-r,--replications", cl.run.replications, "Monte Carlo replications (overrides the scenario)")
      ->check(CLI::Range(1, 1'000'000));
  run_cmd
      ->add_option("--replications-per-population", cl.run.replications_per_population,
                   "Run each K consecutive replications on one generated base population (default 1: each its "
                   "own), so that populations are generated K times fewer; the bands stay those of the "
                   "replications and the standard errors are computed over the groups (cluster-robust). Not "
                   "with a persons file or drawn estimates")
      ->check(CLI::Range(1, 1'000'000));
  run_cmd->add_option("-s,--seed", cl.run.seed, "Random seed, 0 to 4294967295 (overrides the scenario)");
  run_cmd->add_option("-t,--threads", cl.run.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  run_cmd->add_flag("-q,--quiet", cl.run.quiet, "Print nothing but errors");
  run_cmd->add_flag("--no-progress", cl.run.no_progress, "Do not draw a progress bar");
  run_cmd->add_option("--sample", cl.run.sample,
                      "Simulate 1 household in k, each weighted k (e.g. 1/20): results stay scaled to the whole "
                      "place; each replication draws its own sample, so the sampling error is in the bands "
                      "(overrides the scenario's sample)");
  run_cmd->add_option("--max-memory", cl.run.max_memory,
                      "Refuse the run, before it starts, if its estimated memory exceeds SIZE (e.g. 512M, 8G, 2.5G; "
                      "default: the memory available, MemAvailable or the cgroup's limit)")
      ->option_text("SIZE");
  add_style_options(run_cmd, cl.run_unit, cl.run_lang);
  run_cmd->add_flag("--detail", cl.run.detail,
                    "Print every year by measure and ledger, with the validation table, instead of one screen per "
                    "scenario");
  run_cmd->add_flag("--expected", cl.run.expected,
                    "Also print births by year projected by the cohort-component cross-check");

}

void add_compare(CLI::App& app, CommandLine& cl) {
  cl.compare_cmd = app.add_subcommand(
      "compare", "Hold the scenarios of a results file against a baseline, paired replication by replication");
  CLI::App* compare_cmd = cl.compare_cmd;
  compare_cmd->add_option("file", cl.compare.file, "Results file (HDF5) written by cradle run")->required();
  compare_cmd->add_option("--baseline", cl.compare.baseline, "Baseline scenario id (default: the file's first)");
  compare_cmd->add_option("--reform", cl.compare.reform, "Reform scenario id (default: every other scenario)");
  compare_cmd->add_flag("--no-write", cl.compare.no_write, "Print only; leave the file as it is");
  add_style_options(compare_cmd, cl.compare_unit, cl.compare_lang);

}

void add_report(CLI::App& app, CommandLine& cl) {
  cl.report_cmd = app.add_subcommand(
      "report", "Print a results file for people (per scenario and comparison), or write it as CSV or an HTML page");
  CLI::App* report_cmd = cl.report_cmd;
  report_cmd->add_option("file", cl.report.file, "Results file (HDF5) written by cradle run")->required();
  add_style_options(report_cmd, cl.report_unit, cl.report_lang);
  report_cmd->add_flag("--detail", cl.report.detail, "Also print every year by measure and ledger");
  report_cmd->add_option("--csv", cl.report.csv_dir,
                         "Write tidy CSV files (one value per row; UTF-8 with BOM for Excel) into this folder")
      ->option_text("DIR");
  report_cmd->add_option("--html", cl.report.html_file, "Write one standalone HTML page (charts, no network needed)")
      ->option_text("FILE");

}

void add_validate_and_list(CLI::App& app, CommandLine& cl) {
  cl.validate_cmd = app.add_subcommand("validate", "Check a scenario file (or a set file) and everything it composes");
  CLI::App* validate_cmd = cl.validate_cmd;
  validate_cmd->add_option("scenario", cl.validate_path, "Scenario file")->required();

  cl.list_cmd =
      app.add_subcommand("list", "Show the shipped jurisdictions, packages, measure kinds and scenarios");
  cl.list_cmd->add_option("--sources", cl.sources_place,
                       "Instead, print the table from article to outlay of the documents of PLACE (a jurisdiction "
                       "id such as xihu, or a package id such as 002_xihu): per article, costed (by which "
                       "measures), a target (what it drives) or not costed (and why); scenarios/sources/")
      ->option_text("PLACE");
}

//! Runs the command asked for; its exit code.
int dispatch(CommandLine& cl, int argc, char** argv) {
  if (*cl.report_cmd) {
    cl.report.style = style_of(cl.report_unit, cl.report_lang);
    return command_report(cl.report);
  }
  if (*cl.run_cmd) {
    cl.run.style = style_of(cl.run_unit, cl.run_lang);
    cl.run.draw_estimates = cl.uncertain == "estimates";
    cl.run.command_line = command_line(argc, argv);
    return command_run(cl.run);
  }
  if (*cl.compare_cmd) {
    cl.compare.style = style_of(cl.compare_unit, cl.compare_lang);
    return command_compare(cl.compare);
  }
  if (*cl.validate_cmd) return command_validate(cl.validate_path);
  if (*cl.list_cmd) return cl.sources_place.empty() ? command_list() : command_list_sources(cl.sources_place);
  return EXIT_USAGE;
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
  CommandLine cl;
  cl.run_cmd = app.add_subcommand(
      "run", "Simulate a scenario, or a set of scenarios on the same random streams, and write the results to HDF5");
  add_run_inputs(cl.run_cmd, cl);
  add_run_outputs(cl.run_cmd, cl);
  add_compare(app, cl);
  add_report(app, cl);
  add_validate_and_list(app, cl);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? EXIT_OK : EXIT_BAD_INPUT;
  }
  // Only `run` is shared among ranks (it agrees on every failure itself); rank 0 runs any other
  // command alone, so that a file is written and a report printed once.
  const bool alone = !*cl.run_cmd;
  int code = EXIT_OK;
  if (!alone || ranks::root()) {
    try {
      code = dispatch(cl, argc, argv);
    } catch (const std::exception& e) {
      code = report_exception(e);
    }
  }
  return alone ? static_cast<int>(ranks::broadcast(code)) : code;
}

int report_exception(const std::exception& e) {
  std::cerr << "cradle: error: " << e.what() << "\n";
  return dynamic_cast<const ScenarioError*>(&e) ? EXIT_BAD_INPUT : EXIT_RUN_FAILURE;
}

}  // namespace cradle
