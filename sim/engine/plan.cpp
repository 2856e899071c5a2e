#include "sim/engine/plan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "models/measures/kinds.h"

namespace cradle::engine {

namespace {

//! Whether some household of `pop` arrives after the first year's 1 January.
bool later_arrivals(const BasePopulation& pop, int start_year) {
  return std::any_of(pop.household_arrival.begin(), pop.household_arrival.end(),
                     [&](std::int16_t arrival) { return arrival > start_year; });
}

//! The fertility table the plan uses: the scenario's own, as it is, or the profile's
//! pattern calibrated so that the women resident in the first year (not later arrivals)
//! bear its births, a 1-in-k sample 1/k of them.
FertilityTable fertility_table(const Scenario& scenario, const BasePopulation& pop) {
  if (scenario.fertility_table) return *scenario.fertility_table;
  // Without later arrivals every woman is resident: the columns are read as they are, not
  // copied (a pass over each replication's population, with the pages of the copies).
  std::span<const std::int16_t> birth_years = pop.woman_birth_year;
  std::span<const std::uint8_t> parity = pop.woman_parity;
  std::vector<std::int16_t> resident_birth_years;
  std::vector<std::uint8_t> resident_parity;
  if (later_arrivals(pop, scenario.start_year)) {
    resident_birth_years.reserve(pop.women());
    resident_parity.reserve(pop.women());
    for (std::size_t w = 0; w < pop.women(); ++w) {
      if (pop.household_arrival[pop.woman_household[w]] <= scenario.start_year) {
        resident_birth_years.push_back(pop.woman_birth_year[w]);
        resident_parity.push_back(pop.woman_parity[w]);
      }
    }
    birth_years = resident_birth_years;
    parity = resident_parity;
  }
  const double births = scenario.profile.births / static_cast<double>(pop.weight);
  return calibrate_fertility(scenario.profile.fertility, births, birth_years, parity, scenario.start_year);
}

//! Birth probabilities by year, birth cohort and parity class, held from the first year.
void plan_births(Plan& plan, const Scenario& scenario, const BasePopulation& pop) {
  const FertilityTable table = fertility_table(scenario, pop);
  const BirthYears years = birth_year_range(pop.women(), [&](std::size_t w) { return pop.woman_birth_year[w]; });
  plan.min_birth_year = years.first;
  plan.birth_year_span = years.span;
  plan.birth_probability.assign(static_cast<std::size_t>(plan.years) * plan.birth_year_span * PARITY_CLASSES, 0.0);
  for (int y = 0; y < plan.years; ++y) {
    for (std::size_t b = 0; b < plan.birth_year_span; ++b) {
      const int age = scenario.start_year + y - (plan.min_birth_year + static_cast<int>(b));
      if (age < MIN_FERTILE_AGE || age > MAX_FERTILE_AGE) continue;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        plan.birth_probability[(static_cast<std::size_t>(y) * plan.birth_year_span + b) * PARITY_CLASSES +
                               static_cast<std::size_t>(k)] =
            table.probability[static_cast<std::size_t>(age)][static_cast<std::size_t>(k)];
      }
    }
  }
}

//! Cumulative thresholds over a year's months for the births the response adds: in
//! proportion to what a birth in each month brings beyond the first year's value (all
//! months alike if none brings more).
std::array<std::array<std::uint64_t, 11>, PARITY_CLASSES> response_months(
    const MonthlyBirthValue& value, const std::array<double, PARITY_CLASSES>& first) {
  std::array<std::array<std::uint64_t, 11>, PARITY_CLASSES> out{};
  for (std::size_t k = 0; k < PARITY_CLASSES; ++k) {
    std::array<double, 12> weight{};
    double total = 0;
    for (std::size_t m = 0; m < 12; ++m) total += weight[m] = std::max(0.0, value[m][k] - first[k]);
    if (!(total > 0)) {
      weight.fill(1.0);
      total = 12;
    }
    double cumulative = 0;
    for (std::size_t m = 0; m < 11; ++m) {
      cumulative += weight[m];
      out[k][m] = probability_threshold(cumulative / total);
    }
  }
  return out;
}

//! What behaviour reads each year: a birth's value under `measures`, household incomes,
//! net prices under `measures`.
PlanBehaviour plan_behaviour(const Scenario& scenario, const std::vector<Measure>& measures) {
  const PlaceProfile& profile = scenario.profile;
  PlanBehaviour plan;
  std::vector<MonthlyBirthValue> monthly;
  for (int y = 0; y < scenario.years(); ++y) {
    monthly.push_back(birth_values_by_month(measures, profile.childcare, profile.kindergarten,
                                            scenario.start_year + y, profile.assisted_reproduction_share));
    plan.birth_value.push_back(year_mean(monthly.back()));
    plan.net_price.push_back(net_price_ratios(measures, profile.childcare, scenario.start_year + y));
  }
  for (const MonthlyBirthValue& value : monthly) plan.response_month.push_back(response_months(value, plan.birth_value[0]));
  for (double relative : profile.households.income_band_relative) {
    plan.band_income.push_back(profile.household_income * relative);
  }
  plan.beta_per_percent = response_beta(1.0, plan.band_income, profile.households.income_band_shares);
  plan.employment_demand = profile.households.childcare_demand_by_employment;
  plan.fees = Fees{profile.childcare.fees, profile.kindergarten.fees};
  return plan;
}

//! Event and mortality thresholds, and whether anyone migrates.
void plan_events(Plan& plan, const Scenario& scenario, const BasePopulation& pop) {
  const PlaceProfile& profile = scenario.profile;
  plan.assisted_threshold = probability_threshold(profile.assisted_reproduction_share);
  for (std::size_t t = 0; t < 2; ++t) {
    plan.home_purchase_threshold[t] =
        probability_threshold(profile.home_purchase_rate * profile.households.home_purchase_by_tenure[t]);
  }
  plan.mortality = mortality_thresholds(profile.life_table);
  plan.survival = RunSurvival(plan.mortality, scenario.years());
  plan.woman_death_threshold.assign(static_cast<std::size_t>(plan.years) * plan.birth_year_span, 0);
  for (int y = 0; y < plan.years; ++y) {
    for (std::size_t b = 0; b < plan.birth_year_span; ++b) {
      const int age = scenario.start_year + y - (plan.min_birth_year + static_cast<int>(b));
      plan.woman_death_threshold[static_cast<std::size_t>(y) * plan.birth_year_span + b] =
          plan.mortality.at(Sex::female, age);
    }
  }
  plan.girl_threshold = probability_threshold(100.0 / (100.0 + profile.sex_ratio_at_birth));
  for (int sex = 0; sex < SEXES; ++sex) {
    for (int age = MIN_FERTILE_AGE; age <= MAX_FERTILE_AGE; ++age) {
      plan.marriage_rate[static_cast<std::size_t>(sex)][static_cast<std::size_t>(age)] =
          profile.first_marriages_per_1000[static_cast<std::size_t>(sex)]
                                          [static_cast<std::size_t>((age - MIN_FERTILE_AGE) / 5)] /
          1000.0;
    }
  }
  plan.migration = later_arrivals(pop, scenario.start_year) ||
                   std::any_of(pop.household_departure.begin(), pop.household_departure.end(),
                               [](std::int16_t y) { return y != NEVER_DEPARTS; });
}

//! A phased take-up as a threshold per year (at mid-year); a constant one keeps the
//! measure's threshold alone.
void plan_take_up(MeasurePlan& mp, const Measure& m, const Plan& plan) {
  bool varies = false, certain = true;
  std::vector<std::uint64_t> by_year;
  for (int y = 0; y < plan.years; ++y) {
    const double t = m.take_up_at(month_index(plan.start_year + y, 7));
    varies = varies || t != m.take_up;
    certain = certain && t >= 1.0;
    by_year.push_back(probability_threshold(t));
  }
  if (!varies) return;
  mp.take_up_lowest_from = mp.take_up_highest_from = by_year;
  for (std::size_t y = by_year.size() - 1; y-- > 0;) {
    mp.take_up_lowest_from[y] = std::min(by_year[y], mp.take_up_lowest_from[y + 1]);
    mp.take_up_highest_from[y] = std::max(by_year[y], mp.take_up_highest_from[y + 1]);
  }
  mp.take_up_by_year = std::move(by_year);
  mp.take_up_certain = certain;
}

//! The kindergarten years (a bit set as Phase::kindergarten_years) of a measure's phases in
//! force in a year.
std::uint8_t kindergarten_years_in(const MeasureYear& year) {
  std::uint8_t covered = 0;
  for (const MeasureYear::Segment& s : year.segments)
    covered = static_cast<std::uint8_t>(covered | s.phase->kindergarten_years);
  return covered;
}

//! Enrolled-month child measure i (of bit `bit` in word `word`) in the reach of its service:
//! by provider in childcare, and in kindergarten by year, provider and the kindergarten
//! years its phases that year cover.
void plan_enrolled_reach(ChildMeasureReach& r, const Plan& plan, std::size_t i, std::size_t word, std::uint64_t bit) {
  const Eligibility& e = plan.child_measures[i].measure->eligibility;
  const std::size_t n = plan.child_measures.size(), sets = ChildMeasureReach::KINDERGARTEN_YEAR_SETS;
  for (std::size_t p = 0; p < PROVIDER_COUNT; ++p) {
    if (!((e.providers >> p) & 1u)) continue;
    if (e.service == Service::childcare) {
      r.childcare[p * r.words + word] |= bit;
      continue;
    }
    for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
      const std::uint8_t covered = kindergarten_years_in(plan.child_measure_years[y * n + i]);
      for (std::size_t set = 1; set < sets; ++set) {
        if ((set & covered) != 0) r.kindergarten[((y * PROVIDER_COUNT + p) * sets + set) * r.words + word] |= bit;
      }
    }
  }
}

