#include "output/results_writer.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "output/atomic_file.h"
#include "output/comparison.h"
#include "output/h5.h"
#include "output/sensitivity.h"
#include "output/summary.h"
#include "output/validation.h"
#include "output/variables.h"

namespace cradle {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void invalid(const std::string& what) { throw std::runtime_error("inconsistent results: " + what); }

// HDF5 stores the bytes as given but declares them UTF-8; a reader (h5py,
// xarray) then fails to decode anything else, so refuse it at the source.
// NUL is refused too: variable-length strings end at the first one.
bool valid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

void check_text(const std::string& text, const std::string& what) {
  if (!valid_utf8(text)) invalid(what + " is not valid UTF-8 text (or contains NUL)");
}

void check_size(std::size_t actual, std::size_t expected, const std::string& what) {
  if (actual != expected) {
    invalid(what + " has " + std::to_string(actual) + " values, expected " + std::to_string(expected));
  }
}

void check_not_negative(const std::vector<std::int64_t>& values, const std::string& what) {
  for (std::int64_t v : values) {
    if (v < 0) invalid(what + " holds a negative value (" + std::to_string(v) + ")");
  }
}

// The labels of a measure axis: every text valid, every id once, and each measure on the axis
// of its ledger (the budget axis holds only budget measures, the ledger axis none of them).
std::set<std::string> check_measures(const std::vector<MeasureLabel>& labels, const std::string& where,
                                     const std::string& axis, bool budget_axis) {
  std::set<std::string> seen;
  for (const MeasureLabel& m : labels) {
    const std::string what = where + " " + axis + " '" + m.id + "'";
    check_text(m.id, where + " " + axis + " id");
    check_text(m.kind, what + " kind");
    check_text(m.title, what + " title");
    check_text(m.source, what + " source");
    check_text(m.caseload_unit, what + " caseload_unit");
    check_text(m.ledger, what + " ledger");
    if (std::find(PROVENANCES.begin(), PROVENANCES.end(), m.provenance) == PROVENANCES.end()) {
      invalid(what + " provenance must be stated, derived or assumed");
    }
    if (!seen.insert(m.id).second) invalid(where + ": " + axis + " '" + m.id + "' appears twice");
    if (budget_axis && m.ledger != BUDGET_LEDGER) {
      invalid(what + " books to ledger '" + m.ledger + "', not to the budget");
    }
    if (!budget_axis && (m.ledger.empty() || m.ledger == BUDGET_LEDGER)) {
      invalid(what + " has ledger '" + m.ledger + "', not a separate ledger");
    }
  }
  return seen;
}

// The scenario's id, title and text, and its labels: measures, payers in the order of their labels,
// ledger measures apart from the budget ones.
void check_labels(const ScenarioResults& s, const std::string& where) {
  check_text(s.id, "a scenario id");
  if (s.id.empty() || s.id == "." || s.id == ".." || s.id.find('/') != std::string::npos) {
    invalid(where + ": an id must be non-empty, not '.' or '..', and contain no '/'");
  }
  check_text(s.title, where + " title");
  check_text(s.resolved_text, where + " scenario text");
  if (std::set<int>(s.years.begin(), s.years.end()).size() != s.years.size()) invalid(where + ": years repeat");
  const std::set<std::string> measure_ids = check_measures(s.measures, where, "measure", true);
  std::set<std::string> payers;
  for (const std::string& p : s.payers) {
    check_text(p, where + " payer");
    if (!payers.insert(p).second) invalid(where + ": payer '" + p + "' appears twice");
  }
  check_size(s.payer_labels.size(), s.n_payers(), where + " payer_labels");
  for (std::size_t p = 0; p < s.payer_labels.size(); ++p) {
    const PayerLabel& label = s.payer_labels[p];
    if (label.id != s.payers[p]) {
      invalid(where + ": payer_labels[" + std::to_string(p) + "] is '" + label.id + "', payers[" + std::to_string(p) +
              "] '" + s.payers[p] + "' (the two must be in the same order)");
    }
    check_text(label.level, where + " payer '" + label.id + "' level");
    check_text(label.name, where + " payer '" + label.id + "' name");
  }
  check_measures(s.ledger_measures, where, "ledger measure", false);
  for (const MeasureLabel& m : s.ledger_measures) {
    // A measure on both axes would be counted as budget outlay and as a separate ledger at once.
    if (measure_ids.count(m.id) != 0) invalid(where + ": '" + m.id + "' is both a budget and a ledger measure");
  }
}

// Every array has the size its axes give, and the values that must not be negative are not.
void check_arrays(const ScenarioResults& s, const std::string& where) {
  if (s.birth_orders < 1) invalid(where + ": birth_orders must be at least 1");
  const std::size_t ry = static_cast<std::size_t>(s.replications) * s.n_years();
  check_size(s.outlay_fen.size(), ry * s.n_measures() * s.n_payers(), where + " outlay_fen");
  check_size(s.caseload.size(), ry * s.n_measures(), where + " caseload");
  check_size(s.births.size(), ry * static_cast<std::size_t>(s.birth_orders), where + " births");
  check_size(s.burn_in_births.size(), static_cast<std::size_t>(s.replications) * s.burn_in_years,
             where + " burn_in_births");
  // The arrays with one value per replication and year.
  const std::pair<const std::vector<std::int64_t>*, const char*> per_year[] = {
      {&s.child_months_under3, "child_months_under3"},
      {&s.childcare_enrolled_months, "childcare_enrolled_months"},
      {&s.childcare_demand_months, "childcare_demand_months"},
      {&s.kindergarten_enrolled_months, "kindergarten_enrolled_months"},
      {&s.deaths, "deaths"},
      {&s.population, "population"},
      {&s.net_migration, "net_migration"}};
  for (const auto& [array, name] : per_year) check_size(array->size(), ry, where + " " + name);
  check_size(s.residents_by_age.size(), ry * RESIDENT_SEXES * RESIDENT_AGES, where + " residents_by_age");
  for (std::size_t i = 0; i < ry; ++i) {
    if (s.childcare_demand_months[i] < s.childcare_enrolled_months[i]) {
      invalid(where + ": childcare demand below enrolment");
    }
  }
  check_size(s.budget_fen.size(), s.n_years() * s.n_payers(), where + " budget_fen");
  check_size(s.childcare_slots.size(), s.n_years(), where + " childcare_slots");
  check_size(s.persons.size(), s.n_years(), where + " persons");
  check_size(s.ledger_fen.size(), ry * s.n_ledger_measures(), where + " ledger_fen");
  check_size(s.ledger_caseload.size(), ry * s.n_ledger_measures(), where + " ledger_caseload");
  check_size(s.parameters.size(), static_cast<std::size_t>(s.replications) * s.parameter_labels.size(),
             where + " parameters");
  // Zero is allowed (the ratios become NaN); a negative budget, stock or population is a bug upstream.
  check_not_negative(s.budget_fen, where + " budget_fen");
  check_not_negative(s.childcare_slots, where + " childcare_slots");
  check_not_negative(s.persons, where + " persons");
}

// The base composition: each margin's counts and shares along its categories.
void check_base(const BaseComposition& base) {
  for (const BaseComposition::Margin& m : base.households) {
    check_text(m.name, "a base population attribute");
    check_text(m.long_name, "base population attribute '" + m.name + "' long_name");
    for (const std::string& category : m.categories) check_text(category, "a category of '" + m.name + "'");
    check_size(m.households.size(), m.categories.size(), "households_by_" + m.name);
    check_size(m.profile_share.size(), m.categories.size(), m.name + "_profile_share");
  }
  if (!base.households.empty()) {
    const auto ages = static_cast<std::size_t>(BaseComposition::MAX_AGE - BaseComposition::MIN_AGE + 1);
    check_size(base.women_by_age_parity.size(), ages * BaseComposition::PARITIES, "women_by_age_parity");
  }
}

// Everything that could make the file wrong or the write fail half-way is
// checked here, before the temporary file exists.
void validate(const RunResults& results) {
  if (results.replications < 1) invalid("replications must be at least 1");
  check_text(results.cradle_version, "cradle_version");
  check_text(results.git_revision, "git_revision");
  check_text(results.created_utc, "created_utc");
  check_text(results.title, "title");
  check_base(results.base);
  std::set<std::string> ids;
  for (const ScenarioResults& s : results.scenarios) {
    const std::string where = "scenario '" + s.id + "'";
    check_labels(s, where);
    if (!ids.insert(s.id).second) invalid(where + " appears twice");
    if (s.replications != results.replications) {
      invalid(where + " has " + std::to_string(s.replications) + " replications, the run " +
              std::to_string(results.replications));
    }
    check_arrays(s, where);
    std::set<std::pair<std::string, int>> observed;
    for (const Observation& o : s.observations) {
      check_text(o.quantity, where + " observation quantity");
      check_text(o.tag, where + " observation tag");
      check_text(o.source, where + " observation source");
      if (!observed.insert({o.quantity, o.year}).second) {
        invalid(where + ": observation '" + o.quantity + " " + std::to_string(o.year) + "' appears twice");
      }
    }
  }
}

// [replication][year][payer]: outlay_fen summed over the (budget) measures, exact.
// Throws if a sum leaves int64, so that the check happens before any file exists.
std::vector<std::int64_t> sum_budget_outlay_fen(const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers();
  std::vector<std::int64_t> sums(R * Y * P, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t p = 0; p < P; ++p) {
          std::int64_t& sum = sums[(r * Y + y) * P + p];
          if (__builtin_add_overflow(sum, s.outlay_fen[s.outlay_index(r, y, m, p)], &sum)) {
            invalid("scenario '" + s.id + "': outlay summed over measures overflows int64 fen");
          }
        }
  return sums;
}

void describe(const h5::Handle& object, const std::string& units, const std::string& long_name) {
  h5::write_attribute(object, "units", units);
  h5::write_attribute(object, "long_name", long_name);
}

// The dtype a C++ element type is stored as.
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, std::int32_t>) {
    return DType::int32;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return DType::int64;
  } else if constexpr (std::is_same_v<T, double>) {
    return DType::float64;
  } else {
    static_assert(std::is_same_v<T, std::string>, "no dtype for this element type");
    return DType::string;
  }
}

