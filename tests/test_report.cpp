// Reports for people (output/overview.h, output/text.h, output/csv_export.h, cradle report):
// totals exact to the fen in every unit, CSV that parses back to the file's numbers, Chinese
// labels aligned by display width, and a clear refusal of files that are not results.
#include <H5Apublic.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "output/comparison.h"
#include "output/csv_export.h"
#include "output/h5.h"
#include "output/overview.h"
#include "output/results_reader.h"
#include "output/text.h"
#include "test_helpers.h"

using namespace cradle;

namespace {

//! A small two-scenario results file, written once per test run.
const std::filesystem::path& small_results() {
  static testing::ScenarioCopy dir;
  static const std::filesystem::path file = [] {
    const std::filesystem::path out = dir.dir() / "pair.h5";
    REQUIRE(testing::cli({"run", dir.path("xihu_baseline.toml").string(), dir.path("xihu_current.toml").string(), "-r",
                          "5", "--sample", "1/40", "-q", "-o", out.string()}) == 0);
    return out;
  }();
  return file;
}

//! What a command prints on stdout.
std::string captured(const std::vector<std::string>& args, int expected_exit = 0) {
  std::ostringstream text;
  std::streambuf* old = std::cout.rdbuf(text.rdbuf());
  const int code = testing::cli(args);
  std::cout.rdbuf(old);
  CHECK(code == expected_exit);
  return text.str();
}

//! The amount of fen a money figure printed exact to the fen stands for.
std::int64_t fen_of(std::string text) {
  std::erase(text, ',');
  std::erase(text, '.');
  return std::stoll(text);
}

//! The first figure after `label` at the start of a line of `report`.
std::string figure_after(const std::string& report, const std::string& label) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(label, 0) != 0) continue;
    std::istringstream rest(line.substr(label.size()));
    std::string figure;
    rest >> figure;
    if (!figure.empty() && (std::isdigit(static_cast<unsigned char>(figure[0])) || figure[0] == '-')) return figure;
  }
  FAIL("no line starting with " << label);
  return "";
}

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace

TEST_CASE("report totals equal the sums of the file's outlay to the fen, in yuan, wan and yi", "[report]") {
  const RunResults results = read_results(small_results());
  const h5::Handle file = h5::open_file(small_results());
  for (const ScenarioResults& s : results.scenarios) {
    // The horizon's total outlay per replication straight from the dataset, and its mean rounded to the fen.
    const std::vector<std::int64_t> fen = h5::read_int64(file, "scenarios/" + s.id + "/outlay_fen");
    WideFen sum = 0;  // __int128, named in output/text.h
    for (std::int64_t v : fen) sum += v;
    const WideFen R = s.replications;
    const auto expected = static_cast<std::int64_t>((2 * sum + R) / (2 * R));
    for (MoneyUnit unit : {MoneyUnit::yuan, MoneyUnit::wan, MoneyUnit::yi}) {
      RunResults one = results;
      one.scenarios = {s};
      std::ostringstream out;
      print_overview(out, one, ReportStyle{unit, Language::en});
      INFO(s.id << " in unit " << static_cast<int>(unit));
      CHECK(fen_of(figure_after(out.str(), "total outlay")) == expected);
    }
  }
}

