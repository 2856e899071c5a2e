// The calibration of a place and its chain of governments, as its jurisdiction file
// states them (scenarios/README.md): the types the scenario holds and the population
// is built from. Reading them is sim/input/profile_reader.h.
// Every number in these files carries its provenance: a tag S (stated by a named
// source), D (derived from sourced figures) or E (an estimate, which must give a
// plausible range), and a source text.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/fertility.h"
#include "models/funding.h"
#include "models/life_table.h"
#include "models/services.h"

namespace cradle {

//! A number with its provenance, as every calibration figure is written.
struct Sourced {
  double value = 0;
  char tag = 'E';                              //!< 'S' stated, 'D' derived, 'E' estimate
  std::optional<std::array<double, 2>> range;  //!< plausible range, required for 'E'
  std::string source;
};

//! Years simulated before the first scenario year, so that the base population holds
//! every child up to kindergarten age with its birth month and birth order.
inline constexpr int BURN_IN_YEARS = 7;
//! The longest horizon the base population supports (see population.h).
inline constexpr int MAX_HORIZON_YEARS = 15;
//! Household sizes 1 … HOUSEHOLD_SIZE_CLASSES (the last open-ended).
inline constexpr int HOUSEHOLD_SIZE_CLASSES = 6;
//! Age groups 0–4, 5–9, …, 80–84, 85+ of the profile's residents by age and sex.
inline constexpr int AGE_SEX_GROUPS = 18;
//! Women are generated from the female age groups 5–9 … 45–49 (groups 1 … 9).
inline constexpr int FIRST_WOMAN_GROUP = 1, LAST_WOMAN_GROUP = 9;
//! Parity classes in the profile's parity table: 0, 1, 2, 3 and higher.
inline constexpr int PROFILE_PARITIES = 4;
//! Fertile 5-year age groups 15–19 … 45–49.
inline constexpr int FERTILE_AGE_GROUPS = 7;

//! Income bands a profile may give (1 … MAX_INCOME_BANDS).
inline constexpr std::size_t MAX_INCOME_BANDS = 8;
inline constexpr std::size_t EMPLOYMENT_CLASSES = 3;  //!< parents: both employed, one, neither
inline constexpr std::size_t TENURE_CLASSES = 2;      //!< owner, renter

//! Parents' employment, as households and persons files code it.
enum class Employment : std::uint8_t { both = 0, one = 1, neither = 2 };
//! Housing tenure, as households and persons files code it.
enum class Tenure : std::uint8_t { owner = 0, renter = 1 };

//! Regions that set the central share of some national measures.
enum class Region : std::uint8_t { east, central, west };

//! One level of government: where it sits, and its budget.
struct Jurisdiction {
  std::string id;
  std::string name;
  Payer level = Payer::county;
  std::string parent;            //!< empty for China
  std::optional<Region> region;  //!< provinces
  double budget_yuan = 0;        //!< general public budget expenditure in budget_year
  int budget_year = 0;
  double budget_growth = 0;  //!< a year, applied from budget_year on
  std::filesystem::path file;

  //! Budget in a year, whole fen.
  Fen budget_fen(int year) const;
};

//! What the profile says of households beyond their size: the margins the household
//! fit (sim/population/household_fit.h) matches, and how a household's type changes behaviour.
//! Every field has a neutral default, used when the profile has no [households]
//! section: one income band, and no effect of employment or tenure.
struct HouseholdProfile {
  std::vector<double> income_band_shares{1.0};
  //! Income of each band relative to the profile's household income, scaled on reading
  //! so that the share-weighted mean is 1.
  std::vector<double> income_band_relative{1.0};
  std::array<double, 3> employment_shares{0.65, 0.30, 0.05};  //!< parents both employed, one, neither
  std::array<double, 2> tenure_shares{0.8, 0.2};              //!< owner, renter
  double nonlocal_renter_odds = 1;                            //!< see HouseholdMargins
  double income_employment_odds = 1;
  //! Households of the groups the documents put first for childcare besides special
  //! families (martyrs' children, serving soldiers' children).
  double priority_group_share = 0;
  //! Childcare demand by parents' employment, relative; scaled on reading so that the
  //! share-weighted mean is 1 (the profile's enrolment stays the average).
  std::array<double, 3> childcare_demand_by_employment{1, 1, 1};
  //! Home purchases by tenure (owner, renter), relative; scaled likewise.
  std::array<double, 2> home_purchase_by_tenure{1, 1};
};

//! A place's record by calendar year, each figure sourced (the profile's [observed]
//! section). Births and deaths are counts in the year; population is the resident
//! population at the end of the year, as statistical communiqués give it.
struct ObservedSeries {
  std::map<int, Sourced> births;
  std::map<int, Sourced> population;
  std::map<int, Sourced> deaths;
};

//! The demographic and service calibration of the simulated place.
struct PlaceProfile {
  double persons = 0;
  std::array<double, HOUSEHOLD_SIZE_CLASSES> household_size_shares{};
  //! Residents per 1000 by sex and age group (AGE_SEX_GROUPS) in the first scenario year.
  std::array<std::array<double, AGE_SEX_GROUPS>, SEXES> residents_per_1000{};
  //! Parity of women by age group 15–19 … 45–49, at the start of the burn-in.
  std::array<std::array<double, PROFILE_PARITIES>, FERTILE_AGE_GROUPS> parity_shares{};
  double local_residency_share = 1;  //!< households with local household registration
  double special_family_share = 0;   //!< households that are special planned-birth families
  HouseholdProfile households;
  //! Expected births in the first scenario year: the observed (or derived) figure of that
  //! year where the profile's [observed] births give one, else `[fertility] births`.
  double births = 0;
  //! The record; the burn-in takes each year's births target from `observed.births`
  //! (the reader requires every burn-in year; a profile built in code that lacks a year
  //! has no burn-in births in it).
  ObservedSeries observed;
  FertilityProfile fertility;
  double assisted_reproduction_share = 0;  //!< of births to women 35 and older
  double sex_ratio_at_birth = 111.3;       //!< boys per 100 girls (China, 2020 census, when the profile gives none)
  ChildcareProfile childcare;
  KindergartenProfile kindergarten;
  double home_purchase_rate = 0;  //!< a household's annual probability of buying a new home
  double household_income = 0;    //!< annual disposable income of a household with young children, yuan
  //! First marriages a year per 1000 residents by sex and age group 15–19 … 45–49 (all 0
  //! when the profile has no [marriage]: measures counted in marriages then count none).
  std::array<std::array<double, FERTILE_AGE_GROUPS>, SEXES> first_marriages_per_1000{};
  //! Mortality of every resident, scaled to the place's life expectancy; empty when the
  //! profile has no [mortality]: a closed population.
  LifeTable life_table;
  //! Net migration a year per 1000 households (0 when the profile has no [migration]):
  //! below 0 households leave, above 0 households like the residents arrive.
  double net_migration_per_1000 = 0;
};

}  // namespace cradle
