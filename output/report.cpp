#include "output/report.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "output/comparison.h"
#include "output/overview.h"
#include "output/sensitivity.h"
#include "output/summary.h"
#include "output/text.h"
#include "output/validation.h"

namespace cradle {
namespace {

constexpr std::size_t line_limit = 100;
constexpr std::size_t number_width = 14;
constexpr std::size_t columns = 3;  // mean, 5 %, 95 %
// The label column grows with the longest label of a scenario, between these bounds;
// a longer label gets a line of its own, its numbers on the next.
constexpr std::size_t min_label_width = 38;
constexpr std::size_t max_label_width = line_limit - columns * number_width;

// Digits grouped in thousands with commas, independent of the global locale.
std::string grouped(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.erase(0, 1);
  // "-0.00" is noise in a table of money.
  const bool zero = text.find_first_not_of("0.") == std::string::npos;
  const std::size_t point = text.find('.');
  const std::size_t integer_digits = point == std::string::npos ? text.size() : point;
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && i < integer_digits && (integer_digits - i) % 3 == 0) result += ',';
    result += text[i];
  }
  return (negative && !zero ? "-" : "") + result;
}

// Terminal columns of UTF-8 text, counted as code points (labels are ids, not wide CJK).
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

std::string pad(const std::string& text, std::size_t width) {
  const std::size_t used = display_width(text);
  return text + std::string(used < width ? width - used : 0, ' ');
}

// One printed line: a label and, unless it is a heading, the three number cells.
struct Line {
  std::string label;
  std::vector<std::string> cells;
};

// The lines of one scenario, laid out once all labels are known.
class Table {
 public:
  void heading(std::string label) { lines_.push_back({std::move(label), {}}); }
  void cells(std::string label, std::vector<std::string> cells) {
    lines_.push_back({std::move(label), std::move(cells)});
  }
  // Label, then mean, 5 % and 95 % of `sample` over replications.
  void sample(std::string label, const std::vector<double>& sample, int decimals) {
    const Summary summary = summarise(sample, {0.05, 0.95});
    cells(std::move(label), {grouped(summary.mean, decimals), grouped(summary.quantiles[0], decimals),
                             grouped(summary.quantiles[1], decimals)});
  }

  void print(std::ostream& out) const {
    std::size_t width = min_label_width;
    for (const Line& line : lines_) {
      if (!line.cells.empty()) width = std::max(width, display_width(line.label) + 1);
    }
    width = std::min(width, max_label_width);
    for (const Line& line : lines_) {
      if (line.cells.empty()) {
        out << line.label << '\n';
        continue;
      }
      // Never cut a label: a long measure id may differ from another only at its end.
      std::string text;
      if (display_width(line.label) + 1 > width) {
        out << line.label << '\n';
        text = std::string(width, ' ');
      } else {
        text = pad(line.label, width);
      }
      for (const std::string& cell : line.cells) {
        text += std::string(cell.size() < number_width ? number_width - cell.size() : 1, ' ') + cell;
      }
      text.erase(text.find_last_not_of(' ') + 1);  // empty cells leave no trailing blanks
      out << text << '\n';
    }
  }

 private:
  std::vector<Line> lines_;
};

// Collects f(r) over replications r.
std::vector<double> over_replications(std::size_t replications, const std::function<double(std::size_t)>& f) {
  std::vector<double> sample(replications);
  for (std::size_t r = 0; r < replications; ++r) sample[r] = f(r);
  return sample;
}

// Budget shares span orders of magnitude across levels (a county's budget is
// thousands of times smaller than the centre's), so each payer's row has its own
// unit: percent, or parts per million when under 0.01 %. Three significant digits
// of the mean set the decimals of the whole row.
void share_row(Table& table, const std::string& label, const std::vector<double>& shares) {
  const double average = mean(shares);
  const bool tiny = std::fabs(average) < 1e-4;
  const double scale = tiny ? 1e6 : 100.0;
  int decimals = 2;
  if (average != 0.0) {
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(average * scale))));
    decimals = std::clamp(2 - magnitude, 0, 6);
  }
  std::vector<double> scaled;
  for (double share : shares) scaled.push_back(share * scale);
  table.sample(label + (tiny ? ", ppm" : ", %"), scaled, decimals);
}

std::string payer_label(const ScenarioResults& s, std::size_t p) {
  const std::string level = p < s.payer_labels.size() ? s.payer_labels[p].level : "";
  return "      " + s.payers[p] + (level.empty() ? "" : " (" + level + ")");
}

// One year of one scenario, as the rows of the report see it.
struct YearView {
  const ScenarioResults& s;
  std::size_t y;
  std::size_t R;
  MoneyUnit unit;

  //! fen in the report's unit.
  double money(double fen) const { return fen / fen_per_unit(unit); }
  //! The decimals of a money row.
  int decimals() const { return table_decimals(unit); }

