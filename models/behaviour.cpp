#include "models/behaviour.h"

#include <algorithm>

namespace cradle {

namespace {

//! Where a monthly measure reaches a child of `order` born in `birth`, `age` completed
//! months old: the chance of using the service (1 for child-month measures), and whether
//! it applies at all. For kindergarten, the kindergarten year must be one the phase covers.
struct MonthReach {
  bool applies = false;
  double use = 0;
  bool childcare = false;
};
MonthReach reach(const Measure& m, const ChildcareProfile& cc, const KindergartenProfile& kg, MonthIndex birth,
                 int age) {
  MonthReach r;
  const MonthIndex month = birth + 1 + age;
  if (month < m.eligibility.valid_from || month >= m.eligibility.valid_until) return r;
  const Phase& p = m.phase_at(month);
  const auto& e = m.eligibility;
  if (m.basis == Basis::child_month) {
    r.applies = age >= e.min_age_months && age < e.max_age_months;
    r.use = 1;
    return r;
  }
  r.childcare = e.service == Service::childcare;
  if (r.childcare) {
    if (age >= 36 || age < e.min_age_months || age >= e.max_age_months) return r;
    r.use = cc.enrolment_by_age[static_cast<std::size_t>(age / 12)];
  } else {
    const int calendar_month = month % 12 + 1;
    const int school_year = month / 12 - (calendar_month < 9 ? 1 : 0);
    const int k = school_year - first_kindergarten_school_year(birth);  // 0-based kindergarten year
    if (k < 0 || k > 2 || calendar_month == 7 || calendar_month == 8) return r;
    if (!((p.kindergarten_years >> k) & 1u)) return r;
    r.use = kg.enrolment_rate;
  }
  r.applies = true;
  return r;
}

//! Expected value over a child's first 8 years of a monthly measure that is not a fee
//! reduction, with the chance of using the service, yuan, before take-up.
double monthly_value(const Measure& m, const ChildcareProfile& cc, const KindergartenProfile& kg, MonthIndex birth,
                     int order) {
  if (!m.reaches_order(order)) return 0.0;
  double total = 0;
  // Walk the child's first 8 years month by month; cheap, and exact for phases and dates.
  for (int age = 0; age < 96; ++age) {
    const MonthReach r = reach(m, cc, kg, birth, age);
    if (!r.applies) continue;
    const Phase& p = m.phase_at(birth + 1 + age);
    if (m.basis == Basis::child_month) {
      total += static_cast<double>(p.fen_per_unit) / p.per_months / 100.0;
      continue;
    }
    const auto& shares = r.childcare ? cc.provider_shares : kg.provider_shares;
    for (std::size_t pr = 0; pr < PROVIDER_COUNT; ++pr) {
      if (!((m.eligibility.providers >> pr) & 1u)) continue;
      total += r.use * shares[pr] * static_cast<double>(p.fen_per_unit) / 100.0;
    }
  }
  return total;
}

//! Expected value of the scenario's fee reductions together, yuan: in each month and
//! provider class, the take-up-weighted reductions in scenario order, at most the fee —
//! as the engine stacks them.
double fee_reductions_value(const std::vector<const Measure*>& reductions, const ChildcareProfile& cc,
                            const KindergartenProfile& kg, MonthIndex birth, int order) {
  double total = 0;
  for (int age = 0; age < 96; ++age) {
    for (const bool childcare : {true, false}) {
      const auto& shares = childcare ? cc.provider_shares : kg.provider_shares;
      const auto& fees = childcare ? cc.fees : kg.fees;
      for (std::size_t pr = 0; pr < PROVIDER_COUNT; ++pr) {
        double reduced = 0, use = 0;
        for (const Measure* m : reductions) {
          if ((m->eligibility.service == Service::childcare) != childcare || !m->reaches_order(order)) continue;
          if (!((m->eligibility.providers >> pr) & 1u)) continue;
          const MonthReach r = reach(*m, cc, kg, birth, age);
          if (!r.applies) continue;
          use = r.use;
          const FeeContext fee{fees[pr], fees[static_cast<std::size_t>(Provider::public_)]};
          reduced += m->take_up_at(birth + 1 + age) *
                     static_cast<double>(phase_amount(m->kind, m->phase_at(birth + 1 + age), fee));
        }
        total += use * shares[pr] * std::min(reduced, static_cast<double>(fees[pr])) / 100.0;
      }
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
  std::vector<const Measure*> reductions;
  for (const Measure& m : measures) {
    if (m.kind == MeasureKind::fee_reduction && !m.eligibility.special_families_only && responds_to(m, birth)) {
      reductions.push_back(&m);
    }
  }
  for (int k = 0; k < PARITY_CLASSES; ++k) {
    const int order = k + 1;
    value[static_cast<std::size_t>(k)] += fee_reductions_value(reductions, childcare, kindergarten, birth, order);
    for (const Measure& m : measures) {
      if (m.kind == MeasureKind::fee_reduction) continue;  // valued together above
      // What reaches the family: not providers' subsidies, places, leave wages or
      // insurance funds; local residence and household conditions are taken as met.
      const bool to_family = m.kind == MeasureKind::child_cash || m.kind == MeasureKind::event_cash ||
                             m.kind == MeasureKind::in_kind_service || m.kind == MeasureKind::tax_expenditure;
      if (!to_family || m.eligibility.special_families_only || !responds_to(m, birth)) continue;
      double v = 0;
      if (monthly(m.basis)) {
        v = monthly_value(m, childcare, kindergarten, birth, order);
      } else if (m.basis == Basis::birth || m.basis == Basis::assisted_birth) {
        if (!m.reaches_order(order) || birth < m.eligibility.valid_from || birth >= m.eligibility.valid_until) continue;
        v = static_cast<double>(m.phase_at(birth).fen_per_unit) / 100.0;
        if (m.basis == Basis::assisted_birth) v *= assisted_reproduction_share;
      }
      value[static_cast<std::size_t>(k)] += v * m.take_up_at(birth);
    }
  }
  return value;
}

MonthlyBirthValue birth_values_by_month(const std::vector<Measure>& measures, const ChildcareProfile& childcare,
                                        const KindergartenProfile& kindergarten, int year,
                                        double assisted_reproduction_share) {
  MonthlyBirthValue value{};
  for (int m = 0; m < 12; ++m) {
    value[static_cast<std::size_t>(m)] =
        birth_value_yuan(measures, childcare, kindergarten, month_index(year, m + 1), assisted_reproduction_share);
  }
  return value;
}

std::array<double, PARITY_CLASSES> year_mean(const MonthlyBirthValue& value) {
  std::array<double, PARITY_CLASSES> mean{};
  for (const auto& month : value) {
    for (std::size_t k = 0; k < PARITY_CLASSES; ++k) mean[k] += month[k] / 12.0;
  }
  return mean;
}

double response_beta(double response_percent, const std::vector<double>& band_income,
                     const std::vector<double>& band_shares) {
  double inverse = 0, shares = 0;
  for (std::size_t b = 0; b < band_income.size() && b < band_shares.size(); ++b) {
    if (band_income[b] <= 0) continue;
    inverse += band_shares[b] / band_income[b];
    shares += band_shares[b];
  }
  if (inverse <= 0) return 0.0;
  const double harmonic_mean_income = shares / inverse;
  return response_percent / 100.0 * harmonic_mean_income / RESPONSE_REFERENCE_YUAN;
}

std::array<double, PARITY_CLASSES> response_multipliers(const std::array<double, PARITY_CLASSES>& value_yuan,
                                                        double household_income, double beta,
                                                        const std::array<double, PARITY_CLASSES>& first_value_yuan) {
  std::array<double, PARITY_CLASSES> m{};
  for (std::size_t k = 0; k < PARITY_CLASSES; ++k) {
    if (!(household_income > 0)) {
      m[k] = 1.0;
      continue;
    }
    const double now = std::max(0.0, 1.0 + beta * value_yuan[k] / household_income);
    const double first = std::max(0.0, 1.0 + beta * first_value_yuan[k] / household_income);
    m[k] = first > 0 ? now / first : now;
  }
  return m;
}

}  // namespace cradle
