// The domain rules the engine calls, each on its own: the measure kinds table, births
// and deaths from draws, the places the capacity path adds, childcare rationing, caps on
// payments and fee reductions stacked through claims.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "models/demography.h"
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

}  // namespace

TEST_CASE("kinds table: each kind has a cost rule for every basis it may count, and none besides", "[unit][domain]") {
  for (const MeasureKindInfo& k : measure_kinds()) {
    INFO(k.name);
    REQUIRE(k.basis_count >= 1);
    bool month = false, event = false, slot = false;
    for (std::size_t b = 0; b < k.basis_count; ++b) {
      const Basis basis = k.bases[b];
      month |= monthly(basis);
      event |= basis == Basis::birth || basis == Basis::assisted_birth || basis == Basis::home_purchase;
      slot |= basis == Basis::new_slot || basis == Basis::renovated_slot;
    }
    REQUIRE(month == (k.child_rule != nullptr));
    REQUIRE(event == (k.event_rule != nullptr));
    REQUIRE(slot == (k.slot_rule != nullptr));
    REQUIRE(parse_kind(k.name) == k.kind);
    REQUIRE((k.ledger == Ledger::budget) == (kind_ledger(k.kind) == Ledger::budget));
  }
}

TEST_CASE("demography: a woman's draw is a birth at the bottom of its range and a death at the top", "[unit][domain]") {
  const MortalityThresholds none = mortality_thresholds(0, 0, 0);
  REQUIRE_FALSE(none.any);
  REQUIRE_FALSE(woman_dies(~std::uint64_t{0}, none));
  const MortalityThresholds t = mortality_thresholds(0, 0, 250);  // a quarter of the range
  REQUIRE(t.any);
  REQUIRE(woman_dies(~std::uint64_t{0}, t));
  REQUIRE_FALSE(woman_dies(std::uint64_t{1} << 63, t));
  REQUIRE(woman_dies((std::uint64_t{3} << 62) + 1, t));
  REQUIRE(parity_after_birth(2, 0xFF) == 3);
  REQUIRE(parity_after_birth(0xFE, 0xFF) == 0xFE);  // saturates below the marker
}

TEST_CASE("demography: a child who dies is alive in the months before its death, after its birth", "[unit][domain]") {
  const MortalityThresholds certain = mortality_thresholds(1000, 1000, 0);
  const MortalityThresholds never = mortality_thresholds(0, 0, 0);
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
    const PlacesAdded a = places_added(p, persons, 2025, year);
    const std::int64_t growth =
        std::max<std::int64_t>(0, childcare_slots(p, persons, 2025, year) - childcare_slots(p, persons, 2025, year - 1));
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
  std::optional<FeeLedger> ledger;
  int asked = 0;
  const auto yes = [&] { ++asked; return true; };
  const auto no = [&] { ++asked; return false; };
  // An operating subsidy with no amount costs nothing: the claim is not asked.
  Measure zero = monthly_measure(MeasureKind::operating_subsidy, 0);
  zero.eligibility.providers = 0;  // no provider class: no eligible month
  REQUIRE(claimed_child_year_cost(zero, c, 2025, fees, ledger, yes).units == 0);
  REQUIRE(asked == 0);
  REQUIRE_FALSE(ledger);
  // A fee reduction not claimed touches no ledger.
  const Measure free = [] {
    Measure m = monthly_measure(MeasureKind::fee_reduction, 0);
    m.phases[0].percent_of_fee_bp = 10000;
    return m;
  }();
  REQUIRE(claimed_child_year_cost(free, c, 2025, fees, ledger, no).units == 0);
  REQUIRE(asked == 1);
  REQUIRE_FALSE(ledger);
  // Claimed twice: the first takes the whole public fee, the second finds nothing left.
  const Cost first = claimed_child_year_cost(free, c, 2025, fees, ledger, yes);
  REQUIRE((first.units == 12 && first.fen == 12 * 100000));
  const Cost second = claimed_child_year_cost(free, c, 2025, fees, ledger, yes);
  REQUIRE((second.units == 0 && second.fen == 0));
  REQUIRE(asked == 3);
}
