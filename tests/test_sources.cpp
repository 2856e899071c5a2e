// The tables from the documents' articles to the measures (scenarios/sources) against the
// shipped packages: every measure cites an article its document's table lists, every
// costed article names measures that exist, every row has a status and, where not costed,
// a reason; a malformed table is refused with file, line and field; `cradle list
// --sources` prints a table; and documents that expire stop paying unless renewed.
//
// How a citation is read (sim/input/sources_reader.h, cited_articles): a measure's
// `source` cites an article of a document as "<cite> art. A" or "<cite> annex A", <cite>
// being the table's `cite` (the document number, or issuer and title where the text gives
// none); ", art. B" and " and art. B" chain further articles of the same document. An
// article runs to the first space, comma, colon or semicolon.
#include <catch2/catch.hpp>

#include <tbb/global_control.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "sim/cli/cli.h"
#include "sim/engine/engine.h"
#include "sim/input/shipped.h"
#include "sim/input/sources_reader.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::cli;
using cradle::testing::default_population;
using cradle::testing::ScenarioCopy;

namespace {

//! Every measure of every shipped package: id → (package id, source text).
struct ShippedMeasure {
  std::string package, source;
};

std::map<std::string, ShippedMeasure> shipped_measures() {
  std::map<std::string, ShippedMeasure> out;
  for (const auto& e : std::filesystem::directory_iterator(shipped_scenarios_dir() / "packages")) {
    if (e.path().extension() != ".toml") continue;
    const toml::table t = toml::parse_file(e.path().string());
    const std::string package = t["package"]["id"].value_or(std::string());
    if (const toml::array* ms = t["measure"].as_array()) {
      for (const auto& m : *ms) {
        const toml::table& mt = *m.as_table();
        out[mt["id"].value_or(std::string())] = {package, mt["source"].value_or(std::string())};
      }
    }
  }
  return out;
}

std::vector<SourcesTable> shipped_tables() {
  std::vector<SourcesTable> out;
  for (const auto& f : toml_files(shipped_scenarios_dir() / "sources")) out.push_back(read_sources(f));
  return out;
}

}  // namespace

TEST_CASE("sources: a citation names its articles", "[sources]") {
  using V = std::vector<std::string>;
  REQUIRE(cited_articles("西发〔2023〕8号 art. 11", "西发〔2023〕8号") == V{"11"});
  REQUIRE(cited_articles("赣府厅发〔2025〕11号 art. (四); restated in X art. 六", "赣府厅发〔2025〕11号") == V{"(四)"});
  REQUIRE(cited_articles("rule (calibration.md); 赣府厅发〔2025〕11号 art. (三)", "赣府厅发〔2025〕11号") == V{"(三)"});
  REQUIRE(cited_articles("D art. 4, art. 5 (积极争取)", "D") == V{"4", "5"});
  REQUIRE(cited_articles("D art. 9 and art. 13: targets", "D") == V{"9", "13"});
  REQUIRE(cited_articles("D annex 2 (item 5)", "D") == V{"annex 2"});
  REQUIRE(cited_articles("(days: also D art. 3)", "D") == V{"3"});
  REQUIRE(cited_articles("D, the whole document", "D").empty());
}

