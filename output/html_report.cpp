#include "output/html_report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "output/comparison.h"
#include "output/overview.h"
#include "output/sensitivity.h"
#include "output/summary.h"
#include "output/svg_chart.h"
#include "output/validation.h"

namespace cradle {

namespace {

constexpr double NO_VALUE = std::numeric_limits<double>::quiet_NaN();

//! The parts appended in order (see output/svg_chart.cpp: no `"literal" + std::string`).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  ((out += parts), ...);
  return out;
}

std::string esc(std::string_view text) { return html_escape(text); }

//! An element with escaped text.
std::string element(const char* tag, const std::string& text, const char* css_class = nullptr) {
  return cat("<", tag, css_class ? cat(" class=\"", css_class, "\"") : std::string(), ">", esc(text), "</", tag, ">");
}

//! A table row of escaped cells; `numeric` from this column on are right-aligned numbers.
std::string table_row(const std::vector<std::string>& cells, std::size_t numeric, const char* cell = "td") {
  std::string out = "<tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    out += cat("<", cell, i >= numeric ? " class=\"num\"" : "", ">", esc(cells[i]), "</", cell, ">");
  }
  return cat(out, "</tr>");
}

std::string figure(const std::string& caption, const std::string& svg) {
  return cat("<figure>", element("figcaption", caption), svg, "</figure>\n");
}

std::vector<double> sample_of(std::size_t R, const std::function<double(std::size_t)>& f) {
  std::vector<double> out(R);
  for (std::size_t r = 0; r < R; ++r) out[r] = f(r);
  return out;
}

//! Per year, the summary of `f(r, y)` over replications at `levels`.
std::vector<Summary> by_year(std::size_t R, std::size_t Y, const std::vector<double>& levels,
                             const std::function<double(std::size_t, std::size_t)>& f) {
  std::vector<Summary> out;
  for (std::size_t y = 0; y < Y; ++y) out.push_back(summarise(sample_of(R, [&](std::size_t r) { return f(r, y); }), levels));
  return out;
}

std::vector<double> means(const std::vector<Summary>& s) {
  std::vector<double> out;
  for (const Summary& x : s) out.push_back(x.mean);
  return out;
}

std::vector<double> level(const std::vector<Summary>& s, std::size_t k) {
  std::vector<double> out;
  for (const Summary& x : s) out.push_back(x.quantiles[k]);
  return out;
}

std::pair<double, double> range_of(const std::vector<std::vector<double>>& series) {
  double low = 0, high = 0;
  for (const auto& values : series)
    for (double v : values)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  return {low, high};
}


std::string period_name(int first, int last) { return cat(std::to_string(first), "–", std::to_string(last)); }

//! A chart's frame for scenario or comparison `prefix`.
ChartFrame frame_of(const std::string& prefix, const char* kind, const std::string& title, const std::string& y_label,
                    const std::vector<int>& years, int decimals) {
  return {cat(prefix, "-", kind), kind, title, y_label, years, decimals};
}

std::string totals_table(const ScenarioResults& s, const ReportStyle& st) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  const Language l = st.lang;
  const std::vector<std::int64_t> total = total_outlay_fen(s), by_payer = payer_outlay_fen(s);
  const std::vector<std::pair<int, int>> periods = {{s.years.front(), s.years.back()},
                                                    {PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}};
  std::string out = cat("<table class=\"totals\"><caption>",
                        esc(cat(say(l, "Totals over a period (mean over replications, exact to the fen; ",
                                    "期间合计（各次模拟的平均值，精确到分；"),
                                unit_name(st.unit, l), say(l, ")", "）"))),
                        "</caption><thead>");
  std::vector<std::string> head = {""};
  for (const auto& [first, last] : periods) head.push_back(period_name(first, last));
  out += cat(table_row(head, 1, "th"), "</thead><tbody>");
  std::vector<std::string> total_row = {say(l, "total outlay", "总支出")}, band_row = {say(l, "  5 %–95 %", "  5%–95%区间")};
  for (const auto& [first, last] : periods) {
    const auto per = sum_over_years(total, s.years, first, last);
    total_row.push_back(exact_mean(per, st.unit));
    band_row.push_back(money_band(per, st.unit));
  }
  out += table_row(total_row, 1) + table_row(band_row, 1);
  for (std::size_t p = 0; p < P; ++p) {
    std::vector<std::int64_t> column(R * Y);
    for (std::size_t i = 0; i < R * Y; ++i) column[i] = by_payer[i * P + p];
    std::vector<std::string> cells = {payer_title(s.payer_labels[p], l)};
    for (const auto& [first, last] : periods) cells.push_back(exact_mean(sum_over_years(column, s.years, first, last), st.unit));
    out += table_row(cells, 1);
  }
  return cat(out, "</tbody></table>\n");
}