// How a table entry is written this time: the value of its name pattern, the text its long_name
// takes, and further string attributes written after long_name.
struct Fill {
  std::string attribute;
  std::string text;
  std::vector<std::pair<std::string, std::string>> attributes;
};

// Writes the variables of one group as results_variables() describes them: the name, units,
// long_name and coordinates from the table; the shape from the lengths of the table's axes; and
// each axis attached to the scale of its name, written before into the same group.
class GroupWriter {
 public:
  GroupWriter(const h5::Handle& group, VariableGroup kind) : group_(group), kind_(kind) {}

  template <class T>
  void write(std::string_view table_name, const std::vector<T>& values, const Fill& fill = {}) {
    const Variable& variable = find_variable(kind_, table_name);
    if (variable.dtype != dtype_of<T>()) {
      throw std::logic_error("results variable '" + variable.name + "' written as another dtype than its table's");
    }
    const std::string name = fill_name(variable.name, fill.attribute);
    std::vector<std::string> axes;
    for (const std::string& axis : variable.axes) axes.push_back(fill_name(axis, fill.attribute));
    const bool scale = variable.role == VariableRole::scale;
    const std::vector<hsize_t> dims = scale ? std::vector<hsize_t>{values.size()} : lengths(axes);
    h5::Handle dataset;
    if constexpr (std::is_same_v<T, std::string>) {
      check_size(values.size(), static_cast<std::size_t>(dims.at(0)), name);
      dataset = h5::write_strings(group_, name, values);
    } else {
      dataset = h5::write_dataset(group_, name, values, dims);
    }
    describe(dataset, variable.units, fill_text(variable.long_name, fill.text));
    for (const auto& [attribute, value] : fill.attributes) h5::write_attribute(dataset, attribute, value);
    const std::string coordinates = coordinates_of(variable);
    if (!coordinates.empty()) h5::write_attribute(dataset, "coordinates", coordinates);
    if (scale) {
      h5::make_scale(dataset, axes.front());
      scales_[axes.front()] = {std::move(dataset), values.size()};
      return;
    }
    for (std::size_t axis = 0; axis < axes.size(); ++axis) {
      h5::attach_scale(dataset, scales_.at(axes[axis]).handle, static_cast<unsigned>(axis));
    }
  }

