// The scenario: everything a run needs to know, parsed once from TOML files and
// validated, then immutable. A scenario names the place it simulates (a jurisdiction,
// whose chain of parents reaches China) and the packages of measures it applies; a
// scenario may start from another (`base`) and state only what differs.
// Every number in these files carries its provenance: a tag S (stated by a named
// source), D (derived from sourced figures) or E (an estimate, which must give a
// plausible range), and a source text.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/fertility.h"
#include "models/funding.h"
#include "models/measures/measure.h"
#include "models/services.h"
#include "models/uncertainty.h"
#include "sim/input/shipped.h"  // shipped_scenarios_dir, default_scenario_path: callers of load_scenario use them

namespace cradle {

//! Bad input: names the file, line, column and field. The CLI exits with code 2.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, int line, int column, std::string field, const std::string& what);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string field_;
};

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
//! Female age groups 5–9 … 45–49 given per 1000 persons.
inline constexpr int FEMALE_AGE_GROUPS = 9;
//! Parity classes in the profile's parity table: 0, 1, 2, 3 and higher.
inline constexpr int PROFILE_PARITIES = 4;
//! Fertile 5-year age groups 15–19 … 45–49.
inline constexpr int FERTILE_AGE_GROUPS = 7;

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

//! The demographic and service calibration of the simulated place.
struct PlaceProfile {
  double persons = 0;
  std::array<double, HOUSEHOLD_SIZE_CLASSES> household_size_shares{};
  std::array<double, FEMALE_AGE_GROUPS> females_per_1000{};  //!< by age group 5–9 … 45–49
  //! Parity of women by age group 15–19 … 45–49, at the start of the burn-in.
  std::array<std::array<double, PROFILE_PARITIES>, FERTILE_AGE_GROUPS> parity_shares{};
  double local_residency_share = 1;  //!< households with local household registration
  double special_family_share = 0;   //!< households that are special planned-birth families
  HouseholdProfile households;
  double births = 0;                 //!< expected births in the first scenario year
  //! Births in each burn-in year relative to `births`, oldest first.
  std::array<double, BURN_IN_YEARS> burn_in_births_relative{};
  FertilityProfile fertility;
  double assisted_reproduction_share = 0;  //!< of births to women 35 and older
  double sex_ratio_at_birth = 111.3;       //!< boys per 100 girls (China, 2020 census, when the profile gives none)
  ChildcareProfile childcare;
  KindergartenProfile kindergarten;
  double home_purchase_rate = 0;  //!< a household's annual probability of buying a new home
  double household_income = 0;    //!< annual disposable income of a household with young children, yuan
  //! Deaths a year per 1000: infants (in the year of birth), children 1–7, women. All 0
  //! when the profile has no [mortality]: a closed population.
  double infant_mortality = 0, child_mortality = 0, women_mortality = 0;
  //! Net migration a year per 1000 households (0 when the profile has no [migration]):
  //! below 0 households leave, above 0 households like the residents arrive.
  double net_migration_per_1000 = 0;
};

//! The uncertain parameters the engine knows, and what they do.
inline constexpr const char* PARAMETER_BIRTH_RESPONSE = "birth_response";    //!< β of models/behaviour.h
inline constexpr const char* PARAMETER_FERTILITY_LEVEL = "fertility_level";  //!< multiplies every birth probability
inline constexpr const char* PARAMETER_CHILDCARE_DEMAND = "childcare_demand_level";  //!< multiplies childcare demand
inline constexpr const char* PARAMETER_FERTILITY_TREND =
    "fertility_trend";  //!< yearly change of birth probabilities after the first year
inline constexpr const char* PARAMETER_CHILDCARE_PRICE_ELASTICITY =
    "childcare_price_elasticity";  //!< ε of models/childcare_demand.h

//! An uncertain parameter of a scenario.
struct UncertainParameter {
  std::string name;
  Distribution distribution;
  std::string source;
};

//! A scenario, ready to run.
struct Scenario {
  std::string id;
  std::string title;
  std::filesystem::path file;
  int start_year = 0;
  int end_year = 0;  //!< inclusive
  int replications = 0;
  std::uint32_t seed = 0;
  std::int64_t sample = 1;          //!< simulate 1 household in `sample` (weight `sample`)
  //! A persons file to load instead of generating the population (scenarios/MICRODATA.md),
  //! each household in it standing for `persons_weight`.
  std::filesystem::path persons_file;
  std::int64_t persons_weight = 1;
  //! Birth probabilities to use as they are instead of calibrating the profile's.
  std::optional<FertilityTable> fertility_table;
  std::filesystem::path fertility_table_file;
  std::vector<Jurisdiction> chain;  //!< China first, the simulated place last
  PlaceProfile profile;
  std::vector<Measure> measures;
  std::vector<std::string> packages;  //!< package ids applied
  //! Every parameter the engine knows, drawn per replication; fixed at its default
  //! (response 0, levels 1) unless the scenario's [uncertainty] says otherwise.
  std::vector<UncertainParameter> uncertainty;
  //! Every file the scenario composes, each under a header line naming it.
  std::string resolved_text;

  int years() const { return end_year - start_year + 1; }
  const Jurisdiction& place() const { return chain.back(); }
  //! The jurisdiction of the chain at a level, if any.
  const Jurisdiction* at_level(Payer level) const;
};

//! Reads and validates a scenario file and everything it composes.
//! Throws ScenarioError on any bad input.
Scenario load_scenario(const std::filesystem::path& file);

//! Reads a jurisdiction file alone (for listings). Throws ScenarioError.
Jurisdiction load_jurisdiction(const std::filesystem::path& file);

//! What a package file holds, for listings.
struct PackageInfo {
  std::string id, title, document, issued_by;
  std::vector<std::pair<std::string, std::string>> measures;  //!< (id, kind)
};

//! Reads a package file's header and measure ids without resolving payers.
//! Throws ScenarioError.
PackageInfo describe_package(const std::filesystem::path& file);

}  // namespace cradle
