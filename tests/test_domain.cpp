// The domain rules the engine calls, each on its own: the measure kinds table, births
// and deaths from draws, the places the capacity path adds, childcare rationing, caps on
// payments and fee reductions stacked through claims.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <random>
#include <vector>

#include "models/demography.h"
#include "models/life_table.h"
#include "models/measures/kinds.h"
#include "models/services.h"

using namespace cradle;

namespace {

//! A stream of given numbers, as the death rules read one.
struct ScriptedStream {
  std::vector<std::uint64_t> words;
  std::size_t next = 0;
  std::uint64_t next_u64() { return words.at(next++); }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next_u64() % n); }
};

Measure monthly_measure(MeasureKind kind, Fen amount) {
  Measure m;
  m.kind = kind;
  m.basis = Basis::enrolled_month;
  m.eligibility.service = Service::childcare;
  Phase p;
  p.fen_per_unit = amount;
  m.phases = {p};
  return m;
}

ChildYear enrolled_child() {
  ChildYear c;
  c.birth_month = month_index(2024, 1);
  c.childcare_mask = 0xFFF;
  c.childcare_provider = Provider::public_;
  return c;
}

//! Men 10 and women 5 deaths per 1000 at every age, women 100+ 500.
LifeTable flat_life_table() {
  LifeTable table;
  table.per_1000[0].fill(10.0);
  table.per_1000[1].fill(5.0);
  table.per_1000[1][LIFE_TABLE_GROUPS - 1] = 500.0;
  return table;
}

}  // namespace

TEST_CASE("kinds table: each kind has a cost rule for every basis it may count, and none besides", "[unit][domain]") {
  for (const MeasureKindInfo& k : measure_kinds()) {
    INFO(k.name);
    REQUIRE(k.basis_count >= 1);
    bool month = false, event = false, slot = false, counted = false;
    for (std::size_t b = 0; b < k.basis_count; ++b) {
      const Basis basis = k.bases[b];
      month |= monthly(basis);
      event |= basis == Basis::birth || basis == Basis::assisted_birth || basis == Basis::home_purchase;
      slot |= basis == Basis::new_slot || basis == Basis::renovated_slot;
      counted |= counted_basis(basis);
    }
    REQUIRE(month == (k.child_rule != nullptr));
    REQUIRE(event == (k.event_rule != nullptr));
    REQUIRE(slot == (k.slot_rule != nullptr));
    REQUIRE(counted == (k.count_rule != nullptr));
    REQUIRE(parse_kind(k.name) == k.kind);
    REQUIRE((k.ledger == Ledger::budget) == (kind_ledger(k.kind) == Ledger::budget));
  }
}

TEST_CASE("demography: a woman's draw is a birth at the bottom of its range and a death at the top", "[unit][domain]") {
  const MortalityThresholds none = mortality_thresholds(LifeTable{});
  REQUIRE_FALSE(none.any);
  REQUIRE_FALSE(woman_dies(~std::uint64_t{0}, none.at(Sex::female, 30)));
  const std::uint64_t quarter = probability_threshold(0.25);  // a quarter of the range
  REQUIRE(woman_dies(~std::uint64_t{0}, quarter));
  REQUIRE_FALSE(woman_dies(std::uint64_t{1} << 63, quarter));
  REQUIRE(woman_dies((std::uint64_t{3} << 62) + 1, quarter));
  REQUIRE(parity_after_birth(2, 0xFF) == 3);
  REQUIRE(parity_after_birth(0xFE, 0xFF) == 0xFE);  // saturates below the marker
}