TEST_CASE("report lists each separate ledger's measures over the horizon, exact to the fen", "[report]") {
  const RunResults results = read_results(small_results());
  const ScenarioResults& s = results.scenarios.front();
  REQUIRE(s.n_ledger_measures() > 0);
  std::ostringstream out;
  print_overview(out, results, ReportStyle{MoneyUnit::yuan, Language::en}, true);
  const std::string report = out.str();
  REQUIRE(report.find("Separate ledgers over the horizon, not budget outlay") != std::string::npos);
  for (std::size_t m = 0; m < s.n_ledger_measures(); ++m) {
    const MeasureLabel& label = s.ledger_measures[m];
    WideFen sum = 0;
    for (std::size_t r = 0; r < static_cast<std::size_t>(s.replications); ++r)
      for (std::size_t y = 0; y < s.n_years(); ++y) sum += s.ledger_fen[s.ledger_index(r, y, m)];
    const WideFen R = s.replications;
    // The line that names the measure's id, its ledger before the title.
    const std::size_t at = report.find("(" + label.id + ")");
    REQUIRE(at != std::string::npos);
    const std::size_t start = report.rfind('\n', at) + 1;
    const std::string line = report.substr(start, at - start);
    INFO(line);
    CHECK(line.find("[" + label.ledger + "] ") != std::string::npos);
    std::istringstream figure(line);
    std::string amount;
    figure >> amount;
    CHECK(fen_of(amount) == static_cast<std::int64_t>((2 * sum + R) / (2 * R)));
  }
}

TEST_CASE("the CSV parses back to the file's summary numbers and starts with a byte-order mark", "[report]") {
  testing::ScenarioCopy dir;
  const RunResults results = read_results(small_results());
  REQUIRE(write_csv(dir.dir() / "csv", results) == 2);
  std::ifstream in(dir.dir() / "csv" / "scenarios.csv", std::ios::binary);
  std::string line;
  std::getline(in, line);
  REQUIRE(line.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(line.substr(3) == CSV_HEADER);
  const h5::Handle file = h5::open_file(small_results());
  std::size_t checked = 0;
  while (std::getline(in, line)) {
    const auto f = csv_fields(line);
    REQUIRE(f.size() == 12);
    if (f[1] != "outlay" || f[9] != "mean") continue;
    const ScenarioResults& s = f[0] == results.scenarios[0].id ? results.scenarios[0] : results.scenarios[1];
    const std::vector<double> means = h5::read_float64(file, "scenarios/" + s.id + "/summary/outlay_mean");
    const auto y = static_cast<std::size_t>(std::stoi(f[2]) - s.years.front());
    std::size_t m = 0, p = 0;
    while (s.measures[m].id != f[4]) ++m;
    while (s.payers[p] != f[6]) ++p;
    CHECK(std::strtod(f[10].c_str(), nullptr) == means[(y * s.n_measures() + m) * s.n_payers() + p]);
    ++checked;
  }
  CHECK(checked == 2 * results.scenarios[0].n_years() * results.scenarios[0].n_measures() * results.scenarios[0].n_payers());
  std::ifstream comparisons(dir.dir() / "csv" / "comparisons.csv", std::ios::binary);
  const ComparisonResults& c = results.comparisons.front();
  const std::vector<double> stats =
      h5::read_float64(file, "comparisons/" + c.baseline + "--" + c.reform + "/total_outlay_difference_stats");
  std::getline(comparisons, line);
  std::size_t years = 0;
  while (std::getline(comparisons, line)) {
    const auto f = csv_fields(line);
    if (f[1] != "total_outlay_difference" || f[9] != "mean" || f[2].empty()) continue;
    const auto y = static_cast<std::size_t>(std::stoi(f[2]) - c.years.front());
    CHECK(std::strtod(f[10].c_str(), nullptr) == stats[y * 4]);
    ++years;
  }
  CHECK(years == c.n_years());
}

TEST_CASE("a report in Chinese uses the packages' Chinese titles and aligns columns by display width", "[report]") {
  const std::string zh = captured({"report", small_results().string(), "--lang", "zh"});
  CHECK(zh.find("总支出") != std::string::npos);
  CHECK(zh.find("江西省") != std::string::npos);
  CHECK(zh.find("育儿补贴 (national_childcare_subsidy)") != std::string::npos);
  // The paying levels' table: its header and its rows end in the same column.
  std::istringstream lines(zh);
  std::vector<std::size_t> widths;
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("分级负担", 0) == 0) {
      in_table = true;
      continue;
    }
    if (in_table && line.empty()) break;
    if (in_table) widths.push_back(display_width(line));
  }
  REQUIRE(widths.size() > 2);
  for (std::size_t w : widths) CHECK(w == widths.front());
  CHECK(display_width("中国 ab") == 7);
  CHECK(title_in("学前教育资助 preschool aid", Language::zh) == "学前教育资助");
  CHECK(title_in("学前教育资助 preschool aid", Language::en) == "preschool aid");
  CHECK(exact_money(-123456789, MoneyUnit::wan) == "-123.456789");
  CHECK(exact_money(5, MoneyUnit::yi) == "0.0000000005");
  CHECK(grouped(-1234567.891, 2) == "-1,234,567.89");
}

