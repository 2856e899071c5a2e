#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "sim/input/scenario.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::load_error;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;

namespace {

//! The 1-based line of the first occurrence of `text` in a file.
int line_of(const std::filesystem::path& file, const std::string& text) {
  std::istringstream in(read_file(file));
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find(text) != std::string::npos) return n;
  }
  FAIL("text not found in " << file << ": " << text);
  return 0;
}

const Measure& find(const Scenario& s, const std::string& id) {
  const auto it = std::find_if(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == id; });
  REQUIRE(it != s.measures.end());
  return *it;
}

}  // namespace

TEST_CASE("the shipped default scenario loads with its chain and measures", "[scenario]") {
  const Scenario s = load_scenario(default_scenario_path());
  REQUIRE(s.id == "xihu_current");
  REQUIRE(s.start_year == 2025);
  REQUIRE(s.end_year == 2035);
  REQUIRE(s.chain.size() == 4);
  REQUIRE(s.chain.front().id == "china");
  REQUIRE(s.place().id == "xihu");
  REQUIRE(s.place().level == Payer::county);
  REQUIRE(s.at_level(Payer::province)->region == Region::central);
  const Measure& national = find(s, "national_childcare_subsidy");
  REQUIRE(national.kind == MeasureKind::child_cash);
  REQUIRE(national.phases.front().fen_per_unit == 30000);  // 3,600 yuan a year
  REQUIRE(national.eligibility.valid_from == month_index(2025, 1));
  const Measure& op = find(s, "xihu_inclusive_childcare_operating_subsidy");
  REQUIRE(op.kind == MeasureKind::operating_subsidy);
  REQUIRE(op.phases.front().fen_per_unit == 12600);  // 002 art. 11: 126 yuan per child per month
  REQUIRE(op.source.find("西发〔2023〕8号 art. 11") != std::string::npos);
  REQUIRE(op.payers.ppm[static_cast<std::size_t>(Payer::county)] == PPM);
  // Free preschool: the central share for a central-region province is 60 %.
  REQUIRE(find(s, "national_free_preschool_public").payers.ppm[0] == 600000);
  REQUIRE(s.profile.births == 2351);  // [observed] births 2025, the first year
  REQUIRE(s.resolved_text.find("jurisdictions/xihu.toml") != std::string::npos);
  REQUIRE(s.resolved_text.find("xihu_baseline.toml") != std::string::npos);  // the base is part of it
}

TEST_CASE("a scenario states only what differs from its base", "[scenario]") {
  const Scenario base = load_scenario(shipped_scenarios_dir() / "xihu_current.toml");
  const Scenario lever = load_scenario(shipped_scenarios_dir() / "xihu_free_preschool_all_years.toml");
  REQUIRE(lever.seed == base.seed);
  REQUIRE(lever.measures.size() == base.measures.size());  // two replaced by two
  REQUIRE(std::none_of(lever.measures.begin(), lever.measures.end(),
                       [](const Measure& m) { return m.id == "national_free_preschool_public"; }));
  REQUIRE(find(lever, "free_preschool_all_years_public").phases.front().kindergarten_years == 0b111);
}

TEST_CASE("a TOML syntax error names file, line and column", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/002_xihu.toml", "kind = \"operating_subsidy\"", "kind = \"operating_subsidy");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("002_xihu.toml") != std::string::npos);
  REQUIRE(e.line() == line_of(c.path("packages/002_xihu.toml"), "kind = \"operating_subsidy"));
  REQUIRE(std::string(e.what()).find("syntax") != std::string::npos);
}

TEST_CASE("an unknown key is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("xihu_current.toml", "base = ", "replicatoins = 5\nbase = ");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.field() == "scenario.replicatoins");
  REQUIRE(e.line() == line_of(c.path("xihu_current.toml"), "replicatoins"));
  REQUIRE(std::string(e.what()).find("unknown key") != std::string::npos);
}

TEST_CASE("a value of the wrong type is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("xihu_baseline.toml", "start_year = 2025", "start_year = \"2025\"");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("xihu_baseline.toml") != std::string::npos);  // the base that holds it
  REQUIRE(e.field() == "scenario.start_year");
  REQUIRE(e.line() == line_of(c.path("xihu_baseline.toml"), "start_year"));
  REQUIRE(std::string(e.what()).find("expected an integer") != std::string::npos);
}

