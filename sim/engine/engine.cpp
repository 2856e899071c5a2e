#include "sim/engine/engine.h"

#include <tbb/blocked_range.h>
#include <tbb/concurrent_queue.h>
#include <tbb/parallel_for.h>

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>

#include "models/behaviour.h"
#include "models/childcare_demand.h"
#include "models/fertility.h"
#include "models/measures/measure.h"
#include "models/services.h"
#include "sim/population/household_fit.h"
#include "sim/random/rng.h"

namespace cradle {

namespace {

constexpr int UNDER3_MONTHS = 36;
//! Children older than this at a year's start can be in no service: kindergarten year 3
//! ends in the June of the year a child born in August turns 7.
constexpr int OLDEST_SERVICE_AGE_MONTHS = 7 * 12;
constexpr int ASSISTED_REPRODUCTION_MIN_AGE = 35;
constexpr int HOME_BUYER_MIN_AGE = 20;

//! A child's decisions that are drawn once (year 0 of its streams), remembered within a
//! replication so that each is drawn once; a value does not depend on when it is drawn.
//! Child measures with a per-person cap whose payments are remembered per child.
constexpr std::size_t MAX_CAPPED_CHILD_MEASURES = 4;

struct ChildState {
  std::array<Fen, MAX_CAPPED_CHILD_MEASURES> paid{};  //!< so far, by capped measure
  std::uint64_t take_up_known = 0;                    //!< bit i: the take-up of child measure i has been drawn
  std::uint64_t take_up_yes = 0;
  std::int8_t childcare_provider = -1;  //!< -1: not drawn yet
  std::int8_t kindergarten = -1;        //!< -1: not drawn; 0: not enrolled; 1 + provider
  bool dead = false;                    //!< died in an earlier year
};
//! Child measures whose take-up is remembered; later ones are drawn each year.
constexpr std::size_t REMEMBERED_TAKE_UPS = 64;

//! A child born during the run, identified by (mother, birth year) so that its
//! streams do not depend on anyone else's births.
struct Newborn {
  MonthIndex birth_month;
  std::uint32_t mother;
  std::uint16_t birth_year;
  std::uint8_t order;
  ChildState state;
};

//! What one measure needs in the loops, precomputed.
struct MeasurePlan {
  const Measure* measure;
  std::size_t tally;  //!< index into the per-block tallies (all measures, scenario order)
  std::uint64_t take_up_threshold;
  bool take_up_certain;
  std::uint32_t take_up_draw;  //!< draw index: hash of the measure id
  int cap_slot = -1;           //!< its slot among capped measures (per child or per household), or -1
};

//! Per block and year: the integer tallies of one replication.
struct BlockTally {
  std::array<std::int64_t, PARITY_CLASSES> births{};
  std::int64_t child_months_under3 = 0;
  std::int64_t childcare_demand_months = 0;
  std::int64_t childcare_months = 0;
  std::int64_t kindergarten_months = 0;
  std::int64_t deaths = 0;
  std::int64_t arrived = 0, departed = 0;  //!< persons of the households arriving, leaving then
};

//! Parity value that marks a woman who has died (real parities saturate below it).
constexpr std::uint8_t DEAD = 0xFF;

//! One child's year between the demand pass and the enrolment pass.
struct ChildWork {
  ChildYear year;     //!< childcare_mask holds the demand until allocation
  std::uint64_t key;  //!< the child-year's random key: rank among equal priorities
  std::uint32_t entity, aux;
  ChildState* state;
  std::uint8_t priority;  //!< 0 is served first
};

//! Everything that is the same for every replication of a scenario.
struct Plan {
  int start_year;
  int years;
  std::uint32_t seed;
  std::int16_t min_birth_year;
  std::size_t birth_year_span;
  //! [year][birth_year - min_birth_year][parity class]: probability of a birth before
  //! the replication's parameters (level, response) are applied
  std::vector<double> birth_probability;
  //! [year][parity class]: what a birth in that year would bring its family, yuan
  std::vector<std::array<double, PARITY_CLASSES>> birth_value;
  std::vector<double> band_income;  //!< annual household income of each income band, yuan
  //! [year]: childcare net price ratios under the scenario's fee reductions
  std::vector<NetPriceRatios> net_price;
  std::array<double, DEMAND_EMPLOYMENT_CLASSES> employment_demand{};
  Fees fees;
  std::vector<MeasurePlan> child_measures;  //!< monthly bases
  std::vector<MeasurePlan> birth_measures, assisted_measures, home_measures, slot_measures;
  std::uint64_t assisted_threshold;
  std::array<std::uint64_t, 2> home_purchase_threshold;  //!< by tenure
  std::uint64_t women_death_from;                        //!< a birth draw at or above this is a death
  std::uint64_t infant_death_threshold, child_death_threshold;
  bool mortality;
  bool migration;         //!< some household arrives or leaves during the run
  int home_min_children;  //!< households with fewer children are not drawn for purchases
  int oldest_relevant_age_months;
  std::size_t n_tallies;
  std::size_t capped_event_measures = 0;  //!< with a per-household cap
};

//! What differs between replications besides chance: the drawn parameters, and the
//! thresholds they set.
struct ReplicationPlan {
  std::vector<double> parameters;  //!< in the scenario's uncertainty order
  //! [year][income band][birth_year - min_birth_year][parity class]: Plan::birth_probability
  //! with the parameters and the band's response applied
  std::vector<std::uint64_t> birth_threshold;
  ServiceUse services;
  std::vector<ChildcareDemandYear> childcare_demand;  //!< [year]
};

//! The hazard multipliers of one year: fertility level, trend since the first year, and
//! the behavioural response by order.
std::array<double, PARITY_CLASSES> year_multipliers(const Plan& plan, std::size_t y, std::size_t band, double level,
                                                    double trend, double response) {
  auto m = response_multipliers(plan.birth_value[y], plan.band_income[band], response);
  const double f = level * std::pow(1.0 + trend, static_cast<double>(y));
  for (double& x : m) x *= f;
  return m;
}

ReplicationPlan make_replication_plan(const Scenario& scenario, const Plan& plan, std::uint32_t rep) {
  ReplicationPlan rp;
  double response = 0, level = 1, demand = 1, trend = 0, elasticity = 0;
  for (const UncertainParameter& p : scenario.uncertainty) {
    KeyedStream s(plan.seed, rep, StreamKey{stable_hash32(p.name), 0, 0, stream::PARAMETER});
    const double u = (static_cast<double>(s.next_u64() >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
    const double v = p.distribution.quantile(u);
    rp.parameters.push_back(v);
    if (p.id == ParameterId::birth_response) response = v;
    if (p.id == ParameterId::fertility_level) level = v;
    if (p.id == ParameterId::childcare_demand_level) demand = v;
    if (p.id == ParameterId::fertility_trend) trend = v;
    if (p.id == ParameterId::childcare_price_elasticity) elasticity = v;
  }
  const std::size_t bands = plan.band_income.size();
  rp.birth_threshold.resize(plan.birth_probability.size() * bands);
  const std::size_t per_year = plan.birth_year_span * PARITY_CLASSES;
  for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
    for (std::size_t band = 0; band < bands; ++band) {
      const auto multiplier = year_multipliers(plan, y, band, level, trend, response);
      std::uint64_t* out = rp.birth_threshold.data() + (y * bands + band) * per_year;
      for (std::size_t i = 0; i < per_year; ++i) {
        const double p = plan.birth_probability[y * per_year + i] * multiplier[i % PARITY_CLASSES];
        out[i] = probability_threshold(std::min(p, MAX_BIRTH_PROBABILITY));
      }
    }
    rp.childcare_demand.push_back(
        childcare_demand(scenario.profile.childcare, plan.employment_demand, plan.net_price[y], demand, elasticity));
  }
  rp.services = make_service_use(scenario.profile.childcare, scenario.profile.kindergarten);
  return rp;
}

bool takes_up(const Plan& plan, const MeasurePlan& mp, std::uint32_t rep, const StreamKey& key) {
  return mp.take_up_certain || draw_u64(plan.seed, rep, key, mp.take_up_draw) < mp.take_up_threshold;
}

Plan make_plan(const Scenario& scenario, const BasePopulation& pop, std::uint32_t seed) {
  Plan plan{};
  plan.start_year = scenario.start_year;
  plan.years = scenario.years();
  plan.seed = seed;
  const PlaceProfile& profile = scenario.profile;
  // Rates calibrated once, on the base population in the first year, then held.
  // A 1-in-k sample bears 1/k of the births.
  const double births = profile.births / static_cast<double>(pop.weight);
  // A scenario's own fertility table is used as it is; otherwise the profile's pattern is
  // calibrated to its births.
  // Calibration sees the women resident in the first year, not later arrivals.
  std::vector<std::int16_t> resident_birth_years;
  std::vector<std::uint8_t> resident_parity;
  for (std::size_t w = 0; w < pop.women(); ++w) {
    if (pop.household_arrival[pop.woman_household[w]] <= scenario.start_year) {
      resident_birth_years.push_back(pop.woman_birth_year[w]);
      resident_parity.push_back(pop.woman_parity[w]);
    }
  }
  const FertilityTable table =
      scenario.fertility_table
          ? *scenario.fertility_table
          : calibrate_fertility(profile.fertility, births, resident_birth_years, resident_parity, scenario.start_year);
  const auto [lo, hi] = std::minmax_element(pop.woman_birth_year.begin(), pop.woman_birth_year.end());
  plan.min_birth_year = pop.women() ? *lo : 0;
  plan.birth_year_span = pop.women() ? static_cast<std::size_t>(*hi - *lo + 1) : 0;
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
  for (int y = 0; y < plan.years; ++y) {
    plan.birth_value.push_back(birth_value_yuan(scenario.measures, profile.childcare, profile.kindergarten,
                                                month_index(scenario.start_year + y, 7),
                                                profile.assisted_reproduction_share));
  }
  for (double relative : profile.households.income_band_relative) {
    plan.band_income.push_back(profile.household_income * relative);
  }
  for (int y = 0; y < plan.years; ++y) {
    plan.net_price.push_back(net_price_ratios(scenario.measures, profile.childcare, scenario.start_year + y));
  }
  plan.employment_demand = profile.households.childcare_demand_by_employment;
  plan.fees = Fees{profile.childcare.fees, profile.kindergarten.fees};
  plan.assisted_threshold = probability_threshold(profile.assisted_reproduction_share);
  for (std::size_t t = 0; t < 2; ++t) {
    plan.home_purchase_threshold[t] =
        probability_threshold(profile.home_purchase_rate * profile.households.home_purchase_by_tenure[t]);
  }
  // A woman dies when her birth draw falls in the top `q` of its range: births take the
  // bottom, so the two never meet, and deaths do not depend on the policy.
  plan.women_death_from = ~probability_threshold(profile.women_mortality / 1000.0);
  plan.infant_death_threshold = probability_threshold(profile.infant_mortality / 1000.0);
  plan.child_death_threshold = probability_threshold(profile.child_mortality / 1000.0);
  plan.migration = std::any_of(pop.household_arrival.begin(), pop.household_arrival.end(),
                               [&](std::int16_t y) { return y > scenario.start_year; }) ||
                   std::any_of(pop.household_departure.begin(), pop.household_departure.end(),
                               [](std::int16_t y) { return y != NEVER_DEPARTS; });
  plan.mortality = profile.women_mortality > 0 || profile.infant_mortality > 0 || profile.child_mortality > 0;
  plan.home_min_children = std::numeric_limits<int>::max();
  plan.oldest_relevant_age_months = OLDEST_SERVICE_AGE_MONTHS;
  std::size_t capped_child = 0;
  for (std::size_t i = 0; i < scenario.measures.size(); ++i) {
    const Measure& m = scenario.measures[i];
    MeasurePlan mp{&m, i, probability_threshold(m.take_up), m.take_up >= 1.0, stable_hash32(m.id), -1};
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
        plan.child_measures.push_back(mp);
        plan.oldest_relevant_age_months = std::max(plan.oldest_relevant_age_months, m.eligibility.max_age_months);
        break;
      case Basis::birth: plan.birth_measures.push_back(mp); break;
      case Basis::assisted_birth: plan.assisted_measures.push_back(mp); break;
      case Basis::home_purchase:
        plan.home_measures.push_back(mp);
        plan.home_min_children = std::min(plan.home_min_children, std::max(1, m.eligibility.min_children));
        break;
      case Basis::new_slot:
      case Basis::renovated_slot: plan.slot_measures.push_back(mp); break;
    }
  }
  plan.n_tallies = scenario.measures.size();
  return plan;
}

//! One replication's simulation of one block in one year.
class BlockYear {
 public:
  BlockYear(const Plan& plan, const ReplicationPlan& rplan, const BasePopulation& pop, std::uint32_t replication,
            int year_offset, Fen* household_paid, std::int32_t* household_change)
      : plan_(plan),
        rplan_(rplan),
        pop_(pop),
        rep_(replication),
        y_(year_offset),
        year_(plan.start_year + year_offset),
        household_paid_(household_paid),
        household_change_(household_change) {}

