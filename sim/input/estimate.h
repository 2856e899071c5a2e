// Estimates: the figures of the files a scenario composes that are tagged "E" (an
// assumption or a rough estimate) with a plausible `range = [low, high]`. The readers
// register each one they meet (sim/input/toml_reader.h: TableReader::estimate) and read
// an overridden value where they are given one, so that a replication may run as if an
// estimate had another value of its range while every check of the readers still applies
// (sim/input/estimate_draws.h draws them).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cradle {

//! One figure tagged "E" with a range, as the scenario's files give it.
struct Estimate {
  //! "<file stem>:<dotted field>", e.g. "xihu:events.home_purchase_rate" or, in a package,
  //! "002_xihu:measure.xihu_hpv_screening_at_birth.take_up" (a measure by its id).
  std::string key;
  double value = 0;  //!< as written: the mode of its triangular draw
  double low = 0, high = 0;
  std::string source;
  std::string file;  //!< as messages show it
  int line = 0;
  std::string measure;  //!< the id of the measure it belongs to; empty for a profile or budget figure
  double step = 0;      //!< drawn values are rounded to a multiple of it (0.01 for amounts: whole fen); 0: none
};

//! Values that replace estimates' written ones, by key.
using EstimateOverrides = std::map<std::string, double>;

//! What the readers of one scenario share: the estimates met so far and the overrides.
struct EstimateBook {
  std::vector<Estimate> estimates;  //!< in reading order, each key once
  const EstimateOverrides* overrides = nullptr;
};

}  // namespace cradle
