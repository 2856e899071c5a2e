// A measure as data: what it pays, to whom, when, and who pays for it. A new
// measure of an existing kind is a TOML edit (scenarios/packages/); each kind's
// cost rule is one small function in this folder, found through the kinds table
// (models/measures/kinds.h), never by virtual dispatch.
//
// Every measure counts units of one basis (child-months, enrolled child-months,
// births, home purchases, childcare places) and pays an amount per unit.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/calendar.h"
#include "models/funding.h"
#include "models/services.h"

namespace cradle {

//! The kinds of measure; what each pays, to which ledger, on which bases and by which
//! rule is the table of models/measures/kinds.h.
enum class MeasureKind : std::uint8_t {
  child_cash,
  event_cash,
  fee_reduction,
  operating_subsidy,
  slot_construction,
  in_kind_service,
  insurance_fund,
  tax_expenditure,
  provident_fund,
  leave,
  fixed_programme,
};
inline constexpr std::size_t MEASURE_KIND_COUNT = 11;

//! Where a measure's money comes from. Only `budget` measures are general-budget
//! outlays; the others are reported apart and never added into them.
enum class Ledger : std::uint8_t { budget, insurance_fund, tax_expenditure, provident_fund, leave };

//! What a measure counts.
enum class Basis : std::uint8_t {
  child_month,     //!< months a child is in the age window
  enrolled_month,  //!< months a child is enrolled in a service
  birth,           //!< births
  assisted_birth,  //!< births after assisted reproduction
  home_purchase,   //!< new-home purchases by households
  new_slot,        //!< childcare places newly built
  renovated_slot,  //!< childcare places made by renovation or extension
  resident_year,   //!< residents of the eligible sex and ages in a year (person-years)
  marriage,        //!< first marriages (persons marrying) in a year, at the profile's rates
  programme,       //!< units of a fixed programme a year (trainees, institutions, lump sums)
};

//! Whether a basis is counted over the whole place each year (residents by sex and age,
//! marriages, programme units) rather than person by person.
constexpr bool counted_basis(Basis b) {
  return b == Basis::resident_year || b == Basis::marriage || b == Basis::programme;
}

//! The kind's name as written in scenario files, e.g. "child_cash".
std::string_view kind_name(MeasureKind kind);
//! Parses a kind name; nullopt if it is not a kind the engine supports.
std::optional<MeasureKind> parse_kind(std::string_view name);
//! The ledger a kind books to.
Ledger kind_ledger(MeasureKind kind);
//! The ledger's name as results files write it, e.g. "budget", "insurance_fund".
std::string_view ledger_name(Ledger ledger);
std::string_view basis_name(Basis basis);
std::optional<Basis> parse_basis(std::string_view name);
//! Bases a kind may count, the first being its default.
std::vector<Basis> kind_bases(MeasureKind kind);
//! What one unit of a basis is, e.g. "child-months".
std::string_view caseload_unit(Basis basis);
//! Whether a basis is counted month by month (amounts per month or year).
constexpr bool monthly(Basis b) { return b == Basis::child_month || b == Basis::enrolled_month; }

//! The birth-order class the measures read: 1, 2, or 3 for a third or later child (0 for
//! an order below 1, which no measure reaches).
constexpr std::uint8_t birth_order_class(int order) {
  return static_cast<std::uint8_t>(order <= 0 ? 0 : order >= 3 ? 3 : order);
}

//! Who a measure reaches.
struct Eligibility {
  int min_age_months = 0;              //!< completed months at the start of the month, inclusive
  int max_age_months = 36;             //!< exclusive
  std::uint8_t birth_orders = 0b111;   //!< bit k-1 set: birth order k eligible (bit 2: 3rd and higher)
  bool local_residents_only = false;   //!< local household registration (户籍) required
  bool special_families_only = false;  //!< special planned-birth families (计生特殊家庭) only
  bool special_families_excluded =
      false;                             //!< everyone but special planned-birth families (another measure covers them)
  Service service = Service::childcare;  //!< for enrolled_month
  std::uint8_t providers = ALL_PROVIDERS;  //!< bit per Provider, for enrolled_month
  int min_mother_age = 0;                  //!< for births
  int min_children = 0;                    //!< children of the household, for home purchases
  int max_children = 1 << 20;              //!< at most this many children, for home purchases
  //! Events and monthly bases: the household's minor children (its residents under 18 at
  //! the year's start), its housing tenure and its income band.
  int min_minor_children = 0, max_minor_children = 1 << 20;
  std::uint8_t tenures = 0b11;         //!< bit per Tenure (owner, renter)
  std::uint8_t income_bands = 0xFF;    //!< bit b for income band b + 1
  std::uint8_t sexes = 0b11;           //!< counted bases: bit per Sex (male, female)
  int min_age_years = 0;               //!< counted bases: age attained in the year, inclusive
  int max_age_years = 1 << 20;         //!< exclusive
  MonthIndex valid_from = 0;               //!< first month in force
  MonthIndex valid_until = 1 << 30;        //!< first month no longer in force
  //! Events are dated to the day: those before this day of valid_from's month are not in
  //! force, nor those after this day of the month before valid_until (monthly bases count
  //! whole months).
  int valid_from_day = 1, valid_until_day = 31;
  //! Child-month measures: counted, each month, for the household's youngest living child
  //! only, so that a family with several children in the age window counts once (parental
  //! leave: each parent's days a year, whatever the number of children under 3).
  bool once_per_household = false;
};

//! Where a measure's amount comes from: the document states it, it is derived from
//! stated figures, or it is assumed (an estimate where a document commits to a measure
//! without an amount). Ordered from the firmest to the weakest.
enum class Provenance : std::uint8_t { stated = 0, derived = 1, assumed = 2 };
inline constexpr std::size_t PROVENANCE_COUNT = 3;
//! "stated", "derived", "assumed".
const char* provenance_name(Provenance p);

//! The terms of a measure from a date on: its amount and, for kindergarten fees, the
//! kindergarten years it covers (a phase-in).
struct Phase {
  MonthIndex from = 0;
  Fen fen_per_unit = 0;        //!< per unit, or per `per_months` months for monthly bases
  int per_months = 1;          //!< 12 for a yearly amount: n months cost n × fen / 12, rounded down
  int percent_of_fee_bp = -1;  //!< fee_reduction by a percentage, in basis points; -1: a fixed amount
  bool public_fee = false;     //!< fee_reduction by the fee public providers charge (capped at the child's fee)
  std::uint8_t kindergarten_years = 0b111;  //!< bit k-1: kindergarten year k
  Provenance provenance = Provenance::stated;  //!< of the amount: the document's, derived, or assumed
  double take_up = -1;  //!< from this phase on (a phased scheme, 逐步); below 0: the measure's own
};

//! Household flags carried by women and inherited by their children.
inline constexpr std::uint8_t FLAG_LOCAL_RESIDENT = 1;
inline constexpr std::uint8_t FLAG_SPECIAL_FAMILY = 2;
//! A household of a group the documents put first for childcare places (martyrs' and
//! serving soldiers' children); no measure's eligibility reads it.
inline constexpr std::uint8_t FLAG_PRIORITY_GROUP = 4;

//! One measure, resolved and validated.
struct Measure {
  std::string id;
  MeasureKind kind = MeasureKind::child_cash;
  Basis basis = Basis::child_month;
  std::string title;
  std::string source;
  Eligibility eligibility;
  std::vector<Phase> phases;   //!< at least one, sorted by `from`
  double take_up = 1.0;        //!< share of eligible units claimed (one decision per child or event)
  //! The month the measure was announced (its document's issue date unless it says
  //! otherwise); births respond to it only from conceptions after it (models/behaviour.h).
  MonthIndex announced = 0;
  Fen cap_per_person = -1;     //!< child measures: at most this much to one child over the run; -1: none
  Fen cap_per_household = -1;  //!< event measures: at most this much to one household over the run; -1: none
  double units_per_year = 0;   //!< programme basis: the programme's units a year
  PayerShares payers;          //!< by level; budget measures only

