// The numbers a run produces, as the output layer consumes them. Filled by the
// engine (sim/), written by output/. Money stays in integer fen here; yuan
// appear only when a writer or report converts at the edge.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

//! The ledger of the general public budget, as MeasureLabel::ledger names it.
inline constexpr std::string_view BUDGET_LEDGER = "budget";

//! Labels and metadata of one measure, as written beside its numbers.
struct MeasureLabel {
  std::string id;
  std::string kind;
  std::string title;
  std::string source;         // document file name and article
  std::string caseload_unit;  // e.g. "child-months"
  std::string ledger;         // BUDGET_LEDGER, or the separate ledger it books to, e.g. "insurance_fund"
  std::string provenance;     // of its amount: PROVENANCES (the weakest of its phases')
};

//! The residents_by_age axes: sex (male, female) and age attained in the year, 0 … 110
//! (the last open: the engine's oldest age).
inline constexpr std::size_t RESIDENT_SEXES = 2, RESIDENT_AGES = 111;

//! The provenances of an amount, as the provenance axis holds them: stated by the
//! document, derived from stated figures, assumed where the document gives none.
inline const std::vector<std::string> PROVENANCES = {"stated", "derived", "assumed"};

//! A paying level of government: one jurisdiction of the simulated place's chain.
struct PayerLabel {
  std::string id;     // jurisdiction id, e.g. "jiangxi"
  std::string level;  // "central", "province", "city" or "county"
  std::string name;   // e.g. "江西省 Jiangxi province"
};

//! An uncertain parameter drawn per replication.
struct ParameterLabel {
  std::string name;
  std::string distribution;  // e.g. "triangular"
  double centre = 0;         // the distribution's centre
  std::string source;
};

//! One figure of the simulated place's record (its profile's [observed] section), as the
//! results file's validation table names it.
struct Observation {
  std::string quantity;  // "births", "population" (residents at the end of the year) or "deaths"
  int year = 0;
  double value = 0;
  std::string tag;  // "S" stated, "D" derived, "E" estimate
  std::string source;
};

//! Results of one scenario: raw per-replication arrays, replication-major.
//! Budget measures (general public budget) have outlays split by payer; measures of the
//! separate ledgers (insurance fund, tax expenditure, provident fund, leave) are
//! reported apart in the ledger_* arrays and never added into budget outlays.
struct ScenarioResults {
  std::string id;
  std::string title;
  std::string resolved_text;  // the scenario as resolved (all files it composes)
  std::string variant;        // what a lever sweep changed from the scenario file ("" for the file as it is)
  std::vector<int> years;
  int replications = 0;
  //! Each consecutive group of this many replications ran on one base population (1: each its
  //! own): the clusters of the standard errors (root attribute replications_per_population).
  int replications_per_population = 1;
  std::vector<MeasureLabel> measures;         // budget measures only
  std::vector<std::string> payers;            // payer ids (jurisdiction ids), top level first
  std::vector<PayerLabel> payer_labels;       // same order and size as payers
  std::vector<MeasureLabel> ledger_measures;  // measures of the separate ledgers (their ledger is not BUDGET_LEDGER)
  int birth_orders = 3;                       // birth_order axis is 1..birth_orders, the last open ("3+")

  // [replication][year][measure][payer], fen
  std::vector<std::int64_t> outlay_fen;
  // [replication][year][measure], in each measure's caseload unit
  std::vector<std::int64_t> caseload;
  // [replication][year][birth_order]
  std::vector<std::int64_t> births;
  // [replication][year]: sum over the 12 months of the count of children under 3
  std::vector<std::int64_t> child_months_under3;
  // [replication][year]: sum over the 12 months of the count of children enrolled in childcare
  std::vector<std::int64_t> childcare_enrolled_months;
  // [replication][year]: the same for children whose families want a place (enrolled + unmet)
  std::vector<std::int64_t> childcare_demand_months;
  // [replication][year]: sum over the 12 months of the count of children enrolled in kindergarten
  std::vector<std::int64_t> kindergarten_enrolled_months;

