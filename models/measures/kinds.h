// The measure kinds, in one table: each kind's name as written in scenario files, the
// ledger it books to, the bases it may count and the cost rule it applies to each.
// Everything else that speaks of kinds (parsing, listings, the engine's dispatch, the
// results' labels) reads this table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "models/measures/measure.h"

namespace cradle {

//! The cost rule of a kind on a monthly basis (child_month, enrolled_month), for one child
//! in the year of the measure's table (`MeasureYear`, measure.h). Fee reductions read
//! `fees` and stack on one fee through `ledger` (measure.h).
using ChildCostRule = decltype(MeasureYear::rule);
//! The cost rule of a kind on an event basis (birth, assisted_birth, home_purchase),
//! applied once the event is known to reach the measure. It reads the event's month and
//! nothing else of it, so that a year's costs are a table by month (event_year).
using EventCostRule = Cost (*)(const Measure&, const Event&);
//! The cost rule of a kind on a place basis (new_slot, renovated_slot).
using SlotCostRule = Cost (*)(const Measure&, int year, std::int64_t new_slots, std::int64_t renovated_slots);
//! The cost rule of a kind on a counted basis (resident_year, marriage, programme): the
//! year's eligible count over the whole place.
using CountCostRule = Cost (*)(const Measure&, int year, double count);

//! Bases a kind may count, at most this many.
inline constexpr std::size_t MAX_KIND_BASES = 5;

//! One row of the table.
struct MeasureKindInfo {
  MeasureKind kind;
  std::string_view name;  //!< as written in scenario files
  Ledger ledger;
  std::array<Basis, MAX_KIND_BASES> bases;  //!< the first is the default
  std::size_t basis_count;
  ChildCostRule child_rule;  //!< null: no monthly basis
  EventCostRule event_rule;  //!< null: no event basis
  SlotCostRule slot_rule;    //!< null: no place basis
  CountCostRule count_rule;  //!< null: no counted basis
  std::string_view summary;  //!< what the kind pays, in a line
};

//! The table, indexed by MeasureKind.
const std::array<MeasureKindInfo, MEASURE_KIND_COUNT>& measure_kinds();

//! The table's row of a kind.
inline const MeasureKindInfo& kind_info(MeasureKind kind) { return measure_kinds()[static_cast<std::size_t>(kind)]; }

// Costs through the table: the rule of the measure's kind for its basis.

//! The measure's year (measure.h): its phases' months in force in `year`, and its kind's
//! rule. The table points into `measure`, which must outlive it.
MeasureYear measure_year(const Measure& measure, int year);

//! A monthly-basis measure's units and cost for one child in the year of `year` (the
//! measure's table for that year). With a ledger, a fee reduction takes in each month at
//! most what the reductions recorded there left of the fee, counts only the months in
//! which it takes something, and records what it takes; reductions thus apply in the
//! order they are costed (the scenario's order).
inline Cost child_year_cost(const Measure& measure, const MeasureYear& year, const ChildYear& child, const Fees& fees,
                            FeeLedger* ledger = nullptr) {
  return year.rule && year.in_force() ? year.rule(measure, year, child, fees, ledger) : Cost{};
}
//! The same for a year given by number (its table made for the call).
Cost child_year_cost(const Measure& measure, const ChildYear& child, int year, const Fees& fees,
                     FeeLedger* ledger = nullptr);
//! What one child-year of a monthly-basis measure costs once the family's claim is known.
//! `claims()` says whether the family claims the measure for this child (a keyed draw that
//! gives the same answer whenever it is asked) and is asked only where it matters: for a
//! fee reduction before its cost, because a claimed reduction takes what the reductions
//! claimed before it left of each month's fee (recorded in `ledger`, the child's own);
//! for any other kind only when its cost is not zero. Zero units when not claimed.
template <class Claims>
Cost claimed_child_year_cost(const Measure& measure, const MeasureYear& year, const ChildYear& child,
                             const Fees& fees, FeeLedger& ledger, Claims&& claims) {
  if (measure.kind == MeasureKind::fee_reduction) {
    if (!claims()) return {};
    return child_year_cost(measure, year, child, fees, &ledger);
  }
  const Cost cost = child_year_cost(measure, year, child, fees, nullptr);
  return cost.units != 0 && claims() ? cost : Cost{};
}

//! An event-basis measure in one year: what its kind's rule pays for an event that reaches
//! it, in each month of the year, made once per measure and year (event_year), so that an
//! event's cost is read, with no call and no search of the phases.
struct EventYear {
  MonthIndex first_month = 0;       //!< January of the year
  std::array<Cost, 12> by_month{};  //!< [month of the year - 1]; all zero: no event basis
};
//! The measure's EventYear of `year`.
EventYear event_year(const Measure& measure, int year);

//! An event-basis measure's units and cost for each of n events, all in the year that
//! `year` (the measure's table) is of, those it pays for: their indices among `events` in `paid`,
//! their units and cost in `units` and `fen`, in the events' order. Returns how many it
//! pays for (none where it does not reach an event).
std::size_t event_costs(const Measure& measure, const EventYear& year, const Event* events, std::size_t n,
                        std::uint32_t* paid, std::int64_t* units, Fen* fen);
//! A place-basis measure's cost for the places added in a year.
Cost slot_cost(const Measure& measure, int year, std::int64_t new_slots, std::int64_t renovated_slots);
//! A counted-basis measure's units and cost for the year's eligible count (take-up applied).
Cost count_cost(const Measure& measure, int year, double count);

// The cost rules (one file each in this folder), shared by the kinds that pay alike.

//! Counted bases: the year's count over the whole place, times the share of the year's
//! months in force, times take-up (a share of the count, not a draw), in whole units
//! (rounded), each paid the amount in force at mid-year.
Cost counted_cost(const Measure& m, int year, double count);

//! Amount per month over the months of the year in which the child is in the measure's
//! age window, order, households and dates (cash per child, free services per child-month,
//! the separate ledgers' monthly amounts).
Cost eligible_month_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees& fees, FeeLedger* ledger);
//! Amount per month over the months the child is enrolled with an eligible provider
//! (operating subsidies to providers).
Cost enrolled_month_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees& fees, FeeLedger* ledger);
//! The fee reduced month by month; with a ledger, at most what earlier reductions left of
//! the fee (see child_year_cost).
Cost fee_reduction_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees& fees, FeeLedger* ledger);
//! The amount in force in the event's month, once per event.
Cost per_event_cost(const Measure& m, const Event& e);
//! The amount in force at mid-year for each new (or renovated, by the measure's basis)
//! place, if the measure is in force then.
Cost slot_construction_cost(const Measure& m, int year, std::int64_t new_slots, std::int64_t renovated_slots);

}  // namespace cradle