  Ledger ledger() const { return kind_ledger(kind); }
  //! Is a child of this birth order (1, 2, 3 = 3rd and higher) eligible?
  bool reaches_order(int order) const {
    const int bit = birth_order_class(order) - 1;
    return bit >= 0 && ((eligibility.birth_orders >> bit) & 1u) != 0;
  }
  //! Is a person with these household flags eligible?
  bool reaches_household(std::uint8_t flags) const {
    const Eligibility& e = eligibility;
    if (e.local_residents_only && !(flags & FLAG_LOCAL_RESIDENT)) return false;
    if (e.special_families_only && !(flags & FLAG_SPECIAL_FAMILY)) return false;
    return !(e.special_families_excluded && (flags & FLAG_SPECIAL_FAMILY));
  }
  //! Does a household of this tenure, income band (0 the lowest) and minor children qualify?
  bool reaches_circumstances(std::uint8_t tenure, std::uint8_t income_band, int minor_children) const {
    return reaches_tenure_and_income(tenure, income_band) && reaches_minors(minor_children);
  }
  //! reaches_circumstances's tenure and income band part.
  bool reaches_tenure_and_income(std::uint8_t tenure, std::uint8_t income_band) const {
    return ((eligibility.tenures >> tenure) & 1u) && ((eligibility.income_bands >> income_band) & 1u);
  }
  //! reaches_circumstances's minor children part.
  bool reaches_minors(int minor_children) const {
    return minor_children >= eligibility.min_minor_children && minor_children <= eligibility.max_minor_children;
  }
  //! Months of `year` in which the measure is in force.
  std::uint16_t months_in_force(int year) const {
    return month_mask(year, eligibility.valid_from, eligibility.valid_until);
  }
  //! The phase in force in a month (the first phase before its start).
  const Phase& phase_at(MonthIndex month) const;
  //! The weakest provenance among its phases' amounts: what its outlay rests on.
  Provenance provenance() const;
  //! The take-up in force in a month: its phase's, where the phase sets one, else the measure's.
  double take_up_at(MonthIndex month) const {
    const double t = phase_at(month).take_up;
    return t >= 0 ? t : take_up;
  }
};

//! What the measures read of one child in one year.
struct ChildYear {
  MonthIndex birth_month = 0;
  std::uint16_t alive_mask = 0xFFF;  //!< months of the year the child is alive
  std::uint8_t birth_order = 1;      //!< its birth_order_class: 1, 2, 3 (3 = 3rd and higher)
  std::uint8_t flags = 0;
  std::uint16_t childcare_mask = 0;  //!< months of the year in childcare
  Provider childcare_provider = Provider::other;
  std::array<std::uint16_t, 3> kindergarten_masks{};  //!< months enrolled in kindergarten year 1, 2, 3
  Provider kindergarten_provider = Provider::other;
  std::uint8_t tenure = 0;       //!< Tenure of the household
  std::uint8_t income_band = 0;  //!< 0 = lowest
  std::uint8_t minor_children = 0;  //!< the household's residents under 18 (when a measure asks)
  //! The months of the year in which a younger child of its household is alive (when a
  //! measure is counted once per household; BlockYear::mark_younger_siblings)
  std::uint16_t younger_alive = 0;
};

//! An event that event-based measures pay for.
struct Event {
  Basis basis = Basis::birth;  //!< birth, assisted_birth or home_purchase
  MonthIndex month = 0;
  int day = 1;  //!< of the month
  int birth_order = 1;  //!< of the child born, or the household's children for a purchase
  int mother_age = 0;
  std::uint8_t flags = 0;
  int minor_children = 0;        //!< the household's residents under 18 (when a measure asks)
  std::uint8_t tenure = 0;       //!< Tenure of the household
  std::uint8_t income_band = 0;  //!< 0 = lowest
};

//! Units and money of a measure for one child-year or one event, before take-up.
struct Cost {
  std::int64_t units = 0;
  Fen fen = 0;
};

//! The fees the fee-linked kinds read.
struct Fees {
  FeeTable childcare{};
  FeeTable kindergarten{};
};

//! What the fee reductions applied so far took off each month's fee of one child, by
//! service, so that reductions stacked on one fee never take off more than the fee.
//! Only the months marked hold an amount (the others took nothing), so that emptying it
//! for the next child is two stores, not a clearing of every month.
class FeeLedger {
 public:
  //! What was taken off the service's fee in month `month` (0–11) so far.
  Fen taken(Service service, std::size_t month) const {
    const auto s = static_cast<std::size_t>(service);
    return ((marked_[s] >> month) & 1u) != 0 ? taken_[s][month] : 0;
  }
  //! Records that `amount` more was taken off in month `month`.
  void take(Service service, std::size_t month, Fen amount) {
    const auto s = static_cast<std::size_t>(service);
    taken_[s][month] = taken(service, month) + amount;
    marked_[s] = static_cast<std::uint16_t>(marked_[s] | (1u << month));
  }
  //! Whether anything was taken off the service's fee in any month.
  bool any(Service service) const { return marked_[static_cast<std::size_t>(service)] != 0; }
  //! Records that `amount` was taken off in each month of `months` (bit m: month m), where
  //! nothing was taken before in any month (!any(service)).
  void take_first(Service service, std::uint16_t months, Fen amount) {
    const auto s = static_cast<std::size_t>(service);
    taken_[s].fill(amount);  // twelve plain stores; only the marked months count
    marked_[s] = months;
  }
  //! Nothing taken in any month.
  void clear() { marked_ = {}; }
  bool empty() const { return marked_[0] == 0 && marked_[1] == 0; }