//! Child measure `m` (of bit `bit` in word `word`) in the reach of the households it
//! reaches, by flags, tenure and income band, and by minor children.
void plan_household_reach(ChildMeasureReach& r, const Measure& m, std::size_t word, std::uint64_t bit) {
  using R = ChildMeasureReach;
  static_assert(R::HOUSEHOLD_FLAGS == 3, "the flags reaches_household reads are the two lowest bits");
  for (std::uint8_t flags = 0; flags <= R::HOUSEHOLD_FLAGS; ++flags) {
    if (!m.reaches_household(flags)) continue;
    for (std::uint8_t tenure = 0; tenure < R::TENURES; ++tenure) {
      for (std::uint8_t band = 0; band < MAX_INCOME_BANDS; ++band) {
        if (m.reaches_tenure_and_income(tenure, band)) {
          r.by_household[R::household_row(flags, tenure, band) * r.words + word] |= bit;
        }
      }
    }
  }
  for (std::size_t minors = 0; minors < R::MINORS; ++minors) {
    if (m.reaches_minors(static_cast<int>(minors))) r.by_minors[minors * r.words + word] |= bit;
  }
}

//! The child measures' reach by age, order, household and service (ChildMeasureReach),
//! from their eligibility and, for kindergarten, each year's phases.
void plan_child_reach(Plan& plan) {
  ChildMeasureReach& r = plan.child_reach;
  const std::size_t n = plan.child_measures.size(), years = static_cast<std::size_t>(plan.years);
  r.words = (n + 63) / 64;
  const int ages = plan.oldest_relevant_age_months - ChildMeasureReach::YOUNGEST;
  r.by_age.assign(static_cast<std::size_t>(ages) * r.words, 0);
  r.by_order.assign(ChildMeasureReach::ORDERS * r.words, 0);
  r.childcare.assign(PROVIDER_COUNT * r.words, 0);
  r.kindergarten.assign(years * PROVIDER_COUNT * ChildMeasureReach::KINDERGARTEN_YEAR_SETS * r.words, 0);
  r.by_household.assign(
      (ChildMeasureReach::HOUSEHOLD_FLAGS + 1) * ChildMeasureReach::TENURES * MAX_INCOME_BANDS * r.words, 0);
  r.by_minors.assign(ChildMeasureReach::MINORS * r.words, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Measure& m = *plan.child_measures[i].measure;
    const std::size_t word = i / 64;
    const std::uint64_t bit = std::uint64_t{1} << (i % 64);
    for (std::size_t order = 0; order < ChildMeasureReach::ORDERS; ++order) {
      if (m.reaches_order(static_cast<int>(order))) r.by_order[order * r.words + word] |= bit;
    }
    plan_household_reach(r, m, word, bit);
    if (m.basis != Basis::child_month) {
      plan_enrolled_reach(r, plan, i, word, bit);
      continue;
    }
    for (int age = ChildMeasureReach::YOUNGEST; age < plan.oldest_relevant_age_months; ++age) {
      // Its months this year are ages age … age + 11: does any fall in the window?
      if (age + 11 < m.eligibility.min_age_months || age >= m.eligibility.max_age_months) continue;
      r.by_age[static_cast<std::size_t>(age - ChildMeasureReach::YOUNGEST) * r.words + word] |= bit;
    }
  }
}

