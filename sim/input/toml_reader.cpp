#include "sim/input/toml_reader.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

namespace cradle {

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void TableReader::fail_at(const toml::source_region& where, const std::string& key, const std::string& what) const {
  throw ScenarioError(file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), field(key),
                      what);
}

void TableReader::fail(const std::string& key, const std::string& what) const {
  const toml::node* node = table_.get(key);
  fail_at(node ? node->source() : table_.source(), key, what);
}

std::string TableReader::field(const std::string& key) const {
  if (key.empty()) return prefix_;
  return prefix_.empty() ? key : prefix_ + "." + key;
}

TableReader TableReader::child(const toml::table& t, const std::string& key) const {
  TableReader r(t, file_, field(key));
  r.book_ = book_;
  r.stem_ = stem_;
  r.path_ = path_.empty() ? key : path_ + "." + key;
  return r;
}

void TableReader::track_estimates(EstimateBook* book, std::string stem, std::string path) {
  book_ = book;
  stem_ = std::move(stem);
  path_ = std::move(path);
}

void TableReader::estimate(const std::string& key, Sourced& s, double lo, double hi, double step) {
  if (!book_ || s.tag != 'E' || !s.range) return;
  const double low = (*s.range)[0], high = (*s.range)[1];
  const std::string name = key.empty() ? path_ : path_.empty() ? key : path_ + "." + key;
  std::string full = stem_;
  full += ':';
  full += name;
  const toml::node* node = key.empty() ? nullptr : table_.get(key);
  const toml::source_region where = node ? node->source() : table_.source();
  auto& known = book_->estimates;
  if (std::none_of(known.begin(), known.end(), [&](const Estimate& e) { return e.key == full; })) {
    std::string measure;
    if (name.rfind("measure.", 0) == 0) measure = name.substr(8, name.find('.', 8) - 8);
    known.push_back(Estimate{full, s.value, low, high, s.source, file_,
                             static_cast<int>(where.begin.line), measure, step});
  }
  if (!book_->overrides) return;
  const auto it = book_->overrides->find(full);
  if (it == book_->overrides->end()) return;
  const double v = it->second;
  if (!(v >= lo && v <= hi && v >= low && v <= high)) {
    std::ostringstream what;
    what << "the estimate " << full << " cannot be " << v << ": outside [" << std::max(lo, low) << ", "
         << std::min(hi, high) << "]";
    fail_at(where, key, what.str());
  }
  s.value = v;
}

namespace {

//! Whether two keys differ by at most one insertion, deletion, substitution or swap of
//! neighbours (a typing slip), ignoring case.
bool one_slip_apart(std::string_view a, std::string_view b) {
  const auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  if (a.size() < b.size()) std::swap(a, b);
  if (a.size() - b.size() > 1) return false;
  std::size_t i = 0;
  while (i < b.size() && same(a[i], b[i])) ++i;
  if (i == b.size()) return true;  // equal, or one extra character at the end
  const auto rest_same = [&](std::size_t ai, std::size_t bi) {
    for (; ai < a.size() && bi < b.size(); ++ai, ++bi) {
      if (!same(a[ai], b[bi])) return false;
    }
    return ai == a.size() && bi == b.size();
  };
  if (a.size() > b.size()) return rest_same(i + 1, i);  // one character inserted
  if (rest_same(i + 1, i + 1)) return true;              // one substituted
  return i + 1 < a.size() && same(a[i], b[i + 1]) && same(a[i + 1], b[i]) && rest_same(i + 2, i + 2);  // swapped
}

}  // namespace

const toml::node& TableReader::require(const std::string& key) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (node) return *node;
  // A required key written with a slip is one mistake: point at what was written (its
  // line), not at the table that lacks the key. Short keys are too alike to guess.
  if (key.size() >= 4) {
    for (const auto& [k, n] : table_) {
      const std::string written(k.str());
      if (!used_.count(written) && one_slip_apart(written, key)) {
        fail_at(n.source(), written, "unknown key; a misspelling of \"" + key + "\" (required)?");
      }
    }
  }
  fail_at(table_.source(), key, "missing (required)");
}