  // Collects f(r) over replications r.
  std::vector<double> over_replications(const std::function<double(std::size_t)>& f) const {
    return cradle::over_replications(R, f);
  }
  // Outlay of measure m paid by payer p in replication r, fen.
  double outlay(std::size_t r, std::size_t m, std::size_t p) const {
    return static_cast<double>(s.outlay_fen.at(s.outlay_index(r, y, m, p)));
  }
  // Per replication and payer, exact in fen, as the file's budget_outlay.
  std::int64_t payer_fen(std::size_t r, std::size_t p) const {
    std::int64_t fen = 0;
    for (std::size_t m = 0; m < s.n_measures(); ++m) fen += s.outlay_fen.at(s.outlay_index(r, y, m, p));
    return fen;
  }
};

// Residents, deaths, births, children, enrolment and places of the year.
void add_people(Table& table, const YearView& v) {
  const ScenarioResults& s = v.s;
  const auto B = static_cast<std::size_t>(s.birth_orders);
  table.sample("    Residents on 1 January", v.over_replications([&](std::size_t r) {
    return static_cast<double>(s.population.at(s.year_index(r, v.y)));
  }),
               0);
  table.sample("    Deaths", v.over_replications([&](std::size_t r) {
    return static_cast<double>(s.deaths.at(s.year_index(r, v.y)));
  }),
               0);
  table.sample("    Births", v.over_replications([&](std::size_t r) {
    std::int64_t total = 0;
    for (std::size_t b = 0; b < B; ++b) total += s.births.at(s.births_index(r, v.y, b));
    return static_cast<double>(total);
  }),
               0);
  auto month_average = [&](const std::vector<std::int64_t>& month_sums) {
    return v.over_replications(
        [&](std::size_t r) { return static_cast<double>(month_sums.at(s.year_index(r, v.y))) / 12.0; });
  };
  table.sample("    Children under 3 (avg of months)", month_average(s.child_months_under3), 0);
  table.sample("    Childcare wanted (avg of months)", month_average(s.childcare_demand_months), 0);
  table.sample("    Childcare enrolled (avg of months)", month_average(s.childcare_enrolled_months), 0);
  table.sample("    Kindergarten enrolled (avg of months)", month_average(s.kindergarten_enrolled_months), 0);
  // Places and their planned residents come from the capacity path, the same in every replication.
  const std::int64_t slots = s.childcare_slots.at(v.y), persons = s.persons.at(v.y);
  table.cells("    Childcare places", {grouped(static_cast<double>(slots), 0), "", ""});
  table.cells(
      "    Childcare places per 1000 residents",
      {persons == 0 ? "n/a" : grouped(static_cast<double>(slots) * 1000.0 / static_cast<double>(persons), 2), "", ""});
}

// Outlay of the general public budget by measure, and its total.
void add_outlay_by_measure(Table& table, const YearView& v) {
  const std::size_t M = v.s.n_measures(), P = v.s.n_payers();
  table.heading("    Outlay by measure (general public budget)");
  for (std::size_t m = 0; m < M; ++m) {
    table.sample("      " + v.s.measures[m].id, v.over_replications([&](std::size_t r) {
      double fen = 0;
      for (std::size_t p = 0; p < P; ++p) fen += v.outlay(r, m, p);
      return v.money(fen);
    }),
                 v.decimals());
  }
  // The total's band comes from per-replication totals, not from summing bands.
  table.sample("      Total", v.over_replications([&](std::size_t r) {
    double fen = 0;
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t p = 0; p < P; ++p) fen += v.outlay(r, m, p);
    return v.money(fen);
  }),
               v.decimals());
}

// Outlay by the provenance of its amount: how much of the projection rests on amounts
// the documents state, on derived ones, and on assumptions.
void add_provenance(Table& table, const YearView& v) {
  const std::size_t M = v.s.n_measures(), P = v.s.n_payers();
  table.heading("    Outlay by provenance of its amount");
  for (const std::string& provenance : PROVENANCES) {
    table.sample("      " + provenance, v.over_replications([&](std::size_t r) {
      double fen = 0;
      for (std::size_t m = 0; m < M; ++m) {
        if (v.s.measures[m].provenance != provenance) continue;
        for (std::size_t p = 0; p < P; ++p) fen += v.outlay(r, m, p);
      }
      return v.money(fen);
    }),
                 v.decimals());
  }
}

// Outlay by payer, and each payer's share of its general public budget expenditure.
void add_payers(Table& table, const YearView& v) {
  const ScenarioResults& s = v.s;
  const std::size_t P = s.n_payers();
  table.heading("    Outlay by payer");
  for (std::size_t p = 0; p < P; ++p) {
    table.sample(payer_label(s, p),
                 v.over_replications([&](std::size_t r) { return v.money(static_cast<double>(v.payer_fen(r, p))); }),
                 v.decimals());
  }
  if (P == 0) return;
  table.heading("    Budget share by payer (of its general public budget expenditure; ppm = per million)");
  for (std::size_t p = 0; p < P; ++p) {
    const std::int64_t budget = s.budget_fen.at(s.budget_index(v.y, p));
    if (budget == 0) {
      table.cells(payer_label(s, p) + ", no budget", {"n/a", "n/a", "n/a"});
      continue;
    }
    share_row(table, payer_label(s, p), v.over_replications([&](std::size_t r) {
      return static_cast<double>(v.payer_fen(r, p)) / static_cast<double>(budget);
    }));
  }
}

