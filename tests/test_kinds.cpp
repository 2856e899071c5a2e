// Every measure kind on a tiny fixed population whose services are certain (enrolment
// probabilities 1, one provider class each) and which has no births, so that each
// expected cost can be computed by hand.
#include <catch2/catch.hpp>

#include <numeric>

#include "sim/engine/engine.h"

using namespace cradle;

namespace {

constexpr int YEAR = 2025;

Scenario tiny_scenario() {
  Scenario s;
  s.id = "tiny";
  s.title = "tiny";
  s.start_year = YEAR;
  s.end_year = YEAR;
  s.replications = 1;
  s.seed = 1;
  Jurisdiction china{"china", "China", Payer::central, "", std::nullopt, 4e12, 2024, 0.0, {}};
  Jurisdiction province{"jiangxi", "Jiangxi", Payer::province, "china", Region::central, 7e11, 2024, 0.0, {}};
  Jurisdiction county{"xihu", "Xihu", Payer::county, "jiangxi", std::nullopt, 4e9, 2024, 0.0, {}};
  s.chain = {china, province, county};
  PlaceProfile& p = s.profile;
  p.persons = 10000;
  // Every resident a man aged 30-34 and nobody dies: 10,000 planned residents every year.
  p.residents_per_1000[static_cast<std::size_t>(Sex::male)][6] = 1000;
  p.births = 0;  // no births: every cost below is fixed
  p.fertility.age_pattern = {6, 55, 98, 70, 28, 7, 2};
  p.fertility.order_shares = {0.5, 0.4, 0.1};
  p.childcare.enrolment_by_age = {1, 1, 1};
  p.childcare.provider_shares = {1, 0, 0};  // public
  p.childcare.fees = {100000, 120000, 190000};
  p.childcare.slots_per_1000 = 4.0;         // 40 places at the end of 2024 …
  p.childcare.target_slots_per_1000 = 5.0;  // … 50 in 2025: 10 added
  p.childcare.target_year = YEAR;
  p.childcare.renovated_share = 0.5;  // 5 renovated, 5 new
  p.kindergarten.enrolment_rate = 1;
  p.kindergarten.provider_shares = {0, 1, 0};  // inclusive private
  p.kindergarten.fees = {40000, 50000, 120000};
  p.home_purchase_rate = 1;  // every eligible household buys a home
  return s;
}

//! Two households: a woman of parity 2 with a child born March 2024 (order 2), a woman
//! of parity 3 in a special family with a child born May 2021 (order 3), in kindergarten
//! year 1 from September 2024 and year 2 from September 2025.
BasePopulation tiny_population() {
  BasePopulation pop;
  pop.base_year = YEAR;
  pop.persons = 10000;
  pop.household_size = {3, 5};
  pop.household_income_band = {0, 0};
  pop.household_employment = {0, 0};
  pop.household_tenure = {0, 0};
  pop.household_flags = {FLAG_LOCAL_RESIDENT, FLAG_LOCAL_RESIDENT | FLAG_SPECIAL_FAMILY};
  pop.woman_household = {0, 1};
  pop.woman_birth_year = {1995, 1990};
  pop.woman_parity = {2, 3};
  pop.woman_flags = {FLAG_LOCAL_RESIDENT, FLAG_LOCAL_RESIDENT | FLAG_SPECIAL_FAMILY};
  pop.child_household = {0, 1};
  pop.child_birth_month = {month_index(2024, 3), month_index(2021, 5)};
  pop.child_birth_order = {2, 3};
  pop.child_mother = {0, 1};
  pop.child_sex = {0, 0};  // boys
  pop.child_woman = {NO_WOMAN, NO_WOMAN};
  pop.person_household = {0, 1};  // a boy of 10 with the first woman, a man of 40 with the second
  pop.person_birth_year = {2015, 1985};
  pop.person_sex = {0, 0};
  add_migration(pop, 0, 1);  // everyone stays; builds the blocks
  return pop;
}

Measure measure(const std::string& id, MeasureKind kind, Basis basis, Fen fen_per_unit) {
  Measure m;
  m.id = id;
  m.kind = kind;
  m.basis = basis;
  Phase p;
  p.fen_per_unit = fen_per_unit;
  m.phases = {p};
  m.payers.ppm = {0, 0, 0, PPM};
  return m;
}

struct Outcome {
  std::int64_t caseload = 0;
  Fen fen = 0;
};

//! Runs the tiny scenario with one measure and returns its caseload and cost.
Outcome run_one(const Measure& m) {
  Scenario s = tiny_scenario();
  s.measures = {m};
  const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
  Outcome o;
  if (m.ledger() == Ledger::budget) {
    o.caseload = r.caseload[r.caseload_index(0, 0, 0)];
    for (std::size_t p = 0; p < r.n_payers(); ++p) o.fen += r.outlay_fen[r.outlay_index(0, 0, 0, p)];
  } else {
    o.caseload = r.ledger_caseload[r.ledger_index(0, 0, 0)];
    o.fen = r.ledger_fen[r.ledger_index(0, 0, 0)];
  }
  return o;
}

}  // namespace

