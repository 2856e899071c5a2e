// fee_reduction: the fee of an enrolled child reduced by a fixed amount a month (never
// more than the fee) or by a percentage of the fee its provider class charges
// (Xihu art. 11: 100 yuan a month in childcare, 5 % of the kindergarten fee for 2nd and
// 3rd children; Zhangping art. 8: 50 % / 100 %; free preschool: 100 % in public
// kindergartens, the public fee in private ones).
#include "models/measures/measure.h"

namespace cradle {

Cost fee_reduction_cost(const Measure& m, const ChildYear& c, int year, const Fees& fees) {
  const bool childcare = m.eligibility.service == Service::childcare;
  const FeeTable& table = childcare ? fees.childcare : fees.kindergarten;
  const Provider provider = childcare ? c.childcare_provider : c.kindergarten_provider;
  return enrolled_cost(
      m, c, year,
      FeeContext{table[static_cast<std::size_t>(provider)], table[static_cast<std::size_t>(Provider::public_)]});
}

}  // namespace cradle
