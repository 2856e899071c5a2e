// Honest bands: every source of randomness is in the spread over replications, so the
// standard error a run reports matches how much its mean moves from seed to seed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "output/summary.h"
#include "sim/engine/engine.h"
#include "sim/population/population.h"
#include "sim/random/rng.h"

using namespace cradle;

namespace {

struct SeedRun {
  std::vector<double> mean, se;  //!< [quantity × year], then the burn-in's births
};

//! How a run groups its replications on populations, and how its SE is computed.
struct Design {
  int per_population = 1;    //!< replications per base population (RunOptions)
  std::size_t clusters = 1;  //!< the SE's clusters (summarise): per_population when honest
};

//! One run's mean and reported standard error, per year, of the three quantities.
SeedRun run_seed(Scenario s, std::uint32_t seed, std::int64_t sample, int replications, Design design) {
  s.seed = seed;
  RunOptions options{replications, seed};
  options.replications_per_population = design.per_population;
  const ScenarioResults r = simulate(s, replication_populations(s, sample), options);
  const std::size_t R = static_cast<std::size_t>(replications);
  SeedRun out;
  const std::vector<std::function<double(std::size_t, std::size_t)>> quantities{
      [&](std::size_t rep, std::size_t y) {  // budget outlay, fen
        double fen = 0;
        for (std::size_t m = 0; m < r.n_measures(); ++m) {
          for (std::size_t p = 0; p < r.n_payers(); ++p) fen += static_cast<double>(r.outlay_fen[r.outlay_index(rep, y, m, p)]);
        }
        return fen;
      },
      [&](std::size_t rep, std::size_t y) {
        double n = 0;
        for (std::size_t k = 0; k < 3; ++k) n += static_cast<double>(r.births[r.births_index(rep, y, k)]);
        return n;
      },
      [&](std::size_t rep, std::size_t y) { return static_cast<double>(r.child_months_under3[r.year_index(rep, y)]); },
  };
  for (const auto& q : quantities) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      std::vector<double> sample_values;
      for (std::size_t rep = 0; rep < R; ++rep) sample_values.push_back(q(rep, y));
      const Summary sm = summarise(sample_values, {}, design.clusters);
      out.mean.push_back(sm.mean);
      out.se.push_back(sm.se);
    }
  }
  // The burn-in's births, which the base population alone decides.
  std::vector<double> burn_in(R, 0.0);
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (std::size_t b = 0; b < r.burn_in_years; ++b)
      burn_in[rep] += static_cast<double>(r.burn_in_births[rep * r.burn_in_years + b]);
  }
  const Summary sm = summarise(burn_in, {}, design.clusters);
  out.mean.push_back(sm.mean);
  out.se.push_back(sm.se);
  return out;
}

//! For each quantity-year: the spread of the run means over seeds / the mean reported SE.
std::vector<double> se_ratios(const Scenario& s, std::int64_t sample, int seeds, int replications, Design design = {}) {
  std::vector<SeedRun> runs;
  for (int i = 0; i < seeds; ++i) {
    runs.push_back(run_seed(s, 1000u + static_cast<std::uint32_t>(i), sample, replications, design));
  }
  std::vector<double> ratios;
  for (std::size_t j = 0; j < runs[0].mean.size(); ++j) {
    std::vector<double> means, ses;
    for (const SeedRun& r : runs) {
      means.push_back(r.mean[j]);
      ses.push_back(r.se[j]);
    }
    ratios.push_back(summarise(means, {}).sd / summarise(ses, {}).mean);
  }
  return ratios;
}

void check_ratios(const std::vector<double>& ratios, std::size_t years) {
  WARN("spread of the means / reported SE: from " << *std::min_element(ratios.begin(), ratios.end()) << " to "
                                                   << *std::max_element(ratios.begin(), ratios.end()));
  const char* names[] = {"budget outlay", "births", "children under 3 (months)", "the burn-in's births"};
  for (std::size_t j = 0; j < ratios.size(); ++j) {
    INFO(names[j / years] << ", year " << j % years << ": spread of the means / reported SE = " << ratios[j]);
    CHECK(ratios[j] >= 0.6);
    CHECK(ratios[j] <= 1.6);
  }
}

}  // namespace

