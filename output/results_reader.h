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

//! A results file as the writer wrote it (format 1.x): the root's run description, the base
//! population's children by birth year, every scenario's arrays and labels (month sums
//! recovered from the averages written, money in fen from the exact datasets) and its
//! observations, and every comparison. What the file does not hold (a later minor's
//! dataset) is left empty. Throws ResultsFileError, with a message that says why, for a
//! file that cannot be opened, is not a Cradle results file, has another major version, or
//! is truncated or inconsistent.
RunResults read_results(const std::filesystem::path& file);

//! read_results(file).scenarios.
std::vector<ScenarioResults> read_scenarios(const std::filesystem::path& file);

//! The mechanical part a run stored for the comparison `baseline`--`reform`, if the file
//! holds one on the same measure axis as `on`; std::nullopt otherwise.
std::optional<std::vector<std::int64_t>> read_mechanical(const std::filesystem::path& file,
                                                         const ComparisonResults& on);

}  // namespace cradle
