// What the engine precomputes before the yearly loop: the Plan (the same for every
// replication of a scenario: calibrated birth probabilities, birth values, net prices,
// measures sorted by basis, thresholds, the capacity path and the place subsidies it
// triggers) and the ReplicationPlan (what the drawn uncertain parameters change).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "models/behaviour.h"
#include "models/childcare_demand.h"
#include "models/demography.h"
#include "models/fertility.h"
#include "models/measures/kinds.h"
#include "models/measures/measure.h"
#include "models/services.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"
#include "sim/random/rng.h"

namespace cradle::engine {

//! Child measures with a per-person cap whose payments are remembered per child.
inline constexpr std::size_t MAX_CAPPED_CHILD_MEASURES = 4;
//! Child measures whose take-up is remembered per child; later ones are drawn each year.
inline constexpr std::size_t REMEMBERED_TAKE_UPS = 64;

//! What one measure needs in the loops, precomputed.
struct MeasurePlan {
  const Measure* measure;
  std::size_t tally;  //!< index into the per-block tallies (all measures, scenario order)
  std::uint64_t take_up_threshold;
  bool take_up_certain;
  std::uint32_t take_up_draw;  //!< draw index: hash of the measure id
  int cap_slot = -1;           //!< its slot among capped measures (per child or per household), or -1
  //! [year]: the take-up threshold of a phased take-up (at mid-year); empty when it is constant
  std::vector<std::uint64_t> take_up_by_year;
  //! [year]: the lowest and highest of take_up_by_year from that year on: a draw below the
  //! first claims in every year left, one at or above the second in none
  std::vector<std::uint64_t> take_up_lowest_from, take_up_highest_from;
};

//! Which child measures a child-year can reach, as bit sets over Plan::child_measures
//! (bit i of word i / 64), so that the settling pass visits only those: the child-month
//! measures whose age window meets the year of a child of a given age, and the
//! enrolled-month measures of the child's provider in childcare and of its provider and
//! kindergarten years in kindergarten; of those, exactly the measures that reach its birth
//! order and its household (reaches_child: flags, tenure, income band, minor children).
//! A measure left out would pay the child nothing, and one kept reaches it (so that the
//! settling pass need not ask reaches_child of a tabled measure).
struct ChildMeasureReach {
  static constexpr int YOUNGEST = -12;  //!< completed months at the year's start of a child born in December
  //! The sets of kindergarten years a child is enrolled in during a calendar year (bit k-1:
  //! year k, as Phase::kindergarten_years)
  static constexpr std::size_t KINDERGARTEN_YEAR_SETS = 8;
  static constexpr std::size_t ORDERS = 4;  //!< birth orders 0 … 3 (3: third or later), as reaches_order reads them
  //! The household flags reaches_household reads (FLAG_LOCAL_RESIDENT, FLAG_SPECIAL_FAMILY)
  static constexpr std::uint8_t HOUSEHOLD_FLAGS = FLAG_LOCAL_RESIDENT | FLAG_SPECIAL_FAMILY;
  static constexpr std::size_t TENURES = 2;   //!< Tenure: owner, renter
  static constexpr std::size_t MINORS = 256;  //!< a household's minor children as counted (a byte)
  std::size_t words = 0;
  std::vector<std::uint64_t> by_age;     //!< [age at the year's start - YOUNGEST][word]
  std::vector<std::uint64_t> by_order;   //!< [birth order, below ORDERS][word]
  std::vector<std::uint64_t> childcare;  //!< [provider][word]: open to the provider
  //! [year][provider][kindergarten year set][word]: open to the provider, with a phase in
  //! force in the year for one of the kindergarten years
  std::vector<std::uint64_t> kindergarten;
  //! [household_row][word]: reaching households of these flags, tenure and income band
  std::vector<std::uint64_t> by_household;
  std::vector<std::uint64_t> by_minors;  //!< [minor children, below MINORS][word]

