// event_cash: a one-off payment per event: a birth of an eligible order, a birth after
// assisted reproduction (Xihu art. 16: up to 5,000 per household), a new-home purchase
// by a three-child family (Zhangping art. 12: 20,000).
#include "models/measures/measure.h"

namespace cradle {

Cost event_cash_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }

}  // namespace cradle