std::string fan_chart(const ScenarioResults& s, const ReportStyle& st, const std::string& prefix) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const Language l = st.lang;
  const std::vector<std::int64_t> total = total_outlay_fen(s);
  const double unit = fen_per_unit(st.unit);
  const auto years = by_year(R, Y, {0.05, 0.25, 0.5, 0.75, 0.95},
                             [&](std::size_t r, std::size_t y) { return static_cast<double>(total[r * Y + y]) / unit; });
  const std::string title = say(l, "Total outlay by year: median, 50 % and 90 % bands over replications",
                                "年度总支出：各次模拟的中位数及50%、90%区间");
  SvgChart chart(frame_of(prefix, "fan-total-outlay", title, unit_name(st.unit, l), s.years, table_decimals(st.unit)),
                 range_of({level(years, 0)}).first, range_of({level(years, 4)}).second);
  chart.band(level(years, 0), level(years, 4), palette_colour(0), 0.18,
             say(l, "90 % band (5th–95th percentile)", "90%区间（第5–95百分位）"));
  chart.band(level(years, 1), level(years, 3), palette_colour(0), 0.35,
             say(l, "50 % band (25th–75th percentile)", "50%区间（第25–75百分位）"));
  chart.line(level(years, 2), palette_colour(0), say(l, "median", "中位数"));
  chart.line(means(years), palette_colour(5), say(l, "mean", "平均值"), true);
  return figure(title, chart.svg());
}

std::string payer_chart(const ScenarioResults& s, const ReportStyle& st, const std::string& prefix) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  const Language l = st.lang;
  const std::vector<std::int64_t> outlay = payer_outlay_fen(s);
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  std::vector<double> top(Y, 0.0), bottom(Y, 0.0);
  for (std::size_t p = 0; p < P; ++p) {
    names.push_back(payer_title(s.payer_labels[p], l));
    values.push_back(means(by_year(R, Y, {}, [&](std::size_t r, std::size_t y) {
      return static_cast<double>(outlay[(r * Y + y) * P + p]) / fen_per_unit(st.unit);
    })));
    for (std::size_t y = 0; y < Y; ++y) (values.back()[y] > 0 ? top : bottom)[y] += values.back()[y];
  }
  const std::string title = say(l, "Outlay by paying level (mean over replications)", "分级负担支出（各次模拟的平均值）");
  SvgChart chart(frame_of(prefix, "outlay-by-payer", title, unit_name(st.unit, l), s.years, table_decimals(st.unit)),
                 range_of({bottom}).first, range_of({top}).second);
  chart.stacked_bars(names, values);
  return figure(title, chart.svg());
}

