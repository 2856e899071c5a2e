// The standalone HTML page (output/html_report.h) and its charts (output/svg_chart.h): what
// it holds for a small known result, escaping, the language, the atomic write, and
// `cradle report --html` end to end. tests/check_html_report.py renders it in Chromium.
#include <catch2/catch.hpp>

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "output/comparison.h"
#include "output/html_report.h"
#include "output/svg_chart.h"
#include "sim/cli/cli.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::cli;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

//! Two scenarios (3 replications, 2026-2028, one measure, two payers, a record of births) and their comparison.
RunResults small_results() {
  RunResults results;
  results.cradle_version = "0.1.0";
  results.created_utc = "2026-11-22T10:00:00Z";
  results.replications = 3;
  results.households = 1000;
  for (int k = 0; k < 2; ++k) {
    ScenarioResults s;
    s.id = k == 0 ? "base" : "reform";
    s.title = k == 0 ? "基准 Baseline <&>" : "改革 Reform";
    s.years = {2026, 2027, 2028};
    s.replications = 3;
    s.measures = {{"cash", "cash_allowance", "育儿补贴 Childcare <subsidy>", "a.md art. 3", "child-months", "budget", "stated"}};
    s.payers = {"china", "jiangxi"};
    s.payer_labels = {{"china", "central", "中国 China"}, {"jiangxi", "province", "江西省 Jiangxi province"}};
    for (std::int64_t r = 0; r < 3; ++r)
      for (std::int64_t y = 0; y < 3; ++y) {
        s.outlay_fen.push_back((k + 1) * (1'000'000'001 + 1000 * r + y));  // china
        s.outlay_fen.push_back((k + 1) * (500'000'003 + 10 * r));           // jiangxi
        for (std::int64_t b = 0; b < 3; ++b) s.births.push_back(100 + 10 * k + r - 20 * b);
        s.childcare_demand_months.push_back(1200 + 12 * r);
        s.childcare_enrolled_months.push_back(600);
        s.child_months_under3.push_back(3600);
        s.kindergarten_enrolled_months.push_back(0);
        s.deaths.push_back(0);
        s.population.push_back(10'000);
      }
    s.budget_fen = {1'000'000'000'000, 0, 1'100'000'000'000, 2'000'000'000'000, 1'200'000'000'000, 2'100'000'000'000};
    s.childcare_slots = {90, 100, 110};
    s.persons = {10'000, 10'000, 10'000};
    s.observations = {{"births", 2026, 250, "S", "yearbook"}};
    results.scenarios.push_back(s);
  }
  results.comparisons.push_back(compare_scenarios(results.scenarios[0], results.scenarios[1]));
  return results;
}

}  // namespace

TEST_CASE("html_page holds every chart of each scenario and comparison, the tables, and exact totals", "[output][html]") {
  const RunResults results = small_results();
  const std::string page = html_page(results, {MoneyUnit::wan, Language::en});
  REQUIRE(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  for (const char* kind : {"fan-total-outlay", "outlay-by-payer", "budget-share", "childcare-places", "births-by-order"}) {
    CAPTURE(kind);
    REQUIRE(count(page, std::string("class=\"chart ") + kind + "\"") == 2);
  }
  REQUIRE(count(page, "class=\"chart comparison-outlay\"") == 1);
  REQUIRE(count(page, "<table class=\"validation\">") == 2);
  REQUIRE(count(page, "<table class=\"measures\">") == 2);
  // Fewer than 10 replications: no ranking, a note instead.
  REQUIRE(count(page, "class=\"chart sensitivity\"") == 0);
  REQUIRE(page.find("No sensitivity ranking") != std::string::npos);
  // The horizon's total of the base scenario: mean over replications, exact to the fen, in 万元.
  std::int64_t total = 0;
  for (std::int64_t v : results.scenarios[0].outlay_fen) total += v;
  REQUIRE(total % 3 == 0);
  REQUIRE(page.find(">" + exact_money(total / 3, MoneyUnit::wan) + "<") != std::string::npos);
  // Text is escaped; nothing is fetched from elsewhere.
  REQUIRE(page.find("Childcare &lt;subsidy&gt;") != std::string::npos);
  REQUIRE(page.find("<subsidy>") == std::string::npos);
  REQUIRE(page.find("<script") == std::string::npos);
  REQUIRE(page.find("src=") == std::string::npos);
  REQUIRE(page.find("https://") == std::string::npos);
}

TEST_CASE("html_page in Chinese: lang zh-CN, Chinese labels, titles and paying levels", "[output][html]") {
  const std::string page = html_page(small_results(), {MoneyUnit::yi, Language::zh});
  REQUIRE(page.find("<html lang=\"zh-CN\">") != std::string::npos);
  for (const char* text : {"年度总支出", "江西省", "育儿补贴", "亿元", "分孩次出生", "托位", "校验"}) {
    CAPTURE(text);
    REQUIRE(page.find(text) != std::string::npos);
  }
  REQUIRE(page.find("Jiangxi province") == std::string::npos);
}

TEST_CASE("svg charts: round ticks, gaps for missing values, the noise floor marked", "[output][html]") {
  SvgChart chart({"c", "test", "a <test>", "万元", {2026, 2027, 2028}, 2}, 0, 9.3);
  chart.line({1, std::numeric_limits<double>::quiet_NaN(), 3}, palette_colour(0), "a & b");
  const std::string svg = chart.svg();
  REQUIRE(svg.find("aria-label=\"a &lt;test&gt;\"") != std::string::npos);
  REQUIRE(svg.find(">10<") != std::string::npos);  // the axis ends at a round tick above 9.3
  REQUIRE(count(svg, "<circle") == 2);             // no marker where the value is missing
  REQUIRE(count(svg, " M") + count(svg, "\"M") >= 2);
  REQUIRE(svg.find("a &amp; b") != std::string::npos);
  const std::string ranking = ranking_chart({"r", "sensitivity", "r", "", {}, 3},
                                            {{"x", 0.9, 0.81}, {"y", 0.1, 0.01}}, 0.2, "noise floor 0.200");
  REQUIRE(count(ranking, "class=\"bar\"") == 2);
  REQUIRE(ranking.find("class=\"noise\"") != std::string::npos);
  REQUIRE(ranking.find("#9e9e9e") != std::string::npos);  // the input below the floor is grey
}

TEST_CASE("write_html replaces the file whole and leaves no temporary", "[output][html]") {
  ScenarioCopy c;
  const auto file = c.path("page.html");
  c.write("page.html", "old");
  write_html(file, small_results(), {});
  REQUIRE(read_file(file).rfind("<!DOCTYPE html>", 0) == 0);
  REQUIRE_FALSE(std::filesystem::exists(c.path("page.html.tmp")));
  REQUIRE_THROWS_AS(write_html(c.path("no/such/dir/page.html"), small_results(), {}), std::runtime_error);
}

TEST_CASE("cradle report --html writes the page and exits 0, and exits 2 on a file that is not a result", "[cli][html]") {
  ScenarioCopy c;
  const auto results = c.path("r.h5"), page = c.path("r.html");
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", results.string(), "-r", "2", "--sample", "1/200",
               "--quiet"}) == EXIT_OK);
  REQUIRE(cli({"report", results.string(), "--html", page.string(), "--lang", "zh"}) == EXIT_OK);
  const std::string text = read_file(page);
  REQUIRE(text.find("<html lang=\"zh-CN\">") != std::string::npos);
  REQUIRE(text.find("class=\"chart fan-total-outlay\"") != std::string::npos);
  c.write("notes.txt", "not results");
  REQUIRE(cli({"report", c.path("notes.txt").string(), "--html", c.path("n.html").string()}) == EXIT_BAD_INPUT);
  REQUIRE_FALSE(std::filesystem::exists(c.path("n.html")));
}
