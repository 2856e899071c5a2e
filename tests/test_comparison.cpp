// Scenario sets and comparisons (output/comparison.h, sim/input/scenario_set.h): paired
// differences that are exact, the mechanical and behavioural parts, replications that a
// longer run extends, lever sweeps, and the rank-regression sensitivity.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "output/comparison.h"
#include "output/results_reader.h"
#include "output/sensitivity.h"
#include "sim/engine/engine.h"
#include "sim/input/scenario_set.h"
#include "test_helpers.h"

using namespace cradle;

namespace {

constexpr std::int64_t SAMPLE = 40;  // 1 household in 40 of Xihu: fast, still thousands of children

Scenario shipped(const std::string& name) { return load_scenario(shipped_scenarios_dir() / name); }

ScenarioResults run(const Scenario& s, int replications, int first = 0, const Scenario* behaviour_from = nullptr) {
  const PopulationSource source = replication_populations(s, SAMPLE);
  return simulate(s, source, RunOptions{replications, s.seed, first, behaviour_from});
}

bool all_zero(const auto& values) {
  return std::all_of(values.begin(), values.end(), [](auto v) { return v == 0; });
}

void require_zero_difference(const ComparisonResults& c) {
  CHECK(all_zero(c.outlay_fen));
  CHECK(all_zero(c.births));
  CHECK(all_zero(c.child_months_under3));
  CHECK(all_zero(c.childcare_demand_months));
  CHECK(all_zero(c.childcare_enrolled_months));
  CHECK(all_zero(c.childcare_unmet_months));
  CHECK(all_zero(c.kindergarten_enrolled_months));
  CHECK(all_zero(c.budget_share));
  if (c.has_split()) CHECK(all_zero(c.mechanical_fen));
}

double sd(const std::vector<std::int64_t>& v) {
  double mean = 0, ss = 0;
  for (auto x : v) mean += static_cast<double>(x);
  mean /= static_cast<double>(v.size());
  for (auto x : v) ss += (static_cast<double>(x) - mean) * (static_cast<double>(x) - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::vector<std::int64_t> horizon_total(const ScenarioResults& s) {
  return sum_over_years(total_outlay_fen(s), s.years, s.years.front(), s.years.back());
}

}  // namespace

TEST_CASE("a reform identical to its baseline differs by exactly 0 in every replication and dataset",
          "[comparison]") {
  const Scenario baseline = shipped("xihu_current.toml");
  Scenario copy = baseline;
  copy.id = "copy";
  const ScenarioResults a = run(baseline, 6), b = run(copy, 6), m = run(copy, 6, 0, &baseline);
  require_zero_difference(compare_scenarios(a, b, &m));
}

TEST_CASE("a lever set to zero differs by exactly 0 from the scenario without it", "[comparison]") {
  const Scenario current = shipped("xihu_current.toml");
  ScenarioSet set{"s", "", {current}, {""}};
  apply_sweep(set, "national_childcare_subsidy.amount=0");
  Scenario without = current;
  std::erase_if(without.measures, [](const Measure& m) { return m.id == "national_childcare_subsidy"; });
  const ScenarioResults zero = run(set.scenarios.front(), 6), none = run(without, 6);
  const ComparisonResults c = compare_scenarios(none, zero);
  // The union axis holds the lever (all zeros), so the difference is a difference.
  CHECK(c.n_measures() == none.n_measures() + 1);
  require_zero_difference(c);
}

TEST_CASE("the paired standard error of one amount's change is at most a tenth of the unpaired one", "[comparison]") {
  const Scenario current = shipped("xihu_current.toml");
  ScenarioSet set{"s", "", {current}, {""}};
  // The national subsidy raised by 300 yuan a year (a lever under discussion), all else equal.
  apply_sweep(set, "national_childcare_subsidy.amount_per_year=3600,3900");
  const int R = 24;
  const ScenarioResults base = run(set.scenarios[0], R), reform = run(set.scenarios[1], R);
  const auto a = horizon_total(base), b = horizon_total(reform);
  std::vector<std::int64_t> paired(a.size());
  for (std::size_t r = 0; r < a.size(); ++r) paired[r] = b[r] - a[r];
  const double paired_se = sd(paired) / std::sqrt(R);
  const double unpaired_se = std::sqrt(sd(a) * sd(a) / R + sd(b) * sd(b) / R);
  std::cout << "paired / unpaired standard error of the horizon's difference: " << paired_se / unpaired_se << "\n";
  CHECK(paired_se <= unpaired_se / 10);
}

TEST_CASE("mechanical and behavioural parts add up to the difference, and with no response the behaviour is 0",
          "[comparison]") {
  ScenarioSet set{"s", "", {shipped("xihu_current.toml")}, {""}};
  apply_sweep(set, "national_childcare_subsidy.amount_per_year=3600,12000");
  const Scenario& baseline = set.scenarios[0];
  const Scenario& reform = set.scenarios[1];
  const int R = 6;
  const ScenarioResults a = run(baseline, R), b = run(reform, R), m = run(reform, R, 0, &baseline);
  // The mechanical run pays the reform's measures to the baseline's families: the same births and demand.
  CHECK(m.births == a.births);
  CHECK(m.childcare_demand_months == a.childcare_demand_months);
  const ComparisonResults c = compare_scenarios(a, b, &m);
  const auto total = total_difference_fen(c, 0), mechanical = total_difference_fen(c, 1),
             behavioural = total_difference_fen(c, 2);
  for (std::size_t i = 0; i < total.size(); ++i) REQUIRE(mechanical[i] + behavioural[i] == total[i]);
  // A larger subsidy brings births (the baseline's response is on): the behavioural part is not zero.
  CHECK_FALSE(all_zero(behavioural));

  const Scenario still_a = testing::neutral(baseline), still_b = testing::neutral(reform);
  const ScenarioResults na = run(still_a, R), nb = run(still_b, R), nm = run(still_b, R, 0, &still_a);
  const ComparisonResults nc = compare_scenarios(na, nb, &nm);
  CHECK(all_zero(total_difference_fen(nc, 2)));
  CHECK(all_zero(nc.births));
  CHECK_FALSE(all_zero(total_difference_fen(nc, 1)));
}

TEST_CASE("a run extended by a batch of replications equals one run of them all", "[comparison]") {
  const Scenario s = shipped("xihu_current.toml");
  ScenarioResults extended = run(s, 50);
  append_replications(extended, run(s, 100, 50));
  const ScenarioResults whole = run(s, 100);
  CHECK(extended.replications == 100);
  CHECK(extended.outlay_fen == whole.outlay_fen);
  CHECK(extended.births == whole.births);
  CHECK(extended.residents_by_age == whole.residents_by_age);
  CHECK(extended.parameters == whole.parameters);
  CHECK(extended.ledger_fen == whole.ledger_fen);
  CHECK(extended.burn_in_births == whole.burn_in_births);
}

TEST_CASE("a sweep of four amounts gives differences from the first that rise with the amount", "[comparison]") {
  ScenarioSet set{"s", "", {shipped("xihu_current.toml")}, {""}};
  apply_sweep(set, "national_childcare_subsidy.amount_per_year=0,1800,3600,7200");
  REQUIRE(set.scenarios.size() == 4);
  CHECK(set.scenarios[2].id == "xihu_current+national_childcare_subsidy.amount_per_year=3600");
  CHECK(set.variants[2].find("national_childcare_subsidy.amount_per_year=3600") != std::string::npos);
  std::vector<ScenarioResults> results;
  for (const Scenario& s : set.scenarios) results.push_back(run(s, 4));
  std::vector<std::int64_t> previous(4, 0);
  for (std::size_t k = 1; k < 4; ++k) {
    const ComparisonResults c = compare_scenarios(results[0], results[k]);
    const auto horizon = sum_over_years(total_difference_fen(c), c.years, c.years.front(), c.years.back());
    for (std::size_t r = 0; r < horizon.size(); ++r) CHECK(horizon[r] > previous[r]);
    previous = horizon;
  }
}

TEST_CASE("a set's scenarios share one measure and payer axis, zero where a scenario lacks a measure", "[comparison]") {
  std::vector<ScenarioResults> set = {run(shipped("xihu_baseline.toml"), 2), run(shipped("xihu_current.toml"), 2)};
  const std::size_t baseline_measures = set[0].n_measures();
  const std::vector<std::int64_t> before = set[0].outlay_fen;
  align_scenarios(set);
  REQUIRE(set[0].n_measures() > baseline_measures);
  for (std::size_t m = 0; m < set[0].n_measures(); ++m) CHECK(set[0].measures[m].id == set[1].measures[m].id);
  CHECK(set[0].payers == set[1].payers);
  // The baseline's own measures keep their outlay; the measures it lacks are zero.
  std::int64_t sum_before = 0, sum_after = 0;
  for (auto v : before) sum_before += v;
  for (auto v : set[0].outlay_fen) sum_after += v;
  CHECK(sum_after == sum_before);
}

TEST_CASE("a set refuses scenarios that cannot share streams, and sweeps refuse what they cannot change",
          "[comparison]") {
  Scenario a = shipped("xihu_current.toml"), b = shipped("xihu_baseline.toml");
  b.seed = a.seed + 1;
  try {
    check_common_frame(ScenarioSet{"s", "", {a, b}, {"", ""}});
    FAIL("a set with two seeds was accepted");
  } catch (const ScenarioError& e) {
    CHECK(e.field() == "scenario.seed");
  }
  ScenarioSet set{"s", "", {a}, {""}};
  for (const std::string spec : {"no_such_measure.amount=1", "national_childcare_subsidy.colour=1",
                                 "national_childcare_subsidy.amount=abc", "national_childcare_subsidy.take_up=2",
                                 "national_free_preschool_public.amount=5", "birth_response.sd=1", "nodot=1"}) {
    INFO(spec);
    ScenarioSet copy = set;
    CHECK_THROWS_AS(apply_sweep(copy, spec), ScenarioError);
  }
  apply_sweep(set, "birth_response.value=0,3");
  CHECK(set.scenarios.size() == 2);
}

TEST_CASE("rank regression puts the input that drives the outcome first with a share above 0.9", "[sensitivity]") {
  const std::size_t R = 200;
  std::vector<double> values, outcome;
  for (std::size_t r = 0; r < R; ++r) {
    // Deterministic, uncorrelated inputs: three permutation-like sequences.
    const double x1 = static_cast<double>((r * 37) % R), x2 = static_cast<double>((r * 91) % R),
                 x3 = static_cast<double>((r * 53) % R);
    values.insert(values.end(), {x2, x1, 5.0, x3});  // the third does not vary: left out
    outcome.push_back(std::exp(x1 / 10.0) + 0.05 * x2 + 0.02 * x3);
  }
  const auto ranked = rank_sensitivity({"weak", "driver", "fixed", "weaker"}, values, outcome);
  REQUIRE(ranked.size() == 3);
  CHECK(ranked[0].parameter == "driver");
  CHECK(ranked[0].share > 0.9);
  CHECK(ranked[1].share < 0.1);
  CHECK(ranks({3.0, 1.0, 3.0, 2.0}) == std::vector<double>{3.5, 1.0, 3.5, 2.0});
  // Too few replications to rank anything: no ranking rather than noise.
  const std::vector<double> few_values(values.begin(), values.begin() + 4 * 5), few_outcome(outcome.begin(), outcome.begin() + 5);
  CHECK(rank_sensitivity({"weak", "driver", "fixed", "weaker"}, few_values, few_outcome).empty());
}

TEST_CASE("cradle run of a set writes aligned scenarios and comparisons that cradle compare reproduces",
          "[comparison][cli]") {
  testing::ScenarioCopy dir;
  dir.write("sets/pair.toml",
            "[set]\nid = \"pair\"\ntitle = \"test\"\nscenarios = [\"../xihu_baseline.toml\", \"../xihu_current.toml\"]\n");
  const std::string out = (dir.dir() / "set.h5").string();
  REQUIRE(testing::cli({"run", dir.path("sets/pair.toml").string(), "-r", "3", "--sample", "1/40", "-q", "-o", out}) == 0);
  const std::vector<ScenarioResults> scenarios = read_scenarios(out);
  REQUIRE(scenarios.size() == 2);
  CHECK(scenarios[0].measures.size() == scenarios[1].measures.size());
  const ComparisonResults again = compare_scenarios(scenarios[0], scenarios[1]);
  const auto stored = read_mechanical(out, again);
  REQUIRE(stored.has_value());
  REQUIRE(testing::cli({"compare", out, "--baseline", "xihu_baseline", "--reform", "xihu_current"}) == 0);
  CHECK(read_mechanical(out, again) == stored);  // the run's mechanical part is kept
  CHECK(testing::cli({"compare", out, "--baseline", "nope"}) == 2);
  CHECK(testing::cli({"run", dir.path("xihu_current.toml").string(), "--vary", "nope.amount=1", "-q", "-o", out}) == 2);
}

TEST_CASE("a target relative standard error adds batches whose replications are those of one longer run", "[comparison][cli]") {
  testing::ScenarioCopy dir;
  const std::string batched = (dir.dir() / "batched.h5").string(), whole = (dir.dir() / "whole.h5").string();
  const std::string scenario = dir.path("xihu_current.toml").string();
  REQUIRE(testing::cli({"run", scenario, "-r", "3", "--sample", "1/40", "-q", "--target-rse", "0.000001",
                        "--max-replications", "7", "-o", batched}) == 0);
  REQUIRE(testing::cli({"run", scenario, "-r", "7", "--sample", "1/40", "-q", "-o", whole}) == 0);
  const auto a = read_scenarios(batched), b = read_scenarios(whole);
  CHECK(a[0].replications == 7);
  CHECK(a[0].outlay_fen == b[0].outlay_fen);
  CHECK(a[0].births == b[0].births);
}

TEST_CASE("a target relative standard error's batches end with a group of replications on one population",
          "[comparison][cli]") {
  // 5 replications per population, batches of 12: a batch ending within a group would leave
  // the next batch to generate that group's population again.
  testing::ScenarioCopy dir;
  const std::string out = (dir.dir() / "grouped.h5").string();
  std::string err;
  REQUIRE(testing::cli_captured({"run", dir.path("xihu_current.toml").string(), "-r", "12", "--sample", "1/100",
                                 "--replications-per-population", "5", "--target-rse", "0.008", "--max-replications",
                                 "200", "--no-progress", "-o", out},
                                err) == 0);
  std::istringstream lines(err);
  std::vector<int> done;  // "cradle: N replications: relative standard error …", batch by batch
  for (std::string line; std::getline(lines, line);) {
    if (line.find("relative standard error") != std::string::npos) done.push_back(std::stoi(line.substr(8)));
  }
  REQUIRE(done.size() >= 3);  // the first batch and at least two more
  CHECK(done.front() == 12);
  for (std::size_t b = 1; b < done.size(); ++b) {
    INFO("batch " << b << " ends at " << done[b]);
    CHECK((done[b] % 5 == 0 || done[b] == 200));
  }
}

TEST_CASE("every shipped set loads: one place, one frame, the national measures first", "[comparison][shipped]") {
  const auto sets = toml_files(shipped_scenarios_dir() / "sets");
  REQUIRE(sets.size() >= 5);
  for (const auto& file : sets) {
    INFO(file.string());
    const ScenarioSet set = load_scenario_set({file});
    CHECK(set.scenarios.size() >= 2);
    CHECK(set.scenarios.front().id.find("_baseline") != std::string::npos);
    CHECK(set.id == file.stem().string());
  }
}

TEST_CASE("in a run where one drawn estimate drives the outlay, the ranking puts it first with a share above 0.9",
          "[sensitivity]") {
  // The national subsidy's take-up made an estimate with a wide range: on the national
  // measures alone, with every parameter neutral, it is what moves the outlay.
  testing::ScenarioCopy dir;
  dir.edit("packages/national.toml", "take_up = { value = 0.9, tag = \"D\", range = [0.8, 1.0]",
           "take_up = { value = 0.9, tag = \"E\", range = [0.1, 1.0]");
  Scenario s = testing::neutral(load_scenario(dir.path("xihu_baseline.toml")));
  const std::string key = "national:measure.national_childcare_subsidy.take_up";
  s.drawn_estimates.clear();
  for (std::size_t i = 0; i < s.estimates.size(); ++i) {
    if (s.estimates[i].key == key) s.drawn_estimates.push_back(i);
  }
  REQUIRE(s.drawn_estimates.size() == 1);
  const ScenarioResults r = run(s, 40);
  const auto horizon = sum_over_years(total_outlay_fen(r), r.years, r.years.front(), r.years.back());
  std::vector<std::string> names;
  for (const ParameterLabel& p : r.parameter_labels) names.push_back(p.name);
  const auto ranked = rank_sensitivity(names, r.parameters, std::vector<double>(horizon.begin(), horizon.end()));
  REQUIRE_FALSE(ranked.empty());
  CHECK(ranked.front().parameter == key);
  CHECK(ranked.front().share > 0.9);
  std::cout << "share of the national subsidy's drawn take-up in the spread of the horizon's outlay: " << ranked.front().share << "\n";
}