std::string share_chart(const ScenarioResults& s, const ReportStyle& st, const std::string& prefix) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years(), P = s.n_payers();
  const Language l = st.lang;
  const std::vector<std::int64_t> outlay = payer_outlay_fen(s);
  std::vector<std::vector<double>> shares(P, std::vector<double>(Y, NO_VALUE));
  for (std::size_t p = 0; p < P; ++p)
    for (std::size_t y = 0; y < Y; ++y) {
      const std::int64_t budget = s.budget_fen[s.budget_index(y, p)];
      if (budget == 0) continue;  // no budget recorded: no share
      shares[p][y] = 100.0 * summarise(sample_of(R, [&](std::size_t r) {
                                         return static_cast<double>(outlay[(r * Y + y) * P + p]) / static_cast<double>(budget);
                                       }), {}).mean;
    }
  const std::string title = say(l, "Budget share by paying level: mean outlay as % of its general public budget",
                                "各级负担占本级一般公共预算支出的比例（%，平均值）");
  const auto [low, high] = range_of(shares);
  SvgChart chart(frame_of(prefix, "budget-share", title, "%", s.years, 4), low, high);
  for (std::size_t p = 0; p < P; ++p) chart.line(shares[p], palette_colour(p), payer_title(s.payer_labels[p], l));
  return figure(title, chart.svg());
}

std::string childcare_chart(const ScenarioResults& s, const ReportStyle& st, const std::string& prefix) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const Language l = st.lang;
  const auto month_mean = [&](const std::vector<std::int64_t>& months) {
    return means(by_year(R, Y, {}, [&](std::size_t r, std::size_t y) {
      return static_cast<double>(months[s.year_index(r, y)]) / 12.0;
    }));
  };
  const std::vector<double> wanted = month_mean(s.childcare_demand_months), enrolled = month_mean(s.childcare_enrolled_months);
  const std::vector<double> places(s.childcare_slots.begin(), s.childcare_slots.end());
  const std::string title = say(l, "Childcare: children whose families want a place (mean over the year and replications) against places",
                                "托育：有托育需求的儿童（年内及各次模拟平均）与托位");
  SvgChart chart(frame_of(prefix, "childcare-places", title, say(l, "children", "人"), s.years, 0), 0,
                 range_of({wanted, enrolled, places}).second);
  // Enrolled is dashed and drawn last: where every family wanting a place has one, it lies on the wanted line.
  chart.line(places, palette_colour(5), say(l, "places", "托位"));
  chart.line(wanted, palette_colour(0), say(l, "childcare wanted", "托育需求"));
  chart.line(enrolled, palette_colour(2), say(l, "enrolled", "在托"), true);
  return figure(title, chart.svg());
}

std::string order_name(int k, int orders, Language l) {
  static const char* const EN[] = {"first child", "second child", "third child"};
  static const char* const ZH[] = {"一孩", "二孩", "三孩"};
  const bool open = k == orders;
  if (k <= 3) return cat(say(l, EN[k - 1], ZH[k - 1]), open ? say(l, " and later", "及以上") : "");
  return cat(say(l, "child ", "孩次 "), std::to_string(k), open ? "+" : "");
}

std::string births_chart(const ScenarioResults& s, const ReportStyle& st, const std::string& prefix) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const Language l = st.lang;
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
  std::vector<double> total(Y, 0.0);
  for (int k = 1; k <= s.birth_orders; ++k) {
    names.push_back(order_name(k, s.birth_orders, l));
    values.push_back(means(by_year(R, Y, {}, [&](std::size_t r, std::size_t y) {
      return static_cast<double>(s.births[s.births_index(r, y, static_cast<std::size_t>(k - 1))]);
    })));
    for (std::size_t y = 0; y < Y; ++y) total[y] += values.back()[y];
  }
  const std::string title = say(l, "Births by order (mean over replications)", "分孩次出生（各次模拟的平均值）");
  SvgChart chart(frame_of(prefix, "births-by-order", title, say(l, "births", "人"), s.years, 1), 0, range_of({total}).second);
  chart.stacked_bars(names, values);
  return figure(title, chart.svg());
}

std::string quantity_name(const std::string& quantity, Language l) {
  if (quantity == "births") return say(l, "births", "出生");
  if (quantity == "deaths") return say(l, "deaths", "死亡");
  if (quantity == "population") return say(l, "residents at the end of the year", "年末常住人口");
  return quantity;
}

