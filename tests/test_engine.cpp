#include <catch2/catch.hpp>

#include <tbb/global_control.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

#include "models/measures/kinds.h"
#include "sim/engine/change_sieve.h"
#include "sim/engine/engine.h"
#include "sim/engine/plan.h"
#include "sim/population/population.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::default_population;
using cradle::testing::default_scenario;
using cradle::testing::ScenarioCopy;

namespace {

ScenarioResults run_with_threads(const Scenario& s, const BasePopulation& p, int threads, int reps, std::uint32_t seed,
                                 SimulationTrace* trace = nullptr) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  return simulate(s, p, RunOptions{reps, seed}, nullptr, trace);
}

void require_identical(const ScenarioResults& a, const ScenarioResults& b) {
  REQUIRE(a.outlay_fen == b.outlay_fen);
  REQUIRE(a.caseload == b.caseload);
  REQUIRE(a.births == b.births);
  REQUIRE(a.child_months_under3 == b.child_months_under3);
  REQUIRE(a.childcare_enrolled_months == b.childcare_enrolled_months);
}

//! The months of `year` (bit month - 1) in which a child born in `birth` is under 3 (0 to
//! 35 completed months at the month's start), month by month without the engine's masks.
std::uint16_t under3_mask(MonthIndex birth, int year) {
  std::uint16_t mask = 0;
  for (int month = 1; month <= 12; ++month) {
    const MonthIndex m = year * 12 + month - 1;
    const int age_at_month_start = m - birth - 1;
    if (age_at_month_start >= 0 && age_at_month_start < 36) mask = static_cast<std::uint16_t>(mask | 1u << (month - 1));
  }
  return mask;
}

//! Child-months under 3 of a year.
std::int64_t count_under3_months(MonthIndex birth, int year) { return std::popcount(under3_mask(birth, year)); }

//! A measure for a test: `fen` a unit in one phase, paid wholly by the last payer level.
Measure test_measure(const std::string& id, MeasureKind kind, Basis basis, Fen fen = 100) {
  Measure m;
  m.id = id;
  m.kind = kind;
  m.basis = basis;
  m.title = id;
  m.source = "test";
  Phase p;
  p.fen_per_unit = fen;
  m.phases = {p};
  m.payers.ppm = {0, 0, 0, PPM};
  return m;
}

}  // namespace

TEST_CASE("results are bit-identical with 1, 2 and 4 threads", "[engine][reproducibility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const ScenarioResults one = run_with_threads(s, p, 1, 6, s.seed);
  const ScenarioResults two = run_with_threads(s, p, 2, 6, s.seed);
  const ScenarioResults four = run_with_threads(s, p, 4, 6, s.seed);
  require_identical(one, two);
  require_identical(one, four);
  REQUIRE(std::accumulate(one.births.begin(), one.births.end(), std::int64_t{0}) > 0);
}

TEST_CASE("a different seed gives different results", "[engine][reproducibility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const ScenarioResults a = run_with_threads(s, p, 2, 2, s.seed);
  const ScenarioResults b = run_with_threads(s, p, 2, 2, s.seed + 1);
  REQUIRE(a.births != b.births);
  REQUIRE(a.outlay_fen != b.outlay_fen);
}

TEST_CASE("replications are independent of how many there are", "[engine][reproducibility]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  const ScenarioResults two = run_with_threads(s, p, 2, 2, s.seed);
  const ScenarioResults three = run_with_threads(s, p, 2, 3, s.seed);
  const std::size_t per_rep = two.outlay_fen.size() / 2;
  REQUIRE(std::equal(two.outlay_fen.begin(), two.outlay_fen.end(), three.outlay_fen.begin()));
  REQUIRE(three.outlay_fen.size() == 3 * per_rep);
}

TEST_CASE("the trace times each replication run and marks those whose working memory was new", "[engine][trace]") {
  const Scenario& s = default_scenario();
  const BasePopulation& p = default_population();
  SimulationTrace trace;
  trace.record_births = false;
  RunOptions options{4, s.seed};
  options.first_replication = 1;  // replication 0 left out: neither timed nor marked
  {
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    simulate(s, p, options, nullptr, &trace);
  }
  // One thread: the first replication run takes new memory, the others reuse it in turn.
  REQUIRE(trace.fresh_buffers == std::vector<std::uint8_t>{0, 1, 0, 0});
  REQUIRE(trace.replication_ns[0] == 0);
  for (std::size_t r = 1; r < 4; ++r) REQUIRE(trace.replication_ns[r] > 0);
  REQUIRE(trace.births.empty());
}

TEST_CASE("a replication's working memory is sized for the births its population simulates, sampled or whole",
          "[engine][trace]") {
  const Scenario s = cradle::testing::neutral(default_scenario());
  for (const int weight : {1, 10}) {
    CAPTURE(weight);
    const BasePopulation pop =
        weight == 1 ? default_population() : generate_sample(s.profile, s.start_year, s.seed, weight);
    SimulationTrace trace;
    run_with_threads(s, pop, 1, 2, s.seed, &trace);
    for (std::size_t r = 0; r < 2; ++r) {
      // A sampled household stands for `weight` of the place's: sized for the place's births,
      // a 1-in-10 sample would reserve (and fault in) ten times its newborns' memory.
      const double ratio = static_cast<double>(trace.births_expected[r]) / static_cast<double>(trace.births[r].size());
      CHECK(ratio > 0.7);
      CHECK(ratio < 1.4);
    }
  }
}

TEST_CASE("replications per population: each group's population built once, its rows the same however run",
          "[engine][reproducibility]") {
  const Scenario& s = default_scenario();
  const PopulationSource populations = replication_populations(s, 50);
  std::array<std::atomic<int>, 3> asked{};
  const PopulationSource counted = [&](std::uint32_t index) {
    ++asked.at(index);
    return populations(index);
  };
  RunOptions grouped{7, s.seed};  // groups {0, 1, 2}, {3, 4, 5}, {6}
  grouped.replications_per_population = 3;
  ScenarioResults full;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    full = simulate(s, counted, grouped);
  }
  CHECK(full.replications_per_population == 3);
  for (const auto& n : asked) CHECK(n == 1);
  const std::size_t B = full.burn_in_years;
  const auto burn_in = [&](const ScenarioResults& r, std::size_t rep) {
    return std::vector<std::int64_t>(r.burn_in_births.begin() + static_cast<std::ptrdiff_t>(rep * B),
                                     r.burn_in_births.begin() + static_cast<std::ptrdiff_t>((rep + 1) * B));
  };
  CHECK(burn_in(full, 0) == burn_in(full, 2));
  CHECK(burn_in(full, 3) == burn_in(full, 5));
  CHECK(burn_in(full, 0) != burn_in(full, 3));
  CHECK(burn_in(full, 3) != burn_in(full, 6));
  // Replications of one population still draw their own numbers.
  const std::size_t per_rep = full.births.size() / 7;
  CHECK(!std::equal(full.births.begin(), full.births.begin() + static_cast<std::ptrdiff_t>(per_rep),
                    full.births.begin() + static_cast<std::ptrdiff_t>(per_rep)));
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    require_identical(full, simulate(s, populations, grouped));
  }
  // A batch that starts inside a group: replications 4 … 6 as the whole run gave them.
  RunOptions batch = grouped;
  batch.first_replication = 4;
  const ScenarioResults part = simulate(s, populations, batch);
  const auto from = static_cast<std::ptrdiff_t>(4 * per_rep);
  CHECK(std::equal(part.births.begin() + from, part.births.end(), full.births.begin() + from));
  CHECK(burn_in(part, 4) == burn_in(full, 4));
  // Estimates drawn per replication build a population each: sharing is refused.
  Scenario drawing = s;
  draw_all_estimates(drawing);
  REQUIRE(!drawing.drawn_estimates.empty());
  CHECK_THROWS_AS(simulate(drawing, populations, grouped), std::invalid_argument);
}

std::size_t measure_index(const ScenarioResults& r, const std::string& id) {
  for (std::size_t m = 0; m < r.n_measures(); ++m) {
    if (r.measures[m].id == id) return m;
  }
  FAIL("no measure " << id);
  return 0;
}

Fen measure_total(const ScenarioResults& r, std::size_t rep, std::size_t y, std::size_t m) {
  Fen total = 0;
  for (std::size_t p = 0; p < r.n_payers(); ++p) total += r.outlay_fen[r.outlay_index(rep, y, m, p)];
  return total;
}

