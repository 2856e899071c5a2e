#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "sim/cli.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;

namespace {

int cli(std::vector<std::string> args) {
  args.insert(args.begin(), "cradle");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return run_cli(static_cast<int>(args.size()), argv.data());
}

bool leftover_temporaries(const std::filesystem::path& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cradle run writes a results file", "[cli]") {
  ScenarioCopy c;
  const auto out = c.path("out.h5");
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", out.string(), "--replications", "2", "--threads",
               "2", "--quiet"}) == EXIT_OK);
  REQUIRE(std::filesystem::file_size(out) > 1000);
  REQUIRE(read_file(out).substr(1, 3) == "HDF");
  REQUIRE_FALSE(leftover_temporaries(c.dir()));
}

TEST_CASE("a malformed scenario exits with 2, creates nothing and keeps an existing file", "[cli][errors]") {
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> breakages = {
      {"packages/002_xihu.toml", {"kind = \"operating_subsidy\"", "kind = \"operating_subsidy"}},  // syntax
      {"xihu_current.toml", {"seed = 20251122", "seed = 20251122\nsede = 1"}},                     // unknown key
      {"xihu_current.toml", {"end_year = 2030", "end_year = 2030.5"}},                             // wrong type
      {"packages/002_xihu.toml", {"value = 126,", "value = -126,"}},                               // negative
      {"packages/national.toml", {"district = { value = 0.05,", "district = { value = 0.15,"}},     // shares
  };
  for (const auto& [file, edit] : breakages) {
    ScenarioCopy c;
    c.edit(file, edit.first, edit.second);
    const auto scenario = c.path("xihu_current.toml").string();
    const auto fresh = c.path("fresh.h5");
    REQUIRE(cli({"run", scenario, "-o", fresh.string(), "--quiet"}) == EXIT_BAD_INPUT);
    REQUIRE_FALSE(std::filesystem::exists(fresh));
    const auto existing = c.path("existing.h5");
    c.write("existing.h5", "precious results");
    REQUIRE(cli({"run", scenario, "-o", existing.string(), "--quiet"}) == EXIT_BAD_INPUT);
    REQUIRE(read_file(existing) == "precious results");
    REQUIRE(cli({"validate", scenario}) == EXIT_BAD_INPUT);
    REQUIRE_FALSE(leftover_temporaries(c.dir()));
  }
}

TEST_CASE("cradle validate accepts the shipped scenario", "[cli]") {
  REQUIRE(cli({"validate", default_scenario_path().string()}) == EXIT_OK);
}

TEST_CASE("bad command lines are refused", "[cli][errors]") {
  REQUIRE(cli({"run", "no-such-scenario.toml", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"run", "--replications", "0", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"run", "--seed", "99999999999", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"frobnicate"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"--version"}) == EXIT_OK);
}

TEST_CASE("an unwritable output location fails with 3 before the run", "[cli][errors]") {
  ScenarioCopy c;
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", c.path("missing-dir/out.h5").string(),
               "--replications", "1", "--quiet"}) == EXIT_RUN_FAILURE);
}
