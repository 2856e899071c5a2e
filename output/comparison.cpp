#include "output/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "output/sensitivity.h"
#include "output/summary.h"

namespace cradle {

namespace {

//! For each entry of the union axis, its index on one scenario's axis, or -1.
using AxisMap = std::vector<long>;

template <class Label, class Id>
AxisMap axis_map(const std::vector<Label>& own, const std::vector<Label>& merged, Id id) {
  AxisMap map(merged.size(), -1);
  for (std::size_t i = 0; i < merged.size(); ++i) {
    for (std::size_t j = 0; j < own.size(); ++j) {
      if (id(own[j]) == id(merged[i])) map[i] = static_cast<long>(j);
    }
  }
  return map;
}

//! `values` laid out [outer][old axis][inner] moved onto the union axis, zero where absent.
template <class T>
std::vector<T> remap(const std::vector<T>& values, std::size_t outer, std::size_t old_n, const AxisMap& map,
                           std::size_t inner) {
  std::vector<T> out(outer * map.size() * inner, T{});
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < map.size(); ++i) {
      if (map[i] < 0) continue;
      const std::size_t from = (o * old_n + static_cast<std::size_t>(map[i])) * inner;
      std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(from), inner,
                  out.begin() + static_cast<std::ptrdiff_t>((o * map.size() + i) * inner));
    }
  return out;
}

template <class Label, class Id>
std::vector<Label> union_of(const std::vector<const std::vector<Label>*>& axes, Id id) {
  std::vector<Label> merged;
  for (const auto* axis : axes)
    for (const Label& label : *axis) {
      if (std::none_of(merged.begin(), merged.end(), [&](const Label& m) { return id(m) == id(label); })) {
        merged.push_back(label);
      }
    }
  return merged;
}

const auto measure_id = [](const MeasureLabel& m) { return m.id; };
const auto payer_id = [](const PayerLabel& p) { return p.id; };

void require_same_frame(const ScenarioResults& a, const ScenarioResults& b) {
  if (a.years != b.years) {
    throw std::invalid_argument("scenarios '" + a.id + "' and '" + b.id + "' cover different years");
  }
  if (a.replications != b.replications) {
    throw std::invalid_argument("scenarios '" + a.id + "' and '" + b.id + "' have different replication counts");
  }
  if (a.replications_per_population != b.replications_per_population) {
    throw std::invalid_argument("scenarios '" + a.id + "' and '" + b.id +
                                "' grouped their replications on base populations differently");
  }
}

//! Moves one scenario onto the union axes.
void realign(ScenarioResults& s, const std::vector<MeasureLabel>& measures, const std::vector<MeasureLabel>& ledgers,
             const std::vector<PayerLabel>& payers, const std::vector<std::int64_t>& budgets) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  const AxisMap pm = axis_map(s.payer_labels, payers, payer_id);
  const AxisMap mm = axis_map(s.measures, measures, measure_id);
  const AxisMap lm = axis_map(s.ledger_measures, ledgers, measure_id);
  const std::size_t P = payers.size();
  std::vector<std::int64_t> outlay = remap(s.outlay_fen, R * Y * s.n_measures(), s.n_payers(), pm, 1);
  s.outlay_fen = remap(outlay, R * Y, s.n_measures(), mm, P);
  s.caseload = remap(s.caseload, R * Y, s.n_measures(), mm, 1);
  s.ledger_fen = remap(s.ledger_fen, R * Y, s.n_ledger_measures(), lm, 1);
  s.ledger_caseload = remap(s.ledger_caseload, R * Y, s.n_ledger_measures(), lm, 1);
  s.measures = measures;
  s.ledger_measures = ledgers;
  s.payer_labels = payers;
  s.payers.clear();
  for (const PayerLabel& p : payers) s.payers.push_back(p.id);
  s.budget_fen = budgets;
}

}  // namespace

void align_scenarios(std::vector<ScenarioResults>& scenarios) {
  if (scenarios.size() < 2) return;
  std::vector<const std::vector<MeasureLabel>*> measure_axes, ledger_axes;
  std::vector<const std::vector<PayerLabel>*> payer_axes;
  for (const ScenarioResults& s : scenarios) {
    require_same_frame(scenarios.front(), s);
    measure_axes.push_back(&s.measures);
    ledger_axes.push_back(&s.ledger_measures);
    payer_axes.push_back(&s.payer_labels);
  }
  const auto measures = union_of(measure_axes, measure_id);
  const auto ledgers = union_of(ledger_axes, measure_id);
  const auto payers = union_of(payer_axes, payer_id);
  // A payer's budget is its own, whichever scenario names it.
  const std::size_t Y = scenarios.front().n_years();
  std::vector<std::int64_t> budgets(Y * payers.size(), 0);
  for (const ScenarioResults& s : scenarios) {
    const AxisMap pm = axis_map(s.payer_labels, payers, payer_id);
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t p = 0; p < payers.size(); ++p) {
        if (pm[p] >= 0) budgets[y * payers.size() + p] = s.budget_fen[s.budget_index(y, static_cast<std::size_t>(pm[p]))];
      }
  }
  for (ScenarioResults& s : scenarios) realign(s, measures, ledgers, payers, budgets);
}

