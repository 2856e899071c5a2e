// Uncertain parameters: each replication draws its own value of each, from its own
// stream, so that the spread over replications carries parameter uncertainty as well
// as chance.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cradle {

//! A distribution a parameter is drawn from.
struct Distribution {
  enum class Kind : std::uint8_t { fixed, uniform, triangular, truncated_normal, lognormal };
  Kind kind = Kind::fixed;
  double a = 0;                       //!< fixed: value; uniform, triangular: low; normal: mean; lognormal: median
  double b = 0;                       //!< uniform, triangular: high; normal: sd; lognormal: sd of the log
  double c = 0;                       //!< triangular: mode
  double low = -1e300, high = 1e300;  //!< truncation (normal), bounds of all kinds

  //! The value at quantile u in (0, 1): a draw when u is uniform.
  double quantile(double u) const;
  //! The centre: fixed value, mean of uniform and triangular, mean of the normal, median of the lognormal.
  double centre() const;
};

//! Names a distribution kind as written in scenario files.
std::string_view distribution_name(Distribution::Kind kind);

//! The uncertain parameters the engine knows.
enum class ParameterId : std::uint8_t {
  birth_response,
  fertility_level,
  fertility_trend,
  childcare_demand_level,
  childcare_price_elasticity,
};

//! One uncertain parameter: its name in scenario files and results, its unit, where it
//! acts, and its neutral distribution (used when a scenario does not draw it: fixed at
//! the value that leaves the model as if the parameter did not exist).
struct ParameterInfo {
  ParameterId id;
  std::string_view name;
  std::string_view unit;
  std::string_view acts_on;
  Distribution neutral;
};

//! The table of uncertain parameters, in the order a scenario lists them (and the
//! results file writes them).
inline constexpr std::array<ParameterInfo, 5> UNCERTAIN_PARAMETERS{{
    {ParameterId::birth_response, "birth_response", "% more births for 10,000 yuan a birth",
     "r of the birth response, β = r/100 · Ī / 10,000: hazard × (1 + β·V/I) / (1 + β·V0/I), models/behaviour.h",
     Distribution{}},
    {ParameterId::fertility_level, "fertility_level", "multiplier",
     "multiplies every birth probability, models/README.md (fertility)", Distribution{Distribution::Kind::fixed, 1.0}},
    {ParameterId::fertility_trend, "fertility_trend", "change a year",
     "birth probabilities × (1 + trend)^t in the t-th year after the first, models/README.md (fertility)",
     Distribution{}},
    {ParameterId::childcare_demand_level, "childcare_demand_level", "multiplier",
     "L of the childcare demand p = min(1, p_a · L · e_E · (P_net / P)^ε), models/childcare_demand.h",
     Distribution{Distribution::Kind::fixed, 1.0}},
    {ParameterId::childcare_price_elasticity, "childcare_price_elasticity", "1",
     "ε of the childcare demand p = min(1, p_a · L · e_E · (P_net / P)^ε), models/childcare_demand.h", Distribution{}},
}};

//! The table of uncertain parameters, in the order a scenario lists them.
inline std::span<const ParameterInfo> uncertain_parameters() { return UNCERTAIN_PARAMETERS; }

//! The entry of a parameter in the table (its row is its id).
constexpr const ParameterInfo& parameter_info(ParameterId id) {
  return UNCERTAIN_PARAMETERS[static_cast<std::size_t>(id)];
}

static_assert(
    [] {
      for (std::size_t i = 0; i < UNCERTAIN_PARAMETERS.size(); ++i) {
        if (static_cast<std::size_t>(UNCERTAIN_PARAMETERS[i].id) != i) return false;
      }
      return true;
    }(),
    "UNCERTAIN_PARAMETERS lists the parameters in ParameterId order");

//! The parameter of a name as written in scenario files, if the engine knows it.
std::optional<ParameterId> parse_parameter(std::string_view name);

}  // namespace cradle