TEST_CASE("closed form: with take-up 1 the national subsidy costs 300 yuan per child-month under 3",
          "[engine][closed-form]") {
  ScenarioCopy c;
  c.edit("packages/national.toml", "take_up = { value = 0.9, tag = \"D\"", "take_up = { value = 1.0, tag = \"D\"");
  Scenario s = load_scenario(c.path("xihu_current.toml"));
  // Mortality-free, so that every child traced is counted for every month it is under 3.
  s.profile.life_table = LifeTable{};
  const BasePopulation& p = default_population();
  SimulationTrace trace;
  const int R = 4;
  const ScenarioResults r = run_with_threads(s, p, 2, R, s.seed, &trace);
  const std::size_t m = measure_index(r, "national_childcare_subsidy");
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const int year = r.years[y];
      // Recount child-months under 3 from the simulated population: base children and births.
      std::int64_t expected = 0;
      for (MonthIndex b : p.child_birth_month) expected += count_under3_months(b, year);
      for (const TracedBirth& nb : trace.births[rep]) expected += count_under3_months(nb.birth_month, year);
      const std::int64_t caseload = r.caseload[r.caseload_index(rep, y, m)];
      REQUIRE(caseload == expected);
      REQUIRE(caseload == r.child_months_under3[r.year_index(rep, y)]);
      REQUIRE(measure_total(r, rep, y, m) == 30000 * caseload);
    }
  }
}

TEST_CASE("closed form: parental leave is counted once a month for each household with a child under 3",
          "[engine][closed-form]") {
  ScenarioCopy c;
  const std::string take_up =
      "take_up = { value = 0.4, tag = \"E\", range = [0.2, 0.7], source = \"assumption: share of families";
  c.edit("packages/001_jiangxi.toml", take_up,
         "take_up = { value = 1.0, tag = \"E\", range = [0.2, 1.0], source = \"assumption: share of families");
  Scenario s = load_scenario(c.path("xihu_current.toml"));
  s.profile.life_table = LifeTable{};  // mortality-free: every child is counted for all its months under 3
  const BasePopulation& p = default_population();
  SimulationTrace trace;
  const int R = 2;
  const ScenarioResults r = run_with_threads(s, p, 2, R, s.seed, &trace);
  std::size_t m = r.n_ledger_measures();
  for (std::size_t k = 0; k < r.n_ledger_measures(); ++k) {
    if (r.ledger_measures[k].id == "jiangxi_parental_leave") m = k;
  }
  REQUIRE(m < r.n_ledger_measures());
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const int year = r.years[y];
      // Each household's months with a child under 3 (base children and births), and the child-months.
      std::vector<std::uint16_t> months(p.households(), 0);
      std::int64_t child_months = 0;
      auto add = [&](std::uint32_t household, MonthIndex birth) {
        months[household] = static_cast<std::uint16_t>(months[household] | under3_mask(birth, year));
        child_months += count_under3_months(birth, year);
      };
      for (std::size_t k = 0; k < p.children(); ++k) add(p.child_household[k], p.child_birth_month[k]);
      for (const TracedBirth& nb : trace.births[rep]) add(p.woman_household[nb.mother], nb.birth_month);
      std::int64_t household_months = 0;
      for (const std::uint16_t mask : months) household_months += std::popcount(mask);
      INFO("replication " << rep << ", " << year);
      REQUIRE(r.ledger_caseload[r.ledger_index(rep, y, m)] == household_months);
      REQUIRE(r.ledger_fen[r.ledger_index(rep, y, m)] == 50000 * household_months);
      CHECK(household_months < child_months);  // some households have two children under 3
    }
  }
}

TEST_CASE("payer parts are the exact split of each measure's total", "[engine][funding]") {
  const Scenario& s = default_scenario();
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 3, s.seed);
  REQUIRE(r.payers == std::vector<std::string>{"china", "jiangxi", "xihu"});
  REQUIRE(r.payer_labels[2].level == "county");
  const std::size_t op = measure_index(r, "xihu_inclusive_childcare_operating_subsidy");
  const std::size_t national = measure_index(r, "national_childcare_subsidy");
  for (std::size_t rep = 0; rep < 3; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      for (std::size_t m = 0; m < r.n_measures(); ++m) {
        const Measure* def = nullptr;
        for (const Measure& x : s.measures) {
          if (x.id == r.measures[m].id) def = &x;
        }
        REQUIRE(def != nullptr);
        const auto parts = split_by_payer(measure_total(r, rep, y, m), def->payers);
        for (std::size_t p = 0; p < r.n_payers(); ++p) {
          const auto level = static_cast<std::size_t>(
              std::find(PAYER_NAMES.begin(), PAYER_NAMES.end(), r.payer_labels[p].level) - PAYER_NAMES.begin());
          REQUIRE(r.outlay_fen[r.outlay_index(rep, y, m, p)] == parts[level]);
        }
      }
      // The operating subsidy is the district's alone, paid while its trial plan is in force (to 2025-10).
      REQUIRE(r.outlay_fen[r.outlay_index(rep, y, op, 0)] == 0);
      if (s.start_year + static_cast<int>(y) <= 2025) REQUIRE(r.outlay_fen[r.outlay_index(rep, y, op, 2)] > 0);
      // With take-up 0.9, the subsidy's caseload is below the children's months.
      const auto caseload = static_cast<double>(r.caseload[r.caseload_index(rep, y, national)]);
      const auto months = static_cast<double>(r.child_months_under3[r.year_index(rep, y)]);
      REQUIRE(caseload < months);
      REQUIRE(caseload > 0.85 * months);
    }
  }
}

TEST_CASE("a measure with take-up 0 costs exactly nothing", "[engine]") {
  ScenarioCopy c;
  c.edit("packages/national.toml", "take_up = { value = 0.9, tag = \"D\", range = [0.8, 1.0]",
         "take_up = { value = 0.0, tag = \"D\", range = [0.0, 1.0]");
  const Scenario s = load_scenario(c.path("xihu_current.toml"));
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 2, s.seed);
  const std::size_t m = measure_index(r, "national_childcare_subsidy");
  for (std::size_t rep = 0; rep < 2; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      REQUIRE(r.caseload[r.caseload_index(rep, y, m)] == 0);
      for (std::size_t pay = 0; pay < r.n_payers(); ++pay) REQUIRE(r.outlay_fen[r.outlay_index(rep, y, m, pay)] == 0);
    }
  }
}

TEST_CASE("an event measure's take-up: the share of events claimed, capped or not, each claim paid in full",
          "[engine][take-up]") {
  Scenario s = cradle::testing::neutral(default_scenario());
  const Measure every = test_measure("every", MeasureKind::event_cash, Basis::birth);
  Measure half = every;
  half.id = "half";
  half.take_up = 0.5;
  Measure half_capped = half;  // a cap that never binds: the claims are booked one by one
  half_capped.id = "half_capped";
  half_capped.cap_per_household = Fen{1} << 40;
  s.measures = {every, half, half_capped};
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 2, s.seed);
  std::int64_t events = 0, claimed[2] = {0, 0};
  for (std::size_t rep = 0; rep < 2; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      events += r.caseload[r.caseload_index(rep, y, 0)];
      for (std::size_t m = 1; m <= 2; ++m) {
        const std::int64_t units = r.caseload[r.caseload_index(rep, y, m)];
        claimed[m - 1] += units;
        std::int64_t fen = 0;
        for (std::size_t pay = 0; pay < r.n_payers(); ++pay) fen += r.outlay_fen[r.outlay_index(rep, y, m, pay)];
        REQUIRE(fen == 100 * units);  // each claimed birth pays its 100 fen
      }
    }
  }
  REQUIRE(events > 10'000);
  // One draw per event and measure: each share within 5 standard errors of one half.
  const double se = std::sqrt(0.25 / static_cast<double>(events));
  for (const std::int64_t c : claimed) {
    CHECK(std::fabs(static_cast<double>(c) / static_cast<double>(events) - 0.5) < 5 * se);
  }
}

TEST_CASE("doubling an amount doubles that measure's outlay exactly and nothing else", "[engine]") {
  const Scenario& s = default_scenario();
  ScenarioCopy c;
  c.edit("packages/002_xihu.toml", "value = 126,", "value = 252,");
  const Scenario doubled = load_scenario(c.path("xihu_current.toml"));
  const ScenarioResults a = run_with_threads(s, default_population(), 2, 2, s.seed);
  const ScenarioResults b = run_with_threads(doubled, default_population(), 2, 2, s.seed);
  const std::size_t op = measure_index(a, "xihu_inclusive_childcare_operating_subsidy");
  for (std::size_t rep = 0; rep < 2; ++rep) {
    for (std::size_t y = 0; y < a.n_years(); ++y) {
      for (std::size_t m = 0; m < a.n_measures(); ++m) {
        const Fen x = measure_total(a, rep, y, m), z = measure_total(b, rep, y, m);
        REQUIRE(z == (m == op ? 2 * x : x));
      }
      // Paid while Xihu's trial plan is in force (to 2025-10).
      if (s.start_year + static_cast<int>(y) <= 2025) REQUIRE(measure_total(a, rep, y, op) > 0);
    }
  }
  REQUIRE(a.births == b.births);
}

