// Estimates drawn per replication (sim/input/estimate.h, sim/input/estimate_draws.h):
// the registry, the choice in [uncertainty], the draws (range, reproducibility, common
// random numbers, triangular shape), the replication's scenario and the engine's use of it.
#include <catch2/catch.hpp>

#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "sim/engine/engine.h"
#include "sim/input/estimate_draws.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::ScenarioCopy;

namespace {

const Estimate& find_estimate(const Scenario& s, const std::string& key) {
  for (const Estimate& e : s.estimates) {
    if (e.key == key) return e;
  }
  FAIL("no estimate " << key);
  return s.estimates.front();
}

std::size_t index_of(const Scenario& s, const std::string& key) {
  return static_cast<std::size_t>(&find_estimate(s, key) - s.estimates.data());
}

const std::string TAX_TAKE_UP = "national:measure.national_childcare_tax_deduction.take_up";
const std::string HOME_PURCHASE = "xihu:events.home_purchase_rate";

//! xihu_current drawing `keys`, over `first`-`last`.
Scenario drawing(const ScenarioCopy& c, const std::string& keys, int last = 2035) {
  c.edit("xihu_baseline.toml", "[uncertainty]\n", "[uncertainty]\nestimates = " + keys + "\n");
  c.edit("xihu_baseline.toml", "end_year = 2035", "end_year = " + std::to_string(last));
  return load_scenario(c.path("xihu_current.toml"));
}

//! Spearman's rank correlation of two samples without ties.
double rank_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  auto ranks = [](const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = static_cast<double>(i);
    return r;
  };
  const std::vector<double> rx = ranks(x), ry = ranks(y);
  const double n = static_cast<double>(x.size());
  double d2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) d2 += (rx[i] - ry[i]) * (rx[i] - ry[i]);
  return 1 - 6 * d2 / (n * (n * n - 1));
}

}  // namespace

TEST_CASE("estimates: the registry lists every scalar figure tagged E with a range, keyed by file and field",
          "[estimates]") {
  const Scenario s = load_scenario(default_scenario_path());
  const Estimate& home = find_estimate(s, HOME_PURCHASE);
  CHECK(home.value == 0.02);
  CHECK(home.low == 0.005);
  CHECK(home.high == 0.05);
  CHECK(home.measure.empty());
  CHECK(home.file.find("xihu.toml") != std::string::npos);
  CHECK(home.line == 91);
  const Estimate& hpv = find_estimate(s, "002_xihu:measure.xihu_hpv_screening_at_birth.take_up");
  CHECK(hpv.value == 0.7);
  CHECK(hpv.low == 0.4);
  CHECK(hpv.high == 1.0);
  CHECK(hpv.measure == "xihu_hpv_screening_at_birth");
  CHECK(hpv.source.find("share of eligible women screened") != std::string::npos);
  const Estimate& amount = find_estimate(s, "002_xihu:measure.xihu_hpv_screening_at_birth.amount");
  CHECK(amount.value == 200);
  CHECK(amount.step == 0.01);
  CHECK(find_estimate(s, "china:budget.growth").high == 0.06);
  CHECK(find_estimate(s, TAX_TAKE_UP).value == 0.3);
  // Keys are unique; lists (range_factor), stated figures and payer shares are not estimates.
  std::set<std::string> keys;
  for (const Estimate& e : s.estimates) {
    CHECK(keys.insert(e.key).second);
    CHECK(e.low <= e.value);
    CHECK(e.value <= e.high);
  }
  CHECK(keys.count("xihu:population.household_size_shares") == 0);
  CHECK(keys.count("xihu:population.persons") == 0);
  CHECK(keys.count("002_xihu:measure.xihu_preschool_aid.payers.county") == 0);
  CHECK(s.estimates.size() > 40);
  // Nothing is drawn unless asked.
  CHECK(s.drawn_estimates.empty());
  Scenario all = s;
  draw_all_estimates(all);
  CHECK(all.drawn_estimates.size() == s.estimates.size());
}

TEST_CASE("estimates: [uncertainty] estimates chooses them, a later file's list replaces its base's", "[estimates]") {
  ScenarioCopy c;
  c.edit("xihu_baseline.toml", "[uncertainty]\n", "[uncertainty]\nestimates = \"all\"\n");
  const Scenario base = load_scenario(c.path("xihu_baseline.toml"));
  CHECK(base.drawn_estimates.size() == base.estimates.size());
  c.write("child.toml", "[scenario]\nid = \"child\"\ntitle = \"t\"\nbase = \"xihu_current.toml\"\n\n[uncertainty]\n"
                        "estimates = [\"" + TAX_TAKE_UP + "\", \"" + HOME_PURCHASE + "\"]\n");
  const Scenario child = load_scenario(c.path("child.toml"));
  REQUIRE(child.drawn_estimates.size() == 2);
  // In the registry's order, whatever the list's.
  CHECK(child.estimates[child.drawn_estimates[0]].key == HOME_PURCHASE);
  CHECK(child.estimates[child.drawn_estimates[1]].key == TAX_TAKE_UP);
}

