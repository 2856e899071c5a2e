#include "sim/scenario.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace cradle {

ScenarioError::ScenarioError(std::string file, int line, int column, std::string field, const std::string& what)
    : std::runtime_error(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         (field.empty() ? std::string() : "field '" + field + "': ") + what),
      file_(std::move(file)),
      line_(line),
      column_(column),
      field_(std::move(field)) {}

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

//! Reads one TOML table of a file, remembering which keys were read so that
//! `finish` can reject the ones nobody asked for (a misspelt key is an error,
//! never silently ignored).
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  [[noreturn]] void fail_at(const toml::source_region& where, const std::string& key, const std::string& what) const {
    throw ScenarioError(file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), field(key),
                        what);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    const toml::node* node = table_.get(key);
    fail_at(node ? node->source() : table_.source(), key, what);
  }
  std::string field(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  const std::string& file() const { return file_; }

  bool has(const std::string& key) const { return table_.contains(key); }

  const toml::node& require(const std::string& key) {
    used_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) fail_at(table_.source(), key, "missing (required)");
    return *node;
  }
  const toml::node* optional(const std::string& key) {
    used_.insert(key);
    return table_.get(key);
  }

  std::string string(const std::string& key) { return as_string(require(key), key); }
  std::string string_or(const std::string& key, std::string fallback) {
    const toml::node* n = optional(key);
    return n ? as_string(*n, key) : fallback;
  }
  std::string as_string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail_at(n.source(), key, std::string("expected a string, found ") + type_name(n));
    const std::string s = *n.value<std::string>();
    if (s.empty()) fail_at(n.source(), key, "must not be empty");
    return s;
  }

  std::int64_t integer(const std::string& key, std::int64_t lo, std::int64_t hi) {
    return as_integer(require(key), key, lo, hi);
  }
  std::int64_t as_integer(const toml::node& n, const std::string& key, std::int64_t lo, std::int64_t hi) const {
    if (!n.is_integer()) fail_at(n.source(), key, std::string("expected an integer, found ") + type_name(n));
    const std::int64_t v = *n.value<std::int64_t>();
    if (v < lo || v > hi) {
      fail_at(n.source(), key,
              "value " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
  }

  double as_number(const toml::node& n, const std::string& key, double lo, double hi) const {
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

  MonthIndex date_month(const std::string& key, bool* present) {
    const toml::node* n = optional(key);
    *present = n != nullptr;
    if (!n) return 0;
    if (!n->is_date()) fail_at(n->source(), key, std::string("expected a date (YYYY-MM-DD), found ") + type_name(*n));
    const toml::date d = *n->value<toml::date>();
    return month_index(d.year, d.month);
  }

  const toml::table& subtable(const std::string& key) {
    const toml::node& n = require(key);
    if (!n.is_table()) fail_at(n.source(), key, std::string("expected a table, found ") + type_name(n));
    return *n.as_table();
  }
  const toml::table* optional_subtable(const std::string& key) {
    const toml::node* n = optional(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail_at(n->source(), key, std::string("expected a table, found ") + type_name(*n));
    return n->as_table();
  }
  TableReader child(const toml::table& t, const std::string& key) const { return TableReader(t, file_, field(key)); }

  //! A sourced number: { value = x, tag = "S"|"D"|"E", source = "…", range = [lo, hi] }.
  Sourced sourced(const std::string& key, double lo, double hi) {
    const toml::table& t = subtable(key);
    TableReader r = child(t, key);
    Sourced s;
    s.value = r.as_number(r.require("value"), "value", lo, hi);
    r.provenance(s, lo, hi);
    r.finish();
    return s;
  }
  //! A sourced list of n numbers: { values = [...], tag, source, range? }.
  template <std::size_t N>
  std::array<double, N> sourced_values(const std::string& key, double lo, double hi,
                                       std::string* source_out = nullptr) {
    const toml::table& t = subtable(key);
    TableReader r = child(t, key);
    const toml::node& vn = r.require("values");
    if (!vn.is_array()) r.fail_at(vn.source(), "values", std::string("expected an array, found ") + type_name(vn));
    const toml::array& a = *vn.as_array();
    if (a.size() != N) {
      r.fail_at(vn.source(), "values", "expected " + std::to_string(N) + " numbers, found " + std::to_string(a.size()));
    }
    std::array<double, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = r.as_number(*a.get(i), "values[" + std::to_string(i) + "]", lo, hi);
    Sourced s;
    r.provenance(s, lo, hi, true);
    r.finish();
    if (source_out) *source_out = s.source;
    return out;
  }

  //! Reads tag, source and the plausible range of an estimate: `range = [low, high]`
  //! for a single number, `range_factor = [low, high]` (multiples of each value) for a
  //! list or table of numbers.
  void provenance(Sourced& s, double lo, double hi, bool many = false) {
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

  //! Rejects keys that were never read.
  void finish() const {
    for (const auto& [k, node] : table_) {
      const std::string key(k.str());
      if (!used_.count(key)) fail_at(node.source(), key, "unknown key");
    }
  }

  static const char* type_name(const toml::node& n) {
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

 private:
  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> used_;
};

struct ParsedFile {
  std::string text;
  toml::table table;
};

ParsedFile parse_file(const std::filesystem::path& path, const std::string& shown) {
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

double sum(const auto& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s;
}

void require_sum_one(TableReader& r, const std::string& key, double total) {
  if (std::fabs(total - 1.0) > 1e-6) r.fail(key, "shares must sum to 1, they sum to " + format_number(total));
}

Payer parse_payer(TableReader& r, const std::string& key, const std::string& name) {
  for (std::size_t p = 0; p < PAYER_COUNT; ++p) {
    if (PAYER_NAMES[p] == name) return static_cast<Payer>(p);
  }
  r.fail(key, "unknown level \"" + name + "\" (expected central, province, city or district)");
}

JurisdictionProfile load_profile(const std::filesystem::path& path, const std::string& shown, std::string& resolved) {
  ParsedFile f = parse_file(path, shown);
  resolved += "# ---- " + shown + " ----\n" + f.text + "\n";
  TableReader root(f.table, shown, "");
  JurisdictionProfile p;

  {
    TableReader j = root.child(root.subtable("jurisdiction"), "jurisdiction");
    p.id = j.string("id");
    p.name = j.string("name");
    p.level = parse_payer(j, "level", j.string("level"));
    j.finish();
  }
  {
    TableReader pop = root.child(root.subtable("population"), "population");
    p.persons = pop.sourced("persons", 1000, 2e9).value;
    p.household_size_shares = pop.sourced_values<HOUSEHOLD_SIZE_CLASSES>("household_size_shares", 0, 1);
    require_sum_one(pop, "household_size_shares", sum(p.household_size_shares));
    p.females_per_1000 = pop.sourced_values<FEMALE_AGE_GROUPS>("females_per_1000", 0, 200);
    {
      const toml::table& pt = pop.subtable("parity_shares");
      TableReader pr = pop.child(pt, "parity_shares");
      static const char* groups[FERTILE_AGE_GROUPS] = {"age_15_19", "age_20_24", "age_25_29", "age_30_34",
                                                       "age_35_39", "age_40_44", "age_45_49"};
      Sourced prov;
      pr.provenance(prov, 0, 1, true);
      for (int g = 0; g < FERTILE_AGE_GROUPS; ++g) {
        const toml::node& n = pr.require(groups[g]);
        if (!n.is_array() || n.as_array()->size() != PROFILE_PARITIES) {
          pr.fail_at(n.source(), groups[g], "expected 4 shares (parity 0, 1, 2, 3+)");
        }
        auto& row = p.parity_shares[static_cast<std::size_t>(g)];
        for (std::size_t k = 0; k < PROFILE_PARITIES; ++k) {
          row[k] = pr.as_number(*n.as_array()->get(k), groups[g], 0, 1);
        }
        require_sum_one(pr, groups[g], sum(row));
      }
      pr.finish();
    }
    pop.finish();
  }
  {
    TableReader fr = root.child(root.subtable("fertility"), "fertility");
    p.births = fr.sourced("births", 1, 1e8).value;
    p.burn_in_births_relative = fr.sourced_values<BURN_IN_YEARS>("burn_in_births_relative", 0.01, 100);
    p.fertility.age_pattern = fr.sourced_values<FERTILE_AGE_GROUPS>("age_pattern", 0, 1000);
    if (sum(p.fertility.age_pattern) <= 0) fr.fail("age_pattern", "all rates are zero");
    p.fertility.order_shares = fr.sourced_values<PARITY_CLASSES>("birth_order_shares", 0, 1);
    require_sum_one(fr, "birth_order_shares", sum(p.fertility.order_shares));
    fr.finish();
  }
  {
    TableReader cr = root.child(root.subtable("childcare"), "childcare");
    p.childcare.enrolment_by_age = cr.sourced_values<3>("enrolment_by_age", 0, 1);
    p.childcare.inclusive_share = cr.sourced("inclusive_share", 0, 1).value;
    cr.finish();
  }
  root.finish();
  return p;
}

std::uint8_t parse_provider(TableReader& r, const std::string& key) {
  const std::string s = r.string_or(key, "any");
  if (s == "any") return PROVIDER_ANY;
  if (s == "inclusive") return static_cast<std::uint8_t>(ProviderClass::inclusive);
  if (s == "other") return static_cast<std::uint8_t>(ProviderClass::other);
  r.fail(key, "unknown provider class \"" + s + "\" (expected any, inclusive or other)");
}

Fen yuan_to_fen(TableReader& r, const std::string& key, double yuan) {
  const double fen = yuan * 100.0;
  const double rounded = std::round(fen);
  if (std::fabs(fen - rounded) > 1e-6) r.fail(key, "amount " + format_number(yuan) + " is not a whole number of fen");
  return static_cast<Fen>(rounded);
}

Measure load_measure(TableReader& m) {
  Measure out;
  out.id = m.string("id");
  for (char c : out.id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      m.fail("id", "use letters, digits, '_' and '-' only");
    }
  }
  const std::string kind = m.string("kind");
  const auto parsed = parse_kind(kind);
  if (!parsed) m.fail("kind", "unknown measure kind \"" + kind + "\" (supported: child_cash, operating_subsidy)");
  out.kind = *parsed;
  out.title = m.string("title");
  out.source = m.string("source");
  m.string_or("note", "");

  {
    TableReader a = m.child(m.subtable("amount"), "amount");
    const double yuan = a.as_number(a.require("value"), "value", 0, 1e9);
    const std::string per = a.string("per");
    const Fen fen = yuan_to_fen(a, "value", yuan);
    if (per == "month") {
      out.fen_per_month = fen;
    } else if (per == "year") {
      if (fen % 12 != 0) a.fail("value", "a yearly amount must divide into whole fen per month");
      out.fen_per_month = fen / 12;
    } else {
      a.fail("per", "expected \"month\" or \"year\", found \"" + per + "\"");
    }
    a.string_or("source", "");
    a.finish();
  }
  {
    const toml::node& n = m.require("take_up");
    if (!n.is_table()) m.fail("take_up", "expected { value, tag, source, range }");
    Sourced t = m.sourced("take_up", 0, 1);
    out.take_up = t.value;
  }
  if (const toml::table* et = m.optional_subtable("eligibility")) {
    TableReader e = m.child(*et, "eligibility");
    auto& el = out.eligibility;
    if (e.has("min_age_months")) el.min_age_months = static_cast<int>(e.integer("min_age_months", 0, 1200));
    if (e.has("max_age_months")) el.max_age_months = static_cast<int>(e.integer("max_age_months", 1, 1200));
    if (el.max_age_months <= el.min_age_months) e.fail("max_age_months", "must exceed min_age_months");
    if (const toml::node* bo = e.optional("birth_orders")) {
      if (!bo->is_array() || bo->as_array()->empty())
        e.fail_at(bo->source(), "birth_orders", "expected a list such as [2, 3]");
      el.birth_orders = 0;
      for (const auto& item : *bo->as_array()) {
        const auto k = e.as_integer(item, "birth_orders", 1, 3);
        el.birth_orders = static_cast<std::uint8_t>(el.birth_orders | (1u << (k - 1)));
      }
    }
    el.provider = parse_provider(e, "provider");
    bool has_from = false, has_until = false;
    const MonthIndex from = e.date_month("valid_from", &has_from);
    const MonthIndex until = e.date_month("valid_until", &has_until);
    if (has_from) el.valid_from = from;
    if (has_until) el.valid_until = until + 1;  // the month containing the last day is still in force
    if (el.valid_until <= el.valid_from) e.fail("valid_until", "ends before it starts");
    e.finish();
  }
  if (out.kind == MeasureKind::child_cash && out.eligibility.provider != PROVIDER_ANY) {
    m.fail("eligibility", "a child_cash measure cannot be limited to a provider class");
  }
  {
    const toml::table& pt = m.subtable("payers");
    TableReader pr = m.child(pt, "payers");
    double total = 0;
    std::int64_t total_ppm = 0;
    for (const auto& [k, node] : pt) {
      const std::string name(k.str());
      const Payer payer = parse_payer(pr, name, name);
      const Sourced s = pr.sourced(name, 0, 1);
      total += s.value;
      const auto ppm = static_cast<std::int64_t>(std::llround(s.value * PPM));
      out.payers.ppm[static_cast<std::size_t>(payer)] = ppm;
      total_ppm += ppm;
    }
    if (std::fabs(total - 1.0) > 1e-9 || total_ppm != PPM) {
      pr.fail_at(pt.source(), "", "payer shares must sum to 1, they sum to " + format_number(total));
    }
    pr.finish();
  }
  m.finish();
  return out;
}

void load_package(const std::filesystem::path& path, const std::string& shown, Scenario& scenario,
                  std::set<std::string>& ids) {
  ParsedFile f = parse_file(path, shown);
  scenario.resolved_text += "# ---- " + shown + " ----\n" + f.text + "\n";
  TableReader root(f.table, shown, "");
  {
    TableReader pk = root.child(root.subtable("package"), "package");
    pk.string("id");
    pk.string("title");
    pk.string("document");
    pk.string("issued_by");
    pk.string_or("note", "");
    bool has = false;
    pk.date_month("issued", &has);
    pk.finish();
  }
  const toml::node& mn = root.require("measure");
  if (!mn.is_array_of_tables()) root.fail("measure", "expected [[measure]] tables");
  std::size_t i = 0;
  for (const auto& item : *mn.as_array()) {
    TableReader m(*item.as_table(), shown, "measure[" + std::to_string(i++) + "]");
    Measure measure = load_measure(m);
    if (!ids.insert(measure.id).second) m.fail("id", "measure id \"" + measure.id + "\" is defined twice");
    scenario.measures.push_back(std::move(measure));
  }
  root.finish();
}

std::string shown_path(const std::filesystem::path& p) { return p.lexically_normal().string(); }

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) {
  const std::string shown = shown_path(file);
  ParsedFile f = parse_file(file, shown);
  Scenario s;
  s.file = file;
  s.resolved_text = "# ---- " + shown + " ----\n" + f.text + "\n";
  TableReader root(f.table, shown, "");
  TableReader sc = root.child(root.subtable("scenario"), "scenario");
  s.id = sc.string("id");
  for (char c : s.id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      sc.fail("id", "use letters, digits, '_' and '-' only (it names an HDF5 group)");
    }
  }
  s.title = sc.string("title");
  s.start_year = static_cast<int>(sc.integer("start_year", 2000, 2100));
  s.end_year = static_cast<int>(sc.integer("end_year", 2000, 2100));
  if (s.end_year < s.start_year) sc.fail("end_year", "before start_year");
  // Women are generated from age 7 in the first year up (younger girls are children of
  // the burn-in, not yet tracked as women), so the youngest reach 15 in year 9.
  if (s.years() > MAX_HORIZON_YEARS) {
    sc.fail("end_year", "horizons longer than " + std::to_string(MAX_HORIZON_YEARS) + " years are not supported yet");
  }
  s.replications = static_cast<int>(sc.integer("replications", 1, 1'000'000));
  s.seed = static_cast<std::uint32_t>(sc.integer("seed", 0, 0xFFFFFFFFll));
  const std::filesystem::path dir = file.parent_path();
  const std::string jpath = sc.string("jurisdiction");
  const std::filesystem::path jfile = dir / jpath;
  if (!std::filesystem::exists(jfile)) sc.fail("jurisdiction", "no such file: " + shown_path(jfile));

  const toml::node& pn = sc.require("packages");
  if (!pn.is_array()) sc.fail("packages", "expected a list of package files");
  std::vector<std::filesystem::path> packages;
  for (const auto& item : *pn.as_array()) {
    const std::string p = sc.as_string(item, "packages");
    const std::filesystem::path pf = dir / p;
    if (!std::filesystem::exists(pf)) sc.fail_at(item.source(), "packages", "no such file: " + shown_path(pf));
    packages.push_back(pf);
  }
  sc.finish();
  root.finish();

  s.profile = load_profile(jfile, shown_path(jfile), s.resolved_text);
  std::set<std::string> ids;
  for (const auto& pf : packages) load_package(pf, shown_path(pf), s, ids);
  return s;
}

std::filesystem::path shipped_scenarios_dir() {
  if (const char* env = std::getenv("CRADLE_SCENARIOS"); env && *env) return env;
  return std::filesystem::path(CRADLE_SOURCE_DIR) / "scenarios";
}

std::filesystem::path default_scenario_path() { return shipped_scenarios_dir() / "xihu_current.toml"; }

}  // namespace cradle