TEST_CASE("every shipped place: current costs at least baseline, with common random numbers", "[engine][scenarios]") {
  const auto dir = shipped_scenarios_dir();
  int places = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.find("_baseline.toml");
    if (at == std::string::npos) continue;
    const std::string place = name.substr(0, at);
    INFO(place);
    const Scenario baseline = load_scenario(entry.path());
    const Scenario current = load_scenario(dir / (place + "_current.toml"));
    // A population of at most ~100,000 persons keeps the test fast for provinces.
    const double scale = std::min(1.0, 1e5 / current.profile.persons);
    const BasePopulation pop = generate_population(current.profile, current.start_year, current.seed, scale);
    // Without a behavioural response both see the same people, so the difference is policy.
    Scenario b = cradle::testing::neutral(baseline), c = cradle::testing::neutral(current);
    b.profile.births *= scale;
    c.profile.births *= scale;
    const ScenarioResults rb = run_with_threads(b, pop, 2, 3, current.seed);
    const ScenarioResults rc = run_with_threads(c, pop, 2, 3, current.seed);
    REQUIRE(rb.births == rc.births);  // no behavioural response: the same people
    for (std::size_t rep = 0; rep < 3; ++rep) {
      for (std::size_t y = 0; y < rb.n_years(); ++y) {
        Fen tb = 0, tc = 0;
        for (std::size_t m = 0; m < rb.n_measures(); ++m) tb += measure_total(rb, rep, y, m);
        for (std::size_t m = 0; m < rc.n_measures(); ++m) tc += measure_total(rc, rep, y, m);
        REQUIRE(tc >= tb);
        REQUIRE(tb > 0);
      }
    }
    ++places;
  }
  REQUIRE(places >= 1);
}

TEST_CASE("first-year births match the profile within 4 standard errors", "[engine][statistical]") {
  const Scenario s = cradle::testing::neutral(default_scenario());
  const int R = 40;
  const ScenarioResults r = run_with_threads(s, default_population(), 2, R, s.seed);
  std::vector<double> total(R, 0.0);
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (std::size_t k = 0; k < 3; ++k) total[rep] += static_cast<double>(r.births[r.births_index(rep, 0, k)]);
  }
  const double mean = std::accumulate(total.begin(), total.end(), 0.0) / R;
  double ss = 0;
  for (double t : total) ss += (t - mean) * (t - mean);
  const double se = std::sqrt(ss / (R - 1) / R);
  REQUIRE(se > 0);
  REQUIRE(std::fabs(mean - s.profile.births) < 4 * se);
  // And by order: the profile's shares, within 4 standard errors of each order's mean.
  for (std::size_t k = 0; k < 3; ++k) {
    double m = 0, q = 0;
    for (std::size_t rep = 0; rep < R; ++rep) m += static_cast<double>(r.births[r.births_index(rep, 0, k)]);
    m /= R;
    for (std::size_t rep = 0; rep < R; ++rep) {
      const double d = static_cast<double>(r.births[r.births_index(rep, 0, k)]) - m;
      q += d * d;
    }
    const double se_k = std::sqrt(q / (R - 1) / R);
    REQUIRE(std::fabs(m - s.profile.births * s.profile.fertility.order_shares[k]) < 4 * se_k);
  }
}

TEST_CASE("childcare enrolment is near the profile's shares", "[engine][statistical]") {
  const Scenario& s = default_scenario();
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 4, s.seed);
  const auto& e = s.profile.childcare.enrolment_by_age;
  const double mean_share = (e[0] + e[1] + e[2]) / 3;
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    const double share = static_cast<double>(r.childcare_enrolled_months[r.year_index(0, y)]) /
                         static_cast<double>(r.child_months_under3[r.year_index(0, y)]);
    // Cohorts differ in size, so the share is near, not equal to, the mean of the three ages.
    REQUIRE(share > 0.7 * mean_share);
    REQUIRE(share < 1.3 * mean_share);
  }
}

TEST_CASE("scarce childcare places: enrolment at most capacity, unmet demand the rest", "[engine][capacity]") {
  ScenarioCopy c;
  c.edit("jurisdictions/xihu.toml", "slots_per_1000 = { value = 3.90, tag = \"D\", range = [3.4, 4.7]",
         "slots_per_1000 = { value = 0.5, tag = \"D\", range = [0.4, 4.7]");
  c.edit("jurisdictions/xihu.toml", "target_slots_per_1000 = { value = 4.5, tag = \"S\"",
         "target_slots_per_1000 = { value = 0.5, tag = \"S\"");
  const Scenario s = load_scenario(c.path("xihu_current.toml"));
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 3, s.seed);
  for (std::size_t rep = 0; rep < 3; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const auto i = r.year_index(rep, y);
      REQUIRE(r.childcare_enrolled_months[i] <= 12 * r.childcare_slots[y]);
      REQUIRE(r.childcare_enrolled_months[i] >= 11 * r.childcare_slots[y]);  // the places are used
      REQUIRE(r.childcare_demand_months[i] > r.childcare_enrolled_months[i]);
    }
  }
  // The same run with places enough: nobody is turned away.
  const ScenarioResults full = run_with_threads(default_scenario(), default_population(), 2, 3, s.seed);
  REQUIRE(full.childcare_demand_months == full.childcare_enrolled_months);
  REQUIRE(full.childcare_demand_months == r.childcare_demand_months);  // demand does not depend on places
}

TEST_CASE("behavioural response: none leaves births unchanged, a more generous reform adds births",
          "[engine][behaviour]") {
  using cradle::testing::fix_parameter;
  Scenario baseline = load_scenario(shipped_scenarios_dir() / "xihu_baseline.toml");
  Scenario reform = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  const BasePopulation& pop = default_population();
  fix_parameter(baseline, PARAMETER_BIRTH_RESPONSE, 0.0);
  fix_parameter(reform, PARAMETER_BIRTH_RESPONSE, 0.0);
  REQUIRE(run_with_threads(baseline, pop, 2, 4, 9).births == run_with_threads(reform, pop, 2, 4, 9).births);

  // A response, and a far more generous reform: 20,000 yuan a year per child under 3.
  ScenarioCopy c;
  c.edit("packages/national.toml", "amount = { value = 3600, per = \"year\"",
         "amount = { value = 20000, per = \"year\"");
  Scenario generous = load_scenario(c.path("xihu_current.toml"));
  fix_parameter(baseline, PARAMETER_BIRTH_RESPONSE, 0.3);
  fix_parameter(generous, PARAMETER_BIRTH_RESPONSE, 0.3);
  const ScenarioResults rb = run_with_threads(baseline, pop, 2, 6, 9);
  const ScenarioResults rg = run_with_threads(generous, pop, 2, 6, 9);
  std::int64_t total_b = 0, total_g = 0;
  for (std::size_t rep = 0; rep < 6; ++rep) {
    // The first year's women are the same, so with common random numbers every birth of
    // the baseline happens in the reform too.
    std::int64_t first_b = 0, first_g = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      first_b += rb.births[rb.births_index(rep, 0, k)];
      first_g += rg.births[rg.births_index(rep, 0, k)];
    }
    REQUIRE(first_g >= first_b);
    for (std::size_t y = 0; y < rb.n_years(); ++y) {
      for (std::size_t k = 0; k < 3; ++k) {
        total_b += rb.births[rb.births_index(rep, y, k)];
        total_g += rg.births[rg.births_index(rep, y, k)];
      }
    }
  }
  REQUIRE(total_g > total_b);
}

TEST_CASE("behavioural response: dated from the announcement and sized to the evidence", "[engine][behaviour]") {
  using cradle::testing::fix_parameter;
  // The national subsidy alone (announced 2025-07-28): births respond from conceptions
  // after it, the first in May 2026, and by about 2 % at the response's centre.
  Scenario s = load_scenario(shipped_scenarios_dir() / "xihu_baseline.toml");
  std::erase_if(s.measures, [](const Measure& m) { return m.id != "national_childcare_subsidy"; });
  REQUIRE(s.measures.size() == 1);
  REQUIRE(s.measures[0].announced == month_index(2025, 7));
  s.end_year = 2028;
  const MonthIndex first_responding = month_index(2026, 5);
  const BasePopulation& pop = default_population();
  auto run = [&](double response, SimulationTrace& trace) {
    Scenario r = s;
    fix_parameter(r, PARAMETER_BIRTH_RESPONSE, response);
    return run_with_threads(r, pop, 2, 8, 17, &trace);
  };
  SimulationTrace none_trace, centre_trace, high_trace;
  const ScenarioResults none = run(0.0, none_trace);
  const ScenarioResults centre = run(2.0, centre_trace);
  const ScenarioResults high = run(4.0, high_trace);
  auto births = [](const ScenarioResults& r, std::size_t first_year) {
    std::int64_t n = 0;
    for (std::size_t rep = 0; rep < static_cast<std::size_t>(r.replications); ++rep) {
      for (std::size_t y = first_year; y < r.n_years(); ++y) {
        for (std::size_t k = 0; k < 3; ++k) n += r.births[r.births_index(rep, y, k)];
      }
    }
    return static_cast<double>(n);
  };
  // The three full years after the announcement: 2026-2028.
  const double rise = births(centre, 1) / births(none, 1) - 1.0;
  const double rise_high = births(high, 1) / births(none, 1) - 1.0;
  INFO("rise over 2026-2028: " << 100 * rise << " % at the centre, " << 100 * rise_high << " % at 4");
  REQUIRE(rise >= 0.015);
  REQUIRE(rise <= 0.025);
  REQUIRE(rise_high == Approx(2 * rise).epsilon(0.1));  // the range 0.5-4 maps in proportion
  // Before the first responding month every birth is the same, with or without the response.
  for (std::size_t rep = 0; rep < 8; ++rep) {
    auto before = [&](const SimulationTrace& t) {
      std::vector<std::tuple<MonthIndex, std::uint32_t, std::uint8_t>> out;
      for (const TracedBirth& b : t.births[rep]) {
        if (b.birth_month < first_responding) out.emplace_back(b.birth_month, b.mother, b.order);
      }
      std::sort(out.begin(), out.end());
      return out;
    };
    REQUIRE_FALSE(before(none_trace).empty());
    REQUIRE(before(centre_trace) == before(none_trace));
    REQUIRE(before(high_trace) == before(none_trace));
  }
}