 private:
  struct Scale {
    h5::Handle handle;
    hsize_t length = 0;
  };

  std::vector<hsize_t> lengths(const std::vector<std::string>& axes) const {
    std::vector<hsize_t> dims;
    for (const std::string& axis : axes) {
      const auto scale = scales_.find(axis);
      if (scale == scales_.end()) throw std::logic_error("axis '" + axis + "' written after a variable along it");
      dims.push_back(scale->second.length);
    }
    return dims;
  }

  const h5::Handle& group_;
  VariableGroup kind_;
  std::map<std::string, Scale> scales_;
};

// The ids, kinds, titles, sources, caseload units and ledgers of a measure axis, column by column.
struct MeasureColumns {
  std::vector<std::string> id, kind, title, source, caseload_unit, ledger, provenance;
  explicit MeasureColumns(const std::vector<MeasureLabel>& measures) {
    for (const MeasureLabel& m : measures) {
      provenance.push_back(m.provenance);
      id.push_back(m.id);
      kind.push_back(m.kind);
      title.push_back(m.title);
      source.push_back(m.source);
      caseload_unit.push_back(m.caseload_unit);
      ledger.push_back(m.ledger);
    }
  }
};

// The measure scale with its labels (the caseload unit where the group holds caseloads).
void write_measure_scale(GroupWriter& out, const std::vector<MeasureLabel>& labels, bool caseload_unit) {
  const MeasureColumns measures(labels);
  out.write("measure", measures.id);
  out.write("measure_kind", measures.kind);
  out.write("measure_title", measures.title);
  out.write("measure_source", measures.source);
  if (caseload_unit) out.write("caseload_unit", measures.caseload_unit);
  out.write("measure_provenance", measures.provenance);
}

// The payer scale with its levels and names.
void write_payer_scale(GroupWriter& out, const std::vector<std::string>& ids, const std::vector<PayerLabel>& labels) {
  std::vector<std::string> levels, names;
  for (const PayerLabel& payer : labels) {
    levels.push_back(payer.level);
    names.push_back(payer.name);
  }
  out.write("payer", ids);
  out.write("payer_level", levels);
  out.write("payer_name", names);
}

// Writes the year, measure, payer and ledger_measure scales, with their labels. Both the scenario
// group and its summary group get them: xarray shows a group's coordinate values only when the
// coordinate variables live in it.
void write_common_scales(GroupWriter& out, const ScenarioResults& s) {
  out.write("year", std::vector<std::int32_t>(s.years.begin(), s.years.end()));
  write_measure_scale(out, s.measures, true);
  write_payer_scale(out, s.payers, s.payer_labels);

  const MeasureColumns ledgers(s.ledger_measures);
  out.write("ledger_measure", ledgers.id);
  out.write("ledger_kind", ledgers.ledger);
  out.write("ledger_title", ledgers.title);
  out.write("ledger_source", ledgers.source);
  out.write("ledger_caseload_unit", ledgers.caseload_unit);
  out.write("ledger_provenance", ledgers.provenance);
}

// The statistics of summary_statistics() over replications, one sample at a time, column by column.
struct Statistics {
  std::vector<std::vector<double>> columns = std::vector<std::vector<double>>(summary_statistics().size());

  void add(const std::vector<double>& sample) {
    static const std::vector<double> levels = summary_levels();
    const Summary summary = summarise(sample, levels);
    std::size_t level = 0;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      columns[i].push_back(summary_statistics()[i].level ? summary.quantiles[level++] : summary.mean);
    }
  }
  // A statistic of a sample that is undefined in every replication (a ratio to a zero budget).
  void add_undefined() {
    for (std::vector<double>& column : columns) column.push_back(std::numeric_limits<double>::quiet_NaN());
  }
  // Writes <name>_mean, <name>_p05, ... as the table describes them.
  void write(GroupWriter& out, const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) out.write(name + summary_statistics()[i].suffix, columns[i]);
  }
};

double share(std::int64_t part_fen, std::int64_t whole_fen) {
  // Both exact in fen; one division, so budget_share is the same number however it is recomputed from fen.
  return whole_fen == 0 ? std::numeric_limits<double>::quiet_NaN()
                        : static_cast<double>(part_fen) / static_cast<double>(whole_fen);
}