TEST_CASE("a negative amount is rejected with its field", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/002_xihu.toml", "value = 126,", "value = -126,");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("002_xihu.toml") != std::string::npos);
  REQUIRE(e.field() == "measure[3].amount.value");
  REQUIRE(e.line() == line_of(c.path("packages/002_xihu.toml"), "value = -126,"));
  REQUIRE(std::string(e.what()).find("negative") != std::string::npos);
}

TEST_CASE("payer shares that do not sum to 1 are rejected", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("packages/national.toml", "central = { value = 0.9,", "central = { value = 0.8,");
  const ScenarioError e = load_error(c.path("xihu_current.toml"));
  REQUIRE(e.file().find("national.toml") != std::string::npos);
  REQUIRE(e.field().find("measure[0].payers") == 0);
  REQUIRE(std::string(e.what()).find("sum to 1") != std::string::npos);
  REQUIRE(e.line() == line_of(c.path("packages/national.toml"), "[measure.payers]"));
  // By region: every region must sum to 1, not only this place's.
  ScenarioCopy d;
  d.edit("packages/national.toml", "east = 0.5, central = 0.6, west = 0.8", "east = 0.4, central = 0.6, west = 0.8");
  REQUIRE(std::string(load_error(d.path("xihu_current.toml")).what()).find("east region") != std::string::npos);
}

TEST_CASE("an estimate without a range and an unknown tag are rejected", "[scenario][errors]") {
  ScenarioCopy c;
  c.edit("jurisdictions/xihu.toml", "tag = \"E\", range = [2400, 3300],", "tag = \"E\",");
  REQUIRE(load_error(c.path("xihu_current.toml")).field() == "fertility.births.range");
  ScenarioCopy d;
  d.edit("jurisdictions/xihu.toml", "value = 495600, tag = \"S\"", "value = 495600, tag = \"X\"");
  REQUIRE(load_error(d.path("xihu_current.toml")).field() == "population.persons.tag");
}

