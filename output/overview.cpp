#include "output/overview.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "output/comparison.h"
#include "output/sensitivity.h"
#include "output/summary.h"
#include "output/validation.h"

namespace cradle {

namespace {

//! A row of left-aligned label and right-aligned cells of fixed widths.
std::string row(const std::string& label, std::size_t label_width, const std::vector<std::string>& cells,
                std::size_t cell_width) {
  std::string text = pad_to(label, label_width);
  for (const std::string& cell : cells) {
    text += ' ';
    text += pad_to(cell, cell_width, true);
  }
  text.erase(text.find_last_not_of(' ') + 1);
  return text + "\n";
}

std::vector<double> sample_of(std::size_t R, const std::function<double(std::size_t)>& f) {
  std::vector<double> out(R);
  for (std::size_t r = 0; r < R; ++r) out[r] = f(r);
  return out;
}

Summary band(const std::vector<double>& sample) { return summarise(sample, {0.05, 0.95}); }

void print_years(std::ostream& out, const ScenarioResults& s, const ReportStyle& st) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const Language l = st.lang;
  const std::vector<std::int64_t> total = total_outlay_fen(s);
  const double unit = fen_per_unit(st.unit);
  const int d = table_decimals(st.unit);
  out << row(say(l, "year", "年份"),
             6, {say(l, "total outlay", "总支出"), "5 %", "95 %", say(l, "births", "出生"),
                 say(l, "childcare wanted", "托育需求"), say(l, "places", "托位")}, 16);
  for (std::size_t y = 0; y < Y; ++y) {
    const Summary money = band(sample_of(R, [&](std::size_t r) { return static_cast<double>(total[r * Y + y]) / unit; }));
    const Summary births = band(sample_of(R, [&](std::size_t r) {
      double b = 0;
      for (int k = 0; k < s.birth_orders; ++k) b += static_cast<double>(s.births[s.births_index(r, y, static_cast<std::size_t>(k))]);
      return b;
    }));
    const Summary wanted = band(sample_of(R, [&](std::size_t r) {
      return static_cast<double>(s.childcare_demand_months[s.year_index(r, y)]) / 12.0;
    }));
    out << row(std::to_string(s.years[y]), 6,
               {grouped(money.mean, d), grouped(money.quantiles[0], d), grouped(money.quantiles[1], d),
                grouped(births.mean, 0), grouped(wanted.mean, 0), grouped(static_cast<double>(s.childcare_slots[y]), 0)},
               16);
  }
}

void print_payers(std::ostream& out, const ScenarioResults& s, const ReportStyle& st) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  const Language l = st.lang;
  const std::vector<std::int64_t> outlay = payer_outlay_fen(s);
  out << "\n" << say(l, "By paying level: mean outlay (mean budget share, % of its general public budget)",
                     "分级负担：平均支出（占本级一般公共预算支出的平均比例，%）")
      << "\n";
  std::vector<std::string> heads;
  std::size_t width = 20;
  for (const PayerLabel& p : s.payer_labels) {
    heads.push_back(payer_title(p, l));
    width = std::max(width, display_width(heads.back()));
  }
  out << row(say(l, "year", "年份"), 6, heads, width);
  for (std::size_t y = 0; y < Y; ++y) {
    std::vector<std::string> cells;
    for (std::size_t p = 0; p < P; ++p) {
      const auto at = [&](std::size_t r) { return outlay[(r * Y + y) * P + p]; };
      const double mean = band(sample_of(R, [&](std::size_t r) { return static_cast<double>(at(r)); })).mean;
      const std::int64_t budget = s.budget_fen[s.budget_index(y, p)];
      std::string cell = grouped(mean / fen_per_unit(st.unit), table_decimals(st.unit));
      if (budget != 0) {
        const double share = band(sample_of(R, [&](std::size_t r) {
                               return static_cast<double>(at(r)) / static_cast<double>(budget);
                             })).mean;
        cell += " (" + grouped(100.0 * share, 4) + ")";
      }
      cells.push_back(cell);
    }
    out << row(std::to_string(s.years[y]), 6, cells, width);
  }
}