// The separate ledgers, grouped by ledger in order of first appearance, apart from outlay.
void add_ledgers(Table& table, const YearView& v) {
  const ScenarioResults& s = v.s;
  if (s.n_ledger_measures() == 0) return;
  table.heading("    Separate ledgers (not budget outlay)");
  std::vector<std::string> ledgers;
  for (const MeasureLabel& m : s.ledger_measures) {
    if (std::find(ledgers.begin(), ledgers.end(), m.ledger) == ledgers.end()) ledgers.push_back(m.ledger);
  }
  for (const std::string& ledger : ledgers) {
    table.heading("      " + ledger);
    for (std::size_t l = 0; l < s.n_ledger_measures(); ++l) {
      if (s.ledger_measures[l].ledger != ledger) continue;
      table.sample("        " + s.ledger_measures[l].id, v.over_replications([&](std::size_t r) {
        return v.money(static_cast<double>(s.ledger_fen.at(s.ledger_index(r, v.y, l))));
      }),
                   v.decimals());
    }
  }
}

// The validation table: each observation beside the simulation, and a WARNING line under
// the table for every observation outside its band.
void print_validation(std::ostream& out, const ScenarioResults& s, const RunResults& results) {
  const std::vector<ValidationRow> rows = validation_table(s, results.base, results.sample_weight);
  if (rows.empty()) return;
  const bool shared = !rows.empty() && s.burn_in_births.empty();
  out << "\n  Validation against the record (observed, simulated mean, 90 % band over replications; past\n"
      << (shared ? "  births: the burn-in of the one base population, against a 90 % Poisson band around the observation)\n"
                 : "  births: each replication's burn-in, which is aligned to them)\n");
  char line[256];
  std::snprintf(line, sizeof line, "  %-16s %3s %14s %14s %14s %14s\n", "figure", "tag", "observed", "simulated",
                "band low", "band high");
  out << line;
  for (const ValidationRow& row : rows) {
    const Observation& o = row.observation;
    std::snprintf(line, sizeof line, "  %-16s %3s %14s %14s %14s %14s  %s\n",
                  (o.quantity + " " + std::to_string(o.year)).c_str(), o.tag.c_str(), grouped(o.value, 0).c_str(),
                  grouped(row.simulated_mean, 0).c_str(), grouped(row.low, 0).c_str(), grouped(row.high, 0).c_str(),
                  row.inside ? "inside" : "OUTSIDE");
    out << line;
  }
  for (const ValidationRow& row : rows) {
    if (row.inside) continue;
    const Observation& o = row.observation;
    out << "  WARNING: " << s.id << ": observed " << o.quantity << " " << o.year << " = " << grouped(o.value, 0)
        << " [" << o.tag << "] lies outside the simulated 90 % band " << grouped(row.low, 0) << " - "
        << grouped(row.high, 0) << " (simulated " << grouped(row.simulated_mean, 0) << "); source: " << o.source
        << "\n";
  }
}

void print_scenario(std::ostream& out, const ScenarioResults& s, MoneyUnit unit) {
  const std::size_t R = static_cast<std::size_t>(s.replications);
  out << "Scenario " << s.id << ": " << s.title << "\n"
      << "  " << R << " replication" << (R == 1 ? "" : "s") << "; mean, 5 % and 95 % over replications; money in "
      << unit_name(unit, Language::en) << "\n";
  print_few_replications_note(out, R, Language::en);
  if (R == 0) return;

  Table table;
  for (std::size_t y = 0; y < s.n_years(); ++y) {
    const YearView view{s, y, R, unit};
    table.heading("");
    table.cells("  " + std::to_string(s.years[y]), {"mean", "5 %", "95 %"});
    add_people(table, view);
    add_outlay_by_measure(table, view);
    add_provenance(table, view);
    add_payers(table, view);
    add_ledgers(table, view);
  }
  table.print(out);
}

}  // namespace

void print_summary(std::ostream& out, const RunResults& results, MoneyUnit unit) {
  if (results.scenarios.empty()) {
    out << "No scenarios.\n";
    return;
  }
  for (std::size_t i = 0; i < results.scenarios.size(); ++i) {
    if (i > 0) out << '\n';
    print_scenario(out, results.scenarios[i], unit);
    if (results.scenarios[i].replications > 0) print_validation(out, results.scenarios[i], results);
  }
}

}  // namespace cradle