TEST_CASE("childcare demand responds to the net price: none without elasticity, more with fee reductions",
          "[engine][childcare]") {
  using cradle::testing::fix_parameter;
  Scenario baseline = load_scenario(shipped_scenarios_dir() / "xihu_baseline.toml");
  Scenario reform = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  const BasePopulation& pop = default_population();
  for (Scenario* s : {&baseline, &reform}) {
    fix_parameter(*s, PARAMETER_BIRTH_RESPONSE, 0.0);  // the same children in both
    fix_parameter(*s, PARAMETER_CHILDCARE_PRICE_ELASTICITY, 0.0);
  }
  REQUIRE(run_with_threads(baseline, pop, 2, 3, 5).childcare_demand_months ==
          run_with_threads(reform, pop, 2, 3, 5).childcare_demand_months);
  // Xihu takes 100 yuan a month off the fee of local second and third children.
  fix_parameter(baseline, PARAMETER_CHILDCARE_PRICE_ELASTICITY, -0.5);
  fix_parameter(reform, PARAMETER_CHILDCARE_PRICE_ELASTICITY, -0.5);
  const ScenarioResults b = run_with_threads(baseline, pop, 2, 3, 5);
  const ScenarioResults r = run_with_threads(reform, pop, 2, 3, 5);
  std::int64_t more = 0;
  for (std::size_t i = 0; i < b.childcare_demand_months.size(); ++i) {
    // Common random numbers: every child wanted in the baseline is wanted in the reform.
    REQUIRE(r.childcare_demand_months[i] >= b.childcare_demand_months[i]);
    more += r.childcare_demand_months[i] - b.childcare_demand_months[i];
  }
  REQUIRE(more > 0);
}

TEST_CASE("uncertain parameters: one draw per replication, reproducible, within their bounds",
          "[engine][uncertainty]") {
  const Scenario& s = default_scenario();
  const ScenarioResults a = run_with_threads(s, default_population(), 2, 8, s.seed);
  const ScenarioResults b = run_with_threads(s, default_population(), 1, 8, s.seed);
  REQUIRE(a.parameters == b.parameters);
  const std::size_t n = a.parameter_labels.size();
  REQUIRE(n == 5);  // every parameter the engine knows
  auto index = [&](const std::string& name) {
    for (std::size_t i = 0; i < n; ++i) {
      if (a.parameter_labels[i].name == name) return i;
    }
    FAIL("no parameter " << name);
    return n;
  };
  std::set<double> responses;
  for (std::size_t r = 0; r < 8; ++r) {
    const double response = a.parameters[r * n + index("birth_response")];
    const double level = a.parameters[r * n + index("fertility_level")];
    const double demand = a.parameters[r * n + index("childcare_demand_level")];
    const double trend = a.parameters[r * n + index("fertility_trend")];
    REQUIRE(trend >= -0.06);
    REQUIRE(trend <= 0.04);
    REQUIRE(response >= 0.5);
    REQUIRE(response <= 4.0);
    REQUIRE(level >= 0.85);
    REQUIRE(level <= 1.15);
    REQUIRE(demand >= 0.8);
    REQUIRE(demand <= 1.2);
    responses.insert(response);
  }
  REQUIRE(responses.size() == 8);
}

//! The Monte Carlo mean over the replications of a year's value, and its standard error.
template <class Value>
std::pair<double, double> mean_se(const ScenarioResults& r, std::size_t y, Value value) {
  const auto R = static_cast<double>(r.replications);
  double sum = 0, sum2 = 0;
  for (std::size_t rep = 0; rep < static_cast<std::size_t>(r.replications); ++rep) {
    const double v = value(rep, y);
    sum += v;
    sum2 += v * v;
  }
  const double mean = sum / R;
  return {mean, std::sqrt(std::max(0.0, sum2 / R - mean * mean) / (R - 1))};
}

//! Runs `replications` and requires each year's mean births, residents and deaths within
//! 4 standard errors of the whole-population cohort-component projection, which it returns.
Projection require_near_projection(const Scenario& s, const BasePopulation& pop, int replications) {
  const Projection expected = project_population(s, pop);
  const ScenarioResults r = run_with_threads(s, pop, 2, replications, s.seed);
  auto check = [&](const char* what, std::size_t y, std::pair<double, double> mc, double projected) {
    INFO(what << " in " << r.years[y] << ": Monte Carlo " << mc.first << " ± " << mc.second << ", projected "
              << projected);
    // (A deterministic year, such as the first year's residents, must match to rounding.)
    REQUIRE(std::fabs(mc.first - projected) <= 4 * mc.second + 1e-9 * projected);
  };
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    const auto births = mean_se(r, y, [&](std::size_t rep, std::size_t yy) {
      double b = 0;
      for (std::size_t k = 0; k < 3; ++k) b += static_cast<double>(r.births[r.births_index(rep, yy, k)]);
      return b;
    });
    check("births", y, births, expected.births[y][0] + expected.births[y][1] + expected.births[y][2]);
    check("residents", y, mean_se(r, y, [&](std::size_t rep, std::size_t yy) {
            return static_cast<double>(r.population[r.year_index(rep, yy)]);
          }), expected.population[y]);
    check("deaths", y, mean_se(r, y, [&](std::size_t rep, std::size_t yy) {
            return static_cast<double>(r.deaths[r.year_index(rep, yy)]);
          }), expected.deaths[y]);
  }
  return expected;
}

TEST_CASE("cohort-component cross-check: Monte Carlo births over 10 years within 4 standard errors",
          "[engine][statistical][projection]") {
  ScenarioCopy c;
  c.edit("xihu_baseline.toml", "end_year = 2035", "end_year = 2034");
  const Scenario s = cradle::testing::neutral(load_scenario(c.path("xihu_current.toml")));
  REQUIRE(s.years() == 10);
  const Projection expected = require_near_projection(s, default_population(), 30);
  // The first year's projection is the profile's births (no response, level 1).
  REQUIRE(expected.births[0][0] + expected.births[0][1] + expected.births[0][2] ==
          Approx(s.profile.births).epsilon(1e-9));
}

TEST_CASE("a 1-in-k sample: scaled exactly by k, and estimating the whole place", "[engine][sample]") {
  const Scenario s = cradle::testing::neutral(default_scenario());
  const BasePopulation sample = generate_sample(s.profile, s.start_year, s.seed, 5);
  REQUIRE(sample.weight == 5);
  REQUIRE(
      std::fabs(static_cast<double>(sample.households()) * 5 / static_cast<double>(default_population().households()) -
                1) < 0.01);
  const int R = 20;
  const ScenarioResults r = run_with_threads(s, sample, 2, R, s.seed);
  const ScenarioResults full = run_with_threads(s, default_population(), 2, R, s.seed);
  const std::size_t m = measure_index(r, "national_childcare_subsidy");
  double births = 0, births_full = 0, outlay = 0, outlay_full = 0;
  for (std::size_t rep = 0; rep < R; ++rep) {
    for (std::size_t k = 0; k < 3; ++k) {
      REQUIRE(r.births[r.births_index(rep, 0, k)] % 5 == 0);
      births += static_cast<double>(r.births[r.births_index(rep, 0, k)]);
      births_full += static_cast<double>(full.births[full.births_index(rep, 0, k)]);
    }
    REQUIRE(r.caseload[r.caseload_index(rep, 0, m)] % 5 == 0);
    REQUIRE(measure_total(r, rep, 0, m) % 5 == 0);
    outlay += static_cast<double>(measure_total(r, rep, 0, m));
    outlay_full += static_cast<double>(measure_total(full, rep, 0, m));
  }
  REQUIRE(r.population[r.year_index(0, 0)] == sample.persons * 5);
  REQUIRE(r.persons == full.persons);  // the capacity path plans for the whole place's residents
  // The sample estimates the place: births and the subsidy within a few per cent of the full run.
  REQUIRE(std::fabs(births / births_full - 1) < 0.05);
  REQUIRE(std::fabs(outlay / outlay_full - 1) < 0.05);
}