std::string validation_table_html(const ScenarioResults& s, const RunResults& results, Language l) {
  const std::vector<ValidationRow> rows = validation_table(s, results.base, results.sample_weight);
  if (rows.empty()) return "";
  std::string out = cat("<table class=\"validation\"><caption>",
                        esc(say(l, "Validation: the place's record against the simulation (90 % band)",
                                "校验：官方统计与模拟结果（90%区间）")),
                        "</caption><thead>",
                        table_row({say(l, "observation", "观测项"), say(l, "tag", "标记"), say(l, "observed", "实际值"),
                                   say(l, "simulated mean", "模拟均值"), say(l, "band", "区间"), say(l, "result", "结果")},
                                  2, "th"),
                        "</thead><tbody>");
  for (const ValidationRow& v : rows) {
    const Observation& o = v.observation;
    out += cat("<tr", v.inside ? "" : " class=\"warning\"", " title=\"", esc(cat(o.source, "; ", v.band)), "\"><td>",
               esc(cat(quantity_name(o.quantity, l), " ", std::to_string(o.year))), "</td><td>", esc(o.tag),
               "</td><td class=\"num\">", esc(grouped(o.value, 0)), "</td><td class=\"num\">",
               esc(grouped(v.simulated_mean, 0)), "</td><td class=\"num\">",
               esc(cat("[", grouped(v.low, 0), ", ", grouped(v.high, 0), "]")), "</td><td>",
               esc(v.inside ? say(l, "inside", "区间内") : say(l, "WARNING: outside", "警告：区间外")), "</td></tr>");
  }
  return cat(out, "</tbody></table>\n");
}

std::string ranking_figure(const std::string& prefix, const char* kind, const std::string& title,
                           const std::vector<SensitivityEntry>& ranking, double noise, std::size_t R, Language l) {
  if (ranking.empty()) {
    return element("p", cat(say(l, "No sensitivity ranking: it needs an uncertain input that varies and at least ",
                                "无敏感性排序：需要至少一个变化的不确定输入且至少 "),
                            std::to_string(MIN_SENSITIVITY_REPLICATIONS), say(l, " replications.", " 次模拟。")),
                   "note");
  }
  const std::string caption = cat(title, say(l, " (rank regression over ", "（秩回归，"), std::to_string(R),
                                  say(l, " replications; grey: within sampling noise)", " 次模拟；灰色：在抽样噪声之内）"));
  const std::string noise_label = cat(say(l, "noise floor ", "噪声阈值 "), grouped(noise, 3));
  return figure(caption, ranking_chart({cat(prefix, "-", kind), kind, title, "", {}, 3}, ranking, noise, noise_label));
}

std::string sensitivity_figure(const ScenarioResults& s, Language l, const std::string& prefix) {
  const auto ranking = outlay_sensitivity(s);
  const std::size_t R = static_cast<std::size_t>(s.replications);
  return ranking_figure(prefix, "sensitivity",
                        say(l, "Uncertain inputs by their share of the spread of the horizon's total outlay",
                            "不确定输入对全期总支出离散程度的贡献"),
                        ranking, sensitivity_noise_share(R, ranking.size()), R, l);
}

//! One measure's row: labels, and its mean total over the horizon from `fen_at(r, y)`.
std::string measure_row(const MeasureLabel& m, const ScenarioResults& s, const ReportStyle& st,
                        const std::function<std::int64_t(std::size_t, std::size_t)>& fen_at) {
  std::vector<std::int64_t> per(static_cast<std::size_t>(s.replications), 0);
  for (std::size_t r = 0; r < per.size(); ++r)
    for (std::size_t y = 0; y < s.n_years(); ++y) per[r] += fen_at(r, y);
  return table_row({measure_title(m, st.lang), m.id, m.kind, m.ledger, m.source, m.provenance, exact_mean(per, st.unit)}, 6);
}

