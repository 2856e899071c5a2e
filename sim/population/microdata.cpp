#include "sim/population/microdata.h"

#include <algorithm>
#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/calendar.h"
#include "models/fertility.h"
#include "models/measures/measure.h"
#include "sim/input/error.h"
#include "sim/population/household_fit.h"
#include "sim/population/base_population.h"
#include "sim/random/rng.h"
#include "sim/random/stream_ids.h"

namespace cradle {

namespace {

using namespace persons;
using stream::GENERATION_REPLICATION;

constexpr int MAX_PERSON_AGE = 120;
constexpr int MAX_PARITY = 30;
constexpr int MAX_WOMAN_AGE = 49;  // completed years on 1 January; women are tracked to 49
constexpr int MAX_CHILD_AGE = BURN_IN_YEARS - 1;

//! Picks household types from the fitted table for households whose file leaves some of
//! income band, employment and tenure unstated: a cell among those of the household's
//! size class and registration that agree with what the file states, with probability
//! proportional to its share. If those all have share 0 (a profile without households of
//! that size or registration), the size is dropped, then the registration, then what the
//! file states, so that a household always gets a type the profile allows.
class TypeDrawer {
 public:
  explicit TypeDrawer(const PlaceProfile& profile) : table_(fit_households(household_margins(profile))) {}

  HouseholdTable::Type draw(std::size_t size_class, bool local, std::int64_t band, std::int64_t employment,
                            std::int64_t tenure, KeyedStream& stream) {
    const Candidates& cands = candidates(size_class, local, band, employment, tenure);
    const double u = stream.uniform() * cands.cumulative.back();
    const auto at = std::upper_bound(cands.cumulative.begin(), cands.cumulative.end(), u) - cands.cumulative.begin();
    return table_.type(cands.cell[static_cast<std::size_t>(
        std::min<std::ptrdiff_t>(at, static_cast<std::ptrdiff_t>(cands.cell.size()) - 1))]);
  }

 private:
  struct Candidates {
    std::vector<std::size_t> cell;
    std::vector<double> cumulative;
  };

  const Candidates& candidates(std::size_t size_class, bool local, std::int64_t band, std::int64_t employment,
                               std::int64_t tenure) {
    // One list per combination of what is known, built the first time it is needed.
    const auto key =
        std::array<std::int64_t, 5>{static_cast<std::int64_t>(size_class), local, band, employment, tenure};
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Candidates cands;
    for (int level = 0; level < 4 && cands.cell.empty(); ++level) {
      double total = 0;
      for (std::size_t c = 0; c < table_.cells(); ++c) {
        const HouseholdTable::Type t = table_.type(c);
        const double share = table_.share(c);
        if (!(share > 0)) continue;
        if (level == 0 && t.size != size_class) continue;
        if (level <= 1 && static_cast<bool>(t.local) != local) continue;
        if (level <= 2 && ((band != EMPTY && t.band != band) || (employment != EMPTY && t.employment != employment) ||
                           (tenure != EMPTY && t.tenure != tenure))) {
          continue;
        }
        total += share;
        cands.cell.push_back(c);
        cands.cumulative.push_back(total);
      }
    }
    if (cands.cell.empty()) throw std::invalid_argument("the profile's household table has no household type");
    return cache_.emplace(key, std::move(cands)).first->second;
  }

  struct KeyHash {
    std::size_t operator()(const std::array<std::int64_t, 5>& k) const {
      std::size_t h = 0;
      for (std::int64_t v : k) h = h * 1000003u ^ std::hash<std::int64_t>{}(v);
      return h;
    }
  };

  HouseholdTable table_;
  std::unordered_map<std::array<std::int64_t, 5>, Candidates, KeyHash> cache_;
};

//! The rows of a persons file, and what every step asks of them.
struct Rows {
  const PersonColumns& in;
  std::size_t n;

