#include <catch2/catch.hpp>

#include "sim/scenario.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::ScenarioCopy;

namespace {

//! Loads a scenario that must fail; returns the error.
ScenarioError load_error(const std::filesystem::path& p) {
  try {
    load_scenario(p);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("the scenario loaded without error: " << p);
  throw;  // unreachable
}

}  // namespace

TEST_CASE("the shipped default scenario loads with its two measures", "[scenario]") {
  const Scenario s = load_scenario(default_scenario_path());
  REQUIRE(s.id == "xihu_current");
  REQUIRE(s.start_year == 2025);
  REQUIRE(s.end_year == 2030);
  REQUIRE(s.measures.size() == 2);
  const Measure& national = s.measures[0];
  REQUIRE(national.id == "national_childcare_subsidy");
  REQUIRE(national.kind == MeasureKind::child_cash);
  REQUIRE(national.fen_per_month == 30000);  // 3,600 yuan a year
  REQUIRE(national.eligibility.valid_from == month_index(2025, 1));
  REQUIRE(national.eligibility.max_age_months == 36);
  const Measure& op = s.measures[1];
  REQUIRE(op.kind == MeasureKind::operating_subsidy);
  REQUIRE(op.fen_per_month == 12600);  // 002 art. 11: 126 yuan per child per month
  REQUIRE(op.source.find("002_abad0771a3d83852.txt art. 11") != std::string::npos);
  REQUIRE(op.eligibility.provider == static_cast<std::uint8_t>(ProviderClass::inclusive));
  REQUIRE(op.payers.ppm[static_cast<std::size_t>(Payer::district)] == PPM);
  REQUIRE(s.profile.births == 2800);
  REQUIRE(s.resolved_text.find("nanchang_xihu.toml") != std::string::npos);
  REQUIRE(s.resolved_text.find("126") != std::string::npos);
}

TEST_CASE("a TOML syntax error names file, line and column", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/002_xihu.toml", "kind = \"operating_subsidy\"", "kind = \"operating_subsidy");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("002_xihu.toml") != std::string::npos);
  REQUIRE(e.line() == 14);
  REQUIRE(std::string(e.what()).find("syntax") != std::string::npos);
}

TEST_CASE("an unknown key is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("xihu_current.toml", "seed = 20251122", "seed = 20251122\nreplicatoins = 5");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.field() == "scenario.replicatoins");
  REQUIRE(e.line() == 13);
  REQUIRE(std::string(e.what()).find("unknown key") != std::string::npos);
}

TEST_CASE("a value of the wrong type is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("xihu_current.toml", "start_year = 2025", "start_year = \"2025\"");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.field() == "scenario.start_year");
  REQUIRE(e.line() == 9);
  REQUIRE(std::string(e.what()).find("expected an integer") != std::string::npos);
}

TEST_CASE("a negative amount is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/002_xihu.toml", "value = 126,", "value = -126,");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("002_xihu.toml") != std::string::npos);
  REQUIRE(e.field() == "measure[0].amount.value");
  REQUIRE(e.line() == 18);
  REQUIRE(std::string(e.what()).find("negative") != std::string::npos);
}

TEST_CASE("payer shares that do not sum to 1 are rejected", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/national.toml", "central = { value = 0.9,", "central = { value = 0.8,");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("national.toml") != std::string::npos);
  REQUIRE(e.field().find("measure[0].payers") == 0);
  REQUIRE(std::string(e.what()).find("sum to 1") != std::string::npos);
  REQUIRE(e.line() > 0);
}

TEST_CASE("an estimate without a range and an unknown tag are rejected", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("jurisdictions/nanchang_xihu.toml", "tag = \"E\", range = [2400, 3300],", "tag = \"E\",");
  REQUIRE(load_error(c.path("xihu_current.toml")).field() == "fertility.births.range");
  ScenarioCopy d;
  d.edit("jurisdictions/nanchang_xihu.toml", "value = 495600, tag = \"S\"", "value = 495600, tag = \"X\"");
  REQUIRE(load_error(d.path("xihu_current.toml")).field() == "population.persons.tag");
}

TEST_CASE("other bad input: missing files, duplicate ids, unknown kinds, shares", "[scenario][errors]") {
  SECTION("missing package file") {
    ScenarioCopy c;
    c.edit("xihu_current.toml", "packages/002_xihu.toml", "packages/nope.toml");
    REQUIRE(load_error(c.path("xihu_current.toml")).field() == "scenario.packages");
  }
  SECTION("unknown kind") {
    ScenarioCopy c;
    c.edit("packages/002_xihu.toml", "kind = \"operating_subsidy\"", "kind = \"housing_grant\"");
    REQUIRE(load_error(c.path("xihu_current.toml")).field() == "measure[0].kind");
  }
  SECTION("duplicate measure id") {
    ScenarioCopy c;
    c.edit("packages/002_xihu.toml", "id = \"xihu_inclusive_childcare_operating_subsidy\"",
           "id = \"national_childcare_subsidy\"");
    REQUIRE(load_error(c.path("xihu_current.toml")).field() == "measure[0].id");
  }
  SECTION("birth-order shares off") {
    ScenarioCopy c;
    c.edit("jurisdictions/nanchang_xihu.toml", "values = [0.52, 0.40, 0.08]", "values = [0.52, 0.40, 0.18]");
    REQUIRE(load_error(c.path("xihu_current.toml")).field() == "fertility.birth_order_shares");
  }
  SECTION("take-up above 1") {
    ScenarioCopy c;
    c.edit("packages/national.toml", "take_up = { value = 0.9,", "take_up = { value = 1.9,");
    REQUIRE(load_error(c.path("xihu_current.toml")).field() == "measure[0].take_up.value");
  }
}