TEST_CASE("honest bands: across 20 seeds the run means move as their reported standard errors say",
          "[statistical][bands]") {
  const Scenario s = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  SECTION("the whole place") { check_ratios(se_ratios(s, 1, 20, 6), static_cast<std::size_t>(s.years())); }
  SECTION("a 1-in-20 sample") { check_ratios(se_ratios(s, 20, 20, 6), static_cast<std::size_t>(s.years())); }
}

TEST_CASE("honest bands with shared populations: the cluster-robust SE follows the means across 20 seeds",
          "[statistical][bands]") {
  // Groups of 4 replications on one 1-in-20 sample, 5 groups a run: the sample's own
  // randomness is shared within a group, so only an SE over the groups is honest.
  const Scenario s = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  const auto years = static_cast<std::size_t>(s.years());
  check_ratios(se_ratios(s, 20, 20, 20, Design{4, 4}), years);
  // The burn-in's births are the population's alone: an SE that took the 20 replications
  // for independent would understate their spread by about √4.
  const std::vector<double> naive = se_ratios(s, 20, 20, 20, Design{4, 1});
  WARN("naive SE: the burn-in's births move " << naive.back() << " times the SE it reports");
  CHECK(naive.back() > 1.5);
}

TEST_CASE("expected_band_coverage: the closed form at its edges and its errors", "[bands]") {
  REQUIRE(expected_band_coverage(1, 0.05, 0.95) == 0.0);  // one draw: a band of no width
  REQUIRE(expected_band_coverage(2, 0.05, 0.95) == Approx(0.3));
  REQUIRE(expected_band_coverage(8, 0.05, 0.95) == Approx(0.7));
  REQUIRE(expected_band_coverage(1000, 0.05, 0.95) == Approx(0.9 * 999 / 1001));  // near 90 % at last
  REQUIRE_THROWS(expected_band_coverage(0, 0.05, 0.95));
  REQUIRE_THROWS(expected_band_coverage(8, 0.95, 0.05));
  REQUIRE_THROWS(expected_band_coverage(8, -0.1, 0.95));
}

TEST_CASE("a 5 %-95 % band of n draws holds the share of further draws expected_band_coverage gives",
          "[bands][statistical]") {
  // Trials of n + 1 independent draws: whether the last lies within the type-7 band
  // (quantile(), as every printed band) of the first n. Exact for uniform draws (within 4
  // standard errors of the trials), about right for a skewed distribution.
  constexpr std::size_t TRIALS = 40000;
  for (const std::size_t n : {std::size_t{2}, std::size_t{5}, std::size_t{8}, std::size_t{19}}) {
    for (const bool skewed : {false, true}) {
      INFO(n << " draws, " << (skewed ? "exponential" : "uniform"));
      std::size_t held = 0;
      std::vector<double> draws(n);
      for (std::size_t t = 0; t < TRIALS; ++t) {
        KeyedStream stream(2026, static_cast<std::uint32_t>(n),
                           StreamKey{static_cast<std::uint32_t>(t), skewed, 0, stream::BIRTH});
        auto draw = [&] {
          const double u = stream.uniform();
          return skewed ? -std::log1p(-u) : u;
        };
        for (double& d : draws) d = draw();
        const double further = draw();
        held += quantile(draws, 0.05) <= further && further <= quantile(draws, 0.95);
      }
      const double expected = expected_band_coverage(n, 0.05, 0.95);
      const double share = static_cast<double>(held) / TRIALS;
      const double se = std::sqrt(expected * (1 - expected) / TRIALS);
      REQUIRE(std::abs(share - expected) < (skewed ? 0.02 : 0.0) + 4 * se);
    }
  }
}