std::string measures_table(const ScenarioResults& s, const ReportStyle& st) {
  const Language l = st.lang;
  std::string out = cat("<table class=\"measures\"><caption>",
                        esc(cat(say(l, "Measures and their sources; total over the horizon: mean over replications, exact to the fen, in ",
                                    "措施及其政策依据；全期合计为各次模拟的平均值，精确到分，单位："),
                                unit_name(st.unit, l))),
                        "</caption><thead>",
                        table_row({say(l, "measure", "措施"), "id", say(l, "kind", "类型"), say(l, "ledger", "账户"),
                                   say(l, "source", "依据"), say(l, "provenance", "金额来源"),
                                   say(l, "total over the horizon", "全期合计")},
                                  6, "th"),
                        "</thead><tbody>");
  for (std::size_t m = 0; m < s.n_measures(); ++m) {
    out += measure_row(s.measures[m], s, st, [&](std::size_t r, std::size_t y) {
      std::int64_t sum = 0;
      for (std::size_t p = 0; p < s.n_payers(); ++p) sum += s.outlay_fen[s.outlay_index(r, y, m, p)];
      return sum;
    });
  }
  for (std::size_t m = 0; m < s.n_ledger_measures(); ++m) {
    out += measure_row(s.ledger_measures[m], s, st, [&](std::size_t r, std::size_t y) { return s.ledger_fen[s.ledger_index(r, y, m)]; });
  }
  return cat(out, "</tbody></table>\n");
}

std::string scenario_section(const ScenarioResults& s, std::size_t index, const RunResults& results, const ReportStyle& st) {
  const Language l = st.lang;
  const std::string prefix = cat("s", std::to_string(index));
  std::string out = cat("<section class=\"scenario\" id=\"scenario-", std::to_string(index), "\" data-scenario=\"",
                        esc(s.id), "\">\n", element("h2", cat(say(l, "Scenario ", "情景 "), s.id, ": ", title_in(s.title, l))));
  out += element("p", cat(replications_said(s.replications, s.replications_per_population, l), say(l, ", ", "，"),
                          std::to_string(s.years.front()), "–", std::to_string(s.years.back()),
                          say(l, "; money in ", "；金额单位："), unit_name(st.unit, l),
                          s.variant.empty() ? "" : cat(say(l, "; variant: ", "；变体："), s.variant)));
  if (s.n_years() == 0 || s.replications == 0) return cat(out, "</section>\n");
  out += totals_table(s, st) + fan_chart(s, st, prefix) + payer_chart(s, st, prefix) + share_chart(s, st, prefix) +
         childcare_chart(s, st, prefix) + births_chart(s, st, prefix);
  out += validation_table_html(s, results, l) + sensitivity_figure(s, l, prefix) + measures_table(s, st);
  return cat(out, "</section>\n");
}

}  // namespace