TEST_CASE("kinds: child_cash pays its amount for each eligible child-month", "[kinds]") {
  const Measure m = measure("cash", MeasureKind::child_cash, Basis::child_month, 30000);
  const Outcome o = run_one(m);
  REQUIRE(o.caseload == 12);  // only the child born March 2024 is under 3
  REQUIRE(o.fen == 12 * 30000);
  // A yearly amount that does not divide into months: 2,000 a year for 12 months is 2,000.
  Measure aid = measure("aid", MeasureKind::child_cash, Basis::child_month, 200000);
  aid.phases[0].per_months = 12;
  aid.eligibility.min_age_months = 36;
  aid.eligibility.max_age_months = 72;
  REQUIRE(run_one(aid).fen == 200000);
}

TEST_CASE("kinds: fee_reduction, fixed, percentage, public fee and special families", "[kinds]") {
  Measure fixed = measure("fixed", MeasureKind::fee_reduction, Basis::enrolled_month, 10000);
  fixed.eligibility.birth_orders = 0b110;
  fixed.eligibility.providers = 1u << static_cast<unsigned>(Provider::public_);
  REQUIRE(run_one(fixed).fen == 12 * 10000);  // 100 yuan × 12 months in public childcare

  Measure percent = measure("percent", MeasureKind::fee_reduction, Basis::enrolled_month, 0);
  percent.eligibility.service = Service::kindergarten;
  percent.phases[0].percent_of_fee_bp = 500;  // 5 % of 500 yuan = 25 yuan
  const Outcome po = run_one(percent);
  REQUIRE(po.caseload == 10);  // January–June and September–December
  REQUIRE(po.fen == 10 * 2500);

  Measure year2 = measure("public_fee", MeasureKind::fee_reduction, Basis::enrolled_month, 0);
  year2.eligibility.service = Service::kindergarten;
  year2.phases[0].public_fee = true;
  year2.phases[0].kindergarten_years = 0b010;  // the second year only: September–December
  const Outcome yo = run_one(year2);
  REQUIRE(yo.caseload == 4);
  REQUIRE(yo.fen == 4 * 40000);  // the public fee, 400 yuan, below the child's 500

  Measure special = measure("special", MeasureKind::fee_reduction, Basis::enrolled_month, 0);
  special.eligibility.service = Service::kindergarten;
  special.eligibility.special_families_only = true;
  special.phases[0].percent_of_fee_bp = 10000;
  REQUIRE(run_one(special).fen == 10 * 50000);
  special.eligibility.service = Service::childcare;  // the special family's child is not in childcare
  REQUIRE(run_one(special).fen == 0);

  Measure capped = measure("capped", MeasureKind::fee_reduction, Basis::enrolled_month, 5000000);
  REQUIRE(run_one(capped).fen == 12 * 100000);  // never more than the fee (1,000 yuan public)
}