double fen_to_yuan(std::int64_t fen) { return static_cast<double>(fen) / 100.0; }

// Statistics of outlay, [year][measure][payer].
Statistics summarise_outlay(const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  std::vector<double> sample(R);
  Statistics outlay;
  for (std::size_t y = 0; y < s.n_years(); ++y)
    for (std::size_t m = 0; m < s.n_measures(); ++m)
      for (std::size_t p = 0; p < s.n_payers(); ++p) {
        for (std::size_t r = 0; r < R; ++r) sample[r] = fen_to_yuan(s.outlay_fen[s.outlay_index(r, y, m, p)]);
        outlay.add(sample);
      }
  return outlay;
}

// Statistics of budget_outlay and budget_share, [year][payer].
std::pair<Statistics, Statistics> summarise_budget(const ScenarioResults& s,
                                                   const std::vector<std::int64_t>& budget_outlay_fen) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), P = s.n_payers();
  std::vector<double> sample(R);
  Statistics budget_outlay, budget_share;
  for (std::size_t y = 0; y < Y; ++y)
    for (std::size_t p = 0; p < P; ++p) {
      for (std::size_t r = 0; r < R; ++r) sample[r] = fen_to_yuan(budget_outlay_fen[(r * Y + y) * P + p]);
      budget_outlay.add(sample);
      const std::int64_t budget = s.budget_fen[s.budget_index(y, p)];
      if (budget == 0) {
        budget_share.add_undefined();
        continue;
      }
      for (std::size_t r = 0; r < R; ++r) sample[r] = share(budget_outlay_fen[(r * Y + y) * P + p], budget);
      budget_share.add(sample);
    }
  return {std::move(budget_outlay), std::move(budget_share)};
}

// Statistics of ledger_amount, [year][ledger_measure].
Statistics summarise_ledgers(const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  std::vector<double> sample(R);
  Statistics ledger;
  for (std::size_t y = 0; y < s.n_years(); ++y)
    for (std::size_t l = 0; l < s.n_ledger_measures(); ++l) {
      for (std::size_t r = 0; r < R; ++r) sample[r] = fen_to_yuan(s.ledger_fen[s.ledger_index(r, y, l)]);
      ledger.add(sample);
    }
  return ledger;
}

void write_summary(const h5::Handle& scenario_group, const ScenarioResults& s,
                   const std::vector<std::int64_t>& budget_outlay_fen) {
  h5::Handle group = h5::create_group(scenario_group, "summary");
  GroupWriter out(group, VariableGroup::summary);
  write_common_scales(out, s);
  summarise_outlay(s).write(out, "outlay");
  const auto [budget_outlay, budget_share] = summarise_budget(s, budget_outlay_fen);
  budget_outlay.write(out, "budget_outlay");
  budget_share.write(out, "budget_share");
  summarise_ledgers(s).write(out, "ledger_amount");
}

std::vector<double> per_year(const std::vector<std::int64_t>& month_sums) {
  std::vector<double> averages;
  averages.reserve(month_sums.size());
  // A year's 12 monthly counts summed, so /12 is the average monthly count.
  for (std::int64_t v : month_sums) averages.push_back(static_cast<double>(v) / 12.0);
  return averages;
}

std::vector<double> yuan(const std::vector<std::int64_t>& fen) {
  std::vector<double> values;
  values.reserve(fen.size());
  for (std::int64_t v : fen) values.push_back(fen_to_yuan(v));
  return values;
}

// The replication, birth_order, burn_in_year and provenance scales, which only the scenario group holds.
void write_scenario_scales(GroupWriter& out, const ScenarioResults& s) {
  out.write("provenance", PROVENANCES);
  out.write("sex", std::vector<std::string>{"male", "female"});
  std::vector<std::int32_t> ages(RESIDENT_AGES);
  for (std::size_t a = 0; a < ages.size(); ++a) ages[a] = static_cast<std::int32_t>(a);
  out.write("age", ages,
            {"", "", {{"note", "the last age, " + std::to_string(RESIDENT_AGES - 1) + ", counts residents of that age and older"}}});
  std::vector<std::int32_t> replications(static_cast<std::size_t>(s.replications));
  for (std::size_t r = 0; r < replications.size(); ++r) replications[r] = static_cast<std::int32_t>(r);
  out.write("replication", replications);

  std::vector<std::int32_t> orders(static_cast<std::size_t>(s.birth_orders));
  for (std::size_t b = 0; b < orders.size(); ++b) orders[b] = static_cast<std::int32_t>(b + 1);
  const std::string last = std::to_string(orders.size());
  out.write(
      "birth_order", orders,
      {"", last, {{"note", "the last birth order, " + last + ", counts births of order " + last + " and higher"}}});
  std::vector<std::int32_t> burn_in(s.burn_in_years);
  for (std::size_t b = 0; b < burn_in.size(); ++b) burn_in[b] = s.burn_in_first_year + static_cast<std::int32_t>(b);
  out.write("burn_in_year", burn_in);
}

// Outlay by measure and payer, and caseloads.
void write_outlay(GroupWriter& out, const ScenarioResults& s) {
  out.write("outlay", yuan(s.outlay_fen));
  out.write("outlay_fen", s.outlay_fen);
  out.write("caseload", s.caseload,
            {"",
             "",
             {{"unit_per_measure",
               "each measure has its own caseload unit (e.g. child-months): see the "
               "caseload_unit coordinate along measure"}}});
}