TEST_CASE("people are conserved: population(t+1) = population(t) + births(t) - deaths(t)", "[engine][mortality]") {
  Scenario closed = default_scenario();
  closed.profile.life_table = LifeTable{};
  SimulationTrace trace;
  const ScenarioResults r = run_with_threads(closed, default_population(), 2, 3, closed.seed, &trace);
  const ScenarioResults m = run_with_threads(default_scenario(), default_population(), 2, 3, closed.seed);
  for (std::size_t rep = 0; rep < 3; ++rep) {
    REQUIRE(r.population[r.year_index(rep, 0)] == default_population().persons);
    // Recounted from the children born, one by one: the base persons and those born before.
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const auto born_before =
          std::count_if(trace.births[rep].begin(), trace.births[rep].end(),
                        [&](const TracedBirth& b) { return b.birth_month < month_index(r.years[y], 1); });
      REQUIRE(r.population[r.year_index(rep, y)] == default_population().persons + born_before);
    }
    for (std::size_t y = 0; y + 1 < r.n_years(); ++y) {
      std::int64_t born = 0, born_m = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        born += r.births[r.births_index(rep, y, k)];
        born_m += m.births[m.births_index(rep, y, k)];
      }
      REQUIRE(r.deaths[r.year_index(rep, y)] == 0);
      REQUIRE(r.population[r.year_index(rep, y + 1)] == r.population[r.year_index(rep, y)] + born);
      REQUIRE(m.population[m.year_index(rep, y + 1)] ==
              m.population[m.year_index(rep, y)] + born_m - m.deaths[m.year_index(rep, y)]);
    }
    std::int64_t deaths = 0;
    for (std::size_t y = 0; y < m.n_years(); ++y) deaths += m.deaths[m.year_index(rep, y)];
    REQUIRE(deaths > 0);
    // Mortality removes children: fewer child-months under 3 than in the closed population.
    REQUIRE(m.child_months_under3[m.year_index(rep, 3)] < r.child_months_under3[r.year_index(rep, 3)]);
    // Against the record: the profile carries China's structure and life table (scaled to
    // e0 79.0), so its crude death rate is near China's, 7.76 per 1000 in 2024 (NBS; the
    // structure is an estimate, so within 10 %).
    const double crude = 1000.0 * static_cast<double>(m.deaths[m.year_index(rep, 0)]) /
                         static_cast<double>(m.population[m.year_index(rep, 0)]);
    REQUIRE(crude == Approx(7.76).epsilon(0.10));
  }
}

namespace {

//! Net migration of `year` recounted household by household, nobody dying: the residents of
//! the households arriving, less those of the households leaving with the children born to
//! them (in replication `rep` of the trace).
std::int64_t recounted_net_migration(const BasePopulation& pop, const SimulationTrace& trace, std::size_t rep,
                                     int year) {
  std::vector<std::int64_t> members(pop.households(), 0);
  for (std::size_t w = 0; w < pop.women(); ++w) {
    members[pop.woman_household[w]] += year - pop.woman_birth_year[w] >= YOUNGEST_WOMAN_AGE;
  }
  for (std::size_t c = 0; c < pop.children(); ++c) {
    const bool own_record = pop.child_woman[c] == NO_WOMAN || year - pop.child_birth_month[c] / 12 < YOUNGEST_WOMAN_AGE;
    members[pop.child_household[c]] += pop.child_birth_month[c] < month_index(year, 1) && own_record;
  }
  for (std::uint32_t h : pop.person_household) members[h]++;
  std::int64_t moved = 0;
  for (std::size_t h = 0; h < pop.households(); ++h) {
    if (pop.household_arrival[h] == year) moved += members[h];
    if (pop.household_departure[h] == year) moved -= members[h];
  }
  for (const TracedBirth& b : trace.births[rep]) {
    if (b.birth_month < month_index(year, 1) && pop.household_departure[pop.woman_household[b.mother]] == year) {
      --moved;
    }
  }
  return moved;
}

//! The households that arrive (rate > 0) or leave (rate < 0) in `pop`, generated from the
//! closed population `base` with `rate` per 1000 households.
void require_migrating_households(const BasePopulation& base, const BasePopulation& pop, double rate, int start_year) {
  // The residents are those of the closed population; arrivals are appended.
  REQUIRE(std::equal(base.woman_birth_year.begin(), base.woman_birth_year.end(), pop.woman_birth_year.begin()));
  const auto n = static_cast<double>(base.households());
  if (rate > 0) {
    // As many arrivals as compound growth brings over the longest horizon, by year.
    const double g = rate / 1000;
    REQUIRE(static_cast<double>(pop.households()) - n ==
            Approx(n * (std::pow(1 + g, MAX_HORIZON_YEARS - 1) - 1)).margin(1));
    const auto first_year = std::count(pop.household_arrival.begin(), pop.household_arrival.end(), start_year + 1);
    REQUIRE(static_cast<double>(first_year) == Approx(n * g).margin(1));
  } else {
    // Each household leaves in the first later year with probability `rate` per 1000.
    const auto left = std::count(pop.household_departure.begin(), pop.household_departure.end(), start_year + 1);
    const double expected = n * -rate / 1000;
    REQUIRE(std::fabs(static_cast<double>(left) - expected) < 4 * std::sqrt(expected));
    REQUIRE(pop.households() == base.households());
  }
}

//! Replication `rep` of the open run r against the closed run rc: births on the side of
//! the migration (common random numbers: residents who stay give the closed run's births),
//! migration of that sign every later year, and population = last + births - deaths + migrated.
void require_population_balance(const ScenarioResults& r, const ScenarioResults& rc, std::size_t rep, double rate) {
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    std::int64_t born = 0, born_closed = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      born += r.births[r.births_index(rep, y, k)];
      born_closed += rc.births[rc.births_index(rep, y, k)];
    }
    if (rate > 0) {
      REQUIRE(born >= born_closed);
    } else {
      REQUIRE(born <= born_closed);
    }
    if (y + 1 < r.n_years()) {
      const std::int64_t migrated = r.net_migration[r.year_index(rep, y + 1)];
      REQUIRE((rate > 0 ? migrated > 0 : migrated < 0));
      REQUIRE(r.population[r.year_index(rep, y + 1)] ==
              r.population[r.year_index(rep, y)] + born - r.deaths[r.year_index(rep, y)] + migrated);
    }
  }
}

}  // namespace

TEST_CASE("net migration: households leave or arrive, births follow, and people are accounted for",
          "[engine][migration]") {
  Scenario closed = cradle::testing::neutral(default_scenario());
  // Nobody dies, so that the people who migrate can be recounted from the births alone.
  closed.profile.life_table = LifeTable{};
  const BasePopulation base = generate_population(closed.profile, closed.start_year, closed.seed, 0.3);
  const ScenarioResults rc = run_with_threads(closed, base, 2, 3, closed.seed);
  for (const double rate : {-8.0, 8.0}) {
    INFO("net migration " << rate << " per 1000 households");
    Scenario s = closed;
    s.profile.net_migration_per_1000 = rate;
    const BasePopulation pop = generate_population(s.profile, s.start_year, s.seed, 0.3);
    require_migrating_households(base, pop, rate, s.start_year);
    SimulationTrace trace;
    const ScenarioResults r = run_with_threads(s, pop, 2, 3, s.seed, &trace);
    for (std::size_t rep = 0; rep < 3; ++rep) {
      REQUIRE(r.net_migration[r.year_index(rep, 0)] == 0);
      for (std::size_t y = 1; y < r.n_years(); ++y) {
        REQUIRE(r.net_migration[r.year_index(rep, y)] == recounted_net_migration(pop, trace, rep, r.years[y]));
      }
      REQUIRE(r.population[r.year_index(rep, 0)] == rc.population[rc.year_index(rep, 0)]);
      require_population_balance(r, rc, rep, rate);
    }
    // The cohort-component projection follows the arrivals and departures too (40
    // replications, so that 33 comparisons at 4 standard errors rest on steady estimates
    // of the standard error).
    require_near_projection(s, pop, 40);
  }
}

TEST_CASE("deaths with migration: residents die only while present, each year as the projection says",
          "[engine][migration][statistical]") {
  // Each other resident's death is dated once for the run from its household's arrival
  // (BlockYear::date_deaths): a date before the arrival would show as too few residents
  // and deaths in the years after arrivals.
  for (const double rate : {-12.0, 12.0}) {
    INFO("net migration " << rate << " per 1000 households");
    Scenario s = cradle::testing::neutral(default_scenario());
    s.profile.net_migration_per_1000 = rate;
    const BasePopulation pop = generate_population(s.profile, s.start_year, s.seed, 0.3);
    require_near_projection(s, pop, 30);
  }
}

TEST_CASE("children past every service age: deaths dated once, each year as the projection says",
          "[engine][mortality][statistical]") {
  // From Plan::dated_child_age on, a base child without a woman record has its death dated
  // once (BlockYear::date_child_deaths) instead of drawn each year, and without migration
  // it is counted by cohort. Boys of 5-19 die at 10 % a year here, so that their deaths
  // weigh in the totals: a death dated from the wrong age or year, a child left in its
  // cohort after dying younger, or one counted twice would show.
  for (const double rate : {0.0, 12.0}) {
    INFO("net migration " << rate << " per 1000 households");
    Scenario s = cradle::testing::neutral(default_scenario());
    s.profile.net_migration_per_1000 = rate;
    for (int age : {5, 10, 15}) {
      s.profile.life_table
          .per_1000[static_cast<std::size_t>(Sex::male)][static_cast<std::size_t>(life_table_group(age))] =
          100.0 / s.profile.life_table.scale;
    }
    const BasePopulation pop = generate_population(s.profile, s.start_year, s.seed, 0.3);
    const engine::Plan plan = engine::make_plan(s, pop, s.seed);
    REQUIRE(plan.dated_child_age == 8);  // the children of 1-7 at the start reach it
    require_near_projection(s, pop, 30);
  }
}