TEST_CASE("sources: every shipped table reads, with a status for every row and a reason where not costed",
          "[sources]") {
  const std::vector<SourcesTable> tables = shipped_tables();
  REQUIRE(tables.size() == 5);
  std::set<std::string> packages;
  for (const SourcesTable& t : tables) {
    INFO("table " << t.file.string());
    REQUIRE(packages.insert(t.document.package).second);
    REQUIRE(std::filesystem::exists(shipped_scenarios_dir() / "packages" / (t.document.package + ".toml")));
    REQUIRE_FALSE(t.document.cite.empty());
    REQUIRE((!t.document.number.empty() || !t.document.number_note.empty()));
    REQUIRE_FALSE(t.articles.empty());
    for (const SourceArticle& a : t.articles) {
      INFO("article " << a.article << " (line " << a.line << ")");
      REQUIRE_FALSE(a.summary.empty());
      switch (a.status) {
        case ArticleStatus::costed: REQUIRE_FALSE(a.measures.empty()); break;
        case ArticleStatus::target: REQUIRE_FALSE(a.drives.empty()); break;
        case ArticleStatus::not_costed:
          REQUIRE(a.reason_kind != ReasonKind::none);
          REQUIRE_FALSE(a.reason.empty());
          break;
      }
    }
  }
  // The documents' own numbers, as their texts (or, for Jiangxi, Ganzhou's) give them.
  const auto number = [&](const std::string& package) {
    for (const SourcesTable& t : tables)
      if (t.document.package == package) return t.document.number;
    return std::string("?");
  };
  REQUIRE(number("000_ganzhou").empty());
  REQUIRE(number("001_jiangxi") == "赣府厅发〔2025〕11号");
  REQUIRE(number("002_xihu") == "西发〔2023〕8号");
  REQUIRE(number("003_zhangping") == "漳政办规〔2023〕2号");
  REQUIRE(number("004_baoji") == "宝卫人口发〔2024〕162号");
}

TEST_CASE("sources: every measure cites articles its document's table lists", "[sources]") {
  const auto measures = shipped_measures();
  const std::vector<SourcesTable> tables = shipped_tables();
  for (const auto& [id, m] : measures) {
    INFO("measure " << id << ", source \"" << m.source << "\"");
    REQUIRE(m.source.find(".txt") == std::string::npos);  // cited by number, not by file name
    for (const SourcesTable& t : tables) {
      const std::vector<std::string> cited = cited_articles(m.source, t.document.cite);
      // A measure of a document's own package cites at least one of its articles.
      if (m.package == t.document.package) REQUIRE_FALSE(cited.empty());
      for (const std::string& article : cited) {
        INFO("article " << article << " of " << t.document.cite);
        REQUIRE(t.find(article) != nullptr);
      }
    }
  }
}

TEST_CASE("sources: every costed article names measures of the shipped packages", "[sources]") {
  const auto measures = shipped_measures();
  std::size_t costed = 0;
  for (const SourcesTable& t : shipped_tables()) {
    for (const SourceArticle& a : t.articles) {
      for (const std::string& id : a.measures) {
        INFO(t.document.package << " art. " << a.article << ": measure " << id);
        REQUIRE(measures.count(id) == 1);
      }
      if (a.status == ArticleStatus::costed) ++costed;
    }
  }
  REQUIRE(costed >= 38);
}

TEST_CASE("sources: a malformed table names file, line and field", "[sources]") {
  ScenarioCopy c;
  const std::string file = "sources/002_xihu.toml";
  SECTION("a not-costed row without a reason") {
    c.edit(file, "reason = \"Granted by employers only by agreement", "# reason = \"");
    try {
      read_sources(c.path(file));
      FAIL("loaded");
    } catch (const ScenarioError& e) {
      REQUIRE(e.file().find("002_xihu.toml") != std::string::npos);
      REQUIRE(e.line() > 10);
      REQUIRE(e.field() == "article[4].reason");
    }
  }
  SECTION("an unknown key") {
    c.edit(file, "status = \"costed\"\nmeasures = [\"xihu_preschool_aid\"]",
           "status = \"costed\"\nmeasure = [\"xihu_preschool_aid\"]");
    try {
      read_sources(c.path(file));
      FAIL("loaded");
    } catch (const ScenarioError& e) {
      REQUIRE(e.line() > 10);
      REQUIRE(e.field().find("article[") == 0);
    }
  }
  SECTION("an unknown reason kind") {
    c.edit(file, "reason_kind = \"no_fiscal_cost\"", "reason_kind = \"too_dear\"");
    try {
      read_sources(c.path(file));
      FAIL("loaded");
    } catch (const ScenarioError& e) {
      REQUIRE(e.field().find(".reason_kind") != std::string::npos);
      REQUIRE(std::string(e.what()).find("too_dear") != std::string::npos);
    }
  }
}