// Births, children, deaths, population and the services' demand and enrolment.
void write_demography(GroupWriter& out, const ScenarioResults& s) {
  out.write("births", s.births);
  out.write("children_under3", per_year(s.child_months_under3));
  out.write("childcare_enrolled", per_year(s.childcare_enrolled_months));
  out.write("burn_in_births", s.burn_in_births);
  out.write("deaths", s.deaths);
  out.write("population", s.population);
  out.write("residents", s.residents_by_age);
  out.write("net_migration", s.net_migration);
  out.write("childcare_demand", per_year(s.childcare_demand_months));
  std::vector<std::int64_t> unmet_months(s.childcare_demand_months.size());
  for (std::size_t i = 0; i < unmet_months.size(); ++i) {
    unmet_months[i] = s.childcare_demand_months[i] - s.childcare_enrolled_months[i];
  }
  out.write("childcare_unmet", per_year(unmet_months));
  out.write("kindergarten_enrolled", per_year(s.kindergarten_enrolled_months));
}

// [replication][year][provenance][payer]: outlay_fen summed over the measures whose amount
// has that provenance, exact; summed over provenance it is budget_outlay.
std::vector<std::int64_t> outlay_by_provenance_fen(const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers(), K = PROVENANCES.size();
  std::vector<std::size_t> kind(M);
  for (std::size_t m = 0; m < M; ++m) {
    kind[m] = static_cast<std::size_t>(
        std::find(PROVENANCES.begin(), PROVENANCES.end(), s.measures[m].provenance) - PROVENANCES.begin());
  }
  std::vector<std::int64_t> sums(R * Y * K * P, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t p = 0; p < P; ++p) sums[((r * Y + y) * K + kind[m]) * P + p] += s.outlay_fen[s.outlay_index(r, y, m, p)];
  return sums;
}

// Each payer's budget, its outlay on all budget measures, and the share of one in the other.
void write_budget(GroupWriter& out, const ScenarioResults& s, const std::vector<std::int64_t>& budget_outlay_fen) {
  out.write("budget", yuan(s.budget_fen));
  out.write("budget_outlay", yuan(budget_outlay_fen));
  const std::vector<std::int64_t> by_provenance = outlay_by_provenance_fen(s);
  out.write("outlay_by_provenance", yuan(by_provenance));
  out.write("outlay_by_provenance_fen", by_provenance);
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), P = s.n_payers();
  std::vector<double> shares(budget_outlay_fen.size());
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t p = 0; p < P; ++p) {
        const std::size_t i = (r * Y + y) * P + p;
        shares[i] = share(budget_outlay_fen[i], s.budget_fen[s.budget_index(y, p)]);
      }
  out.write("budget_share", shares);
}

// Childcare places, residents, and places per 1000 residents.
void write_places(GroupWriter& out, const ScenarioResults& s) {
  out.write("childcare_slots", s.childcare_slots);
  out.write("persons", s.persons);
  std::vector<double> per_1000(s.n_years());
  for (std::size_t y = 0; y < per_1000.size(); ++y) {
    per_1000[y] = s.persons[y] == 0
                      ? std::numeric_limits<double>::quiet_NaN()
                      : static_cast<double>(s.childcare_slots[y]) * 1000.0 / static_cast<double>(s.persons[y]);
  }
  out.write("slots_per_1000", per_1000);
}

void write_ledgers(GroupWriter& out, const ScenarioResults& s) {
  out.write("ledger_amount", yuan(s.ledger_fen));
  out.write("ledger_amount_fen", s.ledger_fen);
  out.write("ledger_caseload", s.ledger_caseload,
            {"",
             "",
             {{"unit_per_measure",
               "each ledger measure has its own caseload unit: see the ledger_caseload_unit coordinate "
               "along ledger_measure"}}});
}

// Uncertain parameters, one draw per replication.
void write_parameters(GroupWriter& out, const ScenarioResults& s) {
  std::vector<std::string> names, distributions, sources;
  std::vector<double> centres;
  for (const ParameterLabel& l : s.parameter_labels) {
    names.push_back(l.name);
    distributions.push_back(l.distribution);
    sources.push_back(l.source);
    centres.push_back(l.centre);
  }
  out.write("parameter", names);
  out.write("parameter_distribution", distributions);
  out.write("parameter_source", sources);
  out.write("parameter_centre", centres);
  out.write("parameters", s.parameters);
}

// The validation table (1.3): each observation the run can meet, beside the simulation.
void write_validation(GroupWriter& out, const std::vector<ValidationRow>& rows) {
  std::vector<std::string> names, quantities, tags, sources, bands;
  std::vector<std::int32_t> years, inside;
  std::vector<double> observed, mean, low, high;
  for (const ValidationRow& row : rows) {
    const Observation& o = row.observation;
    names.push_back(o.quantity + " " + std::to_string(o.year));
    quantities.push_back(o.quantity);
    years.push_back(o.year);
    tags.push_back(o.tag);
    sources.push_back(o.source);
    bands.push_back(row.band);
    observed.push_back(o.value);
    mean.push_back(row.simulated_mean);
    low.push_back(row.low);
    high.push_back(row.high);
    inside.push_back(row.inside ? 1 : 0);
  }
  out.write("observation", names);
  out.write("observation_quantity", quantities);
  out.write("observation_year", years);
  out.write("observation_tag", tags);
  out.write("observation_source", sources);
  out.write("validation_band", bands);
  out.write("observed", observed);
  out.write("simulated_mean", mean);
  out.write("simulated_p05", low);
  out.write("simulated_p95", high);
  out.write("inside_band", inside);
}

// A share as the noise_share attribute states it.
std::string format_share(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", share);
  return std::string(text) + ": shares below this are within sampling noise (95 %) at this many replications";
}

