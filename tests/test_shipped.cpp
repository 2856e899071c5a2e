#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "sim/input/shipped.h"

namespace fs = std::filesystem;

namespace {
//! Sets or clears CRADLE_SCENARIOS for one scope, restoring what was there before.
class ScenariosEnv {
 public:
  explicit ScenariosEnv(const char* value) {
    if (const char* old = std::getenv("CRADLE_SCENARIOS")) old_ = old;
    if (value) {
      ::setenv("CRADLE_SCENARIOS", value, 1);
    } else {
      ::unsetenv("CRADLE_SCENARIOS");
    }
  }
  ~ScenariosEnv() {
    if (old_) {
      ::setenv("CRADLE_SCENARIOS", old_->c_str(), 1);
    } else {
      ::unsetenv("CRADLE_SCENARIOS");
    }
  }
  ScenariosEnv(const ScenariosEnv&) = delete;
  ScenariosEnv& operator=(const ScenariosEnv&) = delete;

 private:
  std::optional<std::string> old_;
};
}  // namespace

TEST_CASE("the shipped scenarios are found next to the program, or where CRADLE_SCENARIOS says", "[shipped]") {
  SECTION("without the variable: the build tree's share/cradle/scenarios, the sources' folder") {
    ScenariosEnv env(nullptr);
    const fs::path dir = cradle::shipped_scenarios_dir();
    CHECK(fs::equivalent(dir, fs::path(CRADLE_SOURCE_DIR) / "scenarios"));
    CHECK(cradle::default_scenario_path() == dir / "xihu_current.toml");
    CHECK(fs::is_regular_file(cradle::default_scenario_path()));
  }
  SECTION("an empty variable is ignored") {
    ScenariosEnv env("");
    CHECK(fs::equivalent(cradle::shipped_scenarios_dir(), fs::path(CRADLE_SOURCE_DIR) / "scenarios"));
  }
  SECTION("the variable wins, as given") {
    ScenariosEnv env("/nowhere/scenarios");
    CHECK(cradle::shipped_scenarios_dir() == fs::path("/nowhere/scenarios"));
    CHECK(cradle::default_scenario_path() == fs::path("/nowhere/scenarios/xihu_current.toml"));
  }
}