TEST_CASE("cradle list --sources prints a document's table", "[cli][sources]") {
  std::ostringstream out;
  std::streambuf* old = std::cout.rdbuf(out.rdbuf());
  const int xihu = cli({"list", "--sources", "xihu"});
  const int by_package = cli({"list", "--sources", "003_zhangping"});
  std::cout.rdbuf(old);
  REQUIRE(xihu == EXIT_OK);
  REQUIRE(by_package == EXIT_OK);
  const std::string text = out.str();
  REQUIRE(text.find("西发〔2023〕8号") != std::string::npos);
  REQUIRE(text.find("2025-10-15") != std::string::npos);
  REQUIRE(text.find("xihu_inclusive_childcare_operating_subsidy") != std::string::npos);
  REQUIRE(text.find("no_fiscal_cost") != std::string::npos);  // a row not costed prints its reason
  REQUIRE(text.find("漳政办规〔2023〕2号") != std::string::npos);
  REQUIRE(cli({"list", "--sources", "atlantis"}) == EXIT_BAD_INPUT);
}

namespace {

ScenarioResults short_run(const Scenario& s) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
  return simulate(s, default_population(), RunOptions{2, s.seed}, nullptr, nullptr);
}

std::int64_t caseload_of(const ScenarioResults& r, const std::string& id, std::size_t rep, std::size_t y) {
  const auto it = std::find_if(r.measures.begin(), r.measures.end(), [&](const auto& m) { return m.id == id; });
  REQUIRE(it != r.measures.end());
  return r.caseload[r.caseload_index(rep, y, static_cast<std::size_t>(it - r.measures.begin()))];
}

}  // namespace

TEST_CASE("an expired document's measures pay nothing after its end and pay again when renewed", "[sources][engine]") {
  ScenarioCopy c;
  c.edit("xihu_baseline.toml", "end_year = 2035", "end_year = 2027");
  // Neutral parameters: no behavioural response, so both runs draw the same families.
  const Scenario current = cradle::testing::neutral(load_scenario(c.path("xihu_current.toml")));
  const Scenario renewed = cradle::testing::neutral(load_scenario(c.path("xihu_renewed.toml")));
  const std::string id = "xihu_inclusive_childcare_operating_subsidy";
  const auto until = [](const Scenario& s, const std::string& m) {
    for (const Measure& x : s.measures)
      if (x.id == m) return x.eligibility.valid_until;
    return MonthIndex{-1};
  };
  REQUIRE(until(current, id) == month_index(2025, 11));  // last day 2025-10-15: October still in force
  REQUIRE(until(renewed, id) == Eligibility{}.valid_until);
  REQUIRE(until(renewed, "national_childcare_subsidy") == until(current, "national_childcare_subsidy"));
  const ScenarioResults a = short_run(current);
  const ScenarioResults b = short_run(renewed);
  REQUIRE(a.births == b.births);  // the same families: only the expired measures differ
  for (std::size_t rep = 0; rep < 2; ++rep) {
    REQUIRE(caseload_of(a, id, rep, 0) > 0);                             // 2025: January to October
    REQUIRE(caseload_of(b, id, rep, 0) > caseload_of(a, id, rep, 0));    // 2025: the whole year
    for (std::size_t y = 1; y < a.n_years(); ++y) {
      REQUIRE(caseload_of(a, id, rep, y) == 0);
      REQUIRE(caseload_of(b, id, rep, y) > 0);
      REQUIRE(caseload_of(a, "national_childcare_subsidy", rep, y) == caseload_of(b, "national_childcare_subsidy", rep, y));
    }
  }
}

TEST_CASE("renew must name a package of the scenario", "[sources][scenario]") {
  ScenarioCopy c;
  c.edit("xihu_renewed.toml", "renew = [\"002_xihu\"]", "renew = [\"003_zhangping\"]");
  const ScenarioError e = cradle::testing::load_error(c.path("xihu_renewed.toml"));
  REQUIRE(e.field() == "scenario.renew");
}
