// The fitted households and the childcare demand model: margins, associations, and the
// demand's response to employment and price.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/childcare_demand.h"
#include "sim/population/household_fit.h"
#include "sim/population/population.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::default_population;
using cradle::testing::default_scenario;

namespace {

//! |generated share - target| within 1 % of the target (or 1e-4 absolute for tiny shares).
void require_within_1_percent(double generated, double target, const std::string& what) {
  INFO(what << ": generated " << generated << ", target " << target);
  REQUIRE(std::fabs(generated - target) <= std::max(0.01 * target, 1e-4));
}

}  // namespace

TEST_CASE("IPF: the fitted table has the target margins and keeps the seed's odds ratios", "[households]") {
  HouseholdMargins m;
  m.size = {0.25, 0.30, 0.21, 0.13, 0.07, 0.04};
  m.income_band = {0.1, 0.2, 0.3, 0.4};
  m.employment = {0.6, 0.3, 0.1};
  m.tenure = {0.7, 0.3};
  m.local = 0.8;
  m.nonlocal_renter_odds = 4.0;
  m.income_employment_odds = 3.0;
  const HouseholdTable t = fit_households(m);
  REQUIRE(t.max_margin_error() < 1e-10);
  double total = 0;
  for (std::size_t c = 0; c < t.cells(); ++c) total += t.share(c);
  REQUIRE(total == Approx(1.0).epsilon(1e-12));
  // Within any (size, band, employment) slice, the odds of renting are 4 times higher
  // without local registration.
  for (std::size_t size = 1; size <= HOUSEHOLD_SIZES; ++size) {
    for (std::size_t band = 0; band < t.bands(); ++band) {
      for (std::size_t e = 0; e < EMPLOYMENT_CLASSES; ++e) {
        const double nonlocal_odds = t.share(t.cell(size, band, e, 1, 0)) / t.share(t.cell(size, band, e, 0, 0));
        const double local_odds = t.share(t.cell(size, band, e, 1, 1)) / t.share(t.cell(size, band, e, 0, 1));
        REQUIRE(nonlocal_odds / local_odds == Approx(4.0).epsilon(1e-9));
        // Both parents employed vs one: odds rise by 3^(1/3) per band.
        if (band > 0) {
          const double odds = t.share(t.cell(size, band, 0, 0, 1)) / t.share(t.cell(size, band, 1, 0, 1));
          const double odds_below = t.share(t.cell(size, band - 1, 0, 0, 1)) / t.share(t.cell(size, band - 1, 1, 0, 1));
          REQUIRE(odds / odds_below == Approx(std::cbrt(3.0)).epsilon(1e-9));
        }
      }
    }
  }
  // Every type round-trips through its cell.
  for (std::size_t c = 0; c < t.cells(); ++c) {
    const auto ty = t.type(c);
    REQUIRE(t.cell(ty.size, ty.band, ty.employment, ty.tenure, ty.local) == c);
  }
  // Bad margins are refused.
  HouseholdMargins bad = m;
  bad.tenure = {0.7, 0.4};
  REQUIRE_THROWS_AS(fit_households(bad), std::invalid_argument);
  bad = m;
  bad.income_band.clear();
  REQUIRE_THROWS_AS(fit_households(bad), std::invalid_argument);
}

TEST_CASE("apportioning by largest remainders: counts sum to n, each within one of its share", "[households]") {
  const std::vector<double> shares = {0.333, 0.333, 0.334};
  for (std::uint32_t n : {0u, 1u, 2u, 7u, 1000u, 99999u}) {
    const auto counts = apportion(shares, n);
    std::uint32_t total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      total += counts[i];
      REQUIRE(std::fabs(static_cast<double>(counts[i]) - shares[i] * n) < 1.0);
    }
    REQUIRE(total == n);
  }
}

