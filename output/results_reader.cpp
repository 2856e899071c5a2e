#include "output/results_reader.h"

#include <cmath>

#include "output/h5.h"
#include "output/results_writer.h"
#include "output/sensitivity.h"

namespace cradle {

namespace {

//! Month sums back from the averages the file holds (each a sum / 12).
std::vector<std::int64_t> month_sums(const h5::Handle& g, const std::string& name) {
  std::vector<std::int64_t> out;
  for (double v : h5::read_float64(g, name)) out.push_back(std::llround(v * 12.0));
  return out;
}

std::vector<MeasureLabel> read_measures(const h5::Handle& g) {
  const auto id = h5::read_strings(g, "measure"), kind = h5::read_strings(g, "measure_kind"),
             title = h5::read_strings(g, "measure_title"), source = h5::read_strings(g, "measure_source"),
             provenance = h5::read_strings(g, "measure_provenance");
  std::vector<MeasureLabel> out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    out.push_back({id[i], kind.at(i), title.at(i), source.at(i), "", std::string(BUDGET_LEDGER), provenance.at(i)});
  }
  return out;
}

std::vector<PayerLabel> read_payers(const h5::Handle& g) {
  const auto id = h5::read_strings(g, "payer"), level = h5::read_strings(g, "payer_level"),
             name = h5::read_strings(g, "payer_name");
  std::vector<PayerLabel> out;
  for (std::size_t i = 0; i < id.size(); ++i) out.push_back({id[i], level.at(i), name.at(i)});
  return out;
}

std::vector<MeasureLabel> read_ledger_measures(const h5::Handle& g) {
  const auto id = h5::read_strings(g, "ledger_measure"), kind = h5::read_strings(g, "ledger_kind"),
             title = h5::read_strings(g, "ledger_title"), source = h5::read_strings(g, "ledger_source"),
             unit = h5::read_strings(g, "ledger_caseload_unit"), provenance = h5::read_strings(g, "ledger_provenance");
  std::vector<MeasureLabel> out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    out.push_back({id[i], "", title.at(i), source.at(i), unit.at(i), kind.at(i), provenance.at(i)});
  }
  return out;
}

std::vector<int> read_years(const h5::Handle& g) {
  std::vector<int> years;
  for (std::int64_t y : h5::read_int64(g, "year")) years.push_back(static_cast<int>(y));
  return years;
}

std::vector<Observation> read_observations(const h5::Handle& g) {
  std::vector<Observation> out;
  if (!h5::exists(g, "observation")) return out;
  const auto quantity = h5::read_strings(g, "observation_quantity"), tag = h5::read_strings(g, "observation_tag"),
             source = h5::read_strings(g, "observation_source");
  const auto year = h5::read_int64(g, "observation_year");
  const auto value = h5::read_float64(g, "observed");
  for (std::size_t i = 0; i < quantity.size(); ++i) {
    out.push_back({quantity[i], static_cast<int>(year.at(i)), value.at(i), tag.at(i), source.at(i)});
  }
  return out;
}

//! The caseload units of the budget measures, which the measure axis labels.
void label_measures(const h5::Handle& g, std::vector<MeasureLabel>& measures) {
  const auto units = h5::read_strings(g, "caseload_unit");
  for (std::size_t m = 0; m < measures.size(); ++m) measures[m].caseload_unit = units.at(m);
}

void read_scenario_arrays(const h5::Handle& g, ScenarioResults& s) {
  s.outlay_fen = h5::read_int64(g, "outlay_fen");
  s.caseload = h5::read_int64(g, "caseload");
  s.births = h5::read_int64(g, "births");
  s.child_months_under3 = month_sums(g, "children_under3");
  s.childcare_enrolled_months = month_sums(g, "childcare_enrolled");
  s.childcare_demand_months = month_sums(g, "childcare_demand");
  s.kindergarten_enrolled_months = month_sums(g, "kindergarten_enrolled");
  s.deaths = h5::read_int64(g, "deaths");
  s.population = h5::read_int64(g, "population");
  s.residents_by_age = h5::read_int64(g, "residents");
  s.net_migration = h5::read_int64(g, "net_migration");
  s.burn_in_births = h5::read_int64(g, "burn_in_births");
  const auto burn_in_years = h5::read_int64(g, "burn_in_year");
  s.burn_in_years = burn_in_years.size();
  s.burn_in_first_year = burn_in_years.empty() ? 0 : static_cast<int>(burn_in_years.front());
  for (double v : h5::read_float64(g, "budget")) s.budget_fen.push_back(std::llround(v * 100.0));
  s.childcare_slots = h5::read_int64(g, "childcare_slots");
  s.persons = h5::read_int64(g, "persons");
  s.ledger_fen = h5::read_int64(g, "ledger_amount_fen");
  s.ledger_caseload = h5::read_int64(g, "ledger_caseload");
  const auto names = h5::read_strings(g, "parameter"), distributions = h5::read_strings(g, "parameter_distribution"),
             sources = h5::read_strings(g, "parameter_source");
  const auto centres = h5::read_float64(g, "parameter_centre");
  for (std::size_t i = 0; i < names.size(); ++i) {
    s.parameter_labels.push_back({names[i], distributions.at(i), centres.at(i), sources.at(i)});
  }
  s.parameters = h5::read_float64(g, "parameters");
}