TEST_CASE("kinds: fee reductions stacked on one fee never take off more than the fee", "[kinds]") {
  // The kindergarten child pays 500 yuan a month (inclusive private); year 2 runs September–December.
  Measure free = measure("free", MeasureKind::fee_reduction, Basis::enrolled_month, 0);
  free.eligibility.service = Service::kindergarten;
  free.phases[0].percent_of_fee_bp = 10000;
  free.phases[0].kindergarten_years = 0b010;
  Measure five = measure("five", MeasureKind::fee_reduction, Basis::enrolled_month, 0);
  five.eligibility.service = Service::kindergarten;
  five.phases[0].percent_of_fee_bp = 500;
  five.payers.ppm = {0, PPM, 0, 0};  // another payer: a province topping up a national measure
  auto both = [](std::vector<Measure> ms) {
    Scenario s = tiny_scenario();
    s.measures = std::move(ms);
    const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
    std::vector<std::pair<std::int64_t, Fen>> out;
    for (std::size_t m = 0; m < 2; ++m) {
      Fen fen = 0;
      for (std::size_t p = 0; p < r.n_payers(); ++p) fen += r.outlay_fen[r.outlay_index(0, 0, m, p)];
      out.emplace_back(r.caseload[r.caseload_index(0, 0, m)], fen);
    }
    return out;
  };
  // Free first: the 5 % finds nothing left from September, so it pays January–June only.
  const auto a = both({free, five});
  REQUIRE(a[0] == std::pair<std::int64_t, Fen>{4, 4 * 50000});
  REQUIRE(a[1] == std::pair<std::int64_t, Fen>{6, 6 * 2500});
  // The 5 % first: the free year then takes what is left, 475 yuan a month.
  const auto b = both({five, free});
  REQUIRE(b[0] == std::pair<std::int64_t, Fen>{10, 10 * 2500});
  REQUIRE(b[1] == std::pair<std::int64_t, Fen>{4, 4 * 47500});
  // Either way the family's fee is reduced by the same total, never below zero.
  REQUIRE(a[0].second + a[1].second == b[0].second + b[1].second);
  REQUIRE(a[0].second + a[1].second <= 10 * 50000);
  // A reduction not taken up leaves the fee to the next one.
  Measure unclaimed = free;
  unclaimed.take_up = 0;
  const auto c = both({unclaimed, five});
  REQUIRE(c[1] == std::pair<std::int64_t, Fen>{10, 10 * 2500});
}

TEST_CASE("kinds: operating_subsidy pays per enrolled child-month of eligible providers", "[kinds]") {
  Measure m = measure("op", MeasureKind::operating_subsidy, Basis::enrolled_month, 12600);
  m.eligibility.providers = 1u << static_cast<unsigned>(Provider::public_);
  REQUIRE(run_one(m).fen == 12 * 12600);
  m.eligibility.providers = 1u << static_cast<unsigned>(Provider::other);
  REQUIRE(run_one(m).fen == 0);
}

TEST_CASE("kinds: slot_construction pays for places added on the capacity path", "[kinds]") {
  const Outcome n = run_one(measure("new", MeasureKind::slot_construction, Basis::new_slot, 36000));
  const Outcome r = run_one(measure("renovated", MeasureKind::slot_construction, Basis::renovated_slot, 30000));
  REQUIRE(n.caseload == 5);
  REQUIRE(r.caseload == 5);
  REQUIRE(n.fen == 5 * 36000);
  REQUIRE(r.fen == 5 * 30000);
  // Places limited to provider classes: the added places split in the profile's shares.
  Scenario s = tiny_scenario();
  s.profile.childcare.provider_shares = {0.6, 0.4, 0.0};
  Measure public_only = measure("public_new", MeasureKind::slot_construction, Basis::new_slot, 36000);
  public_only.eligibility.providers = 1u << static_cast<unsigned>(Provider::public_);
  Measure inclusive = measure("inclusive_renovated", MeasureKind::slot_construction, Basis::renovated_slot, 30000);
  inclusive.eligibility.providers = 1u << static_cast<unsigned>(Provider::inclusive_private);
  s.measures = {public_only, inclusive};
  const ScenarioResults out = simulate(s, tiny_population(), RunOptions{1, 1});
  REQUIRE(out.caseload[out.caseload_index(0, 0, 0)] == 3);  // 60 % of 5 new places
  REQUIRE(out.caseload[out.caseload_index(0, 0, 1)] == 2);  // 40 % of 5 renovated places
}

TEST_CASE("kinds: in_kind_service per child-month of third children", "[kinds]") {
  Measure m = measure("vaccine", MeasureKind::in_kind_service, Basis::child_month, 450);
  m.eligibility.birth_orders = 0b100;
  m.eligibility.max_age_months = 72;
  const Outcome o = run_one(m);
  REQUIRE(o.caseload == 12);  // the third child, aged 3-4 in 2025
  REQUIRE(o.fen == 12 * 450);
}

