#include "sim/input/scenario.h"

#include "sim/population/household_fit.h"
#include "sim/population/microdata.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numeric>
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

Fen Jurisdiction::budget_fen(int year) const {
  return static_cast<Fen>(std::llround(budget_yuan * std::pow(1.0 + budget_growth, year - budget_year) * 100.0));
}

const Jurisdiction* Scenario::at_level(Payer level) const {
  for (const Jurisdiction& j : chain) {
    if (j.level == level) return &j;
  }
  return nullptr;
}

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
  std::string field(const std::string& key) const {
    if (key.empty()) return prefix_;
    return prefix_.empty() ? key : prefix_ + "." + key;
  }
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

  bool boolean_or(const std::string& key, bool fallback) {
    const toml::node* n = optional(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail_at(n->source(), key, std::string("expected true or false, found ") + type_name(*n));
    return *n->value<bool>();
  }

  //! A list of integers in [lo, hi] as a bit mask (bit v-1 for value v).
  std::uint8_t int_set(const std::string& key, int lo, int hi, std::uint8_t fallback) {
    const toml::node* n = optional(key);
    if (!n) return fallback;
    if (!n->is_array() || n->as_array()->empty()) fail_at(n->source(), key, "expected a non-empty list such as [2, 3]");
    std::uint8_t mask = 0;
    for (const auto& item : *n->as_array()) {
      mask = static_cast<std::uint8_t>(mask | (1u << (as_integer(item, key, lo, hi) - 1)));
    }
    return mask;
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
    const std::vector<double> v = sourced_list(key, lo, hi, N, N, source_out);
    std::array<double, N> out{};
    std::copy(v.begin(), v.end(), out.begin());
    return out;
  }
  //! A sourced list of min_n … max_n numbers.
  std::vector<double> sourced_list(const std::string& key, double lo, double hi, std::size_t min_n, std::size_t max_n,
                                   std::string* source_out = nullptr) {
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

double sum(const auto& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s;
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

// ---- jurisdictions -------------------------------------------------------------

Jurisdiction read_jurisdiction(TableReader& root, const std::filesystem::path& file) {
  Jurisdiction j;
  j.file = file;
  {
    TableReader t = root.child(root.subtable("jurisdiction"), "jurisdiction");
    j.id = t.string("id");
    check_id(t, "id", j.id);
    j.name = t.string("name");
    const std::string level = t.string("level");
    const auto parsed = level_named(level);
    if (!parsed) t.fail("level", "unknown level \"" + level + "\" (expected central, province, city or county)");
    j.level = *parsed;
    j.parent = t.string_or("parent", "");
    if (j.level != Payer::central && j.parent.empty()) t.fail("parent", "missing: only the central level has none");
    if (const toml::node* rn = t.optional("region")) {
      const std::string r = t.as_string(*rn, "region");
      if (r == "east")
        j.region = Region::east;
      else if (r == "central")
        j.region = Region::central;
      else if (r == "west")
        j.region = Region::west;
      else
        t.fail("region", "expected east, central or west");
    }
    if (j.level == Payer::province && !j.region) t.fail("region", "missing: a province names its region");
    t.finish();
  }
  {
    TableReader b = root.child(root.subtable("budget"), "budget");
    j.budget_yuan = b.sourced("general_expenditure", 0, 1e14).value;
    j.budget_year = static_cast<int>(b.integer("year", 2000, 2100));
    j.budget_growth = b.sourced("growth", -0.5, 0.5).value;
    b.finish();
  }
  return j;
}

PlaceProfile read_place_profile(TableReader& root) {
  PlaceProfile p;
  {
    TableReader pop = root.child(root.subtable("population"), "population");
    p.persons = pop.sourced("persons", 1000, 2e9).value;
    p.household_size_shares = pop.sourced_values<HOUSEHOLD_SIZE_CLASSES>("household_size_shares", 0, 1);
    require_sum_one(pop, "household_size_shares", sum(p.household_size_shares));
    p.females_per_1000 = pop.sourced_values<FEMALE_AGE_GROUPS>("females_per_1000", 0, 200);
    p.local_residency_share = pop.sourced("local_residency_share", 0, 1).value;
    p.special_family_share = pop.sourced("special_family_share", 0, 1).value;
    if (pop.has("priority_group_share")) {
      p.households.priority_group_share = pop.sourced("priority_group_share", 0, 1).value;
    }
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
        for (std::size_t k = 0; k < PROFILE_PARITIES; ++k)
          row[k] = pr.as_number(*n.as_array()->get(k), groups[g], 0, 1);
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
    p.assisted_reproduction_share = fr.sourced("assisted_reproduction_share_35plus", 0, 1).value;
    if (fr.has("sex_ratio_at_birth")) p.sex_ratio_at_birth = fr.sourced("sex_ratio_at_birth", 90, 130).value;
    fr.finish();
  }
  auto fees = [](TableReader& r, const std::string& key) {
    const auto yuan = r.sourced_values<PROVIDER_COUNT>(key, 0, 1e5);
    FeeTable t{};
    for (std::size_t i = 0; i < PROVIDER_COUNT; ++i) t[i] = static_cast<Fen>(std::llround(yuan[i] * 100));
    return t;
  };
  {
    TableReader cr = root.child(root.subtable("childcare"), "childcare");
    auto& c = p.childcare;
    c.enrolment_by_age = cr.sourced_values<3>("enrolment_by_age", 0, 1);
    c.provider_shares = cr.sourced_values<PROVIDER_COUNT>("provider_shares", 0, 1);
    require_sum_one(cr, "provider_shares", sum(c.provider_shares));
    c.fees = fees(cr, "fees");
    c.slots_per_1000 = cr.sourced("slots_per_1000", 0, 100).value;
    c.target_slots_per_1000 = cr.sourced("target_slots_per_1000", 0, 100).value;
    c.target_year = static_cast<int>(cr.integer("target_year", 2000, 2100));
    c.renovated_share = cr.sourced("renovated_share", 0, 1).value;
    if (cr.has("demand_by_employment")) {
      p.households.childcare_demand_by_employment = cr.sourced_values<3>("demand_by_employment", 0, 100);
    }
    cr.finish();
  }
  {
    TableReader kr = root.child(root.subtable("kindergarten"), "kindergarten");
    auto& k = p.kindergarten;
    k.enrolment_rate = kr.sourced("enrolment_rate", 0, 1).value;
    k.provider_shares = kr.sourced_values<PROVIDER_COUNT>("provider_shares", 0, 1);
    require_sum_one(kr, "provider_shares", sum(k.provider_shares));
    k.fees = fees(kr, "fees");
    kr.finish();
  }
  {
    TableReader er = root.child(root.subtable("events"), "events");
    p.home_purchase_rate = er.sourced("home_purchase_rate", 0, 1).value;
    if (er.has("home_purchase_by_tenure")) {
      p.households.home_purchase_by_tenure = er.sourced_values<2>("home_purchase_by_tenure", 0, 100);
    }
    er.finish();
  }
  if (const toml::table* mt = root.optional_subtable("mortality")) {
    TableReader mr = root.child(*mt, "mortality");
    p.infant_mortality = mr.sourced("infant_per_1000", 0, 200).value;
    p.child_mortality = mr.sourced("child_per_1000", 0, 100).value;
    p.women_mortality = mr.sourced("women_per_1000", 0, 100).value;
    mr.finish();
  }
  if (const toml::table* mt = root.optional_subtable("migration")) {
    TableReader mr = root.child(*mt, "migration");
    p.net_migration_per_1000 = mr.sourced("net_per_1000", -200, 200).value;
    mr.finish();
  }
  {
    TableReader ir = root.child(root.subtable("income"), "income");
    p.household_income = ir.sourced("household_annual", 1000, 1e8).value;
    HouseholdProfile& h = p.households;
    if (ir.has("band_shares") || ir.has("band_relative")) {
      h.income_band_shares = ir.sourced_list("band_shares", 0, 1, 1, MAX_INCOME_BANDS);
      require_sum_one(ir, "band_shares",
                      std::accumulate(h.income_band_shares.begin(), h.income_band_shares.end(), 0.0));
      h.income_band_relative = ir.sourced_list("band_relative", 0.001, 1000, 1, MAX_INCOME_BANDS);
      if (h.income_band_relative.size() != h.income_band_shares.size()) {
        ir.fail("band_relative", "expected one value per income band (" + std::to_string(h.income_band_shares.size()) +
                                     " in band_shares)");
      }
    }
    ir.finish();
  }
  if (const toml::table* ht = root.optional_subtable("households")) {
    TableReader hr = root.child(*ht, "households");
    HouseholdProfile& h = p.households;
    h.employment_shares = hr.sourced_values<3>("employment_shares", 0, 1);
    require_sum_one(hr, "employment_shares", sum(h.employment_shares));
    h.tenure_shares = hr.sourced_values<2>("tenure_shares", 0, 1);
    require_sum_one(hr, "tenure_shares", sum(h.tenure_shares));
    if (hr.has("nonlocal_renter_odds")) h.nonlocal_renter_odds = hr.sourced("nonlocal_renter_odds", 0.01, 100).value;
    if (hr.has("income_employment_odds")) {
      h.income_employment_odds = hr.sourced("income_employment_odds", 0.01, 100).value;
    }
    hr.finish();
  }
  // Relative factors are scaled to a share-weighted mean of 1, so that the profile's
  // averages (income, enrolment, purchase rate) hold for the whole population.
  HouseholdProfile& h = p.households;
  auto normalise = [](auto& factors, const auto& shares) {
    double mean = 0;
    for (std::size_t i = 0; i < factors.size(); ++i) mean += factors[i] * shares[i];
    if (mean > 0) {
      for (double& f : factors) f /= mean;
    }
  };
  normalise(h.income_band_relative, h.income_band_shares);
  normalise(h.childcare_demand_by_employment, h.employment_shares);
  normalise(h.home_purchase_by_tenure, h.tenure_shares);
  return p;
}

// ---- measures --------------------------------------------------------------------

//! Reads an amount table into a phase's money; `value` with `per`, or `percent_of_fee`.
void read_amount(TableReader& a, const Measure& m, Phase& phase) {
  double written = 0;  // the amount as written: yuan, or percent of the fee
  if (a.boolean_or("public_fee", false)) {
    if (m.kind != MeasureKind::fee_reduction) a.fail("public_fee", "only a fee_reduction can be the public fee");
    phase.public_fee = true;
    phase.percent_of_fee_bp = -1;
  } else if (const toml::node* pn = a.optional("percent_of_fee")) {
    if (m.kind != MeasureKind::fee_reduction)
      a.fail("percent_of_fee", "only a fee_reduction can be a percentage of a fee");
    const double pct = a.as_number(*pn, "percent_of_fee", 0, 100);
    written = pct;
    phase.percent_of_fee_bp = static_cast<int>(std::llround(pct * 100));
    phase.public_fee = false;
    if (std::fabs(pct * 100 - phase.percent_of_fee_bp) > 1e-6) a.fail("percent_of_fee", "at most two decimals");
  } else {
    phase.public_fee = false;
    phase.percent_of_fee_bp = -1;
    const toml::node& vn = a.require("value");
    const double yuan = a.as_number(vn, "value", 0, 1e9);
    written = yuan;
    const double fen_d = yuan * 100.0;
    if (std::fabs(fen_d - std::round(fen_d)) > 1e-6) a.fail_at(vn.source(), "value", "not a whole number of fen");
    const auto fen = static_cast<Fen>(std::llround(fen_d));
    const std::string per = a.string("per");
    if (monthly(m.basis)) {
      if (per == "month") {
        phase.fen_per_unit = fen;
        phase.per_months = 1;
      } else if (per == "year" && m.kind != MeasureKind::fee_reduction) {
        // Exact per month when it divides; otherwise n months cost n × amount / 12, rounded down.
        phase.fen_per_unit = fen % 12 == 0 ? fen / 12 : fen;
        phase.per_months = fen % 12 == 0 ? 1 : 12;
      } else {
        a.fail("per", "a measure counted in " + std::string(caseload_unit(m.basis)) + " is paid per \"month\"" +
                          (m.kind == MeasureKind::fee_reduction ? "" : " or per \"year\"") + ", found \"" + per + "\"");
      }
    } else if (per == "unit") {
      phase.fen_per_unit = fen;
      phase.per_months = 1;
    } else {
      a.fail("per", "a measure counted in " + std::string(caseload_unit(m.basis)) + " is paid per \"unit\", found \"" +
                        per + "\"");
    }
  }
  // Amounts the documents state take the measure's source; assumed ones say so.
  if (a.has("tag")) {
    Sourced s;
    s.value = written;
    a.provenance(s, 0, 1e12);
  } else {
    a.string_or("source", "");
  }
  a.finish();
}

struct PayerContext {
  const std::vector<Jurisdiction>* chain;
  std::optional<Region> region;
};

//! Resolves a payer key (a level or a jurisdiction id of the chain) to a level present
//! in the chain; a level the chain lacks falls to the lowest level it has.
Payer resolve_payer(TableReader& r, const std::string& key, const PayerContext& ctx) {
  std::optional<Payer> level = level_named(key);
  if (!level) {
    for (const Jurisdiction& j : *ctx.chain) {
      if (j.id == key) level = j.level;
    }
  }
  if (!level) r.fail(key, "neither a level (central, province, city, county) nor a jurisdiction of this place");
  for (const Jurisdiction& j : *ctx.chain) {
    if (j.level == *level) return *level;
  }
  return ctx.chain->back().level;
}

PayerShares read_payers(TableReader& m, const PayerContext& ctx) {
  const toml::table& pt = m.subtable("payers");
  TableReader pr = m.child(pt, "payers");
  // Shares by region, so that every region's shares are checked, not just this place's.
  bool regional = false;
  std::array<std::array<double, PAYER_COUNT>, 3> by_region{};
  for (const auto& [k, node] : pt) {
    const std::string name(k.str());
    const Payer payer = resolve_payer(pr, name, ctx);
    const toml::table& st = pr.subtable(name);
    TableReader sr = pr.child(st, name);
    std::array<double, 3> v{};
    if (const toml::node* br = sr.optional("by_region")) {
      regional = true;
      if (!br->is_table()) sr.fail_at(br->source(), "by_region", "expected { east = …, central = …, west = … }");
      TableReader rr = sr.child(*br->as_table(), "by_region");
      v = {rr.as_number(rr.require("east"), "east", 0, 1), rr.as_number(rr.require("central"), "central", 0, 1),
           rr.as_number(rr.require("west"), "west", 0, 1)};
      rr.finish();
      Sourced prov;
      sr.provenance(prov, 0, 1, true);
    } else {
      const double x = sr.as_number(sr.require("value"), "value", 0, 1);
      v = {x, x, x};
      Sourced prov;
      prov.value = x;
      sr.provenance(prov, 0, 1);
    }
    sr.finish();
    for (std::size_t r = 0; r < 3; ++r) by_region[r][static_cast<std::size_t>(payer)] += v[r];
  }
  for (std::size_t r = 0; r < 3; ++r) {
    const double total = sum(by_region[r]);
    if (std::fabs(total - 1.0) > 1e-9) {
      static const char* names[3] = {"east", "central", "west"};
      pr.fail_at(pt.source(), "",
                 std::string("payer shares must sum to 1, they sum to ") + format_number(total) +
                     (regional ? std::string(" (for the ") + names[r] + " region)" : std::string()));
    }
  }
  const std::size_t region = ctx.region ? static_cast<std::size_t>(*ctx.region) : 1;
  PayerShares out;
  std::int64_t total_ppm = 0;
  for (std::size_t p = 0; p < PAYER_COUNT; ++p) {
    out.ppm[p] = std::llround(by_region[region][p] * PPM);
    total_ppm += out.ppm[p];
  }
  // Rounding to parts per million must not lose a part: the largest share absorbs it.
  *std::max_element(out.ppm.begin(), out.ppm.end()) += PPM - total_ppm;
  pr.finish();
  return out;
}

Measure read_measure(TableReader& m, const PayerContext& ctx) {
  Measure out;
  out.id = m.string("id");
  check_id(m, "id", out.id);
  const std::string kind = m.string("kind");
  const auto parsed = parse_kind(kind);
  if (!parsed) {
    std::string names;
    for (std::size_t i = 0; i < MEASURE_KIND_COUNT; ++i)
      names += (i ? ", " : "") + std::string(kind_name(static_cast<MeasureKind>(i)));
    m.fail("kind", "unknown measure kind \"" + kind + "\" (supported: " + names + ")");
  }
  out.kind = *parsed;
  const std::vector<Basis> bases = kind_bases(out.kind);
  out.basis = bases.front();
  if (const toml::node* bn = m.optional("basis")) {
    const std::string b = m.as_string(*bn, "basis");
    const auto pb = parse_basis(b);
    if (!pb || std::find(bases.begin(), bases.end(), *pb) == bases.end()) {
      std::string names;
      for (Basis x : bases) names += (names.empty() ? "" : ", ") + std::string(basis_name(x));
      m.fail("basis", "a " + kind + " measure counts one of: " + names + "; found \"" + b + "\"");
    }
    out.basis = *pb;
  }
  out.title = m.string("title");
  out.source = m.string("source");
  m.string_or("note", "");

  if (const toml::table* et = m.optional_subtable("eligibility")) {
    TableReader e = m.child(*et, "eligibility");
    auto& el = out.eligibility;
    if (e.has("min_age_months")) el.min_age_months = static_cast<int>(e.integer("min_age_months", 0, 1200));
    if (e.has("max_age_months")) el.max_age_months = static_cast<int>(e.integer("max_age_months", 1, 1200));
    if (el.max_age_months <= el.min_age_months) e.fail("max_age_months", "must exceed min_age_months");
    el.birth_orders = e.int_set("birth_orders", 1, 3, 0b111);
    const std::string residency = e.string_or("residency", "any");
    if (residency != "any" && residency != "local") e.fail("residency", "expected \"any\" or \"local\"");
    el.local_residents_only = residency == "local";
    el.special_families_only = e.boolean_or("special_families_only", false);
    el.special_families_excluded = e.boolean_or("special_families_excluded", false);
    if (el.special_families_only && el.special_families_excluded) {
      e.fail("special_families_excluded", "contradicts special_families_only");
    }
    const std::string service = e.string_or("service", "childcare");
    if (service == "childcare")
      el.service = Service::childcare;
    else if (service == "kindergarten")
      el.service = Service::kindergarten;
    else
      e.fail("service", "expected \"childcare\" or \"kindergarten\"");
    if (const toml::node* pn = e.optional("providers")) {
      if (!pn->is_array() || pn->as_array()->empty())
        e.fail_at(pn->source(), "providers", "expected a list of provider classes");
      el.providers = 0;
      for (const auto& item : *pn->as_array()) {
        const std::string name = e.as_string(item, "providers");
        bool found = false;
        for (std::size_t i = 0; i < PROVIDER_COUNT; ++i) {
          if (name == provider_name(static_cast<Provider>(i))) {
            el.providers = static_cast<std::uint8_t>(el.providers | (1u << i));
            found = true;
          }
        }
        if (!found)
          e.fail_at(item.source(), "providers",
                    "unknown provider class \"" + name + "\" (public, inclusive_private, other)");
      }
    }
    if (e.has("min_mother_age")) el.min_mother_age = static_cast<int>(e.integer("min_mother_age", 0, 60));
    if (e.has("min_children")) el.min_children = static_cast<int>(e.integer("min_children", 0, 20));
    if (e.has("max_children")) el.max_children = static_cast<int>(e.integer("max_children", 1, 20));
    if (el.max_children < el.min_children) e.fail("max_children", "below min_children");
    bool has_from = false, has_until = false;
    const MonthIndex from = e.date_month("valid_from", &has_from);
    const MonthIndex until = e.date_month("valid_until", &has_until);
    if (has_from) el.valid_from = from;
    if (has_until) el.valid_until = until + 1;  // the month containing the last day is still in force
    if (el.valid_until <= el.valid_from) e.fail("valid_until", "ends before it starts");
    Phase first;
    first.kindergarten_years = e.int_set("kindergarten_years", 1, 3, 0b111);
    if (first.kindergarten_years != 0b111 && el.service != Service::kindergarten) {
      e.fail("kindergarten_years", "only for service = \"kindergarten\"");
    }
    out.phases.push_back(first);
    e.finish();
  } else {
    out.phases.push_back(Phase{});
  }
  const bool places = out.basis == Basis::new_slot || out.basis == Basis::renovated_slot;
  if (out.basis != Basis::enrolled_month && out.eligibility.service != Service::childcare) {
    m.fail("eligibility", "service applies only to measures counted in enrolled child-months");
  }
  if (out.basis != Basis::enrolled_month && !places && out.eligibility.providers != ALL_PROVIDERS) {
    m.fail("eligibility", "providers apply only to measures counted in enrolled child-months or childcare places");
  }
  {
    TableReader a = m.child(m.subtable("amount"), "amount");
    read_amount(a, out, out.phases.front());
  }
  if (const toml::node* phases = m.optional("phase")) {
    if (!phases->is_array_of_tables()) m.fail("phase", "expected [[measure.phase]] tables");
    std::size_t i = 0;
    for (const auto& item : *phases->as_array()) {
      TableReader pr(*item.as_table(), m.file(), m.field("phase[" + std::to_string(i++) + "]"));
      Phase p = out.phases.back();
      bool has = false;
      p.from = pr.date_month("from", &has);
      if (!has) pr.fail("from", "missing (required)");
      if (p.from <= out.phases.back().from && out.phases.size() > 1) pr.fail("from", "phases must be in date order");
      p.kindergarten_years = pr.int_set("kindergarten_years", 1, 3, p.kindergarten_years);
      if (const toml::table* at = pr.optional_subtable("amount")) {
        TableReader a = pr.child(*at, "amount");
        read_amount(a, out, p);
      }
      pr.finish();
      out.phases.push_back(p);
    }
  }
  out.take_up = m.sourced("take_up", 0, 1).value;
  if (const toml::table* ct = m.optional_subtable("cap")) {
    TableReader c = m.child(*ct, "cap");
    const auto fen_of = [&](const std::string& key) {
      const double yuan = c.as_number(c.require(key), key, 0, 1e9);
      return static_cast<Fen>(std::llround(yuan * 100));
    };
    if (c.has("per_person")) {
      if (!monthly(out.basis)) c.fail("per_person", "a per-person cap is for measures paid per child-month");
      out.cap_per_person = fen_of("per_person");
    }
    if (c.has("per_household")) {
      if (monthly(out.basis) || out.basis == Basis::new_slot || out.basis == Basis::renovated_slot) {
        c.fail("per_household", "a per-household cap is for measures paid on births or purchases");
      }
      out.cap_per_household = fen_of("per_household");
    }
    c.finish();
  }
  if (out.ledger() == Ledger::budget) {
    out.payers = read_payers(m, ctx);
  } else if (m.has("payers")) {
    m.fail("payers", "a " + kind + " measure is not paid from the general budget; it has no payers");
  }
  m.finish();
  return out;
}

struct Loader {
  std::filesystem::path dir;  // the folder of the scenario file that names the jurisdiction
  Scenario* scenario;

  std::filesystem::path jurisdiction_file(const std::string& id) const {
    return dir / "jurisdictions" / (id + ".toml");
  }

  void load_chain(const std::string& place, TableReader& from, const std::string& key) {
    std::vector<Jurisdiction> chain;
    std::set<std::string> seen;
    std::string id = place;
    bool simulated = true;
    while (!id.empty()) {
      const auto file = jurisdiction_file(id);
      if (!std::filesystem::exists(file)) from.fail(key, "no jurisdiction file " + shown_path(file));
      if (!seen.insert(id).second) from.fail(key, "the chain of parents of \"" + place + "\" loops at \"" + id + "\"");
      ParsedFile f = parse_file(file);
      scenario->resolved_text += "# ---- " + shown_path(file) + " ----\n" + f.text + "\n";
      TableReader root(f.table, shown_path(file), "");
      Jurisdiction j = read_jurisdiction(root, file);
      if (j.id != id) root.fail("jurisdiction", "file " + id + ".toml holds id \"" + j.id + "\"");
      if (simulated) {
        if (!root.has("population")) {
          root.fail_at(f.table.source(), "population",
                       "\"" + id + "\" has no demographic profile; it cannot be simulated");
        }
        scenario->profile = read_place_profile(root);
        simulated = false;
      } else {
        for (const char* section : {"population", "fertility", "childcare", "kindergarten", "events", "income",
                                    "mortality", "households", "migration"})
          root.optional(section);
      }
      root.finish();
      if (!chain.empty() && static_cast<int>(j.level) >= static_cast<int>(chain.back().level)) {
        root.fail("jurisdiction", "the parent \"" + j.id + "\" is not above \"" + chain.back().id + "\"");
      }
      id = j.parent;
      chain.push_back(std::move(j));
    }
    std::reverse(chain.begin(), chain.end());
    if (chain.front().level != Payer::central)
      from.fail(key, "the chain of \"" + place + "\" does not reach the central level");
    scenario->chain = std::move(chain);
  }

  void load_package(const std::filesystem::path& path, std::set<std::string>& ids) {
    ParsedFile f = parse_file(path);
    const std::string shown = shown_path(path);
    scenario->resolved_text += "# ---- " + shown + " ----\n" + f.text + "\n";
    TableReader root(f.table, shown, "");
    {
      TableReader pk = root.child(root.subtable("package"), "package");
      const std::string id = pk.string("id");
      pk.string("title");
      pk.string("document");
      const std::string issuer = pk.string("issued_by");
      const bool reaches = std::any_of(scenario->chain.begin(), scenario->chain.end(),
                                       [&](const Jurisdiction& j) { return j.id == issuer; });
      if (!reaches) {
        pk.fail("issued_by", "\"" + issuer + "\" is not " + scenario->place().id +
                                 " or a level above it: its measures do not reach this place");
      }
      pk.string_or("note", "");
      bool has = false;
      pk.date_month("issued", &has);
      pk.finish();
      scenario->packages.push_back(id);
    }
    const toml::node& mn = root.require("measure");
    if (!mn.is_array_of_tables()) root.fail("measure", "expected [[measure]] tables");
    std::optional<Region> region;
    if (const Jurisdiction* p = scenario->at_level(Payer::province)) region = p->region;
    const PayerContext ctx{&scenario->chain, region};
    std::size_t i = 0;
    for (const auto& item : *mn.as_array()) {
      TableReader m(*item.as_table(), shown, "measure[" + std::to_string(i++) + "]");
      Measure measure = read_measure(m, ctx);
      if (!ids.insert(measure.id).second) m.fail("id", "measure id \"" + measure.id + "\" is defined twice");
      scenario->measures.push_back(std::move(measure));
    }
    root.finish();
  }
};

struct ScenarioSpec {
  std::optional<std::string> id, title, jurisdiction;
  std::vector<std::filesystem::path> packages;
  std::vector<std::string> exclude;
  std::optional<int> start_year, end_year, replications;
  std::optional<std::uint32_t> seed;
  std::optional<std::int64_t> sample;
  std::optional<std::filesystem::path> persons, fertility_table;
  std::optional<std::int64_t> persons_weight;
  std::filesystem::path jurisdiction_dir;
  std::string text;
  std::vector<UncertainParameter> uncertainty;  //!< later files replace earlier ones by name
};

//! The parameters the engine knows, in the order they are written.
constexpr const char* KNOWN_PARAMETERS[] = {PARAMETER_BIRTH_RESPONSE, PARAMETER_FERTILITY_LEVEL,
                                            PARAMETER_FERTILITY_TREND, PARAMETER_CHILDCARE_DEMAND,
                                            PARAMETER_CHILDCARE_PRICE_ELASTICITY};

//! Reads one [uncertainty] entry: { distribution = "…", parameters…, tag, source }.
UncertainParameter read_uncertain(TableReader& u, const std::string& name) {
  if (std::none_of(std::begin(KNOWN_PARAMETERS), std::end(KNOWN_PARAMETERS),
                   [&](const char* k) { return name == k; })) {
    std::string list;
    for (const char* k : KNOWN_PARAMETERS) list += (list.empty() ? "" : ", ") + std::string(k);
    u.fail(name, "unknown parameter (known: " + list + ")");
  }
  TableReader t = u.child(u.subtable(name), name);
  UncertainParameter out;
  out.name = name;
  Distribution& d = out.distribution;
  const std::string kind = t.string("distribution");
  auto num = [&](const char* key) { return t.as_number(t.require(key), key, -1e12, 1e12); };
  if (kind == "fixed") {
    d.kind = Distribution::Kind::fixed;
    d.a = num("value");
  } else if (kind == "uniform") {
    d.kind = Distribution::Kind::uniform;
    d.a = num("low");
    d.b = num("high");
    if (d.b <= d.a) t.fail("high", "must exceed low");
  } else if (kind == "triangular") {
    d.kind = Distribution::Kind::triangular;
    d.a = num("low");
    d.c = num("mode");
    d.b = num("high");
    if (!(d.a <= d.c && d.c <= d.b && d.a < d.b)) t.fail("mode", "need low <= mode <= high and low < high");
  } else if (kind == "truncated_normal") {
    d.kind = Distribution::Kind::truncated_normal;
    d.a = num("mean");
    d.b = num("sd");
    if (d.b <= 0) t.fail("sd", "must be positive");
    d.low = num("low");
    d.high = num("high");
    if (d.high <= d.low) t.fail("high", "must exceed low");
  } else if (kind == "lognormal") {
    d.kind = Distribution::Kind::lognormal;
    d.a = num("median");
    d.b = num("sd_log");
    if (d.a <= 0 || d.b <= 0) t.fail("median", "median and sd_log must be positive");
  } else {
    t.fail("distribution", "expected fixed, uniform, triangular, truncated_normal or lognormal");
  }
  const std::string tag = t.string("tag");
  if (tag != "S" && tag != "D" && tag != "E") t.fail("tag", "must be \"S\", \"D\" or \"E\"");
  out.source = t.string("source");
  t.finish();
  return out;
}

//! Reads a scenario file and, first, the base it names, merging: later files override
//! single values and add packages and exclusions.
void read_spec(const std::filesystem::path& file, ScenarioSpec& spec, std::set<std::string>& visiting, int depth) {
  const std::string shown = shown_path(file);
  if (depth > 8 || !visiting.insert(std::filesystem::weakly_canonical(file).string()).second) {
    throw ScenarioError(shown, 0, 0, "scenario.base", "bases form a loop");
  }
  ParsedFile f = parse_file(file);
  TableReader root(f.table, shown, "");
  TableReader sc = root.child(root.subtable("scenario"), "scenario");
  const std::filesystem::path dir = file.parent_path();
  if (const toml::node* bn = sc.optional("base")) {
    const std::filesystem::path base = dir / sc.as_string(*bn, "base");
    if (!std::filesystem::exists(base)) sc.fail("base", "no such file: " + shown_path(base));
    read_spec(base, spec, visiting, depth + 1);
  }
  spec.text += "# ---- " + shown + " ----\n" + f.text + "\n";
  spec.id = sc.string("id");
  check_id(sc, "id", *spec.id);
  spec.title = sc.string("title");
  if (const toml::node* n = sc.optional("jurisdiction")) {
    spec.jurisdiction = sc.as_string(*n, "jurisdiction");
    spec.jurisdiction_dir = dir;
  }
  if (sc.has("start_year")) spec.start_year = static_cast<int>(sc.integer("start_year", 2000, 2100));
  if (sc.has("end_year")) spec.end_year = static_cast<int>(sc.integer("end_year", 2000, 2100));
  if (sc.has("replications")) spec.replications = static_cast<int>(sc.integer("replications", 1, 1'000'000));
  if (sc.has("seed")) spec.seed = static_cast<std::uint32_t>(sc.integer("seed", 0, 0xFFFFFFFFll));
  if (sc.has("sample")) spec.sample = sc.integer("sample", 1, 1'000'000);
  // Microdata: paths relative to the file that names them.
  auto data_file = [&](const char* key) {
    const std::filesystem::path pf = dir / sc.string(key);
    if (!std::filesystem::is_regular_file(pf)) sc.fail(key, "no such file: " + shown_path(pf));
    return pf;
  };
  if (sc.has("persons")) spec.persons = data_file("persons");
  if (sc.has("persons_weight")) spec.persons_weight = sc.integer("persons_weight", 1, 1'000'000);
  if (sc.has("fertility_table")) spec.fertility_table = data_file("fertility_table");
  if (const toml::node* pn = sc.optional("packages")) {
    if (!pn->is_array()) sc.fail("packages", "expected a list of package files");
    for (const auto& item : *pn->as_array()) {
      const std::filesystem::path pf = dir / sc.as_string(item, "packages");
      if (!std::filesystem::exists(pf)) sc.fail_at(item.source(), "packages", "no such file: " + shown_path(pf));
      spec.packages.push_back(pf);
    }
  }
  if (const toml::table* ut = root.optional_subtable("uncertainty")) {
    TableReader u = root.child(*ut, "uncertainty");
    for (const auto& [k, node] : *ut) {
      UncertainParameter p = read_uncertain(u, std::string(k.str()));
      std::erase_if(spec.uncertainty, [&](const UncertainParameter& q) { return q.name == p.name; });
      spec.uncertainty.push_back(std::move(p));
    }
    u.finish();
  }
  if (const toml::node* en = sc.optional("exclude_measures")) {
    if (!en->is_array()) sc.fail("exclude_measures", "expected a list of measure ids");
    for (const auto& item : *en->as_array()) spec.exclude.push_back(sc.as_string(item, "exclude_measures"));
  }
  sc.finish();
  root.finish();
  // The outermost file must end with everything set.
  if (depth == 0) {
    if (!spec.jurisdiction) sc.fail("jurisdiction", "missing (required, here or in a base)");
    if (!spec.start_year) sc.fail("start_year", "missing (required, here or in a base)");
    if (!spec.end_year) sc.fail("end_year", "missing (required, here or in a base)");
    if (!spec.replications) sc.fail("replications", "missing (required, here or in a base)");
    if (!spec.seed) sc.fail("seed", "missing (required, here or in a base)");
    if (*spec.end_year < *spec.start_year) sc.fail("end_year", "before start_year");
    // Girls born in the burn-in are women too, so every potential mother is present until
    // those born in the first simulated year turn 15.
    if (*spec.end_year - *spec.start_year + 1 > MAX_HORIZON_YEARS) {
      sc.fail("end_year", "horizons longer than " + std::to_string(MAX_HORIZON_YEARS) + " years are not supported yet");
    }
  }
}

}  // namespace

PackageInfo describe_package(const std::filesystem::path& file) {
  ParsedFile f = parse_file(file);
  TableReader root(f.table, shown_path(file), "");
  TableReader pk = root.child(root.subtable("package"), "package");
  PackageInfo info{pk.string("id"), pk.string("title"), pk.string("document"), pk.string("issued_by"), {}};
  if (const toml::node* mn = root.optional("measure"); mn && mn->is_array_of_tables()) {
    for (const auto& item : *mn->as_array()) {
      const toml::table& t = *item.as_table();
      info.measures.emplace_back(t["id"].value_or(std::string("?")), t["kind"].value_or(std::string("?")));
    }
  }
  return info;
}

Jurisdiction load_jurisdiction(const std::filesystem::path& file) {
  ParsedFile f = parse_file(file);
  TableReader root(f.table, shown_path(file), "");
  return read_jurisdiction(root, file);
}

Scenario load_scenario(const std::filesystem::path& file) {
  ScenarioSpec spec;
  std::set<std::string> visiting;
  read_spec(file, spec, visiting, 0);
  Scenario s;
  s.file = file;
  s.id = *spec.id;
  s.title = *spec.title;
  s.start_year = *spec.start_year;
  s.end_year = *spec.end_year;
  s.replications = *spec.replications;
  s.seed = *spec.seed;
  s.sample = spec.sample.value_or(1);
  if (spec.persons) s.persons_file = *spec.persons;
  s.persons_weight = spec.persons_weight.value_or(1);
  if (spec.persons_weight && !spec.persons) {
    throw ScenarioError(shown_path(file), 0, 0, "scenario.persons_weight", "a weight is for a persons file (persons)");
  }
  if (spec.persons && spec.sample) {
    throw ScenarioError(shown_path(file), 0, 0, "scenario.sample",
                        "a persons file is used whole; give its weight as persons_weight instead");
  }
  if (spec.fertility_table) {
    s.fertility_table_file = *spec.fertility_table;
    s.fertility_table = load_fertility_table(*spec.fertility_table);
  }
  s.resolved_text = spec.text;
  // Every known parameter, at its neutral value unless the scenario draws it.
  for (const char* name : KNOWN_PARAMETERS) {
    const auto it = std::find_if(spec.uncertainty.begin(), spec.uncertainty.end(),
                                 [&](const UncertainParameter& p) { return p.name == name; });
    if (it != spec.uncertainty.end()) {
      s.uncertainty.push_back(*it);
    } else {
      UncertainParameter neutral;
      neutral.name = name;
      const std::string n = name;
      neutral.distribution.a =
          n == PARAMETER_BIRTH_RESPONSE || n == PARAMETER_FERTILITY_TREND || n == PARAMETER_CHILDCARE_PRICE_ELASTICITY
              ? 0.0
              : 1.0;
      neutral.source = "not drawn: neutral value";
      s.uncertainty.push_back(neutral);
    }
  }
  Loader loader{spec.jurisdiction_dir, &s};
  {
    // Errors about the jurisdiction key point at the outermost file.
    ParsedFile f = parse_file(file);
    TableReader root(f.table, shown_path(file), "");
    TableReader sc = root.child(*f.table["scenario"].as_table(), "scenario");
    loader.load_chain(*spec.jurisdiction, sc, "jurisdiction");
  }
  std::set<std::string> ids;
  for (const auto& pf : spec.packages) loader.load_package(pf, ids);
  for (const std::string& x : spec.exclude) {
    const auto it = std::find_if(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == x; });
    if (it == s.measures.end()) {
      ParsedFile f = parse_file(file);
      TableReader root(f.table, shown_path(file), "");
      TableReader sc = root.child(*f.table["scenario"].as_table(), "scenario");
      sc.fail("exclude_measures", "no measure \"" + x + "\" in the packages");
    }
    s.measures.erase(it);
  }
  return s;
}

}  // namespace cradle
