// Regression against small reference results: a 1-in-50 sample of the default scenario,
// two replications, every model switched on; and a 1-in-20 sample of it with childcare
// places short in some years and a capped child measure. Any change to what the engine
// computes shows here as a difference in a named number. When a change is meant to move
// the results, regenerate the references and commit them with the change:
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

//! Requires `now` to equal the reference file line by line (or rewrites the file, when
//! CRADLE_UPDATE_REFERENCE is set).
void require_reference(const std::filesystem::path& reference, const std::string& now) {
  if (std::getenv("CRADLE_UPDATE_REFERENCE") != nullptr) {
    std::filesystem::create_directories(reference.parent_path());
    std::ofstream(reference) << now;
    WARN("reference rewritten: " << reference.string());
    return;
  }
  const std::string expected = cradle::testing::read_file(reference);
  REQUIRE_FALSE(expected.empty());
  std::istringstream a(now), b(expected);
  std::string got, want;
  int line = 0;
  while (std::getline(b, want)) {
    ++line;
    REQUIRE(std::getline(a, got));
    INFO(reference.string() << ":" << line);
    REQUIRE(got == want);
  }
  REQUIRE_FALSE(std::getline(a, got));  // nothing more than the reference
}

}  // namespace

TEST_CASE("regression: a small run reproduces the reference results line by line", "[engine][reference]") {
  const Scenario& s = cradle::testing::default_scenario();
  const BasePopulation sample = generate_sample(s.profile, s.start_year, s.seed, 50);
  require_reference(REFERENCE, describe(simulate(s, sample, RunOptions{2, s.seed})));
}

// The years whose places fall short are settled only after the rationing; the others are
// settled as each block's demand is known, which a short year must undo (its books, and
// what capped measures added to each child's paid-so-far). The reference was written by
// the engine that settled every year after the rationing.
TEST_CASE("regression: places short in some years, a capped measure: the reference results",
          "[engine][reference][capacity]") {
  cradle::testing::ScenarioCopy c;
  c.edit("jurisdictions/xihu.toml", "slots_per_1000 = { value = 3.90, tag = \"D\", range = [3.4, 4.7]",
         "slots_per_1000 = { value = 0.5, tag = \"D\", range = [0.4, 4.7]");
  c.edit("jurisdictions/xihu.toml", "target_slots_per_1000 = { value = 4.5, tag = \"S\"",
         "target_slots_per_1000 = { value = 2.0, tag = \"S\"");
  // The national subsidy (300 yuan a month) capped at 5,000 yuan a child: reached in the run.
  c.edit("packages/national.toml", "[measure.payers]", "[measure.cap]\nper_person = 5000\n\n[measure.payers]");
  const Scenario s = load_scenario(c.path("xihu_current.toml"));
  const BasePopulation sample = generate_sample(s.profile, s.start_year, s.seed, 20);
  const ScenarioResults r = simulate(s, sample, RunOptions{3, s.seed});
  // Short and ample years both, so both ways of settling are checked.
  int short_years = 0, ample_years = 0;
  for (std::size_t rep = 0; rep < 3; ++rep) {
    for (std::size_t y = 0; y < r.n_years(); ++y) {
      const auto i = r.year_index(rep, y);
      (r.childcare_demand_months[i] > r.childcare_enrolled_months[i] ? short_years : ample_years)++;
    }
  }
  CHECK(short_years >= 3);
  CHECK(ample_years >= 3);
  require_reference(std::filesystem::path(CRADLE_SOURCE_DIR) / "tests/data/reference/xihu_places_short_1in20.txt",
                    describe(r));
}
