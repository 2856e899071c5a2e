#include "sim/population/population.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <stdexcept>

#include "models/fertility.h"
#include "sim/input/estimate_draws.h"
#include "sim/population/household_fit.h"
#include "sim/population/microdata.h"
#include "sim/random/rng.h"

namespace cradle {

namespace {

using stream::GENERATION_REPLICATION;

StreamKey key(std::uint32_t entity, stream::Id purpose, int year = 0) {
  return StreamKey{entity, 0, static_cast<std::uint16_t>(year), purpose};
}

//! Fisher–Yates from one keyed stream: the same permutation for the same seed and key.
void shuffle(std::vector<std::uint32_t>& v, std::uint32_t seed, const StreamKey& k) {
  if (v.size() < 2) return;
  KeyedStream s(seed, GENERATION_REPLICATION, k);
  for (auto i = static_cast<std::uint32_t>(v.size() - 1); i > 0; --i) std::swap(v[i], v[s.below(i + 1)]);
}

//! A woman while she is generated, before she is written into the population's arrays.
struct Woman {
  std::uint32_t household;
  std::int16_t birth_year;
  std::uint8_t parity;
  std::uint8_t flags;
};

//! Households: a number that reproduces the persons total at the mean size.
std::uint32_t household_count(const PlaceProfile& profile, double persons_target) {
  double mean_size = 0;
  for (std::size_t k = 0; k < profile.household_size_shares.size(); ++k) {
    mean_size += static_cast<double>(k + 1) * profile.household_size_shares[k];
  }
  const auto n_households = static_cast<std::uint32_t>(std::llround(persons_target / mean_size));
  if (n_households == 0) throw std::invalid_argument("the profile has no households");
  return n_households;
}

//! Flags an exact share of the households, chosen by a permutation keyed by `which`.
void mark_share(BasePopulation& pop, double share, std::uint8_t flag, std::uint32_t which, std::uint32_t seed) {
  const auto n_households = static_cast<std::uint32_t>(pop.households());
  const auto n = static_cast<std::uint32_t>(std::llround(share * static_cast<double>(n_households)));
  std::vector<std::uint32_t> order(n_households);
  std::iota(order.begin(), order.end(), 0u);
  shuffle(order, seed, key(which, stream::HOUSEHOLD_FLAGS));
  for (std::uint32_t i = 0; i < n; ++i) pop.household_flags[order[i]] |= flag;
}

//! The households' types fitted to the profile's margins, dealt to households by a
//! random permutation; special families and priority groups as exact shares.
void generate_households(BasePopulation& pop, const PlaceProfile& profile, std::uint32_t n_households,
                         std::uint32_t seed) {
  const HouseholdTable types = fit_households(household_margins(profile));
  const std::vector<std::uint32_t> counts = household_counts(types, n_households);
  std::vector<std::uint32_t> cell_of;
  cell_of.reserve(n_households);
  for (std::size_t c = 0; c < counts.size(); ++c)
    cell_of.insert(cell_of.end(), counts[c], static_cast<std::uint32_t>(c));
  shuffle(cell_of, seed, key(0, stream::HOUSEHOLD_TYPE));
  pop.household_size.resize(n_households);
  pop.household_income_band.resize(n_households);
  pop.household_employment.resize(n_households);
  pop.household_tenure.resize(n_households);
  pop.household_flags.assign(n_households, 0);
  for (std::uint32_t h = 0; h < n_households; ++h) {
    const HouseholdTable::Type t = types.type(cell_of[h]);
    pop.household_size[h] = t.size;
    pop.household_income_band[h] = t.band;
    pop.household_employment[h] = t.employment;
    pop.household_tenure[h] = t.tenure;
    if (t.local) pop.household_flags[h] |= FLAG_LOCAL_RESIDENT;
  }
  mark_share(pop, profile.special_family_share, FLAG_SPECIAL_FAMILY, 0, seed);
  mark_share(pop, profile.households.priority_group_share, FLAG_PRIORITY_GROUP, 1, seed);
}

//! Women by age group, in exact expected counts; age within the group drawn.
std::vector<Woman> generate_women(const PlaceProfile& profile, double persons_target, int base_year,
                                  std::uint32_t seed) {
  std::vector<Woman> women;
  const auto& females = profile.residents_per_1000[static_cast<std::size_t>(Sex::female)];
  for (int g = FIRST_WOMAN_GROUP; g <= LAST_WOMAN_GROUP; ++g) {
    const int lo = std::max(5 * g, YOUNGEST_WOMAN_AGE - 1);  // completed years on 1 January
    const int hi = 5 * g + 4;
    const double width_share = static_cast<double>(hi - lo + 1) / 5.0;
    const auto count = static_cast<std::uint32_t>(
        std::llround(persons_target / 1000.0 * females[static_cast<std::size_t>(g)] * width_share));
    for (std::uint32_t i = 0; i < count; ++i) {
      const auto id = static_cast<std::uint32_t>(women.size());
      KeyedStream s(seed, GENERATION_REPLICATION, key(id, stream::WOMAN_AGE));
      const int age = lo + static_cast<int>(s.below(static_cast<std::uint32_t>(hi - lo + 1)));
      women.push_back(Woman{0, static_cast<std::int16_t>(base_year - 1 - age), 0, 0});
    }
  }
  if (women.size() >= (1u << 31)) throw std::invalid_argument("population too large");
  return women;
}

//! Parity at the start of the burn-in: within each age group of that time, the
//! profile's shares as exact counts, dealt by a random permutation.
void assign_parity(std::vector<Woman>& women, const PlaceProfile& profile, int base_year, std::uint32_t seed) {
  std::vector<std::vector<std::uint32_t>> by_group(FERTILE_AGE_GROUPS);
  for (std::uint32_t i = 0; i < women.size(); ++i) {
    const int age_then = base_year - BURN_IN_YEARS - women[i].birth_year;
    if (age_then >= MIN_FERTILE_AGE && age_then <= MAX_FERTILE_AGE) {
      by_group[static_cast<std::size_t>((age_then - MIN_FERTILE_AGE) / 5)].push_back(i);
    }
  }
  for (std::size_t g = 0; g < by_group.size(); ++g) {
    auto& members = by_group[g];
    shuffle(members, seed, key(static_cast<std::uint32_t>(g), stream::WOMAN_PARITY));
    const auto& row = profile.parity_shares[g];
    const std::vector<std::uint32_t> counts =
        apportion(std::vector<double>(row.begin(), row.end()), static_cast<std::uint32_t>(members.size()));
    std::size_t next = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      for (std::uint32_t j = 0; j < counts[k]; ++j) women[members[next++]].parity = static_cast<std::uint8_t>(k);
    }
  }
}

//! Adult women (20+) each head a distinct household, drawn at random among households
//! of two or more persons first; girls live in the household of a random woman aged
//! 32–49 (their mother's generation). A woman carries her household's flags.
void place_women(std::vector<Woman>& women, const BasePopulation& pop, int base_year, std::uint32_t seed) {
  const auto n_households = static_cast<std::uint32_t>(pop.households());
  std::vector<std::uint32_t> households(n_households);
  std::iota(households.begin(), households.end(), 0u);
  shuffle(households, seed, key(0, stream::WOMAN_HOUSEHOLD));
  std::stable_partition(households.begin(), households.end(),
                        [&](std::uint32_t h) { return pop.household_size[h] >= 2; });
  std::vector<std::uint32_t> mothers_generation;
  std::uint32_t next_household = 0;
  for (std::uint32_t i = 0; i < women.size(); ++i) {
    const int age = base_year - women[i].birth_year;
    if (age >= 20) {
      women[i].household = households[next_household++ % n_households];
      if (age >= 32) mothers_generation.push_back(i);
    }
  }
  for (std::uint32_t i = 0; i < women.size(); ++i) {
    if (base_year - women[i].birth_year >= 20) continue;
    if (mothers_generation.empty()) throw std::invalid_argument("the profile has no women aged 32-49");
    KeyedStream s(seed, GENERATION_REPLICATION, key(i, stream::GIRL_HOUSEHOLD));
    women[i].household =
        women[mothers_generation[s.below(static_cast<std::uint32_t>(mothers_generation.size()))]].household;
  }
  for (Woman& w : women) w.flags = pop.household_flags[w.household];
}

//! A resident who is neither a woman nor a child record, while generated.
struct Other {
  std::int16_t birth_year;
  Sex sex;
};

}  // namespace