void write_sensitivity(GroupWriter& out, const std::vector<SensitivityEntry>& entries, std::size_t replications) {
  std::vector<std::string> names;
  std::vector<double> coefficients, shares;
  for (const SensitivityEntry& e : entries) {
    names.push_back(e.parameter);
    coefficients.push_back(e.coefficient);
    shares.push_back(e.share);
  }
  out.write("sensitivity_parameter", names);
  out.write("sensitivity_coefficient", coefficients);
  out.write("sensitivity_share", shares,
            {"", "", {{"noise_share", format_share(sensitivity_noise_share(replications, entries.size()))}}});
}


void write_scenario(const h5::Handle& scenarios, const ScenarioResults& s, const RunResults& results,
                    const std::vector<std::int64_t>& budget_outlay_fen) {
  h5::Handle group = h5::create_group(scenarios, s.id);
  h5::write_attribute(group, "id", s.id);
  h5::write_attribute(group, "title", s.title);
  h5::write_attribute(group, "scenario_text", s.resolved_text);
  // 1.5: what a lever sweep changed from the scenario file ("" for the file as it is).
  h5::write_attribute(group, "variant", s.variant);
  GroupWriter out(group, VariableGroup::scenario);
  write_common_scales(out, s);
  write_scenario_scales(out, s);
  write_outlay(out, s);
  write_demography(out, s);
  write_budget(out, s, budget_outlay_fen);
  write_places(out, s);
  write_ledgers(out, s);
  write_parameters(out, s);
  write_sensitivity(out, outlay_sensitivity(s), static_cast<std::size_t>(s.replications));
  write_validation(out, validation_table(s, results.base, results.sample_weight));
  write_summary(group, s, budget_outlay_fen);
}

std::vector<double> as_double(const std::vector<std::int64_t>& values, double divisor = 1.0) {
  std::vector<double> out;
  out.reserve(values.size());
  for (std::int64_t v : values) out.push_back(static_cast<double>(v) / divisor);
  return out;
}

// [replication][year][group] sums of a comparison's [replication][year][measure][payer] fen, where
// group_of(m, p) says which group a cell adds to.
template <class GroupOf>
std::vector<std::int64_t> grouped(const ComparisonResults& c, const std::vector<std::int64_t>& fen, std::size_t groups,
                                  GroupOf group_of) {
  const std::size_t R = static_cast<std::size_t>(c.replications), Y = c.n_years();
  std::vector<std::int64_t> out(R * Y * groups, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t m = 0; m < c.n_measures(); ++m)
        for (std::size_t p = 0; p < c.n_payers(); ++p) {
          out[(r * Y + y) * groups + group_of(m, p)] += fen[c.outlay_index(r, y, m, p)];
        }
  return out;
}

// [replication][period][group]: a [replication][year][group] array summed over the horizon and the plan period.
std::vector<std::int64_t> by_period(const ComparisonResults& c, const std::vector<std::int64_t>& by_year) {
  const std::size_t R = static_cast<std::size_t>(c.replications), Y = c.n_years();
  const std::size_t groups = R * Y == 0 ? 0 : by_year.size() / (R * Y);
  std::vector<std::int64_t> out(R * 2 * groups, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t g = 0; g < groups; ++g) {
        const std::int64_t v = by_year[(r * Y + y) * groups + g];
        out[(r * 2 + 0) * groups + g] += v;
        if (c.years[y] >= PLAN_PERIOD_FIRST && c.years[y] <= PLAN_PERIOD_LAST) out[(r * 2 + 1) * groups + g] += v;
      }
  return out;
}

// The scales of a comparison group: the scenario group's it shares, and period and statistic.
void write_comparison_scales(GroupWriter& out, const ComparisonResults& c) {
  out.write("year", std::vector<std::int32_t>(c.years.begin(), c.years.end()));
  write_measure_scale(out, c.measures, false);
  write_payer_scale(out, c.payers, c.payer_labels);
  std::vector<std::int32_t> replications(static_cast<std::size_t>(c.replications));
  for (std::size_t r = 0; r < replications.size(); ++r) replications[r] = static_cast<std::int32_t>(r);
  out.write("replication", replications);
  std::vector<std::int32_t> orders(static_cast<std::size_t>(c.birth_orders));
  for (std::size_t b = 0; b < orders.size(); ++b) orders[b] = static_cast<std::int32_t>(b + 1);
  out.write("birth_order", orders, {"", std::to_string(orders.size()), {}});
  out.write("provenance", PROVENANCES);
  out.write("period", std::vector<std::string>{"horizon", std::to_string(PLAN_PERIOD_FIRST) + "-" +
                                                              std::to_string(PLAN_PERIOD_LAST)});
  out.write("statistic", comparison_statistics());
}

// Births, children, childcare and kindergarten differences as [year] statistics (average monthly counts).
void write_demography_statistics(GroupWriter& out, const ComparisonResults& c) {
  const std::size_t R = static_cast<std::size_t>(c.replications), Y = c.n_years();
  std::vector<std::int64_t> births(R * Y, 0);
  for (std::size_t i = 0; i < births.size(); ++i) {
    for (int k = 0; k < c.birth_orders; ++k) births[i] += c.births[i * static_cast<std::size_t>(c.birth_orders) + static_cast<std::size_t>(k)];
  }
  out.write("births_difference_stats", comparison_stats(as_double(births), c));
  out.write("children_under3_difference_stats", comparison_stats(per_year(c.child_months_under3), c));
  out.write("childcare_demand_difference_stats", comparison_stats(per_year(c.childcare_demand_months), c));
  out.write("childcare_enrolled_difference_stats", comparison_stats(per_year(c.childcare_enrolled_months), c));
  out.write("childcare_unmet_difference_stats", comparison_stats(per_year(c.childcare_unmet_months), c));
  out.write("kindergarten_enrolled_difference_stats", comparison_stats(per_year(c.kindergarten_enrolled_months), c));
  out.write("budget_share_difference_stats", comparison_stats(c.budget_share, c));
}