TEST_CASE("demography: a woman's change window admits every draw that is a birth or a death", "[unit][domain]") {
  constexpr std::uint64_t MAX = ~std::uint64_t{0};
  constexpr std::uint64_t BLOCK = std::uint64_t{1} << 32;  // the draws of one value of the top 32 bits
  const std::uint64_t thresholds[] = {
      0,           1,          2,       1000, probability_threshold(0.2), BLOCK, BLOCK + 5, std::uint64_t{1} << 63,
      MAX - BLOCK, MAX - 1000, MAX - 1, MAX};
  // Each threshold's edges, within its block and in the blocks either side, both ends of
  // the range and draws in between.
  std::vector<std::uint64_t> draws = {0, 1, MAX, MAX - 1, std::uint64_t{1} << 62, std::uint64_t{3} << 62};
  for (const std::uint64_t t : thresholds) {
    for (const std::uint64_t e : {t, ~t + 1}) {  // a birth's edge, and a death's (the first draw -t)
      for (const std::uint64_t d : {e - 1, e, e + 1, e - BLOCK, e + BLOCK, e - BLOCK - 1, e + BLOCK - 1}) {
        draws.push_back(d);
      }
    }
  }
  std::size_t refused = 0;
  for (const std::uint64_t birth : thresholds) {
    for (const std::uint64_t death : thresholds) {
      const ChangeWindow window = ChangeWindow::of(birth, death);
      // The window runs from the first death draw (-death) to the last birth draw
      // (birth - 1): it may admit the other draws of those two blocks, and no more.
      const std::uint64_t first_block = (0 - death) >> 32, last_block = (birth - 1) >> 32;
      for (const std::uint64_t u : draws) {
        const bool changes = u < birth || woman_dies(u, death);
        INFO("birth " << birth << ", death " << death << ", draw " << u);
        if (changes) REQUIRE(window.admits(u));
        if (!changes && window.admits(u)) REQUIRE(((u >> 32) == first_block || (u >> 32) == last_block));
        refused += !window.admits(u);
      }
    }
  }
  REQUIRE(refused > 0);  // a window that admitted every draw would pass the test above
}

TEST_CASE("demography: thresholds follow the life table by sex and age", "[unit][domain]") {
  const MortalityThresholds t = mortality_thresholds(flat_life_table());
  REQUIRE(t.any);
  REQUIRE(t.at(Sex::male, 40) == probability_threshold(-std::expm1(-0.010)));
  REQUIRE(t.at(Sex::female, 40) == probability_threshold(-std::expm1(-0.005)));
  // A calendar year takes the completed age at its start: attained 100 is 99, 101 is 100.
  REQUIRE(t.at(Sex::female, 100) == probability_threshold(-std::expm1(-0.005)));
  REQUIRE(t.at(Sex::female, 101) == probability_threshold(-std::expm1(-0.5)));
  REQUIRE(t.at(Sex::female, 200) == t.at(Sex::female, OLDEST_AGE + 1));  // older ages take the oldest's rate
  // The year of birth takes age 0 and the year after age 1: the infant's risk once.
  REQUIRE(mortality_age(0) == 0);
  REQUIRE(mortality_age(1) == 1);
  REQUIRE(mortality_age(2) == 1);
  REQUIRE(mortality_age(30) == 29);
}