//! Horizon and plan-period totals: the mean exact to the fen, its band, and by payer.
void print_totals(std::ostream& out, const ScenarioResults& s, const ReportStyle& st) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  const Language l = st.lang;
  const std::vector<std::int64_t> total = total_outlay_fen(s), by_payer = payer_outlay_fen(s);
  const std::vector<std::pair<int, int>> periods = {{s.years.front(), s.years.back()},
                                                    {PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}};
  out << "\n" << say(l, "Totals over a period (mean over replications, exact to the fen)", "期间合计（各次模拟的平均值，精确到分）") << "\n";
  std::vector<std::string> heads;
  for (const auto& [first, last] : periods) heads.push_back(std::to_string(first) + "-" + std::to_string(last));
  std::size_t label_width = 24;
  for (const PayerLabel& p : s.payer_labels) label_width = std::max(label_width, display_width(payer_title(p, l)) + 3);
  out << row("", label_width, heads, 24);
  const auto sums = [&](const std::function<std::int64_t(std::size_t, std::size_t)>& at, int first, int last) {
    std::vector<std::int64_t> per(R, 0);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t y = 0; y < Y; ++y) {
        if (s.years[y] >= first && s.years[y] <= last) per[r] += at(r, y);
      }
    return per;
  };
  std::vector<std::string> means, bands;
  for (const auto& [first, last] : periods) {
    const auto per = sums([&](std::size_t r, std::size_t y) { return total[r * Y + y]; }, first, last);
    means.push_back(exact_mean(per, st.unit));
    bands.push_back(money_band(per, st.unit));
  }
  out << row(say(l, "total outlay", "总支出"), label_width, means, 24) << row("  5 %-95 %", label_width, bands, 24);
  for (std::size_t p = 0; p < P; ++p) {
    std::vector<std::string> cells;
    for (const auto& [first, last] : periods) {
      cells.push_back(exact_mean(sums([&](std::size_t r, std::size_t y) { return by_payer[(r * Y + y) * P + p]; }, first, last),
                                 st.unit));
    }
    out << row("  " + payer_title(s.payer_labels[p], l), label_width, cells, 24);
  }
}

void print_validation_line(std::ostream& out, const ScenarioResults& s, const RunResults& results, Language l) {
  const std::vector<ValidationRow> rows = validation_table(s, results.base, results.sample_weight);
  if (rows.empty()) return;
  const auto inside = std::count_if(rows.begin(), rows.end(), [](const ValidationRow& v) { return v.inside; });
  out << "\n" << say(l, "Validation: ", "校验：") << inside << " / " << rows.size()
      << say(l, " observations of the record inside their 90 % bands", " 项官方统计落在模拟的90%区间内") << "\n";
  for (const ValidationRow& v : rows) {
    if (v.inside) continue;
    const Observation& o = v.observation;
    out << "  WARNING: " << s.id << ": " << say(l, "observed ", "实际 ") << o.quantity << " " << o.year << " = "
        << grouped(o.value, 0) << " [" << o.tag << "] " << say(l, "lies outside the simulated 90 % band ", "落在模拟90%区间之外 ")
        << grouped(v.low, 0) << " - " << grouped(v.high, 0) << say(l, " (simulated ", "（模拟 ") << grouped(v.simulated_mean, 0)
        << say(l, "); source: ", "）；来源：") << o.source << "\n";
  }
}

//! One line of a measure's total over the horizon: the mean of `sum` over R replications,
//! exact to the fen, then `label` and the measure's title and id.
void print_measure_total(std::ostream& out, WideFen sum, std::size_t R, const std::string& label, const MeasureLabel& m,
                         const ReportStyle& st) {
  out << "  " << pad_to(exact_money(mean_fen(sum, static_cast<std::int64_t>(R)), st.unit), 22, true) << "  " << label
      << measure_title(m, st.lang) << " (" << m.id << ")\n";
}

//! Each measure's outlay over the horizon: mean exact to the fen, by its title in the language.
void print_measures(std::ostream& out, const ScenarioResults& s, const ReportStyle& st) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  out << "\n" << say(st.lang, "Outlay by measure over the horizon (mean, exact to the fen)", "分项支出（全期平均，精确到分）")
      << "\n";
  for (std::size_t m = 0; m < s.n_measures(); ++m) {
    WideFen sum = 0;
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t y = 0; y < Y; ++y)
        for (std::size_t p = 0; p < P; ++p) sum += s.outlay_fen[s.outlay_index(r, y, m, p)];
    print_measure_total(out, sum, R, "", s.measures[m], st);
  }
}