TEST_CASE("other bad input is rejected with its field", "[scenario][errors]") {
  struct Breakage {
    const char* what;
    const char* file;  // edited, in a fresh copy of scenarios/
    std::string from, to;
    const char* scenario;  // loaded
    const char* field;     // the error's field
    const char* says;      // in the message, if not empty
  };
  const char* current = "xihu_current.toml";
  const Breakage breakages[] = {
      {"missing package file", "xihu_current.toml", "packages/002_xihu.toml", "packages/nope.toml", current,
       "scenario.packages", ""},
      {"unknown kind", "packages/002_xihu.toml", "kind = \"operating_subsidy\"", "kind = \"housing_grant\"", current,
       "measure[3].kind", ""},
      {"a basis the kind does not count", "packages/002_xihu.toml", "basis = \"new_slot\"", "basis = \"birth\"",
       current, "measure[1].basis", ""},
      {"duplicate measure id", "packages/002_xihu.toml", "id = \"xihu_inclusive_childcare_operating_subsidy\"",
       "id = \"national_childcare_subsidy\"", current, "measure[3].id", ""},
      {"birth-order shares off", "jurisdictions/xihu.toml", "values = [0.52, 0.40, 0.08]",
       "values = [0.52, 0.40, 0.18]", current, "fertility.birth_order_shares", ""},
      // The vaccine fee, seventh in the file, counts child-months.
      {"providers on a measure that counts neither enrolment nor places", "packages/002_xihu.toml",
       "birth_orders = [3]\nresidency = \"local\"",
       "birth_orders = [3]\nproviders = [\"public\"]\nresidency = \"local\"", current, "measure[6].eligibility",
       "providers apply only"},
      {"once per household on a measure counted on births", "packages/002_xihu.toml", "min_mother_age = 35\n",
       "min_mother_age = 35\nonce_per_household = true\n", current, "measure[8].eligibility",
       "once_per_household applies only to measures counted in child-months"},
      {"once per household on a measure that leaves out earlier children", "packages/002_xihu.toml",
       "birth_orders = [3]\nresidency = \"local\"",
       "birth_orders = [3]\nonce_per_household = true\nresidency = \"local\"", current, "measure[6].eligibility",
       "every birth order"},
      {"take-up above 1", "packages/national.toml", "take_up = { value = 0.9,", "take_up = { value = 1.9,", current,
       "measure[0].take_up.value", ""},
      {"a package of a place above which this one does not sit", "packages/002_xihu.toml", "issued_by = \"xihu\"",
       "issued_by = \"zhangping\"", current, "package.issued_by", ""},
      {"payers on a separate-ledger measure", "packages/national.toml",
       "[measure.eligibility]\nmin_age_months = 0\nmax_age_months = 36\nvalid_from = 2023-01-01",
       "[measure.eligibility]\nmin_age_months = 0\nmax_age_months = 36\nvalid_from = 2023-01-01\n\n"
       "[measure.payers]\ncentral = { value = 1.0, tag = \"S\", source = \"x\" }",
       current, "measure[3].payers", ""},
      {"an excluded measure that does not exist", "xihu_free_preschool_all_years.toml",
       "\"national_free_preschool_private\"", "\"no_such_measure\"", "xihu_free_preschool_all_years.toml",
       "scenario.exclude_measures", ""},
      {"an unknown uncertain parameter", "xihu_baseline.toml", "fertility_level = {", "fertility_levle = {", current,
       "uncertainty.fertility_levle", ""},
      {"a distribution the engine does not know", "xihu_baseline.toml", "distribution = \"uniform\"",
       "distribution = \"cauchy\"", current, "uncertainty.childcare_demand_level.distribution", ""},
      {"a horizon the population cannot support", "xihu_baseline.toml", "end_year = 2035", "end_year = 2040", current,
       "scenario.end_year", ""},
      {"an age-sex structure that does not sum to 1000", "jurisdictions/xihu.toml",
       "males_per_1000 = { values = [19.2,", "males_per_1000 = { values = [119.2,", current,
       "population.females_per_1000", "sum to 1100"},
      {"a life table with a group missing", "jurisdictions/xihu.toml", "life_table_male = { values = [6.1303, ",
       "life_table_male = { values = [", current, "mortality.life_table_male.values", ""},
      {"a life expectancy out of range", "jurisdictions/xihu.toml",
       "life_expectancy = { value = 79.0, tag = \"E\", range = [77.5, 80.5]",
       "life_expectancy = { value = 790, tag = \"E\", range = [77.5, 800]", current, "mortality.life_expectancy.value",
       ""},
  };
  for (const Breakage& b : breakages) {
    INFO(b.what);
    ScenarioCopy c;
    c.edit(b.file, b.from, b.to);
    const ScenarioError e = load_error(c.path(b.scenario));
    REQUIRE(e.field() == b.field);
    REQUIRE(std::string(e.what()).find(b.says) != std::string::npos);
  }
}

TEST_CASE("a scenario lists every uncertain parameter of the table, neutral where not drawn", "[scenario]") {
  ScenarioCopy copy;
  copy.edit("xihu_baseline.toml", "childcare_price_elasticity = {", "# childcare_price_elasticity = {");
  const Scenario s = load_scenario(copy.path("xihu_current.toml"));
  const auto table = uncertain_parameters();
  REQUIRE(s.uncertainty.size() == table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    REQUIRE(s.uncertainty[i].id == table[i].id);
    REQUIRE(s.uncertainty[i].name == table[i].name);
    REQUIRE(parse_parameter(table[i].name) == table[i].id);
    REQUIRE(!table[i].unit.empty());
    REQUIRE(!table[i].acts_on.empty());
  }
  const UncertainParameter& elasticity = s.uncertainty.back();
  REQUIRE(elasticity.id == ParameterId::childcare_price_elasticity);
  REQUIRE(elasticity.distribution.kind == Distribution::Kind::fixed);
  REQUIRE(elasticity.distribution.a == 0.0);
  REQUIRE(elasticity.source == "not drawn: neutral value");
  REQUIRE(s.uncertainty[1].distribution.kind == Distribution::Kind::truncated_normal);  // fertility_level, drawn
  REQUIRE(parameter_info(ParameterId::fertility_level).neutral.a == 1.0);
  REQUIRE(parameter_info(ParameterId::childcare_demand_level).neutral.a == 1.0);
  REQUIRE(parameter_info(ParameterId::birth_response).neutral.a == 0.0);
  REQUIRE(parameter_info(ParameterId::fertility_trend).neutral.a == 0.0);
  REQUIRE(!parse_parameter("fertility_levle"));
}
