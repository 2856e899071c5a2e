// Scenarios side by side: the axes of a set aligned, replications appended batch by batch,
// and a reform held against its baseline replication by replication. Every difference is
// integer (fen, counts) and paired: replication r of both scenarios drew the same numbers
// for the same decisions, so what differs is the policy.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "output/results.h"

namespace cradle {

//! The first and last years of the plan period the comparison also sums over (the 15th
//! Five-Year Plan, 2026–2030).
inline constexpr int PLAN_PERIOD_FIRST = 2026, PLAN_PERIOD_LAST = 2030;

//! Gives every scenario of `scenarios` the same measure, ledger-measure and payer axes:
//! the union of theirs, in order of first appearance, with zeros where a scenario lacks
//! one. Throws std::invalid_argument if the scenarios' years or replications differ.
void align_scenarios(std::vector<ScenarioResults>& scenarios);

//! Appends the replications `more` holds beyond `into`'s to `into`: `more` is a run of
//! the same scenario whose first `into.replications` replications were skipped
//! (RunOptions::first_replication). Throws std::invalid_argument on mismatched axes.
void append_replications(ScenarioResults& into, const ScenarioResults& more);

//! `reform` less `baseline`, replication by replication, on the union of their measures;
//! with `mechanical` (the reform's measures under the baseline's behaviour, same streams)
//! the mechanical part too. The sensitivity ranks the reform's drawn parameters by their
//! part in the spread of the horizon's total difference. Measures and payers are the union
//! of the two scenarios'. Throws std::invalid_argument if the scenarios differ in years or
//! replications.
ComparisonResults compare_scenarios(const ScenarioResults& baseline, const ScenarioResults& reform,
                                    const ScenarioResults* mechanical = nullptr);

//! The drawn inputs of `s` (its parameters) ranked by their part in the spread of
//! `outcome_fen`, one value per replication (output/sensitivity.h: rank_sensitivity).
std::vector<SensitivityEntry> parameter_sensitivity(const ScenarioResults& s, const std::vector<std::int64_t>& outcome_fen);

//! The scenario's drawn inputs ranked by their part in the spread of the horizon's total
//! budget outlay: what the file's sensitivity datasets and the reports show.
std::vector<SensitivityEntry> outlay_sensitivity(const ScenarioResults& s);

//! [replication][year]: a comparison's outlay difference summed over measures and payers
//! (`part` 0 total, 1 mechanical, 2 behavioural), fen.
std::vector<std::int64_t> total_difference_fen(const ComparisonResults& c, int part = 0);

//! [replication]: the sum of a [replication][year] array over the years in [first, last], fen.
std::vector<std::int64_t> sum_over_years(const std::vector<std::int64_t>& by_year, const std::vector<int>& years,
                                         int first, int last);

//! Mean, standard error, p05 and p95 (comparison_statistics()) of each cell of a
//! [replication][cell] sample of comparison `c`, cell-major: what a comparison group's *_stats
//! datasets hold. The standard error is cluster-robust over c's groups of replications that
//! shared a base population (summarise, output/summary.h).
std::vector<double> comparison_stats(const std::vector<double>& values, const ComparisonResults& c);

//! [replication][year][payer]: outlay laid out [replication][year][measure][payer] (RY
//! replication-years, M measures, P payers) summed over its measures, fen: budget outlay by payer.
std::vector<std::int64_t> sum_over_measures(const std::vector<std::int64_t>& outlay, std::size_t RY, std::size_t M,
                                            std::size_t P);

//! [replication][year]: a scenario's budget outlay summed over measures and payers, fen.
std::vector<std::int64_t> total_outlay_fen(const ScenarioResults& s);

//! The relative standard error (s.e. of the mean / |mean|) of a [replication] sample of fen,
//! the s.e. cluster-robust over groups of `per_population` replications (summarise); 0 for a
//! sample that is all zero (nothing to estimate), infinity for fewer than 2 values (groups)
//! or a zero mean of a varying sample.
double relative_standard_error(const std::vector<std::int64_t>& sample, std::size_t per_population);

}  // namespace cradle
