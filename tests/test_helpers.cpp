#include "tests/test_helpers.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "sim/cli/cli.h"

namespace cradle::testing {

ScenarioCopy::ScenarioCopy() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() / ("cradle-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
  std::filesystem::copy(shipped_scenarios_dir(), dir_, std::filesystem::copy_options::recursive);
}

ScenarioCopy::~ScenarioCopy() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ScenarioCopy::edit(const std::string& relative, const std::string& from, const std::string& to) const {
  std::string text = read_file(path(relative));
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  write(relative, text);
}

void ScenarioCopy::write(const std::string& relative, const std::string& text) const {
  std::filesystem::create_directories(path(relative).parent_path());
  std::ofstream out(path(relative), std::ios::binary | std::ios::trunc);
  out << text;
}

const Scenario& default_scenario() {
  static const Scenario s = load_scenario(default_scenario_path());
  return s;
}

const BasePopulation& default_population() {
  static const BasePopulation p =
      generate_population(default_scenario().profile, default_scenario().start_year, default_scenario().seed);
  return p;
}

void fix_parameter(Scenario& s, const std::string& name, double value) {
  for (UncertainParameter& p : s.uncertainty) {
    if (p.name == name) {
      p.distribution = Distribution{};
      p.distribution.a = value;
      return;
    }
  }
  FAIL("no parameter " << name);
}

Scenario neutral(Scenario s) {
  fix_parameter(s, PARAMETER_BIRTH_RESPONSE, 0.0);
  fix_parameter(s, PARAMETER_FERTILITY_LEVEL, 1.0);
  fix_parameter(s, PARAMETER_FERTILITY_TREND, 0.0);
  fix_parameter(s, PARAMETER_CHILDCARE_DEMAND, 1.0);
  return s;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

ScenarioError load_error(const std::filesystem::path& p) {
  try {
    load_scenario(p);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("the scenario loaded without error: " << p);
  throw;  // unreachable
}

int cli(std::vector<std::string> args) {
  args.insert(args.begin(), "cradle");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return run_cli(static_cast<int>(args.size()), argv.data());
}

int cli_captured(const std::vector<std::string>& args, std::string& err) {
  std::ostringstream captured, out;
  std::streambuf* const old = std::cerr.rdbuf(captured.rdbuf());
  std::streambuf* const old_out = std::cout.rdbuf(out.rdbuf());  // what validate says of a good file
  int code = -1;
  try {
    code = cli(args);
  } catch (...) {
    std::cerr.rdbuf(old);
    std::cout.rdbuf(old_out);
    throw;
  }
  std::cerr.rdbuf(old);
  std::cout.rdbuf(old_out);
  err = captured.str();
  return code;
}

}  // namespace cradle::testing