TEST_CASE("kinds: event_cash and provident_fund on home purchases of 3-child families", "[kinds]") {
  Measure grant = measure("home", MeasureKind::event_cash, Basis::home_purchase, 2000000);
  grant.eligibility.min_children = 3;
  const Outcome g = run_one(grant);
  REQUIRE(g.caseload == 1);  // the woman of parity 3 buys; the one of parity 2 is not eligible
  REQUIRE(g.fen == 2000000);
  Measure loan = measure("loan", MeasureKind::provident_fund, Basis::home_purchase, 25000000);
  loan.eligibility.min_children = 3;
  const Outcome l = run_one(loan);
  REQUIRE(l.fen == 25000000);
  grant.eligibility.min_children = 2;  // now both households buy
  REQUIRE(run_one(grant).caseload == 2);
}

TEST_CASE("kinds: separate ledgers count like their bases and stay out of the budget", "[kinds]") {
  const Outcome tax = run_one(measure("tax", MeasureKind::tax_expenditure, Basis::child_month, 20000));
  REQUIRE(tax.fen == 12 * 20000);
  // Or over residents of school age: the boys of 4 and 10 among those aged 3-21.
  Measure school = measure("school", MeasureKind::tax_expenditure, Basis::resident_year, 240000);
  school.eligibility.min_age_years = 3;
  school.eligibility.max_age_years = 22;
  const Outcome education = run_one(school);
  REQUIRE(education.caseload == 2);
  REQUIRE(education.fen == 2 * 240000);
  const Outcome ins = run_one(measure("ins", MeasureKind::insurance_fund, Basis::child_month, 1000));
  REQUIRE(ins.fen == 12 * 1000);
  const Outcome leave = run_one(measure("leave", MeasureKind::leave, Basis::child_month, 58300));
  REQUIRE(leave.fen == 12 * 58300);
  Scenario s = tiny_scenario();
  s.measures = {measure("tax", MeasureKind::tax_expenditure, Basis::child_month, 20000)};
  const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
  REQUIRE(r.measures.empty());
  REQUIRE(r.ledger_measures.size() == 1);
  REQUIRE(r.outlay_fen.empty());
}

TEST_CASE("kinds: birth-based measures pay for each eligible birth", "[kinds]") {
  // Births are random; the cost is recounted from the traced births.
  Measure screening = measure("screen", MeasureKind::in_kind_service, Basis::birth, 20000);
  screening.eligibility.birth_orders = 0b110;
  Scenario s = tiny_scenario();
  s.profile.births = 0.5;
  s.profile.fertility.order_shares = {0, 0, 1};  // both women have parity 2 or more
  s.measures = {screening, measure("leave", MeasureKind::leave, Basis::birth, 4200000)};
  BasePopulation pop = tiny_population();
  std::int64_t births_seen = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    SimulationTrace trace;
    const ScenarioResults r = simulate(s, pop, RunOptions{1, seed}, nullptr, &trace);
    const auto eligible = std::count_if(trace.births[0].begin(), trace.births[0].end(),
                                        [](const TracedBirth& b) { return b.order >= 2; });
    births_seen += static_cast<std::int64_t>(trace.births[0].size());
    REQUIRE(r.caseload[r.caseload_index(0, 0, 0)] == eligible);
    REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 0)] == eligible * 20000);
    REQUIRE(r.ledger_fen[r.ledger_index(0, 0, 0)] == static_cast<Fen>(trace.births[0].size()) * 4200000);
  }
  REQUIRE(births_seen > 0);  // the check above was exercised
}

TEST_CASE("kinds: payer shares split each measure exactly", "[kinds][funding]") {
  Measure m = measure("cash", MeasureKind::child_cash, Basis::child_month, 33333);
  m.payers.ppm = {600000, 200000, 0, 200000};
  Scenario s = tiny_scenario();
  s.measures = {m};
  const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
  REQUIRE(r.payers == std::vector<std::string>{"china", "jiangxi", "xihu"});
  Fen total = 0;
  for (std::size_t p = 0; p < r.n_payers(); ++p) total += r.outlay_fen[r.outlay_index(0, 0, 0, p)];
  REQUIRE(total == 12 * 33333);
  // 399,996 fen: 239,997.6 / 79,999.2 / 79,999.2; the leftover fen goes to the largest remainder.
  REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 0)] == 239998);
  REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 1)] == 79999);
  REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 2)] == 79999);
  REQUIRE(r.budget_fen[r.budget_index(0, 0)] == 400000000000000);  // 4e12 yuan in fen
}