//! The table of a child measure's year, where its rule is eligible_month_cost and its
//! phases in the year pay what one table gives: a single phase, or phases of one amount a
//! month (the rule rounds each phase's months apart).
ChildMonthTable child_month_table(const Measure& m, const MeasureYear& t, int oldest_age_months) {
  ChildMonthTable table;
  if (t.rule != &eligible_month_cost || !t.in_force()) return table;
  const Phase& first = *t.segments.front().phase;
  std::uint16_t months = 0;
  for (const MeasureYear::Segment& s : t.segments) {
    const bool alike = s.phase->fen_per_unit == first.fen_per_unit && s.phase->per_months == 1 && first.per_months == 1;
    if ((t.segments.size() > 1 && !alike) || (months & s.months) != 0) return table;
    months = static_cast<std::uint16_t>(months | s.months);
  }
  const MonthIndex year_start = month_index(t.year, 1);
  for (int age = ChildMeasureReach::YOUNGEST; age < oldest_age_months; ++age) {
    const MonthIndex birth = year_start - 1 - age;  // a child of `age` completed months at the year's start
    table.by_age.push_back(
        static_cast<std::uint16_t>(age_window_mask(t.year, birth, m.eligibility.min_age_months,
                                                   m.eligibility.max_age_months) & months));
  }
  for (int n = 0; n <= 12; ++n) table.fen_for_months[static_cast<std::size_t>(n)] = n * first.fen_per_unit / first.per_months;
  table.tabled = true;
  table.once_per_household = m.eligibility.once_per_household;
  return table;
}

