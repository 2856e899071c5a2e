// Where the shipped scenarios are at run time. The build tree and an installation both
// hold them in share/cradle/scenarios (the build tree as a link to the sources), so a
// program finds them from its own location; no source path is compiled in.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cradle {

//! The directory of the shipped scenarios: $CRADLE_SCENARIOS if set and not empty; else the
//! first of <exe dir>/share/cradle/scenarios and <exe dir>/../share/cradle/scenarios that
//! exists, <exe dir> being the running program's folder (/proc/self/exe); else the latter,
//! which then names where an installation would have them.
std::filesystem::path shipped_scenarios_dir();

//! The scenario `cradle run` uses when none is named: xihu_current.toml in shipped_scenarios_dir().
std::filesystem::path default_scenario_path();

//! Where a path that a file in `dir` names is looked for, in order: `dir / named`, then
//! `shipped_scenarios_dir() / w / named` for each `w` of `within` (folders of the shipped
//! scenarios; "" the folder itself), so that a shipped scenario copied alone elsewhere still
//! finds its base, packages and jurisdictions. A place named twice, or one that leaves the
//! shipped folder, is dropped; an absolute `named` is only itself.
std::vector<std::filesystem::path> named_file_places(const std::filesystem::path& dir,
                                                     const std::filesystem::path& named,
                                                     const std::vector<std::filesystem::path>& within = {""});

//! The first of `places` that is a regular file, or std::nullopt.
std::optional<std::filesystem::path> first_file(const std::vector<std::filesystem::path>& places);

//! For a message: "no such file: A" or "no such file: A, nor among the shipped scenarios: B";
//! "A is a folder, not a file" when the first place is a folder.
std::string not_found_text(const std::vector<std::filesystem::path>& places);

//! The .toml files of a folder (jurisdictions, packages, sources, the scenarios), sorted by
//! name; none if the folder does not exist.
std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir);

}  // namespace cradle