  bool stated(int c, std::size_t r) const {
    const auto cu = static_cast<std::size_t>(c);
    return in.present[cu] && in.value[cu][r] != EMPTY;
  }
  std::int64_t value(int c, std::size_t r) const { return in.value[static_cast<std::size_t>(c)][r]; }
  //! An error at row r, column c.
  ScenarioError fail(std::size_t r, int c, const std::string& what) const {
    const auto cu = static_cast<std::size_t>(c);
    return ScenarioError(in.file, in.line[r], in.column[cu], COLUMNS[cu].name, what);
  }
  //! How a message names row r: "line 7" (CSV) or "row 6" (HDF5).
  std::string where(std::size_t r) const { return in.row_word + " " + std::to_string(in.line[r]); }
};

//! Where each person and household is.
struct RowIndex {
  std::unordered_map<std::int64_t, std::uint32_t> row_of_person;
  std::vector<std::uint32_t> household_of;  //!< per row: households in order of first appearance
  std::size_t households = 0;
};

//! Per household column (income band, employment, tenure, special family, priority
//! group), per household: what its members state, or EMPTY.
using HouseholdValues = std::array<std::vector<std::int64_t>, COLUMN_COUNT>;

void check_columns(const PersonColumns& in) {
  for (int c = 0; c < COLUMN_COUNT; ++c) {
    const ColumnSpec& spec = COLUMNS[static_cast<std::size_t>(c)];
    if (spec.required && !in.present[static_cast<std::size_t>(c)]) {
      throw ScenarioError(in.file, in.header_line, 0, spec.name, "required column missing");
    }
  }
  const std::size_t n = in.line.size();
  // No rows: the place of the first missing row's person_id is the header's end.
  if (n == 0) throw ScenarioError(in.file, in.header_line, 0, "person_id", "no persons in the file");
  if (n >= NO_MOTHER) throw ScenarioError(in.file, in.header_line, 0, "person_id", "too many persons");
}

//! One row on its own: values present where required, and in range.
void check_row(const Rows& rows, std::size_t r, std::int64_t bands) {
  struct Range {
    int column;
    std::int64_t lo, hi;
    const char* what;
  };
  const std::array<Range, 11> ranges{{
      {AGE, 0, MAX_PERSON_AGE, "an age in completed years, 0 to 120"},
      {SEX, MALE, FEMALE, "a sex code, 1 (male) or 2 (female)"},
      {PARITY, 0, MAX_PARITY, "a parity, 0 to 30"},
      {RESIDENCY, 0, 1, "a residency code, 1 (local) or 0 (non-local)"},
      {INCOME_BAND, 1, bands, nullptr},  // the message names the profile's number of bands
      {EMPLOYMENT, 0, 2, "an employment code, 0 (both), 1 (one) or 2 (neither)"},
      {TENURE, 0, 1, "a tenure code, 0 (owner) or 1 (renter)"},
      {SPECIAL_FAMILY, 0, 1, "0 or 1"},
      {PRIORITY_GROUP, 0, 1, "0 or 1"},
      {BIRTH_MONTH, 1, 12, "a month, 1 to 12"},
      {BIRTH_ORDER, 1, MAX_PARITY, "a birth order, 1 to 30"},
  }};
  for (int c : {PERSON_ID, HOUSEHOLD_ID, AGE, SEX, RESIDENCY}) {
    if (!rows.stated(c, r)) throw rows.fail(r, c, "a value is required");
  }
  for (const Range& range : ranges) {
    if (!rows.stated(range.column, r)) continue;
    const std::int64_t v = rows.value(range.column, r);
    if (v < range.lo || v > range.hi) {
      const std::string expected =
          range.what ? std::string(range.what) : "an income band of the profile, 1 to " + std::to_string(bands);
      throw rows.fail(r, range.column, std::to_string(v) + " is not " + expected);
    }
  }
  const std::int64_t age = rows.value(AGE, r);
  if (rows.value(SEX, r) == FEMALE && age >= MIN_FERTILE_AGE && age <= MAX_FERTILE_AGE && !rows.stated(PARITY, r)) {
    throw rows.fail(r, PARITY, "a value is required for a woman aged 15 to 49");
  }
}

//! Each row checked on its own; person ids unique; households in order of first appearance.
RowIndex index_rows(const Rows& rows, std::int64_t bands) {
  RowIndex idx;
  std::unordered_map<std::int64_t, std::uint32_t> household_index;
  idx.household_of.resize(rows.n);
  idx.row_of_person.reserve(rows.n);
  for (std::size_t r = 0; r < rows.n; ++r) {
    check_row(rows, r, bands);
    const auto [person, fresh] = idx.row_of_person.emplace(rows.value(PERSON_ID, r), static_cast<std::uint32_t>(r));
    if (!fresh) {
      throw rows.fail(r, PERSON_ID,
                      "person_id " + std::to_string(rows.value(PERSON_ID, r)) + " is already used on " +
                          rows.where(person->second));
    }
    const auto [household, added] =
        household_index.emplace(rows.value(HOUSEHOLD_ID, r), static_cast<std::uint32_t>(idx.households));
    if (added) ++idx.households;
    idx.household_of[r] = household->second;
  }
  return idx;
}

//! Household-level columns: what members state must agree; unstated stays EMPTY.
HouseholdValues household_values(const Rows& rows, const RowIndex& idx) {
  HouseholdValues out;  // filled for the household columns only
  for (int c : {INCOME_BAND, EMPLOYMENT, TENURE, SPECIAL_FAMILY, PRIORITY_GROUP}) {
    out[static_cast<std::size_t>(c)].assign(idx.households, EMPTY);
    if (!rows.in.present[static_cast<std::size_t>(c)]) continue;
    std::vector<std::size_t> stated_on(idx.households, 0);
    for (std::size_t r = 0; r < rows.n; ++r) {
      if (!rows.stated(c, r)) continue;
      const std::uint32_t h = idx.household_of[r];
      std::int64_t& v = out[static_cast<std::size_t>(c)][h];
      if (v == EMPTY) {
        v = rows.value(c, r);
        stated_on[h] = r;
      } else if (v != rows.value(c, r)) {
        throw rows.fail(r, c,
                        std::to_string(rows.value(c, r)) + " disagrees with " + std::to_string(v) + " on " +
                            rows.where(stated_on[h]) + " for the same household_id " +
                            std::to_string(rows.value(HOUSEHOLD_ID, r)));
      }
    }
  }
  return out;
}

//! Each row's mother (a row), or NO_MOTHER: a female in the same household, older than
//! her child, who is not the person herself.
std::vector<std::uint32_t> find_mothers(const Rows& rows, const RowIndex& idx) {
  std::vector<std::uint32_t> mother_row(rows.n, NO_MOTHER);
  for (std::size_t r = 0; r < rows.n; ++r) {
    if (!rows.stated(MOTHER_ID, r)) continue;
    const std::int64_t id = rows.value(MOTHER_ID, r);
    const auto it = idx.row_of_person.find(id);
    if (it == idx.row_of_person.end()) throw rows.fail(r, MOTHER_ID, "no person has person_id " + std::to_string(id));
    const std::size_t m = it->second;
    if (m == r) throw rows.fail(r, MOTHER_ID, "a person cannot be her own mother");
    if (rows.value(SEX, m) != FEMALE) throw rows.fail(r, MOTHER_ID, "the mother (" + rows.where(m) + ") is not female");
    if (idx.household_of[m] != idx.household_of[r]) {
      throw rows.fail(r, MOTHER_ID, "the mother (" + rows.where(m) + ") lives in another household");
    }
    if (rows.value(AGE, m) <= rows.value(AGE, r)) {
      throw rows.fail(r, MOTHER_ID, "the mother (" + rows.where(m) + ") is not older than her child");
    }
    mother_row[r] = static_cast<std::uint32_t>(m);
  }
  return mother_row;
}

//! A household's flags: local if any member is; special family and priority group as
//! the file states, else drawn with the profile's shares.
std::uint8_t household_flags(std::uint32_t h, bool local, const HouseholdValues& hv, const PlaceProfile& profile,
                             std::uint32_t seed) {
  std::uint8_t flags = local ? FLAG_LOCAL_RESIDENT : 0;
  KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{h, 0, 0, stream::HOUSEHOLD_FLAGS});
  const double u_special = s.uniform(), u_priority = s.uniform();
  const std::int64_t special = hv[SPECIAL_FAMILY][h], priority = hv[PRIORITY_GROUP][h];
  if (special != EMPTY ? special == 1 : u_special < profile.special_family_share) flags |= FLAG_SPECIAL_FAMILY;
  if (priority != EMPTY ? priority == 1 : u_priority < profile.households.priority_group_share) {
    flags |= FLAG_PRIORITY_GROUP;
  }
  return flags;
}

//! Households: size and registration from the members; the rest from the file, or drawn.
void assemble_households(BasePopulation& pop, const Rows& rows, const RowIndex& idx, const HouseholdValues& hv,
                         const PlaceProfile& profile, std::uint32_t seed) {
  const std::size_t n_households = idx.households;
  std::vector<std::uint32_t> members(n_households, 0);
  std::vector<bool> local(n_households, false);
  for (std::size_t r = 0; r < rows.n; ++r) {
    members[idx.household_of[r]]++;
    if (rows.value(RESIDENCY, r) == 1) local[idx.household_of[r]] = true;
  }
  pop.household_size.resize(n_households);
  pop.household_income_band.resize(n_households);
  pop.household_employment.resize(n_households);
  pop.household_tenure.resize(n_households);
  pop.household_flags.assign(n_households, 0);
  std::optional<TypeDrawer> drawer;
  for (std::size_t h = 0; h < n_households; ++h) {
    const auto hk = static_cast<std::uint32_t>(h);
    pop.household_size[h] = static_cast<std::uint8_t>(std::min<std::uint32_t>(members[h], 255));
    pop.household_flags[h] = household_flags(hk, local[h], hv, profile, seed);
    const std::int64_t stated_band = hv[INCOME_BAND][h];
    std::int64_t band = stated_band == EMPTY ? EMPTY : stated_band - 1;  // 0-based from here on
    std::int64_t employment = hv[EMPLOYMENT][h], tenure = hv[TENURE][h];
    if (band == EMPTY || employment == EMPTY || tenure == EMPTY) {
      if (!drawer) drawer.emplace(profile);
      KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{hk, 0, 0, stream::HOUSEHOLD_TYPE});
      const std::size_t size_class = std::min<std::size_t>(members[h], HOUSEHOLD_SIZES);
      const HouseholdTable::Type t = drawer->draw(size_class, local[h], band, employment, tenure, s);
      if (band == EMPTY) band = t.band;
      if (employment == EMPTY) employment = t.employment;
      if (tenure == EMPTY) tenure = t.tenure;
    }
    pop.household_income_band[h] = static_cast<std::uint8_t>(band);
    pop.household_employment[h] = static_cast<std::uint8_t>(employment);
    pop.household_tenure[h] = static_cast<std::uint8_t>(tenure);
  }
}

