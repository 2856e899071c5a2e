// The scenario: everything a run needs to know, parsed once from TOML files and
// validated, then immutable. A scenario names the place it simulates (a jurisdiction,
// whose chain of parents reaches China) and the packages of measures it applies; a
// scenario may start from another (`base`) and state only what differs.
// The place's calibration is sim/input/profile.h; bad input throws ScenarioError
// (sim/input/error.h), naming file, line, column and field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/fertility.h"
#include "models/funding.h"
#include "models/measures/measure.h"
#include "models/uncertainty.h"
#include "sim/input/error.h"
#include "sim/input/estimate.h"
#include "sim/input/profile.h"
#include "sim/input/shipped.h"  // shipped_scenarios_dir, default_scenario_path: callers of load_scenario use them

namespace cradle {

//! Names of the uncertain parameters, for code that names one (the table with their
//! units and roles is UNCERTAIN_PARAMETERS in models/uncertainty.h).
inline constexpr const char* PARAMETER_BIRTH_RESPONSE = parameter_info(ParameterId::birth_response).name.data();
inline constexpr const char* PARAMETER_FERTILITY_LEVEL = parameter_info(ParameterId::fertility_level).name.data();
inline constexpr const char* PARAMETER_CHILDCARE_DEMAND =
    parameter_info(ParameterId::childcare_demand_level).name.data();
inline constexpr const char* PARAMETER_FERTILITY_TREND = parameter_info(ParameterId::fertility_trend).name.data();
inline constexpr const char* PARAMETER_CHILDCARE_PRICE_ELASTICITY =
    parameter_info(ParameterId::childcare_price_elasticity).name.data();

//! An uncertain parameter of a scenario.
struct UncertainParameter {
  ParameterId id = ParameterId::birth_response;
  std::string name;  //!< as in the table (uncertain_parameters()); keys its random stream
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
  std::int64_t sample = 1;  //!< simulate 1 household in `sample` (weight `sample`)
  //! Consecutive replications that run on one generated base population (1: each its own;
  //! [scenario] replications_per_population, or `cradle run --replications-per-population`):
  //! see RunOptions (sim/engine/trace.h).
  int replications_per_population = 1;
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
  //! Every parameter the engine knows, in the table's order (uncertain_parameters()),
  //! drawn per replication; fixed at its neutral value (response 0, levels 1, trend 0,
  //! elasticity 0) unless the scenario's [uncertainty] says otherwise.
  std::vector<UncertainParameter> uncertainty;
  //! Every figure tagged "E" with a range that its files give (sim/input/estimate.h), in
  //! reading order (jurisdictions from the simulated place up, then packages), keys unique.
  std::vector<Estimate> estimates;
  //! The estimates drawn per replication (indices into `estimates`, ascending): what
  //! [uncertainty] estimates says, or all after draw_all_estimates. Drawn values come after
  //! the uncertain parameters in the results' parameters (sim/input/estimate_draws.h).
  std::vector<std::size_t> drawn_estimates;
  //! Every file the scenario composes, each under a header line naming it.
  std::string resolved_text;

  int years() const { return end_year - start_year + 1; }
  const Jurisdiction& place() const { return chain.back(); }
  //! The jurisdiction of the chain at a level, if any.
  const Jurisdiction* at_level(Payer level) const;
};

//! Reads and validates a scenario file and everything it composes. The paths a file names
//! (base, packages, persons, fertility_table, jurisdictions/<id>.toml) are relative to it,
//! else among the shipped scenarios (shipped.h: named_file_places). Throws ScenarioError on
//! any bad input, naming every place a missing file was looked for.
Scenario load_scenario(const std::filesystem::path& file);

//! The scenario as if each estimate named in `overrides` had that value instead of the
//! written one: the files are read again with every check. Throws ScenarioError.
Scenario load_scenario(const std::filesystem::path& file, const EstimateOverrides& overrides);

//! Makes the scenario draw every one of its estimates (the command line's `--uncertain estimates`).
void draw_all_estimates(Scenario& scenario);

//! Why the scenario cannot run more than one replication per population as it asks: with a
//! persons file (already one population for all) or drawn estimates (each replication's drawn
//! profile builds its own); "" when it can (or asks for 1).
std::string population_sharing_problem(const Scenario& scenario);

//! Throws ScenarioError naming the scenario's file and `field` (what set the replications per
//! population, or drew the estimates) with population_sharing_problem's reason, if any.
void check_population_sharing(const Scenario& scenario, const std::string& field);

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