void check_sizes(const ScenarioResults& s) {
  const std::size_t RY = static_cast<std::size_t>(s.replications) * s.n_years();
  const bool ok = s.outlay_fen.size() == RY * s.n_measures() * s.n_payers() && s.caseload.size() == RY * s.n_measures() &&
                  s.births.size() == RY * static_cast<std::size_t>(s.birth_orders) && s.population.size() == RY &&
                  s.deaths.size() == RY && s.child_months_under3.size() == RY &&
                  s.budget_fen.size() == s.n_years() * s.n_payers() && s.ledger_fen.size() == RY * s.n_ledger_measures() &&
                  s.parameters.size() == static_cast<std::size_t>(s.replications) * s.parameter_labels.size();
  if (!ok) throw ResultsFileError("scenario '" + s.id + "': its datasets do not match its axes");
}

ScenarioResults read_scenario(const h5::Handle& scenarios, const std::string& id) {
  const h5::Handle g = h5::open_group(scenarios, id);
  ScenarioResults s;
  s.id = id;
  s.title = h5::read_string_attribute(g, "title");
  s.resolved_text = h5::read_string_attribute(g, "scenario_text");
  if (h5::attribute_exists(g, "variant")) s.variant = h5::read_string_attribute(g, "variant");
  s.years = read_years(g);
  s.replications = static_cast<int>(h5::read_int64(g, "replication").size());
  s.birth_orders = static_cast<int>(h5::read_int64(g, "birth_order").size());
  s.measures = read_measures(g);
  label_measures(g, s.measures);
  s.payer_labels = read_payers(g);
  for (const PayerLabel& p : s.payer_labels) s.payers.push_back(p.id);
  s.ledger_measures = read_ledger_measures(g);
  read_scenario_arrays(g, s);
  s.observations = read_observations(g);
  check_sizes(s);
  return s;
}

ComparisonResults read_comparison(const h5::Handle& comparisons, const std::string& name) {
  const h5::Handle g = h5::open_group(comparisons, name);
  ComparisonResults c;
  c.baseline = h5::read_string_attribute(g, "baseline");
  c.reform = h5::read_string_attribute(g, "reform");
  c.years = read_years(g);
  c.replications = static_cast<int>(h5::read_int64(g, "replication").size());
  c.birth_orders = static_cast<int>(h5::read_int64(g, "birth_order").size());
  c.measures = read_measures(g);
  c.payer_labels = read_payers(g);
  for (const PayerLabel& p : c.payer_labels) c.payers.push_back(p.id);
  c.outlay_fen = h5::read_int64(g, "outlay_difference_fen");
  if (h5::exists(g, "mechanical_difference_fen")) c.mechanical_fen = h5::read_int64(g, "mechanical_difference_fen");
  c.births = h5::read_int64(g, "births_difference");
  c.child_months_under3 = month_sums(g, "children_under3_difference");
  c.childcare_demand_months = month_sums(g, "childcare_demand_difference");
  c.childcare_enrolled_months = month_sums(g, "childcare_enrolled_difference");
  c.childcare_unmet_months = month_sums(g, "childcare_unmet_difference");
  c.kindergarten_enrolled_months = month_sums(g, "kindergarten_enrolled_difference");
  c.budget_share = h5::read_float64(g, "budget_share_difference");
  const auto names = h5::read_strings(g, "sensitivity_parameter");
  const auto coefficients = h5::read_float64(g, "sensitivity_coefficient"), shares = h5::read_float64(g, "sensitivity_share");
  for (std::size_t i = 0; i < names.size(); ++i) c.sensitivity.push_back({names[i], coefficients.at(i), shares.at(i)});
  c.sensitivity_noise = sensitivity_noise_share(static_cast<std::size_t>(c.replications), c.sensitivity.size());
  if (c.outlay_fen.size() != static_cast<std::size_t>(c.replications) * c.n_years() * c.n_measures() * c.n_payers()) {
    throw ResultsFileError("comparison '" + name + "': its datasets do not match its axes");
  }
  return c;
}

