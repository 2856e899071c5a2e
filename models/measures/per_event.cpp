// The rule of every kind that pays once per event: birth grants and home-purchase grants
// (event_cash), a free service at a birth (in_kind_service), and the separate ledgers'
// amounts per birth or purchase (maternity insurance, provident-fund loans, leave).
#include "models/measures/kinds.h"

namespace cradle {

Cost per_event_cost(const Measure& m, const Event& e) { return Cost{1, m.phase_at(e.month).fen_per_unit}; }

}  // namespace cradle