TEST_CASE("events are dated to the day: a measure from a date inside a year pays the share of the year after it",
          "[engine][events]") {
  Scenario s = cradle::testing::neutral(default_scenario());
  auto grant = [](const std::string& id, Basis basis) { return test_measure(id, MeasureKind::event_cash, basis); };
  std::vector<Measure> measures;
  for (const Basis basis : {Basis::home_purchase, Basis::birth}) {
    const std::string name = basis == Basis::birth ? "birth" : "home";
    Measure whole = grant(name + "_whole_year", basis);
    Measure from = grant(name + "_from_10_july", basis);
    from.eligibility.valid_from = month_index(2025, 7);
    from.eligibility.valid_from_day = 10;
    Measure until = grant(name + "_until_9_july_2025", basis);
    until.eligibility.valid_until = month_index(2025, 8);  // the last day in force is in July …
    until.eligibility.valid_until_day = 9;                 // … the 9th
    measures.insert(measures.end(), {whole, from, until});
  }
  s.measures = measures;
  const int R = 4;
  const ScenarioResults r = run_with_threads(s, default_population(), 2, R, s.seed);
  for (const std::string name : {"home", "birth"}) {
    INFO(name);
    // From 10 July through 31 December: purchases fall evenly over the year's days (175 of
    // 2025's 365), births evenly over its months and then over the month's days.
    const double p = name == "home" ? 175.0 / 365.0 : (22.0 / 31.0 + 5.0) / 12.0;
    const std::size_t whole = measure_index(r, name + "_whole_year"), from = measure_index(r, name + "_from_10_july"),
                      until = measure_index(r, name + "_until_9_july_2025");
    for (std::size_t rep = 0; rep < R; ++rep) {
      const auto n = static_cast<double>(r.caseload[r.caseload_index(rep, 0, whole)]);
      const auto after = static_cast<double>(r.caseload[r.caseload_index(rep, 0, from)]);
      const auto before = static_cast<double>(r.caseload[r.caseload_index(rep, 0, until)]);
      REQUIRE(n > 1000);
      // Each event of the year falls after the date with probability p, independently.
      REQUIRE(std::fabs(after - p * n) <= 4 * std::sqrt(n * p * (1 - p)));
      REQUIRE(after + before == n);  // the two halves of the year, to the day
      // Past its end a measure pays nothing.
      for (std::size_t y = 1; y < r.n_years(); ++y) REQUIRE(r.caseload[r.caseload_index(rep, y, until)] == 0);
      REQUIRE(r.caseload[r.caseload_index(rep, 1, from)] == r.caseload[r.caseload_index(rep, 1, whole)]);
    }
  }
}

TEST_CASE("closed form: where every household with two children buys a home each year, a home grant counts them",
          "[engine][events][closed-form]") {
  // Purchases are booked in batches of DRAW_BATCH per block (BlockYear::buy_homes). Here a
  // block has hundreds of buyers a year, so that most batches are full and the last is not:
  // a batch lost, booked twice or cut short would change the count.
  Scenario s = cradle::testing::neutral(default_scenario());
  s.profile.life_table = LifeTable{};    // nobody dies …
  s.profile.net_migration_per_1000 = 0;  // … or moves
  const BasePopulation pop = generate_population(s.profile, s.start_year, s.seed, 0.3);
  s.profile.births = 0;  // no births in the run: parities stay as generated
  s.profile.home_purchase_rate = 1;
  s.profile.households.home_purchase_by_tenure = {1, 1};
  Measure grant = test_measure("two_children_home", MeasureKind::event_cash, Basis::home_purchase);
  grant.eligibility.min_children = 2;
  s.measures = {grant};
  const ScenarioResults r = run_with_threads(s, pop, 2, 2, s.seed);
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    std::int64_t buyers = 0;
    for (std::size_t w = 0; w < pop.women(); ++w) {
      buyers += pop.woman_parity[w] >= 2 && r.years[y] - pop.woman_birth_year[w] >= HOME_BUYER_MIN_AGE;
    }
    INFO(r.years[y]);
    REQUIRE(buyers > static_cast<std::int64_t>(pop.blocks.size() * 4 * DRAW_BATCH));
    for (std::size_t rep = 0; rep < 2; ++rep) REQUIRE(r.caseload[r.caseload_index(rep, y, 0)] == buyers);
  }
}

TEST_CASE("closed form: a measure for girls of 13 counts the population's girls of 13, at its unit cost exactly",
          "[engine][closed-form]") {
  Scenario s = cradle::testing::neutral(default_scenario());
  s.profile.life_table = LifeTable{};  // nobody dies, so the girls can be counted from the base population
  Measure hpv = test_measure("hpv_girls_13", MeasureKind::in_kind_service, Basis::resident_year,
                             60000);  // 600 yuan for the doses
  hpv.eligibility.sexes = 0b10;
  hpv.eligibility.min_age_years = 13;
  hpv.eligibility.max_age_years = 14;
  s.measures = {hpv};
  const BasePopulation& pop = default_population();
  const ScenarioResults r = run_with_threads(s, pop, 2, 2, s.seed);
  for (std::size_t y = 0; y < r.n_years(); ++y) {
    const auto girls = std::count(pop.woman_birth_year.begin(), pop.woman_birth_year.end(),
                                  static_cast<std::int16_t>(r.years[y] - 13));
    INFO(r.years[y]);
    REQUIRE(girls > 1000);
    for (std::size_t rep = 0; rep < 2; ++rep) {
      REQUIRE(r.caseload[r.caseload_index(rep, y, 0)] == girls);
      REQUIRE(measure_total(r, rep, y, 0) == girls * 60000);
      // The residents by sex and age add up to the residents.
      std::int64_t all = 0;
      for (std::size_t sex = 0; sex < RESIDENT_SEXES; ++sex)
        for (std::size_t a = 0; a < RESIDENT_AGES; ++a) all += r.residents_by_age[r.resident_index(rep, y, sex, a)];
      REQUIRE(all == r.population[r.year_index(rep, y)]);
    }
  }
}

TEST_CASE("phased take-up: each year's share of eligible child-months claimed follows its phase", "[engine][take-up]") {
  Scenario s = cradle::testing::neutral(default_scenario());
  const Measure all = test_measure("all", MeasureKind::child_cash, Basis::child_month);
  Measure phased = all;
  phased.id = "phased";
  phased.take_up = 0.3;
  Phase later = all.phases[0];
  later.from = month_index(2027, 1);
  later.take_up = 0.9;  // 逐步: a scheme that reaches most families from its third year
  phased.phases = {all.phases[0], later};
  s.measures = {all, phased};
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 2, s.seed);
  for (std::size_t y = 0; y < 4; ++y) {
    INFO(r.years[y]);
    const double expected = r.years[y] < 2027 ? 0.3 : 0.9;
    for (std::size_t rep = 0; rep < 2; ++rep) {
      const auto eligible = static_cast<double>(r.caseload[r.caseload_index(rep, y, 0)]);
      const auto claimed = static_cast<double>(r.caseload[r.caseload_index(rep, y, 1)]);
      // About 8,000 children under 3 decide (one draw each): a share within 0.03 is over 5
      // standard errors.
      REQUIRE(std::fabs(claimed / eligible - expected) < 0.03);
    }
  }
}

TEST_CASE("a take-up drawn ahead, in the demand pass, answers as one drawn when the settling pass asks",
          "[engine][take-up]") {
  // "ahead": a constant take-up, drawn for a batch of children in the demand pass. "asked":
  // the same measure (the same id, so the same draws), its take-up raised by 1e-12 from
  // 2027, so that it is phased and drawn one child at a time when asked. The two thresholds
  // part for about one draw in 10^12: the claims must be the same, child by child.
  Scenario s = cradle::testing::neutral(default_scenario());
  Measure ahead = test_measure("subsidy", MeasureKind::child_cash, Basis::child_month);
  ahead.take_up = 0.3;
  Measure asked = ahead;
  Phase later = ahead.phases[0];
  later.from = month_index(2027, 1);
  later.take_up = 0.3 + 1e-12;
  asked.phases = {ahead.phases[0], later};
  s.measures = {ahead};
  const engine::Plan plan = engine::make_plan(s, default_population(), s.seed);
  REQUIRE(plan.child_take_ups_ahead == 1u);
  const ScenarioResults drawn_ahead = run_with_threads(s, default_population(), 2, 2, s.seed);
  s.measures = {asked};
  REQUIRE(engine::make_plan(s, default_population(), s.seed).child_take_ups_ahead == 0u);
  const ScenarioResults drawn_when_asked = run_with_threads(s, default_population(), 2, 2, s.seed);
  std::int64_t claimed = 0;
  for (std::size_t rep = 0; rep < 2; ++rep) {
    for (std::size_t y = 0; y < drawn_ahead.years.size(); ++y) {
      INFO("replication " << rep << ", " << drawn_ahead.years[y]);
      const std::size_t k = drawn_ahead.caseload_index(rep, y, 0);
      REQUIRE(drawn_ahead.caseload[k] == drawn_when_asked.caseload[k]);
      claimed += drawn_ahead.caseload[k];
    }
  }
  CHECK(drawn_ahead.outlay_fen == drawn_when_asked.outlay_fen);
  CHECK(claimed > 0);
}