  // [replication][year]: deaths of residents in the year (the whole population)
  std::vector<std::int64_t> deaths;
  // [replication][year]: residents alive at the start of the year, every age and sex
  std::vector<std::int64_t> population;
  // [replication][year][sex][age]: the same by sex (0 male, 1 female) and age attained in
  // the year, 0 … RESIDENT_AGES - 1 (the last open)
  std::vector<std::int64_t> residents_by_age;
  // The children of each replication's base population by calendar year of birth, from
  // burn_in_first_year on (the burn-in's births surviving to the first year, residents,
  // weighted): [replication][burn-in year]. Read by the validation table; not a dataset.
  int burn_in_first_year = 0;
  std::size_t burn_in_years = 0;
  std::vector<std::int64_t> burn_in_births;
  // [replication][year]: residents of the households arriving less those leaving at the
  // start of the year (0 in the first year and without migration), so that
  // population[t+1] = population[t] + births[t] - deaths[t] + net_migration[t+1]
  std::vector<std::int64_t> net_migration;

  // [year][payer]: the payer's general public budget expenditure in that year, fen
  std::vector<std::int64_t> budget_fen;
  // [year]: childcare places (capacity) in that year, from the capacity path
  std::vector<std::int64_t> childcare_slots;
  // [year]: the residents the capacity path plans for at the start of the year (the
  // profile's expected residents, whole place; the denominator of slots per 1000)
  std::vector<std::int64_t> persons;

  // The place's record, checked against the simulation in the validation table (output/validation.h).
  std::vector<Observation> observations;

  std::vector<ParameterLabel> parameter_labels;
  // [replication][parameter]: the values drawn
  std::vector<double> parameters;

  // [replication][year][ledger_measure], fen
  std::vector<std::int64_t> ledger_fen;
  // [replication][year][ledger_measure], in each ledger measure's caseload unit
  std::vector<std::int64_t> ledger_caseload;

  std::size_t n_years() const { return years.size(); }
  std::size_t n_measures() const { return measures.size(); }
  std::size_t n_payers() const { return payers.size(); }

  std::size_t outlay_index(std::size_t r, std::size_t y, std::size_t m, std::size_t p) const {
    return ((r * n_years() + y) * n_measures() + m) * n_payers() + p;
  }
  std::size_t caseload_index(std::size_t r, std::size_t y, std::size_t m) const {
    return (r * n_years() + y) * n_measures() + m;
  }
  std::size_t births_index(std::size_t r, std::size_t y, std::size_t order0) const {
    return (r * n_years() + y) * static_cast<std::size_t>(birth_orders) + order0;
  }
  std::size_t year_index(std::size_t r, std::size_t y) const { return r * n_years() + y; }
  std::size_t resident_index(std::size_t r, std::size_t y, std::size_t sex, std::size_t age) const {
    return ((r * n_years() + y) * RESIDENT_SEXES + sex) * RESIDENT_AGES + age;
  }
  std::size_t n_ledger_measures() const { return ledger_measures.size(); }
  std::size_t ledger_index(std::size_t r, std::size_t y, std::size_t m) const {
    return (r * n_years() + y) * n_ledger_measures() + m;
  }
  std::size_t budget_index(std::size_t y, std::size_t p) const { return y * n_payers() + p; }
};

//! Calls f(name, member) for every replication-major array of ScenarioResults (every
//! array whose leading axis is the replication), `member` a pointer to it: what a batch of
//! replications adds (append_replications) and what a checkpoint keeps (output/checkpoint.h).
template <class F>
void for_each_replication_array(F&& f) {
  f("outlay_fen", &ScenarioResults::outlay_fen);
  f("caseload", &ScenarioResults::caseload);
  f("births", &ScenarioResults::births);
  f("child_months_under3", &ScenarioResults::child_months_under3);
  f("childcare_enrolled_months", &ScenarioResults::childcare_enrolled_months);
  f("childcare_demand_months", &ScenarioResults::childcare_demand_months);
  f("kindergarten_enrolled_months", &ScenarioResults::kindergarten_enrolled_months);
  f("deaths", &ScenarioResults::deaths);
  f("population", &ScenarioResults::population);
  f("residents_by_age", &ScenarioResults::residents_by_age);
  f("burn_in_births", &ScenarioResults::burn_in_births);
  f("net_migration", &ScenarioResults::net_migration);
  f("parameters", &ScenarioResults::parameters);
  f("ledger_fen", &ScenarioResults::ledger_fen);
  f("ledger_caseload", &ScenarioResults::ledger_caseload);
}

//! One uncertain input's part in the spread of an outcome over replications
//! (output/sensitivity.h).
struct SensitivityEntry {
  std::string parameter;
  double coefficient = 0;  //!< standardised rank regression coefficient
  double share = 0;        //!< coefficient²: the share of the outcome's rank variance it explains
};