std::vector<double> open_group_ages(const PlaceProfile& profile, Sex sex) {
  std::vector<double> cumulative;
  double alive = 1.0, total = 0.0;
  for (int a = 85; a < OLDEST_AGE; ++a) {
    const double weight = profile.life_table.empty() ? (a < 95 ? 1.0 : 0.0) : alive;
    total += weight;
    cumulative.push_back(total);
    alive *= 1.0 - profile.life_table.death_probability(sex, a);
  }
  return cumulative;
}

namespace {

//! The other residents by sex and age group, in exact expected counts: males aged
//! YOUNGEST_WOMAN_AGE and over and females aged 50 and over (younger females are women
//! records and younger children the burn-in's); age within the group drawn.
std::vector<Other> generate_others(const PlaceProfile& profile, double persons_target, int base_year,
                                   std::uint32_t seed) {
  std::vector<Other> others;
  for (const Sex sex : {Sex::male, Sex::female}) {
    const auto& per_1000 = profile.residents_per_1000[static_cast<std::size_t>(sex)];
    const std::vector<double> oldest = open_group_ages(profile, sex);
    for (int g = sex == Sex::male ? 1 : LAST_WOMAN_GROUP + 1; g < AGE_SEX_GROUPS; ++g) {
      const bool open = g == AGE_SEX_GROUPS - 1;
      const int lo = std::max(5 * g, YOUNGEST_WOMAN_AGE - 1), hi = 5 * g + 4;  // completed years on 1 January
      const double width_share = open ? 1.0 : static_cast<double>(hi - lo + 1) / 5.0;
      const auto count = static_cast<std::uint32_t>(
          std::llround(persons_target / 1000.0 * per_1000[static_cast<std::size_t>(g)] * width_share));
      for (std::uint32_t i = 0; i < count; ++i) {
        KeyedStream s(seed, GENERATION_REPLICATION, key(static_cast<std::uint32_t>(others.size()), stream::PERSON_AGE));
        const int age = open ? 85 + static_cast<int>(std::upper_bound(oldest.begin(), oldest.end() - 1,
                                                                     s.uniform() * oldest.back()) -
                                                    oldest.begin())
                             : lo + static_cast<int>(s.below(static_cast<std::uint32_t>(hi - lo + 1)));
        others.push_back(Other{static_cast<std::int16_t>(base_year - 1 - age), sex});
      }
    }
  }
  if (others.size() >= (1u << 31)) throw std::invalid_argument("population too large");
  return others;
}

//! The other residents into households: first an adult (20 or over) as the head of each
//! household without an adult woman, then the rest into the places the households'
//! sizes leave free, then, when none is left, into random households.
void place_others(BasePopulation& pop, const std::vector<Other>& others, std::uint32_t seed) {
  const auto n_households = static_cast<std::uint32_t>(pop.households());
  std::vector<std::uint32_t> members(n_households, 0);
  std::vector<bool> has_adult(n_households, false);
  for (std::size_t w = 0; w < pop.women(); ++w) {
    const int age = pop.base_year - pop.woman_birth_year[w];
    if (age >= YOUNGEST_WOMAN_AGE) members[pop.woman_household[w]]++;
    if (age >= 20) has_adult[pop.woman_household[w]] = true;
  }
  for (std::uint32_t h : pop.child_household) members[h]++;
  std::vector<std::uint32_t> order(others.size());
  std::iota(order.begin(), order.end(), 0u);
  shuffle(order, seed, key(0, stream::PERSON_HOUSEHOLD));
  const auto adults_end = std::stable_partition(order.begin(), order.end(), [&](std::uint32_t i) {
    return pop.base_year - others[i].birth_year >= 20;
  });
  std::vector<std::uint32_t> households(n_households);
  std::iota(households.begin(), households.end(), 0u);
  shuffle(households, seed, key(1, stream::PERSON_HOUSEHOLD));
  std::vector<std::uint32_t> household_of(others.size());
  std::size_t next = 0;
  const auto adults = static_cast<std::size_t>(adults_end - order.begin());
  for (std::uint32_t h : households) {
    if (has_adult[h] || next == adults) continue;
    household_of[order[next++]] = h;
    members[h]++;
  }
  std::vector<std::uint32_t> free_places;
  for (std::uint32_t h : households) {
    for (std::uint32_t k = members[h]; k < pop.household_size[h]; ++k) free_places.push_back(h);
  }
  KeyedStream anywhere(seed, GENERATION_REPLICATION, key(2, stream::PERSON_HOUSEHOLD));
  for (std::size_t i = next; i < order.size(); ++i) {
    household_of[order[i]] = i - next < free_places.size() ? free_places[i - next] : anywhere.below(n_households);
  }
  for (std::size_t i = 0; i < others.size(); ++i) {
    pop.person_household.push_back(household_of[i]);
    pop.person_birth_year.push_back(others[i].birth_year);
    pop.person_sex.push_back(static_cast<std::uint8_t>(others[i].sex));
  }
}

void append_woman(BasePopulation& pop, const Woman& w) {
  pop.woman_household.push_back(w.household);
  pop.woman_birth_year.push_back(w.birth_year);
  pop.woman_parity.push_back(w.parity);
  pop.woman_flags.push_back(w.flags);
}

//! Burn-in: the births of the years before the first scenario year, each year's rates
//! scaled so that expected births equal the profile's observed births of that year, give
//! every child under 7 its birth month, order, sex and mother (an index into the women,
//! who must be sorted by household). The girls born are appended to the women, linked to
//! their child records, since within long horizons they reach childbearing age.
void simulate_burn_in(BasePopulation& pop, const PlaceProfile& profile, double scale, std::uint32_t seed) {
  const int base_year = pop.base_year;
  const auto n_women = static_cast<std::uint32_t>(pop.women());
  std::vector<Woman> girls;
  const double girl_share = 100.0 / (100.0 + profile.sex_ratio_at_birth);
  for (int b = 0; b < BURN_IN_YEARS; ++b) {
    const int year = base_year - BURN_IN_YEARS + b;
    // Aligned to the record: the year's observed (or derived) births, the rates scaled to them.
    const auto observed = profile.observed.births.find(year);
    const double target = observed == profile.observed.births.end() ? 0.0 : observed->second.value * scale;
    const FertilityTable table =
        calibrate_fertility(profile.fertility, target, pop.woman_birth_year, pop.woman_parity, year);
    for (std::uint32_t w = 0; w < n_women; ++w) {
      const int age = year - pop.woman_birth_year[w];
      if (age < MIN_FERTILE_AGE || age > MAX_FERTILE_AGE) continue;
      const int pc = std::min<int>(pop.woman_parity[w], PARITY_CLASSES - 1);
      const std::uint64_t u = draw_u64(seed, GENERATION_REPLICATION, key(w, stream::BIRTH, year));
      if (u >= table.threshold[static_cast<std::size_t>(age)][static_cast<std::size_t>(pc)]) continue;
      KeyedStream ms(seed, GENERATION_REPLICATION, key(w, stream::BIRTH_MONTH, year));
      const auto month = static_cast<int>(ms.below(12)) + 1;
      if (pop.woman_parity[w] < 255) pop.woman_parity[w]++;
      pop.child_household.push_back(pop.woman_household[w]);
      pop.child_birth_month.push_back(month_index(year, month));
      pop.child_birth_order.push_back(pop.woman_parity[w]);
      pop.child_mother.push_back(w);
      KeyedStream sex(seed, GENERATION_REPLICATION, key(w, stream::CHILD_SEX, year));
      if (sex.uniform() < girl_share) {
        pop.child_sex.push_back(static_cast<std::uint8_t>(Sex::female));
        pop.child_woman.push_back(n_women + static_cast<std::uint32_t>(girls.size()));
        girls.push_back(Woman{pop.woman_household[w], static_cast<std::int16_t>(year), 0, pop.woman_flags[w]});
      } else {
        pop.child_sex.push_back(static_cast<std::uint8_t>(Sex::male));
        pop.child_woman.push_back(NO_WOMAN);
      }
    }
  }
  for (const Woman& g : girls) append_woman(pop, g);
}

}  // namespace

