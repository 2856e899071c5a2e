#include "sim/input/estimate_draws.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "models/uncertainty.h"
#include "sim/random/rng.h"

namespace cradle {

namespace {

//! A value rounded to a multiple of `step` within [low, high] (unchanged when step is 0).
double on_step(double v, double step, double low, double high) {
  if (step <= 0) return v;
  const double lowest = std::ceil(low / step - 1e-9) * step, highest = std::floor(high / step + 1e-9) * step;
  if (lowest > highest) return v;  // no multiple of the step in the range
  return std::clamp(std::round(v / step) * step, lowest, highest);
}

//! Replication `rep`'s draw of one estimate: triangular(low, value, high).
double draw_estimate(const Estimate& e, std::uint32_t seed, std::uint32_t rep) {
  if (!(e.high > e.low)) return e.value;
  KeyedStream s(seed, rep, StreamKey{stable_hash32(e.key), 0, 0, stream::ESTIMATE});
  const double u = (static_cast<double>(s.next_u64() >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
  Distribution d;
  d.kind = Distribution::Kind::triangular;
  d.a = e.low;
  d.b = e.high;
  d.c = e.value;
  return on_step(d.quantile(u), e.step, e.low, e.high);
}

//! A reading's message without the file:line:column and field ScenarioError puts before it.
std::string bare_message(const ScenarioError& e) {
  const std::string prefix = ScenarioError(e.file(), e.line(), e.column(), e.field(), "").what();
  const std::string all = e.what();
  return all.rfind(prefix, 0) == 0 ? all.substr(prefix.size()) : all;
}

//! Copies from `fresh` what the drawn estimates of measure `m` can change.
void adopt_drawn(Measure& m, const Measure& fresh, const std::vector<const Estimate*>& drawn) {
  for (const Estimate* e : drawn) {
    if (e->measure != m.id || fresh.phases.size() != m.phases.size()) continue;
    const bool amount = e->key.size() >= 7 && e->key.compare(e->key.size() - 7, 7, ".amount") == 0;
    // A later phase keeps the take-up and amount of the one before unless it sets its own.
    for (std::size_t p = 0; p < m.phases.size(); ++p) {
      if (amount) {
        m.phases[p].fen_per_unit = fresh.phases[p].fen_per_unit;
        m.phases[p].per_months = fresh.phases[p].per_months;
        m.phases[p].percent_of_fee_bp = fresh.phases[p].percent_of_fee_bp;
      } else {
        m.phases[p].take_up = fresh.phases[p].take_up;
      }
    }
    if (!amount) {
      m.take_up = fresh.take_up;
      m.units_per_year = fresh.units_per_year;
    }
  }
}

}  // namespace

std::vector<double> draw_estimates(const Scenario& scenario, std::uint32_t rep) {
  std::vector<double> values;
  values.reserve(scenario.drawn_estimates.size());
  for (std::size_t i : scenario.drawn_estimates) values.push_back(draw_estimate(scenario.estimates.at(i), scenario.seed, rep));
  return values;
}

Scenario scenario_for_replication(const Scenario& scenario, std::uint32_t rep) {
  if (scenario.drawn_estimates.empty()) return scenario;
  const std::vector<double> values = draw_estimates(scenario, rep);
  EstimateOverrides overrides;
  std::vector<const Estimate*> drawn;
  for (std::size_t k = 0; k < values.size(); ++k) {
    drawn.push_back(&scenario.estimates[scenario.drawn_estimates[k]]);
    overrides[drawn.back()->key] = values[k];
  }
  Scenario fresh;
  try {
    fresh = load_scenario(scenario.file, overrides);
  } catch (const ScenarioError& e) {
    std::ostringstream what;
    what << bare_message(e) << " (in replication " << rep << ", which draws";
    const char* sep = " ";
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (drawn[k]->file != e.file()) continue;
      what << sep << drawn[k]->key << " = " << values[k];
      sep = ", ";
    }
    what << (sep[0] == ' ' ? " estimates of other files)" : ")");
    throw ScenarioError(e.file(), e.line(), e.column(), e.field(), what.str());
  }
  Scenario out = scenario;
  out.profile = std::move(fresh.profile);
  out.chain = std::move(fresh.chain);
  for (Measure& m : out.measures) {
    const auto it = std::find_if(fresh.measures.begin(), fresh.measures.end(),
                                 [&](const Measure& f) { return f.id == m.id; });
    if (it != fresh.measures.end()) adopt_drawn(m, *it, drawn);
  }
  return out;
}

}  // namespace cradle
