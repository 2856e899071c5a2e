// Scenario sets: several scenarios of one place run together on the same base populations
// and random streams (common random numbers), so that their differences are policy, not
// noise. A set comes from scenario files named together, from a set file (a `[set]` table
// listing scenario files, scenarios/sets/), or from a lever sweep (`--vary`) that copies
// one scenario with one field changed. The first scenario is the baseline the others are
// compared with.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/input/scenario.h"

namespace cradle {

//! Scenarios run together, the first the baseline.
struct ScenarioSet {
  std::string id;     //!< the set file's id, or the first scenario's (with "_sweep" for a sweep)
  std::string title;  //!< the set file's title, or ""
  std::vector<Scenario> scenarios;
  std::vector<std::string> variants;  //!< per scenario: what a sweep changed ("" for a file as it is)
};

//! Whether a TOML file is a set file (its root holds a `[set]` table). Throws
//! ScenarioError if it cannot be read or parsed.
bool is_set_file(const std::filesystem::path& file);

//! Reads the scenario and set files named (a set file's scenarios resolved relative to
//! it, else among the shipped scenarios: shipped.h, named_file_places), in order. Throws ScenarioError on bad input, on two scenarios with one id, and on
//! scenarios that cannot share base populations and streams (another place, first or last
//! year, seed, replications, sample or persons file), naming the file and field.
ScenarioSet load_scenario_set(const std::vector<std::filesystem::path>& files);

//! Replaces each scenario of the set by the sweep `spec` over it: "TARGET.FIELD=v1,v2,…",
//! TARGET a measure id (fields amount: yuan per caseload unit — a month for measures counted
//! in months — in every phase; amount_per_year for those paid by the month; take_up, a share,
//! replacing any phased take-up; cap_per_person, cap_per_household in yuan; units_per_year)
//! or an uncertain parameter (fields value, fixing it; low, high, mode, mean, sd, median of
//! its distribution). One scenario per value, in the order given, each id
//! "<id>+TARGET.FIELD=v" and its variant saying what changed. A second sweep multiplies the
//! first. Throws ScenarioError (file "--vary") on a malformed spec, an
//! unknown target or field, or a value its reader would refuse.
void apply_sweep(ScenarioSet& set, const std::string& spec);

//! Checks what load_scenario_set checks of a set after the command line changed it.
void check_common_frame(const ScenarioSet& set);

}  // namespace cradle