BasePopulation generate_population(const PlaceProfile& profile, int base_year, std::uint32_t seed, double scale) {
  if (!(scale > 0)) throw std::invalid_argument("population scale must be positive");
  BasePopulation pop;
  pop.base_year = base_year;
  const double persons_target = profile.persons * scale;
  generate_households(pop, profile, household_count(profile, persons_target), seed);
  std::vector<Woman> women = generate_women(profile, persons_target, base_year, seed);
  assign_parity(women, profile, base_year, seed);
  place_women(women, pop, base_year, seed);
  for (const Woman& w : women) append_woman(pop, w);
  // The burn-in's draws are keyed by a woman's place in the sorted arrays.
  sort_by_household(pop);
  simulate_burn_in(pop, profile, scale, seed);
  place_others(pop, generate_others(profile, persons_target, base_year, seed), seed);
  sort_by_household(pop);
  pop.persons = static_cast<std::int64_t>(count_residents(pop));
  add_migration(pop, profile.net_migration_per_1000, seed);
  return pop;
}

BasePopulation generate_sample(const PlaceProfile& profile, int base_year, std::uint32_t seed, std::int64_t k) {
  if (k < 1) throw std::invalid_argument("a sample is 1 in k with k >= 1");
  BasePopulation pop = generate_population(profile, base_year, seed, 1.0 / static_cast<double>(k));
  pop.weight = k;
  return pop;
}