namespace {

//! Per year (mean, se, p05, p95) of a [replication][year] difference in fen, in the unit.
std::vector<double> year_stats(const std::vector<std::int64_t>& by_year, const ComparisonResults& c, double unit) {
  std::vector<double> values;
  for (std::int64_t v : by_year) values.push_back(static_cast<double>(v) / unit);
  return comparison_stats(values, c);
}

std::vector<double> stat_column(const std::vector<double>& stats, std::size_t k) {
  std::vector<double> out;
  for (std::size_t i = k; i < stats.size(); i += 4) out.push_back(stats[i]);
  return out;
}

std::string comparison_totals(const ComparisonResults& c, const ReportStyle& st) {
  const Language l = st.lang;
  const std::vector<std::pair<int, int>> periods = {{c.years.front(), c.years.back()},
                                                    {PLAN_PERIOD_FIRST, PLAN_PERIOD_LAST}};
  std::string out = cat("<table class=\"totals\"><caption>",
                        esc(cat(say(l, "Change over a period (mean over paired replications, exact to the fen; ",
                                    "期间变化（配对模拟的平均值，精确到分；"),
                                unit_name(st.unit, l), say(l, ")", "）"))),
                        "</caption><thead>");
  std::vector<std::string> head = {""};
  for (const auto& [first, last] : periods) head.push_back(period_name(first, last));
  out += cat(table_row(head, 1, "th"), "</thead><tbody>");
  const char* names[] = {"change in outlay", "mechanical part", "behavioural part"};
  const char* names_zh[] = {"支出变化", "机械效应", "行为效应"};
  for (int part = 0; part < (c.has_split() ? 3 : 1); ++part) {
    const auto difference = total_difference_fen(c, part);
    std::vector<std::string> cells = {say(l, names[part], names_zh[part])}, band = {say(l, "  5 %–95 %", "  5%–95%区间")};
    for (const auto& [first, last] : periods) {
      const auto per = sum_over_years(difference, c.years, first, last);
      cells.push_back(exact_mean(per, st.unit));
      band.push_back(money_band(per, st.unit));
    }
    out += table_row(cells, 1);
    if (part == 0) out += table_row(band, 1);
  }
  return cat(out, "</tbody></table>\n");
}

std::string comparison_chart(const ComparisonResults& c, const ReportStyle& st, const std::string& prefix) {
  const Language l = st.lang;
  const double unit = fen_per_unit(st.unit);
  const std::vector<double> total = year_stats(total_difference_fen(c, 0), c, unit);
  const std::vector<double> mean = stat_column(total, 0), low = stat_column(total, 2), high = stat_column(total, 3);
  std::vector<std::vector<double>> shown = {low, high};
  std::vector<double> mechanical, behavioural;
  if (c.has_split()) {
    mechanical = stat_column(year_stats(total_difference_fen(c, 1), c, unit), 0);
    behavioural = stat_column(year_stats(total_difference_fen(c, 2), c, unit), 0);
    shown.insert(shown.end(), {mechanical, behavioural});
  }
  const std::string title = say(l, "Change in total outlay by year (reform − baseline): mean and 90 % interval over paired replications",
                                "年度总支出变化（改革 − 基准）：配对模拟的平均值及90%区间");
  const auto [lo, hi] = range_of(shown);
  SvgChart chart(frame_of(prefix, "comparison-outlay", title, unit_name(st.unit, l), c.years, table_decimals(st.unit)), lo, hi);
  if (c.has_split()) {
    chart.line(mechanical, palette_colour(1), say(l, "mechanical part (mean)", "机械效应（平均值）"), true);
    chart.line(behavioural, palette_colour(2), say(l, "behavioural part (mean)", "行为效应（平均值）"), true);
  }
  // Drawn last, so that the parts' markers do not hide the change itself.
  chart.error_bars(mean, low, high, palette_colour(0),
                   say(l, "change (mean, 5th–95th percentile)", "变化（平均值，第5–95百分位）"));
  return figure(title, chart.svg());
}

std::string comparison_section(const ComparisonResults& c, std::size_t index, const ReportStyle& st) {
  const Language l = st.lang;
  const std::string prefix = cat("c", std::to_string(index));
  std::string out = cat("<section class=\"comparison\" id=\"comparison-", std::to_string(index), "\" data-baseline=\"",
                        esc(c.baseline), "\" data-reform=\"", esc(c.reform), "\">\n",
                        element("h2", cat(say(l, "Comparison ", "比较 "), c.reform, " − ", c.baseline)));
  out += element("p", cat(say(l, "Paired over ", "配对 "), std::to_string(c.replications),
                          say(l, " replications: replication r of both scenarios drew the same numbers, so the difference is the policy.",
                              " 次模拟：两个情景的第 r 次模拟使用相同的随机数，差异即政策效果。")));
  if (c.n_years() == 0 || c.replications == 0) return cat(out, "</section>\n");
  out += comparison_totals(c, st) + comparison_chart(c, st, prefix);
  out += ranking_figure(prefix, "comparison-sensitivity",
                        say(l, "Uncertain inputs by their share of the spread of the horizon's change in outlay",
                            "不确定输入对全期支出变化离散程度的贡献"),
                        c.sensitivity, c.sensitivity_noise, static_cast<std::size_t>(c.replications), l);
  return cat(out, "</section>\n");
}

constexpr const char* STYLE = R"(
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
 max-width:1000px;margin:0 auto;padding:1em 1.5em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
nav ul{columns:2;padding-left:1.2em}section{margin-bottom:2.5em}
figure{margin:1.2em 0}figcaption{font-weight:600;margin-bottom:.3em}
svg.chart{width:100%;height:auto;display:block}svg text{font-size:12px;fill:#333}
svg .grid{stroke:#e3e3e3}svg .zero{stroke:#777}svg .noise{stroke:#D55E00;stroke-dasharray:5 3;stroke-width:1.5}
svg .axis-label{font-weight:600}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}caption{text-align:left;font-weight:600;padding-bottom:.3em}
th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top;overflow-wrap:break-word}
.measures td:nth-child(2),.measures td:nth-child(5){overflow-wrap:anywhere;min-width:9em}
.measures td:nth-child(3),.measures td:nth-child(4),.measures td:nth-child(6){white-space:nowrap}
th{background:#f3f6f9}.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap;overflow-wrap:normal}
tr.warning td{color:#b00020;font-weight:600}.note{color:#555;font-style:italic}
.meta{color:#555}
)";

std::string page_header(const RunResults& results, const ReportStyle& st) {
  const Language l = st.lang;
  std::string out = cat("<!DOCTYPE html>\n<html lang=\"", l == Language::zh ? "zh-CN" : "en",
                        "\">\n<head>\n<meta charset=\"utf-8\">\n",
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                        element("title", say(l, "Cradle results", "Cradle 模拟结果")), "\n<style>", STYLE,
                        "</style>\n</head>\n<body>\n<header>\n", element("h1", say(l, "Cradle results", "Cradle 模拟结果")));
  out += element("p",
                 cat("Cradle ", results.cradle_version, say(l, ", written ", "，生成于 "), results.created_utc,
                     say(l, "; seed ", "；随机种子 "), std::to_string(results.seed), say(l, "; ", "；"),
                     std::to_string(results.replications), say(l, " replications; ", " 次模拟；"),
                     grouped(static_cast<double>(results.households), 0), say(l, " households", " 户"),
                     results.sample_weight > 1
                         ? cat(say(l, " (a sample: each simulated household stands for ", "（抽样：每户代表 "),
                               std::to_string(results.sample_weight), say(l, ")", " 户）"))
                         : std::string(),
                     say(l, "; money in ", "；金额单位："), unit_name(st.unit, l)),
                 "meta");
  out += "<nav><ul>";
  for (std::size_t i = 0; i < results.scenarios.size(); ++i) {
    const ScenarioResults& s = results.scenarios[i];
    out += cat("<li><a href=\"#scenario-", std::to_string(i), "\">", esc(cat(s.id, ": ", title_in(s.title, l))), "</a></li>");
  }
  for (std::size_t i = 0; i < results.comparisons.size(); ++i) {
    const ComparisonResults& c = results.comparisons[i];
    out += cat("<li><a href=\"#comparison-", std::to_string(i), "\">",
               esc(cat(say(l, "Comparison ", "比较 "), c.reform, " − ", c.baseline)), "</a></li>");
  }
  return cat(out, "</ul></nav>\n</header>\n<main>\n");
}

}  // namespace

std::string html_page(const RunResults& results, const ReportStyle& style) {
  std::string page = page_header(results, style);
  for (std::size_t i = 0; i < results.scenarios.size(); ++i) page += scenario_section(results.scenarios[i], i, results, style);
  for (std::size_t i = 0; i < results.comparisons.size(); ++i) page += comparison_section(results.comparisons[i], i, style);
  return cat(page, "</main>\n</body>\n</html>\n");
}

void write_html(const std::filesystem::path& file, const RunResults& results, const ReportStyle& style) {
  const std::string page = html_page(results, style);
  std::error_code error;
  std::filesystem::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(cat("cannot write ", temporary.string()));
    out << page;
    if (!out.flush()) {
      out.close();
      std::filesystem::remove(temporary, error);
      throw std::runtime_error(cat("cannot write ", temporary.string()));
    }
  }
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw std::runtime_error(cat("cannot write ", file.string(), ": ", error.message()));
  }
}

}  // namespace cradle
