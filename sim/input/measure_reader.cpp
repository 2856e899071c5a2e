#include "sim/input/measure_reader.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace cradle {

namespace {

//! Sets a phase's money to `fen` paid per `per` (month, year or unit, as the basis
//! allows); false if the basis does not allow `per`.
bool set_money(Phase& phase, const Measure& m, Fen fen, const std::string& per) {
  phase.public_fee = false;
  phase.percent_of_fee_bp = -1;
  if (monthly(m.basis)) {
    if (per == "month") {
      phase.fen_per_unit = fen;
      phase.per_months = 1;
    } else if (per == "year" && m.kind != MeasureKind::fee_reduction) {
      // Exact per month when it divides; otherwise n months cost n × amount / 12, rounded down.
      phase.fen_per_unit = fen % 12 == 0 ? fen / 12 : fen;
      phase.per_months = fen % 12 == 0 ? 1 : 12;
    } else {
      return false;
    }
  } else if (per == "unit") {
    phase.fen_per_unit = fen;
    phase.per_months = 1;
  } else {
    return false;
  }
  return true;
}

//! A `value` in yuan with `per` (month, year or unit, as the basis allows); returns the
//! value as written and `per` in `*per_out`.
double read_value_per(TableReader& a, const Measure& m, Phase& phase, std::string* per_out) {
  const toml::node& vn = a.require("value");
  const double yuan = a.as_number(vn, "value", 0, 1e9);
  const double fen_d = yuan * 100.0;
  if (std::fabs(fen_d - std::round(fen_d)) > 1e-6) a.fail_at(vn.source(), "value", "not a whole number of fen");
  const std::string per = a.string("per");
  if (!set_money(phase, m, static_cast<Fen>(std::llround(fen_d)), per)) {
    if (monthly(m.basis)) {
      a.fail("per", "a measure counted in " + std::string(caseload_unit(m.basis)) + " is paid per \"month\"" +
                        (m.kind == MeasureKind::fee_reduction ? "" : " or per \"year\"") + ", found \"" + per + "\"");
    }
    a.fail("per", "a measure counted in " + std::string(caseload_unit(m.basis)) + " is paid per \"unit\", found \"" +
                      per + "\"");
  }
  *per_out = per;
  return yuan;
}

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

//! One payer's share, for the east, central and west regions (equal unless `by_region`).
std::array<double, 3> read_payer_share(TableReader& sr, bool& regional) {
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
  return v;
}

MeasureKind read_kind(TableReader& m, const std::string& kind) {
  const auto parsed = parse_kind(kind);
  if (!parsed) {
    std::string names;
    for (std::size_t i = 0; i < MEASURE_KIND_COUNT; ++i)
      names += (i ? ", " : "") + std::string(kind_name(static_cast<MeasureKind>(i)));
    m.fail("kind", "unknown measure kind \"" + kind + "\" (supported: " + names + ")");
  }
  return *parsed;
}

//! The basis: the kind's first unless `basis` names another the kind allows.
Basis read_basis(TableReader& m, MeasureKind kind, const std::string& kind_text) {
  const std::vector<Basis> bases = kind_bases(kind);
  const toml::node* bn = m.optional("basis");
  if (!bn) return bases.front();
  const std::string b = m.as_string(*bn, "basis");
  const auto pb = parse_basis(b);
  if (!pb || std::find(bases.begin(), bases.end(), *pb) == bases.end()) {
    std::string names;
    for (Basis x : bases) names += (names.empty() ? "" : ", ") + std::string(basis_name(x));
    m.fail("basis", "a " + kind_text + " measure counts one of: " + names + "; found \"" + b + "\"");
  }
  return *pb;
}

//! The provider classes a measure is limited to, as a bit mask.
std::uint8_t read_providers(TableReader& e, const toml::node& pn) {
  if (!pn.is_array() || pn.as_array()->empty())
    e.fail_at(pn.source(), "providers", "expected a list of provider classes");
  std::uint8_t providers = 0;
  for (const auto& item : *pn.as_array()) {
    const std::string name = e.as_string(item, "providers");
    bool found = false;
    for (std::size_t i = 0; i < PROVIDER_COUNT; ++i) {
      if (name == provider_name(static_cast<Provider>(i))) {
        providers = static_cast<std::uint8_t>(providers | (1u << i));
        found = true;
      }
    }
    if (!found) {
      e.fail_at(item.source(), "providers",
                "unknown provider class \"" + name + "\" (public, inclusive_private, other)");
    }
  }
  return providers;
}

//! Age window, birth orders, residency, special families and service of [eligibility].
void read_who(TableReader& e, Eligibility& el) {
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
}

//! A list of words as a bit mask over `words` (bit i for words[i]).
std::uint8_t read_word_set(TableReader& e, const std::string& key, const std::vector<std::string>& words) {
  const toml::node& n = e.require(key);
  if (!n.is_array() || n.as_array()->empty()) e.fail_at(n.source(), key, "expected a non-empty list");
  std::uint8_t mask = 0;
  for (const toml::node& item : *n.as_array()) {
    const std::string word = e.as_string(item, key);
    const auto it = std::find(words.begin(), words.end(), word);
    if (it == words.end()) e.fail_at(item.source(), key, "unknown value \"" + word + "\"");
    mask = static_cast<std::uint8_t>(mask | (1u << (it - words.begin())));
  }
  return mask;
}

//! Household circumstances (events) and sex and ages in years (counted bases).
void read_household_and_person(TableReader& e, Eligibility& el) {
  if (e.has("min_minor_children")) el.min_minor_children = static_cast<int>(e.integer("min_minor_children", 0, 20));
  if (e.has("max_minor_children")) el.max_minor_children = static_cast<int>(e.integer("max_minor_children", 0, 20));
  if (el.max_minor_children < el.min_minor_children) e.fail("max_minor_children", "below min_minor_children");
  if (e.has("tenure")) el.tenures = read_word_set(e, "tenure", {"owner", "renter"});
  if (e.has("income_bands")) el.income_bands = e.int_set("income_bands", 1, 8, 0xFF);
  if (e.has("sex")) el.sexes = read_word_set(e, "sex", {"male", "female"});
  if (e.has("min_age_years")) el.min_age_years = static_cast<int>(e.integer("min_age_years", 0, 120));
  if (e.has("max_age_years")) el.max_age_years = static_cast<int>(e.integer("max_age_years", 1, 121));
  if (el.max_age_years <= el.min_age_years) e.fail("max_age_years", "must exceed min_age_years");
}

//! [eligibility]; returns the first phase (its kindergarten years).
Phase read_eligibility(TableReader& e, Eligibility& el) {
  read_who(e, el);
  read_household_and_person(e, el);
  if (const toml::node* pn = e.optional("providers")) el.providers = read_providers(e, *pn);
  if (e.has("min_mother_age")) el.min_mother_age = static_cast<int>(e.integer("min_mother_age", 0, 60));
  if (e.has("min_children")) el.min_children = static_cast<int>(e.integer("min_children", 0, 20));
  if (e.has("max_children")) el.max_children = static_cast<int>(e.integer("max_children", 1, 20));
  if (el.max_children < el.min_children) e.fail("max_children", "below min_children");
  el.once_per_household = e.boolean_or("once_per_household", false);
  bool has_from = false, has_until = false;
  int from_day = 1, until_day = 31;
  const MonthIndex from = e.date_month("valid_from", &has_from, &from_day);
  const MonthIndex until = e.date_month("valid_until", &has_until, &until_day);
  if (has_from) {
    el.valid_from = from;
    el.valid_from_day = from_day;
  }
  if (has_until) {  // the last day in force: its month is still in force for monthly bases
    el.valid_until = until + 1;
    el.valid_until_day = until_day;
  }
  if (el.valid_until <= el.valid_from) e.fail("valid_until", "ends before it starts");
  Phase first;
  first.kindergarten_years = e.int_set("kindergarten_years", 1, 3, 0b111);
  if (first.kindergarten_years != 0b111 && el.service != Service::kindergarten) {
    e.fail("kindergarten_years", "only for service = \"kindergarten\"");
  }
  e.finish();
  return first;
}

//! Household circumstances restrict events; sex and ages in years, counted bases.
void check_household_and_person_scope(TableReader& m, const Measure& out) {
  const Eligibility& el = out.eligibility;
  const Eligibility none;
  const bool household = out.basis == Basis::birth || out.basis == Basis::assisted_birth ||
                         out.basis == Basis::home_purchase || monthly(out.basis);
  if (!household && (el.min_minor_children != none.min_minor_children ||
                     el.max_minor_children != none.max_minor_children || el.tenures != none.tenures ||
                     el.income_bands != none.income_bands)) {
    m.fail("eligibility", "minor children, tenure and income bands apply only to measures counted on a household's "
                          "events or children");
  }
  const bool persons = out.basis == Basis::resident_year || out.basis == Basis::marriage;
  if (!persons && (el.sexes != none.sexes || el.min_age_years != none.min_age_years ||
                   el.max_age_years != none.max_age_years)) {
    m.fail("eligibility", "sex and ages in years apply only to measures counted in person-years or marriages");
  }
}

//! Service, providers and counting once per household restrict only the bases they can
//! apply to.
void check_eligibility_scope(TableReader& m, const Measure& out) {
  const bool places = out.basis == Basis::new_slot || out.basis == Basis::renovated_slot;
  const Eligibility& el = out.eligibility;
  if (el.once_per_household && out.basis != Basis::child_month) {
    m.fail("eligibility", "once_per_household applies only to measures counted in child-months");
  }
  // Counted for the household's youngest child, so that child must be reached whenever an
  // older one would be.
  if (el.once_per_household && (el.min_age_months != 0 || el.birth_orders != 0b111)) {
    m.fail("eligibility",
           "once_per_household counts the household's youngest child: the age window must start "
           "at birth (min_age_months = 0) and every birth order be reached");
  }
  if (out.basis != Basis::enrolled_month && out.eligibility.service != Service::childcare) {
    m.fail("eligibility", "service applies only to measures counted in enrolled child-months");
  }
  if (out.basis != Basis::enrolled_month && !places && out.eligibility.providers != ALL_PROVIDERS) {
    m.fail("eligibility", "providers apply only to measures counted in enrolled child-months or childcare places");
  }
}

//! [[measure.phase]]: later phases, each starting from the one before.
void read_phases(TableReader& m, Measure& out) {
  const toml::node* phases = m.optional("phase");
  if (!phases) return;
  if (!phases->is_array_of_tables()) m.fail("phase", "expected [[measure.phase]] tables");
  std::size_t i = 0;
  for (const auto& item : *phases->as_array()) {
    TableReader pr = m.child(*item.as_table(), "phase[" + std::to_string(i++) + "]");
    Phase p = out.phases.back();
    bool has = false;
    p.from = pr.date_month("from", &has);
    if (!has) pr.fail("from", "missing (required)");
    if (p.from <= out.phases.back().from && out.phases.size() > 1) pr.fail("from", "phases must be in date order");
    p.kindergarten_years = pr.int_set("kindergarten_years", 1, 3, p.kindergarten_years);
    if (pr.has("take_up")) p.take_up = pr.sourced("take_up", 0, 1).value;
    if (const toml::table* at = pr.optional_subtable("amount")) {
      TableReader a = pr.child(*at, "amount");
      read_amount(a, out, p);
    }
    pr.finish();
    out.phases.push_back(p);
  }
}

//! [cap]: per person (child-month measures) or per household (births and purchases).
void read_cap(TableReader& m, Measure& out) {
  const toml::table* ct = m.optional_subtable("cap");
  if (!ct) return;
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

}  // namespace

void read_amount(TableReader& a, const Measure& m, Phase& phase) {
  double written = 0;  // the amount as written: yuan, or percent of the fee
  std::string per;     // of an amount in yuan
  bool percent = false;
  if (a.boolean_or("public_fee", false)) {
    if (m.kind != MeasureKind::fee_reduction) a.fail("public_fee", "only a fee_reduction can be the public fee");
    phase.public_fee = true;
    phase.percent_of_fee_bp = -1;
  } else if (const toml::node* pn = a.optional("percent_of_fee")) {
    if (m.kind != MeasureKind::fee_reduction)
      a.fail("percent_of_fee", "only a fee_reduction can be a percentage of a fee");
    const double pct = a.as_number(*pn, "percent_of_fee", 0, 100);
    written = pct;
    percent = true;
    phase.percent_of_fee_bp = static_cast<int>(std::llround(pct * 100));
    phase.public_fee = false;
    if (std::fabs(pct * 100 - phase.percent_of_fee_bp) > 1e-6) a.fail("percent_of_fee", "at most two decimals");
  } else {
    written = read_value_per(a, m, phase, &per);
  }
  // Amounts the documents state take the measure's source; assumed ones say so.
  if (a.has("tag")) {
    Sourced s;
    s.value = written;
    a.provenance(s, 0, 1e12);
    phase.provenance = s.tag == 'S' ? Provenance::stated : s.tag == 'D' ? Provenance::derived : Provenance::assumed;
    // An assumed amount may be drawn (in whole fen, or percent with two decimals).
    if (!phase.public_fee) {
      a.estimate("", s, 0, percent ? 100 : 1e9, 0.01);
      if (s.value != written && percent) phase.percent_of_fee_bp = static_cast<int>(std::llround(s.value * 100));
      if (s.value != written && !percent) set_money(phase, m, static_cast<Fen>(std::llround(s.value * 100)), per);
    }
  } else {
    phase.provenance = Provenance::stated;
    a.string_or("source", "");
  }
  a.finish();
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
    TableReader sr = pr.child(pr.subtable(name), name);
    const std::array<double, 3> v = read_payer_share(sr, regional);
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

Measure read_measure(TableReader& m, const PayerContext& ctx, std::optional<MonthIndex> issued) {
  Measure out;
  out.id = m.string("id");
  check_id(m, "id", out.id);
  const std::string kind = m.string("kind");
  out.kind = read_kind(m, kind);
  out.basis = read_basis(m, out.kind, kind);
  out.title = m.string("title");
  out.source = m.string("source");
  m.string_or("note", "");
  if (const toml::table* et = m.optional_subtable("eligibility")) {
    TableReader e = m.child(*et, "eligibility");
    out.phases.push_back(read_eligibility(e, out.eligibility));
  } else {
    out.phases.push_back(Phase{});
  }
  check_eligibility_scope(m, out);
  check_household_and_person_scope(m, out);
  if (out.basis == Basis::programme) {
    out.units_per_year = m.sourced("units_per_year", 0, 1e9).value;
  } else if (m.has("units_per_year")) {
    m.fail("units_per_year", "only a measure counted in programme units has units a year");
  }
  {
    TableReader a = m.child(m.subtable("amount"), "amount");
    read_amount(a, out, out.phases.front());
  }
  read_phases(m, out);
  out.take_up = m.sourced("take_up", 0, 1).value;
  bool announced = false;
  const MonthIndex month = m.date_month("announced", &announced);
  out.announced = announced ? month : issued.value_or(out.eligibility.valid_from);
  read_cap(m, out);
  if (out.ledger() == Ledger::budget) {
    out.payers = read_payers(m, ctx);
  } else if (m.has("payers")) {
    m.fail("payers", "a " + kind + " measure is not paid from the general budget; it has no payers");
  }
  m.finish();
  return out;
}

}  // namespace cradle