  //! Is the household resident this year (arrived, not yet left)?
  bool present(std::uint32_t household) const {
    return pop_.household_arrival[household] <= year_ && year_ < pop_.household_departure[household];
  }

  //! The persons of the block's households arriving and leaving at the year's start (with
  //! the births less the deaths among them so far). Only runs with migration call it.
  void households(const HouseholdBlock& block, BlockTally& tally) const {
    const std::uint8_t* size = pop_.household_size.data();
    const std::int32_t* change = household_change_;
    const std::int16_t* arrival = pop_.household_arrival.data();
    const std::int16_t* departure = pop_.household_departure.data();
    const auto year = static_cast<std::int16_t>(year_);
    for (std::uint32_t h = block.household_begin; h < block.household_end; ++h) {
      const std::int64_t persons = size[h] + change[h];
      if (arrival[h] == year && year_ > plan_.start_year) tally.arrived += persons;
      if (departure[h] == year) tally.departed += persons;
    }
  }

  //! Births (and the events they trigger), then home purchases.
  void women(const HouseholdBlock& block, std::vector<std::uint8_t>& parity, std::vector<Newborn>& newborns,
             BlockTally& tally, std::int64_t* units, Fen* fen) const {
    const std::size_t per_band = plan_.birth_year_span * PARITY_CLASSES;
    const std::uint64_t* thresholds =
        rplan_.birth_threshold.data() + static_cast<std::size_t>(y_) * plan_.band_income.size() * per_band;
    const auto year_key = static_cast<std::uint16_t>(year_);
    const bool homes = !plan_.home_measures.empty();
    // Locals, so that writes through the byte-typed parity array (which may alias
    // anything) do not force these to be reloaded on every woman.
    const std::int16_t* const birth_years = pop_.woman_birth_year.data();
    const std::uint32_t* const households = pop_.woman_household.data();
    const std::uint8_t* const bands = pop_.household_income_band.data();
    const std::uint8_t* const tenures = pop_.household_tenure.data();
    std::uint8_t* const parities = parity.data();
    const std::int16_t min_birth_year = plan_.min_birth_year;
    const int home_min_children = plan_.home_min_children;
    const std::array<std::uint64_t, 2> home_threshold = plan_.home_purchase_threshold;
    // Uniform over the run, so these branches cost nothing when the feature is off.
    const bool migration = plan_.migration;
    const bool banded = plan_.band_income.size() > 1;
    const int year = year_;
    std::uint64_t birth_u[DRAW_BATCH], home_u[DRAW_BATCH];
    for (std::uint32_t w0 = block.woman_begin; w0 < block.woman_end; w0 += DRAW_BATCH) {
      const std::size_t n = std::min<std::size_t>(DRAW_BATCH, block.woman_end - w0);
      // One Philox block per woman-year: words 0-1 decide a birth, words 2-3 a home purchase.
      draw_batch_u64(plan_.seed, rep_, w0, n, year_key, stream::BIRTH, birth_u, home_u);
      for (std::size_t i = 0; i < n; ++i) {
        const auto w = static_cast<std::uint32_t>(w0 + i);
        const int birth_year = birth_years[w];
        const std::uint8_t k = parities[w];
        if (k == DEAD) continue;
        const std::uint32_t h = households[w];
        if (migration && !present(h)) continue;
        if (plan_.women_death_from != ~std::uint64_t{0} && birth_u[i] >= plan_.women_death_from) {
          parities[w] = DEAD;
          tally.deaths++;
          household_change_[h]--;
          continue;
        }
        const std::uint64_t threshold =
            thresholds[(banded ? bands[h] * per_band : 0) +
                       static_cast<std::size_t>(birth_year - min_birth_year) * PARITY_CLASSES +
                       (k < PARITY_CLASSES ? k : PARITY_CLASSES - 1)];
        std::uint8_t now = k;
        if (birth_u[i] < threshold) {
          KeyedStream month(plan_.seed, rep_, StreamKey{w, 0, year_key, stream::BIRTH_MONTH});
          const int m = static_cast<int>(month.below(12)) + 1;
          now = k < DEAD - 1 ? static_cast<std::uint8_t>(k + 1) : k;
          parities[w] = now;
          household_change_[h]++;
          newborns.push_back(Newborn{month_index(year, m), w, year_key, now, ChildState{}});
          tally.births[now < PARITY_CLASSES ? now - 1u : PARITY_CLASSES - 1u]++;
          birth_events(w, month_index(year, m), now, units, fen);
        }
        if (homes && home_u[i] < home_threshold[tenures[h]] && now >= home_min_children &&
            year - birth_year >= HOME_BUYER_MIN_AGE) {
          const Event e{Basis::home_purchase, month_index(year, 7), now, year - birth_year, pop_.woman_flags[w]};
          book_events(plan_.home_measures, e, w, units, fen);
        }
      }
    }
  }

