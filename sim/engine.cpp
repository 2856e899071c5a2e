#include "sim/engine.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <limits>

#include "models/childcare.h"
#include "models/fertility.h"
#include "models/measures/measure.h"
#include "sim/rng.h"

namespace cradle {

namespace {

constexpr int UNDER3_MONTHS = 36;

//! A child born during the run, identified by (mother, birth year) so that its
//! streams do not depend on anyone else's births.
struct Newborn {
  MonthIndex birth_month;
  std::uint32_t mother;
  std::uint16_t birth_year;
  std::uint8_t order;
};

//! What one measure needs in the child loop, precomputed.
struct MeasurePlan {
  const Measure* measure;
  std::uint64_t take_up_threshold;
  bool take_up_certain;
  std::uint32_t take_up_draw;  //!< draw index: hash of the measure id
};

//! Per block and year: the integer tallies of one replication.
struct BlockTally {
  std::array<std::int64_t, PARITY_CLASSES> births{};
  std::int64_t child_months_under3 = 0;
  std::int64_t enrolled_months = 0;
};

//! Everything that is the same for every replication of a scenario.
struct Plan {
  int start_year;
  int years;
  std::uint32_t seed;
  std::int16_t min_birth_year;
  std::size_t birth_year_span;
  //! [year][birth_year - min_birth_year][parity class]: threshold of a birth
  std::vector<std::uint64_t> birth_threshold;
  ChildcareUse childcare;
  std::vector<MeasurePlan> measures;
  int oldest_relevant_age_months;  //!< children older than this at a year's start are skipped
};

Plan make_plan(const Scenario& scenario, const BasePopulation& pop, std::uint32_t seed) {
  Plan plan{};
  plan.start_year = scenario.start_year;
  plan.years = scenario.years();
  plan.seed = seed;
  // Rates calibrated once, on the base population in the first year, then held.
  const FertilityTable table = calibrate_fertility(scenario.profile.fertility, scenario.profile.births,
                                                   pop.woman_birth_year, pop.woman_parity, scenario.start_year);
  const auto [lo, hi] = std::minmax_element(pop.woman_birth_year.begin(), pop.woman_birth_year.end());
  plan.min_birth_year = pop.women() ? *lo : 0;
  plan.birth_year_span = pop.women() ? static_cast<std::size_t>(*hi - *lo + 1) : 0;
  plan.birth_threshold.assign(static_cast<std::size_t>(plan.years) * plan.birth_year_span * PARITY_CLASSES, 0);
  for (int y = 0; y < plan.years; ++y) {
    for (std::size_t b = 0; b < plan.birth_year_span; ++b) {
      const int age = scenario.start_year + y - (plan.min_birth_year + static_cast<int>(b));
      if (age < MIN_FERTILE_AGE || age > MAX_FERTILE_AGE) continue;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        plan.birth_threshold[(static_cast<std::size_t>(y) * plan.birth_year_span + b) * PARITY_CLASSES +
                             static_cast<std::size_t>(k)] =
            table.threshold[static_cast<std::size_t>(age)][static_cast<std::size_t>(k)];
      }
    }
  }
  plan.childcare = make_childcare_use(scenario.profile.childcare);
  plan.oldest_relevant_age_months = UNDER3_MONTHS;
  for (const Measure& m : scenario.measures) {
    plan.measures.push_back(MeasurePlan{&m, probability_threshold(m.take_up), m.take_up >= 1.0, stable_hash32(m.id)});
    plan.oldest_relevant_age_months = std::max(plan.oldest_relevant_age_months, m.eligibility.max_age_months);
  }
  return plan;
}

//! One replication's simulation of one block: births, then the children's year.
class BlockYear {
 public:
  BlockYear(const Plan& plan, const BasePopulation& pop, std::uint32_t replication, int year_offset)
      : plan_(plan), pop_(pop), rep_(replication), y_(year_offset), year_(plan.start_year + year_offset) {}

