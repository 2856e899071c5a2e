#include "output/variables.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace cradle {
namespace {

using Axes = std::vector<std::string>;
constexpr VariableRole SCALE = VariableRole::scale, LABEL = VariableRole::label, DATA = VariableRole::data;

constexpr const char* SOURCE_LONG_NAME = "policy document (file name and article) the measure implements";
constexpr const char* CASELOAD_UNIT_LONG_NAME = "unit in which the measure's caseload is counted";
constexpr const char* PROVENANCE_LONG_NAME =
    "provenance of the measure's amount: stated (by the document), derived (from stated figures) or assumed (an "
    "estimate where the document commits to the measure without an amount); the weakest of its phases'";
// Said in every long_name of separate-ledger money, so no reader takes it for budget outlay.
constexpr const char* LEDGER_NOTE =
    "; NOT general public budget outlay (insurance fund payout, revenue forgone, provident fund liquidity or "
    "leave wage cost), never included in outlay or budget_outlay";

// The year, measure, payer and ledger_measure scales with their labels: both the scenario group and
// its summary group hold them, since xarray shows a group's coordinate values only from the group itself.
void add_common_scales(std::vector<Variable>& table, VariableGroup g) {
  // One row per variable, kept as a table.
  // clang-format off
  const std::vector<Variable> common = {
      {g, SCALE, "year", {"year"}, DType::int32, "year", "calendar year"},
      {g, SCALE, "measure", {"measure"}, DType::string, "",
       "identifier of a measure paid from the general public budget"},
      {g, LABEL, "measure_kind", {"measure"}, DType::string, "", "kind of measure"},
      {g, LABEL, "measure_title", {"measure"}, DType::string, "", "title of measure"},
      {g, LABEL, "measure_source", {"measure"}, DType::string, "", SOURCE_LONG_NAME},
      {g, LABEL, "caseload_unit", {"measure"}, DType::string, "", CASELOAD_UNIT_LONG_NAME},
      {g, LABEL, "measure_provenance", {"measure"}, DType::string, "", PROVENANCE_LONG_NAME},
      {g, SCALE, "payer", {"payer"}, DType::string, "", "paying jurisdiction (its level is payer_level)"},
      {g, LABEL, "payer_level", {"payer"}, DType::string, "",
       "level of government of the paying jurisdiction (central, province, city, county)"},
      {g, LABEL, "payer_name", {"payer"}, DType::string, "", "name of the paying jurisdiction"},
      {g, SCALE, "ledger_measure", {"ledger_measure"}, DType::string, "",
       "identifier of a measure of a separate ledger (insurance fund, tax expenditure, provident fund, leave), "
       "not paid from the general public budget"},
      {g, LABEL, "ledger_kind", {"ledger_measure"}, DType::string, "",
       "separate ledger the measure books to (insurance_fund, tax_expenditure, provident_fund, leave)"},
      {g, LABEL, "ledger_title", {"ledger_measure"}, DType::string, "", "title of measure"},
      {g, LABEL, "ledger_source", {"ledger_measure"}, DType::string, "", SOURCE_LONG_NAME},
      {g, LABEL, "ledger_caseload_unit", {"ledger_measure"}, DType::string, "", CASELOAD_UNIT_LONG_NAME},
      {g, LABEL, "ledger_provenance", {"ledger_measure"}, DType::string, "", PROVENANCE_LONG_NAME},
  };
  // clang-format on
  table.insert(table.end(), common.begin(), common.end());
}

void add_base_population(std::vector<Variable>& table) {
  const VariableGroup g = VariableGroup::base_population;
  // One row per variable, kept as a table.
  // clang-format off
  const std::vector<Variable> base = {
      // Per attribute of the base composition; the long_names take the attribute's description.
      {g, SCALE, "<attribute>", {"<attribute>"}, DType::string, "", "{}"},
      {g, DATA, "households_by_<attribute>", {"<attribute>"}, DType::int64, "households", "households by {}"},
      {g, DATA, "<attribute>_profile_share", {"<attribute>"}, DType::float64, "1",
       "the profile's share of households by {} (NaN for a persons file)"},
      {g, SCALE, "age", {"age"}, DType::int32, "years", "age attained in the first year"},
      {g, SCALE, "parity", {"parity"}, DType::string, "", "live births so far"},
      {g, DATA, "women_by_age_parity", {"age", "parity"}, DType::int64, "women",
       "women by age and parity at the start of the first year"},
      {g, SCALE, "birth_year", {"birth_year"}, DType::int32, "year",
       "calendar year of birth, the burn-in years before the first year"},
      {g, DATA, "children_by_birth_year", {"birth_year"}, DType::int64, "children",
       "children of the residents in the first year by year of birth: for a generated population, the burn-in's "
       "births, aligned to the profile's observed births"},
  };
  // clang-format on
  table.insert(table.end(), base.begin(), base.end());
}

// The validation table of a scenario group (output/validation.h).
void add_validation(std::vector<Variable>& table, VariableGroup g) {
  // clang-format off
  const std::vector<Variable> validation = {
      {g, SCALE, "observation", {"observation"}, DType::string, "",
       "observed figure of the profile's record that the run can meet, as \"<quantity> <year>\""},
      {g, LABEL, "observation_quantity", {"observation"}, DType::string, "",
       "births or deaths in the year, or population (residents at the end of the year)"},
      {g, LABEL, "observation_year", {"observation"}, DType::int32, "year", "calendar year of the observation"},
      {g, LABEL, "observation_tag", {"observation"}, DType::string, "",
       "provenance: S stated by a source, D derived from sourced figures, E estimate"},
      {g, LABEL, "observation_source", {"observation"}, DType::string, "", "source of the observed figure"},
      {g, LABEL, "validation_band", {"observation"}, DType::string, "",
       "how the band was formed: over replications (past births: each replication's burn-in), or, when every "
       "replication shares one base population, for past births a 90 % Poisson band around the observation"},
      {g, DATA, "observed", {"observation"}, DType::float64, "persons", "the observed (or derived) figure"},
      {g, DATA, "simulated_mean", {"observation"}, DType::float64, "persons",
       "simulated counterpart: mean over replications (with one shared base population, past births: the "
       "burn-in's single value)"},
      {g, DATA, "simulated_p05", {"observation"}, DType::float64, "persons",
       "low end of the 90 % band: 5th percentile over replications (with one shared base population, past "
       "births: observed - 1.645 sqrt(weight observed))"},
      {g, DATA, "simulated_p95", {"observation"}, DType::float64, "persons",
       "high end of the 90 % band: 95th percentile over replications (with one shared base population, past "
       "births: observed + 1.645 sqrt(weight observed))"},
      {g, DATA, "inside_band", {"observation"}, DType::int32, "1",
       "1 if the observation lies inside the band (with one shared base population, past births: the burn-in's "
       "value inside the Poisson band), 0 if not: a warning"},
  };
  // clang-format on
  table.insert(table.end(), validation.begin(), validation.end());
}

// The uncertain parameters of a scenario group, drawn once per replication.
void add_parameters(std::vector<Variable>& table, VariableGroup g) {
  // clang-format off
  const std::vector<Variable> parameters = {
      {g, SCALE, "parameter", {"parameter"}, DType::string, "", "uncertain parameter"},
      {g, LABEL, "parameter_distribution", {"parameter"}, DType::string, "",
       "distribution the parameter is drawn from, once per replication"},
      {g, LABEL, "parameter_source", {"parameter"}, DType::string, "", "source of the parameter's distribution"},
      {g, LABEL, "parameter_centre", {"parameter"}, DType::float64, "1",
       "centre of the parameter's distribution (mean; median for a lognormal)"},
      {g, DATA, "parameters", {"replication", "parameter"}, DType::float64, "1",
       "value of each uncertain parameter in each replication (birth_response: % more births for a birth worth "
       "10,000 yuan at the place's mean household income; levels: multipliers)"},
  };
  // clang-format on
  table.insert(table.end(), parameters.begin(), parameters.end());
}

// The uncertain inputs ranked by their part in the spread of an outcome (output/sensitivity.h).
void add_sensitivity(std::vector<Variable>& table, VariableGroup g, const std::string& outcome) {
  const Axes S = {"sensitivity_parameter"};
  table.push_back({g, SCALE, "sensitivity_parameter", S, DType::string, "",
                   "uncertain input that varies over replications, largest share first"});
  table.push_back({g, DATA, "sensitivity_coefficient", S, DType::float64, "1",
                   "standardised rank regression coefficient of " + outcome + " on every varying input at once"});
  table.push_back({g, DATA, "sensitivity_share", S, DType::float64, "1",
                   "square of sensitivity_coefficient: the share of the rank variance of " + outcome +
                       " the input explains"});
}

// A reform against its baseline: paired differences per replication, and their statistics.
void add_comparison(std::vector<Variable>& table) {
  const VariableGroup g = VariableGroup::comparison;
  const std::vector<std::string> copied = {"year", "measure", "measure_kind", "measure_title", "measure_source",
                                           "measure_provenance", "payer", "payer_level", "payer_name",
                                           "replication", "birth_order", "provenance"};
  // Copies of the scenario group's rows (the table is still being built: look them up in it).
  for (const std::string& name : copied) {
    const auto row = std::find_if(table.begin(), table.end(), [&](const Variable& v) {
      return v.group == VariableGroup::scenario && v.name == name;
    });
    if (row == table.end()) throw std::logic_error("no scenario variable '" + name + "' to copy");
    Variable v = *row;
    v.group = g;
    table.push_back(v);
  }
  const Axes RY = {"replication", "year"}, RYMP = {"replication", "year", "measure", "payer"};
  const std::string diff = " (reform - baseline, replication by replication)";
  // clang-format off
  const std::vector<Variable> rows = {
      {g, SCALE, "period", {"period"}, DType::string, "",
       "period summed over: the horizon (every year of the run) and the plan period 2026-2030 (the years of it the run covers)"},
      {g, SCALE, "statistic", {"statistic"}, DType::string, "",
       "statistic over replications: mean, se (standard error of the mean), p05 and p95 (90 % interval)"},
      {g, DATA, "outlay_difference_fen", RYMP, DType::int64, "fen", "change in public outlay by measure and payer" + diff},
      {g, DATA, "mechanical_difference_fen", RYMP, DType::int64, "fen",
       "mechanical part of outlay_difference_fen: the reform's measures paid to the baseline's families (births and "
       "childcare demand responding to the baseline's measures, on the same random streams), less the baseline"},
      {g, DATA, "births_difference", {"replication", "year", "birth_order"}, DType::int64, "births", "change in births" + diff},
      {g, DATA, "children_under3_difference", RY, DType::float64, "children", "change in children under 3" + diff},
      {g, DATA, "childcare_demand_difference", RY, DType::float64, "children", "change in childcare demand" + diff},
      {g, DATA, "childcare_enrolled_difference", RY, DType::float64, "children", "change in childcare enrolment" + diff},
      {g, DATA, "childcare_unmet_difference", RY, DType::float64, "children", "change in unmet childcare demand" + diff},
      {g, DATA, "kindergarten_enrolled_difference", RY, DType::float64, "children",
       "change in kindergarten enrolment" + diff},
      {g, DATA, "budget_share_difference", {"replication", "year", "payer"}, DType::float64, "1",
       "change in the payer's budget_share" + diff},
  };
  // clang-format on
  table.insert(table.end(), rows.begin(), rows.end());
  const struct {
    const char* name;
    Axes axes;
    const char* units;
    const char* long_name;
  } statistics[] = {
      {"total_outlay_difference_stats", {"year"}, "CNY", "change in total budget outlay"},
      {"mechanical_difference_stats", {"year"}, "CNY", "mechanical part of the change in total budget outlay"},
      {"behavioural_difference_stats", {"year"}, "CNY",
       "behavioural part of the change in total budget outlay (extra births, changed childcare demand)"},
      {"outlay_difference_by_measure_stats", {"year", "measure"}, "CNY", "change in outlay by measure"},
      {"outlay_difference_by_payer_stats", {"year", "payer"}, "CNY", "change in budget outlay by payer"},
      {"outlay_difference_by_provenance_stats", {"year", "provenance"}, "CNY",
       "change in budget outlay on the measures whose amount has the provenance"},
      {"period_outlay_difference_stats", {"period"}, "CNY", "change in total budget outlay summed over the period"},
      {"period_mechanical_difference_stats", {"period"}, "CNY", "mechanical part, summed over the period"},
      {"period_behavioural_difference_stats", {"period"}, "CNY", "behavioural part, summed over the period"},
      {"period_outlay_difference_by_measure_stats", {"period", "measure"}, "CNY", "change in outlay by measure, summed over the period"},
      {"period_outlay_difference_by_payer_stats", {"period", "payer"}, "CNY", "change in budget outlay by payer, summed over the period"},
      {"period_outlay_difference_by_provenance_stats", {"period", "provenance"}, "CNY",
       "change in budget outlay by provenance, summed over the period"},
      {"births_difference_stats", {"year"}, "births", "change in births (every order)"},
      {"children_under3_difference_stats", {"year"}, "children", "change in children under 3"},
      {"childcare_demand_difference_stats", {"year"}, "children", "change in childcare demand"},
      {"childcare_enrolled_difference_stats", {"year"}, "children", "change in childcare enrolment"},
      {"childcare_unmet_difference_stats", {"year"}, "children", "change in unmet childcare demand"},
      {"kindergarten_enrolled_difference_stats", {"year"}, "children", "change in kindergarten enrolment"},
      {"budget_share_difference_stats", {"year", "payer"}, "1", "change in the payer's budget share"},
  };
  for (const auto& s : statistics) {
    Axes axes = s.axes;
    axes.push_back("statistic");
    table.push_back({g, DATA, s.name, axes, DType::float64, s.units,
                     std::string(s.long_name) + ", reform - baseline: mean, standard error and 90 % interval over "
                                                "paired replications"});
  }
  add_sensitivity(table, g, "the change in the horizon's total budget outlay");
}

void add_scenario(std::vector<Variable>& table) {
  const VariableGroup g = VariableGroup::scenario;
  add_common_scales(table, g);
  const Axes RY = {"replication", "year"};
  const Axes RYM = {"replication", "year", "measure"}, RYMP = {"replication", "year", "measure", "payer"};
  const Axes RYP = {"replication", "year", "payer"}, RYL = {"replication", "year", "ledger_measure"};
  // One row per variable, kept as a table.
  // clang-format off
  const std::vector<Variable> scenario = {
      {g, SCALE, "replication", {"replication"}, DType::int32, "1", "replication index"},
      // {} is the last birth order, which counts that order and higher.
      {g, SCALE, "birth_order", {"birth_order"}, DType::int32, "1", "birth order ({} stands for {} and higher)"},
      {g, SCALE, "sex", {"sex"}, DType::string, "", "sex of residents"},
      {g, SCALE, "age", {"age"}, DType::int32, "years", "age attained in the year (the year less the birth year)"},
      {g, SCALE, "provenance", {"provenance"}, DType::string, "",
       "provenance of an amount: stated, derived, assumed"},
      {g, SCALE, "burn_in_year", {"burn_in_year"}, DType::int32, "year",
       "calendar year of the burn-in, the years before the first simulated"},
      {g, DATA, "burn_in_births", {"replication", "burn_in_year"}, DType::int64, "births",
       "children of each replication's base population born in the year (the burn-in's births, aligned to the record)"},
      {g, DATA, "outlay", RYMP, DType::float64, "CNY", "public outlay by measure and paying level of government"},
      {g, DATA, "outlay_fen", RYMP, DType::int64, "fen",
       "public outlay by measure and paying level of government, exact (1 CNY = 100 fen)"},
      {g, DATA, "caseload", RYM, DType::int64, "1", "caseload of each measure, counted in the measure's own unit"},
      {g, DATA, "births", {"replication", "year", "birth_order"}, DType::int64, "births", "live births by birth order"},
      {g, DATA, "children_under3", RY, DType::float64, "children",
       "children under 3, average of the 12 monthly counts"},
      {g, DATA, "childcare_enrolled", RY, DType::float64, "children",
       "children enrolled in childcare, average of the 12 monthly counts"},
      {g, DATA, "deaths", RY, DType::int64, "persons", "deaths of residents of every age in the year"},
      {g, DATA, "population", RY, DType::int64, "persons",
       "residents alive at the start of the year, every age and sex (1 January)"},
      {g, DATA, "residents", {"replication", "year", "sex", "age"}, DType::int64, "persons",
       "residents alive at the start of the year by sex and age attained in the year; sums over sex and age to "
       "population"},
      {g, DATA, "net_migration", RY, DType::int64, "persons",
       "residents of the households arriving less those of the households leaving, at the start of the year; "
       "population[t+1] = population[t] + births[t] - deaths[t] + net_migration[t+1]"},
      {g, DATA, "childcare_demand", RY, DType::float64, "children",
       "children whose families want a childcare place (enrolled and unmet), average of the 12 monthly counts"},
      {g, DATA, "childcare_unmet", RY, DType::float64, "children",
       "children wanting a childcare place without one (demand - enrolled, places being full), average of the 12 "
       "monthly counts"},
      {g, DATA, "kindergarten_enrolled", RY, DType::float64, "children",
       "children enrolled in kindergarten (average of monthly counts)"},
      {g, DATA, "budget", {"year", "payer"}, DType::float64, "CNY",
       "general public budget expenditure of the paying jurisdiction"},
      {g, DATA, "outlay_by_provenance", {"replication", "year", "provenance", "payer"}, DType::float64, "CNY",
       "public outlay on the budget measures whose amount has the provenance, by paying level; sums over provenance "
       "to budget_outlay"},
      {g, DATA, "outlay_by_provenance_fen", {"replication", "year", "provenance", "payer"}, DType::int64, "fen",
       "outlay_by_provenance, exact (1 CNY = 100 fen); sums over provenance to budget_outlay exactly"},
      {g, DATA, "budget_outlay", RYP, DType::float64, "CNY",
       "public outlay on all budget measures by payer (outlay summed over measure)"},
      {g, DATA, "budget_share", RYP, DType::float64, "1",
       "budget_outlay as a share of the payer's general public budget expenditure (NaN where that budget is 0)"},
      {g, DATA, "childcare_slots", {"year"}, DType::int64, "places", "childcare places (capacity) in the year"},
      {g, DATA, "persons", {"year"}, DType::int64, "persons",
       "residents the capacity path plans for at the start of the year: the profile's residents projected with its "
       "life table, expected births and migration (whole place)"},
      {g, DATA, "slots_per_1000", {"year"}, DType::float64, "places per 1000 residents",
       "childcare places per 1000 planned residents of the year (persons; NaN where persons is 0)"},
      {g, DATA, "ledger_amount", RYL, DType::float64, "CNY",
       std::string("amount of each separate-ledger measure") + LEDGER_NOTE},
      {g, DATA, "ledger_amount_fen", RYL, DType::int64, "fen",
       std::string("amount of each separate-ledger measure, exact (1 CNY = 100 fen)") + LEDGER_NOTE},
      {g, DATA, "ledger_caseload", RYL, DType::int64, "1",
       "caseload of each separate-ledger measure, counted in the measure's own unit"},
  };
  // clang-format on
  table.insert(table.end(), scenario.begin(), scenario.end());
  add_validation(table, g);
  add_parameters(table, g);
  add_sensitivity(table, g, "the horizon's total budget outlay");
}

// The summary group: its own scales, then each statistic of each summarised variable.
void add_summary(std::vector<Variable>& table) {
  const VariableGroup g = VariableGroup::summary;
  add_common_scales(table, g);
  const struct {
    const char* name;
    Axes axes;
    const char* units;
    std::string long_name;
  } summarised[] = {
      {"outlay", {"year", "measure", "payer"}, "CNY", "public outlay"},
      {"budget_outlay", {"year", "payer"}, "CNY", "public outlay on all budget measures by payer"},
      {"budget_share",
       {"year", "payer"},
       "1",
       "budget_outlay as a share of the payer's general public budget expenditure (NaN where that budget is 0)"},
      {"ledger_amount",
       {"year", "ledger_measure"},
       "CNY",
       std::string("amount of each separate-ledger measure") + LEDGER_NOTE},
  };
  for (const auto& variable : summarised) {
    for (const SummaryStatistic& statistic : summary_statistics()) {
      table.push_back({g, DATA, variable.name + statistic.suffix, variable.axes, DType::float64, variable.units,
                       variable.long_name + ", " + statistic.long_name});
    }
  }
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string result;
  std::size_t start = 0;
  for (std::size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    result.append(text.substr(start, at - start)).append(to);
    start = at + from.size();
  }
  result.append(text.substr(start));
  return result;
}

}  // namespace