//! A reform against its baseline, replication by replication (output/comparison.h): every
//! array is reform minus baseline on the union of their measures (a measure one of them
//! lacks counts zero there), so each difference is exact and paired.
struct ComparisonResults {
  std::string baseline, reform;  // scenario ids
  std::vector<int> years;
  int replications = 0;
  int replications_per_population = 1;  //!< as both scenarios' (ScenarioResults)
  std::vector<MeasureLabel> measures;  // union: the baseline's, then the reform's others
  std::vector<std::string> payers;
  std::vector<PayerLabel> payer_labels;
  int birth_orders = 3;
  // [replication][year][measure][payer], fen
  std::vector<std::int64_t> outlay_fen;
  // The mechanical part: the reform's measures paid to the baseline's families (its
  // behaviour responding to the baseline's measures, on the same streams), less the
  // baseline, [replication][year][measure][payer], fen; empty when not computed. The
  // behavioural part is outlay_fen - mechanical_fen, so the two add up exactly.
  std::vector<std::int64_t> mechanical_fen;
  // [replication][year][birth_order]
  std::vector<std::int64_t> births;
  // [replication][year]: month sums, as in ScenarioResults
  std::vector<std::int64_t> child_months_under3, childcare_demand_months, childcare_enrolled_months,
      childcare_unmet_months, kindergarten_enrolled_months;
  // [replication][year][payer]: change in budget_outlay / budget (the same budget in both)
  std::vector<double> budget_share;
  // [year][payer]: the payers' budgets, fen
  std::vector<std::int64_t> budget_fen;
  // Uncertain inputs ranked by their part in the spread of the horizon's total difference.
  std::vector<SensitivityEntry> sensitivity;
  double sensitivity_noise = 1;  // shares below this are within sampling noise (output/sensitivity.h)

  std::size_t n_years() const { return years.size(); }
  std::size_t n_measures() const { return measures.size(); }
  std::size_t n_payers() const { return payers.size(); }
  std::size_t outlay_index(std::size_t r, std::size_t y, std::size_t m, std::size_t p) const {
    return ((r * n_years() + y) * n_measures() + m) * n_payers() + p;
  }
  bool has_split() const { return !mechanical_fen.empty(); }
};

//! Wall-clock seconds spent in each phase of a run.
struct RunTimes {
  double population_seconds = 0;
  double simulation_seconds = 0;
  double writing_seconds = 0;  // filled by the writer itself
};

//! What the base population is made of, for checking it against the profile: households
//! by each attribute (weighted, residents of the first year) and women by age and parity.
struct BaseComposition {
  struct Margin {
    std::string name;       // e.g. "income_band"
    std::string long_name;  // what the categories are
    std::vector<std::string> categories;
    std::vector<std::int64_t> households;  // per category
    std::vector<double> profile_share;     // the profile's share per category (NaN: none, e.g. microdata)
  };
  std::vector<Margin> households;
  std::vector<std::int64_t> women_by_age_parity;  // [age MIN_AGE … MAX_AGE][parity 0, 1, 2, 3+]
  // Children of the residents by calendar year of birth, first_birth_year onwards (the
  // BURN_IN_YEARS before the first year): for a generated population, the burn-in's births.
  int first_birth_year = 0;
  std::vector<std::int64_t> children_by_birth_year;
  static constexpr int MIN_AGE = 15, MAX_AGE = 49, PARITIES = 4;
};

//! Everything a results file holds.
struct RunResults {
  std::string cradle_version;
  std::string git_revision;
  std::string created_utc;  // ISO 8601, e.g. 2026-11-22T10:00:00Z
  std::string title;        //!< what the file holds: the scenario's or the set's title (root attribute title, CF)
  std::string command;      //!< the command line that wrote the file (root attribute history, CF); "" unknown
  std::uint64_t seed = 0;
  int replications = 0;
  int threads = 0;  //!< worker threads (of each process, with several)
  int ranks = 1;    //!< processes the replications were shared among (MPI ranks)
  std::int64_t households = 0;            // base population (households represented, for a sample: simulated × weight)
  std::int64_t households_simulated = 0;  // households actually simulated
  std::int64_t sample_weight = 1;         // each simulated household stands for this many
  //! How the replications' base populations were drawn (root attribute population_design).
  std::string population_design = "shared";
  std::int64_t persons = 0;
  BaseComposition base;
  RunTimes times;
  std::vector<ScenarioResults> scenarios;
  std::vector<ComparisonResults> comparisons;
};

}  // namespace cradle
