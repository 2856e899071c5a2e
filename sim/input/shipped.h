// Where the shipped scenarios are at run time. The build tree and an installation both
// hold them in share/cradle/scenarios (the build tree as a link to the sources), so a
// program finds them from its own location; no source path is compiled in.
#pragma once

#include <filesystem>
#include <vector>

namespace cradle {

//! The directory of the shipped scenarios: $CRADLE_SCENARIOS if set and not empty; else the
//! first of <exe dir>/share/cradle/scenarios and <exe dir>/../share/cradle/scenarios that
//! exists, <exe dir> being the running program's folder (/proc/self/exe); else the latter,
//! which then names where an installation would have them.
std::filesystem::path shipped_scenarios_dir();

//! The scenario `cradle run` uses when none is named: xihu_current.toml in shipped_scenarios_dir().
std::filesystem::path default_scenario_path();

//! The .toml files of a folder (jurisdictions, packages, sources, the scenarios), sorted by
//! name; none if the folder does not exist.
std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir);

}  // namespace cradle
