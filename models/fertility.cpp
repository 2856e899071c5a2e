#include "models/fertility.h"

#include <stdexcept>
#include <string>

#include "models/probability.h"

namespace cradle {

namespace {
double age_shape(const FertilityProfile& profile, int age) {
  if (age < MIN_FERTILE_AGE || age > MAX_FERTILE_AGE) return 0.0;
  return profile.age_pattern[static_cast<std::size_t>((age - MIN_FERTILE_AGE) / 5)] / 1000.0;
}

//! The table whose expected births are `target_births` for the women's `exposure`, Σ f(age)
//! by parity class.
FertilityTable calibrate_exposure(const FertilityProfile& profile, double target_births,
                                  const std::array<double, PARITY_CLASSES>& exposure, int year) {
  FertilityTable table;
  if (target_births <= 0.0) return table;  // no births: every probability 0
  for (int k = 0; k < PARITY_CLASSES; ++k) {
    const double share = profile.order_shares[static_cast<std::size_t>(k)];
    if (share <= 0.0) continue;
    if (exposure[static_cast<std::size_t>(k)] <= 0.0) {
      throw std::invalid_argument("no fertile women of parity " + std::to_string(k) +
                                  (k + 1 == PARITY_CLASSES ? "+" : "") + " in " + std::to_string(year) +
                                  " to bear births of order " + std::to_string(k + 1));
    }
    const double scale = target_births * share / exposure[static_cast<std::size_t>(k)];
    for (int age = MIN_FERTILE_AGE; age <= MAX_FERTILE_AGE; ++age) {
      const double p = scale * age_shape(profile, age);
      if (p > MAX_BIRTH_PROBABILITY) {
        throw std::invalid_argument("calibrated birth probability " + std::to_string(p) + " at age " +
                                    std::to_string(age) + ", parity " + std::to_string(k) + " exceeds " +
                                    std::to_string(MAX_BIRTH_PROBABILITY) +
                                    ": births are too many for the women of the profile");
      }
      auto& cell_p = table.probability[static_cast<std::size_t>(age)][static_cast<std::size_t>(k)];
      cell_p = p;
      table.threshold[static_cast<std::size_t>(age)][static_cast<std::size_t>(k)] = probability_threshold(p);
    }
  }
  return table;
}

}  // namespace

FertilityTable calibrate_fertility(const FertilityProfile& profile, double target_births,
                                   std::span<const std::int16_t> birth_years, std::span<const std::uint8_t> parity,
                                   int year) {
  std::array<double, PARITY_CLASSES> exposure{};  // Σ f(age) by parity class
  for (std::size_t i = 0; i < birth_years.size(); ++i) {
    exposure[static_cast<std::size_t>(parity_class(parity[i]))] += age_shape(profile, year - birth_years[i]);
  }
  return calibrate_exposure(profile, target_births, exposure, year);
}

FertilityTable calibrate_fertility(const FertilityProfile& profile, double target_births, const WomenByAgeParity& women,
                                   int year) {
  std::array<double, PARITY_CLASSES> exposure{};
  for (int age = MIN_FERTILE_AGE; age <= MAX_FERTILE_AGE; ++age) {
    for (int k = 0; k < PARITY_CLASSES; ++k) {
      exposure[static_cast<std::size_t>(k)] +=
          static_cast<double>(women[static_cast<std::size_t>(age)][static_cast<std::size_t>(k)]) *
          age_shape(profile, age);
    }
  }
  return calibrate_exposure(profile, target_births, exposure, year);
}

double expected_births(const FertilityTable& table, std::span<const std::int16_t> birth_years,
                       std::span<const std::uint8_t> parity, int year) {
  double sum = 0.0;
  for (std::size_t i = 0; i < birth_years.size(); ++i) sum += table.p(year - birth_years[i], parity[i]);
  return sum;
}

}  // namespace cradle