TEST_CASE("the generated population matches the profile's margins within 1 %", "[households][population]") {
  const Scenario& s = default_scenario();
  const PlaceProfile& profile = s.profile;
  const BasePopulation& p = default_population();
  const auto n = static_cast<double>(p.households());
  REQUIRE(profile.households.income_band_shares.size() == 5);  // the default profile has a detailed income table

  std::vector<double> size(HOUSEHOLD_SIZES), band(profile.households.income_band_shares.size()),
      employment(EMPLOYMENT_CLASSES), tenure(TENURE_CLASSES);
  double local = 0, special = 0, priority = 0;
  for (std::size_t h = 0; h < p.households(); ++h) {
    size[p.household_size[h] - 1u] += 1 / n;
    band[p.household_income_band[h]] += 1 / n;
    employment[p.household_employment[h]] += 1 / n;
    tenure[p.household_tenure[h]] += 1 / n;
    local += (p.household_flags[h] & FLAG_LOCAL_RESIDENT) ? 1 / n : 0;
    special += (p.household_flags[h] & FLAG_SPECIAL_FAMILY) ? 1 / n : 0;
    priority += (p.household_flags[h] & FLAG_PRIORITY_GROUP) ? 1 / n : 0;
  }
  for (std::size_t k = 0; k < size.size(); ++k)
    require_within_1_percent(size[k], profile.household_size_shares[k], "household size " + std::to_string(k + 1));
  for (std::size_t k = 0; k < band.size(); ++k)
    require_within_1_percent(band[k], profile.households.income_band_shares[k], "income band " + std::to_string(k));
  for (std::size_t k = 0; k < employment.size(); ++k)
    require_within_1_percent(employment[k], profile.households.employment_shares[k], "employment " + std::to_string(k));
  for (std::size_t k = 0; k < tenure.size(); ++k)
    require_within_1_percent(tenure[k], profile.households.tenure_shares[k], "tenure " + std::to_string(k));
  require_within_1_percent(local, profile.local_residency_share, "local registration");
  require_within_1_percent(special, profile.special_family_share, "special families");
  require_within_1_percent(priority, profile.households.priority_group_share, "priority groups");
  REQUIRE(priority > 0);

  // Women by group of completed age on 1 January of the first year, per 1000 persons (the
  // group 5-9 from her record's youngest age).
  std::vector<double> women_by_group(LAST_WOMAN_GROUP + 1);
  // Parity at the start of the burn-in: today's parity less the children born since.
  std::vector<int> born_in_burn_in(p.women());
  for (std::size_t c = 0; c < p.children(); ++c) born_in_burn_in[p.child_mother[c]]++;
  std::vector<std::array<double, PROFILE_PARITIES>> parity_then(FERTILE_AGE_GROUPS);
  std::vector<double> women_then(FERTILE_AGE_GROUPS);
  for (std::size_t w = 0; w < p.women(); ++w) {
    const int age = s.start_year - p.woman_birth_year[w];
    if (age >= YOUNGEST_WOMAN_AGE) women_by_group[static_cast<std::size_t>((age - 1) / 5)] += 1;
    const int age_then = age - BURN_IN_YEARS;
    if (age_then >= 15 && age_then <= 49) {
      const auto g = static_cast<std::size_t>((age_then - 15) / 5);
      const int k = std::min(p.woman_parity[w] - born_in_burn_in[w], PROFILE_PARITIES - 1);
      REQUIRE(k >= 0);
      parity_then[g][static_cast<std::size_t>(k)] += 1;
      women_then[g] += 1;
    }
  }
  for (int g = FIRST_WOMAN_GROUP; g <= LAST_WOMAN_GROUP; ++g) {
    const double width = g == FIRST_WOMAN_GROUP ? (10.0 - (YOUNGEST_WOMAN_AGE - 1)) / 5.0 : 1.0;
    require_within_1_percent(women_by_group[static_cast<std::size_t>(g)] * 1000.0 / profile.persons,
                             profile.residents_per_1000[static_cast<std::size_t>(Sex::female)][static_cast<std::size_t>(g)] * width,
                             "women per 1000, age group " + std::to_string(g));
  }
  // (Women aged 45-49 then are over 49 now, and not generated.)
  REQUIRE(women_then[FERTILE_AGE_GROUPS - 1] == 0);
  for (std::size_t g = 0; g + 1 < FERTILE_AGE_GROUPS; ++g) {
    REQUIRE(women_then[g] > 1000);
    for (std::size_t k = 0; k < PROFILE_PARITIES; ++k) {
      require_within_1_percent(parity_then[g][k] / women_then[g], profile.parity_shares[g][k],
                               "parity " + std::to_string(k) + " in age group " + std::to_string(g));
    }
  }
  // Households' types are dealt by the seed: another seed, another dealing.
  const BasePopulation q = generate_population(profile, s.start_year, s.seed + 1, 0.2);
  const BasePopulation r = generate_population(profile, s.start_year, s.seed, 0.2);
  REQUIRE(q.household_income_band != r.household_income_band);
  REQUIRE(r.household_income_band == generate_population(profile, s.start_year, s.seed, 0.2).household_income_band);
}