TEST_CASE("demography: survival over a run is the product of each year's survival, closed form", "[unit][domain]") {
  const MortalityThresholds t = mortality_thresholds(flat_life_table());
  const int years = 11;
  const RunSurvival run(t, years);
  const double two64 = 0x1p64;
  // A constant hazard: (1 − q)^(y+1) after year y, to the fixed point's rounding.
  const double q = -std::expm1(-0.010);
  const std::uint64_t* men40 = run.at(Sex::male, 40);
  for (int y = 0; y < years; ++y) {
    REQUIRE(static_cast<double>(men40[y]) / two64 == Approx(std::pow(1 - q, y + 1)).epsilon(1e-12));
    if (y > 0) REQUIRE(men40[y] < men40[y - 1]);
  }
  REQUIRE(survive_year(~std::uint64_t{0}, 0) == ~std::uint64_t{0});  // no rate: nobody dies
  // Women 95 at the start reach the 100+ rate when attained 101 (completed age 100).
  const std::uint64_t* women95 = run.at(Sex::female, 95);
  const double q5 = -std::expm1(-0.005), q500 = -std::expm1(-0.5);
  REQUIRE(static_cast<double>(women95[5]) / two64 == Approx(std::pow(1 - q5, 6)).epsilon(1e-12));
  REQUIRE(static_cast<double>(women95[6]) / two64 == Approx(std::pow(1 - q5, 6) * (1 - q500)).epsilon(1e-12));
  // Every age past the table's oldest takes the same row.
  REQUIRE(std::equal(run.at(Sex::female, OLDEST_AGE + 1), run.at(Sex::female, OLDEST_AGE + 1) + years,
                     run.at(Sex::female, 150)));
  REQUIRE_FALSE(std::equal(run.at(Sex::female, 100), run.at(Sex::female, 100) + years, run.at(Sex::female, 101)));
  // to_end is the last year's survival of the same row, at every age (those clamped too).
  const RunSurvival::Rows rows = run.rows();
  for (const Sex sex : {Sex::male, Sex::female}) {
    for (int age = -1; age <= OLDEST_AGE + 50; ++age) {
      INFO("age " << age);
      REQUIRE(rows.to_end(sex, age) == rows.at(sex, age)[years - 1]);
    }
  }
  REQUIRE(rows.to_end(Sex::male, 40) == men40[years - 1]);
}
TEST_CASE("life table: closed form for a constant hazard, and scaling reaches the stated life expectancy",
          "[unit][domain]") {
  LifeTable constant;
  for (auto& by_group : constant.per_1000) by_group.fill(20.0);
  // A constant hazard h gives an exponential lifetime: e0 = 1/h exactly.
  REQUIRE(constant.life_expectancy(Sex::male) == Approx(50.0).epsilon(1e-12));
  REQUIRE(constant.life_expectancy(105.0) == Approx(50.0).epsilon(1e-12));
  const LifeTable halved = scaled_to_life_expectancy(constant, 100.0, 105.0);
  REQUIRE(halved.scale == Approx(0.5).epsilon(1e-9));
  REQUIRE(halved.death_probability(Sex::female, 30) == Approx(-std::expm1(-0.01)).epsilon(1e-9));
  // A shaped table keeps its shape: every rate moves by the one factor.
  LifeTable shaped;
  for (int g = 0; g < LIFE_TABLE_GROUPS; ++g) {
    shaped.per_1000[0][static_cast<std::size_t>(g)] = 0.5 * std::exp(0.09 * 5 * g);
    shaped.per_1000[1][static_cast<std::size_t>(g)] = 0.3 * std::exp(0.09 * 5 * g);
  }
  const LifeTable scaled = scaled_to_life_expectancy(shaped, 79.0, 111.3);
  REQUIRE(scaled.life_expectancy(111.3) == Approx(79.0).epsilon(1e-9));
  REQUIRE(scaled.life_expectancy(Sex::female) > scaled.life_expectancy(Sex::male));
  REQUIRE_THROWS_AS(scaled_to_life_expectancy(LifeTable{}, 79.0, 111.3), std::invalid_argument);
  REQUIRE(life_table_group(0) == 0);
  REQUIRE(life_table_group(4) == 1);
  REQUIRE(life_table_group(5) == 2);
  REQUIRE(life_table_group(99) == LIFE_TABLE_GROUPS - 2);
  REQUIRE(life_table_group(100) == LIFE_TABLE_GROUPS - 1);
}