//! The women (females 0–49), children (everyone 0–6) and other residents (the rest)
//! among the rows, in row order; a girl is both a woman and a child.
struct People {
  std::vector<std::uint32_t> woman_row, child_row, other_row;
  std::vector<std::uint32_t> woman_of_row;  //!< per row: index into woman_row, or NO_MOTHER
  std::vector<MonthIndex> birth_month;      //!< per child: stated, or drawn
  std::vector<std::int64_t> order;          //!< per child: birth order
};

People select_people(const Rows& rows, int base_year, std::uint32_t seed) {
  People p;
  p.woman_of_row.assign(rows.n, NO_MOTHER);
  for (std::size_t r = 0; r < rows.n; ++r) {
    const std::int64_t age = rows.value(AGE, r);
    if (rows.value(SEX, r) == FEMALE && age <= MAX_WOMAN_AGE) {
      p.woman_of_row[r] = static_cast<std::uint32_t>(p.woman_row.size());
      p.woman_row.push_back(static_cast<std::uint32_t>(r));
    }
    if (age <= MAX_CHILD_AGE) p.child_row.push_back(static_cast<std::uint32_t>(r));
    if (age > MAX_CHILD_AGE && p.woman_of_row[r] == NO_MOTHER) p.other_row.push_back(static_cast<std::uint32_t>(r));
  }
  p.birth_month.resize(p.child_row.size());
  for (std::size_t i = 0; i < p.child_row.size(); ++i) {
    const std::size_t r = p.child_row[i];
    const int year = base_year - 1 - static_cast<int>(rows.value(AGE, r));
    int month = 0;
    if (rows.stated(BIRTH_MONTH, r)) {
      month = static_cast<int>(rows.value(BIRTH_MONTH, r));
    } else {
      KeyedStream s(seed, GENERATION_REPLICATION, StreamKey{static_cast<std::uint32_t>(r), 0, 0, stream::BIRTH_MONTH});
      month = 1 + static_cast<int>(s.below(12));
    }
    p.birth_month[i] = month_index(year, month);
  }
  return p;
}