  void births(const HouseholdBlock& block, std::vector<std::uint8_t>& parity, std::vector<Newborn>& newborns,
              BlockTally& tally) const {
    const std::uint64_t* thresholds =
        plan_.birth_threshold.data() + static_cast<std::size_t>(y_) * plan_.birth_year_span * PARITY_CLASSES;
    const auto year_key = static_cast<std::uint16_t>(year_);
    for (std::uint32_t w = block.woman_begin; w < block.woman_end; ++w) {
      const std::size_t by = static_cast<std::size_t>(pop_.woman_birth_year[w] - plan_.min_birth_year);
      const std::uint8_t k = parity[w];
      const std::uint64_t threshold = thresholds[by * PARITY_CLASSES + (k < PARITY_CLASSES ? k : PARITY_CLASSES - 1)];
      if (threshold == 0) continue;
      if (draw_u64(plan_.seed, rep_, StreamKey{w, 0, year_key, stream::BIRTH}) >= threshold) continue;
      KeyedStream month(plan_.seed, rep_, StreamKey{w, 0, year_key, stream::BIRTH_MONTH});
      const int m = static_cast<int>(month.below(12)) + 1;
      const std::uint8_t order = k < 255 ? static_cast<std::uint8_t>(k + 1) : k;
      parity[w] = order;
      newborns.push_back(Newborn{month_index(year_, m), w, year_key, order});
      tally.births[order < PARITY_CLASSES ? order - 1u : PARITY_CLASSES - 1u]++;
    }
  }

  //! The year of one child: counts, childcare, and what each measure pays.
  void child(MonthIndex birth_month, int order, std::uint32_t entity, std::uint32_t aux, BlockTally& tally,
             std::int64_t* units, Fen* fen) const {
    const MonthIndex year_start = month_index(year_, 1);
    if (birth_month >= year_start + 12) return;                                    // not yet born
    if (year_start - birth_month - 1 >= plan_.oldest_relevant_age_months) return;  // too old for anything
    const std::uint16_t under3 = age_window_mask(year_, birth_month, 0, UNDER3_MONTHS);
    tally.child_months_under3 += months_in(under3);

    ChildYear cy{birth_month, order >= 3 ? 3 : order, 0, static_cast<std::uint8_t>(ProviderClass::other)};
    const auto year_key = static_cast<std::uint16_t>(year_);
    if (under3 != 0) {
      const std::uint64_t u = draw_u64(plan_.seed, rep_, StreamKey{entity, aux, year_key, stream::CHILDCARE_ENROL});
      cy.enrolled_mask = enrolled_mask(plan_.childcare, birth_month, year_, u);
      if (cy.enrolled_mask != 0) {
        const std::uint64_t v =
            draw_u64(plan_.seed, rep_, StreamKey{entity, aux, year_key, stream::CHILDCARE_PROVIDER});
        if (v < plan_.childcare.inclusive_threshold) cy.provider = static_cast<std::uint8_t>(ProviderClass::inclusive);
        tally.enrolled_months += months_in(cy.enrolled_mask);
      }
    }
    for (std::size_t i = 0; i < plan_.measures.size(); ++i) {
      const MeasurePlan& mp = plan_.measures[i];
      const int n = measure_units(*mp.measure, cy, year_);
      if (n == 0) continue;
      // A family's claim is one decision for the child's whole eligibility (year 0).
      if (!mp.take_up_certain && draw_u64(plan_.seed, rep_, StreamKey{entity, aux, 0, stream::MEASURE_TAKEUP},
                                          mp.take_up_draw) >= mp.take_up_threshold) {
        continue;
      }
      units[i] += n;
      fen[i] += n * mp.measure->fen_per_month;
    }
  }

 private:
  const Plan& plan_;
  const BasePopulation& pop_;
  std::uint32_t rep_;
  int y_;
  int year_;
};

}  // namespace

