#include "models/behaviour.h"

#include <algorithm>

namespace cradle {

namespace {

//! Expected months over a child's life (from birth) that a monthly measure pays, with
//! the chance of using the service, and its expected amount a month, yuan.
double monthly_value(const Measure& m, const ChildcareProfile& cc, const KindergartenProfile& kg, MonthIndex birth,
                     int order) {
  double total = 0;
  // Walk the child's first 8 years month by month; cheap, and exact for phases and dates.
  for (int age = 0; age < 96; ++age) {
    const MonthIndex month = birth + 1 + age;
    if (month < m.eligibility.valid_from || month >= m.eligibility.valid_until) continue;
    if (!m.reaches_order(order)) return 0.0;
    const Phase& p = m.phase_at(month);
    const auto& e = m.eligibility;
    if (m.basis == Basis::child_month) {
      if (age < e.min_age_months || age >= e.max_age_months) continue;
      total += static_cast<double>(p.fen_per_unit) / p.per_months / 100.0;
      continue;
    }
    // Enrolled months: the chance of being enrolled with an eligible provider, times the amount.
    const bool childcare = e.service == Service::childcare;
    double use = 0;
    if (childcare) {
      if (age >= 36 || age < e.min_age_months || age >= e.max_age_months) continue;
      use = cc.enrolment_by_age[static_cast<std::size_t>(age / 12)];
    } else {
      const int calendar_month = month % 12 + 1;
      const int school_year = month / 12 - (calendar_month < 9 ? 1 : 0);
      const int k = school_year - first_kindergarten_school_year(birth);  // 0-based kindergarten year
      if (k < 0 || k > 2 || calendar_month == 7 || calendar_month == 8) continue;
      if (!((p.kindergarten_years >> k) & 1u)) continue;
      use = kg.enrolment_rate;
    }
    const auto& shares = childcare ? cc.provider_shares : kg.provider_shares;
    const auto& fees = childcare ? cc.fees : kg.fees;
    for (std::size_t pr = 0; pr < PROVIDER_COUNT; ++pr) {
      if (!((e.providers >> pr) & 1u)) continue;
      Fen per_month = p.fen_per_unit;
      if (m.kind == MeasureKind::fee_reduction) {
        if (p.percent_of_fee_bp >= 0)
          per_month = fees[pr] * p.percent_of_fee_bp / 10000;
        else if (p.public_fee)
          per_month = std::min(fees[0], fees[pr]);
        else
          per_month = std::min(p.fen_per_unit, fees[pr]);
      }
      total += use * shares[pr] * static_cast<double>(per_month) / 100.0;
    }
  }
  return total;
}

}  // namespace

std::array<double, PARITY_CLASSES> birth_value_yuan(const std::vector<Measure>& measures,
                                                    const ChildcareProfile& childcare,
                                                    const KindergartenProfile& kindergarten, MonthIndex birth,
                                                    double assisted_reproduction_share) {
  std::array<double, PARITY_CLASSES> value{};
  for (int k = 0; k < PARITY_CLASSES; ++k) {
    const int order = k + 1;
    for (const Measure& m : measures) {
      // What reaches the family: not providers' subsidies, places, leave wages or
      // insurance funds; local residence and household conditions are taken as met.
      const bool to_family = m.kind == MeasureKind::child_cash || m.kind == MeasureKind::fee_reduction ||
                             m.kind == MeasureKind::event_cash || m.kind == MeasureKind::in_kind_service ||
                             m.kind == MeasureKind::tax_expenditure;
      if (!to_family || m.eligibility.special_families_only) continue;
      double v = 0;
      if (monthly(m.basis)) {
        v = monthly_value(m, childcare, kindergarten, birth, order);
      } else if (m.basis == Basis::birth || m.basis == Basis::assisted_birth) {
        if (!m.reaches_order(order) || birth < m.eligibility.valid_from || birth >= m.eligibility.valid_until) continue;
        v = static_cast<double>(m.phase_at(birth).fen_per_unit) / 100.0;
        if (m.basis == Basis::assisted_birth) v *= assisted_reproduction_share;
      }
      value[static_cast<std::size_t>(k)] += v * m.take_up;
    }
  }
  return value;
}

std::array<double, PARITY_CLASSES> response_multipliers(const std::array<double, PARITY_CLASSES>& value_yuan,
                                                        double household_income, double beta) {
  std::array<double, PARITY_CLASSES> m{};
  for (std::size_t k = 0; k < PARITY_CLASSES; ++k) {
    m[k] = household_income > 0 ? std::max(0.0, 1.0 + beta * value_yuan[k] / household_income) : 1.0;
  }
  return m;
}

}  // namespace cradle