TEST_CASE("first marriages against the record: about China's 9.17 million in 2024 per resident", "[engine][marriage]") {
  // The shipped [marriage] rates are derived from China's 9.17 m persons marrying for the
  // first time in 2024 over the national age structure the profiles carry: the simulated
  // rate per resident must come back to 9.17 / 1408 (China's residents, m) within 10 %.
  Scenario s = cradle::testing::neutral(default_scenario());
  const Measure marrying = test_measure("marrying", MeasureKind::in_kind_service, Basis::marriage);
  s.measures = {marrying};
  const ScenarioResults r = run_with_threads(s, default_population(), 2, 2, s.seed);
  const double rate = static_cast<double>(r.caseload[r.caseload_index(0, 0, 0)]) /
                      static_cast<double>(r.population[r.year_index(0, 0)]);
  INFO("first marriages per 1000 residents: " << 1000 * rate);
  REQUIRE(rate == Approx(9.17 / 1408.28).epsilon(0.10));
}

TEST_CASE("the plan's yearly tables agree with the measures, kindergarten years and mortality they summarise", "[engine][plan]") {
  Scenario s = default_scenario();
  const BasePopulation& pop = default_population();
  // A birth grant of the first year only, and one from the third year on.
  Measure early = test_measure("early", MeasureKind::event_cash, Basis::birth);
  early.eligibility.valid_until = month_index(s.start_year, 12);  // ends at the first year's December
  Measure late = early;
  late.id = "late";
  late.eligibility.valid_from = month_index(s.start_year + 2, 6);
  late.eligibility.valid_until = 1 << 30;
  s.measures.push_back(early);
  s.measures.push_back(late);
  const engine::Plan plan = engine::make_plan(s, pop, s.seed);
  REQUIRE(plan.event_measures.size() == static_cast<std::size_t>(plan.years));
  for (std::size_t y = 0; y < plan.event_measures.size(); ++y) {
    INFO("year " << plan.start_year + static_cast<int>(y));
    std::set<std::string> ids;
    for (const auto& m : plan.event_measures[y].birth) ids.insert(m.plan.measure->id);
    CHECK(ids.count("early") == (y == 0 ? 1u : 0u));
    CHECK(ids.count("late") == (y >= 2 ? 1u : 0u));
    // Every birth measure left out has dates that miss the year.
    for (const auto& mp : plan.birth_measures) {
      if (ids.count(mp.measure->id)) continue;
      const Eligibility& e = mp.measure->eligibility;
      const MonthIndex first = month_index(plan.start_year + static_cast<int>(y), 1);
      CHECK((e.valid_until <= first || e.valid_from >= first + 12));
    }
    const std::size_t n = plan.child_measures.size(), words = plan.child_reach.words;
    for (std::size_t i = 0; i < n; ++i) {
      const bool bit = (plan.child_in_force[y * words + i / 64] >> (i % 64)) & 1u;
      CHECK(bit == plan.child_measure_years[y * n + i].in_force());
    }
    const int ages = plan.oldest_relevant_age_months - engine::ChildMeasureReach::YOUNGEST;
    const int year = plan.start_year + static_cast<int>(y);
    for (int a = 0; a < ages; ++a) {
      const MonthIndex birth = month_index(year, 1) - 1 - (a + engine::ChildMeasureReach::YOUNGEST);
      CHECK(plan.kindergarten_masks[y * static_cast<std::size_t>(ages) + static_cast<std::size_t>(a)] ==
            kindergarten_year_masks(birth, year));
    }
    for (std::size_t b = 0; b < plan.birth_year_span; ++b) {
      const int age = plan.start_year + static_cast<int>(y) - (plan.min_birth_year + static_cast<int>(b));
      CHECK(plan.woman_death_threshold[y * plan.birth_year_span + b] == plan.mortality.at(Sex::female, age));
    }
  }
}

namespace {

//! The households a child of the reach test may belong to: (flags, tenure, income band).
std::array<std::array<int, 3>, 3> reach_households(const engine::Plan& plan) {
  const int top_band = static_cast<int>(plan.band_income.size()) - 1;
  return {{{FLAG_LOCAL_RESIDENT, 0, 0}, {FLAG_LOCAL_RESIDENT | FLAG_SPECIAL_FAMILY, 1, top_band}, {0, 0, 0}}};
}

//! Counts, for one child, the child measures its rule pays (each required to be in the
//! child's reach) and those its reach leaves out.
void check_reach(const engine::Plan& plan, std::size_t y, int age, const ChildYear& child, std::size_t& paying,
                 std::size_t& left_out) {
  const std::size_t n = plan.child_measures.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Measure& m = *plan.child_measures[i].measure;
    FeeLedger ledger;  // the child's first fee reduction of the year
    const Cost cost = child_year_cost(m, plan.child_measure_years[y * n + i], child, plan.fees, &ledger);
    const bool reached = ((plan.child_reach.reach(y, age, child, i / 64) >> (i % 64)) & 1u) != 0;
    if (cost.units == 0) {
      left_out += !reached;
      continue;
    }
    ++paying;
    INFO(m.id << " year " << plan.start_year + static_cast<int>(y) << " age " << age << " order " << child.birth_order
              << " childcare " << child.childcare_mask << " kindergarten " << child.kindergarten_masks[0] << "/"
              << child.kindergarten_masks[1] << "/" << child.kindergarten_masks[2]);
    REQUIRE(reached);
  }
}

}  // namespace

TEST_CASE("the women's sieve passes every woman whose draws may change her year, on every path", "[engine][unit]") {
  // Random windows over random thresholds (0 and the extremes among them), random draws
  // (with both ends of the range), parities of every class and DEAD, every batch length.
  std::uint64_t state = 0x9E3779B97F4A7C15u;
  auto next = [&] {  // splitmix64
    std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  };
  constexpr std::uint64_t MAX = ~std::uint64_t{0};
  auto threshold = [&] {
    const std::uint64_t pick = next() % 8;
    return pick == 0 ? 0 : pick == 1 ? MAX : pick == 2 ? MAX - 1 : next() >> (next() % 8);
  };
  constexpr std::int16_t MIN_YEAR = 1930;
  constexpr std::size_t YEARS = 100;
  std::vector<ChangeWindow> windows(YEARS * engine::CHANGE_CLASSES);
  for (ChangeWindow& w : windows) w = ChangeWindow::of(threshold(), threshold());
  for (std::size_t trial = 0; trial < 2000; ++trial) {
    const std::size_t n = 1 + trial % DRAW_BATCH;
    std::uint8_t parity[DRAW_BATCH];
    std::int16_t birth_year[DRAW_BATCH];
    std::uint64_t birth_u[DRAW_BATCH], home_u[DRAW_BATCH];
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t k = next() % 6;
      parity[i] = k == 5 ? engine::DEAD : static_cast<std::uint8_t>(k);
      birth_year[i] = static_cast<std::int16_t>(MIN_YEAR + static_cast<int>(next() % YEARS));
      const std::uint64_t pick = next() % 16;
      birth_u[i] = pick == 0 ? 0 : pick == 1 ? MAX : next();
      home_u[i] = pick == 2 ? 0 : next();
    }
    const engine::SieveYear year{windows.data(), MIN_YEAR, trial % 3 == 0 ? 0 : threshold()};
    const engine::SieveBatch women{parity, birth_year, birth_u, home_u, n};
    std::uint64_t expected = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t cls = parity[i] == engine::DEAD ? PARITY_CLASSES : std::min<std::size_t>(parity[i], 2);
      const ChangeWindow& w =
          windows[static_cast<std::size_t>(birth_year[i] - MIN_YEAR) * engine::CHANGE_CLASSES + cls];
      if (w.admits(birth_u[i]) || home_u[i] < year.home_any) expected |= std::uint64_t{1} << i;
    }
    INFO("trial " << trial);
    for (const engine::SievePath path :
         {engine::SievePath::portable, engine::SievePath::avx2, engine::SievePath::avx512}) {
      const std::optional<std::uint64_t> passed = engine::sieve_changes_on(path, year, women);
      INFO("path " << static_cast<int>(path));
      if (path == engine::SievePath::portable) REQUIRE(passed.has_value());
      if (passed) REQUIRE(*passed == expected);
    }
    REQUIRE(engine::sieve_changes(year, women) == expected);  // the CPU's own path
  }
}