//! Each year's child measures in force (Plan::child_in_force) and their tables
//! (Plan::child_month_tables), kindergarten months by age (Plan::kindergarten_masks), and
//! event measures whose dates meet it (Plan::event_measures).
void plan_in_force(Plan& plan) {
  const std::size_t words = plan.child_reach.words, n = plan.child_measures.size();
  plan.child_in_force.assign(static_cast<std::size_t>(plan.years) * words, 0);
  plan.event_measures.assign(static_cast<std::size_t>(plan.years), {});
  for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
    for (std::size_t i = 0; i < n; ++i) {
      const MeasureYear& t = plan.child_measure_years[y * n + i];
      if (t.in_force()) plan.child_in_force[y * words + i / 64] |= std::uint64_t{1} << (i % 64);
      plan.child_month_tables.push_back(
          child_month_table(*plan.child_measures[i].measure, t, plan.oldest_relevant_age_months));
    }
    const MonthIndex first = month_index(plan.start_year + static_cast<int>(y), 1), end = first + 12;
    for (int age = ChildMeasureReach::YOUNGEST; age < plan.oldest_relevant_age_months; ++age) {
      plan.kindergarten_masks.push_back(kindergarten_year_masks(first - 1 - age, plan.start_year + static_cast<int>(y)));
    }
    auto meeting = [&](const std::vector<MeasurePlan>& all) {
      std::vector<EventMeasureYear> out;
      for (const MeasurePlan& mp : all) {
        const Eligibility& e = mp.measure->eligibility;
        if (e.valid_from < end && first < e.valid_until) {
          out.push_back({mp, event_year(*mp.measure, plan.start_year + static_cast<int>(y))});
        }
      }
      return out;
    };
    plan.event_measures[y] = {meeting(plan.birth_measures), meeting(plan.assisted_measures), meeting(plan.home_measures)};
  }
}