std::string TableReader::string_or(const std::string& key, std::string fallback) {
  const toml::node* n = optional(key);
  return n ? as_string(*n, key) : fallback;
}

std::string TableReader::as_string(const toml::node& n, const std::string& key) const {
  if (!n.is_string()) fail_at(n.source(), key, std::string("expected a string, found ") + type_name(n));
  const std::string s = *n.value<std::string>();
  if (s.empty()) fail_at(n.source(), key, "must not be empty");
  return s;
}

std::int64_t TableReader::as_integer(const toml::node& n, const std::string& key, std::int64_t lo,
                                     std::int64_t hi) const {
  if (!n.is_integer()) fail_at(n.source(), key, std::string("expected an integer, found ") + type_name(n));
  const std::int64_t v = *n.value<std::int64_t>();
  if (v < lo || v > hi) {
    fail_at(n.source(), key,
            "value " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

double TableReader::as_number(const toml::node& n, const std::string& key, double lo, double hi) const {
  if (!n.is_number()) fail_at(n.source(), key, std::string("expected a number, found ") + type_name(n));
  // toml++ gives no double for an integer it cannot convert exactly (above 2^53): read the
  // integer itself, so that a huge value is refused by the range below, never taken as 0.
  const double v = n.is_integer() ? static_cast<double>(*n.value<std::int64_t>()) : *n.value<double>();
  if (!std::isfinite(v)) fail_at(n.source(), key, "must be finite");
  if (v < lo) {
    fail_at(n.source(), key,
            (lo == 0.0 ? std::string("must not be negative, found ")
                       : "must be at least " + format_number(lo) + ", found ") +
                format_number(v));
  }
  if (v > hi) fail_at(n.source(), key, "must be at most " + format_number(hi) + ", found " + format_number(v));
  return v;
}

bool TableReader::boolean_or(const std::string& key, bool fallback) {
  const toml::node* n = optional(key);
  if (!n) return fallback;
  if (!n->is_boolean()) fail_at(n->source(), key, std::string("expected true or false, found ") + type_name(*n));
  return *n->value<bool>();
}

std::uint8_t TableReader::int_set(const std::string& key, int lo, int hi, std::uint8_t fallback) {
  const toml::node* n = optional(key);
  if (!n) return fallback;
  if (!n->is_array() || n->as_array()->empty()) fail_at(n->source(), key, "expected a non-empty list such as [2, 3]");
  std::uint8_t mask = 0;
  for (const auto& item : *n->as_array()) {
    mask = static_cast<std::uint8_t>(mask | (1u << (as_integer(item, key, lo, hi) - 1)));
  }
  return mask;
}

MonthIndex TableReader::date_month(const std::string& key, bool* present, int* day) {
  const toml::node* n = optional(key);
  *present = n != nullptr;
  if (!n) return 0;
  if (!n->is_date()) fail_at(n->source(), key, std::string("expected a date (YYYY-MM-DD), found ") + type_name(*n));
  const toml::date d = *n->value<toml::date>();
  if (day) *day = d.day;
  return month_index(d.year, d.month);
}

const toml::table& TableReader::subtable(const std::string& key) {
  const toml::node& n = require(key);
  if (!n.is_table()) fail_at(n.source(), key, std::string("expected a table, found ") + type_name(n));
  return *n.as_table();
}

const toml::table* TableReader::optional_subtable(const std::string& key) {
  const toml::node* n = optional(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail_at(n->source(), key, std::string("expected a table, found ") + type_name(*n));
  return n->as_table();
}

Sourced TableReader::sourced(const std::string& key, double lo, double hi) {
  const toml::table& t = subtable(key);
  TableReader r = child(t, key);
  Sourced s;
  s.value = r.as_number(r.require("value"), "value", lo, hi);
  r.provenance(s, lo, hi);
  r.finish();
  estimate(key, s, lo, hi);
  return s;
}

std::vector<double> TableReader::sourced_list(const std::string& key, double lo, double hi, std::size_t min_n,
                                              std::size_t max_n, std::string* source_out) {
  const toml::table& t = subtable(key);
  TableReader r = child(t, key);
  const toml::node& vn = r.require("values");
  if (!vn.is_array()) r.fail_at(vn.source(), "values", std::string("expected an array, found ") + type_name(vn));
  const toml::array& a = *vn.as_array();
  if (a.size() < min_n || a.size() > max_n) {
    r.fail_at(vn.source(), "values",
              "expected " +
                  (min_n == max_n ? std::to_string(min_n) : std::to_string(min_n) + " to " + std::to_string(max_n)) +
                  " numbers, found " + std::to_string(a.size()));
  }
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    out[i] = r.as_number(*a.get(i), "values[" + std::to_string(i) + "]", lo, hi);
  Sourced s;
  r.provenance(s, lo, hi, true);
  r.finish();
  if (source_out) *source_out = s.source;
  return out;
}

void TableReader::provenance(Sourced& s, double lo, double hi, bool many) {
  const std::string tag = string("tag");
  if (tag != "S" && tag != "D" && tag != "E") {
    fail("tag", "must be \"S\" (stated by a source), \"D\" (derived) or \"E\" (estimate), found \"" + tag + "\"");
  }
  s.tag = tag[0];
  s.source = string("source");
  const std::string range_key = many ? "range_factor" : "range";
  if (const toml::node* rn = optional(range_key)) {
    if (!rn->is_array() || rn->as_array()->size() != 2) fail_at(rn->source(), range_key, "expected [low, high]");
    const toml::array& a = *rn->as_array();
    const double a0 = many ? as_number(*a.get(0), range_key, 0, 1e6) : as_number(*a.get(0), range_key, lo, hi);
    const double a1 = many ? as_number(*a.get(1), range_key, 0, 1e6) : as_number(*a.get(1), range_key, lo, hi);
    if (a1 < a0) fail_at(rn->source(), range_key, "low end above high end");
    if (!many && (s.value < a0 || s.value > a1)) fail_at(rn->source(), range_key, "does not contain the value");
    if (many && (a0 > 1 || a1 < 1)) fail_at(rn->source(), range_key, "must contain 1 (the value itself)");
    s.range = {a0, a1};
  } else if (s.tag == 'E') {
    fail_at(table_.source(), range_key,
            "an estimate (tag \"E\") must give its plausible " + range_key + " = [low, high]");
  }
}

void TableReader::finish() const {
  for (const auto& [k, node] : table_) {
    const std::string key(k.str());
    if (!used_.count(key)) fail_at(node.source(), key, "unknown key");
  }
}

const char* TableReader::type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string shown_path(const std::filesystem::path& p) { return p.lexically_normal().string(); }

namespace {

//! The length of the UTF-8 sequence starting at text[i], or 0 if it is not valid UTF-8.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b = byte(i);
  const std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8 either.
  if (b == 0xC0 || b == 0xC1 || b > 0xF4) return 0;
  if (n == 3 && ((b == 0xE0 && byte(i + 1) < 0xA0) || (b == 0xED && byte(i + 1) > 0x9F))) return 0;
  if (n == 4 && ((b == 0xF0 && byte(i + 1) < 0x90) || (b == 0xF4 && byte(i + 1) > 0x8F))) return 0;
  return n;
}

//! Where the scan of a TOML text is: in code, a comment, or a string of one kind.
enum class TomlSpan : std::uint8_t { code, comment, basic, literal, multi_basic, multi_literal };

constexpr const char* TRIPLE_QUOTE = "\"\"\"";
constexpr const char* TRIPLE_APOSTROPHE = "'''";

//! The span a comment or string opening at text[i] enters (code if none), and its length.
TomlSpan opening(const std::string& text, std::size_t i, std::size_t& length) {
  length = 1;
  if (text[i] == '#') return TomlSpan::comment;
  if (text.compare(i, 3, TRIPLE_QUOTE) == 0) {
    length = 3;
    return TomlSpan::multi_basic;
  }
  if (text.compare(i, 3, TRIPLE_APOSTROPHE) == 0) {
    length = 3;
    return TomlSpan::multi_literal;
  }
  if (text[i] == '"') return TomlSpan::basic;
  if (text[i] == '\'') return TomlSpan::literal;
  return TomlSpan::code;
}

//! The span after the character at text[i] inside a comment or string, and how many bytes it takes.
TomlSpan inside(TomlSpan span, const std::string& text, std::size_t i, std::size_t& length) {
  const char c = text[i];
  switch (span) {
    case TomlSpan::comment: return c == '\n' ? TomlSpan::code : span;
    case TomlSpan::basic:
    case TomlSpan::multi_basic:
      if (c == '\\') {
        length = i + 1 < text.size() && text[i + 1] != '\n' ? 2 : 1;
        return span;
      }
      if (span == TomlSpan::basic) return c == '"' || c == '\n' ? TomlSpan::code : span;
      if (text.compare(i, 3, TRIPLE_QUOTE) != 0) return span;
      length = 3;
      return TomlSpan::code;
    case TomlSpan::literal: return c == '\'' || c == '\n' ? TomlSpan::code : span;
    case TomlSpan::multi_literal:
      if (text.compare(i, 3, TRIPLE_APOSTROPHE) != 0) return span;
      length = 3;
      return TomlSpan::code;
    case TomlSpan::code: break;
  }
  return span;
}

}  // namespace

void check_toml_text(const std::string& text, const std::string& shown) {
  // toml++ 3.3 has undefined behaviour on some non-ASCII characters where it expects
  // whitespace (a Chinese 。 or 、 after a key) and asserts on control characters in keys:
  // such text never reaches it. Non-ASCII is fine inside strings and comments only.
  TomlSpan span = TomlSpan::code;
  int line = 1, column = 1;
  // A byte-order mark, as Windows editors write UTF-8, is not text (toml++ skips it too).
  const std::size_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  for (std::size_t i = start; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::size_t length = utf8_length(text, i);
    if (length == 0) throw ScenarioError(shown, line, column, "", "not valid UTF-8 text (save the file as UTF-8)");
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      throw ScenarioError(shown, line, column, "",
                          "a control character (code " + std::to_string(c) + ") where TOML allows none");
    }
    if (length > 1 && span == TomlSpan::code) {
      throw ScenarioError(shown, line, column, "",
                          "the character '" + text.substr(i, length) +
                              "' outside a string or comment: TOML wants ASCII here (a Chinese 。、，：＝ or a "
                              "full-width space where '.', ',', ':', '=' or a space belongs?)");
    }
    if (length == 1) span = span == TomlSpan::code ? opening(text, i, length) : inside(span, text, i, length);
    for (std::size_t end = std::min(text.size(), i + length); i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
  }
}

ParsedFile parse_file(const std::filesystem::path& path) {
  const std::string shown = shown_path(path);
  // A folder opens as an empty stream on Linux: say what it is rather than "missing" keys.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw ScenarioError(shown, 0, 0, "", "is a folder, not a file");
  if (!std::filesystem::exists(path, ec)) throw ScenarioError(shown, 0, 0, "", "no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(shown, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  ParsedFile f;
  f.text = buf.str();
  check_toml_text(f.text, shown);
  try {
    f.table = toml::parse(f.text, shown);
  } catch (const toml::parse_error& e) {
    throw ScenarioError(shown, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column), "",
                        "TOML syntax error: " + std::string(e.description()));
  }
  return f;
}

void require_sum_one(TableReader& r, const std::string& key, double total) {
  if (std::fabs(total - 1.0) > 1e-6) r.fail(key, "shares must sum to 1, they sum to " + format_number(total));
}

std::optional<Payer> level_named(const std::string& name) {
  for (std::size_t p = 0; p < PAYER_COUNT; ++p) {
    if (PAYER_NAMES[p] == name) return static_cast<Payer>(p);
  }
  return std::nullopt;
}

void check_id(TableReader& r, const std::string& key, const std::string& id) {
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      r.fail(key, "use letters, digits, '_' and '-' only");
    }
  }
}

}  // namespace cradle