TEST_CASE("childcare places are rationed: never above capacity, priority groups first", "[services][capacity]") {
  Scenario s = tiny_scenario();
  s.profile.childcare.slots_per_1000 = 0.1;  // one place for 10,000 residents
  s.profile.childcare.target_slots_per_1000 = 0.1;
  BasePopulation pop = tiny_population();
  // A second child under 3, in the special family's household.
  pop.child_household = {0, 1, 1};
  pop.child_birth_month = {month_index(2024, 3), month_index(2021, 5), month_index(2024, 6)};
  pop.child_birth_order = {2, 3, 4};
  pop.child_mother = {0, 1, 1};
  pop.child_sex = {0, 0, 0};
  pop.child_woman = {NO_WOMAN, NO_WOMAN, NO_WOMAN};
  build_blocks(pop);
  Measure op = measure("op", MeasureKind::operating_subsidy, Basis::enrolled_month, 100);
  s.measures = {op};
  const ScenarioResults r = simulate(s, pop, RunOptions{1, 1});
  REQUIRE(r.childcare_slots[0] == 1);
  REQUIRE(r.childcare_demand_months[0] == 24);    // both want a place all year
  REQUIRE(r.childcare_enrolled_months[0] == 12);  // one place, every month
  REQUIRE(r.caseload[r.caseload_index(0, 0, 0)] == 12);
  // The special family's child is served first: a measure for other families sees nothing.
  Measure others = op;
  others.id = "others";
  others.eligibility.birth_orders = 0b011;  // orders 1 and 2: the first household's child
  s.measures = {others};
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const ScenarioResults q = simulate(s, pop, RunOptions{1, seed});
    REQUIRE(q.caseload[q.caseload_index(0, 0, 0)] == 0);
  }
  // Without priority, the random key decides, but never more than the place.
  pop.woman_flags = {FLAG_LOCAL_RESIDENT, FLAG_LOCAL_RESIDENT};
  pop.household_flags = pop.woman_flags;
  int first_child_served = 0;
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    const ScenarioResults q = simulate(s, pop, RunOptions{1, seed});
    REQUIRE(q.childcare_enrolled_months[0] == 12);
    first_child_served += q.caseload[q.caseload_index(0, 0, 0)] == 12;
  }
  REQUIRE(first_child_served > 5);
  REQUIRE(first_child_served < 35);
  // The groups the documents name (martyrs' and soldiers' children) come first too.
  pop.household_flags = {FLAG_LOCAL_RESIDENT, FLAG_LOCAL_RESIDENT | FLAG_PRIORITY_GROUP};
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const ScenarioResults q = simulate(s, pop, RunOptions{1, seed});
    REQUIRE(q.childcare_enrolled_months[0] == 12);
    REQUIRE(q.caseload[q.caseload_index(0, 0, 0)] == 0);
  }
}

TEST_CASE("kinds: home purchases by exactly so many children, special families excluded", "[kinds]") {
  Measure two = measure("two", MeasureKind::event_cash, Basis::home_purchase, 100);
  two.eligibility.min_children = 2;
  two.eligibility.max_children = 2;
  REQUIRE(run_one(two).caseload == 1);  // the parity-2 household only
  Measure not_special = measure("ns", MeasureKind::event_cash, Basis::home_purchase, 100);
  not_special.eligibility.min_children = 2;
  not_special.eligibility.special_families_excluded = true;
  REQUIRE(run_one(not_special).caseload == 1);  // the parity-3 household is a special family
}