BasePopulation scenario_population(const Scenario& scenario, std::int64_t sample,
                                   std::optional<std::uint32_t> seed) {
  const std::uint32_t s = seed.value_or(scenario.seed);
  if (!scenario.persons_file.empty()) {
    if (sample > 1) throw std::invalid_argument("a persons file is used whole; it cannot be sampled 1 in k");
    BasePopulation pop =
        load_persons(scenario.persons_file, scenario.profile, scenario.start_year, s, scenario.persons_weight);
    add_migration(pop, scenario.profile.net_migration_per_1000, s);
    return pop;
  }
  return sample > 1 ? generate_sample(scenario.profile, scenario.start_year, s, sample)
                    : generate_population(scenario.profile, scenario.start_year, s);
}

BasePopulation replication_population(const Scenario& scenario, std::int64_t sample, std::uint32_t r) {
  const bool fresh = scenario.persons_file.empty();
  return scenario_population(scenario, sample,
                             fresh ? std::optional<std::uint32_t>(population_seed(scenario.seed, r)) : std::nullopt);
}

PopulationSource replication_populations(const Scenario& scenario, std::int64_t sample) {
  const bool fresh = scenario.persons_file.empty();
  auto spec = std::make_shared<const Scenario>(scenario);
  if (!scenario.drawn_estimates.empty()) {
    // Each replication's profile differs: its population is built from its own scenario.
    auto first =
        std::make_shared<const BasePopulation>(replication_population(scenario_for_replication(scenario, 0), sample, 0));
    return [first, spec, sample](std::uint32_t r) -> std::shared_ptr<const BasePopulation> {
      if (r == 0) return first;
      return std::make_shared<const BasePopulation>(
          replication_population(scenario_for_replication(*spec, r), sample, r));
    };
  }
  auto first = std::make_shared<const BasePopulation>(replication_population(scenario, sample, 0));
  return [first, spec, sample, fresh](std::uint32_t r) -> std::shared_ptr<const BasePopulation> {
    if (r == 0 || !fresh) return first;
    return std::make_shared<const BasePopulation>(replication_population(*spec, sample, r));
  };
}