//! The root's run description; refuses what is not a Cradle results file of major version 1.
void read_root(const h5::Handle& file, const std::filesystem::path& path, RunResults& r) {
  const h5::Handle root = h5::open_group(file, "/");
  if (!h5::attribute_exists(root, "filetype") || h5::read_string_attribute(root, "filetype") != "cradle.results") {
    throw ResultsFileError(path.string() + " is an HDF5 file but not a Cradle results file (no filetype \"cradle.results\")");
  }
  const auto version = h5::read_integer_attribute(root, "format_version");
  if (version.size() != 2 || version[0] != RESULTS_FORMAT_MAJOR) {
    throw ResultsFileError(path.string() + " has results format " +
                           (version.empty() ? std::string("?") : std::to_string(version[0])) +
                           ".x, which this program (format " + std::to_string(RESULTS_FORMAT_MAJOR) + "." +
                           std::to_string(RESULTS_FORMAT_MINOR) + ") cannot read");
  }
  r.cradle_version = h5::read_string_attribute(root, "cradle_version");
  r.git_revision = h5::read_string_attribute(root, "git_revision");
  r.created_utc = h5::read_string_attribute(root, "created_utc");
  r.seed = static_cast<std::uint64_t>(h5::read_integer_attribute(root, "seed").at(0));
  r.replications = static_cast<int>(h5::read_integer_attribute(root, "replications").at(0));
  r.threads = static_cast<int>(h5::read_integer_attribute(root, "threads").at(0));
  r.ranks = h5::attribute_exists(root, "ranks") ? static_cast<int>(h5::read_integer_attribute(root, "ranks").at(0)) : 1;
  r.households = h5::read_integer_attribute(root, "households").at(0);
  r.sample_weight = h5::read_integer_attribute(root, "sample_fraction").at(1);
  r.households_simulated = h5::read_integer_attribute(root, "households_simulated").at(0);
  r.persons = h5::read_integer_attribute(root, "persons").at(0);
  r.population_design = h5::read_string_attribute(root, "population_design");
}

//! The root attribute replications_per_population (1.7; 1 before), into every scenario and
//! comparison, whose standard errors it clusters.
void read_population_groups(const h5::Handle& file, const std::filesystem::path& path, RunResults& r) {
  const h5::Handle root = h5::open_group(file, "/");
  const int per_population =
      h5::attribute_exists(root, "replications_per_population")
          ? static_cast<int>(h5::read_integer_attribute(root, "replications_per_population").at(0))
          : 1;
  if (per_population < 1) throw ResultsFileError(path.string() + ": replications_per_population is below 1");
  for (ScenarioResults& s : r.scenarios) s.replications_per_population = per_population;
  for (ComparisonResults& c : r.comparisons) c.replications_per_population = per_population;
}

void read_base(const h5::Handle& file, RunResults& r) {
  if (!h5::exists(file, "base_population")) return;
  const h5::Handle g = h5::open_group(file, "base_population");
  const auto years = h5::read_int64(g, "birth_year");
  r.base.first_birth_year = years.empty() ? 0 : static_cast<int>(years.front());
  r.base.children_by_birth_year = h5::read_int64(g, "children_by_birth_year");
}

}  // namespace

RunResults read_results(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) throw ResultsFileError(path.string() + " is not a file");
  try {
    const h5::Handle file = h5::open_file(path);
    RunResults r;
    read_root(file, path, r);
    read_base(file, r);
    const h5::Handle scenarios = h5::open_group(file, "scenarios");
    for (const std::string& id : h5::members(scenarios)) r.scenarios.push_back(read_scenario(scenarios, id));
    if (r.scenarios.empty()) throw ResultsFileError(path.string() + " holds no scenarios");
    if (h5::exists(file, "comparisons")) {
      const h5::Handle comparisons = h5::open_group(file, "comparisons");
      for (const std::string& name : h5::members(comparisons)) r.comparisons.push_back(read_comparison(comparisons, name));
    }
    read_population_groups(file, path, r);
    return r;
  } catch (const ResultsFileError&) {
    throw;
  } catch (const std::exception& e) {
    throw ResultsFileError("cannot read " + path.string() +
                           " as a Cradle results file (not HDF5, truncated or damaged?): " + e.what());
  }
}

std::vector<ScenarioResults> read_scenarios(const std::filesystem::path& path) { return read_results(path).scenarios; }

std::optional<std::vector<std::int64_t>> read_mechanical(const std::filesystem::path& path, const ComparisonResults& on) {
  const h5::Handle file = h5::open_file(path);
  const std::string name = on.baseline + "--" + on.reform;
  if (!h5::exists(file, "comparisons")) return std::nullopt;
  const h5::Handle comparisons = h5::open_group(file, "comparisons");
  if (!h5::exists(comparisons, name)) return std::nullopt;
  const h5::Handle g = h5::open_group(comparisons, name);
  if (!h5::exists(g, "mechanical_difference_fen")) return std::nullopt;
  std::vector<std::int64_t> mechanical = h5::read_int64(g, "mechanical_difference_fen");
  std::vector<std::string> ids;
  for (const MeasureLabel& m : on.measures) ids.push_back(m.id);
  if (h5::read_strings(g, "measure") != ids || mechanical.size() != on.outlay_fen.size()) return std::nullopt;
  return mechanical;
}

}  // namespace cradle
