// Reading a results file back, as far as comparing its scenarios needs (cradle compare).
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/results.h"

namespace cradle {

//! A file that is not a results file this program can read.
class ResultsFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! The scenarios of a results file with what a comparison reads: ids, years, replications,
//! measure and payer labels, outlay in fen, births, the childcare and kindergarten month
//! sums, the payers' budgets and the drawn parameters (other arrays are left empty). Throws
//! ResultsFileError for a file that is not a Cradle results file or has an unknown major version.
std::vector<ScenarioResults> read_scenarios(const std::filesystem::path& file);

//! The mechanical part a run stored for the comparison `baseline`--`reform`, if the file
//! holds one on the same measure axis as `on`; std::nullopt otherwise.
std::optional<std::vector<std::int64_t>> read_mechanical(const std::filesystem::path& file,
                                                         const ComparisonResults& on);

}  // namespace cradle
