// The cohort-component projections: the whole population's cross-check (engine.h:
// project_population) and the residents the capacity path plans for (plan.h).
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "sim/engine/engine.h"
#include "sim/engine/plan.h"

namespace cradle {

namespace {

//! A group of women who share their hazards: income band, birth cohort (offset from the
//! plan's oldest), and the years their household arrives and leaves.
using CohortKey = std::tuple<std::size_t, std::size_t, int, int>;
//! A group of other residents (and children without a woman record): sex, birth year,
//! and the years their household arrives and leaves.
using ResidentKey = std::tuple<int, int, int, int>;

//! Every resident once: the women (girls included) by group and parity class 0, 1, 2+,
//! and everyone else by group, as in the base population.
struct Cohorts {
  std::map<CohortKey, Eigen::Vector3d> women;
  std::map<ResidentKey, double> others;
};

Cohorts cohorts(const engine::Plan& plan, const BasePopulation& pop) {
  Cohorts c;
  auto years = [&](std::uint32_t h) {
    return std::make_pair(static_cast<int>(pop.household_arrival[h]), static_cast<int>(pop.household_departure[h]));
  };
  for (std::size_t w = 0; w < pop.women(); ++w) {
    const std::uint32_t h = pop.woman_household[w];
    const auto b = static_cast<std::size_t>(pop.woman_birth_year[w] - plan.min_birth_year);
    const auto [arrival, departure] = years(h);
    auto [it, fresh] = c.women.try_emplace(
        std::make_tuple(static_cast<std::size_t>(pop.household_income_band[h]), b, arrival, departure),
        Eigen::Vector3d::Zero());
    it->second[static_cast<std::size_t>(parity_class(pop.woman_parity[w]))] += 1.0;
  }
  for (std::size_t i = 0; i < pop.children(); ++i) {
    if (pop.child_woman[i] != NO_WOMAN) continue;  // her woman record stands for her
    const auto [arrival, departure] = years(pop.child_household[i]);
    c.others[std::make_tuple(static_cast<int>(pop.child_sex[i]), pop.child_birth_month[i] / 12, arrival, departure)] +=
        1.0;
  }
  for (std::size_t i = 0; i < pop.others(); ++i) {
    const auto [arrival, departure] = years(pop.person_household[i]);
    c.others[std::make_tuple(static_cast<int>(pop.person_sex[i]), static_cast<int>(pop.person_birth_year[i]), arrival,
                             departure)] += 1.0;
  }
  return c;
}

//! Whether a group whose household arrives and leaves in these years is resident in `year`.
bool resident(int year, int arrival, int departure) { return arrival <= year && year < departure; }

}  // namespace

namespace engine {

namespace {

//! The profile's residents by sex and attained age (the year less the birth year) at the
//! first year's start; the profile gives completed years on that day, one less.
std::array<std::vector<double>, SEXES> profile_residents(const PlaceProfile& profile) {
  std::array<std::vector<double>, SEXES> by_age;
  for (int s = 0; s < SEXES; ++s) {
    by_age[s].assign(OLDEST_AGE + 1, 0.0);
    const auto& per_1000 = profile.residents_per_1000[static_cast<std::size_t>(s)];
    for (int g = 0; g < AGE_SEX_GROUPS - 1; ++g) {
      for (int c = 5 * g; c < 5 * g + 5; ++c) by_age[s][c + 1] = profile.persons * per_1000[g] / 5000.0;
    }
    const std::vector<double> oldest = open_group_ages(profile, static_cast<Sex>(s));
    const double open = profile.persons * per_1000[AGE_SEX_GROUPS - 1] / 1000.0;
    for (std::size_t i = 0; i < oldest.size(); ++i) {
      by_age[s][86 + i] += open * (oldest[i] - (i ? oldest[i - 1] : 0.0)) / oldest.back();
    }
  }
  return by_age;
}

}  // namespace

std::vector<double> planned_residents(const Scenario& scenario) {
  const PlaceProfile& profile = scenario.profile;
  std::vector<double> centres;
  for (const UncertainParameter& p : scenario.uncertainty) centres.push_back(p.distribution.centre());
  const ParameterValues theta = parameter_values(scenario, centres);
  std::array<std::vector<double>, SEXES> by_age = profile_residents(profile);
  const double girls = 100.0 / (100.0 + profile.sex_ratio_at_birth);
  const double migration = 1.0 + profile.net_migration_per_1000 / 1000.0;
  std::vector<double> residents;
  for (int y = 0; y < scenario.years(); ++y) {
    double total = 0;
    for (const auto& ages : by_age) {
      for (double n : ages) total += n;
    }
    residents.push_back(total);
    // The year: everyone one year older after its deaths, the year's births after theirs.
    const double births = profile.births * theta.fertility_level * std::pow(1.0 + theta.fertility_trend, y);
    for (int s = 0; s < SEXES; ++s) {
      auto& ages = by_age[s];
      const auto sex = static_cast<Sex>(s);
      auto survive = [&](int a) {
        return ages[a] * (1 - profile.life_table.death_probability(sex, mortality_age(a)));
      };
      ages[OLDEST_AGE] = survive(OLDEST_AGE) + survive(OLDEST_AGE - 1);
      for (int a = OLDEST_AGE - 1; a > 1; --a) ages[a] = survive(a - 1);
      ages[1] = births * (sex == Sex::female ? girls : 1 - girls) * (1 - profile.life_table.death_probability(sex, 0));
      for (double& n : ages) n *= migration;
    }
  }
  return residents;
}

}  // namespace engine

namespace {

//! One year of the projection: births by order, residents at the start, deaths, and the
//! births by the household's arrival and departure years (for the newborns' groups).
struct ProjectedYear {
  std::array<double, 3> births{};
  double population = 0, deaths = 0;
  std::map<std::pair<int, int>, double> born;
};

//! The women's year: each resident cohort's births and deaths, then its parity vector
//! moved by a Leslie-type matrix (a birth moves a woman up one parity, 2+ staying 2+; a
//! death, never in the same draw as a birth, takes her out).
void women_year(std::map<CohortKey, Eigen::Vector3d>& women, const engine::Plan& plan, std::size_t y,
                const std::vector<std::array<double, PARITY_CLASSES>>& multiplier, const LifeTable& life,
                ProjectedYear& out) {
  const int year = plan.start_year + static_cast<int>(y);
  const std::size_t per_year = plan.birth_year_span * PARITY_CLASSES;
  for (auto& [group, cohort] : women) {
    const auto [band, b, arrival, departure] = group;
    if (!resident(year, arrival, departure)) continue;
    const double q =
        life.death_probability(Sex::female, mortality_age(year - (plan.min_birth_year + static_cast<int>(b))));
    Eigen::Vector3d p;
    for (int k = 0; k < PARITY_CLASSES; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      p[k] = std::min(plan.birth_probability[y * per_year + b * PARITY_CLASSES + kk] * multiplier[band][kk],
                      MAX_BIRTH_PROBABILITY);
      out.births[kk] += p[k] * cohort[k];
      out.born[{arrival, departure}] += p[k] * cohort[k];
    }
    out.population += cohort.sum();
    out.deaths += q * cohort.sum();
    Eigen::Matrix3d transition;
    transition << 1 - p[0] - q, 0, 0,  //
        p[0], 1 - p[1] - q, 0,         //
        0, p[1], 1 - q;
    cohort = transition * cohort;
  }
}

//! Everyone else's year: residents counted, deaths at the life table's rates; then the
//! year's newborns join them, less the deaths of their year of birth.
void others_year(std::map<ResidentKey, double>& others, int year, const LifeTable& life, double girls,
                 ProjectedYear& out) {
  for (auto& [group, n] : others) {
    const auto [sex, birth_year, arrival, departure] = group;
    if (!resident(year, arrival, departure)) continue;
    const double q = life.death_probability(static_cast<Sex>(sex), mortality_age(year - birth_year));
    out.population += n;
    out.deaths += q * n;
    n *= 1 - q;
  }
  for (const auto& [household_years, n] : out.born) {
    for (const Sex sex : {Sex::male, Sex::female}) {
      const double share = n * (sex == Sex::female ? girls : 1 - girls);
      const double q = life.death_probability(sex, 0);
      out.deaths += q * share;
      others[std::make_tuple(static_cast<int>(sex), year, household_years.first, household_years.second)] +=
          share * (1 - q);
    }
  }
}

}  // namespace

Projection project_population(const Scenario& scenario, const BasePopulation& pop) {
  const engine::Plan plan = engine::make_plan(scenario, pop, scenario.seed);
  std::vector<double> centres;
  for (const UncertainParameter& p : scenario.uncertainty) centres.push_back(p.distribution.centre());
  const engine::ParameterValues theta = engine::parameter_values(scenario, centres);
  const double girls = 100.0 / (100.0 + scenario.profile.sex_ratio_at_birth);
  const auto weight = static_cast<double>(pop.weight);
  Cohorts groups = cohorts(plan, pop);
  std::vector<std::array<double, PARITY_CLASSES>> multiplier(plan.band_income.size());
  Projection out;
  for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
    for (std::size_t band = 0; band < multiplier.size(); ++band) {
      multiplier[band] = engine::year_multipliers(plan, y, band, theta);
    }
    ProjectedYear year;
    women_year(groups.women, plan, y, multiplier, scenario.profile.life_table, year);
    others_year(groups.others, plan.start_year + static_cast<int>(y), scenario.profile.life_table, girls, year);
    for (double& b : year.births) b *= weight;
    out.births.push_back(year.births);
    out.population.push_back(year.population * weight);
    out.deaths.push_back(year.deaths * weight);
  }
  return out;
}

}  // namespace cradle