//! Birth order: stated, or the mother's parity less her children in the file born after
//! (a later month; in the same month, a later row), so her youngest has her parity.
//! Checked afterwards in row order, so the first bad row in the file is the one named.
void birth_orders(People& p, const Rows& rows, const std::vector<std::uint32_t>& mother_row) {
  const std::size_t n_children = p.child_row.size();
  p.order.assign(n_children, 0);
  std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> children_of;
  for (std::size_t i = 0; i < n_children; ++i) {
    const std::uint32_t m = mother_row[p.child_row[i]];
    if (m != NO_MOTHER) children_of[m].push_back(static_cast<std::uint32_t>(i));
  }
  for (auto& [mother, kids] : children_of) {
    std::stable_sort(kids.begin(), kids.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return p.birth_month[a] < p.birth_month[b]; });
    const std::int64_t parity = rows.stated(PARITY, mother) ? rows.value(PARITY, mother) : 0;
    for (std::size_t k = 0; k < kids.size(); ++k)
      p.order[kids[k]] = parity - static_cast<std::int64_t>(kids.size() - 1 - k);
  }
  for (std::size_t i = 0; i < n_children; ++i) {
    const std::size_t r = p.child_row[i];
    const std::uint32_t m = mother_row[r];
    if (rows.stated(BIRTH_ORDER, r)) {
      p.order[i] = rows.value(BIRTH_ORDER, r);
    } else if (m == NO_MOTHER) {
      throw rows.fail(r, BIRTH_ORDER, "a value is required when the child's mother is not in the file");
    } else if (p.order[i] < 1) {
      const std::int64_t parity = rows.stated(PARITY, m) ? rows.value(PARITY, m) : 0;
      throw rows.fail(r, MOTHER_ID,
                      "the mother's parity (" + std::to_string(parity) + ", " + rows.where(m) +
                          ") is too low for her " + std::to_string(children_of[m].size()) +
                          " children in the file; correct her parity or give the children's birth_order");
    }
  }
}