 private:
  std::array<std::array<Fen, 12>, 2> taken_{};  //!< [service][month], where marked
  std::array<std::uint16_t, 2> marked_{};       //!< [service]: bit m, month m holds an amount
};

//! Pays `amount` within a cap over the run: at most what `cap` leaves after `paid_so_far`,
//! which grows by what is paid. False (and nothing paid) once the cap is reached.
inline bool pay_within_cap(Fen& amount, Fen cap, Fen& paid_so_far) {
  amount = std::min(amount, cap - paid_so_far);
  if (amount <= 0) return false;
  paid_so_far += amount;
  return true;
}

//! A place subsidy's units and cost in a year: the places added (built or renovated, by
//! its basis) of its provider classes, of which its take-up share is claimed, rounded
//! once to whole places. Whole-place counts: a sample does not scale them.
Cost place_subsidy_cost(const Measure& measure, int year, const PlacesAdded& added);

// Shared building blocks of the kinds (measure.cpp).

//! A monthly-basis measure in one year as its cost rule reads it for every child, made
//! once per measure and year (measure_year): the cost of a child-year is then a few masks
//! and products, with no phase search and no division where the amount is by the month.
struct MeasureYear {
  //! A phase with months in force in the year.
  struct Segment {
    std::uint16_t months;  //!< of the year: the phase's, within the measure's dates
    const Phase* phase;    //!< its amount, per_months and kindergarten years
  };
  int year = 0;
  std::vector<Segment> segments;  //!< in phase order; empty: not in force in the year
  //! The cost rule of the measure's kind (kinds.h: ChildCostRule); null: no monthly basis
  Cost (*rule)(const Measure&, const MeasureYear&, const ChildYear&, const Fees&, FeeLedger*) = nullptr;