TEST_CASE("cradle report --detail holds the summary cradle run --detail printed, from the file alone", "[report][cli]") {
  testing::ScenarioCopy dir;
  const std::string out = (dir.dir() / "detail.h5").string();
  const std::string run = captured({"run", dir.path("xihu_current.toml").string(), "-r", "3", "--sample", "1/40",
                                    "--no-progress", "--detail", "-o", out});
  const std::string summary = run.substr(0, run.find("\nwrote "));
  REQUIRE(summary.size() > 1000);
  const std::string report = captured({"report", out, "--detail"});
  CHECK(report.find(summary) != std::string::npos);
}

TEST_CASE("cradle report refuses what is not a readable Cradle results file with exit 2", "[report][cli]") {
  testing::ScenarioCopy dir;
  const auto text = dir.dir() / "notes.txt";
  std::ofstream(text) << "not a result\n";
  captured({"report", text.string()}, 2);
  captured({"report", (dir.dir() / "missing.h5").string()}, 2);
  // Truncated: the first half of a result.
  const auto truncated = dir.dir() / "truncated.h5";
  std::filesystem::copy_file(small_results(), truncated);
  std::filesystem::resize_file(truncated, std::filesystem::file_size(truncated) / 2);
  captured({"report", truncated.string()}, 2);
  // Another major version.
  const auto future = dir.dir() / "future.h5";
  std::filesystem::copy_file(small_results(), future);
  {
    const h5::Handle file = h5::open_file_rw(future);
    const h5::Handle root = h5::open_group(file, "/");
    REQUIRE(H5Adelete(root.id(), "format_version") >= 0);
    h5::write_attribute(root, "format_version", std::vector<std::int32_t>{2, 0});
  }
  try {
    read_results(future);
    FAIL("a format 2 file was read");
  } catch (const ResultsFileError& e) {
    CHECK(std::string(e.what()).find("format 2.x") != std::string::npos);
  }
  captured({"report", future.string()}, 2);
}

TEST_CASE("a report of few replications says how little its bands hold, in the overview and the detail",
          "[report][cli]") {
  // 5 replications: a 5 %-95 % band holds (5 - 1) x 0.9 / (5 + 1) = 60 % of further ones; the
  // note stands under each of the two scenarios' headers, in the overview and in the detail.
  const std::string text = captured({"report", small_results().string(), "--detail"});
  std::size_t notes = 0;
  for (std::size_t at = text.find("holds only about 60 %"); at != std::string::npos;
       at = text.find("holds only about 60 %", at + 1)) {
    ++notes;
  }
  REQUIRE(notes == 4);
  REQUIRE_THAT(captured({"report", small_results().string(), "--lang", "zh"}), Catch::Contains("只包含约 60%"));
}

TEST_CASE("the few-replications note stands below FEW_REPLICATIONS only", "[report]") {
  auto note = [](std::size_t replications) {
    std::ostringstream out;
    print_few_replications_note(out, replications, Language::en);
    return out.str();
  };
  REQUIRE_THAT(note(2), Catch::Contains("about 30 %"));
  REQUIRE_THAT(note(FEW_REPLICATIONS - 1), Catch::Contains("Note: with 19 replications"));
  REQUIRE(note(FEW_REPLICATIONS).empty());
  REQUIRE(note(0).empty());  // no replications, no bands
}