TEST_CASE("kinds: household circumstances of an event: minor children, tenure, income band", "[kinds]") {
  // The first household has two residents under 18 (the child born 2024, the boy of 10),
  // the second one (the child born 2021; the man of 40 is an adult). Both own their home.
  Measure two_minors = measure("two_minors", MeasureKind::event_cash, Basis::home_purchase, 100);
  two_minors.eligibility.min_minor_children = 2;
  REQUIRE(run_one(two_minors).caseload == 1);
  two_minors.eligibility.max_minor_children = 1;
  two_minors.eligibility.min_minor_children = 1;
  REQUIRE(run_one(two_minors).caseload == 1);  // exactly one: the second household
  Measure renters = measure("renters", MeasureKind::event_cash, Basis::home_purchase, 100);
  renters.eligibility.tenures = 0b10;
  REQUIRE(run_one(renters).caseload == 0);
  // The same rules on a measure counted in child-months (both children are under 10).
  Measure cash = measure("cash", MeasureKind::child_cash, Basis::child_month, 100);
  cash.eligibility.max_age_months = 120;
  REQUIRE(run_one(cash).caseload == 24);
  cash.eligibility.min_minor_children = 2;
  REQUIRE(run_one(cash).caseload == 12);  // the first household's child, all year
  cash.eligibility.tenures = 0b10;
  REQUIRE(run_one(cash).caseload == 0);
  Measure low_income = measure("low_income", MeasureKind::event_cash, Basis::birth, 100);
  low_income.eligibility.income_bands = 0b10;  // band 2 only: both households are in band 1
  REQUIRE(run_one(low_income).caseload == 0);
}

TEST_CASE("kinds: counted bases: residents by sex and age, first marriages, fixed programmes", "[kinds]") {
  // Residents in 2025 by attained age: women 30 and 35, boys 1, 4 and 10, a man of 40.
  Measure women_30 = measure("women_30", MeasureKind::in_kind_service, Basis::resident_year, 25000);
  women_30.eligibility.sexes = 0b10;
  women_30.eligibility.min_age_years = 30;
  women_30.eligibility.max_age_years = 35;
  const Outcome w = run_one(women_30);
  REQUIRE(w.caseload == 1);
  REQUIRE(w.fen == 25000);
  Measure boys = measure("boys", MeasureKind::child_cash, Basis::resident_year, 100);
  boys.eligibility.sexes = 0b01;
  boys.eligibility.max_age_years = 18;
  REQUIRE(run_one(boys).caseload == 3);
  // A programme: 200 units a year, in force from July: half of them in 2025.
  Measure trainees = measure("trainees", MeasureKind::fixed_programme, Basis::programme, 50000);
  trainees.units_per_year = 200;
  REQUIRE(run_one(trainees).caseload == 200);
  REQUIRE(run_one(trainees).fen == 200 * 50000);
  trainees.eligibility.valid_from = month_index(YEAR, 7);
  REQUIRE(run_one(trainees).caseload == 100);
  // First marriages at the profile's rates: every woman of 30-39 marries this year.
  Scenario s = tiny_scenario();
  s.profile.first_marriages_per_1000[static_cast<std::size_t>(Sex::female)] = {0, 0, 0, 1000, 1000, 0, 0};
  Measure checks = measure("checks", MeasureKind::in_kind_service, Basis::marriage, 30000);
  s.measures = {checks};
  const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
  REQUIRE(r.caseload[r.caseload_index(0, 0, 0)] == 2);
  REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 0)] == 60000);
  // Take-up is a share of the count, in whole units.
  checks.take_up = 0.5;
  s.measures = {checks};
  REQUIRE(simulate(s, tiny_population(), RunOptions{1, 1}).caseload[0] == 1);
}

TEST_CASE("kinds: caps per person and per household bound what one pays over the run", "[kinds]") {
  Measure cash = measure("cash", MeasureKind::child_cash, Basis::child_month, 30000);
  cash.cap_per_person = 100000;  // 1,000 yuan at most per child
  const Outcome c = run_one(cash);
  REQUIRE(c.caseload == 12);
  REQUIRE(c.fen == 100000);

  Scenario s = tiny_scenario();
  s.end_year = YEAR + 1;  // every household buys a home each year (rate 1)
  Measure grant = measure("grant", MeasureKind::event_cash, Basis::home_purchase, 2000000);
  grant.eligibility.min_children = 3;
  grant.cap_per_household = 3000000;  // 30,000 yuan: the second purchase gets the remaining 10,000
  s.measures = {grant};
  const ScenarioResults r = simulate(s, tiny_population(), RunOptions{1, 1});
  REQUIRE(r.outlay_fen[r.outlay_index(0, 0, 0, 0)] == 2000000);
  REQUIRE(r.outlay_fen[r.outlay_index(0, 1, 0, 0)] == 1000000);
}