  //! The row of by_household of a household's flags, tenure (below TENURES) and income band
  //! (below MAX_INCOME_BANDS).
  static std::size_t household_row(std::uint8_t flags, std::uint8_t tenure, std::uint8_t income_band) {
    return (static_cast<std::size_t>(flags & HOUSEHOLD_FLAGS) * TENURES + tenure) * MAX_INCOME_BANDS + income_band;
  }
  //! Word `word` of the set for a child of `age_at_start` months (YOUNGEST … the plan's
  //! oldest relevant age) in year offset `year`, by its birth order and household, its
  //! childcare (and provider) as granted and its kindergarten months (and provider).
  std::uint64_t reach(std::size_t year, int age_at_start, const ChildYear& child, std::size_t word) const {
    std::uint64_t set = by_age[static_cast<std::size_t>(age_at_start - YOUNGEST) * words + word];
    if (child.childcare_mask != 0) set |= childcare[static_cast<std::size_t>(child.childcare_provider) * words + word];
    const std::array<std::uint16_t, 3>& kg = child.kindergarten_masks;
    const std::size_t years = std::size_t{kg[0] != 0} | std::size_t{kg[1] != 0} << 1 | std::size_t{kg[2] != 0} << 2;
    if (years != 0) {
      const std::size_t provider = static_cast<std::size_t>(child.kindergarten_provider);
      set |= kindergarten[((year * PROVIDER_COUNT + provider) * KINDERGARTEN_YEAR_SETS + years) * words + word];
    }
    return set & of_child(child, word);
  }
  //! Word `word` of the child-month measures (those its services do not decide) that reach
  //! a child of `age_at_start` months: what reach() gives of them before any service.
  std::uint64_t child_months(int age_at_start, const ChildYear& child, std::size_t word) const {
    return by_age[static_cast<std::size_t>(age_at_start - YOUNGEST) * words + word] & of_child(child, word);
  }
  //! Word `word` of the measures that reach the child's birth order and household.
  std::uint64_t of_child(const ChildYear& child, std::size_t word) const {
    static_assert(ORDERS == birth_order_class(1 << 20) + 1u, "a row for every birth-order class");
    const std::size_t order = birth_order_class(child.birth_order);
    static_assert(MINORS > std::numeric_limits<decltype(child.minor_children)>::max(), "every count has its row");
    const std::size_t minors = child.minor_children;
    return by_order[order * words + word] &
           by_household[household_row(child.flags, child.tenure, child.income_band) * words + word] &
           by_minors[minors * words + word];
  }
};

//! A child-month measure's year as a table (its rule eligible_month_cost, one amount a
//! month over the year's phases): for each age at the year's start, the months of the year
//! in its age window and in force, so that a reached child's cost is a mask, a count and
//! a product, with no call. What eligible_month_cost gives, exactly.
struct ChildMonthTable {
  bool tabled = false;  //!< false: no table (the rule is called)
  //! The measure is counted once per household (Eligibility::once_per_household): a
  //! child's months in which a younger child of its household is alive are left out
  bool once_per_household = false;
  //! [n]: what n months cost, as the rule rounds them (n × amount ÷ per_months, rounded
  //! down), so that no division is left to the loop
  std::array<Fen, 13> fen_for_months{};
  std::vector<std::uint16_t> by_age;  //!< [age at the year's start - ChildMeasureReach::YOUNGEST]