//! Each measure of a separate ledger (revenue forgone, insurance funds, leave wages, the
//! provident fund) over the horizon, apart from the outlay: mean exact to the fen, its
//! ledger named before its title.
void print_ledgers(std::ostream& out, const ScenarioResults& s, const ReportStyle& st) {
  if (s.n_ledger_measures() == 0) return;
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  out << "\n"
      << say(st.lang, "Separate ledgers over the horizon, not budget outlay (mean, exact to the fen)",
             "单列账户，不计入预算支出（全期平均，精确到分）")
      << "\n";
  for (std::size_t m = 0; m < s.n_ledger_measures(); ++m) {
    WideFen sum = 0;
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t y = 0; y < Y; ++y) sum += s.ledger_fen[s.ledger_index(r, y, m)];
    print_measure_total(out, sum, R, "[" + s.ledger_measures[m].ledger + "] ", s.ledger_measures[m], st);
  }
}

void print_ranking(std::ostream& out, const std::vector<SensitivityEntry>& ranking, double noise, std::size_t R,
                   Language l) {
  if (ranking.empty()) {
    out << say(l, "No sensitivity ranking: it needs an uncertain input that varies and at least ",
               "无敏感性排序：需要至少一个不确定输入且至少 ")
        << MIN_SENSITIVITY_REPLICATIONS << say(l, " replications.", " 次模拟。") << "\n";
    return;
  }
  char intro[160];
  std::snprintf(intro, sizeof intro, "%.3f", noise);
  out << say(l, "Uncertain inputs by their share of the spread (rank regression; shares below ",
             "不确定输入按其对离散程度的贡献排序（秩回归；低于 ")
      << intro << say(l, " are noise at ", " 的份额在 ") << R << say(l, " replications):", " 次模拟下属于噪声）：") << "\n";
  for (std::size_t i = 0; i < ranking.size() && i < 10; ++i) {
    char text[64];
    std::snprintf(text, sizeof text, "  %2zu. share %5.3f  coefficient %+6.3f  ", i + 1, ranking[i].share,
                  ranking[i].coefficient);
    out << text << ranking[i].parameter << "\n";
  }
}

}  // namespace

void print_few_replications_note(std::ostream& out, std::size_t replications, Language l) {
  if (replications == 0 || replications >= FEW_REPLICATIONS) return;
  const long held = std::lround(100 * expected_band_coverage(replications, 0.05, 0.95));
  out << say(l, "Note: with ", "注：仅 ") << replications
      << say(l, " replications a 5 %-95 % band holds only about ", " 次模拟时，5%-95%区间只包含约 ") << held
      << say(l, " % of further replications;\n      run -r ", "% 的新模拟结果；按90%区间解读前，请用 -r ")
      << FEW_REPLICATIONS
      << say(l, " or more before reading the bands (and the validation against them) as 90 % ones.",
             " 或更多次模拟（校验亦然）。")
      << "\n";
}

std::string payer_title(const PayerLabel& p, Language lang) { return title_in(p.name.empty() ? p.id : p.name, lang); }

std::string measure_title(const MeasureLabel& m, Language lang) { return title_in(m.title.empty() ? m.id : m.title, lang); }

std::vector<std::int64_t> payer_outlay_fen(const ScenarioResults& s) {
  return sum_over_measures(s.outlay_fen, static_cast<std::size_t>(s.replications) * s.n_years(), s.n_measures(),
                           s.n_payers());
}

std::string exact_mean(const std::vector<std::int64_t>& per_replication, MoneyUnit unit) {
  WideFen sum = 0;
  for (std::int64_t v : per_replication) sum += v;
  return exact_money(mean_fen(sum, static_cast<std::int64_t>(per_replication.size())), unit);
}

std::string money_band(const std::vector<std::int64_t>& per_replication, MoneyUnit unit) {
  const Summary b = band(std::vector<double>(per_replication.begin(), per_replication.end()));
  const int d = table_decimals(unit);
  std::string text(1, '[');
  text += grouped(b.quantiles[0] / fen_per_unit(unit), d);
  text += ", ";
  text += grouped(b.quantiles[1] / fen_per_unit(unit), d);
  text += ']';
  return text;
}

void print_overview(std::ostream& out, const RunResults& results, const ReportStyle& style, bool more) {
  const Language l = style.lang;
  for (const ScenarioResults& s : results.scenarios) {
    out << "\n"
        << say(l, "Scenario ", "情景 ") << s.id << ": " << title_in(s.title, l) << "\n"
        << replications_said(s.replications, s.replications_per_population, l) << say(l, ", ", "，") << s.years.front()
        << "-" << s.years.back() << say(l, "; money in ", "；金额单位：") << unit_name(style.unit, l)
        << say(l, "; mean and 5 %-95 % band over replications", "；各次模拟的平均值及5%-95%区间") << "\n";
    print_few_replications_note(out, static_cast<std::size_t>(s.replications), l);
    if (!s.variant.empty()) out << say(l, "Variant: ", "变体：") << s.variant << "\n";
    out << "\n";
    print_years(out, s, style);
    print_payers(out, s, style);
    print_totals(out, s, style);
    print_validation_line(out, s, results, l);
    if (more) {
      print_measures(out, s, style);
      print_ledgers(out, s, style);
      const auto ranking = outlay_sensitivity(s);
      out << "\n";
      print_ranking(out, ranking, sensitivity_noise_share(static_cast<std::size_t>(s.replications), ranking.size()),
                    static_cast<std::size_t>(s.replications), l);
    }
  }
}

