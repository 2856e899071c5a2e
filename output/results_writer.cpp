#include "output/results_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "output/h5.h"
#include "output/summary.h"

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

// The separate ledgers a ledger measure may book to (FORMAT.md, `ledger_kind`).
bool is_ledger_kind(const std::string& kind) {
  return kind == "insurance_fund" || kind == "tax_expenditure" || kind == "provident_fund" || kind == "leave";
}

// Everything that could make the file wrong or the write fail half-way is
// checked here, before the temporary file exists.
void validate(const RunResults& results) {
  if (results.replications < 1) invalid("replications must be at least 1");
  check_text(results.cradle_version, "cradle_version");
  check_text(results.git_revision, "git_revision");
  check_text(results.created_utc, "created_utc");
  std::set<std::string> ids;
  for (const ScenarioResults& s : results.scenarios) {
    const std::string where = "scenario '" + s.id + "'";
    check_text(s.id, "a scenario id");
    if (s.id.empty() || s.id == "." || s.id == ".." || s.id.find('/') != std::string::npos) {
      invalid(where + ": an id must be non-empty, not '.' or '..', and contain no '/'");
    }
    if (!ids.insert(s.id).second) invalid(where + " appears twice");
    check_text(s.title, where + " title");
    check_text(s.resolved_text, where + " scenario text");
    if (s.replications != results.replications) {
      invalid(where + " has " + std::to_string(s.replications) + " replications, the run " +
              std::to_string(results.replications));
    }
    if (s.birth_orders < 1) invalid(where + ": birth_orders must be at least 1");
    if (std::set<int>(s.years.begin(), s.years.end()).size() != s.years.size()) {
      invalid(where + ": years repeat");
    }
    // The labels of a measure axis: every text valid, every id once.
    auto check_measures = [&](const std::vector<MeasureLabel>& labels, const std::string& axis) {
      std::set<std::string> seen;
      for (const MeasureLabel& m : labels) {
        check_text(m.id, where + " " + axis + " id");
        check_text(m.kind, where + " " + axis + " '" + m.id + "' kind");
        check_text(m.title, where + " " + axis + " '" + m.id + "' title");
        check_text(m.source, where + " " + axis + " '" + m.id + "' source");
        check_text(m.caseload_unit, where + " " + axis + " '" + m.id + "' caseload_unit");
        if (!seen.insert(m.id).second) invalid(where + ": " + axis + " '" + m.id + "' appears twice");
      }
      return seen;
    };
    const std::set<std::string> measure_ids = check_measures(s.measures, "measure");
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
    check_measures(s.ledger_measures, "ledger measure");
    for (const MeasureLabel& m : s.ledger_measures) {
      // A measure on both axes would be counted as budget outlay and as a separate ledger at once.
      if (measure_ids.count(m.id) != 0) invalid(where + ": '" + m.id + "' is both a budget and a ledger measure");
      if (!is_ledger_kind(m.kind)) {
        invalid(where + ": ledger measure '" + m.id + "' has kind '" + m.kind +
                "', not one of insurance_fund, tax_expenditure, provident_fund, leave");
      }
    }
    const std::size_t ry = static_cast<std::size_t>(s.replications) * s.n_years();
    check_size(s.outlay_fen.size(), ry * s.n_measures() * s.n_payers(), where + " outlay_fen");
    check_size(s.caseload.size(), ry * s.n_measures(), where + " caseload");
    check_size(s.births.size(), ry * static_cast<std::size_t>(s.birth_orders), where + " births");
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

// The label variables along each labelled axis, named by netCDF's `coordinates`
// attribute so that xarray makes them coordinates rather than data.
constexpr const char* measure_label_names = "measure_kind measure_title measure_source caseload_unit";
constexpr const char* payer_label_names = "payer_level payer_name";
constexpr const char* ledger_label_names = "ledger_kind ledger_title ledger_source ledger_caseload_unit";

std::string join_labels(std::initializer_list<const char*> names) {
  std::string joined;
  for (const char* name : names) {
    if (!joined.empty()) joined += ' ';
    joined += name;
  }
  return joined;
}

struct Scales {
  h5::Handle year;
  h5::Handle measure;
  h5::Handle payer;
  h5::Handle ledger_measure;
};

struct Label {
  const char* name;
  std::vector<std::string> values;
  const char* long_name;
};

// Writes a string dimension scale and its label variables, attached to it.
h5::Handle write_labelled_scale(const h5::Handle& group, const std::string& name, const std::vector<std::string>& ids,
                                const std::string& long_name, const std::vector<Label>& labels) {
  h5::Handle scale = h5::write_strings(group, name, ids);
  describe(scale, "", long_name);
  h5::make_scale(scale, name);
  for (const Label& label : labels) {
    h5::Handle dataset = h5::write_strings(group, label.name, label.values);
    describe(dataset, "", label.long_name);
    h5::attach_scale(dataset, scale, 0);
  }
  return scale;
}

// The four labels of a measure axis: the 1.0 names along measure, ledger_* along ledger_measure.
std::vector<Label> measure_labels(const std::vector<MeasureLabel>& measures, bool ledger) {
  std::vector<Label> labels = {
      {ledger ? "ledger_kind" : "measure_kind",
       {},
       ledger ? "separate ledger the measure books to (insurance_fund, tax_expenditure, provident_fund, leave)"
              : "kind of measure"},
      {ledger ? "ledger_title" : "measure_title", {}, "title of measure"},
      {ledger ? "ledger_source" : "measure_source",
       {},
       "policy document (file name and article) the measure implements"},
      {ledger ? "ledger_caseload_unit" : "caseload_unit", {}, "unit in which the measure's caseload is counted"},
  };
  for (const MeasureLabel& m : measures) {
    labels[0].values.push_back(m.kind);
    labels[1].values.push_back(m.title);
    labels[2].values.push_back(m.source);
    labels[3].values.push_back(m.caseload_unit);
  }
  return labels;
}

std::vector<std::string> ids_of(const std::vector<MeasureLabel>& measures) {
  std::vector<std::string> ids;
  ids.reserve(measures.size());
  for (const MeasureLabel& m : measures) ids.push_back(m.id);
  return ids;
}

// Writes the year, measure, payer and ledger_measure scales, with their labels, into
// `group`. Both the scenario group and its summary group get them: xarray shows a
// group's coordinate values only when the coordinate variables live in it.
Scales write_common_scales(const h5::Handle& group, const ScenarioResults& s) {
  Scales scales;
  std::vector<std::int32_t> years(s.years.begin(), s.years.end());
  scales.year = h5::write_dataset(group, "year", years, {s.n_years()});
  describe(scales.year, "year", "calendar year");
  h5::make_scale(scales.year, "year");

  scales.measure = write_labelled_scale(group, "measure", ids_of(s.measures),
                                        "identifier of a measure paid from the general public budget",
                                        measure_labels(s.measures, false));

  Label levels{"payer_level", {}, "level of government of the paying jurisdiction (central, province, city, county)"};
  Label names{"payer_name", {}, "name of the paying jurisdiction"};
  for (const PayerLabel& payer : s.payer_labels) {
    levels.values.push_back(payer.level);
    names.values.push_back(payer.name);
  }
  scales.payer =
      write_labelled_scale(group, "payer", s.payers, "paying jurisdiction (its level is payer_level)", {levels, names});

  scales.ledger_measure = write_labelled_scale(
      group, "ledger_measure", ids_of(s.ledger_measures),
      "identifier of a measure of a separate ledger (insurance fund, tax expenditure, provident fund, leave), "
      "not paid from the general public budget",
      measure_labels(s.ledger_measures, true));
  return scales;
}

void attach_all(const h5::Handle& dataset, const std::vector<const h5::Handle*>& axes) {
  for (std::size_t axis = 0; axis < axes.size(); ++axis) {
    h5::attach_scale(dataset, *axes[axis], static_cast<unsigned>(axis));
  }
}

// A float64 dataset with its description, label coordinates (may be empty) and axes.
void write_described(const h5::Handle& group, const std::string& name, const std::vector<double>& values,
                     const std::vector<const h5::Handle*>& axes, const std::vector<hsize_t>& dims,
                     const std::string& units, const std::string& long_name, const std::string& coordinates) {
  h5::Handle dataset = h5::write_dataset(group, name, values, dims);
  describe(dataset, units, long_name);
  if (!coordinates.empty()) h5::write_attribute(dataset, "coordinates", coordinates);
  attach_all(dataset, axes);
}

// Mean and quantiles over replications, one sample at a time.
struct Statistics {
  std::vector<double> mean, p05, p50, p95;

  void add(const std::vector<double>& sample) {
    mean.push_back(cradle::mean(sample));
    p05.push_back(quantile(sample, 0.05));
    p50.push_back(quantile(sample, 0.50));
    p95.push_back(quantile(sample, 0.95));
  }
  // A statistic of a sample that is undefined in every replication (a ratio to a zero budget).
  void add_undefined() {
    for (auto* values : {&mean, &p05, &p50, &p95}) values->push_back(std::numeric_limits<double>::quiet_NaN());
  }
};

// Writes name_mean, name_p05, name_p50 and name_p95 of `statistics`.
void write_statistics(const h5::Handle& group, const std::string& name, const Statistics& statistics,
                      const std::vector<const h5::Handle*>& axes, const std::vector<hsize_t>& dims,
                      const std::string& units, const std::string& what, const std::string& coordinates) {
  const struct {
    const char* suffix;
    const std::vector<double>& values;
    const char* statistic;
  } columns[] = {
      {"_mean", statistics.mean, "mean over replications"},
      {"_p05", statistics.p05, "5th percentile over replications (linear interpolation)"},
      {"_p50", statistics.p50, "median over replications (linear interpolation)"},
      {"_p95", statistics.p95, "95th percentile over replications (linear interpolation)"},
  };
  for (const auto& column : columns) {
    write_described(group, name + column.suffix, column.values, axes, dims, units, what + ", " + column.statistic,
                    coordinates);
  }
}

double share(std::int64_t part_fen, std::int64_t whole_fen) {
  // Both exact in fen; one division, so budget_share is the same number however it is recomputed from fen.
  return whole_fen == 0 ? std::numeric_limits<double>::quiet_NaN()
                        : static_cast<double>(part_fen) / static_cast<double>(whole_fen);
}

constexpr const char* ledger_note =
    "; NOT general public budget outlay (insurance fund payout, revenue forgone, provident fund liquidity or "
    "leave wage cost), never included in outlay or budget_outlay";

void write_summary(const h5::Handle& scenario_group, const ScenarioResults& s,
                   const std::vector<std::int64_t>& budget_outlay_fen) {
  h5::Handle group = h5::create_group(scenario_group, "summary");
  Scales scales = write_common_scales(group, s);
  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers(), L = s.n_ledger_measures();
  std::vector<double> sample(R);

  Statistics outlay;
  for (std::size_t y = 0; y < Y; ++y)
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t p = 0; p < P; ++p) {
        for (std::size_t r = 0; r < R; ++r) {
          sample[r] = static_cast<double>(s.outlay_fen[s.outlay_index(r, y, m, p)]) / 100.0;
        }
        outlay.add(sample);
      }
  write_statistics(group, "outlay", outlay, {&scales.year, &scales.measure, &scales.payer}, {Y, M, P}, "CNY",
                   "public outlay", join_labels({measure_label_names, payer_label_names}));

  Statistics budget_outlay, budget_share;
  for (std::size_t y = 0; y < Y; ++y)
    for (std::size_t p = 0; p < P; ++p) {
      for (std::size_t r = 0; r < R; ++r) {
        sample[r] = static_cast<double>(budget_outlay_fen[(r * Y + y) * P + p]) / 100.0;
      }
      budget_outlay.add(sample);
      const std::int64_t budget = s.budget_fen[s.budget_index(y, p)];
      if (budget == 0) {
        budget_share.add_undefined();
        continue;
      }
      for (std::size_t r = 0; r < R; ++r) sample[r] = share(budget_outlay_fen[(r * Y + y) * P + p], budget);
      budget_share.add(sample);
    }
  write_statistics(group, "budget_outlay", budget_outlay, {&scales.year, &scales.payer}, {Y, P}, "CNY",
                   "public outlay on all budget measures by payer", payer_label_names);
  write_statistics(group, "budget_share", budget_share, {&scales.year, &scales.payer}, {Y, P}, "1",
                   "budget_outlay as a share of the payer's general public budget expenditure (NaN where that "
                   "budget is 0)",
                   payer_label_names);

  Statistics ledger;
  for (std::size_t y = 0; y < Y; ++y)
    for (std::size_t l = 0; l < L; ++l) {
      for (std::size_t r = 0; r < R; ++r)
        sample[r] = static_cast<double>(s.ledger_fen[s.ledger_index(r, y, l)]) / 100.0;
      ledger.add(sample);
    }
  write_statistics(group, "ledger_amount", ledger, {&scales.year, &scales.ledger_measure}, {Y, L}, "CNY",
                   std::string("amount of each separate-ledger measure") + ledger_note, ledger_label_names);
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
  for (std::int64_t v : fen) values.push_back(static_cast<double>(v) / 100.0);
  return values;
}

void write_scenario(const h5::Handle& scenarios, const ScenarioResults& s,
                    const std::vector<std::int64_t>& budget_outlay_fen) {
  h5::Handle group = h5::create_group(scenarios, s.id);
  h5::write_attribute(group, "id", s.id);
  h5::write_attribute(group, "title", s.title);
  h5::write_attribute(group, "scenario_text", s.resolved_text);

  const std::size_t R = static_cast<std::size_t>(s.replications);
  const std::size_t Y = s.n_years(), M = s.n_measures(), P = s.n_payers(), L = s.n_ledger_measures();
  const auto B = static_cast<std::size_t>(s.birth_orders);

  Scales scales = write_common_scales(group, s);

  std::vector<std::int32_t> replication_index(R);
  for (std::size_t r = 0; r < R; ++r) replication_index[r] = static_cast<std::int32_t>(r);
  h5::Handle replication = h5::write_dataset(group, "replication", replication_index, {R});
  describe(replication, "1", "replication index");
  h5::make_scale(replication, "replication");

  std::vector<std::int32_t> orders(B);
  for (std::size_t b = 0; b < B; ++b) orders[b] = static_cast<std::int32_t>(b + 1);
  h5::Handle birth_order = h5::write_dataset(group, "birth_order", orders, {B});
  const std::string last = std::to_string(B);
  describe(birth_order, "1", "birth order (" + last + " stands for " + last + " and higher)");
  h5::write_attribute(birth_order, "note",
                      "the last birth order, " + last + ", counts births of order " + last + " and higher");
  h5::make_scale(birth_order, "birth_order");

  const std::string outlay_labels = join_labels({measure_label_names, payer_label_names});
  h5::Handle outlay = h5::write_dataset(group, "outlay", yuan(s.outlay_fen), {R, Y, M, P});
  describe(outlay, "CNY", "public outlay by measure and paying level of government");
  h5::write_attribute(outlay, "coordinates", outlay_labels);
  attach_all(outlay, {&replication, &scales.year, &scales.measure, &scales.payer});

  h5::Handle outlay_fen = h5::write_dataset(group, "outlay_fen", s.outlay_fen, {R, Y, M, P});
  describe(outlay_fen, "fen", "public outlay by measure and paying level of government, exact (1 CNY = 100 fen)");
  h5::write_attribute(outlay_fen, "coordinates", outlay_labels);
  attach_all(outlay_fen, {&replication, &scales.year, &scales.measure, &scales.payer});

  h5::Handle caseload = h5::write_dataset(group, "caseload", s.caseload, {R, Y, M});
  describe(caseload, "1", "caseload of each measure, counted in the measure's own unit");
  h5::write_attribute(caseload, "unit_per_measure",
                      "each measure has its own caseload unit (e.g. child-months): see the "
                      "caseload_unit coordinate along measure");
  h5::write_attribute(caseload, "coordinates", measure_label_names);
  attach_all(caseload, {&replication, &scales.year, &scales.measure});

  h5::Handle births = h5::write_dataset(group, "births", s.births, {R, Y, B});
  describe(births, "births", "live births by birth order");
  attach_all(births, {&replication, &scales.year, &birth_order});

  h5::Handle under3 = h5::write_dataset(group, "children_under3", per_year(s.child_months_under3), {R, Y});
  describe(under3, "children", "children under 3, average of the 12 monthly counts");
  attach_all(under3, {&replication, &scales.year});

  h5::Handle enrolled = h5::write_dataset(group, "childcare_enrolled", per_year(s.childcare_enrolled_months), {R, Y});
  describe(enrolled, "children", "children enrolled in childcare, average of the 12 monthly counts");
  attach_all(enrolled, {&replication, &scales.year});

  // Format 1.1 from here on.
  h5::Handle deaths = h5::write_dataset(group, "deaths", s.deaths, {R, Y});
  describe(deaths, "persons", "deaths of the modelled persons (women 8-49 and children under 7) in the year");
  attach_all(deaths, {&replication, &scales.year});
  h5::Handle population = h5::write_dataset(group, "population", s.population, {R, Y});
  describe(population, "persons",
           "residents at the start of the year: the persons of the households present, with the children born to them "
           "less the deaths among them since the first year (other adults held constant)");
  attach_all(population, {&replication, &scales.year});
  h5::Handle migration = h5::write_dataset(group, "net_migration", s.net_migration, {R, Y});
  describe(migration, "persons",
           "persons of the households arriving less those of the households leaving, at the start of the year (with "
           "the children born to them and less their deaths in the run); population[t+1] = population[t] + births[t] "
           "- deaths[t] + net_migration[t+1]");
  attach_all(migration, {&replication, &scales.year});
  h5::Handle demand = h5::write_dataset(group, "childcare_demand", per_year(s.childcare_demand_months), {R, Y});
  describe(demand, "children",
           "children whose families want a childcare place (enrolled and unmet), average of the 12 monthly counts");
  attach_all(demand, {&replication, &scales.year});
  std::vector<std::int64_t> unmet_months(s.childcare_demand_months.size());
  for (std::size_t i = 0; i < unmet_months.size(); ++i) {
    unmet_months[i] = s.childcare_demand_months[i] - s.childcare_enrolled_months[i];
  }
  h5::Handle unmet = h5::write_dataset(group, "childcare_unmet", per_year(unmet_months), {R, Y});
  describe(unmet, "children",
           "children wanting a childcare place without one (demand - enrolled, places being full), average of the 12 "
           "monthly counts");
  attach_all(unmet, {&replication, &scales.year});

  h5::Handle kindergarten =
      h5::write_dataset(group, "kindergarten_enrolled", per_year(s.kindergarten_enrolled_months), {R, Y});
  describe(kindergarten, "children", "children enrolled in kindergarten (average of monthly counts)");
  attach_all(kindergarten, {&replication, &scales.year});

  h5::Handle budget = h5::write_dataset(group, "budget", yuan(s.budget_fen), {Y, P});
  describe(budget, "CNY", "general public budget expenditure of the paying jurisdiction");
  h5::write_attribute(budget, "coordinates", payer_label_names);
  attach_all(budget, {&scales.year, &scales.payer});

  h5::Handle budget_outlay = h5::write_dataset(group, "budget_outlay", yuan(budget_outlay_fen), {R, Y, P});
  describe(budget_outlay, "CNY", "public outlay on all budget measures by payer (outlay summed over measure)");
  h5::write_attribute(budget_outlay, "coordinates", payer_label_names);
  attach_all(budget_outlay, {&replication, &scales.year, &scales.payer});

  std::vector<double> shares(budget_outlay_fen.size());
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t p = 0; p < P; ++p) {
        const std::size_t i = (r * Y + y) * P + p;
        shares[i] = share(budget_outlay_fen[i], s.budget_fen[s.budget_index(y, p)]);
      }
  h5::Handle budget_share = h5::write_dataset(group, "budget_share", shares, {R, Y, P});
  describe(budget_share, "1",
           "budget_outlay as a share of the payer's general public budget expenditure (NaN where that budget is 0)");
  h5::write_attribute(budget_share, "coordinates", payer_label_names);
  attach_all(budget_share, {&replication, &scales.year, &scales.payer});

  h5::Handle slots = h5::write_dataset(group, "childcare_slots", s.childcare_slots, {Y});
  describe(slots, "places", "childcare places (capacity) in the year");
  attach_all(slots, {&scales.year});

  h5::Handle persons = h5::write_dataset(group, "persons", s.persons, {Y});
  describe(persons, "persons", "resident persons of the simulated place");
  attach_all(persons, {&scales.year});

  std::vector<double> per_1000(Y);
  for (std::size_t y = 0; y < Y; ++y) {
    per_1000[y] = s.persons[y] == 0
                      ? std::numeric_limits<double>::quiet_NaN()
                      : static_cast<double>(s.childcare_slots[y]) * 1000.0 / static_cast<double>(s.persons[y]);
  }
  h5::Handle slots_per_1000 = h5::write_dataset(group, "slots_per_1000", per_1000, {Y});
  describe(slots_per_1000, "places per 1000 residents",
           "childcare places per 1000 resident persons (NaN where persons is 0)");
  attach_all(slots_per_1000, {&scales.year});

  h5::Handle ledger_amount = h5::write_dataset(group, "ledger_amount", yuan(s.ledger_fen), {R, Y, L});
  describe(ledger_amount, "CNY", std::string("amount of each separate-ledger measure") + ledger_note);
  h5::write_attribute(ledger_amount, "coordinates", ledger_label_names);
  attach_all(ledger_amount, {&replication, &scales.year, &scales.ledger_measure});

  h5::Handle ledger_amount_fen = h5::write_dataset(group, "ledger_amount_fen", s.ledger_fen, {R, Y, L});
  describe(ledger_amount_fen, "fen",
           std::string("amount of each separate-ledger measure, exact (1 CNY = 100 fen)") + ledger_note);
  h5::write_attribute(ledger_amount_fen, "coordinates", ledger_label_names);
  attach_all(ledger_amount_fen, {&replication, &scales.year, &scales.ledger_measure});

  h5::Handle ledger_caseload = h5::write_dataset(group, "ledger_caseload", s.ledger_caseload, {R, Y, L});
  describe(ledger_caseload, "1", "caseload of each separate-ledger measure, counted in the measure's own unit");
  h5::write_attribute(ledger_caseload, "unit_per_measure",
                      "each ledger measure has its own caseload unit: see the ledger_caseload_unit coordinate "
                      "along ledger_measure");
  h5::write_attribute(ledger_caseload, "coordinates", ledger_label_names);
  attach_all(ledger_caseload, {&replication, &scales.year, &scales.ledger_measure});

  // Uncertain parameters, one draw per replication.
  std::vector<std::string> names;
  std::vector<Label> parameter_labels = {
      {"parameter_distribution", {}, "distribution the parameter is drawn from, once per replication"},
      {"parameter_source", {}, "source of the parameter's distribution"},
  };
  std::vector<double> centres;
  for (const ParameterLabel& l : s.parameter_labels) {
    names.push_back(l.name);
    parameter_labels[0].values.push_back(l.distribution);
    parameter_labels[1].values.push_back(l.source);
    centres.push_back(l.centre);
  }
  h5::Handle parameter = write_labelled_scale(group, "parameter", names, "uncertain parameter", parameter_labels);
  h5::Handle centre = h5::write_dataset(group, "parameter_centre", centres, {names.size()});
  describe(centre, "1", "centre of the parameter's distribution (mean; median for a lognormal)");
  h5::attach_scale(centre, parameter, 0);
  h5::Handle parameters = h5::write_dataset(group, "parameters", s.parameters, {R, names.size()});
  describe(parameters, "1",
           "value of each uncertain parameter in each replication (birth_response: births per share of household "
           "income; levels: multipliers)");
  h5::write_attribute(parameters, "coordinates", "parameter_distribution parameter_source parameter_centre");
  attach_all(parameters, {&replication, &parameter});

  write_summary(group, s, budget_outlay_fen);
}