//! Women, children and other residents into the population's arrays, then sorted by
//! household (keeping file order among equals) with the children pointing at their
//! mothers and the girls at their own woman records.
void assemble_people(BasePopulation& pop, const Rows& rows, const RowIndex& idx, const People& p,
                     const std::vector<std::uint32_t>& mother_row) {
  reserve_columns(pop, pop.households(), p.woman_row.size(), p.child_row.size(), p.other_row.size());
  for (const std::uint32_t r : p.woman_row) {
    pop.woman_household.push_back(idx.household_of[r]);
    pop.woman_birth_year.push_back(static_cast<std::int16_t>(pop.base_year - 1 - static_cast<int>(rows.value(AGE, r))));
    pop.woman_parity.push_back(static_cast<std::uint8_t>(rows.stated(PARITY, r) ? rows.value(PARITY, r) : 0));
    pop.woman_flags.push_back(pop.household_flags[idx.household_of[r]]);
  }
  for (std::size_t i = 0; i < p.child_row.size(); ++i) {
    const std::uint32_t r = p.child_row[i];
    pop.child_household.push_back(idx.household_of[r]);
    pop.child_birth_month.push_back(p.birth_month[i]);
    pop.child_birth_order.push_back(static_cast<std::uint8_t>(std::min<std::int64_t>(p.order[i], 255)));
    // A mother of 50 or more is not among the women: the child keeps its order, not her.
    pop.child_mother.push_back(mother_row[r] == NO_MOTHER ? NO_MOTHER : p.woman_of_row[mother_row[r]]);
    const bool girl = rows.value(SEX, r) == FEMALE;
    pop.child_sex.push_back(static_cast<std::uint8_t>(girl ? Sex::female : Sex::male));
    pop.child_woman.push_back(girl ? p.woman_of_row[r] : NO_WOMAN);
  }
  for (const std::uint32_t r : p.other_row) {
    pop.person_household.push_back(idx.household_of[r]);
    pop.person_birth_year.push_back(static_cast<std::int16_t>(pop.base_year - 1 - static_cast<int>(rows.value(AGE, r))));
    pop.person_sex.push_back(static_cast<std::uint8_t>(rows.value(SEX, r) == FEMALE ? Sex::female : Sex::male));
  }
  sort_by_household(pop);
}

}  // namespace

BasePopulation build_population(const PersonColumns& in, const PlaceProfile& profile, int base_year, std::uint32_t seed,
                                std::int64_t weight) {
  check_columns(in);
  const Rows rows{in, in.line.size()};
  const auto bands = static_cast<std::int64_t>(profile.households.income_band_shares.size());
  const RowIndex idx = index_rows(rows, bands);
  const HouseholdValues hv = household_values(rows, idx);
  const std::vector<std::uint32_t> mother_row = find_mothers(rows, idx);
  BasePopulation pop;
  pop.base_year = base_year;
  pop.weight = weight;
  pop.persons = static_cast<std::int64_t>(rows.n);
  assemble_households(pop, rows, idx, hv, profile, seed);
  People people = select_people(rows, base_year, seed);
  birth_orders(people, rows, mother_row);
  assemble_people(pop, rows, idx, people, mother_row);
  build_blocks(pop);
  check_population(pop);
  return pop;
}

BasePopulation load_persons(const std::filesystem::path& file, const PlaceProfile& profile, int base_year,
                            std::uint32_t seed, std::int64_t weight) {
  if (weight < 1) throw std::invalid_argument("a population's weight must be at least 1");
  return build_population(read_persons(file), profile, base_year, seed, weight);
}

}  // namespace cradle