  //! Units and cost of the child's months in force (alive, and with no younger child of its
  //! household alive where the measure is counted once per household) at age row `age_row`.
  Cost cost(std::size_t age_row, const ChildYear& child) const {
    const int n = months_in(static_cast<std::uint16_t>(by_age[age_row] & counted_months(child, once_per_household)));
    return {n, fen_for_months[static_cast<std::size_t>(n)]};
  }
};

//! An event measure in one year: its plan, and what an event reaching it costs in each
//! of the year's months.
struct EventMeasureYear {
  MeasurePlan plan;
  EventYear costs;
};

//! The event measures of one year: those whose dates meet it (the others pay nothing
//! for its events, so its births and purchases need not ask them).
struct YearEventMeasures {
  std::vector<EventMeasureYear> birth, assisted, home;
};

//! What behaviour reads each year: a function of the scenario and of the measures births
//! and childcare demand respond to, not of the population, so that the plans of a run's
//! populations share it (make_plan_like).
struct PlanBehaviour {
  //! [year][parity class]: what a birth in that year would bring its family, yuan (the
  //! mean over its months; year 0 is the first year's value V0, see models/behaviour.h)
  std::vector<std::array<double, PARITY_CLASSES>> birth_value;
  //! [year][parity class]: cumulative thresholds over the months of the births the
  //! response adds, in proportion to what a birth in each month brings beyond V0
  std::vector<std::array<std::array<std::uint64_t, 11>, PARITY_CLASSES>> response_month;
  double beta_per_percent = 0;  //!< β for a response of 1 % (models/behaviour.h: response_beta)
  std::vector<double> band_income;  //!< annual household income of each income band, yuan
  //! [year]: childcare net price ratios under the scenario's fee reductions
  std::vector<NetPriceRatios> net_price;
  std::array<double, DEMAND_EMPLOYMENT_CLASSES> employment_demand{};
  Fees fees;
};

//! Everything that is the same for every replication of a scenario on one population.
struct Plan : PlanBehaviour {
  int start_year;
  int years;
  std::uint32_t seed;
  std::int16_t min_birth_year;
  std::size_t birth_year_span;
  //! [year][birth_year - min_birth_year][parity class]: probability of a birth before
  //! the replication's parameters (level, response) are applied
  std::vector<double> birth_probability;
  std::vector<MeasurePlan> child_measures;  //!< monthly bases
  ChildMeasureReach child_reach;            //!< of child_measures
  //! Bit i: child measure i is a child-month measure of word 0 (whose answers are
  //! remembered) with an uncertain take-up, one threshold for the whole run, so that its
  //! family's answer can be drawn and remembered before it is asked (BlockYear::draw_take_ups)
  std::uint64_t child_take_ups_ahead = 0;
  std::vector<MeasureYear> child_measure_years;  //!< [year × child_measures + i]: their tables
  //! [year × child_reach.words + word]: the child measures in force in the year (bit i as in
  //! ChildMeasureReach), so that the settling pass skips the others unvisited
  std::vector<std::uint64_t> child_in_force;
  std::vector<ChildMonthTable> child_month_tables;  //!< [year × child_measures + i]
  //! [year × ages + age at the year's start - ChildMeasureReach::YOUNGEST]: the months of the
  //! year in each kindergarten year (kindergarten_year_masks), for ages below the oldest relevant
  std::vector<std::array<std::uint16_t, 3>> kindergarten_masks;
  std::vector<MeasurePlan> birth_measures, assisted_measures, home_measures, slot_measures;
  std::vector<YearEventMeasures> event_measures;  //!< [year]: of birth_, assisted_ and home_measures
  std::vector<MeasurePlan> counted_measures;  //!< resident_year, marriage and programme bases
  bool needs_minors = false;                  //!< some event measure reads the household's minor children
  //! The end (exclusive) of the widest age window, in months, of the child measures counted
  //! once per household; 0 when there is none (BlockYear::mark_younger_siblings)
  int once_per_household_age_months = 0;
  //! [sex][attained age]: first marriages a year per resident (the profile's [marriage])
  std::array<std::array<double, OLDEST_AGE + 1>, SEXES> marriage_rate{};
  std::uint64_t assisted_threshold;
  std::array<std::uint64_t, 2> home_purchase_threshold;  //!< by tenure
  //! The higher of the two: a draw at or above it buys no home, whatever the tenure
  std::uint64_t any_home_purchase_threshold() const {
    return std::max(home_purchase_threshold[0], home_purchase_threshold[1]);
  }
  MortalityThresholds mortality;
  //! [year][birth_year - min_birth_year]: a woman's death threshold (mortality at her
  //! attained age), so that the women's loop reads one cell instead of clamping an age
  std::vector<std::uint64_t> woman_death_threshold;
  RunSurvival survival;  //!< of the other residents, from the start or their arrival
  std::uint64_t girl_threshold;  //!< a newborn's sex draw below it: a girl
  bool migration;         //!< some household arrives or leaves during the run
  int home_min_children;  //!< households with fewer children are not drawn for purchases
  int oldest_relevant_age_months;
  //! The attained age from which every month of a child's year is past every service age
  //! and measure (oldest_relevant_age_months): a child without a woman record is then
  //! only counted and may die, its death dated once (BlockYear::date_child_deaths).
  int dated_child_age;
  std::size_t n_tallies;
  std::size_t capped_event_measures = 0;  //!< with a per-household cap
  //! [year]: the residents at the year's start the capacity path plans for (whole place)
  std::vector<double> residents;
  //! [year]: childcare places of the simulated (possibly sampled) population, rationed
  std::vector<std::int64_t> sample_places;
  //! [year]: childcare places of the whole place
  std::vector<std::int64_t> places;
  //! [year][tally]: what place subsidies pay for the places added (whole-place counts)
  std::vector<Cost> place_costs;
};

//! The residents of the whole place at the start of each scenario year, in expectation:
//! the profile's residents by sex and age (its persons and age–sex structure) projected
//! with its life table, its expected births (the first year's, changed each year by the
//! centre of the fertility trend) and its net migration. The capacity path's population
//! (places per 1000 residents of the year), the same in every replication.
std::vector<double> planned_residents(const Scenario& scenario);

//! The values of the uncertain parameters the engine reads, by what they do.
struct ParameterValues {
  double birth_response = 0;
  double fertility_level = 1;
  double childcare_demand_level = 1;
  double fertility_trend = 0;
  double childcare_price_elasticity = 0;
};

//! The engine's reading of parameter values given in the scenario's uncertainty order.
ParameterValues parameter_values(const Scenario& scenario, const std::vector<double>& values);

//! Parity value that marks a woman who has died (real parities saturate below it).
inline constexpr std::uint8_t DEAD = 0xFF;

//! The classes of a row of ReplicationPlan::change_window: the parity classes, then one for
//! the dead, whose window admits no birth or death (a row of 4: its index a shift).
inline constexpr std::size_t CHANGE_CLASSES = PARITY_CLASSES + 1;

//! What differs between replications besides chance: the drawn parameters, and the
//! thresholds they set.
struct ReplicationPlan {
  std::vector<double> parameters;  //!< in the scenario's uncertainty order
  //! [year][income band][birth_year - min_birth_year][parity class]: Plan::birth_probability
  //! with the parameters and the band's response applied
  std::vector<std::uint64_t> birth_threshold;
  //! The same without the response: a draw below it is a birth whatever the response,
  //! one between the two a birth the response adds (in a month it responds in).
  std::vector<std::uint64_t> base_birth_threshold;
  //! [year][birth_year - min_birth_year][CHANGE_CLASSES]: the draws that may be a woman's
  //! death or birth, the birth at birth_threshold's highest over the income bands, so that
  //! a test for a change that may happen needs no household
  std::vector<ChangeWindow> change_window;
  std::vector<ServiceUse> services;  //!< [year]: kindergarten enrolment and shares move on their path
  //! The childcare provider's: the same every year, so that a child's provider, drawn once,
  //! does not depend on the year it is drawn in (settling ahead may draw it for a child the
  //! rationing then turns away, BlockYear::settle).
  std::array<std::uint64_t, PROVIDER_COUNT - 1> childcare_provider_threshold{};
  std::vector<ChildcareDemandYear> childcare_demand;  //!< [year]
};

//! The plan of `scenario` on `pop`: rates calibrated once, on the residents of the first
//! year (or the scenario's own fertility table). Births and childcare demand respond to
//! `behaviour_measures` when given (RunOptions::behaviour_measures), else to the
//! scenario's measures. Throws std::invalid_argument if the fertility cannot be
//! calibrated or more than MAX_CAPPED_CHILD_MEASURES child measures have a per-person cap.
Plan make_plan(const Scenario& scenario, const BasePopulation& pop, std::uint32_t seed,
               const std::vector<Measure>* behaviour_measures = nullptr);
//! make_plan's plan of `scenario` on `pop`, its behaviour that of `like` (a plan of the same
//! scenario and behaviour measures, on any population) rather than computed again: about
//! three quarters of a Xihu plan's instructions, made again for each population of a run.
Plan make_plan_like(const Plan& like, const Scenario& scenario, const BasePopulation& pop);

//! The parameters of replication `rep`, each drawn from its own keyed stream, and the
//! thresholds they give.
ReplicationPlan make_replication_plan(const Scenario& scenario, const Plan& plan, std::uint32_t rep);

//! The hazard multipliers of year offset `y` for income band `band`: fertility level,
//! trend since the first year, and (unless `with_response` is false) the behavioural
//! response by parity class.
std::array<double, PARITY_CLASSES> year_multipliers(const Plan& plan, std::size_t y, std::size_t band,
                                                    const ParameterValues& theta, bool with_response = true);

//! The month (1–12) of a birth the response adds, from a draw and the year's thresholds.
inline int response_birth_month(const std::array<std::uint64_t, 11>& cumulative, std::uint64_t u) {
  int month = 1;
  for (std::uint64_t t : cumulative) month += u >= t ? 1 : 0;
  return month;
}

//! The take-up threshold of a measure in a year: a draw below it claims.
inline std::uint64_t take_up_threshold(const MeasurePlan& mp, std::size_t year_offset) {
  return mp.take_up_by_year.empty() ? mp.take_up_threshold : mp.take_up_by_year[year_offset];
}

//! Whether the holder of `key` claims a measure (certain take-up draws nothing).
inline bool takes_up(const Plan& plan, const MeasurePlan& mp, std::uint32_t rep, const StreamKey& key,
                     std::size_t year_offset) {
  if (mp.take_up_certain) return true;
  return draw_u64(plan.seed, rep, key, mp.take_up_draw) < take_up_threshold(mp, year_offset);
}

}  // namespace cradle::engine