TEST_CASE("services: kindergarten enrolment and shares move on a straight path to the document's target",
          "[unit][domain]") {
  KindergartenProfile k;
  k.enrolment_rate = 0.80;
  k.provider_shares = {0.40, 0.30, 0.30};
  REQUIRE(kindergarten_in(k, 2025, 2030).provider_shares == k.provider_shares);  // no target: held
  k.target_year = 2027;
  k.target_enrolment_rate = 0.92;
  k.target_provider_shares = {0.55, 0.35, 0.10};
  // From the year before the first (2024) to 2027: a third of the way a year.
  const KindergartenProfile y2025 = kindergarten_in(k, 2025, 2025);
  REQUIRE(y2025.enrolment_rate == Approx(0.84));
  REQUIRE(y2025.provider_shares[0] == Approx(0.45));
  REQUIRE(y2025.provider_shares[2] == Approx(0.30 - 0.20 / 3));
  for (int year : {2027, 2030}) {
    const KindergartenProfile held = kindergarten_in(k, 2025, year);
    REQUIRE(held.enrolment_rate == Approx(0.92));
    REQUIRE(held.provider_shares[1] == Approx(0.35));
  }
}

TEST_CASE("demography: a child who dies is alive in the months before its death, after its birth", "[unit][domain]") {
  const std::uint64_t certain = ~std::uint64_t{0}, never = 0;
  ScriptedStream survives{{5}};
  REQUIRE_FALSE(child_survival(survives, -1, never).dies);
  // Born in March (month index 2): it can die from April; a month draw of 3 is July.
  ScriptedStream infant{{0, 3}};
  const ChildSurvival a = child_survival(infant, 2, certain);
  REQUIRE(a.dies);
  REQUIRE(a.alive == 0b111111);  // January–June
  // An older child may die in any month; a draw of 0 is January: alive in no month.
  ScriptedStream older{{0, 0}};
  const ChildSurvival b = child_survival(older, -1, certain);
  REQUIRE(b.dies);
  REQUIRE(b.alive == 0);
  // Born in December, it dies at the year's end: counted, alive all year.
  ScriptedStream december{{0, 7}};
  const ChildSurvival c = child_survival(december, 11, certain);
  REQUIRE(c.dies);
  REQUIRE(c.alive == 0xFFF);
}

TEST_CASE("services: the places added are the path's growth, renovated share and providers in whole places",
          "[unit][domain]") {
  ChildcareProfile p;
  p.slots_per_1000 = 2.0;
  p.target_slots_per_1000 = 4.5;
  p.target_year = 2027;
  p.renovated_share = 0.3;
  p.provider_shares = {0.5, 0.3, 0.2};
  const double persons = 123457;
  for (int year = 2025; year <= 2029; ++year) {
    const std::int64_t before = childcare_slots(p, persons, 2025, year - 1), after = childcare_slots(p, persons, 2025, year);
    const PlacesAdded a = places_added(p, before, after);
    const std::int64_t growth = std::max<std::int64_t>(0, after - before);
    std::int64_t built = 0, renovated = 0;
    for (std::size_t k = 0; k < PROVIDER_COUNT; ++k) {
      built += a.built[k];
      renovated += a.renovated[k];
      REQUIRE(a.built[k] >= 0);
    }
    REQUIRE(built + renovated == growth);
    REQUIRE(renovated == std::llround(0.3 * static_cast<double>(growth)));
    if (year > 2027) REQUIRE(growth == 0);  // held after the target year
  }
}

TEST_CASE("services: rationing serves priority first, never exceeds places, whatever the order", "[unit][domain]") {
  std::vector<ChildcareRequest> requests;
  for (std::uint32_t i = 0; i < 40; ++i) {
    ChildcareRequest r;
    r.key = (i * 2654435761u) % 97;
    r.entity = i;
    r.priority = i % 5 == 0 ? 0 : 1;
    r.months = static_cast<std::uint16_t>(i % 3 == 0 ? 0xFFF : 0x0F0);
    requests.push_back(r);
  }
  auto allocate = [&](unsigned shuffle_seed) {
    std::vector<ChildcareRequest> copy = requests;
    std::vector<ChildcareRequest*> queue;
    for (auto& r : copy) queue.push_back(&r);
    std::shuffle(queue.begin(), queue.end(), std::mt19937(shuffle_seed));
    ration_childcare(queue, 10);
    std::vector<std::uint16_t> granted(copy.size());
    for (std::size_t i = 0; i < copy.size(); ++i) granted[copy[i].entity] = copy[i].months;
    return granted;
  };
  const auto granted = allocate(1);
  REQUIRE(allocate(2) == granted);
  for (int m = 0; m < 12; ++m) {
    int used = 0;
    for (std::uint16_t g : granted) used += (g >> m) & 1;
    REQUIRE(used <= 10);
  }
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].priority == 0) REQUIRE(granted[i] == requests[i].months);  // 8 of them: all served
    REQUIRE((granted[i] & ~requests[i].months) == 0);                           // never more than asked
  }
  // Enough places: nobody is turned away and nothing moves.
  std::vector<ChildcareRequest> copy = requests;
  std::vector<ChildcareRequest*> queue;
  for (auto& r : copy) queue.push_back(&r);
  ration_childcare(queue, 1000);
  for (std::size_t i = 0; i < copy.size(); ++i) REQUIRE(copy[i].months == requests[i].months);
}