// The base population's composition beside the profile's shares (1.2).
void write_base_population(const h5::Handle& file, const BaseComposition& base) {
  if (base.households.empty()) return;
  h5::Handle group = h5::create_group(file, "base_population");
  describe(group, "", "the simulated population in the first year (residents, weighted), beside the profile's shares");
  for (const BaseComposition::Margin& m : base.households) {
    h5::Handle scale = h5::write_strings(group, m.name, m.categories);
    describe(scale, "", m.long_name);
    h5::make_scale(scale, m.name);
    h5::Handle counts = h5::write_dataset(group, "households_by_" + m.name, m.households, {m.households.size()});
    describe(counts, "households", "households by " + m.long_name);
    h5::attach_scale(counts, scale, 0);
    h5::Handle shares = h5::write_dataset(group, m.name + "_profile_share", m.profile_share, {m.profile_share.size()});
    describe(shares, "1", "the profile's share of households by " + m.long_name + " (NaN for a persons file)");
    h5::attach_scale(shares, scale, 0);
  }
  std::vector<std::int32_t> ages;
  for (int a = BaseComposition::MIN_AGE; a <= BaseComposition::MAX_AGE; ++a) ages.push_back(a);
  h5::Handle age = h5::write_dataset(group, "age", ages, {ages.size()});
  describe(age, "years", "age attained in the first year");
  h5::make_scale(age, "age");
  h5::Handle parity = h5::write_strings(group, "parity", {"0", "1", "2", "3+"});
  describe(parity, "", "live births so far");
  h5::make_scale(parity, "parity");
  h5::Handle women = h5::write_dataset(group, "women_by_age_parity", base.women_by_age_parity,
                                       {ages.size(), static_cast<hsize_t>(BaseComposition::PARITIES)});
  describe(women, "women", "women by age and parity at the start of the first year");
  h5::attach_scale(women, age, 0);
  h5::attach_scale(women, parity, 1);
}

