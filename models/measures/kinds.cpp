#include "models/measures/kinds.h"

#include <cassert>

namespace cradle {

namespace {

using B = Basis;
using K = MeasureKind;

constexpr MeasureKindInfo row(K kind, std::string_view name, Ledger ledger, std::array<Basis, MAX_KIND_BASES> bases,
                              std::size_t basis_count, ChildCostRule child, EventCostRule event, SlotCostRule slot,
                              CountCostRule count, std::string_view summary) {
  return MeasureKindInfo{kind, name, ledger, bases, basis_count, child, event, slot, count, summary};
}

// In MeasureKind order; a static_assert below keeps the two together.
constexpr std::array<MeasureKindInfo, MEASURE_KIND_COUNT> KINDS{
    row(K::child_cash, "child_cash", Ledger::budget, {B::child_month, B::resident_year}, 2, eligible_month_cost,
        nullptr, nullptr, counted_cost,
        "periodic cash per eligible child (prorated by month) or per eligible resident-year"),
    row(K::event_cash, "event_cash", Ledger::budget, {B::birth, B::assisted_birth, B::home_purchase, B::marriage}, 4,
        nullptr, per_event_cost, nullptr, counted_cost,
        "one-off cash on a birth, an assisted-reproduction birth, a home purchase or a marriage"),
    row(K::fee_reduction, "fee_reduction", Ledger::budget, {B::enrolled_month}, 1, fee_reduction_cost, nullptr, nullptr,
        nullptr, "a service fee reduced for an enrolled child, fixed a month or a percentage"),
    row(K::operating_subsidy, "operating_subsidy", Ledger::budget, {B::enrolled_month}, 1, enrolled_month_cost, nullptr,
        nullptr, nullptr, "per enrolled child-month, paid to providers of given classes"),
    row(K::slot_construction, "slot_construction", Ledger::budget, {B::new_slot, B::renovated_slot}, 2, nullptr,
        nullptr, slot_construction_cost, nullptr, "one-off per new or renovated childcare place"),
    row(K::in_kind_service, "in_kind_service", Ledger::budget,
        {B::birth, B::child_month, B::assisted_birth, B::resident_year, B::marriage}, 5, eligible_month_cost,
        per_event_cost, nullptr, counted_cost,
        "a free service (screening, vaccine dose, check) at a unit cost, per event, child-month or resident-year"),
    row(K::insurance_fund, "insurance_fund", Ledger::insurance_fund, {B::birth, B::child_month, B::assisted_birth}, 3,
        eligible_month_cost, per_event_cost, nullptr, nullptr, "paid by the medical or maternity insurance fund"),
    row(K::tax_expenditure, "tax_expenditure", Ledger::tax_expenditure, {B::child_month, B::resident_year}, 2,
        eligible_month_cost, nullptr, nullptr, counted_cost,
        "revenue forgone, per eligible child-month or per eligible resident-year"),
    row(K::provident_fund, "provident_fund", Ledger::provident_fund, {B::home_purchase, B::child_month}, 2,
        eligible_month_cost, per_event_cost, nullptr, nullptr, "housing provident fund liquidity"),
    row(K::leave, "leave", Ledger::leave, {B::birth, B::child_month, B::marriage}, 3, eligible_month_cost,
        per_event_cost, nullptr, counted_cost, "statutory leave: wage cost on employers and the insurance fund"),
    row(K::fixed_programme, "fixed_programme", Ledger::budget, {B::programme}, 1, nullptr, nullptr, nullptr,
        counted_cost, "a programme of so many units a year at a unit cost (trainees, institutions, a lump sum)"),
};

constexpr bool in_kind_order() {
  for (std::size_t i = 0; i < KINDS.size(); ++i) {
    if (static_cast<std::size_t>(KINDS[i].kind) != i) return false;
  }
  return true;
}
static_assert(in_kind_order(), "the kinds table must follow MeasureKind's order");

}  // namespace

const std::array<MeasureKindInfo, MEASURE_KIND_COUNT>& measure_kinds() { return KINDS; }

std::string_view kind_name(MeasureKind kind) { return kind_info(kind).name; }

std::optional<MeasureKind> parse_kind(std::string_view name) {
  for (const MeasureKindInfo& k : KINDS) {
    if (k.name == name) return k.kind;
  }
  return std::nullopt;
}

Ledger kind_ledger(MeasureKind kind) { return kind_info(kind).ledger; }

std::vector<Basis> kind_bases(MeasureKind kind) {
  const MeasureKindInfo& k = kind_info(kind);
  return {k.bases.begin(), k.bases.begin() + static_cast<std::ptrdiff_t>(k.basis_count)};
}

MeasureYear measure_year(const Measure& m, int year) {
  MeasureYear t;
  t.year = year;
  t.rule = kind_info(m.kind).child_rule;
  const std::uint16_t in_force = m.months_in_force(year);
  for (std::size_t i = 0; i < m.phases.size(); ++i) {
    const std::uint16_t months = phase_months(m, i, year) & in_force;
    if (months == 0) continue;
    const Phase& p = m.phases[i];
    t.segments.push_back({months, &p});
  }
  return t;
}

Cost child_year_cost(const Measure& m, const ChildYear& c, int year, const Fees& fees, FeeLedger* ledger) {
  return child_year_cost(m, measure_year(m, year), c, fees, ledger);
}

EventYear event_year(const Measure& m, int year) {
  EventYear t;
  t.first_month = month_index(year, 1);
  const EventCostRule rule = kind_info(m.kind).event_rule;
  if (rule == nullptr) return t;
  Event e;
  e.basis = m.basis;
  for (std::size_t k = 0; k < t.by_month.size(); ++k) {
    e.month = t.first_month + static_cast<MonthIndex>(k);
    t.by_month[k] = rule(m, e);
  }
  return t;
}

std::size_t event_costs(const Measure& m, const EventYear& t, const Event* events, std::size_t n, std::uint32_t* paid,
                        std::int64_t* units, Fen* fen) {
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!event_reached(m, events[i])) continue;
    assert(events[i].month >= t.first_month && events[i].month < t.first_month + 12);
    const Cost& c = t.by_month[static_cast<std::size_t>(events[i].month - t.first_month)];
    if (c.units == 0) continue;
    paid[k] = static_cast<std::uint32_t>(i);
    units[k] = c.units;
    fen[k++] = c.fen;
  }
  return k;
}

Cost count_cost(const Measure& m, int year, double count) {
  const CountCostRule rule = kind_info(m.kind).count_rule;
  return rule ? rule(m, year, count) : Cost{};
}

Cost slot_cost(const Measure& m, int year, std::int64_t new_slots, std::int64_t renovated_slots) {
  const SlotCostRule rule = kind_info(m.kind).slot_rule;
  return rule ? rule(m, year, new_slots, renovated_slots) : Cost{};
}

}  // namespace cradle