void append_replications(ScenarioResults& into, const ScenarioResults& more) {
  if (into.years != more.years || into.measures.size() != more.measures.size() ||
      into.payers != more.payers || into.ledger_measures.size() != more.ledger_measures.size() ||
      more.replications < into.replications) {
    throw std::invalid_argument("scenario '" + into.id + "': a batch of replications does not match the run it extends");
  }
  const auto R0 = static_cast<std::size_t>(into.replications), R1 = static_cast<std::size_t>(more.replications);
  // Every per-replication array is replication-major: its tail beyond R0 replications is the batch.
  const auto extend = [&](auto& mine, const auto& theirs) {
    const std::size_t per = R1 == 0 ? 0 : theirs.size() / R1;
    mine.resize(R0 * per);
    mine.insert(mine.end(), theirs.begin() + static_cast<std::ptrdiff_t>(R0 * per), theirs.end());
  };
  for_each_replication_array([&](const char*, auto member) { extend(into.*member, more.*member); });
  into.replications = more.replications;
}

namespace {

//! Per replication and year, reform less baseline of a [replication][year] array.
std::vector<std::int64_t> difference(const std::vector<std::int64_t>& reform, const std::vector<std::int64_t>& baseline) {
  std::vector<std::int64_t> out(reform.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = reform[i] - baseline[i];
  return out;
}

std::vector<std::int64_t> unmet(const ScenarioResults& s) {
  return difference(s.childcare_demand_months, s.childcare_enrolled_months);
}

//! [replication][year][measure][payer] of `s` on the comparison's measure and payer axes.
std::vector<std::int64_t> on_axis(const ScenarioResults& s, const ComparisonResults& c) {
  const std::size_t RY = static_cast<std::size_t>(s.replications) * s.n_years();
  const AxisMap pm = axis_map(s.payer_labels, c.payer_labels, payer_id);
  const AxisMap mm = axis_map(s.measures, c.measures, measure_id);
  const std::vector<std::int64_t> by_payer = remap(s.outlay_fen, RY * s.n_measures(), s.n_payers(), pm, 1);
  return remap(by_payer, RY, s.n_measures(), mm, c.n_payers());
}

//! [year][payer] budgets on the comparison's payer axis, each payer's from whichever scenario has it.
std::vector<std::int64_t> union_budgets(const ScenarioResults& a, const ScenarioResults& b, const ComparisonResults& c) {
  std::vector<std::int64_t> out(c.n_years() * c.n_payers(), 0);
  for (const ScenarioResults* s : {&b, &a}) {
    const AxisMap pm = axis_map(s->payer_labels, c.payer_labels, payer_id);
    for (std::size_t y = 0; y < c.n_years(); ++y)
      for (std::size_t p = 0; p < c.n_payers(); ++p) {
        if (pm[p] >= 0) out[y * c.n_payers() + p] = s->budget_fen[s->budget_index(y, static_cast<std::size_t>(pm[p]))];
      }
  }
  return out;
}

void fill_budget_share(ComparisonResults& c, const std::vector<std::int64_t>& baseline_outlay,
                       const std::vector<std::int64_t>& reform_outlay) {
  const std::size_t R = static_cast<std::size_t>(c.replications), Y = c.n_years(), P = c.n_payers();
  const auto base = sum_over_measures(baseline_outlay, R * Y, c.n_measures(), P);
  const auto reform = sum_over_measures(reform_outlay, R * Y, c.n_measures(), P);
  c.budget_share.assign(R * Y * P, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t p = 0; p < P; ++p) {
        const std::int64_t budget = c.budget_fen[y * P + p];
        const std::size_t i = (r * Y + y) * P + p;
        if (budget != 0) {
          // One division of an exact difference: an identical reform gives exactly 0.
          c.budget_share[i] = static_cast<double>(reform[i] - base[i]) / static_cast<double>(budget);
        }
      }
}


}  // namespace

ComparisonResults compare_scenarios(const ScenarioResults& baseline, const ScenarioResults& reform,
                                    const ScenarioResults* mechanical) {
  require_same_frame(baseline, reform);
  ComparisonResults c;
  c.baseline = baseline.id;
  c.reform = reform.id;
  c.years = baseline.years;
  c.replications = baseline.replications;
  c.replications_per_population = baseline.replications_per_population;
  c.measures = union_of<MeasureLabel>({&baseline.measures, &reform.measures}, measure_id);
  c.payer_labels = union_of<PayerLabel>({&baseline.payer_labels, &reform.payer_labels}, payer_id);
  for (const PayerLabel& p : c.payer_labels) c.payers.push_back(p.id);
  c.birth_orders = baseline.birth_orders;
  c.budget_fen = union_budgets(baseline, reform, c);
  const std::vector<std::int64_t> base_outlay = on_axis(baseline, c), reform_outlay = on_axis(reform, c);
  c.outlay_fen = difference(reform_outlay, base_outlay);
  if (mechanical) {
    require_same_frame(baseline, *mechanical);
    c.mechanical_fen = difference(on_axis(*mechanical, c), base_outlay);
  }
  c.births = difference(reform.births, baseline.births);
  c.child_months_under3 = difference(reform.child_months_under3, baseline.child_months_under3);
  c.childcare_demand_months = difference(reform.childcare_demand_months, baseline.childcare_demand_months);
  c.childcare_enrolled_months = difference(reform.childcare_enrolled_months, baseline.childcare_enrolled_months);
  c.childcare_unmet_months = difference(unmet(reform), unmet(baseline));
  c.kindergarten_enrolled_months =
      difference(reform.kindergarten_enrolled_months, baseline.kindergarten_enrolled_months);
  fill_budget_share(c, base_outlay, reform_outlay);
  c.sensitivity =
      parameter_sensitivity(reform, sum_over_years(total_difference_fen(c), c.years, c.years.front(), c.years.back()));
  c.sensitivity_noise = sensitivity_noise_share(static_cast<std::size_t>(c.replications), c.sensitivity.size());
  return c;
}

std::vector<SensitivityEntry> parameter_sensitivity(const ScenarioResults& s, const std::vector<std::int64_t>& outcome_fen) {
  std::vector<std::string> names;
  for (const ParameterLabel& p : s.parameter_labels) names.push_back(p.name);
  return rank_sensitivity(names, s.parameters, std::vector<double>(outcome_fen.begin(), outcome_fen.end()));
}

std::vector<SensitivityEntry> outlay_sensitivity(const ScenarioResults& s) {
  return parameter_sensitivity(s, sum_over_years(total_outlay_fen(s), s.years, s.years.front(), s.years.back()));
}

std::vector<std::int64_t> total_difference_fen(const ComparisonResults& c, int part) {
  const std::size_t R = static_cast<std::size_t>(c.replications), Y = c.n_years(), M = c.n_measures(),
                    P = c.n_payers();
  std::vector<std::int64_t> out(R * Y, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t p = 0; p < P; ++p) {
          const std::size_t i = c.outlay_index(r, y, m, p);
          const std::int64_t total = c.outlay_fen[i];
          const std::int64_t mechanical = c.has_split() ? c.mechanical_fen[i] : 0;
          out[r * Y + y] += part == 0 ? total : part == 1 ? mechanical : total - mechanical;
        }
  return out;
}

std::vector<std::int64_t> sum_over_years(const std::vector<std::int64_t>& by_year, const std::vector<int>& years,
                                         int first, int last) {
  const std::size_t Y = years.size(), R = Y == 0 ? 0 : by_year.size() / Y;
  std::vector<std::int64_t> out(R, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y) {
      if (years[y] >= first && years[y] <= last) out[r] += by_year[r * Y + y];
    }
  return out;
}

std::vector<std::int64_t> sum_over_measures(const std::vector<std::int64_t>& outlay, std::size_t RY, std::size_t M,
                                            std::size_t P) {
  std::vector<std::int64_t> out(RY * P, 0);
  for (std::size_t i = 0; i < RY; ++i)
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t p = 0; p < P; ++p) out[i * P + p] += outlay[(i * M + m) * P + p];
  return out;
}