const std::vector<SummaryStatistic>& summary_statistics() {
  static const std::vector<SummaryStatistic> statistics = {
      {"_mean", std::nullopt, "mean over replications"},
      {"_p05", 0.05, "5th percentile over replications (linear interpolation)"},
      {"_p50", 0.50, "median over replications (linear interpolation)"},
      {"_p95", 0.95, "95th percentile over replications (linear interpolation)"},
  };
  return statistics;
}

const std::vector<std::string>& comparison_statistics() {
  static const std::vector<std::string> statistics = {"mean", "se", "p05", "p95"};
  return statistics;
}

std::vector<double> summary_levels() {
  std::vector<double> levels;
  for (const SummaryStatistic& statistic : summary_statistics()) {
    if (statistic.level) levels.push_back(*statistic.level);
  }
  return levels;
}

const std::vector<Variable>& results_variables() {
  static const std::vector<Variable> table = [] {
    std::vector<Variable> variables;
    add_base_population(variables);
    add_scenario(variables);
    add_summary(variables);
    add_comparison(variables);
    return variables;
  }();
  return table;
}

const Variable& find_variable(VariableGroup group, std::string_view name) {
  for (const Variable& variable : results_variables()) {
    if (variable.group == group && variable.name == name) return variable;
  }
  throw std::logic_error("no results variable '" + std::string(name) + "' in the table");
}

