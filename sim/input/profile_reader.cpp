#include "sim/input/profile_reader.h"

#include <cmath>
#include <map>
#include <numeric>

namespace cradle {

Fen Jurisdiction::budget_fen(int year) const {
  return static_cast<Fen>(std::llround(budget_yuan * std::pow(1.0 + budget_growth, year - budget_year) * 100.0));
}

namespace {

std::optional<Region> region_named(const std::string& name) {
  if (name == "east") return Region::east;
  if (name == "central") return Region::central;
  if (name == "west") return Region::west;
  return std::nullopt;
}

void read_parity_shares(TableReader& pop, PlaceProfile& p) {
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
    for (std::size_t k = 0; k < PROFILE_PARITIES; ++k) row[k] = pr.as_number(*n.as_array()->get(k), groups[g], 0, 1);
    require_sum_one(pr, groups[g], sum(row));
  }
  pr.finish();
}

//! Residents per 1000 by sex and age group, which must sum to about 1000.
void read_age_sex(TableReader& pop, PlaceProfile& p) {
  p.residents_per_1000[static_cast<std::size_t>(Sex::male)] = pop.sourced_values<AGE_SEX_GROUPS>("males_per_1000", 0, 300);
  p.residents_per_1000[static_cast<std::size_t>(Sex::female)] =
      pop.sourced_values<AGE_SEX_GROUPS>("females_per_1000", 0, 300);
  const double total = sum(p.residents_per_1000[0]) + sum(p.residents_per_1000[1]);
  if (total < 950 || total > 1050) {
    pop.fail("females_per_1000", "males_per_1000 and females_per_1000 sum to " + std::to_string(std::lround(total)) +
                                     " per 1000 residents; they must sum to 1000 (within 5 %)");
  }
}

void read_population(TableReader& root, PlaceProfile& p) {
  TableReader pop = root.child(root.subtable("population"), "population");
  p.persons = pop.sourced("persons", 1000, 2e9).value;
  p.household_size_shares = pop.sourced_values<HOUSEHOLD_SIZE_CLASSES>("household_size_shares", 0, 1);
  require_sum_one(pop, "household_size_shares", sum(p.household_size_shares));
  read_age_sex(pop, p);
  p.local_residency_share = pop.sourced("local_residency_share", 0, 1).value;
  p.special_family_share = pop.sourced("special_family_share", 0, 1).value;
  if (pop.has("priority_group_share")) {
    p.households.priority_group_share = pop.sourced("priority_group_share", 0, 1).value;
  }
  read_parity_shares(pop, p);
  pop.finish();
}

void read_fertility(TableReader& root, PlaceProfile& p) {
  TableReader fr = root.child(root.subtable("fertility"), "fertility");
  p.births = fr.sourced("births", 1, 1e8).value;
  p.fertility.age_pattern = fr.sourced_values<FERTILE_AGE_GROUPS>("age_pattern", 0, 1000);
  if (sum(p.fertility.age_pattern) <= 0) fr.fail("age_pattern", "all rates are zero");
  p.fertility.order_shares = fr.sourced_values<PARITY_CLASSES>("birth_order_shares", 0, 1);
  require_sum_one(fr, "birth_order_shares", sum(p.fertility.order_shares));
  p.assisted_reproduction_share = fr.sourced("assisted_reproduction_share_35plus", 0, 1).value;
  if (fr.has("sex_ratio_at_birth")) p.sex_ratio_at_birth = fr.sourced("sex_ratio_at_birth", 90, 130).value;
  fr.finish();
}

//! Fees by provider class, yuan a month as written, whole fen.
FeeTable read_fees(TableReader& r, const std::string& key) {
  const auto yuan = r.sourced_values<PROVIDER_COUNT>(key, 0, 1e5);
  FeeTable t{};
  for (std::size_t i = 0; i < PROVIDER_COUNT; ++i) t[i] = static_cast<Fen>(std::llround(yuan[i] * 100));
  return t;
}

void read_childcare(TableReader& root, PlaceProfile& p) {
  TableReader cr = root.child(root.subtable("childcare"), "childcare");
  auto& c = p.childcare;
  c.enrolment_by_age = cr.sourced_values<3>("enrolment_by_age", 0, 1);
  c.provider_shares = cr.sourced_values<PROVIDER_COUNT>("provider_shares", 0, 1);
  require_sum_one(cr, "provider_shares", sum(c.provider_shares));
  c.fees = read_fees(cr, "fees");
  c.slots_per_1000 = cr.sourced("slots_per_1000", 0, 100).value;
  c.target_slots_per_1000 = cr.sourced("target_slots_per_1000", 0, 100).value;
  c.target_year = static_cast<int>(cr.integer("target_year", 2000, 2100));
  c.renovated_share = cr.sourced("renovated_share", 0, 1).value;
  if (cr.has("demand_by_employment")) {
    p.households.childcare_demand_by_employment = cr.sourced_values<3>("demand_by_employment", 0, 100);
  }
  cr.finish();
}

void read_kindergarten(TableReader& root, PlaceProfile& p) {
  TableReader kr = root.child(root.subtable("kindergarten"), "kindergarten");
  auto& k = p.kindergarten;
  k.enrolment_rate = kr.sourced("enrolment_rate", 0, 1).value;
  k.provider_shares = kr.sourced_values<PROVIDER_COUNT>("provider_shares", 0, 1);
  require_sum_one(kr, "provider_shares", sum(k.provider_shares));
  k.fees = read_fees(kr, "fees");
  if (kr.has("target_year")) {
    k.target_year = static_cast<int>(kr.integer("target_year", 2000, 2100));
    k.target_enrolment_rate = kr.sourced("target_enrolment_rate", 0, 1).value;
    k.target_provider_shares = kr.sourced_values<PROVIDER_COUNT>("target_provider_shares", 0, 1);
    require_sum_one(kr, "target_provider_shares", sum(k.target_provider_shares));
  } else if (kr.has("target_enrolment_rate") || kr.has("target_provider_shares")) {
    kr.fail("target_year", "missing: a kindergarten target needs its year");
  }
  kr.finish();
}

void read_events(TableReader& root, PlaceProfile& p) {
  TableReader er = root.child(root.subtable("events"), "events");
  p.home_purchase_rate = er.sourced("home_purchase_rate", 0, 1).value;
  if (er.has("home_purchase_by_tenure")) {
    p.households.home_purchase_by_tenure = er.sourced_values<2>("home_purchase_by_tenure", 0, 100);
  }
  er.finish();
}

//! The optional [mortality] and [migration] sections (a closed population without them).
void read_mortality_and_migration(TableReader& root, PlaceProfile& p) {
  if (const toml::table* mt = root.optional_subtable("mortality")) {
    TableReader mr = root.child(*mt, "mortality");
    LifeTable table;
    table.per_1000[static_cast<std::size_t>(Sex::male)] = mr.sourced_values<LIFE_TABLE_GROUPS>("life_table_male", 0, 1000);
    table.per_1000[static_cast<std::size_t>(Sex::female)] =
        mr.sourced_values<LIFE_TABLE_GROUPS>("life_table_female", 0, 1000);
    const double e0 = mr.sourced("life_expectancy", 20, 100).value;
    try {
      p.life_table = scaled_to_life_expectancy(table, e0, p.sex_ratio_at_birth);
    } catch (const std::invalid_argument& e) {
      mr.fail("life_expectancy", e.what());
    }
    mr.finish();
  }
  if (const toml::table* mt = root.optional_subtable("marriage")) {
    TableReader mr = root.child(*mt, "marriage");
    p.first_marriages_per_1000[static_cast<std::size_t>(Sex::male)] =
        mr.sourced_values<FERTILE_AGE_GROUPS>("first_marriages_male_per_1000", 0, 1000);
    p.first_marriages_per_1000[static_cast<std::size_t>(Sex::female)] =
        mr.sourced_values<FERTILE_AGE_GROUPS>("first_marriages_female_per_1000", 0, 1000);
    mr.finish();
  }
  if (const toml::table* mt = root.optional_subtable("migration")) {
    TableReader mr = root.child(*mt, "migration");
    p.net_migration_per_1000 = mr.sourced("net_per_1000", -200, 200).value;
    mr.finish();
  }
}

void read_income(TableReader& root, PlaceProfile& p) {
  TableReader ir = root.child(root.subtable("income"), "income");
  p.household_income = ir.sourced("household_annual", 1000, 1e8).value;
  HouseholdProfile& h = p.households;
  if (ir.has("band_shares") || ir.has("band_relative")) {
    h.income_band_shares = ir.sourced_list("band_shares", 0, 1, 1, MAX_INCOME_BANDS);
    require_sum_one(ir, "band_shares", std::accumulate(h.income_band_shares.begin(), h.income_band_shares.end(), 0.0));
    h.income_band_relative = ir.sourced_list("band_relative", 0.001, 1000, 1, MAX_INCOME_BANDS);
    if (h.income_band_relative.size() != h.income_band_shares.size()) {
      ir.fail("band_relative", "expected one value per income band (" + std::to_string(h.income_band_shares.size()) +
                                   " in band_shares)");
    }
  }
  ir.finish();
}

void read_households(TableReader& root, PlaceProfile& p) {
  const toml::table* ht = root.optional_subtable("households");
  if (!ht) return;
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

//! Scales relative factors to a share-weighted mean of 1, so that the profile's
//! averages (income, enrolment, purchase rate) hold for the whole population.
void normalise_household_factors(HouseholdProfile& h) {
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
}

//! One series of [observed]: figures by year, each year once.
std::map<int, Sourced> read_series(TableReader& obs, const std::string& key, double hi) {
  std::map<int, Sourced> series;
  const toml::node* n = obs.optional(key);
  if (!n) return series;
  if (!n->is_array() || n->as_array()->empty()) {
    obs.fail_at(n->source(), key, "expected a non-empty list of { year, value, tag, source } tables");
  }
  std::size_t i = 0;
  for (const toml::node& item : *n->as_array()) {
    const std::string element = key + "[" + std::to_string(i++) + "]";
    if (!item.is_table()) {
      obs.fail_at(item.source(), element, std::string("expected a table { year, value, tag, source }, found ") +
                                              TableReader::type_name(item));
    }
    TableReader r = obs.child(*item.as_table(), element);
    const int year = static_cast<int>(r.integer("year", 1900, 2100));
    Sourced figure;
    figure.value = r.as_number(r.require("value"), "value", 0, hi);
    r.provenance(figure, 0, hi);
    r.finish();
    if (!series.emplace(year, std::move(figure)).second) {
      r.fail("year", "the year " + std::to_string(year) + " is given twice in " + obs.field(key));
    }
  }
  return series;
}

//! Fails unless the observed births give every burn-in year before `first_year`.
void require_burn_in_births(TableReader& root, const toml::table& observed, const ObservedSeries& s,
                            int first_year) {
  std::string missing;
  for (int year = first_year - BURN_IN_YEARS; year < first_year; ++year) {
    if (!s.births.count(year)) missing += (missing.empty() ? "" : ", ") + std::to_string(year);
  }
  if (missing.empty()) return;
  TableReader obs = root.child(observed, "observed");
  obs.fail("births", "no figure for " + missing + ": the burn-in takes the births of each of the " +
                         std::to_string(BURN_IN_YEARS) + " years before the first year " +
                         std::to_string(first_year) + " from the record (give a derived figure, tag \"D\", where "
                         "there is no local one)");
}

}  // namespace

ObservedSeries read_observed(TableReader& root) {
  TableReader obs = root.child(root.subtable("observed"), "observed");
  ObservedSeries s;
  s.births = read_series(obs, "births", 1e8);
  s.population = read_series(obs, "population", 2e9);
  s.deaths = read_series(obs, "deaths", 1e8);
  obs.finish();
  return s;
}

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
      j.region = region_named(t.as_string(*rn, "region"));
      if (!j.region) t.fail("region", "expected east, central or west");
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

PlaceProfile read_place_profile(TableReader& root, int first_year) {
  PlaceProfile p;
  read_population(root, p);
  read_fertility(root, p);
  p.observed = read_observed(root);
  require_burn_in_births(root, root.subtable("observed"), p.observed, first_year);
  if (const auto first = p.observed.births.find(first_year); first != p.observed.births.end()) {
    p.births = first->second.value;
  }
  read_childcare(root, p);
  read_kindergarten(root, p);
  read_events(root, p);
  read_mortality_and_migration(root, p);
  read_income(root, p);
  read_households(root, p);
  normalise_household_factors(p.households);
  return p;
}

}  // namespace cradle