std::string population_design(const Scenario& scenario) {
  return scenario.persons_file.empty() ? "per_replication" : "shared";
}

std::vector<Observation> describe_observations(const PlaceProfile& profile) {
  std::vector<Observation> out;
  const std::pair<const char*, const std::map<int, Sourced>*> series[] = {
      {"births", &profile.observed.births},
      {"population", &profile.observed.population},
      {"deaths", &profile.observed.deaths}};
  for (const auto& [quantity, figures] : series) {
    for (const auto& [year, figure] : *figures) {
      out.push_back(Observation{quantity, year, figure.value, std::string(1, figure.tag), figure.source});
    }
  }
  return out;
}

BaseComposition describe_population(const BasePopulation& pop, const PlaceProfile& profile, bool from_profile) {
  BaseComposition out;
  const HouseholdProfile& hp = profile.households;
  const double none = std::numeric_limits<double>::quiet_NaN();
  auto margin = [&](std::string name, std::string long_name, std::vector<std::string> categories,
                    std::vector<double> shares, auto category_of) {
    BaseComposition::Margin m{std::move(name), std::move(long_name), std::move(categories), {}, {}};
    m.households.assign(m.categories.size(), 0);
    for (std::size_t h = 0; h < pop.households(); ++h) {
      if (pop.household_arrival[h] > pop.base_year) continue;  // arrives later
      m.households[static_cast<std::size_t>(category_of(h))] += pop.weight;
    }
    m.profile_share = from_profile ? std::move(shares) : std::vector<double>(m.categories.size(), none);
    out.households.push_back(std::move(m));
  };
  std::vector<std::string> sizes, bands;
  for (int k = 1; k <= HOUSEHOLD_SIZE_CLASSES; ++k)
    sizes.push_back(k < HOUSEHOLD_SIZE_CLASSES ? std::to_string(k) : "6+");
  for (std::size_t b = 0; b < hp.income_band_shares.size(); ++b) bands.push_back(std::to_string(b + 1));
  margin("household_size", "persons in the household", sizes,
         std::vector<double>(profile.household_size_shares.begin(), profile.household_size_shares.end()),
         [&](std::size_t h) { return std::min<int>(pop.household_size[h], HOUSEHOLD_SIZE_CLASSES) - 1; });
  margin("income_band", "income band, 1 the lowest", bands, hp.income_band_shares,
         [&](std::size_t h) { return pop.household_income_band[h]; });
  margin("employment", "parents employed", {"both", "one", "neither"},
         std::vector<double>(hp.employment_shares.begin(), hp.employment_shares.end()),
         [&](std::size_t h) { return pop.household_employment[h]; });
  margin("tenure", "housing tenure", {"owner", "renter"},
         std::vector<double>(hp.tenure_shares.begin(), hp.tenure_shares.end()),
         [&](std::size_t h) { return pop.household_tenure[h]; });
  margin("registration", "household registration (hukou) in the place", {"nonlocal", "local"},
         {1 - profile.local_residency_share, profile.local_residency_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_LOCAL_RESIDENT) ? 1 : 0; });
  margin("special_family", "special planned-birth family", {"no", "yes"},
         {1 - profile.special_family_share, profile.special_family_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_SPECIAL_FAMILY) ? 1 : 0; });
  margin("priority_group", "childcare priority group named by the documents", {"no", "yes"},
         {1 - hp.priority_group_share, hp.priority_group_share},
         [&](std::size_t h) { return (pop.household_flags[h] & FLAG_PRIORITY_GROUP) ? 1 : 0; });
  out.first_birth_year = pop.base_year - BURN_IN_YEARS;
  out.children_by_birth_year.assign(BURN_IN_YEARS, 0);
  for (std::size_t c = 0; c < pop.children(); ++c) {
    if (pop.household_arrival[pop.child_household[c]] > pop.base_year) continue;  // arrives later
    const int offset = pop.child_birth_month[c] / 12 - out.first_birth_year;
    if (offset >= 0 && offset < BURN_IN_YEARS) out.children_by_birth_year[static_cast<std::size_t>(offset)] += pop.weight;
  }
  constexpr int ages = BaseComposition::MAX_AGE - BaseComposition::MIN_AGE + 1;
  out.women_by_age_parity.assign(static_cast<std::size_t>(ages * BaseComposition::PARITIES), 0);
  for (std::size_t w = 0; w < pop.women(); ++w) {
    if (pop.household_arrival[pop.woman_household[w]] > pop.base_year) continue;
    const int age = pop.base_year - pop.woman_birth_year[w];
    if (age < BaseComposition::MIN_AGE || age > BaseComposition::MAX_AGE) continue;
    const int k = std::min<int>(pop.woman_parity[w], BaseComposition::PARITIES - 1);
    out.women_by_age_parity[static_cast<std::size_t>((age - BaseComposition::MIN_AGE) * BaseComposition::PARITIES +
                                                     k)] += pop.weight;
  }
  return out;
}

}  // namespace cradle
