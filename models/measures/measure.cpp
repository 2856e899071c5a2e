#include "models/measures/measure.h"

#include <algorithm>


namespace cradle {

namespace {
constexpr std::array<std::string_view, 10> BASIS_NAMES{
    "child_month", "enrolled_month", "birth",          "assisted_birth", "home_purchase",
    "new_slot",    "renovated_slot", "resident_year", "marriage",       "programme"};

}  // namespace

std::uint16_t phase_months(const Measure& m, std::size_t i, int year) {
  const MonthIndex from = i == 0 ? 0 : m.phases[i].from;
  const MonthIndex until = i + 1 < m.phases.size() ? m.phases[i + 1].from : (1 << 30);
  return month_mask(year, from, until);
}

std::string_view ledger_name(Ledger ledger) {
  static constexpr std::array<std::string_view, 5> NAMES{"budget", "insurance_fund", "tax_expenditure",
                                                         "provident_fund", "leave"};
  return NAMES[static_cast<std::size_t>(ledger)];
}

std::string_view basis_name(Basis basis) { return BASIS_NAMES[static_cast<std::size_t>(basis)]; }

std::optional<Basis> parse_basis(std::string_view name) {
  for (std::size_t i = 0; i < BASIS_NAMES.size(); ++i) {
    if (BASIS_NAMES[i] == name) return static_cast<Basis>(i);
  }
  return std::nullopt;
}

std::string_view caseload_unit(Basis basis) {
  switch (basis) {
    case Basis::child_month: return "child-months";
    case Basis::enrolled_month: return "enrolled child-months";
    case Basis::birth: return "births";
    case Basis::assisted_birth: return "assisted-reproduction births";
    case Basis::home_purchase: return "home purchases";
    case Basis::new_slot: return "new places";
    case Basis::renovated_slot: return "renovated places";
    case Basis::resident_year: return "person-years";
    case Basis::marriage: return "persons marrying";
    case Basis::programme: return "programme units";
  }
  return "units";
}

const Phase& Measure::phase_at(MonthIndex month) const {
  std::size_t i = 0;
  while (i + 1 < phases.size() && phases[i + 1].from <= month) ++i;
  return phases[i];
}

std::uint16_t eligible_child_months(const Measure& m, const MeasureYear& t, const ChildYear& c) {
  if (!reaches_child(m, c)) return 0;
  const auto& e = m.eligibility;
  return age_window_mask(t.year, c.birth_month, e.min_age_months, e.max_age_months) &
         counted_months(c, e.once_per_household);
}

std::uint16_t enrolled_months(const Measure& m, const ChildYear& c, int year, std::uint8_t kindergarten_years) {
  const auto& e = m.eligibility;
  std::uint16_t enrolled = 0;
  Provider provider;
  if (e.service == Service::childcare) {
    enrolled = c.childcare_mask & age_window_mask(year, c.birth_month, e.min_age_months, e.max_age_months);
    provider = c.childcare_provider;
  } else {
    for (std::size_t k = 0; k < 3; ++k) {
      if ((kindergarten_years >> k) & 1u) enrolled = static_cast<std::uint16_t>(enrolled | c.kindergarten_masks[k]);
    }
    provider = c.kindergarten_provider;
  }
  return ((e.providers >> static_cast<unsigned>(provider)) & 1u) ? enrolled : std::uint16_t{0};
}

namespace {

//! Adds `n` months of a segment's phase to `cost`. Its amount is for `per_months` months:
//! nearly every amount is by the month, and skipping the division for those saves the
//! slowest instruction of the loop.
void add_months(Cost& cost, const Measure& m, const Phase& phase, int n, FeeContext fee) {
  const Fen amount = n * phase_amount(m.kind, phase, fee);
  cost.units += n;
  cost.fen += phase.per_months == 1 ? amount : amount / phase.per_months;
}

}  // namespace

Cost monthly_cost(const Measure& m, const MeasureYear& t, std::uint16_t mask, FeeContext fee) {
  Cost cost;
  if (mask == 0) return cost;
  for (const MeasureYear::Segment& s : t.segments) add_months(cost, m, *s.phase, months_in(mask & s.months), fee);
  return cost;
}

Cost enrolled_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, FeeContext fee) {
  Cost cost;
  if (!reaches_child(m, c)) return cost;
  for (const MeasureYear::Segment& s : t.segments) {
    const std::uint16_t enrolled = enrolled_months(m, c, t.year, s.phase->kindergarten_years);
    add_months(cost, m, *s.phase, months_in(enrolled & s.months), fee);
  }
  return cost;
}

const char* provenance_name(Provenance p) {
  switch (p) {
    case Provenance::stated: return "stated";
    case Provenance::derived: return "derived";
    case Provenance::assumed: return "assumed";
  }
  return "?";
}

Provenance Measure::provenance() const {
  Provenance weakest = Provenance::stated;
  for (const Phase& p : phases) weakest = std::max(weakest, p.provenance);
  return weakest;
}

}  // namespace cradle
