// What a planner reads first: one screen per scenario (total outlay by year with its 90 %
// band, totals over the horizon and the plan period, outlay and budget share by paying
// level, births, childcare wanted against places, the validation in a line), one table per
// comparison, in the unit and language asked for. `cradle run` prints it after a run and
// `cradle report` from a results file, from the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "output/results.h"
#include "output/text.h"

namespace cradle {

//! A paying level's name in a language (the Chinese or English part of its bilingual name; its id if unnamed).
std::string payer_title(const PayerLabel& p, Language lang);
//! A measure's title in a language (its id if untitled).
std::string measure_title(const MeasureLabel& m, Language lang);
//! [replication][year][payer]: a scenario's budget outlay by payer, fen.
std::vector<std::int64_t> payer_outlay_fen(const ScenarioResults& s);
//! The mean over replications of a per-replication sum of fen, exact to the fen, in the unit (exact_money).
std::string exact_mean(const std::vector<std::int64_t>& per_replication, MoneyUnit unit);

//! "[p05, p95]" over replications of a per-replication sum of fen, in the unit at table precision.
std::string money_band(const std::vector<std::int64_t>& per_replication, MoneyUnit unit);

//! Prints one screen per scenario of `results`; with `more` (cradle report) also each
//! scenario's outlay by measure over the horizon, its separate ledgers' measures over the
//! horizon (not budget outlay) and its sensitivity ranking. Totals over a
//! period are the mean over replications exact to the fen (exact_money).
void print_overview(std::ostream& out, const RunResults& results, const ReportStyle& style, bool more = false);

//! Below this many replications a printout of bands says how little they hold.
inline constexpr std::size_t FEW_REPLICATIONS = 20;

//! For a run of fewer than FEW_REPLICATIONS replications (and more than none), a line saying
//! that its 5 %-95 % bands hold only about expected_band_coverage of further replications,
//! not 90 %, so that a planner does not read a band of two replications, or a validation
//! against it, as a 90 % one; nothing otherwise. The overview and the detailed summary print it.
void print_few_replications_note(std::ostream& out, std::size_t replications, Language l);

//! Prints a comparison (reform - baseline, paired): per year the change in total outlay
//! (mean ± s.e. [5 %, 95 %]), its mechanical and behavioural parts when computed, births
//! and childcare wanted; the horizon and 2026–2030 (means exact to the fen); the ten
//! uncertain inputs that move the horizon's change most.
void print_comparison(std::ostream& out, const ComparisonResults& c, const ReportStyle& style);

}  // namespace cradle
