// A small CSV reader for the researcher-supplied files (scenarios/MICRODATA.md), and
// the text helpers their readers share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

//! The text in lower case (ASCII).
std::string lower(std::string_view s);
//! The text without leading and trailing whitespace.
std::string_view trim(std::string_view s);
//! The whole text as an integer, if it is one.
std::optional<std::int64_t> parse_integer(std::string_view s);
//! The whole text as a finite number, if it is one.
std::optional<double> parse_double(std::string_view s);

//! Reads a CSV file line by line: blank lines and lines starting with '#' are skipped,
//! fields may be double-quoted ("" inside quotes is a quote), whitespace around fields is
//! trimmed. One line is one record (no embedded newlines), so line numbers are exact.
//! Throws ScenarioError (file, line, column) for an unreadable file or a bad quote.
class CsvReader {
 public:
  explicit CsvReader(const std::filesystem::path& file);

  //! Moves to the next record; false at the end of the file.
  bool next();

  int line() const { return line_; }
  const std::vector<std::string>& fields() const { return fields_; }
  //! How messages name the k-th (0-based) field of a line: the header's name for it (the
  //! first record is the header), else "column K+1".
  std::string column_name(std::size_t k) const;
  //! The message for a line of `found` fields under a header of `expected`, with a hint when
  //! the line looks separated by something other than ',' (a Chinese '，', ';' or a tab).
  std::string field_count_message(std::size_t found, std::size_t expected) const;
  const std::string& file() const { return file_; }

 private:
  void split(std::string_view text);

  std::string file_;
  std::ifstream in_;
  int line_ = 0;
  std::vector<std::string> fields_;
  std::vector<std::string> header_;  // the first record, once read
};

}  // namespace cradle