TEST_CASE("profiles without a households table fall back to neutral defaults", "[households][scenario]") {
  cradle::testing::ScenarioCopy c;
  const std::string text = cradle::testing::read_file(c.path("jurisdictions/xihu.toml"));
  const auto at = text.find("\n[households]");
  REQUIRE(at != std::string::npos);
  const auto next = text.find("\n[", at + 1);
  c.write("jurisdictions/xihu.toml", text.substr(0, at) + (next == std::string::npos ? "" : text.substr(next)));
  const Scenario s = load_scenario(c.path("xihu_current.toml"));
  REQUIRE(s.profile.households.tenure_shares == std::array<double, 2>{0.8, 0.2});
  REQUIRE(s.profile.households.nonlocal_renter_odds == 1.0);
  // The demand and purchase factors are scaled to a mean of 1 over the (default) shares.
  double mean = 0;
  for (std::size_t e = 0; e < 3; ++e)
    mean += s.profile.households.childcare_demand_by_employment[e] * s.profile.households.employment_shares[e];
  REQUIRE(mean == Approx(1.0));
}

TEST_CASE("childcare demand: the net price ratio is what the fee reductions take off", "[households][childcare]") {
  ChildcareProfile cc;
  cc.enrolment_by_age = {0.1, 0.2, 0.3};
  cc.provider_shares = {0.5, 0.5, 0.0};
  cc.fees = {100000, 150000, 200000};  // 1,000 and 1,500 yuan a month
  Measure m;
  m.id = "cut";
  m.kind = MeasureKind::fee_reduction;
  m.basis = Basis::enrolled_month;
  m.eligibility.service = Service::childcare;
  m.eligibility.birth_orders = 0b110;  // second and later children
  m.eligibility.local_residents_only = true;
  m.eligibility.max_age_months = 36;
  Phase ph;
  ph.fen_per_unit = 10000;  // 100 yuan a month
  m.phases = {ph};
  m.take_up = 0.5;
  const std::vector<Measure> ms{m};
  // Expected fee 1,250 a month; the reduction 100 × take-up 0.5 = 50.
  REQUIRE(childcare_net_price_ratio(ms, cc, 2026, 2, true, 1) == Approx(1.0 - 50.0 / 1250.0));
  REQUIRE(childcare_net_price_ratio(ms, cc, 2026, 1, true, 1) == 1.0);   // first child: not eligible
  REQUIRE(childcare_net_price_ratio(ms, cc, 2026, 3, false, 1) == 1.0);  // not registered locally

  const NetPriceRatios ratios = net_price_ratios(ms, cc, 2026);
  const std::array<double, 3> employment{1.5, 0.5, 0.25};
  const ChildcareDemandYear none = childcare_demand(cc, employment, ratios, 1.0, 0.0);
  const ChildcareDemandYear elastic = childcare_demand(cc, employment, ratios, 1.0, -0.5);
  // No elasticity: the profile's share times the employment factor, whatever the price.
  REQUIRE(none.at(0, 2, true)[2] == none.at(0, 1, true)[2]);
  REQUIRE(static_cast<double>(none.at(0, 1, true)[2]) == Approx(std::ldexp(0.3 * 1.5, 64)));
  REQUIRE(static_cast<double>(none.at(2, 1, true)[2]) == Approx(std::ldexp(0.3 * 0.25, 64)));
  // With elasticity -0.5, a 4 % cheaper place raises demand by 0.96^-0.5.
  REQUIRE(static_cast<double>(elastic.at(0, 2, true)[1]) == Approx(std::ldexp(0.2 * 1.5 * std::pow(0.96, -0.5), 64)));
  REQUIRE(elastic.at(0, 1, true)[1] == none.at(0, 1, true)[1]);
  // Demand is capped at certainty.
  const ChildcareDemandYear huge = childcare_demand(cc, employment, ratios, 10.0, 0.0);
  REQUIRE(huge.at(0, 1, true)[2] == ~std::uint64_t{0});
}
