// The record in a profile ([observed]): its reader, the burn-in aligned to it, and the
// validation table of a results file and of the printed summary.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <cmath>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "output/summary.h"
#include "sim/cli/cli.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::load_error;
using cradle::testing::cli;
using cradle::testing::ScenarioCopy;

namespace {

// Xihu's first observed births, as the shipped profile writes them.
const std::string FIRST_BIRTHS = "{ year = 2018, value = 5124, tag = \"D\"";


template <class T>
std::vector<T> read_numbers(hid_t file, const std::string& path, hid_t type) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  const hid_t space = H5Dget_space(d);
  std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  H5Sclose(space);
  H5Dclose(d);
  return values;
}

std::vector<std::string> read_texts(hid_t file, const std::string& path) {
  const hid_t d = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  const hid_t space = H5Dget_space(d);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  std::vector<char*> pointers(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)), nullptr);
  REQUIRE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0);
  std::vector<std::string> values;
  for (char* p : pointers) {
    values.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(d);
  return values;
}

std::size_t row_of(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  FAIL("no validation row " << name);
  return 0;
}

}  // namespace

TEST_CASE("the profile's record is read with its provenance", "[unit][observed]") {
  const Scenario s = load_scenario(std::filesystem::path("scenarios") / "xihu_current.toml");
  REQUIRE(s.profile.observed.births.size() == 8);
  REQUIRE(s.profile.observed.births.at(2021).tag == 'D');
  REQUIRE(s.profile.observed.births.at(2018).value == 5124);
  // The first year's expected births are the record's figure for it, not [fertility] births.
  REQUIRE(s.profile.births == s.profile.observed.births.at(2025).value);
  const Scenario j = load_scenario(std::filesystem::path("scenarios") / "jiangxi_current.toml");
  REQUIRE(j.profile.observed.births.at(2022).tag == 'S');
  REQUIRE(j.profile.observed.population.at(2024).value == 45.02e6);
  REQUIRE(j.profile.observed.deaths.at(2024).value == 326000);
}

TEST_CASE("errors in [observed] name file, line, column and field", "[unit][observed][errors]") {
  struct Breakage {
    std::string from, to, field, words;
  };
  const std::vector<Breakage> breakages = {
      {FIRST_BIRTHS, "{ year = 2019, value = 5124, tag = \"D\"", "observed.births[1].year", "given twice"},
      {FIRST_BIRTHS, "{ year = 2018, value = -5, tag = \"D\"", "observed.births[0].value", "negative"},
      {FIRST_BIRTHS, "{ year = 2018, value = 5124, colour = 1, tag = \"D\"", "observed.births[0].colour", "unknown"},
      {FIRST_BIRTHS, "{ year = 2018, value = 5124, tag = \"E\"", "observed.births[0].range", "range"},
      {FIRST_BIRTHS, "{ year = 2017, value = 5124, tag = \"D\"", "observed.births", "2018"},
      {FIRST_BIRTHS, "{ year = \"2018\", value = 5124, tag = \"D\"", "observed.births[0].year", "integer"},
      {"population = [", "people = [", "observed.people", "unknown"},
  };
  for (const Breakage& b : breakages) {
    INFO(b.to);
    ScenarioCopy c;
    c.edit("jurisdictions/xihu.toml", b.from, b.to);
    const ScenarioError e = load_error(c.path("xihu_current.toml"));
    CHECK(e.field() == b.field);
    CHECK(std::string(e.what()).find(b.words) != std::string::npos);
    CHECK(e.line() > 0);
    CHECK(e.column() > 0);
    CHECK(std::string(e.what()).find("xihu.toml") != std::string::npos);
  }
}

// Over generated populations, as each replication draws its own (seeds 1..12 here): each one's
// count of a year is a sum of independent draws whose expectation alignment sets to the
// observed figure.
TEST_CASE("the aligned burn-in reproduces each observed year's births", "[statistical][observed]") {
  const Scenario& s = cradle::testing::default_scenario();
  constexpr int SEEDS = 12;
  std::vector<std::vector<double>> by_year(BURN_IN_YEARS);
  for (int seed = 1; seed <= SEEDS; ++seed) {
    const BasePopulation pop = generate_population(s.profile, s.start_year, static_cast<std::uint32_t>(seed));
    const BaseComposition base = describe_population(pop, s.profile, true);
    REQUIRE(base.first_birth_year == s.start_year - BURN_IN_YEARS);
    for (int b = 0; b < BURN_IN_YEARS; ++b) {
      by_year[static_cast<std::size_t>(b)].push_back(static_cast<double>(base.children_by_birth_year[b]));
    }
  }
  for (int b = 0; b < BURN_IN_YEARS; ++b) {
    const int year = s.start_year - BURN_IN_YEARS + b;
    const double observed = s.profile.observed.births.at(year).value;
    const Summary summary = summarise(by_year[static_cast<std::size_t>(b)], {});
    INFO(year << ": mean " << summary.mean << " observed " << observed << " se " << summary.se);
    REQUIRE(std::fabs(summary.mean - observed) < 4 * summary.se);
  }
}