// The outlay differences as [year] and [period] statistics, in total and by measure, payer and provenance.
void write_outlay_statistics(GroupWriter& out, const ComparisonResults& c) {
  std::vector<std::size_t> kind(c.n_measures());
  for (std::size_t m = 0; m < kind.size(); ++m) {
    kind[m] = static_cast<std::size_t>(std::find(PROVENANCES.begin(), PROVENANCES.end(), c.measures[m].provenance) -
                                       PROVENANCES.begin());
  }
  const auto write_both = [&](const std::string& by_year_name, const std::string& name,
                              const std::vector<std::int64_t>& fen_by_year) {
    out.write(by_year_name + "_stats", comparison_stats(as_double(fen_by_year, 100.0), c));
    out.write("period_" + name + "_stats", comparison_stats(as_double(by_period(c, fen_by_year), 100.0), c));
  };
  write_both("total_outlay_difference", "outlay_difference", total_difference_fen(c, 0));
  if (c.has_split()) {
    write_both("mechanical_difference", "mechanical_difference", total_difference_fen(c, 1));
    write_both("behavioural_difference", "behavioural_difference", total_difference_fen(c, 2));
  }
  write_both("outlay_difference_by_measure", "outlay_difference_by_measure", grouped(c, c.outlay_fen, c.n_measures(), [](std::size_t m, std::size_t) { return m; }));
  write_both("outlay_difference_by_payer", "outlay_difference_by_payer", grouped(c, c.outlay_fen, c.n_payers(), [](std::size_t, std::size_t p) { return p; }));
  write_both("outlay_difference_by_provenance", "outlay_difference_by_provenance",
             grouped(c, c.outlay_fen, PROVENANCES.size(), [&](std::size_t m, std::size_t) { return kind[m]; }));
}

void write_comparison(const h5::Handle& comparisons, const ComparisonResults& c) {
  h5::Handle group = h5::create_group(comparisons, c.baseline + "--" + c.reform);
  h5::write_attribute(group, "baseline", c.baseline);
  h5::write_attribute(group, "reform", c.reform);
  h5::write_attribute(group, "split", c.has_split() ? "mechanical and behavioural" : "none");
  describe(group, "", std::string(group_long_name(VariableGroup::comparison)));
  GroupWriter out(group, VariableGroup::comparison);
  write_comparison_scales(out, c);
  out.write("outlay_difference_fen", c.outlay_fen);
  if (c.has_split()) out.write("mechanical_difference_fen", c.mechanical_fen);
  out.write("births_difference", c.births);
  out.write("children_under3_difference", per_year(c.child_months_under3));
  out.write("childcare_demand_difference", per_year(c.childcare_demand_months));
  out.write("childcare_enrolled_difference", per_year(c.childcare_enrolled_months));
  out.write("childcare_unmet_difference", per_year(c.childcare_unmet_months));
  out.write("kindergarten_enrolled_difference", per_year(c.kindergarten_enrolled_months));
  out.write("budget_share_difference", c.budget_share);
  write_outlay_statistics(out, c);
  write_demography_statistics(out, c);
  write_sensitivity(out, c.sensitivity, static_cast<std::size_t>(c.replications));
}

// The base population's composition beside the profile's shares (1.2).
void write_base_population(const h5::Handle& file, const BaseComposition& base) {
  if (base.households.empty()) return;
  h5::Handle group = h5::create_group(file, "base_population");
  describe(group, "", std::string(group_long_name(VariableGroup::base_population)));
  GroupWriter out(group, VariableGroup::base_population);
  for (const BaseComposition::Margin& m : base.households) {
    out.write("<attribute>", m.categories, {m.name, m.long_name, {}});
    out.write("households_by_<attribute>", m.households, {m.name, m.long_name, {}});
    out.write("<attribute>_profile_share", m.profile_share, {m.name, m.long_name, {}});
  }
  std::vector<std::int32_t> ages;
  for (int a = BaseComposition::MIN_AGE; a <= BaseComposition::MAX_AGE; ++a) ages.push_back(a);
  out.write("age", ages);
  out.write("parity", std::vector<std::string>{"0", "1", "2", "3+"});
  out.write("women_by_age_parity", base.women_by_age_parity);
  std::vector<std::int32_t> birth_years;
  for (std::size_t i = 0; i < base.children_by_birth_year.size(); ++i) {
    birth_years.push_back(base.first_birth_year + static_cast<std::int32_t>(i));
  }
  out.write("birth_year", birth_years);
  out.write("children_by_birth_year", base.children_by_birth_year);
}

// 1.5: the global attributes of the netCDF Climate and Forecast conventions, so that netCDF
// tools and xarray describe the file (CF 1.10, section 2.6.2; CF 1.8 brought groups).
void write_cf_attributes(const h5::Handle& root, const RunResults& results) {
  h5::write_attribute(root, "Conventions", "CF-1.10");
  h5::write_attribute(root, "title", results.title);
  std::ostringstream source;
  source << "Cradle " << results.cradle_version << " (" << results.git_revision << ")";
  h5::write_attribute(root, "source", source.str());
  std::ostringstream history;
  history << results.created_utc << " ";
  // A command line is bytes; one that is not UTF-8 (a file name) gives way to the program.
  if (results.command.empty() || !valid_utf8(results.command)) {
    history << "written by " << source.str();
  } else {
    history << results.command;
  }
  h5::write_attribute(root, "history", history.str());
}