TEST_CASE("estimates: an unknown key fails with file, line and field", "[estimates]") {
  ScenarioCopy c;
  c.write("child.toml", "[scenario]\nid = \"child\"\ntitle = \"t\"\nbase = \"xihu_current.toml\"\n\n[uncertainty]\n"
                        "estimates = [\"xihu:events.home_purchase_rate\", \"xihu:events.no_such_rate\"]\n");
  const ScenarioError e = testing::load_error(c.path("child.toml"));
  CHECK(e.file().find("child.toml") != std::string::npos);
  CHECK(e.line() == 7);
  CHECK(e.field() == "uncertainty.estimates");
  CHECK(std::string(e.what()).find("xihu:events.no_such_rate") != std::string::npos);
  c.write("bad.toml", "[scenario]\nid = \"bad\"\ntitle = \"t\"\nbase = \"xihu_current.toml\"\n\n[uncertainty]\n"
                      "estimates = \"some\"\n");
  CHECK(testing::load_error(c.path("bad.toml")).field() == "uncertainty.estimates");
}

TEST_CASE("estimates: draws are within range, reproducible, triangular, and shared by scenarios (CRN)",
          "[estimates]") {
  Scenario current = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  Scenario baseline = load_scenario(shipped_scenarios_dir() / "xihu_baseline.toml");
  draw_all_estimates(current);
  draw_all_estimates(baseline);
  const std::size_t home_c = index_of(current, HOME_PURCHASE), home_b = index_of(baseline, HOME_PURCHASE);
  const auto at = [](const Scenario& s, const std::vector<double>& v, std::size_t estimate) {
    return v[static_cast<std::size_t>(std::find(s.drawn_estimates.begin(), s.drawn_estimates.end(), estimate) -
                                      s.drawn_estimates.begin())];
  };
  const Estimate& home = current.estimates[home_c];
  const int R = 4000;
  double sum = 0;
  for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(R); ++r) {
    const std::vector<double> v = draw_estimates(current, r);
    REQUIRE(v.size() == current.drawn_estimates.size());
    if (r < 20) {
      REQUIRE(v == draw_estimates(current, r));  // reproducible
      for (std::size_t k = 0; k < v.size(); ++k) {
        const Estimate& e = current.estimates[current.drawn_estimates[k]];
        REQUIRE(v[k] >= e.low);
        REQUIRE(v[k] <= e.high);
        if (e.step > 0) REQUIRE(std::fabs(v[k] / e.step - std::round(v[k] / e.step)) < 1e-6);
      }
      // Common random numbers: the baseline shares the profile and national estimates.
      const std::vector<double> b = draw_estimates(baseline, r);
      REQUIRE(at(current, v, home_c) == at(baseline, b, home_b));
      REQUIRE(at(current, v, index_of(current, TAX_TAKE_UP)) == at(baseline, b, index_of(baseline, TAX_TAKE_UP)));
    }
    sum += at(current, v, home_c);
  }
  // Triangular(low, mode, high): mean (low + mode + high) / 3, variance (a²+b²+c²-ab-ac-bc)/18.
  const double a = home.low, b = home.high, m = home.value;
  const double mean = (a + b + m) / 3, sd = std::sqrt((a * a + b * b + m * m - a * b - a * m - b * m) / 18);
  INFO("mean of " << R << " draws " << sum / R << ", expected " << mean);
  CHECK(std::fabs(sum / R - mean) < 4 * sd / std::sqrt(R));
  // Another seed draws other values.
  Scenario reseeded = current;
  reseeded.seed += 1;
  CHECK(draw_estimates(reseeded, 0) != draw_estimates(current, 0));
}