  //! The first half of a child's year: counts, kindergarten, and the months its family
  //! wants childcare (allocated later under the year's capacity). Appends to `work`.
  void prepare(MonthIndex birth_month, int order, std::uint32_t household, std::uint32_t entity, std::uint32_t aux,
               ChildState& state, BlockTally& tally, std::vector<ChildWork>& work) const {
    if (plan_.migration && !present(household)) return;
    const std::uint8_t flags = pop_.household_flags[household];
    const MonthIndex year_start = month_index(year_, 1);
    if (birth_month >= year_start + 12 || state.dead) return;      // not yet born, or died
    const int age_at_start = year_start - birth_month - 1;         // completed months at the year's first month
    if (age_at_start >= plan_.oldest_relevant_age_months) return;  // too old for anything
    std::uint16_t alive = 0xFFF;
    if (plan_.mortality) {
      // Infant deaths fall in the year of birth, child deaths in later years, in a month
      // after the birth; the child is alive in the months before.
      const bool infant = birth_month >= year_start;
      KeyedStream d(plan_.seed, rep_, StreamKey{entity, aux, static_cast<std::uint16_t>(year_), stream::CHILD_DEATH});
      if (d.next_u64() < (infant ? plan_.infant_death_threshold : plan_.child_death_threshold)) {
        const int first = infant ? birth_month - year_start + 1 : 0;  // first month it can die in
        const int month = first + static_cast<int>(d.below(static_cast<std::uint32_t>(std::max(1, 12 - first))));
        alive = static_cast<std::uint16_t>((1u << std::min(month, 12)) - 1u);
        state.dead = true;
        tally.deaths++;
        household_change_[household]--;
      }
    }
    ChildWork w{};
    w.entity = entity;
    w.aux = aux;
    w.state = &state;
    // The groups the documents put first: special planned-birth families, martyrs' and
    // serving soldiers' children (Xihu 002 art. 11).
    w.priority = (flags & (FLAG_SPECIAL_FAMILY | FLAG_PRIORITY_GROUP)) ? 0 : 1;
    ChildYear& cy = w.year;
    cy.birth_month = birth_month;
    cy.birth_order = order >= 3 ? 3 : order;
    cy.flags = flags;
    cy.alive_mask = alive;
    if (age_at_start < UNDER3_MONTHS) {
      tally.child_months_under3 += months_in(age_window_mask(year_, birth_month, 0, UNDER3_MONTHS) & alive);
      w.key = draw_u64(plan_.seed, rep_,
                       StreamKey{entity, aux, static_cast<std::uint16_t>(year_), stream::CHILDCARE_ENROL});
      const auto& demand = rplan_.childcare_demand[static_cast<std::size_t>(y_)].at(
          pop_.household_employment[household], order, (flags & FLAG_LOCAL_RESIDENT) != 0);
      cy.childcare_mask = childcare_demand_mask(demand, birth_month, year_, w.key) & alive;
      tally.childcare_demand_months += months_in(cy.childcare_mask);
    }
    if (age_at_start + 11 >= 36) {
      const auto kg = kindergarten_year_masks(birth_month, year_);
      if ((kg[0] | kg[1] | kg[2]) != 0) {
        if (state.kindergarten < 0) {
          const bool enrolled = draw_u64(plan_.seed, rep_, StreamKey{entity, aux, 0, stream::KINDERGARTEN_ENROL}) <
                                rplan_.services.kindergarten_threshold;
          state.kindergarten =
              enrolled
                  ? static_cast<std::int8_t>(
                        1 + static_cast<int>(pick_provider(
                                rplan_.services.kindergarten_provider_threshold,
                                draw_u64(plan_.seed, rep_, StreamKey{entity, aux, 0, stream::KINDERGARTEN_PROVIDER}))))
                  : std::int8_t{0};
        }
        if (state.kindergarten > 0) {
          cy.kindergarten_masks = {static_cast<std::uint16_t>(kg[0] & alive), static_cast<std::uint16_t>(kg[1] & alive),
                                   static_cast<std::uint16_t>(kg[2] & alive)};
          cy.kindergarten_provider = static_cast<Provider>(state.kindergarten - 1);
          tally.kindergarten_months += months_in(static_cast<std::uint16_t>((kg[0] | kg[1] | kg[2]) & alive));
        }
      }
    }
    work.push_back(w);
  }