void write_root_attributes(const h5::Handle& file, const RunResults& results) {
  h5::Handle root = h5::open_group(file, "/");
  h5::write_attribute(root, "filetype", "cradle.results");
  h5::write_attribute(root, "format_version", std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
  h5::write_attribute(root, "cradle_version", results.cradle_version);
  h5::write_attribute(root, "git_revision", results.git_revision);
  h5::write_attribute(root, "created_utc", results.created_utc);
  h5::write_attribute(root, "seed", results.seed);
  h5::write_attribute(root, "replications", std::int64_t{results.replications});
  h5::write_attribute(root, "threads", std::int64_t{results.threads});
  // 1.6: the MPI ranks that shared the replications.
  h5::write_attribute(root, "ranks", std::int64_t{results.ranks});
  h5::write_attribute(root, "households", results.households);
  // 1.1: a 1-in-k sample; every count and amount in the file is already scaled by k.
  h5::write_attribute(root, "sample_fraction",
                      std::vector<std::int32_t>{1, static_cast<std::int32_t>(results.sample_weight)});
  h5::write_attribute(root, "households_simulated",
                      results.households_simulated > 0 ? results.households_simulated : results.households);
  h5::write_attribute(root, "persons", results.persons);
  // 1.3: whether each replication drew its own base population.
  h5::write_attribute(root, "population_design", results.population_design);
  // 1.7: the replications that ran on one base population, the clusters of a comparison's se.
  h5::write_attribute(
      root, "replications_per_population",
      std::int64_t{results.scenarios.empty() ? 1 : results.scenarios.front().replications_per_population});
  write_cf_attributes(root, results);
}

// The whole results file, as bytes.
std::vector<unsigned char> results_image(const std::filesystem::path& path, const RunResults& results,
                                         const std::vector<std::vector<std::int64_t>>& budget_outlay_fen,
                                         Clock::time_point start) {
  // Built in memory and written out by replace_file: a full disk then fails an ordinary
  // write(), with no HDF5 state left half-flushed to trip over at exit.
  h5::Handle file = h5::create_memory_file(path.string());
  {
    write_root_attributes(file, results);
    write_base_population(file, results.base);
    h5::Handle scenarios = h5::create_group(file, "scenarios");
    for (std::size_t i = 0; i < results.scenarios.size(); ++i) {
      write_scenario(scenarios, results.scenarios[i], results, budget_outlay_fen[i]);
    }

    if (!results.comparisons.empty()) {
      h5::Handle comparisons = h5::create_group(file, "comparisons");
      for (const ComparisonResults& c : results.comparisons) write_comparison(comparisons, c);
    }
    // Last, so the figure covers all the work before it; only the final
    // flush, fsync and rename fall outside.
    h5::Handle runtime = h5::create_group(file, "runtime");
    h5::write_attribute(runtime, "population_seconds", results.times.population_seconds);
    h5::write_attribute(runtime, "simulation_seconds", results.times.simulation_seconds);
    const std::chrono::duration<double> writing = Clock::now() - start;
    h5::write_attribute(runtime, "writing_seconds", writing.count());
    h5::write_attribute(runtime, "units", "s");
  }
  std::vector<unsigned char> image = h5::file_image(file);
  file.close();
  return image;
}

}  // namespace

void write_results(const std::filesystem::path& target, const RunResults& results) {
  const Clock::time_point start = Clock::now();
  const std::string failure = "cannot write results to '" + target.string() + "': ";
  if (target.filename().empty()) throw std::runtime_error(failure + "not a file name");
  // Derived sums are computed (and checked for overflow) before any file is touched too.
  std::vector<std::vector<std::int64_t>> budget_outlay_fen;
  try {
    validate(results);
    for (const ScenarioResults& s : results.scenarios) budget_outlay_fen.push_back(sum_budget_outlay_fen(s));
  } catch (const std::exception& error) {
    throw std::runtime_error(failure + error.what());
  }
  try {
    replace_file(target, results_image(target, results, budget_outlay_fen, start));
  } catch (const std::exception& error) {
    throw std::runtime_error(failure + error.what());
  }
}

}  // namespace cradle

namespace cradle {

bool is_results_file(const std::filesystem::path& file) {
  try {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return false;
    h5::silence_errors();
    if (H5Fis_hdf5(file.c_str()) <= 0) {
      h5::take_error_text();
      return false;
    }
    const h5::Handle f = h5::open_file(file);
    const h5::Handle root = h5::open_group(f, "/");
    return h5::read_string_attribute(root, "filetype") == "cradle.results";
  } catch (const std::exception&) {
    h5::take_error_text();
    return false;
  }
}

void add_comparisons(const std::filesystem::path& target, const std::vector<ComparisonResults>& comparisons) {
  const std::string failure = "cannot add comparisons to '" + target.string() + "': ";
  try {
    std::vector<unsigned char> image;
    {
      h5::Handle file = h5::open_memory_copy(target);
      h5::Handle group = h5::exists(file, "comparisons") ? h5::open_group(file, "comparisons")
                                                         : h5::create_group(file, "comparisons");
      for (const ComparisonResults& c : comparisons) {
        const std::string name = c.baseline + "--" + c.reform;
        if (h5::exists(group, name)) h5::unlink(group, name);
        write_comparison(group, c);
      }
      group = h5::Handle();
      image = h5::file_image(file);
      file.close();
    }
    replace_file(target, image);
  } catch (const std::exception& error) {
    throw std::runtime_error(failure + error.what());
  }
}

}  // namespace cradle
