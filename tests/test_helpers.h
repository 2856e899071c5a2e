// Shared helpers of the test suite: temporary copies of the shipped scenarios,
// small edits of them, and a cached base population of the default scenario.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/population/population.h"
#include "sim/input/scenario.h"

namespace cradle::testing {

//! A fresh temporary directory holding a copy of scenarios/, removed on destruction.
class ScenarioCopy {
 public:
  ScenarioCopy();
  ~ScenarioCopy();
  ScenarioCopy(const ScenarioCopy&) = delete;
  ScenarioCopy& operator=(const ScenarioCopy&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path(const std::string& relative) const { return dir_ / relative; }
  //! Replaces the first occurrence of `from` in a file by `to`; fails the test if absent.
  void edit(const std::string& relative, const std::string& from, const std::string& to) const;
  //! Overwrites a file.
  void write(const std::string& relative, const std::string& text) const;

 private:
  std::filesystem::path dir_;
};

//! The default scenario, loaded once.
const Scenario& default_scenario();
//! Its base population, generated once.
const BasePopulation& default_population();

//! Fixes an uncertain parameter of a scenario at a value (no longer drawn).
void fix_parameter(Scenario& s, const std::string& name, double value);
//! Fixes every uncertain parameter at its neutral value: no behavioural response, levels 1.
Scenario neutral(Scenario s);

//! Reads a whole file (empty if absent).
std::string read_file(const std::filesystem::path& p);

//! Loads a scenario that must fail and returns its error (the test fails if it loads).
ScenarioError load_error(const std::filesystem::path& p);

//! Runs the command line with these arguments (the program name is added); its exit code.
int cli(std::vector<std::string> args);

//! Runs the command line with std::cerr captured (std::cout silenced); its exit code and what it wrote to cerr.
int cli_captured(const std::vector<std::string>& args, std::string& err);

}  // namespace cradle::testing