  //! The second half: the childcare months allocated, the provider, and what each
  //! measure pays.
  void finish(ChildWork& w, BlockTally& tally, std::int64_t* units, Fen* fen) const {
    ChildYear& cy = w.year;
    ChildState& state = *w.state;
    if (cy.childcare_mask != 0) {
      if (state.childcare_provider < 0) {
        state.childcare_provider = static_cast<std::int8_t>(
            pick_provider(rplan_.services.childcare_provider_threshold,
                          draw_u64(plan_.seed, rep_, StreamKey{w.entity, w.aux, 0, stream::CHILDCARE_PROVIDER})));
      }
      cy.childcare_provider = static_cast<Provider>(state.childcare_provider);
      tally.childcare_months += months_in(cy.childcare_mask);
    }
    const int age_at_start = month_index(year_, 1) - cy.birth_month - 1;
    const bool in_kindergarten = (cy.kindergarten_masks[0] | cy.kindergarten_masks[1] | cy.kindergarten_masks[2]) != 0;
    // What the fee reductions claimed so far took off each month's fee, made on first use.
    std::optional<FeeLedger> fees_reduced;
    for (std::size_t i = 0; i < plan_.child_measures.size(); ++i) {
      const MeasurePlan& mp = plan_.child_measures[i];
      // Cheap rejections first: most children are outside most measures' reach.
      const Eligibility& e = mp.measure->eligibility;
      if (mp.measure->basis == Basis::child_month) {
        if (age_at_start + 11 < e.min_age_months || age_at_start >= e.max_age_months) continue;
      } else if (e.service == Service::childcare ? cy.childcare_mask == 0 : !in_kindergarten) {
        continue;
      }
      // A family's claim is one decision for the child's whole eligibility (year 0); the
      // keyed draw gives the same answer whenever it is made.
      const auto claims = [&] {
        if (mp.take_up_certain) return true;
        const std::uint64_t bit = i < REMEMBERED_TAKE_UPS ? std::uint64_t{1} << i : 0;
        if (!(state.take_up_known & bit)) {
          const bool yes = takes_up(plan_, mp, rep_, StreamKey{w.entity, w.aux, 0, stream::MEASURE_TAKEUP});
          state.take_up_known |= bit;
          if (yes) state.take_up_yes |= bit;
          return yes;
        }
        return (state.take_up_yes & bit) != 0;
      };
      // Fee reductions stack on one fee: one that is claimed takes what the ones claimed
      // before it left, so its claim is decided before its cost.
      const bool reduces_fee = mp.measure->kind == MeasureKind::fee_reduction;
      if (reduces_fee && !claims()) continue;
      if (reduces_fee && !fees_reduced) fees_reduced.emplace();
      const Cost c = child_year_cost(*mp.measure, cy, year_, plan_.fees, reduces_fee ? &*fees_reduced : nullptr);
      if (c.units == 0) continue;
      if (!reduces_fee && !claims()) continue;
      Fen paid = c.fen;
      if (mp.cap_slot >= 0) {
        Fen& so_far = state.paid[static_cast<std::size_t>(mp.cap_slot)];
        paid = std::min(paid, mp.measure->cap_per_person - so_far);
        if (paid <= 0) continue;
        so_far += paid;
      }
      units[mp.tally] += c.units;
      fen[mp.tally] += paid;
    }
  }

