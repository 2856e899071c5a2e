#include "sim/engine/reduction.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "models/funding.h"
#include "models/measures/kinds.h"

namespace cradle::engine {

namespace {

//! Measure labels, budget and ledger measures apart, each in scenario order.
void label_measures(ScenarioResults& out, const Scenario& scenario, ResultsLayout& layout) {
  const std::size_t T = scenario.measures.size();
  layout.budget_of.assign(T, SIZE_MAX);
  layout.ledger_of.assign(T, SIZE_MAX);
  for (std::size_t i = 0; i < T; ++i) {
    const Measure& m = scenario.measures[i];
    const MeasureLabel label{m.id,
                             std::string(kind_name(m.kind)),
                             m.title,
                             m.source,
                             std::string(caseload_unit(m.basis)),
                             std::string(ledger_name(m.ledger())),
                             provenance_name(m.provenance())};
    if (m.ledger() == Ledger::budget) {
      layout.budget_of[i] = out.measures.size();
      out.measures.push_back(label);
    } else {
      layout.ledger_of[i] = out.ledger_measures.size();
      out.ledger_measures.push_back(label);
    }
  }
}

//! Payers: every jurisdiction of the chain whose level pays a share of some budget measure.
void label_payers(ScenarioResults& out, const Scenario& scenario, ResultsLayout& layout) {
  for (const Jurisdiction& j : scenario.chain) {
    const auto level = static_cast<std::size_t>(j.level);
    const bool pays = std::any_of(scenario.measures.begin(), scenario.measures.end(), [level](const Measure& m) {
      return m.ledger() == Ledger::budget && m.payers.ppm[level] > 0;
    });
    if (!pays) continue;
    layout.payer_levels.push_back(level);
    out.payers.push_back(j.id);
    out.payer_labels.push_back(PayerLabel{j.id, std::string(PAYER_NAMES[level]), j.name});
  }
}

void size_arrays(ScenarioResults& out, std::size_t R, std::size_t Y, std::size_t parameters) {
  const std::size_t M = out.measures.size(), L = out.ledger_measures.size(), P = out.payers.size();
  out.birth_orders = PARITY_CLASSES;
  out.outlay_fen.assign(R * Y * M * P, 0);
  out.caseload.assign(R * Y * M, 0);
  out.ledger_fen.assign(R * Y * L, 0);
  out.ledger_caseload.assign(R * Y * L, 0);
  out.births.assign(R * Y * PARITY_CLASSES, 0);
  out.child_months_under3.assign(R * Y, 0);
  out.childcare_enrolled_months.assign(R * Y, 0);
  out.childcare_demand_months.assign(R * Y, 0);
  out.deaths.assign(R * Y, 0);
  out.population.assign(R * Y, 0);
  out.net_migration.assign(R * Y, 0);
  out.parameters.assign(R * parameters, 0.0);
  out.kindergarten_enrolled_months.assign(R * Y, 0);
  static_assert(RESIDENT_SEXES == SEXES && RESIDENT_AGES == OLDEST_AGE + 1, "the results' age axis is the engine's");
  out.residents_by_age.assign(R * Y * RESIDENT_SEXES * RESIDENT_AGES, 0);
}

//! The whole place's residents by sex and attained age at the year's start: the blocks'
//! counts scaled by the population's weight.
ResidentsByAge whole_place_residents(const YearBooks& books, std::int64_t weight) {
  ResidentsByAge residents{};
  for (const BlockTally& t : books.tally) {
    for (std::size_t s = 0; s < SEXES; ++s) {
      for (std::size_t a = 0; a <= OLDEST_AGE; ++a) residents[s][a] += weight * t.residents[s][a];
    }
  }
  return residents;
}

//! The year's count of a counted-basis measure over the whole place: its eligible
//! residents, their first marriages at the profile's rates, or its programme's units.
double eligible_count(const Plan& plan, const Measure& m, const ResidentsByAge& residents) {
  if (m.basis == Basis::programme) return m.units_per_year;
  double count = 0;
  for (std::size_t s = 0; s < SEXES; ++s) {
    if (!((m.eligibility.sexes >> s) & 1u)) continue;
    const auto from = static_cast<std::size_t>(std::min(m.eligibility.min_age_years, OLDEST_AGE + 1));
    const auto to = static_cast<std::size_t>(std::min(m.eligibility.max_age_years, OLDEST_AGE + 1));
    for (std::size_t a = from; a < to; ++a) {
      const auto n = static_cast<double>(residents[s][a]);
      count += m.basis == Basis::marriage ? n * plan.marriage_rate[s][a] : n;
    }
  }
  return count;
}

//! Each measure's units and money, summed over blocks, into the budget or its ledger.
void reduce_measures(ScenarioResults& out, const Scenario& scenario, const Plan& plan, const ResultsLayout& layout,
                     std::int64_t weight, std::size_t r, std::size_t y, const YearBooks& books) {
  const std::size_t T = plan.n_tallies, B = books.tally.size();
  std::vector<Cost> counted(T);
  if (!plan.counted_measures.empty()) {
    const ResidentsByAge residents = whole_place_residents(books, weight);
    for (const MeasurePlan& mp : plan.counted_measures) {
      counted[mp.tally] = count_cost(*mp.measure, plan.start_year + static_cast<int>(y),
                                     eligible_count(plan, *mp.measure, residents));
    }
  }
  for (std::size_t i = 0; i < T; ++i) {
    std::int64_t n = 0;
    Fen total = 0;
    for (std::size_t b = 0; b < B; ++b) {
      n += books.units[b * T + i];
      total += books.fen[b * T + i];
    }
    const Cost& places = plan.place_costs[y * T + i];
    // Place subsidies and counted bases are whole-place counts already.
    n = n * weight + places.units + counted[i].units;
    total = total * weight + places.fen + counted[i].fen;
    if (layout.budget_of[i] != SIZE_MAX) {
      const std::size_t m = layout.budget_of[i];
      out.caseload[out.caseload_index(r, y, m)] = n;
      const auto parts = split_by_payer(total, scenario.measures[i].payers);
      for (std::size_t p = 0; p < layout.payer_levels.size(); ++p) {
        out.outlay_fen[out.outlay_index(r, y, m, p)] = parts[layout.payer_levels[p]];
      }
    } else {
      out.ledger_caseload[out.ledger_index(r, y, layout.ledger_of[i])] = n;
      out.ledger_fen[out.ledger_index(r, y, layout.ledger_of[i])] = total;
    }
  }
}

}  // namespace

ScenarioResults make_results(const Scenario& scenario, const Plan& plan, std::size_t replications,
                             ResultsLayout& layout) {
  ScenarioResults out;
  out.id = scenario.id;
  out.title = scenario.title;
  out.resolved_text = scenario.resolved_text;
  out.replications = static_cast<int>(replications);
  for (int y = 0; y < plan.years; ++y) out.years.push_back(scenario.start_year + y);
  label_measures(out, scenario, layout);
  label_payers(out, scenario, layout);
  for (const UncertainParameter& p : scenario.uncertainty) {
    out.parameter_labels.push_back(
        ParameterLabel{p.name, std::string(distribution_name(p.distribution.kind)), p.distribution.centre(), p.source});
  }
  // Drawn estimates are parameters too: a triangular draw around the written value.
  for (std::size_t i : scenario.drawn_estimates) {
    const Estimate& e = scenario.estimates[i];
    out.parameter_labels.push_back(ParameterLabel{e.key, "triangular", e.value, e.source});
  }
  size_arrays(out, replications, out.years.size(), out.parameter_labels.size());
  for (int year : out.years) {
    for (std::size_t level : layout.payer_levels) {
      out.budget_fen.push_back(scenario.at_level(static_cast<Payer>(level))->budget_fen(year));
    }
    out.persons.push_back(std::llround(plan.residents[static_cast<std::size_t>(year - scenario.start_year)]));
  }
  out.childcare_slots = plan.places;
  out.burn_in_first_year = scenario.start_year - BURN_IN_YEARS;
  out.burn_in_years = BURN_IN_YEARS;
  out.burn_in_births.assign(replications * out.burn_in_years, 0);
  return out;
}

void record_estimates(ScenarioResults& out, const Scenario& scenario, const std::vector<double>& values,
                      std::size_t r) {
  std::copy(values.begin(), values.end(),
            out.parameters.begin() +
                static_cast<std::ptrdiff_t>(r * out.parameter_labels.size() + scenario.uncertainty.size()));
}

void record_burn_in(ScenarioResults& out, const BasePopulation& pop, std::size_t r) {
  std::int64_t* row = out.burn_in_births.data() + r * out.burn_in_years;
  for (std::size_t c = 0; c < pop.children(); ++c) {
    if (pop.household_arrival[pop.child_household[c]] > pop.base_year) continue;  // arrives later
    const int offset = pop.child_birth_month[c] / 12 - out.burn_in_first_year;
    if (offset >= 0 && static_cast<std::size_t>(offset) < out.burn_in_years) row[offset] += pop.weight;
  }
}

void reduce_year(ScenarioResults& out, const Scenario& scenario, const Plan& plan, const ResultsLayout& layout,
                 const BasePopulation& pop, std::size_t r, std::size_t y, const YearBooks& books) {
  // A sampled household stands for `w`: counts and money are scaled by it exactly.
  const std::int64_t w = pop.weight;
  for (const BlockTally& t : books.tally) {
    for (std::size_t k = 0; k < PARITY_CLASSES; ++k) out.births[out.births_index(r, y, k)] += w * t.births[k];
    out.child_months_under3[out.year_index(r, y)] += w * t.child_months_under3;
    out.childcare_enrolled_months[out.year_index(r, y)] += w * t.childcare_months;
    out.childcare_demand_months[out.year_index(r, y)] +=
        w * std::accumulate(t.childcare_demand.begin(), t.childcare_demand.end(), std::int64_t{0});
    out.kindergarten_enrolled_months[out.year_index(r, y)] += w * t.kindergarten_months;
    out.deaths[out.year_index(r, y)] += w * t.deaths;
    out.population[out.year_index(r, y)] += w * t.population;
    for (std::size_t sex = 0; sex < SEXES; ++sex) {
      for (std::size_t a = 0; a <= OLDEST_AGE; ++a) out.residents_by_age[out.resident_index(r, y, sex, a)] += w * t.residents[sex][a];
    }
    out.net_migration[out.year_index(r, y)] += w * (t.arrived - t.departed);
  }
  reduce_measures(out, scenario, plan, layout, w, r, y, books);
}

}  // namespace cradle::engine