TEST_CASE("a child's reach leaves out no child measure that would pay it", "[engine][plan]") {
  // Every age, birth order, childcare and kindergarten provider and kindergarten year, in
  // three kinds of household: a measure whose rule pays such a child must be in its set.
  for (const char* file : {"xihu_current.toml", "xihu_free_preschool_all_years.toml", "zhangping_current.toml",
                           "ganzhou_current.toml", "baoji_student_aid.toml", "jiangxi_current.toml"}) {
    INFO(file);
    const Scenario s = load_scenario(shipped_scenarios_dir() / file);
    const engine::Plan plan = engine::make_plan(s, scenario_population(s, 200), s.seed);
    const int ages = plan.oldest_relevant_age_months - engine::ChildMeasureReach::YOUNGEST;
    std::size_t paying = 0, left_out = 0;
    for (std::size_t y = 0; y < static_cast<std::size_t>(plan.years); ++y) {
      const int year = plan.start_year + static_cast<int>(y);
      for (int a = 0; a < ages; ++a) {
        const int age = a + engine::ChildMeasureReach::YOUNGEST;
        const auto& kindergarten =
            plan.kindergarten_masks[y * static_cast<std::size_t>(ages) + static_cast<std::size_t>(a)];
        for (std::uint8_t order = 0; order <= 3; ++order) {
          for (int childcare = -1; childcare < static_cast<int>(PROVIDER_COUNT); ++childcare) {
            for (int school = -1; school < static_cast<int>(PROVIDER_COUNT); ++school) {
              for (const auto& [flags, tenure, band] : reach_households(plan)) {
                ChildYear child;
                child.birth_month = month_index(year, 1) - 1 - age;
                child.birth_order = order;
                child.flags = static_cast<std::uint8_t>(flags);
                child.tenure = static_cast<std::uint8_t>(tenure);
                child.income_band = static_cast<std::uint8_t>(band);
                child.minor_children = 2;
                if (childcare >= 0) {
                  child.childcare_mask = age_window_mask(year, child.birth_month, 0, UNDER3_MONTHS);
                  child.childcare_provider = static_cast<Provider>(childcare);
                  if (child.childcare_mask == 0) continue;
                }
                if (school >= 0) {
                  if ((kindergarten[0] | kindergarten[1] | kindergarten[2]) == 0) continue;
                  child.kindergarten_masks = kindergarten;
                  child.kindergarten_provider = static_cast<Provider>(school);
                }
                check_reach(plan, y, age, child, paying, left_out);
              }
            }
          }
        }
      }
    }
    CHECK(paying > 0);
    CHECK(left_out > 0);  // the sets do leave measures out
  }
}

TEST_CASE("a child's reach keeps a measure only where it reaches the child's order and household", "[engine][plan]") {
  // Xihu's measures, each given household conditions of its own (by its index, five
  // kinds): a kept measure must reach the child (the tabled costs no longer ask), and a
  // paying one must be kept, for every flag set, tenure, income band and some minor counts.
  Scenario s = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  for (std::size_t i = 0; i < s.measures.size(); ++i) {
    Eligibility& e = s.measures[i].eligibility;
    switch (i % 5) {
      case 1: e.local_residents_only = true, e.tenures = 0b10; break;
      case 2: e.income_bands = 0b101, e.special_families_excluded = true; break;
      case 3: e.min_minor_children = 2, e.max_minor_children = 3, e.special_families_only = true; break;
      case 4: e.tenures = 0b01, e.income_bands = 0xF0; break;
      default: break;
    }
  }
  const engine::Plan plan = engine::make_plan(s, scenario_population(s, 200), s.seed);
  const std::size_t n = plan.child_measures.size();
  const int year = plan.start_year;
  std::size_t kept = 0, refused = 0;
  for (int age = engine::ChildMeasureReach::YOUNGEST; age < plan.oldest_relevant_age_months; age += 7) {
    for (std::uint8_t order = 0; order <= 3; ++order) {
      for (std::uint8_t flags = 0; flags < 8; ++flags) {
        for (std::uint8_t tenure = 0; tenure < 2; ++tenure) {
          for (std::uint8_t band = 0; band < MAX_INCOME_BANDS; ++band) {
            for (const int minors : {0, 1, 2, 3, 4, 255}) {
              ChildYear child;
              child.birth_month = month_index(year, 1) - 1 - age;
              child.birth_order = order;
              child.flags = flags;
              child.tenure = tenure;
              child.income_band = band;
              child.minor_children = static_cast<std::uint8_t>(minors);
              child.childcare_mask = age_window_mask(year, child.birth_month, 0, UNDER3_MONTHS);
              child.childcare_provider = Provider::public_;
              for (std::size_t i = 0; i < n; ++i) {
                const Measure& m = *plan.child_measures[i].measure;
                const bool reached = ((plan.child_reach.reach(0, age, child, i / 64) >> (i % 64)) & 1u) != 0;
                INFO(m.id << " age " << age << " order " << int{order} << " flags " << int{flags} << " tenure "
                          << int{tenure} << " band " << int{band} << " minors " << minors);
                // Drawn ahead (child_months) exactly where the reach keeps a child-month measure.
                const bool ahead = ((plan.child_reach.child_months(age, child, i / 64) >> (i % 64)) & 1u) != 0;
                REQUIRE(ahead == (reached && m.basis == Basis::child_month));
                if (reached) REQUIRE(reaches_child(m, child));
                FeeLedger ledger;
                if (child_year_cost(m, plan.child_measure_years[i], child, plan.fees, &ledger).units != 0) {
                  REQUIRE(reached);
                }
                kept += reached;
                refused += !reached && !reaches_child(m, child);
              }
            }
          }
        }
      }
    }
  }
  CHECK(kept > 0);
  CHECK(refused > 0);
}

TEST_CASE("a child-month measure's table gives what its rule gives, for every age and months alive", "[engine][plan]") {
  for (const char* file : {"xihu_current.toml", "zhangping_current.toml", "baoji_current.toml"}) {
    INFO(file);
    const Scenario s = load_scenario(shipped_scenarios_dir() / file);
    const BasePopulation pop = scenario_population(s, 20);
    const engine::Plan plan = engine::make_plan(s, pop, s.seed);
    const std::size_t n = plan.child_measures.size();
    std::size_t tabled = 0;
    for (std::size_t k = 0; k < plan.child_month_tables.size(); ++k) {
      const engine::ChildMonthTable& table = plan.child_month_tables[k];
      if (!table.tabled) continue;
      ++tabled;
      const Measure& m = *plan.child_measures[k % n].measure;
      const MeasureYear& year = plan.child_measure_years[k];
      for (int age = engine::ChildMeasureReach::YOUNGEST; age < plan.oldest_relevant_age_months; ++age) {
        ChildYear child;
        child.birth_month = month_index(year.year, 1) - 1 - age;
        child.birth_order = m.reaches_order(1) ? 1 : m.reaches_order(2) ? 2 : 3;
        child.flags = FLAG_LOCAL_RESIDENT;
        for (const std::uint16_t alive : {std::uint16_t{0xFFF}, std::uint16_t{0x03F}, std::uint16_t{0xA5A}}) {
          // With no younger sibling, and with one alive from May (once-per-household measures skip those months).
          for (const std::uint16_t younger : {std::uint16_t{0}, std::uint16_t{0xFF0}}) {
            child.alive_mask = alive;
            child.younger_alive = younger;
            const Cost rule = eligible_month_cost(m, year, child, plan.fees, nullptr);
            if (!reaches_child(m, child)) continue;
            const Cost tab = table.cost(static_cast<std::size_t>(age - engine::ChildMeasureReach::YOUNGEST), child);
            INFO(m.id << " " << year.year << " age " << age << " alive " << alive << " younger " << younger);
            REQUIRE(tab.units == rule.units);
            REQUIRE(tab.fen == rule.fen);
          }
        }
      }
    }
    CHECK(tabled > 0);  // the national childcare subsidy at least
  }
}

TEST_CASE("a plan made like another takes its behaviour, and plans its own population afresh", "[engine]") {
  const Scenario& s = default_scenario();
  const BasePopulation other = generate_sample(s.profile, s.start_year, s.seed + 1, 20);
  const engine::Plan first = engine::make_plan(s, default_population(), s.seed);
  const engine::Plan own = engine::make_plan(s, other, s.seed);
  const engine::Plan like = engine::make_plan_like(first, s, other);
  // What the population decides is the other population's.
  REQUIRE(own.birth_probability != first.birth_probability);
  REQUIRE(like.birth_probability == own.birth_probability);
  REQUIRE(like.min_birth_year == own.min_birth_year);
  REQUIRE(like.woman_death_threshold == own.woman_death_threshold);
  REQUIRE(like.sample_places == own.sample_places);
  REQUIRE(like.migration == own.migration);
  // The behaviour, taken from the first plan, is what planning it afresh gives: it does not
  // depend on the population.
  REQUIRE(like.birth_value == own.birth_value);
  REQUIRE(like.response_month == own.response_month);
  REQUIRE(like.band_income == own.band_income);
  REQUIRE(like.beta_per_percent == own.beta_per_percent);
  REQUIRE(like.employment_demand == own.employment_demand);
  REQUIRE(like.net_price.size() == own.net_price.size());
}