 private:
  void birth_events(std::uint32_t mother, MonthIndex month, int order, std::int64_t* units, Fen* fen) const {
    const int age = year_ - pop_.woman_birth_year[mother];
    const std::uint8_t flags = pop_.woman_flags[mother];
    const Event birth{Basis::birth, month, order >= 3 ? 3 : order, age, flags};
    book_events(plan_.birth_measures, birth, mother, units, fen);
    if (!plan_.assisted_measures.empty() && age >= ASSISTED_REPRODUCTION_MIN_AGE &&
        draw_u64(plan_.seed, rep_,
                 StreamKey{mother, 0, static_cast<std::uint16_t>(year_), stream::ASSISTED_REPRODUCTION}) <
            plan_.assisted_threshold) {
      Event assisted = birth;
      assisted.basis = Basis::assisted_birth;
      book_events(plan_.assisted_measures, assisted, mother, units, fen);
    }
  }

  void book_events(const std::vector<MeasurePlan>& measures, const Event& e, std::uint32_t woman, std::int64_t* units,
                   Fen* fen) const {
    for (const MeasurePlan& mp : measures) {
      const Cost c = event_cost(*mp.measure, e);
      if (c.units == 0) continue;
      if (!takes_up(plan_, mp, rep_, StreamKey{woman, 0, static_cast<std::uint16_t>(year_), stream::EVENT_TAKEUP})) {
        continue;
      }
      Fen paid = c.fen;
      if (mp.cap_slot >= 0) {
        // The household's payments so far (a woman stands for her household).
        Fen& so_far = household_paid_[woman * plan_.capped_event_measures + static_cast<std::size_t>(mp.cap_slot)];
        paid = std::min(paid, mp.measure->cap_per_household - so_far);
        if (paid <= 0) continue;
        so_far += paid;
      }
      units[mp.tally] += c.units;
      fen[mp.tally] += paid;
    }
  }

  const Plan& plan_;
  const ReplicationPlan& rplan_;
  const BasePopulation& pop_;
  std::uint32_t rep_;
  int y_;
  int year_;
  Fen* household_paid_;             //!< [woman][capped event measure]: paid so far in this replication
  std::int32_t* household_change_;  //!< [household]: births less deaths so far in this replication
};

//! The working memory of one replication, reused by the next one that takes it.
struct ReplicationBuffers {
  std::vector<std::uint8_t> parity;
  std::vector<std::vector<Newborn>> newborns;
  std::vector<ChildState> child_state;
  std::vector<std::vector<ChildWork>> work;
  std::vector<ChildWork*> queue;
  std::vector<BlockTally> tally;
  std::vector<std::int64_t> units;
  std::vector<Fen> fen;
  std::vector<Fen> household_paid;
  std::vector<std::int32_t> household_change;