//! The measures sorted by basis, with their take-up thresholds and cap slots.
void plan_measures(Plan& plan, const Scenario& scenario) {
  plan.home_min_children = std::numeric_limits<int>::max();
  plan.oldest_relevant_age_months = OLDEST_SERVICE_AGE_MONTHS;
  std::size_t capped_child = 0;
  for (std::size_t i = 0; i < scenario.measures.size(); ++i) {
    const Measure& m = scenario.measures[i];
    MeasurePlan mp{&m, i, probability_threshold(m.take_up), m.take_up >= 1.0, stable_hash32(m.id), -1, {}, {}, {}};
    plan_take_up(mp, m, plan);
    if (m.cap_per_person >= 0) {
      if (capped_child == MAX_CAPPED_CHILD_MEASURES) {
        throw std::invalid_argument("more than " + std::to_string(MAX_CAPPED_CHILD_MEASURES) +
                                    " measures with a per-person cap (" + m.id + ")");
      }
      mp.cap_slot = static_cast<int>(capped_child++);
    }
    if (m.cap_per_household >= 0) mp.cap_slot = static_cast<int>(plan.capped_event_measures++);
    switch (m.basis) {
      case Basis::child_month:
      case Basis::enrolled_month:
        if (m.basis == Basis::child_month && plan.child_measures.size() < REMEMBERED_TAKE_UPS && !mp.take_up_certain &&
            mp.take_up_by_year.empty()) {
          plan.child_take_ups_ahead |= std::uint64_t{1} << plan.child_measures.size();
        }
        plan.child_measures.push_back(mp);
        plan.oldest_relevant_age_months = std::max(plan.oldest_relevant_age_months, m.eligibility.max_age_months);
        if (m.eligibility.once_per_household) {
          plan.once_per_household_age_months =
              std::max(plan.once_per_household_age_months, m.eligibility.max_age_months);
        }
        break;
      case Basis::birth: plan.birth_measures.push_back(mp); break;
      case Basis::assisted_birth: plan.assisted_measures.push_back(mp); break;
      case Basis::home_purchase:
        plan.home_measures.push_back(mp);
        plan.home_min_children = std::min(plan.home_min_children, std::max(1, m.eligibility.min_children));
        break;
      case Basis::new_slot:
      case Basis::renovated_slot: plan.slot_measures.push_back(mp); break;
      case Basis::resident_year:
      case Basis::marriage:
      case Basis::programme: plan.counted_measures.push_back(mp); break;
    }
    const Eligibility none;
    plan.needs_minors = plan.needs_minors || m.eligibility.min_minor_children != none.min_minor_children ||
                        m.eligibility.max_minor_children != none.max_minor_children;
  }
  plan.n_tallies = scenario.measures.size();
  // A child of attained age k at most 12k - 1 and at least 12k - 12 months old at the
  // year's start: every child of that age is past the oldest relevant age once
  // 12k - 12 >= oldest_relevant_age_months.
  plan.dated_child_age = (plan.oldest_relevant_age_months + 11) / 12 + 1;
  for (int y = 0; y < plan.years; ++y) {
    for (const MeasurePlan& mp : plan.child_measures) plan.child_measure_years.push_back(measure_year(*mp.measure, plan.start_year + y));
  }
  plan_child_reach(plan);
  plan_in_force(plan);
}

//! The capacity path, the same in every replication: places per 1000 planned residents
//! (planned_residents), a stock that never shrinks. Places are rationed among the
//! simulated households (a sample's share, whole places); the places added, which place
//! subsidies pay for, are counted for the whole place, so that a sample does not round them.
void plan_places(Plan& plan, const Scenario& scenario, const BasePopulation& pop) {
  const ChildcareProfile& childcare = scenario.profile.childcare;
  const auto weight = static_cast<double>(pop.weight);
  plan.residents = planned_residents(scenario);
  const int first = scenario.start_year;
  std::int64_t whole = childcare_slots(childcare, plan.residents[0], first, first - 1);
  std::int64_t sample = childcare_slots(childcare, plan.residents[0] / weight, first, first - 1);
  plan.place_costs.assign(static_cast<std::size_t>(plan.years) * plan.n_tallies, Cost{});
  for (int y = 0; y < plan.years; ++y) {
    const int year = first + y;
    const double residents = plan.residents[static_cast<std::size_t>(y)];
    sample = std::max(sample, childcare_slots(childcare, residents / weight, first, year));
    plan.sample_places.push_back(sample);
    plan.places.push_back(sample * pop.weight);
    const std::int64_t before = whole;
    whole = std::max(whole, childcare_slots(childcare, residents, first, year));
    const PlacesAdded added = places_added(childcare, before, whole);
    for (const MeasurePlan& mp : plan.slot_measures) {
      plan.place_costs[static_cast<std::size_t>(y) * plan.n_tallies + mp.tally] =
          place_subsidy_cost(*mp.measure, year, added);
    }
  }
}

}  // namespace

ParameterValues parameter_values(const Scenario& scenario, const std::vector<double>& values) {
  ParameterValues theta;
  for (std::size_t i = 0; i < scenario.uncertainty.size(); ++i) {
    const double v = values[i];
    switch (scenario.uncertainty[i].id) {
      case ParameterId::birth_response: theta.birth_response = v; break;
      case ParameterId::fertility_level: theta.fertility_level = v; break;
      case ParameterId::childcare_demand_level: theta.childcare_demand_level = v; break;
      case ParameterId::fertility_trend: theta.fertility_trend = v; break;
      case ParameterId::childcare_price_elasticity: theta.childcare_price_elasticity = v; break;
    }
  }
  return theta;
}