void write_file(const std::filesystem::path& path, const RunResults& results,
                const std::vector<std::vector<std::int64_t>>& budget_outlay_fen, Clock::time_point start) {
  h5::Handle file = h5::create_file(path);
  {
    h5::Handle root = h5::open_group(file, "/");
    h5::write_attribute(root, "filetype", "cradle.results");
    h5::write_attribute(root, "format_version", std::vector<std::int32_t>{RESULTS_FORMAT_MAJOR, RESULTS_FORMAT_MINOR});
    h5::write_attribute(root, "cradle_version", results.cradle_version);
    h5::write_attribute(root, "git_revision", results.git_revision);
    h5::write_attribute(root, "created_utc", results.created_utc);
    h5::write_attribute(root, "seed", results.seed);
    h5::write_attribute(root, "replications", std::int64_t{results.replications});
    h5::write_attribute(root, "threads", std::int64_t{results.threads});
    h5::write_attribute(root, "households", results.households);
    // 1.1: a 1-in-k sample; every count and amount in the file is already scaled by k.
    h5::write_attribute(root, "sample_fraction",
                        std::vector<std::int32_t>{1, static_cast<std::int32_t>(results.sample_weight)});
    h5::write_attribute(root, "households_simulated",
                        results.households_simulated > 0 ? results.households_simulated : results.households);
    h5::write_attribute(root, "persons", results.persons);

    write_base_population(file, results.base);
    h5::Handle scenarios = h5::create_group(file, "scenarios");
    for (std::size_t i = 0; i < results.scenarios.size(); ++i) {
      write_scenario(scenarios, results.scenarios[i], budget_outlay_fen[i]);
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
  file.close();
}

// HDF5 leaves data in the page cache; without fsync a crash soon after the
// rename could leave a complete-looking name over incomplete bytes.
void sync_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path.string());
  const int status = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (status != 0) throw std::system_error(saved, std::generic_category(), "cannot fsync " + path.string());
}

void sync_directory(const std::filesystem::path& directory) {
  // Best effort: the rename has happened, so failing here would misreport the outcome.
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
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
  std::filesystem::path temporary = target;
  temporary += ".tmp." + std::to_string(::getpid());
  try {
    write_file(temporary, results, budget_outlay_fen, start);
    sync_file(temporary);
    std::filesystem::rename(temporary, target);
  } catch (const std::exception& error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(failure + error.what());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  sync_directory(target.parent_path());
}

}  // namespace cradle