TEST_CASE("measures: a payment within a cap pays what the cap leaves, then nothing", "[unit][domain]") {
  Fen so_far = 0;
  Fen amount = 3000;
  REQUIRE(pay_within_cap(amount, 5000, so_far));
  REQUIRE((amount == 3000 && so_far == 3000));
  amount = 3000;
  REQUIRE(pay_within_cap(amount, 5000, so_far));
  REQUIRE((amount == 2000 && so_far == 5000));
  amount = 3000;
  REQUIRE_FALSE(pay_within_cap(amount, 5000, so_far));
  REQUIRE(so_far == 5000);
}

TEST_CASE("measures: claims are asked only where they matter, and stacked fee reductions take the fee once",
          "[unit][domain]") {
  const Fees fees{{100000, 120000, 190000}, {}};
  const ChildYear c = enrolled_child();
  FeeLedger ledger;
  int asked = 0;
  const auto yes = [&] { ++asked; return true; };
  const auto no = [&] { ++asked; return false; };
  // An operating subsidy with no amount costs nothing: the claim is not asked.
  Measure zero = monthly_measure(MeasureKind::operating_subsidy, 0);
  zero.eligibility.providers = 0;  // no provider class: no eligible month
  REQUIRE(claimed_child_year_cost(zero, measure_year(zero, 2025), c, fees, ledger, yes).units == 0);
  REQUIRE(asked == 0);
  REQUIRE(ledger.empty());
  // A fee reduction not claimed touches no ledger.
  const Measure free = [] {
    Measure m = monthly_measure(MeasureKind::fee_reduction, 0);
    m.phases[0].percent_of_fee_bp = 10000;
    return m;
  }();
  REQUIRE(claimed_child_year_cost(free, measure_year(free, 2025), c, fees, ledger, no).units == 0);
  REQUIRE(asked == 1);
  REQUIRE(ledger.empty());
  // Claimed twice: the first takes the whole public fee, the second finds nothing left.
  const Cost first = claimed_child_year_cost(free, measure_year(free, 2025), c, fees, ledger, yes);
  REQUIRE((first.units == 12 && first.fen == 12 * 100000));
  const Cost second = claimed_child_year_cost(free, measure_year(free, 2025), c, fees, ledger, yes);
  REQUIRE((second.units == 0 && second.fen == 0));
  REQUIRE(asked == 3);
  // A fixed 300 yuan a month from July only, then the whole fee: the second takes what the
  // first left in July to December and the whole fee in January to June.
  ledger.clear();
  Measure from_july = monthly_measure(MeasureKind::fee_reduction, 30000);
  from_july.eligibility.valid_from = month_index(2025, 7);
  const Cost part = claimed_child_year_cost(from_july, measure_year(from_july, 2025), c, fees, ledger, yes);
  REQUIRE((part.units == 6 && part.fen == 6 * 30000));
  const Cost rest = claimed_child_year_cost(free, measure_year(free, 2025), c, fees, ledger, yes);
  REQUIRE((rest.units == 12 && rest.fen == 6 * 100000 + 6 * (100000 - 30000)));
}
