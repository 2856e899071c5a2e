#include "models/childcare_demand.h"

#include <algorithm>
#include <cmath>

#include "models/measures/kinds.h"
#include "models/probability.h"

namespace cradle {

double childcare_net_price_ratio(const std::vector<Measure>& measures, const ChildcareProfile& childcare, int year,
                                 int order, bool local, int age) {
  // A child born in the December of year - 1 - age is aged `age` in every month of `year`:
  // the measures' own cost rules then say what each reduction takes off that year's fees.
  ChildYear child;
  child.birth_month = month_index(year - 1 - age, 12);
  child.birth_order = birth_order_class(order);
  child.flags = local ? FLAG_LOCAL_RESIDENT : 0;
  child.childcare_mask = 0xFFF;
  const Fees fees{childcare.fees, {}};
  double gross = 0, net = 0;
  for (std::size_t pr = 0; pr < PROVIDER_COUNT; ++pr) {
    const double share = childcare.provider_shares[pr];
    const double fee_year = 12.0 * static_cast<double>(childcare.fees[pr]);
    child.childcare_provider = static_cast<Provider>(pr);
    double relief = 0;
    FeeLedger ledger;  // stacked reductions take at most the fee, as in the engine
    for (const Measure& m : measures) {
      if (m.kind != MeasureKind::fee_reduction || m.eligibility.service != Service::childcare) continue;
      if (m.eligibility.special_families_only) continue;  // not what a typical family pays
      relief += m.take_up * static_cast<double>(child_year_cost(m, child, year, fees, &ledger).fen);
    }
    gross += share * fee_year;
    net += share * std::max(0.0, fee_year - relief);
  }
  return gross > 0 ? net / gross : 1.0;
}

NetPriceRatios net_price_ratios(const std::vector<Measure>& measures, const ChildcareProfile& childcare, int year) {
  NetPriceRatios r{};
  for (std::size_t k = 0; k < DEMAND_ORDER_CLASSES; ++k) {
    for (std::size_t local = 0; local < 2; ++local) {
      for (std::size_t a = 0; a < DEMAND_AGES; ++a) {
        r[k][local][a] = childcare_net_price_ratio(measures, childcare, year, static_cast<int>(k) + 1, local == 1,
                                                   static_cast<int>(a));
      }
    }
  }
  return r;
}

ChildcareDemandYear childcare_demand(const ChildcareProfile& childcare,
                                     const std::array<double, DEMAND_EMPLOYMENT_CLASSES>& employment_factor,
                                     const NetPriceRatios& ratios, double level, double elasticity) {
  ChildcareDemandYear d;
  for (std::size_t e = 0; e < DEMAND_EMPLOYMENT_CLASSES; ++e) {
    for (std::size_t k = 0; k < DEMAND_ORDER_CLASSES; ++k) {
      for (std::size_t local = 0; local < 2; ++local) {
        for (std::size_t a = 0; a < DEMAND_AGES; ++a) {
          const double price =
              elasticity == 0.0 ? 1.0 : std::pow(std::max(ratios[k][local][a], MIN_NET_PRICE_RATIO), elasticity);
          const double p = childcare.enrolment_by_age[a] * level * employment_factor[e] * price;
          d.threshold[e][k][local][a] = probability_threshold(std::min(1.0, p));
        }
      }
    }
  }
  return d;
}

}  // namespace cradle
