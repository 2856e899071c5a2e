#include "sim/input/toml_reader.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

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

const toml::node& TableReader::require(const std::string& key) {
  used_.insert(key);
  const toml::node* node = table_.get(key);
  if (!node) fail_at(table_.source(), key, "missing (required)");
  return *node;
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
  const double v = *n.value<double>();
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

ParsedFile parse_file(const std::filesystem::path& path) {
  const std::string shown = shown_path(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(shown, 0, 0, "", "cannot open file");
  std::ostringstream buf;
  buf << in.rdbuf();
  ParsedFile f;
  f.text = buf.str();
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