std::vector<std::int64_t> total_outlay_fen(const ScenarioResults& s) {
  const std::size_t R = static_cast<std::size_t>(s.replications), Y = s.n_years();
  std::vector<std::int64_t> out(R * Y, 0);
  for (std::size_t r = 0; r < R; ++r)
    for (std::size_t y = 0; y < Y; ++y)
      for (std::size_t m = 0; m < s.n_measures(); ++m)
        for (std::size_t p = 0; p < s.n_payers(); ++p) out[r * Y + y] += s.outlay_fen[s.outlay_index(r, y, m, p)];
  return out;
}

std::vector<double> comparison_stats(const std::vector<double>& values, const ComparisonResults& c) {
  const auto R = static_cast<std::size_t>(c.replications);
  const auto per_population = static_cast<std::size_t>(c.replications_per_population);
  const std::size_t cells = R == 0 ? 0 : values.size() / R;
  std::vector<double> out, sample(R);
  for (std::size_t cell = 0; cell < cells; ++cell) {
    for (std::size_t r = 0; r < R; ++r) sample[r] = values[r * cells + cell];
    const Summary summary = summarise(sample, {0.05, 0.95}, per_population);
    out.insert(out.end(), {summary.mean, R > 1 ? summary.se : std::numeric_limits<double>::quiet_NaN(),
                           summary.quantiles[0], summary.quantiles[1]});
  }
  return out;
}

double relative_standard_error(const std::vector<std::int64_t>& sample, std::size_t per_population) {
  if (std::all_of(sample.begin(), sample.end(), [](std::int64_t v) { return v == 0; })) return 0.0;
  const Summary s = summarise(std::vector<double>(sample.begin(), sample.end()), {}, per_population);
  return s.mean == 0 || std::isnan(s.se) ? std::numeric_limits<double>::infinity() : s.se / std::fabs(s.mean);
}

}  // namespace cradle