  //! Makes the buffers those of a fresh replication; keeps their capacity.
  void reset(const BasePopulation& pop, std::size_t blocks, std::size_t tallies,
             const std::vector<std::size_t>& newborn_reserve, std::size_t capped_event_measures) {
    household_paid.assign(pop.women() * capped_event_measures, 0);
    household_change.assign(pop.households(), 0);
    parity.assign(pop.woman_parity.begin(), pop.woman_parity.end());
    newborns.resize(blocks);
    work.resize(blocks);
    for (std::size_t b = 0; b < blocks; ++b) {
      newborns[b].clear();
      newborns[b].reserve(newborn_reserve[b]);
      work[b].clear();
      work[b].reserve(pop.blocks[b].child_end - pop.blocks[b].child_begin + newborn_reserve[b]);
    }
    child_state.assign(pop.children(), ChildState{});
    queue.clear();
    tally.assign(blocks, BlockTally{});
    units.assign(blocks * tallies, 0);
    fen.assign(blocks * tallies, 0);
  }
};

//! Allocates the year's childcare places: children are served in order of priority,
//! then of their random key (ties by entity), and each gets the months of its demand in
//! which places remain. Serial and deterministic; enrolment never exceeds capacity.
void allocate_childcare(std::vector<std::vector<ChildWork>>& work, std::int64_t capacity,
                        std::vector<ChildWork*>& queue) {
  queue.clear();
  for (auto& block : work) {
    for (ChildWork& w : block) {
      if (w.year.childcare_mask != 0) queue.push_back(&w);
    }
  }
  std::array<std::int64_t, 12> demand{};
  for (const ChildWork* w : queue) {
    for (int m = 0; m < 12; ++m) demand[static_cast<std::size_t>(m)] += (w->year.childcare_mask >> m) & 1u;
  }
  if (*std::max_element(demand.begin(), demand.end()) <= capacity) return;  // nobody turned away
  std::sort(queue.begin(), queue.end(), [](const ChildWork* a, const ChildWork* b) {
    if (a->priority != b->priority) return a->priority < b->priority;
    if (a->key != b->key) return a->key < b->key;
    return a->entity != b->entity ? a->entity < b->entity : a->aux < b->aux;
  });
  std::array<std::int64_t, 12> taken{};
  for (ChildWork* w : queue) {
    std::uint16_t granted = 0;
    for (int m = 0; m < 12; ++m) {
      if (((w->year.childcare_mask >> m) & 1u) && taken[static_cast<std::size_t>(m)] < capacity) {
        ++taken[static_cast<std::size_t>(m)];
        granted = static_cast<std::uint16_t>(granted | (1u << m));
      }
    }
    w->year.childcare_mask = granted;
  }
}

}  // namespace

std::vector<std::array<double, 3>> project_births(const Scenario& scenario, const BasePopulation& pop) {
  const Plan plan = make_plan(scenario, pop, scenario.seed);
  double response = 0, level = 1, trend = 0;
  for (const UncertainParameter& p : scenario.uncertainty) {
    if (p.id == ParameterId::birth_response) response = p.distribution.centre();
    if (p.id == ParameterId::fertility_level) level = p.distribution.centre();
    if (p.id == ParameterId::fertility_trend) trend = p.distribution.centre();
  }
  // Expected women of each group (income band, birth cohort, years of arrival and of
  // departure) by parity class 0, 1, 2+; a group bears children only while resident.
  const std::size_t bands = plan.band_income.size();
  std::map<std::tuple<std::size_t, std::size_t, int, int>, Eigen::Vector3d> groups;
  for (std::size_t w = 0; w < pop.women(); ++w) {
    const std::uint32_t h = pop.woman_household[w];
    const auto b = static_cast<std::size_t>(pop.woman_birth_year[w] - plan.min_birth_year);
    auto [it, fresh] = groups.try_emplace(
        std::make_tuple(static_cast<std::size_t>(pop.household_income_band[h]), b,
                        static_cast<int>(pop.household_arrival[h]), static_cast<int>(pop.household_departure[h])),
        Eigen::Vector3d::Zero());
    it->second[std::min<int>(pop.woman_parity[w], PARITY_CLASSES - 1)] += 1.0;
  }
  const std::size_t per_year = plan.birth_year_span * PARITY_CLASSES;
  std::vector<std::array<double, 3>> births(static_cast<std::size_t>(plan.years));
  std::vector<std::array<double, PARITY_CLASSES>> multiplier(bands);
  for (std::size_t y = 0; y < births.size(); ++y) {
    const int year = scenario.start_year + static_cast<int>(y);
    for (std::size_t band = 0; band < bands; ++band)
      multiplier[band] = year_multipliers(plan, y, band, level, trend, response);
    for (auto& [group, cohort] : groups) {
      const auto [band, b, arrival, departure] = group;
      if (year < arrival || year >= departure) continue;
      Eigen::Vector3d p;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        p[k] = std::min(plan.birth_probability[y * per_year + b * PARITY_CLASSES + static_cast<std::size_t>(k)] *
                            multiplier[band][static_cast<std::size_t>(k)],
                        MAX_BIRTH_PROBABILITY);
      }
      // The cohort's year: a birth moves a woman up one parity (2+ stays 2+).
      Eigen::Matrix3d transition;
      transition << 1 - p[0], 0, 0,  //
          p[0], 1 - p[1], 0,         //
          0, p[1], 1;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        births[y][static_cast<std::size_t>(k)] += p[k] * cohort[k] * static_cast<double>(pop.weight);
      }
      cohort = transition * cohort;
    }
  }
  return births;
}

