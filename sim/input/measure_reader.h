// Reading one [[measure]] table of a package file (scenarios/README.md, measures.md):
// kind and basis, eligibility, amount and its phases, take-up, caps, and the payers'
// shares resolved against the simulated place's chain of governments.
#pragma once

#include <optional>
#include <vector>

#include "models/measures/measure.h"
#include "sim/input/profile.h"
#include "sim/input/toml_reader.h"

namespace cradle {

//! What payer keys resolve against: the chain (China first, the place last) and the
//! province's region, which picks the regional shares.
struct PayerContext {
  const std::vector<Jurisdiction>* chain;
  std::optional<Region> region;
};

//! Reads a [[measure]] table, checked against its kind. Throws ScenarioError.
Measure read_measure(TableReader& m, const PayerContext& ctx, std::optional<MonthIndex> issued = std::nullopt);

//! Reads an amount table into a phase's money: `value` with `per`, `percent_of_fee`
//! or `public_fee`, with optional provenance. Throws ScenarioError.
void read_amount(TableReader& a, const Measure& m, Phase& phase);

//! Reads a measure's [payers] into parts per million that sum to PPM: shares by level
//! or jurisdiction id (or `by_region`), every region's summing to 1; a level the chain
//! lacks falls to the lowest level it has. Throws ScenarioError.
PayerShares read_payers(TableReader& m, const PayerContext& ctx);

}  // namespace cradle
