#include "output/results_reader.h"

#include <cmath>

#include "output/h5.h"
#include "output/results_writer.h"

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

ScenarioResults read_scenario(const h5::Handle& scenarios, const std::string& id) {
  const h5::Handle g = h5::open_group(scenarios, id);
  ScenarioResults s;
  s.id = id;
  s.title = h5::read_string_attribute(g, "title");
  for (std::int64_t y : h5::read_int64(g, "year")) s.years.push_back(static_cast<int>(y));
  s.replications = static_cast<int>(h5::read_int64(g, "replication").size());
  s.birth_orders = static_cast<int>(h5::read_int64(g, "birth_order").size());
  s.measures = read_measures(g);
  s.payer_labels = read_payers(g);
  for (const PayerLabel& p : s.payer_labels) s.payers.push_back(p.id);
  s.outlay_fen = h5::read_int64(g, "outlay_fen");
  s.births = h5::read_int64(g, "births");
  s.child_months_under3 = month_sums(g, "children_under3");
  s.childcare_enrolled_months = month_sums(g, "childcare_enrolled");
  s.childcare_demand_months = month_sums(g, "childcare_demand");
  s.kindergarten_enrolled_months = month_sums(g, "kindergarten_enrolled");
  for (double v : h5::read_float64(g, "budget")) s.budget_fen.push_back(std::llround(v * 100.0));
  for (const std::string& name : h5::read_strings(g, "parameter")) s.parameter_labels.push_back({name, "", 0, ""});
  s.parameters = h5::read_float64(g, "parameters");
  if (s.outlay_fen.size() != static_cast<std::size_t>(s.replications) * s.n_years() * s.n_measures() * s.n_payers()) {
    throw ResultsFileError("scenario '" + id + "': outlay_fen does not match its axes");
  }
  return s;
}

void check_results_file(const h5::Handle& file, const std::filesystem::path& path) {
  const h5::Handle root = h5::open_group(file, "/");
  std::string type;
  try {
    type = h5::read_string_attribute(root, "filetype");
  } catch (const std::exception&) {
    type.clear();
  }
  if (type != "cradle.results") throw ResultsFileError(path.string() + " is not a Cradle results file");
  if (!h5::exists(file, "scenarios")) throw ResultsFileError(path.string() + " holds no scenarios");
}

}  // namespace

std::vector<ScenarioResults> read_scenarios(const std::filesystem::path& path) {
  try {
    const h5::Handle file = h5::open_file(path);
    check_results_file(file, path);
    const h5::Handle scenarios = h5::open_group(file, "scenarios");
    std::vector<ScenarioResults> out;
    for (const std::string& id : h5::members(scenarios)) out.push_back(read_scenario(scenarios, id));
    return out;
  } catch (const ResultsFileError&) {
    throw;
  } catch (const std::exception& e) {
    throw ResultsFileError("cannot read " + path.string() + " as a Cradle results file: " + e.what());
  }
}

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