ScenarioResults simulate(const Scenario& scenario, const BasePopulation& pop, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  check_population(pop);
  if (pop.household_arrival.size() != pop.households()) {
    throw std::invalid_argument("the base population has no arrival and departure years (add_migration)");
  }
  const Plan plan = make_plan(scenario, pop, options.seed);
  const auto R = static_cast<std::size_t>(options.replications);
  const auto Y = static_cast<std::size_t>(plan.years);
  const std::size_t T = plan.n_tallies;
  const std::size_t B = pop.blocks.size();

  ScenarioResults out;
  out.id = scenario.id;
  out.title = scenario.title;
  out.resolved_text = scenario.resolved_text;
  out.replications = options.replications;
  for (int y = 0; y < plan.years; ++y) out.years.push_back(scenario.start_year + y);
  // Budget measures and the separate ledgers' measures, each in scenario order.
  std::vector<std::size_t> budget_of(T, SIZE_MAX), ledger_of(T, SIZE_MAX);
  for (std::size_t i = 0; i < T; ++i) {
    const Measure& m = scenario.measures[i];
    const MeasureLabel label{m.id, std::string(kind_name(m.kind)), m.title, m.source,
                             std::string(caseload_unit(m.basis))};
    if (m.ledger() == Ledger::budget) {
      budget_of[i] = out.measures.size();
      out.measures.push_back(label);
    } else {
      ledger_of[i] = out.ledger_measures.size();
      out.ledger_measures.push_back(label);
    }
  }
  // Payers: every jurisdiction of the chain whose level pays a share of some measure.
  std::vector<std::size_t> payer_levels;
  for (const Jurisdiction& j : scenario.chain) {
    const auto level = static_cast<std::size_t>(j.level);
    const bool pays = std::any_of(scenario.measures.begin(), scenario.measures.end(), [level](const Measure& m) {
      return m.ledger() == Ledger::budget && m.payers.ppm[level] > 0;
    });
    if (!pays) continue;
    payer_levels.push_back(level);
    out.payers.push_back(j.id);
    out.payer_labels.push_back(PayerLabel{j.id, std::string(PAYER_NAMES[level]), j.name});
  }
  const std::size_t M = out.measures.size(), L = out.ledger_measures.size(), P = payer_levels.size();
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
  for (const UncertainParameter& p : scenario.uncertainty) {
    out.parameter_labels.push_back(
        ParameterLabel{p.name, std::string(distribution_name(p.distribution.kind)), p.distribution.centre(), p.source});
  }
  out.parameters.assign(R * scenario.uncertainty.size(), 0.0);
  out.kindergarten_enrolled_months.assign(R * Y, 0);
  for (std::size_t y = 0; y < Y; ++y) {
    for (std::size_t p = 0; p < P; ++p) {
      const Jurisdiction* j = scenario.at_level(static_cast<Payer>(payer_levels[p]));
      out.budget_fen.push_back(j->budget_fen(out.years[y]));
    }
  }

  // The capacity path, and the places it adds each year (the same in every replication).
  // Places are rationed among the simulated households; the places added, which place
  // subsidies pay for, are counted for the whole place, so a sample does not round them.
  const double persons = static_cast<double>(pop.persons);
  const double place_persons = persons * static_cast<double>(pop.weight);
  std::vector<Cost> slot_costs(Y * T);
  std::vector<std::int64_t> sample_slots;  //!< places of the simulated (possibly sampled) population
  for (std::size_t y = 0; y < Y; ++y) {
    const int year = out.years[y];
    const std::int64_t slots = childcare_slots(scenario.profile.childcare, persons, scenario.start_year, year);
    sample_slots.push_back(slots);
    out.childcare_slots.push_back(slots * pop.weight);
    out.persons.push_back(pop.persons * pop.weight);
    const std::int64_t added = std::max<std::int64_t>(
        0, childcare_slots(scenario.profile.childcare, place_persons, scenario.start_year, year) -
               childcare_slots(scenario.profile.childcare, place_persons, scenario.start_year, year - 1));
    const std::int64_t renovated =
        std::llround(static_cast<double>(added) * scenario.profile.childcare.renovated_share);
    // Places by provider class, in the profile's shares, whole places by largest remainder.
    const std::vector<double> shares(scenario.profile.childcare.provider_shares.begin(),
                                     scenario.profile.childcare.provider_shares.end());
    const auto new_by_provider = apportion(shares, static_cast<std::uint32_t>(added - renovated));
    const auto renovated_by_provider = apportion(shares, static_cast<std::uint32_t>(renovated));
    for (const MeasurePlan& mp : plan.slot_measures) {
      std::int64_t eligible_new = 0, eligible_renovated = 0;
      for (std::size_t pr = 0; pr < PROVIDER_COUNT; ++pr) {
        if (!((mp.measure->eligibility.providers >> pr) & 1u)) continue;
        eligible_new += new_by_provider[pr];
        eligible_renovated += renovated_by_provider[pr];
      }
      Cost c = slot_cost(*mp.measure, year, eligible_new, eligible_renovated);
      if (!mp.take_up_certain && c.units > 0) {
        // Places whose providers claim: a share of a count, rounded once.
        const std::int64_t claimed = std::llround(static_cast<double>(c.units) * mp.measure->take_up);
        c.fen = c.fen / c.units * claimed;
        c.units = claimed;
      }
      slot_costs[y * T + mp.tally] = c;
    }
  }

  // Expected newborns per block over the horizon, for reserving once.
  const double births_per_household =
      scenario.profile.births / std::max<double>(1.0, static_cast<double>(pop.households()));
  if (trace) trace->births.assign(R, {});
  std::vector<std::size_t> newborn_reserve(B);
  for (std::size_t b = 0; b < B; ++b) {
    const double hh = pop.blocks[b].household_end - pop.blocks[b].household_begin;
    newborn_reserve[b] = static_cast<std::size_t>(2.0 * births_per_household * hh * static_cast<double>(Y)) + 16;
  }
  // Not thread-local storage: with nested parallelism a thread waiting inside one
  // replication may start another, so buffers are taken from and returned to a pool.
  tbb::concurrent_queue<std::unique_ptr<ReplicationBuffers>> pool;

  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, R, 1), [&](const tbb::blocked_range<std::size_t>& reps) {
    for (std::size_t r = reps.begin(); r != reps.end(); ++r) {
      const auto rep = static_cast<std::uint32_t>(r);
      // A replication's working memory comes from a pool, so that it is allocated (and
      // its pages faulted in) once per concurrent replication, not once per replication.
      std::unique_ptr<ReplicationBuffers> buffers;
      if (!pool.try_pop(buffers)) buffers = std::make_unique<ReplicationBuffers>();
      buffers->reset(pop, B, T, newborn_reserve, plan.capped_event_measures);
      const ReplicationPlan rplan = make_replication_plan(scenario, plan, rep);
      std::copy(rplan.parameters.begin(), rplan.parameters.end(),
                out.parameters.begin() + static_cast<std::ptrdiff_t>(r * scenario.uncertainty.size()));
      auto& parity = buffers->parity;
      auto& newborns = buffers->newborns;
      auto& child_state = buffers->child_state;
      auto& work = buffers->work;
      auto& queue = buffers->queue;
      auto& tally = buffers->tally;
      auto& units = buffers->units;
      auto& fen = buffers->fen;

      for (std::size_t y = 0; y < Y; ++y) {
        std::fill(tally.begin(), tally.end(), BlockTally{});
        std::fill(units.begin(), units.end(), 0);
        std::fill(fen.begin(), fen.end(), 0);
        const BlockYear step(plan, rplan, pop, rep, static_cast<int>(y), buffers->household_paid.data(),
                             buffers->household_change.data());
        // Demand: births, events, and each child's wants, block by block in parallel.
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, B, 1), [&](const tbb::blocked_range<std::size_t>& blocks) {
          for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
            const HouseholdBlock& block = pop.blocks[b];
            if (plan.migration) step.households(block, tally[b]);
            step.women(block, parity, newborns[b], tally[b], units.data() + b * T, fen.data() + b * T);
            work[b].clear();
            for (std::uint32_t c = block.child_begin; c < block.child_end; ++c) {
              step.prepare(pop.child_birth_month[c], pop.child_birth_order[c], pop.child_household[c], c, 0,
                           child_state[c], tally[b], work[b]);
            }
            for (Newborn& nb : newborns[b]) {
              step.prepare(nb.birth_month, nb.order, pop.woman_household[nb.mother], nb.mother, nb.birth_year, nb.state,
                           tally[b], work[b]);
            }
          }
        });
        // The coupled step: places are shared by the whole place.
        allocate_childcare(work, sample_slots[y], queue);
        // Enrolment and measures, block by block in parallel.
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, B, 1), [&](const tbb::blocked_range<std::size_t>& blocks) {
          for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
            for (ChildWork& w : work[b]) step.finish(w, tally[b], units.data() + b * T, fen.data() + b * T);
          }
        });
        // Integer reduction in block order: exact, so the order does not matter anyway.
        // A sampled household stands for `w`: counts and money are scaled by it exactly.
        const std::int64_t w = pop.weight;
        for (std::size_t b = 0; b < B; ++b) {
          for (std::size_t k = 0; k < PARITY_CLASSES; ++k) {
            out.births[out.births_index(r, y, k)] += w * tally[b].births[k];
          }
          out.child_months_under3[out.year_index(r, y)] += w * tally[b].child_months_under3;
          out.childcare_enrolled_months[out.year_index(r, y)] += w * tally[b].childcare_months;
          out.childcare_demand_months[out.year_index(r, y)] += w * tally[b].childcare_demand_months;
          out.kindergarten_enrolled_months[out.year_index(r, y)] += w * tally[b].kindergarten_months;
          out.deaths[out.year_index(r, y)] += w * tally[b].deaths;
          out.net_migration[out.year_index(r, y)] += w * (tally[b].arrived - tally[b].departed);
        }
        // Residents at the year's start: the base persons, then last year's plus its births,
        // less its deaths, plus the households that arrived less those that left.
        if (y == 0) {
          out.population[out.year_index(r, 0)] = pop.persons * w;
        } else {
          std::int64_t born = 0;
          for (std::size_t k = 0; k < PARITY_CLASSES; ++k) born += out.births[out.births_index(r, y - 1, k)];
          out.population[out.year_index(r, y)] = out.population[out.year_index(r, y - 1)] + born -
                                                 out.deaths[out.year_index(r, y - 1)] +
                                                 out.net_migration[out.year_index(r, y)];
        }
        for (std::size_t i = 0; i < T; ++i) {
          std::int64_t n = 0;
          Fen total = 0;
          for (std::size_t b = 0; b < B; ++b) {
            n += units[b * T + i];
            total += fen[b * T + i];
          }
          n = n * w + slot_costs[y * T + i].units;  // place subsidies are whole-place counts already
          total = total * w + slot_costs[y * T + i].fen;
          if (budget_of[i] != SIZE_MAX) {
            const std::size_t m = budget_of[i];
            out.caseload[out.caseload_index(r, y, m)] = n;
            const auto parts = split_by_payer(total, scenario.measures[i].payers);
            for (std::size_t p = 0; p < P; ++p) out.outlay_fen[out.outlay_index(r, y, m, p)] = parts[payer_levels[p]];
          } else {
            out.ledger_caseload[out.ledger_index(r, y, ledger_of[i])] = n;
            out.ledger_fen[out.ledger_index(r, y, ledger_of[i])] = total;
          }
        }
        if (progress) progress->advance();
      }
      if (trace) {
        for (const auto& block_births : newborns) {
          for (const Newborn& nb : block_births) {
            trace->births[r].push_back(TracedBirth{nb.birth_month, nb.mother, nb.order});
          }
        }
      }
      pool.push(std::move(buffers));
    }
  });
  return out;
}

}  // namespace cradle
