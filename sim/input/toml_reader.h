// The TOML schema reader every input file goes through: a table is read key by key,
// each value checked for its type and range where it is read, and keys nobody asked
// for are rejected, so that a misspelt key is an error, never silently ignored. Every
// failure is a ScenarioError naming file, line, column and the dotted field.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "models/calendar.h"
#include "models/funding.h"
#include "sim/input/error.h"
#include "sim/input/estimate.h"
#include "sim/input/profile.h"

namespace cradle {

//! A number as messages write it (the shortest of iostream's default format).
std::string format_number(double v);

//! Reads one TOML table of a file, remembering which keys were read so that
//! `finish` can reject the ones nobody asked for.
class TableReader {
 public:
  //! `prefix` is the table's dotted field name ("" for the file's root).
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  //! Throws a ScenarioError at `where`, naming the field of `key`.
  [[noreturn]] void fail_at(const toml::source_region& where, const std::string& key, const std::string& what) const;
  //! Throws a ScenarioError at `key` (or at the table when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;
  //! The dotted field name of a key of this table.
  std::string field(const std::string& key) const;
  const std::string& file() const { return file_; }

  bool has(const std::string& key) const { return table_.contains(key); }

  //! The node of a key, which must be present; marks it read.
  const toml::node& require(const std::string& key);
  //! The node of a key, or null; marks it read.
  const toml::node* optional(const std::string& key) {
    used_.insert(key);
    return table_.get(key);
  }

  //! A non-empty string.
  std::string string(const std::string& key) { return as_string(require(key), key); }
  //! A non-empty string, or `fallback` when the key is absent.
  std::string string_or(const std::string& key, std::string fallback);
  std::string as_string(const toml::node& n, const std::string& key) const;

  //! An integer in [lo, hi].
  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi) {
    return as_integer(require(key), key, lo, hi);
  }
  std::int64_t as_integer(const toml::node& n, const std::string& key, std::int64_t lo, std::int64_t hi) const;
  //! A finite number in [lo, hi].
  double as_number(const toml::node& n, const std::string& key, double lo, double hi) const;
  //! true or false, or `fallback` when the key is absent.
  bool boolean_or(const std::string& key, bool fallback);
  //! A list of integers in [lo, hi] as a bit mask (bit v-1 for value v).
  std::uint8_t int_set(const std::string& key, int lo, int hi, std::uint8_t fallback);
  //! The month of a date (YYYY-MM-DD), and its day in `*day` if given; `*present` says
  //! whether the key was there.
  MonthIndex date_month(const std::string& key, bool* present, int* day = nullptr);

  //! A sub-table, which must be present.
  const toml::table& subtable(const std::string& key);
  //! A sub-table, or null when the key is absent.
  const toml::table* optional_subtable(const std::string& key);
  //! A reader of a sub-table of this one (it registers estimates as this one does).
  TableReader child(const toml::table& t, const std::string& key) const;

  //! Registers the estimates this reader and its children read in `book` (and reads the
  //! book's overrides), keyed "<stem>:<path>.<key>"; `path` names this table ("" for the
  //! file's root, "measure.<id>" for a measure).
  void track_estimates(EstimateBook* book, std::string stem, std::string path);
  //! For a figure `s` just read at `key` ("" for this table itself) whose provenance is
  //! read: if it is an estimate (tag "E") and estimates are tracked, registers it and, if
  //! the overrides give it a value, puts that in s.value, checked against [lo, hi] and
  //! its range. `step`: see Estimate::step.
  void estimate(const std::string& key, Sourced& s, double lo, double hi, double step = 0);

  //! A sourced number: { value = x, tag = "S"|"D"|"E", source = "…", range = [lo, hi] };
  //! an estimate is registered and may be overridden (see `estimate`).
  Sourced sourced(const std::string& key, double lo, double hi);
  //! A sourced list of N numbers: { values = [...], tag, source, range_factor? }.
  template <std::size_t N>
  std::array<double, N> sourced_values(const std::string& key, double lo, double hi,
                                       std::string* source_out = nullptr) {
    const std::vector<double> v = sourced_list(key, lo, hi, N, N, source_out);
    std::array<double, N> out{};
    std::copy(v.begin(), v.end(), out.begin());
    return out;
  }
  //! A sourced list of min_n … max_n numbers.
  std::vector<double> sourced_list(const std::string& key, double lo, double hi, std::size_t min_n, std::size_t max_n,
                                   std::string* source_out = nullptr);

  //! Reads tag, source and the plausible range of an estimate: `range = [low, high]`
  //! for a single number, `range_factor = [low, high]` (multiples of each value) for a
  //! list or table of numbers.
  void provenance(Sourced& s, double lo, double hi, bool many = false);

  //! Rejects keys that were never read.
  void finish() const;

  //! How messages name a node's type ("a string", "an integer", …).
  static const char* type_name(const toml::node& n);

 private:
  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> used_;
  EstimateBook* book_ = nullptr;  // where estimates are registered, if tracked
  std::string stem_, path_;       // the estimate keys' file stem and this table's path
};

//! A TOML file's text and its parsed table.
struct ParsedFile {
  std::string text;
  toml::table table;
};

//! A path as messages and the resolved scenario text show it.
std::string shown_path(const std::filesystem::path& p);

//! Refuses (ScenarioError at the line and column) TOML text that is not UTF-8, holds a
//! control character, or holds a non-ASCII character outside strings and comments: the
//! parser must never see it (toml++ 3.3 misbehaves on some of it).
void check_toml_text(const std::string& text, const std::string& shown);

//! Reads and parses a TOML file. Throws ScenarioError for a path that is a folder or names
//! no file, an unreadable file, text that check_toml_text refuses, or a syntax error.
ParsedFile parse_file(const std::filesystem::path& path);

//! The sum of a range of numbers.
double sum(const auto& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s;
}

//! Fails at `key` unless `total` is 1 (to 1e-6).
void require_sum_one(TableReader& r, const std::string& key, double total);

//! The level of government of a name (central, province, city, county).
std::optional<Payer> level_named(const std::string& name);

//! Fails at `key` unless `id` has only letters, digits, '_' and '-'.
void check_id(TableReader& r, const std::string& key, const std::string& id);

}  // namespace cradle
