#include "output/csv_export.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/comparison.h"
#include "output/summary.h"
#include "output/variables.h"

namespace cradle {

namespace {

//! One value and what it is.
struct Row {
  std::string scenario, variable, year, period, measure, measure_title, payer, payer_name, provenance, statistic;
  double value = 0;
  std::string unit;
};

std::string quoted(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

//! The rows as a file: BOM, header, one line per row.
void write_rows(const std::filesystem::path& path, const std::vector<Row>& rows) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out << "\xEF\xBB\xBF" << CSV_HEADER << "\n";
  for (const Row& r : rows) {
    for (const std::string* f : {&r.scenario, &r.variable, &r.year, &r.period, &r.measure, &r.measure_title, &r.payer,
                                 &r.payer_name, &r.provenance, &r.statistic}) {
      out << quoted(*f) << ',';
    }
    out << number(r.value) << ',' << quoted(r.unit) << '\n';
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

//! Rows of the summary statistics (mean, p05, p50, p95) of one sample, each labelled by `base`.
void add_summary(std::vector<Row>& rows, const Row& base, const std::vector<double>& sample) {
  static const std::vector<double> levels = summary_levels();
  const Summary s = summarise(sample, levels);
  std::size_t level = 0;
  for (const SummaryStatistic& statistic : summary_statistics()) {
    Row r = base;
    r.statistic = statistic.suffix.substr(1);
    r.value = statistic.level ? s.quantiles[level++] : s.mean;
    rows.push_back(r);
  }
}

std::vector<double> over(std::size_t R, const std::function<double(std::size_t)>& f) {
  std::vector<double> out(R);
  for (std::size_t r = 0; r < R; ++r) out[r] = f(r);
  return out;
}

void scenario_money_rows(std::vector<Row>& rows, const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  for (std::size_t y = 0; y < Y; ++y) {
    const std::string year = std::to_string(s.years[y]);
    for (std::size_t p = 0; p < P; ++p) {
      const PayerLabel& payer = s.payer_labels[p];
      for (std::size_t m = 0; m < s.n_measures(); ++m) {
        const MeasureLabel& measure = s.measures[m];
        add_summary(rows, {s.id, "outlay", year, "", measure.id, measure.title, payer.id, payer.name, measure.provenance, "", 0, "CNY"},
                    over(R, [&](std::size_t r) { return static_cast<double>(s.outlay_fen[s.outlay_index(r, y, m, p)]) / 100.0; }));
      }
      const auto payer_fen = [&](std::size_t r) {
        std::int64_t fen = 0;
        for (std::size_t m = 0; m < s.n_measures(); ++m) fen += s.outlay_fen[s.outlay_index(r, y, m, p)];
        return fen;
      };
      add_summary(rows, {s.id, "budget_outlay", year, "", "", "", payer.id, payer.name, "", "", 0, "CNY"},
                  over(R, [&](std::size_t r) { return static_cast<double>(payer_fen(r)) / 100.0; }));
      const std::int64_t budget = s.budget_fen[s.budget_index(y, p)];
      if (budget == 0) continue;
      add_summary(rows, {s.id, "budget_share", year, "", "", "", payer.id, payer.name, "", "", 0, "1"},
                  over(R, [&](std::size_t r) { return static_cast<double>(payer_fen(r)) / static_cast<double>(budget); }));
    }
  }
}

void scenario_count_rows(std::vector<Row>& rows, const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const struct {
    const char* name;
    const std::vector<std::int64_t>* month_sums;
  } averages[] = {{"children_under3", &s.child_months_under3},
                  {"childcare_demand", &s.childcare_demand_months},
                  {"childcare_enrolled", &s.childcare_enrolled_months},
                  {"kindergarten_enrolled", &s.kindergarten_enrolled_months}};
  for (std::size_t y = 0; y < Y; ++y) {
    const std::string year = std::to_string(s.years[y]);
    add_summary(rows, {s.id, "births", year, "", "", "", "", "", "", "", 0, "births"}, over(R, [&](std::size_t r) {
                  double b = 0;
                  for (int k = 0; k < s.birth_orders; ++k) b += static_cast<double>(s.births[s.births_index(r, y, static_cast<std::size_t>(k))]);
                  return b;
                }));
    for (const auto& a : averages) {
      add_summary(rows, {s.id, a.name, year, "", "", "", "", "", "", "", 0, "children"},
                  over(R, [&](std::size_t r) { return static_cast<double>((*a.month_sums)[s.year_index(r, y)]) / 12.0; }));
    }
    rows.push_back({s.id, "childcare_slots", year, "", "", "", "", "", "", "value", static_cast<double>(s.childcare_slots[y]), "places"});
  }
}

//! The horizon's and the plan period's total outlay per replication, summarised.
void scenario_period_rows(std::vector<Row>& rows, const ScenarioResults& s) {
  const std::vector<std::int64_t> total = total_outlay_fen(s);
  for (const auto& [first, last] : {std::pair{s.years.front(), s.years.back()}, std::pair{PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}}) {
    const auto per = sum_over_years(total, s.years, first, last);
    std::vector<double> yuan;
    for (std::int64_t v : per) yuan.push_back(static_cast<double>(v) / 100.0);
    add_summary(rows, {s.id, "total_outlay", "", std::to_string(first) + "-" + std::to_string(last), "", "", "", "", "", "", 0, "CNY"}, yuan);
  }
}

void comparison_rows(std::vector<Row>& rows, const ComparisonResults& c) {
  const std::string id = c.baseline + "--" + c.reform;
  const std::size_t Y = c.n_years();
  const std::vector<std::string>& statistics = comparison_statistics();
  const auto add = [&](const char* variable, const std::vector<std::int64_t>& fen_by_year) {
    std::vector<double> yuan;
    for (std::int64_t v : fen_by_year) yuan.push_back(static_cast<double>(v) / 100.0);
    const std::vector<double> stats = comparison_stats(yuan, c);
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t k = 0; k < statistics.size(); ++k) {
        rows.push_back({id, variable, std::to_string(c.years[y]), "", "", "", "", "", "", statistics[k], stats[y * statistics.size() + k], "CNY"});
      }
    for (const auto& [first, last] : {std::pair{c.years.front(), c.years.back()}, std::pair{PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}}) {
      std::vector<double> period;
      for (std::int64_t v : sum_over_years(fen_by_year, c.years, first, last)) period.push_back(static_cast<double>(v) / 100.0);
      const std::vector<double> p = comparison_stats(period, c);
      for (std::size_t k = 0; k < statistics.size(); ++k) {
        rows.push_back({id, variable, "", std::to_string(first) + "-" + std::to_string(last), "", "", "", "", "", statistics[k], p[k], "CNY"});
      }
    }
  };
  add("total_outlay_difference", total_difference_fen(c, 0));
  if (c.has_split()) {
    add("mechanical_difference", total_difference_fen(c, 1));
    add("behavioural_difference", total_difference_fen(c, 2));
  }
}

}  // namespace

std::size_t write_csv(const std::filesystem::path& dir, const RunResults& results) {
  std::filesystem::create_directories(dir);
  std::vector<Row> rows;
  for (const ScenarioResults& s : results.scenarios) {
    scenario_period_rows(rows, s);
    scenario_money_rows(rows, s);
    scenario_count_rows(rows, s);
  }
  write_rows(dir / "scenarios.csv", rows);
  if (results.comparisons.empty()) return 1;
  rows.clear();
  for (const ComparisonResults& c : results.comparisons) comparison_rows(rows, c);
  write_rows(dir / "comparisons.csv", rows);
  return 2;
}

}  // namespace cradle