TEST_CASE("an observation the run misses is a warning in the terminal and a flag in the file",
          "[cli][observed][validation]") {
  ScenarioCopy c;
  // Deaths of a simulated year far above anything the place can have.
  c.edit("jurisdictions/xihu.toml", "population = [\n",
         "deaths = [\n  { year = 2026, value = 999999, tag = \"S\", source = \"a deliberately wrong figure\" },\n]\n"
         "population = [\n");
  const auto out = c.path("out.h5");
  std::ostringstream printed;
  std::streambuf* saved = std::cout.rdbuf(printed.rdbuf());
  const int rc = cli({"run", c.path("xihu_current.toml").string(), "-o", out.string(), "--replications", "8",
                      "--threads", "2", "--no-progress"});
  std::cout.rdbuf(saved);
  REQUIRE(rc == EXIT_OK);
  const std::string text = printed.str();
  INFO(text);
  REQUIRE(text.find("Validation: ") != std::string::npos);
  REQUIRE(text.find("WARNING: xihu_current: observed deaths 2026 = 999,999") != std::string::npos);
  REQUIRE(text.find("a deliberately wrong figure") != std::string::npos);

  const hid_t file = H5Fopen(out.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(file >= 0);
  const std::string g = "scenarios/xihu_current/";
  const auto names = read_texts(file, g + "observation");
  const auto inside = read_numbers<std::int32_t>(file, g + "inside_band", H5T_NATIVE_INT32);
  const auto observed = read_numbers<double>(file, g + "observed", H5T_NATIVE_DOUBLE);
  const auto mean = read_numbers<double>(file, g + "simulated_mean", H5T_NATIVE_DOUBLE);
  const auto low = read_numbers<double>(file, g + "simulated_p05", H5T_NATIVE_DOUBLE);
  const auto high = read_numbers<double>(file, g + "simulated_p95", H5T_NATIVE_DOUBLE);
  REQUIRE(inside.at(row_of(names, "deaths 2026")) == 0);
  REQUIRE(observed.at(row_of(names, "deaths 2026")) == 999999);

  // The table's numbers are the summary of the file's own datasets.
  const auto years = read_numbers<std::int32_t>(file, g + "year", H5T_NATIVE_INT32);
  const auto births = read_numbers<std::int64_t>(file, g + "births", H5T_NATIVE_INT64);
  const auto deaths = read_numbers<std::int64_t>(file, g + "deaths", H5T_NATIVE_INT64);
  const std::size_t R = 8, Y = years.size(), B = births.size() / (R * Y);
  auto check_row = [&](const std::string& name, std::size_t y, bool is_births) {
    std::vector<double> sample(R, 0.0);
    for (std::size_t r = 0; r < R; ++r) {
      if (is_births) {
        for (std::size_t k = 0; k < B; ++k) sample[r] += static_cast<double>(births[(r * Y + y) * B + k]);
      } else {
        sample[r] = static_cast<double>(deaths[r * Y + y]);
      }
    }
    const Summary s = summarise(sample, {0.05, 0.95});
    const std::size_t i = row_of(names, name);
    CHECK(mean[i] == s.mean);
    CHECK(low[i] == s.quantiles[0]);
    CHECK(high[i] == s.quantiles[1]);
    CHECK(inside[i] == (observed[i] >= s.quantiles[0] && observed[i] <= s.quantiles[1] ? 1 : 0));
  };
  check_row("births 2025", 0, true);
  check_row("deaths 2026", 1, false);
  // Past births: each replication's burn-in births of the year, over replications.
  const auto burn_in = read_numbers<std::int64_t>(file, g + "burn_in_births", H5T_NATIVE_INT64);
  const auto burn_in_years = read_numbers<std::int32_t>(file, g + "burn_in_year", H5T_NATIVE_INT32);
  REQUIRE(burn_in_years.front() == 2018);
  const std::size_t years_before = burn_in_years.size();
  REQUIRE(burn_in.size() == R * years_before);
  for (std::size_t b = 0; b < years_before; ++b) {
    std::vector<double> sample;
    for (std::size_t r = 0; r < R; ++r) sample.push_back(static_cast<double>(burn_in[r * years_before + b]));
    const Summary s = summarise(sample, {0.05, 0.95});
    const std::size_t i = row_of(names, "births " + std::to_string(burn_in_years[b]));
    CHECK(mean[i] == s.mean);
    CHECK(low[i] == s.quantiles[0]);
    CHECK(high[i] == s.quantiles[1]);
  }
  H5Fclose(file);
}