namespace {

std::string paired(const std::vector<double>& sample, int decimals) {
  const Summary s = band(sample);
  return grouped(s.mean, decimals) + " ± " + grouped(sample.size() > 1 ? s.se : 0.0, decimals) + " [" +
         grouped(s.quantiles[0], decimals) + ", " + grouped(s.quantiles[1], decimals) + "]";
}

std::vector<double> scaled(const std::vector<std::int64_t>& values, double divisor) {
  std::vector<double> out;
  for (std::int64_t v : values) out.push_back(static_cast<double>(v) / divisor);
  return out;
}

std::vector<double> year_column(const std::vector<std::int64_t>& by_year, std::size_t Y, std::size_t y, double divisor) {
  std::vector<double> out;
  for (std::size_t r = 0; r * Y + y < by_year.size(); ++r) out.push_back(static_cast<double>(by_year[r * Y + y]) / divisor);
  return out;
}

}  // namespace

void print_comparison(std::ostream& out, const ComparisonResults& c, const ReportStyle& style) {
  const Language l = style.lang;
  const std::size_t Y = c.n_years(), R = static_cast<std::size_t>(c.replications);
  const double unit = fen_per_unit(style.unit);
  const int d = table_decimals(style.unit);
  out << "\n" << say(l, "Comparison ", "比较 ") << c.reform << " - " << c.baseline
      << say(l, " (paired over ", "（配对，") << R << say(l, " replications); money in ", " 次模拟）；金额单位：")
      << unit_name(style.unit, l) << say(l, "; mean ± s.e. [5 %, 95 %]", "；平均值 ± 标准误 [5%, 95%]") << "\n";
  std::vector<std::int64_t> births(R * Y, 0);
  for (std::size_t i = 0; i < births.size(); ++i)
    for (int k = 0; k < c.birth_orders; ++k) births[i] += c.births[i * static_cast<std::size_t>(c.birth_orders) + static_cast<std::size_t>(k)];
  const auto total = total_difference_fen(c, 0), mechanical = total_difference_fen(c, 1), behavioural = total_difference_fen(c, 2);
  std::vector<std::string> heads = {say(l, "change in outlay", "支出变化")};
  if (c.has_split()) heads.insert(heads.end(), {say(l, "mechanical", "机械效应"), say(l, "behavioural", "行为效应")});
  heads.insert(heads.end(), {say(l, "births", "出生"), say(l, "childcare wanted", "托育需求")});
  out << row(say(l, "year", "年份"), 6, heads, 16);
  for (std::size_t y = 0; y < Y; ++y) {
    std::vector<std::string> cells = {paired(year_column(total, Y, y, unit), d)};
    if (c.has_split()) {
      cells.push_back(grouped(band(year_column(mechanical, Y, y, unit)).mean, d));
      cells.push_back(grouped(band(year_column(behavioural, Y, y, unit)).mean, d));
    }
    cells.push_back(grouped(band(year_column(births, Y, y, 1.0)).mean, 1));
    cells.push_back(grouped(band(year_column(c.childcare_demand_months, Y, y, 12.0)).mean, 1));
    out << row(std::to_string(c.years[y]), 6, cells, 16);
  }
  for (const auto& [first, last] : {std::pair{c.years.front(), c.years.back()}, std::pair{PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}}) {
    out << std::to_string(first) << "-" << std::to_string(last) << ":";
    const char* names[] = {"change in outlay", "mechanical", "behavioural"};
    const char* names_zh[] = {"支出变化", "机械效应", "行为效应"};
    for (int part = 0; part < (c.has_split() ? 3 : 1); ++part) {
      const auto per = sum_over_years(total_difference_fen(c, part), c.years, first, last);
      out << "  " << say(l, names[part], names_zh[part]) << " " << exact_mean(per, style.unit);
      if (part == 0) out << " (" << paired(scaled(per, unit), d) << ")";
    }
    out << "\n";
  }
  print_ranking(out, c.sensitivity, c.sensitivity_noise, R, l);
}

}  // namespace cradle
