#include "output/validation.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>

#include "output/summary.h"
#include "output/variables.h"

namespace cradle {
namespace {

//! The one-sided normal quantile of a central 90 % band.
constexpr double Z_90 = 1.6448536269514722;

std::optional<std::size_t> year_at(const ScenarioResults& s, int year) {
  const auto it = std::find(s.years.begin(), s.years.end(), year);
  if (it == s.years.end()) return std::nullopt;
  return static_cast<std::size_t>(it - s.years.begin());
}

//! The replications' values of a quantity in year y.
std::vector<double> sample_of(const ScenarioResults& s, const std::string& quantity, std::size_t y) {
  const auto R = static_cast<std::size_t>(s.replications);
  std::vector<double> sample(R, 0.0);
  for (std::size_t r = 0; r < R; ++r) {
    if (quantity == "births") {
      for (std::size_t k = 0; k < static_cast<std::size_t>(s.birth_orders); ++k) {
        sample[r] += static_cast<double>(s.births[s.births_index(r, y, k)]);
      }
    } else if (quantity == "deaths") {
      sample[r] = static_cast<double>(s.deaths[s.year_index(r, y)]);
    } else {
      sample[r] = static_cast<double>(s.population[s.year_index(r, y)]);
    }
  }
  return sample;
}

//! The row of an observation within the simulated years, or none.
std::optional<ValidationRow> simulated_row(const ScenarioResults& s, const Observation& o) {
  // Population is counted at the end of the year, the simulation's at the start of the next;
  // the first year's residents are the profile's input, not a result, so they are not checked.
  const bool population = o.quantity == "population";
  const std::optional<std::size_t> y = year_at(s, population ? o.year + 1 : o.year);
  if (!y || (population && *y == 0) || s.replications < 1) return std::nullopt;
  const std::vector<double> levels = summary_levels();  // 0.05, 0.50, 0.95
  const Summary summary = summarise(sample_of(s, o.quantity, *y), levels);
  const auto at = [&](double level) {
    return summary.quantiles[static_cast<std::size_t>(std::find(levels.begin(), levels.end(), level) - levels.begin())];
  };
  ValidationRow row{o, summary.mean, at(0.05), at(0.95), true, BAND_REPLICATIONS};
  return row;
}

//! The row of past births against the replications' burn-ins, or none.
std::optional<ValidationRow> burn_in_replications_row(const ScenarioResults& s, const Observation& o) {
  const int offset = o.year - s.burn_in_first_year;
  if (offset < 0 || static_cast<std::size_t>(offset) >= s.burn_in_years || s.replications < 1) return std::nullopt;
  std::vector<double> sample;
  for (std::size_t r = 0; r < static_cast<std::size_t>(s.replications); ++r) {
    sample.push_back(static_cast<double>(s.burn_in_births[r * s.burn_in_years + static_cast<std::size_t>(offset)]));
  }
  const std::vector<double> levels = summary_levels();  // 0.05, 0.50, 0.95
  const Summary summary = summarise(sample, levels);
  return ValidationRow{o, summary.mean, summary.quantiles.front(), summary.quantiles.back(), true, BAND_BURN_IN_REPLICATIONS};
}

//! The row of past births against the burn-in of one base population, or none.
std::optional<ValidationRow> burn_in_row(const BaseComposition& base, const Observation& o, std::int64_t weight) {
  if (o.quantity != "births" || o.year < base.first_birth_year) return std::nullopt;
  const auto offset = static_cast<std::size_t>(o.year - base.first_birth_year);
  if (offset >= base.children_by_birth_year.size()) return std::nullopt;
  const double half = Z_90 * std::sqrt(static_cast<double>(std::max<std::int64_t>(weight, 1)) * o.value);
  ValidationRow row{o, static_cast<double>(base.children_by_birth_year[offset]), o.value - half, o.value + half,
                    true, BAND_BURN_IN};
  return row;
}

}  // namespace

std::vector<ValidationRow> validation_table(const ScenarioResults& s, const BaseComposition& base,
                                            std::int64_t sample_weight) {
  std::vector<ValidationRow> rows;
  const int first = s.years.empty() ? 0 : s.years.front();
  for (const Observation& o : s.observations) {
    const bool past_births = o.year < first && o.quantity == "births";
    std::optional<ValidationRow> row = !past_births             ? simulated_row(s, o)
                                       : s.burn_in_births.empty() ? burn_in_row(base, o, sample_weight)
                                                                  : burn_in_replications_row(s, o);
    if (!row) continue;
    // For past births the band is around the observation and the value is tested in it.
    const double tested = row->band == BAND_BURN_IN ? row->simulated_mean : o.value;
    row->inside = tested >= row->low && tested <= row->high;
    rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace cradle
