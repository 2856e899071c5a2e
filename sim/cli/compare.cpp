// `cradle compare`: pairs of a results file's scenarios, reform against baseline, paired
// replication by replication, printed and written into the file.
#include <iostream>

#include "output/comparison.h"
#include "output/overview.h"
#include "output/results_reader.h"
#include "output/results_writer.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"

namespace cradle {

namespace {

const ScenarioResults* find_scenario(const std::vector<ScenarioResults>& scenarios, const std::string& id) {
  for (const ScenarioResults& s : scenarios) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::string ids_of(const std::vector<ScenarioResults>& scenarios) {
  std::string out;
  for (const ScenarioResults& s : scenarios) out += (out.empty() ? "" : ", ") + s.id;
  return out;
}

//! The pairs asked for: baseline (default the first scenario) against the reform, or
//! against every other scenario when no reform is named.
bool pairs_of(const std::vector<ScenarioResults>& scenarios, const CompareArgs& args,
              std::vector<std::pair<const ScenarioResults*, const ScenarioResults*>>& pairs) {
  const ScenarioResults* baseline = args.baseline.empty() ? &scenarios.front() : find_scenario(scenarios, args.baseline);
  const ScenarioResults* reform = args.reform.empty() ? nullptr : find_scenario(scenarios, args.reform);
  for (const auto& [asked, found] : {std::pair{args.baseline, baseline}, std::pair{args.reform, reform}}) {
    if (!asked.empty() && !found) {
      std::cerr << "cradle: error: " << args.file << " has no scenario \"" << asked << "\" (it has " << ids_of(scenarios)
                << ")\n";
      return false;
    }
  }
  for (const ScenarioResults& s : scenarios) {
    if (&s != baseline && (!reform || &s == reform)) pairs.emplace_back(baseline, &s);
  }
  if (pairs.empty()) std::cerr << "cradle: error: " << args.file << " holds one scenario: nothing to compare it with\n";
  return !pairs.empty();
}

}  // namespace

int command_compare(const CompareArgs& args) {
  std::vector<ScenarioResults> scenarios;
  try {
    scenarios = read_scenarios(args.file);
  } catch (const ResultsFileError& e) {
    std::cerr << "cradle: error: " << e.what() << "\n";
    return EXIT_BAD_INPUT;
  }
  std::vector<std::pair<const ScenarioResults*, const ScenarioResults*>> pairs;
  if (!pairs_of(scenarios, args, pairs)) return EXIT_BAD_INPUT;
  std::vector<ComparisonResults> comparisons;
  for (const auto& [baseline, reform] : pairs) {
    try {
      comparisons.push_back(compare_scenarios(*baseline, *reform));
    } catch (const std::invalid_argument& e) {
      std::cerr << "cradle: error: " << args.file << ": " << e.what() << "\n";
      return EXIT_BAD_INPUT;
    }
    // The mechanical part needs a run; keep the one the file's run stored for this pair.
    if (auto mechanical = read_mechanical(args.file, comparisons.back())) comparisons.back().mechanical_fen = std::move(*mechanical);
  }
  if (!args.no_write) add_comparisons(args.file, comparisons);
  for (const ComparisonResults& c : comparisons) print_comparison(std::cout, c, args.style);
  if (!args.no_write) std::cout << "\nwrote " << comparisons.size() << " comparison(s) into " << args.file << "\n";
  return EXIT_OK;
}

}  // namespace cradle