ScenarioResults simulate(const Scenario& scenario, const BasePopulation& pop, const RunOptions& options,
                         Progress* progress, SimulationTrace* trace) {
  const Plan plan = make_plan(scenario, pop, options.seed);
  const auto R = static_cast<std::size_t>(options.replications);
  const auto Y = static_cast<std::size_t>(plan.years);
  const std::size_t M = scenario.measures.size();
  const std::size_t B = pop.blocks.size();

  ScenarioResults out;
  out.id = scenario.id;
  out.title = scenario.title;
  out.resolved_text = scenario.resolved_text;
  out.replications = options.replications;
  for (int y = 0; y < plan.years; ++y) out.years.push_back(scenario.start_year + y);
  for (const Measure& m : scenario.measures) {
    out.measures.push_back(
        MeasureLabel{m.id, std::string(kind_name(m.kind)), m.title, m.source, std::string(caseload_unit(m.kind))});
  }
  // Payers: every level that pays a share of some measure, from the top.
  std::vector<std::size_t> payer_levels;
  for (std::size_t p = 0; p < PAYER_COUNT; ++p) {
    if (std::any_of(scenario.measures.begin(), scenario.measures.end(),
                    [p](const Measure& m) { return m.payers.ppm[p] > 0; })) {
      payer_levels.push_back(p);
      out.payers.emplace_back(PAYER_NAMES[p]);
    }
  }
  const std::size_t P = payer_levels.size();
  out.birth_orders = PARITY_CLASSES;
  out.outlay_fen.assign(R * Y * M * P, 0);
  out.caseload.assign(R * Y * M, 0);
  out.births.assign(R * Y * PARITY_CLASSES, 0);
  out.child_months_under3.assign(R * Y, 0);
  out.childcare_enrolled_months.assign(R * Y, 0);

  // Expected newborns per block over the horizon, for reserving once.
  const double births_per_household =
      scenario.profile.births / std::max<double>(1.0, static_cast<double>(pop.households()));

  if (trace) trace->births.assign(R, {});

  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, R, 1), [&](const tbb::blocked_range<std::size_t>& reps) {
    for (std::size_t r = reps.begin(); r != reps.end(); ++r) {
      const auto rep = static_cast<std::uint32_t>(r);
      std::vector<std::uint8_t> parity = pop.woman_parity;
      std::vector<std::vector<Newborn>> newborns(B);
      for (std::size_t b = 0; b < B; ++b) {
        const double hh = pop.blocks[b].household_end - pop.blocks[b].household_begin;
        newborns[b].reserve(static_cast<std::size_t>(2.0 * births_per_household * hh * static_cast<double>(Y)) + 16);
      }
      std::vector<BlockTally> tally(B);
      std::vector<std::int64_t> units(B * M);
      std::vector<Fen> fen(B * M);

      for (std::size_t y = 0; y < Y; ++y) {
        std::fill(tally.begin(), tally.end(), BlockTally{});
        std::fill(units.begin(), units.end(), 0);
        std::fill(fen.begin(), fen.end(), 0);
        const BlockYear step(plan, pop, rep, static_cast<int>(y));
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, B, 1), [&](const tbb::blocked_range<std::size_t>& blocks) {
          for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
            const HouseholdBlock& block = pop.blocks[b];
            step.births(block, parity, newborns[b], tally[b]);
            std::int64_t* u = units.data() + b * M;
            Fen* f = fen.data() + b * M;
            for (std::uint32_t c = block.child_begin; c < block.child_end; ++c) {
              step.child(pop.child_birth_month[c], pop.child_birth_order[c], c, 0, tally[b], u, f);
            }
            for (const Newborn& nb : newborns[b])
              step.child(nb.birth_month, nb.order, nb.mother, nb.birth_year, tally[b], u, f);
          }
        });
        // Integer reduction in block order: exact, so the order does not matter anyway.
        for (std::size_t b = 0; b < B; ++b) {
          for (std::size_t k = 0; k < PARITY_CLASSES; ++k) out.births[out.births_index(r, y, k)] += tally[b].births[k];
          out.child_months_under3[out.year_index(r, y)] += tally[b].child_months_under3;
          out.childcare_enrolled_months[out.year_index(r, y)] += tally[b].enrolled_months;
          for (std::size_t m = 0; m < M; ++m) out.caseload[out.caseload_index(r, y, m)] += units[b * M + m];
        }
        for (std::size_t m = 0; m < M; ++m) {
          Fen total = 0;
          for (std::size_t b = 0; b < B; ++b) total += fen[b * M + m];
          const auto parts = split_by_payer(total, scenario.measures[m].payers);
          for (std::size_t p = 0; p < P; ++p) out.outlay_fen[out.outlay_index(r, y, m, p)] = parts[payer_levels[p]];
        }
        if (progress) progress->advance();
      }
      if (trace) {
        for (const auto& block_births : newborns) {
          for (const Newborn& nb : block_births)
            trace->births[r].push_back(TracedBirth{nb.birth_month, nb.mother, nb.order});
        }
      }
    }
  });
  return out;
}

}  // namespace cradle
