// Regression against a small reference result: a 1-in-50 sample of the default scenario,
// two replications, every model switched on. Any change to what the engine computes
// shows here as a difference in a named number. When a change is meant to move the
// results, regenerate the reference and commit it with the change:
//
//   CRADLE_UPDATE_REFERENCE=1 ./build/tests/cradle_tests "[reference]"
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/engine/engine.h"
#include "tests/test_helpers.h"

using namespace cradle;

namespace {

const std::filesystem::path REFERENCE =
    std::filesystem::path(CRADLE_SOURCE_DIR) / "tests/data/reference/xihu_current_1in50.txt";

//! The results as lines "quantity replication year [index] value", in a fixed order.
std::string describe(const ScenarioResults& r) {
  std::ostringstream out;
  for (std::size_t rep = 0; rep < static_cast<std::size_t>(r.replications); ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const auto line = [&](const std::string& name, std::int64_t v) {
        out << name << ' ' << rep << ' ' << r.years[y] << ' ' << v << '\n';
      };
      for (std::size_t k = 0; k < 3; ++k)
        line("births_order_" + std::to_string(k + 1), r.births[r.births_index(rep, y, k)]);
      const std::size_t i = r.year_index(rep, y);
      line("child_months_under3", r.child_months_under3[i]);
      line("childcare_demand_months", r.childcare_demand_months[i]);
      line("childcare_enrolled_months", r.childcare_enrolled_months[i]);
      line("kindergarten_enrolled_months", r.kindergarten_enrolled_months[i]);
      line("deaths", r.deaths[i]);
      line("population", r.population[i]);
      line("net_migration", r.net_migration[i]);
      for (std::size_t m = 0; m < r.measures.size(); ++m) {
        line("caseload:" + r.measures[m].id, r.caseload[r.caseload_index(rep, y, m)]);
        for (std::size_t p = 0; p < r.payers.size(); ++p) {
          line("outlay_fen:" + r.measures[m].id + ":" + r.payers[p], r.outlay_fen[r.outlay_index(rep, y, m, p)]);
        }
      }
      for (std::size_t m = 0; m < r.ledger_measures.size(); ++m) {
        line("ledger_fen:" + r.ledger_measures[m].id, r.ledger_fen[r.ledger_index(rep, y, m)]);
      }
    }
  }
  return out.str();
}

}  // namespace

TEST_CASE("regression: a small run reproduces the reference results line by line", "[engine][reference]") {
  const Scenario& s = cradle::testing::default_scenario();
  const BasePopulation sample = generate_sample(s.profile, s.start_year, s.seed, 50);
  const std::string now = describe(simulate(s, sample, RunOptions{2, s.seed}));
  if (std::getenv("CRADLE_UPDATE_REFERENCE") != nullptr) {
    std::filesystem::create_directories(REFERENCE.parent_path());
    std::ofstream(REFERENCE) << now;
    WARN("reference rewritten: " << REFERENCE.string());
    return;
  }
  const std::string expected = cradle::testing::read_file(REFERENCE);
  REQUIRE_FALSE(expected.empty());
  std::istringstream a(now), b(expected);
  std::string got, want;
  int line = 0;
  while (std::getline(b, want)) {
    ++line;
    REQUIRE(std::getline(a, got));
    INFO(REFERENCE.string() << ":" << line);
    REQUIRE(got == want);
  }
  REQUIRE_FALSE(std::getline(a, got));  // nothing more than the reference
}