  bool in_force() const { return !segments.empty(); }
};

//! Months of `year` covered by phase `phase` of the measure (before its dates).
std::uint16_t phase_months(const Measure& measure, std::size_t phase, int year);
//! Does the measure reach a child of this order and household (flags, tenure, income
//! band and minor children)?
inline bool reaches_child(const Measure& m, const ChildYear& c) {
  return m.reaches_order(c.birth_order) && m.reaches_household(c.flags) &&
         m.reaches_circumstances(c.tenure, c.income_band, c.minor_children);
}
//! The months of the year a child can count for a measure: those it is alive, less, for a
//! measure counted once per household, those in which a younger child of its household is.
constexpr std::uint16_t counted_months(const ChildYear& c, bool once_per_household) {
  return static_cast<std::uint16_t>(c.alive_mask & ~(once_per_household ? c.younger_alive : 0u));
}
//! Months of the year in which a child is alive, in the measure's age window and reached
//! by it (the measure's dates are the segments' months); for a measure counted once per
//! household, less the months in which a younger child of its household is alive.
std::uint16_t eligible_child_months(const Measure& measure, const MeasureYear& year, const ChildYear& child);
//! Months of the year in which a reached child is enrolled in the measure's service with an
//! eligible provider, in kindergarten years `kindergarten_years` (for childcare, within the
//! age window); the measure's dates are the segments' months.
std::uint16_t enrolled_months(const Measure& measure, const ChildYear& child, int year,
                              std::uint8_t kindergarten_years);
//! The fees a fee reduction reads: the child's own and that of public providers.
struct FeeContext {
  Fen fee = 0;
  Fen public_fee = 0;
};
//! Σ over the segments of the months of `mask` in each, times its phase's amount per month.
Cost monthly_cost(const Measure& measure, const MeasureYear& year, std::uint16_t mask, FeeContext fees = {});
//! Σ over the segments of the enrolled months each reaches (its kindergarten years, and
//! for childcare the age window) times its phase's amount per month.
Cost enrolled_cost(const Measure& measure, const MeasureYear& year, const ChildYear& child, FeeContext fees = {});
//! The amount of a phase for one unit-month, given the fees the service charges (a fee
//! reduction never more than the fee).
//! (Inline: asked for every child-year a monthly measure pays.)
inline Fen phase_amount(const MeasureKind kind, const Phase& p, FeeContext f) {
  if (kind != MeasureKind::fee_reduction) return p.fen_per_unit;
  if (p.percent_of_fee_bp >= 0) return f.fee * p.percent_of_fee_bp / 10000;
  // A fee reduction cannot exceed the fee it reduces.
  if (p.public_fee) return std::min(f.public_fee, f.fee);
  return std::min(p.fen_per_unit, f.fee);
}
//! Is the event one the measure counts, reaching the event's household and in force?
//! (Inline: the engine asks it of every event and event measure.)
inline bool event_reached(const Measure& m, const Event& e) {
  if (e.basis != m.basis) return false;
  const Eligibility& el = m.eligibility;
  if (e.month < el.valid_from || e.month >= el.valid_until) return false;
  if ((e.month == el.valid_from && e.day < el.valid_from_day) ||
      (e.month == el.valid_until - 1 && e.day > el.valid_until_day)) {
    return false;
  }
  if (!m.reaches_household(e.flags)) return false;
  if (!m.reaches_circumstances(e.tenure, e.income_band, e.minor_children)) return false;
  if (e.basis == Basis::home_purchase) {
    return e.birth_order >= m.eligibility.min_children && e.birth_order <= m.eligibility.max_children;
  }
  return m.reaches_order(e.birth_order) && e.mother_age >= m.eligibility.min_mother_age;
}

}  // namespace cradle