std::optional<std::string> match_name(std::string_view pattern, std::string_view name) {
  const std::size_t at = pattern.find(NAME_PLACEHOLDER);
  if (at == std::string_view::npos) return pattern == name ? std::optional<std::string>("") : std::nullopt;
  const std::string_view prefix = pattern.substr(0, at), suffix = pattern.substr(at + NAME_PLACEHOLDER.size());
  if (name.size() <= prefix.size() + suffix.size()) return std::nullopt;
  if (name.substr(0, prefix.size()) != prefix || name.substr(name.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  return std::string(name.substr(prefix.size(), name.size() - prefix.size() - suffix.size()));
}

std::string fill_name(std::string_view text, std::string_view attribute) {
  return replace_all(text, NAME_PLACEHOLDER, attribute);
}

std::string fill_text(std::string_view text, std::string_view value) {
  return replace_all(text, TEXT_PLACEHOLDER, value);
}

std::string coordinates_of(const Variable& variable) {
  if (variable.role != VariableRole::data) return "";
  std::string names;
  for (const std::string& axis : variable.axes) {
    for (const Variable& label : results_variables()) {
      if (label.group != variable.group || label.role != VariableRole::label || label.axes.front() != axis) continue;
      if (!names.empty()) names += ' ';
      names += label.name;
    }
  }
  return names;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::float64: return "float64";
    case DType::string: return "string";
  }
  return "unknown";
}

std::string_view group_long_name(VariableGroup group) {
  if (group == VariableGroup::base_population) {
    return "the simulated population in the first year (residents, weighted), beside the profile's shares";
  }
  if (group == VariableGroup::comparison) {
    return "a reform against its baseline: differences reform - baseline, paired replication by replication (both "
           "drew the same random numbers for the same decisions)";
  }
  return "";
}

}  // namespace cradle
