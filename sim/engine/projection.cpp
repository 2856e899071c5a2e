// The cohort-component cross-check of births (engine.h: project_births).
#include <Eigen/Dense>

#include <algorithm>
#include <map>
#include <tuple>

#include "sim/engine/engine.h"
#include "sim/engine/plan.h"

namespace cradle {

namespace {

//! A group of women who share their hazards: income band, birth cohort (offset from the
//! plan's oldest), and the years their household arrives and leaves.
using CohortKey = std::tuple<std::size_t, std::size_t, int, int>;

//! The women of each group by parity class 0, 1, 2+, as in the base population.
std::map<CohortKey, Eigen::Vector3d> cohorts(const engine::Plan& plan, const BasePopulation& pop) {
  std::map<CohortKey, Eigen::Vector3d> groups;
  for (std::size_t w = 0; w < pop.women(); ++w) {
    const std::uint32_t h = pop.woman_household[w];
    const auto b = static_cast<std::size_t>(pop.woman_birth_year[w] - plan.min_birth_year);
    auto [it, fresh] = groups.try_emplace(
        std::make_tuple(static_cast<std::size_t>(pop.household_income_band[h]), b,
                        static_cast<int>(pop.household_arrival[h]), static_cast<int>(pop.household_departure[h])),
        Eigen::Vector3d::Zero());
    it->second[std::min<int>(pop.woman_parity[w], PARITY_CLASSES - 1)] += 1.0;
  }
  return groups;
}

}  // namespace

std::vector<std::array<double, 3>> project_births(const Scenario& scenario, const BasePopulation& pop) {
  const engine::Plan plan = engine::make_plan(scenario, pop, scenario.seed);
  std::vector<double> centres;
  for (const UncertainParameter& p : scenario.uncertainty) centres.push_back(p.distribution.centre());
  const engine::ParameterValues theta = engine::parameter_values(scenario, centres);
  auto groups = cohorts(plan, pop);
  const std::size_t bands = plan.band_income.size();
  const std::size_t per_year = plan.birth_year_span * PARITY_CLASSES;
  std::vector<std::array<double, 3>> births(static_cast<std::size_t>(plan.years));
  std::vector<std::array<double, PARITY_CLASSES>> multiplier(bands);
  for (std::size_t y = 0; y < births.size(); ++y) {
    const int year = scenario.start_year + static_cast<int>(y);
    for (std::size_t band = 0; band < bands; ++band) multiplier[band] = engine::year_multipliers(plan, y, band, theta);
    for (auto& [group, cohort] : groups) {
      const auto [band, b, arrival, departure] = group;
      if (year < arrival || year >= departure) continue;  // a group bears children only while resident
      Eigen::Vector3d p;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        p[k] = std::min(plan.birth_probability[y * per_year + b * PARITY_CLASSES + static_cast<std::size_t>(k)] *
                            multiplier[band][static_cast<std::size_t>(k)],
                        MAX_BIRTH_PROBABILITY);
      }
      // The cohort's year: a birth moves a woman up one parity (2+ stays 2+).
      Eigen::Matrix3d transition;
      transition << 1 - p[0], 0, 0,  //
          p[0], 1 - p[1], 0,         //
          0, p[1], 1;
      for (int k = 0; k < PARITY_CLASSES; ++k) {
        births[y][static_cast<std::size_t>(k)] += p[k] * cohort[k] * static_cast<double>(pop.weight);
      }
      cohort = transition * cohort;
    }
  }
  return births;
}

}  // namespace cradle