namespace {

//! The plan of `scenario` on `pop` with `behaviour` (plan_behaviour's, made once per set of
//! measures).
Plan plan_of(const Scenario& scenario, const BasePopulation& pop, std::uint32_t seed, PlanBehaviour behaviour) {
  Plan plan{};
  static_cast<PlanBehaviour&>(plan) = std::move(behaviour);
  plan.start_year = scenario.start_year;
  plan.years = scenario.years();
  plan.seed = seed;
  plan_births(plan, scenario, pop);
  plan_events(plan, scenario, pop);
  plan_measures(plan, scenario);
  plan_places(plan, scenario, pop);
  return plan;
}

}  // namespace

Plan make_plan(const Scenario& scenario, const BasePopulation& pop, std::uint32_t seed,
               const std::vector<Measure>* behaviour_measures) {
  return plan_of(scenario, pop, seed,
                 plan_behaviour(scenario, behaviour_measures ? *behaviour_measures : scenario.measures));
}

Plan make_plan_like(const Plan& like, const Scenario& scenario, const BasePopulation& pop) {
  return plan_of(scenario, pop, like.seed, like);
}

std::array<double, PARITY_CLASSES> year_multipliers(const Plan& plan, std::size_t y, std::size_t band,
                                                    const ParameterValues& theta, bool with_response) {
  std::array<double, PARITY_CLASSES> m;
  m.fill(1.0);
  if (with_response) {
    m = response_multipliers(plan.birth_value[y], plan.band_income[band],
                             theta.birth_response * plan.beta_per_percent, plan.birth_value[0]);
  }
  const double f = theta.fertility_level * std::pow(1.0 + theta.fertility_trend, static_cast<double>(y));
  for (double& x : m) x *= f;
  return m;
}

ReplicationPlan make_replication_plan(const Scenario& scenario, const Plan& plan, std::uint32_t rep) {
  ReplicationPlan rp;
  for (const UncertainParameter& p : scenario.uncertainty) {
    KeyedStream s(plan.seed, rep, StreamKey{stable_hash32(p.name), 0, 0, stream::PARAMETER});
    const double u = (static_cast<double>(s.next_u64() >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
    rp.parameters.push_back(p.distribution.quantile(u));
  }
  const ParameterValues theta = parameter_values(scenario, rp.parameters);
  const std::size_t bands = plan.band_income.size();
  rp.birth_threshold.resize(plan.birth_probability.size() * bands);
  rp.base_birth_threshold.resize(plan.birth_probability.size() * bands);
  std::vector<std::uint64_t> highest(plan.birth_probability.size(), 0);  // over the bands
  const std::size_t per_year = plan.birth_year_span * PARITY_CLASSES;
  for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
    for (std::size_t band = 0; band < bands; ++band) {
      const auto multiplier = year_multipliers(plan, y, band, theta);
      const auto base = year_multipliers(plan, y, band, theta, false);
      const std::size_t offset = (y * bands + band) * per_year;
      for (std::size_t i = 0; i < per_year; ++i) {
        const double p = plan.birth_probability[y * per_year + i];
        rp.birth_threshold[offset + i] =
            probability_threshold(std::min(p * multiplier[i % PARITY_CLASSES], MAX_BIRTH_PROBABILITY));
        rp.base_birth_threshold[offset + i] =
            probability_threshold(std::min(p * base[i % PARITY_CLASSES], MAX_BIRTH_PROBABILITY));
        highest[y * per_year + i] = std::max(highest[y * per_year + i], rp.birth_threshold[offset + i]);
      }
    }
    rp.childcare_demand.push_back(childcare_demand(scenario.profile.childcare, plan.employment_demand,
                                                   plan.net_price[y], theta.childcare_demand_level,
                                                   theta.childcare_price_elasticity));
  }
  rp.change_window.assign(highest.size() / PARITY_CLASSES * CHANGE_CLASSES, ChangeWindow{});
  for (std::size_t i = 0; i < highest.size(); ++i) {
    const std::size_t row = i / PARITY_CLASSES;  // [year][birth year]
    rp.change_window[row * CHANGE_CLASSES + i % PARITY_CLASSES] =
        ChangeWindow::of(highest[i], plan.woman_death_threshold[row]);
  }
  for (int y = 0; y < plan.years; ++y) {
    rp.services.push_back(
        make_service_use(kindergarten_in(scenario.profile.kindergarten, plan.start_year, plan.start_year + y)));
  }
  rp.childcare_provider_threshold = provider_thresholds(scenario.profile.childcare.provider_shares);
  return rp;
}

}  // namespace cradle::engine