TEST_CASE("estimates: replication r's scenario carries its drawn values, checked by the readers", "[estimates]") {
  ScenarioCopy c;
  const Scenario s = drawing(c, "[\"" + HOME_PURCHASE + "\", \"" + TAX_TAKE_UP +
                                    "\", \"002_xihu:measure.xihu_hpv_screening_at_birth.amount\"]");
  const auto measure = [](const Scenario& sc, const std::string& id) {
    return *std::find_if(sc.measures.begin(), sc.measures.end(), [&](const Measure& m) { return m.id == id; });
  };
  for (std::uint32_t r = 0; r < 3; ++r) {
    const std::vector<double> v = draw_estimates(s, r);  // registry order: xihu, national, 002_xihu
    const Scenario rs = scenario_for_replication(s, r);
    CHECK(rs.profile.home_purchase_rate == v[0]);
    CHECK(measure(rs, "national_childcare_tax_deduction").take_up == v[1]);
    CHECK(measure(rs, "xihu_hpv_screening_at_birth").phases[0].fen_per_unit == std::llround(v[2] * 100));
    // Everything else is the scenario's own.
    CHECK(measure(rs, "xihu_hpv_screening_at_birth").take_up == 0.7);
    CHECK(rs.profile.births == s.profile.births);
    CHECK(rs.drawn_estimates == s.drawn_estimates);
    CHECK(rs.estimates.size() == s.estimates.size());
  }
  // A value outside what the reader allows fails there, naming the estimate.
  try {
    load_scenario(s.file, EstimateOverrides{{HOME_PURCHASE, 0.2}});
    FAIL("loaded");
  } catch (const ScenarioError& e) {
    CHECK(e.field() == "events.home_purchase_rate");
    CHECK(std::string(e.what()).find("cannot be 0.2") != std::string::npos);
  }
  // A draw the files reject names the estimate, the replication and the value.
  Scenario widened = s;
  widened.estimates[index_of(s, HOME_PURCHASE)].low = 0.5;
  widened.estimates[index_of(s, HOME_PURCHASE)].value = 0.6;
  widened.estimates[index_of(s, HOME_PURCHASE)].high = 0.9;
  try {
    scenario_for_replication(widened, 7);
    FAIL("loaded");
  } catch (const ScenarioError& e) {
    const std::string what = e.what();
    CHECK(what.find(HOME_PURCHASE + " = 0.") != std::string::npos);
    CHECK(what.find("replication 7") != std::string::npos);
  }
}

TEST_CASE("estimates: nothing drawn, the scenario is returned as it is without reading", "[estimates]") {
  Scenario s;
  {
    ScenarioCopy c;
    s = load_scenario(c.path("xihu_current.toml"));
  }  // the files are gone
  const Scenario r = scenario_for_replication(s, 3);
  CHECK(r.id == s.id);
  CHECK(r.measures.size() == s.measures.size());
  CHECK(draw_estimates(s, 3).empty());
}

TEST_CASE("estimates: a drawn take-up moves its measure's cost with the draw, and is recorded as a parameter",
          "[estimates][engine]") {
  ScenarioCopy c;
  const Scenario s = testing::neutral(drawing(c, "[\"" + TAX_TAKE_UP + "\"]", 2026));
  const BasePopulation pop = generate_sample(s.profile, s.start_year, s.seed, 40);
  const int R = 30;
  ScenarioResults res;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    res = simulate(s, pop, RunOptions{R, s.seed});
  }
  const std::size_t n = res.parameter_labels.size();
  REQUIRE(n == s.uncertainty.size() + 1);
  CHECK(res.parameter_labels.back().name == TAX_TAKE_UP);
  CHECK(res.parameter_labels.back().distribution == "triangular");
  CHECK(res.parameter_labels.back().centre == 0.3);
  std::size_t m = 0;
  while (res.ledger_measures[m].id != "national_childcare_tax_deduction") ++m;
  std::vector<double> drawn, cost;
  for (std::size_t r = 0; r < static_cast<std::size_t>(R); ++r) {
    drawn.push_back(res.parameters[r * n + n - 1]);
    REQUIRE(drawn.back() == draw_estimates(s, static_cast<std::uint32_t>(r)).front());
    cost.push_back(static_cast<double>(res.ledger_fen[res.ledger_index(r, 0, m)]));
  }
  const double rho = rank_correlation(drawn, cost);
  INFO("rank correlation of the drawn take-up and the deduction's cost: " << rho);
  CHECK(rho > 0.5);
  // Replication r's results depend neither on the threads nor on how many run.
  ScenarioResults few;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    few = simulate(s, pop, RunOptions{3, s.seed});
  }
  CHECK(std::equal(few.ledger_fen.begin(), few.ledger_fen.end(), res.ledger_fen.begin()));
  CHECK(std::equal(few.outlay_fen.begin(), few.outlay_fen.end(), res.outlay_fen.begin()));
  CHECK(std::equal(few.parameters.begin(), few.parameters.end(), res.parameters.begin()));
}

TEST_CASE("estimates: each replication's population is built from its own drawn profile", "[estimates][population]") {
  ScenarioCopy c;
  const Scenario s = drawing(c, "[\"xihu:population.local_residency_share\"]", 2026);
  const PopulationSource source = replication_populations(s, 50);
  for (std::uint32_t r = 0; r < 3; ++r) {
    const std::shared_ptr<const BasePopulation> held = source(r);  // replication r's, built now: keep it alive
    const BasePopulation& pop = *held;
    const double share = draw_estimates(s, r).front();
    std::size_t local = 0;
    for (std::uint8_t f : pop.household_flags) local += (f & FLAG_LOCAL_RESIDENT) ? 1 : 0;
    const double simulated = static_cast<double>(local) / static_cast<double>(pop.households());
    INFO("replication " << r << ": drawn " << share << ", simulated " << simulated);
    CHECK(std::fabs(simulated - share) < 0.02);
    CHECK(pop.households() == replication_population(scenario_for_replication(s, r), 50, r).households());
  }
}
