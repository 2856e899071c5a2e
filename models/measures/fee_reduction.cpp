// fee_reduction: the fee of an enrolled child reduced by a fixed amount a month (never
// more than the fee) or by a percentage of the fee its provider class charges
// (Xihu art. 11: 100 yuan a month in childcare, 5 % of the kindergarten fee for 2nd and
// 3rd children; Zhangping art. 8: 50 % / 100 %; free preschool: 100 % in public
// kindergartens, the public fee in private ones).
#include <algorithm>

#include "models/measures/kinds.h"

namespace cradle {

Cost fee_reduction_cost(const Measure& m, const MeasureYear& t, const ChildYear& c, const Fees& fees,
                        FeeLedger* ledger) {
  const bool childcare = m.eligibility.service == Service::childcare;
  const FeeTable& table = childcare ? fees.childcare : fees.kindergarten;
  const Provider provider = childcare ? c.childcare_provider : c.kindergarten_provider;
  const FeeContext fee{table[static_cast<std::size_t>(provider)], table[static_cast<std::size_t>(Provider::public_)]};
  if (!ledger) return enrolled_cost(m, t, c, fee);
  if (!reaches_child(m, c)) return {};
  // Month by month, at most what earlier reductions left of the fee (free preschool and
  // a local 5 % reduction on the same final-year fee take 100 %, not 105 %).
  const Service service = m.eligibility.service;
  Cost cost;
  for (const MeasureYear::Segment& s : t.segments) {
    const std::uint16_t mask = enrolled_months(m, c, t.year, s.phase->kindergarten_years) & s.months;
    if (mask == 0) continue;
    const Fen amount = phase_amount(m.kind, *s.phase, fee);
    if (!ledger->any(service)) {
      // The child's first reduction of this fee this year (nearly always): the same take in
      // every month, so no loop over the months.
      const Fen take = std::min(amount, std::max<Fen>(0, fee.fee));
      if (take <= 0) continue;
      ledger->take_first(service, mask, take);
      const int months = months_in(mask);
      cost.units += months;
      cost.fen += take * months;
      continue;
    }
    for (std::size_t month = 0; month < 12; ++month) {
      if (!((mask >> month) & 1u)) continue;
      const Fen take = std::min(amount, std::max<Fen>(0, fee.fee - ledger->taken(service, month)));
      if (take <= 0) continue;
      ledger->take(service, month, take);
      cost.units += 1;
      cost.fen += take;
    }
  }
  return cost;
}

}  // namespace cradle
