#include "sim/input/scenario_set.h"

#include <cmath>
#include <set>
#include <sstream>

#include "sim/input/shipped.h"
#include "sim/input/toml_reader.h"

namespace cradle {

namespace {

constexpr const char* VARY = "--vary";

[[noreturn]] void sweep_error(const std::string& spec, const std::string& what) {
  throw ScenarioError(VARY, 0, 0, spec, what);
}

//! The scenario files a set file lists, resolved relative to it, else among the shipped
//! scenarios (the set files' folder sets/, then the scenarios' own).
std::vector<std::filesystem::path> set_members(const std::filesystem::path& file, std::string& id, std::string& title) {
  ParsedFile f = parse_file(file);
  TableReader root(f.table, shown_path(file), "");
  TableReader set = root.child(root.subtable("set"), "set");
  id = set.string("id");
  check_id(set, "id", id);
  title = set.string_or("title", "");
  const toml::node& list = set.require("scenarios");
  if (!list.is_array() || list.as_array()->empty()) set.fail_at(list.source(), "scenarios", "expected a list of scenario files");
  std::vector<std::filesystem::path> members;
  for (const toml::node& n : *list.as_array()) {
    const auto places = named_file_places(file.parent_path(), set.as_string(n, "scenarios"), {"sets", ""});
    const std::optional<std::filesystem::path> member = first_file(places);
    if (!member) set.fail_at(n.source(), "scenarios", std::string("no scenario file: ") += not_found_text(places));
    members.push_back(*member);
  }
  set.finish();
  root.finish();
  return members;
}

//! Fails unless `s` can share base populations and streams with `first`.
void require_same_frame(const Scenario& first, const Scenario& s) {
  const auto differ = [&](const std::string& field, const std::string& a, const std::string& b) {
    throw ScenarioError(shown_path(s.file), 0, 0, field,
                        "scenario \"" + s.id + "\" has " + b + " where \"" + first.id + "\" has " + a +
                            ": the scenarios of a set run on the same base populations with the same seed");
  };
  if (s.place().id != first.place().id) differ("scenario.jurisdiction", first.place().id, s.place().id);
  if (s.start_year != first.start_year) differ("scenario.start_year", std::to_string(first.start_year), std::to_string(s.start_year));
  if (s.end_year != first.end_year) differ("scenario.end_year", std::to_string(first.end_year), std::to_string(s.end_year));
  if (s.seed != first.seed) differ("scenario.seed", std::to_string(first.seed), std::to_string(s.seed));
  if (s.replications != first.replications) {
    differ("scenario.replications", std::to_string(first.replications), std::to_string(s.replications));
  }
  if (s.replications_per_population != first.replications_per_population) {
    differ("scenario.replications_per_population", std::to_string(first.replications_per_population),
           std::to_string(s.replications_per_population));
  }
  if (s.sample != first.sample) differ("scenario.sample", "1/" + std::to_string(first.sample), "1/" + std::to_string(s.sample));
  if (s.persons_file != first.persons_file) {
    differ("scenario.persons", "\"" + first.persons_file.string() + "\"", "\"" + s.persons_file.string() + "\"");
  }
}

}  // namespace

bool is_set_file(const std::filesystem::path& file) { return parse_file(file).table.contains("set"); }

void check_common_frame(const ScenarioSet& set) {
  std::set<std::string> ids;
  for (const Scenario& s : set.scenarios) {
    require_same_frame(set.scenarios.front(), s);
    if (!ids.insert(s.id).second) {
      throw ScenarioError(shown_path(s.file), 0, 0, "scenario.id",
                          "two scenarios of the set have the id \"" + s.id + "\"; each needs its own");
    }
  }
}

ScenarioSet load_scenario_set(const std::vector<std::filesystem::path>& files) {
  ScenarioSet set;
  for (const std::filesystem::path& file : files) {
    if (!is_set_file(file)) {
      set.scenarios.push_back(load_scenario(file));
      continue;
    }
    std::string id, title;
    for (const std::filesystem::path& member : set_members(file, id, title)) set.scenarios.push_back(load_scenario(member));
    if (set.id.empty()) {
      set.id = id;
      set.title = title;
    }
  }
  if (set.id.empty() && !set.scenarios.empty()) set.id = set.scenarios.front().id;
  set.variants.assign(set.scenarios.size(), "");
  check_common_frame(set);
  return set;
}

}  // namespace cradle

namespace cradle {

namespace {

struct SweepSpec {
  std::string target, field;
  std::vector<std::string> texts;  //!< the values as written
  std::vector<double> values;
};

SweepSpec parse_sweep(const std::string& spec) {
  SweepSpec out;
  const std::size_t eq = spec.find('=');
  const std::size_t dot = spec.rfind('.', eq);
  if (eq == std::string::npos || dot == std::string::npos || dot == 0 || dot + 1 >= eq) {
    sweep_error(spec, "expected TARGET.FIELD=v1,v2,… (e.g. xihu_childcare_subsidy.amount=0,500,1000)");
  }
  out.target = spec.substr(0, dot);
  out.field = spec.substr(dot + 1, eq - dot - 1);
  std::stringstream list(spec.substr(eq + 1));
  for (std::string text; std::getline(list, text, ',');) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (text.empty() || used != text.size() || !std::isfinite(v)) sweep_error(spec, "\"" + text + "\" is not a number");
    out.texts.push_back(text);
    out.values.push_back(v);
  }
  if (out.values.empty()) sweep_error(spec, "no values to sweep");
  return out;
}

//! Whole fen of a yuan amount; fails unless it is one.
Fen sweep_fen(const std::string& spec, double yuan) {
  const double fen = yuan * 100.0;
  if (yuan < 0 || yuan > 1e9 || std::fabs(fen - std::round(fen)) > 1e-6) {
    sweep_error(spec, "an amount is whole fen from 0 to 1e9 yuan, found " + format_number(yuan));
  }
  return static_cast<Fen>(std::llround(fen));
}

//! Sets a measure's field; returns what it was, for the variant's record.
std::string set_measure_field(Measure& m, const SweepSpec& sweep, double v, const std::string& spec) {
  const std::string was_phase = format_number(static_cast<double>(m.phases.front().fen_per_unit) / 100.0);
  if (sweep.field == "amount" || sweep.field == "amount_per_year") {
    const bool per_year = sweep.field == "amount_per_year";
    if (per_year && !monthly(m.basis)) sweep_error(spec, "\"" + m.id + "\" is paid per unit: sweep its amount");
    const Fen fen = sweep_fen(spec, v);
    for (Phase& phase : m.phases) {
      if (phase.percent_of_fee_bp >= 0 || phase.public_fee) {
        sweep_error(spec, "the amount of \"" + m.id + "\" is a share of the fee, not a sum");
      }
      phase.fen_per_unit = per_year ? (fen % 12 == 0 ? fen / 12 : fen) : fen;
      phase.per_months = per_year && fen % 12 != 0 ? 12 : 1;
    }
    return "first phase " + was_phase + " yuan per " + (m.phases.front().per_months == 12 ? "12 months" : "unit");
  }
  if (sweep.field == "take_up") {
    if (v < 0 || v > 1) sweep_error(spec, "a take-up is a share from 0 to 1");
    const std::string was = format_number(m.take_up);
    m.take_up = v;
    for (Phase& phase : m.phases) phase.take_up = -1;
    return was;
  }
  Fen* cap = sweep.field == "cap_per_person" ? &m.cap_per_person
             : sweep.field == "cap_per_household" ? &m.cap_per_household : nullptr;
  if (cap) {
    const std::string was = *cap < 0 ? "none" : format_number(static_cast<double>(*cap) / 100.0);
    *cap = sweep_fen(spec, v);
    return was;
  }
  if (sweep.field == "units_per_year" && m.basis == Basis::programme) {
    if (v < 0 || v > 1e9) sweep_error(spec, "units_per_year is from 0 to 1e9");
    const std::string was = format_number(m.units_per_year);
    m.units_per_year = v;
    return was;
  }
  sweep_error(spec, "a measure's field to sweep is amount, amount_per_year, take_up, cap_per_person, "
                    "cap_per_household or (a programme's) units_per_year, found \"" + sweep.field + "\"");
}

//! Sets a field of an uncertain parameter's distribution; returns what it was.
std::string set_parameter_field(UncertainParameter& p, const SweepSpec& sweep, double v, const std::string& spec) {
  Distribution& d = p.distribution;
  using K = Distribution::Kind;
  double* field = nullptr;
  if (sweep.field == "value") {
    const std::string was = format_number(d.centre());
    d = Distribution{K::fixed, v};
    return "centre " + was;
  }
  if (sweep.field == "low") field = d.kind == K::uniform || d.kind == K::triangular ? &d.a : &d.low;
  if (sweep.field == "high") field = d.kind == K::uniform || d.kind == K::triangular ? &d.b : &d.high;
  if (sweep.field == "mode" && d.kind == K::triangular) field = &d.c;
  if (sweep.field == "mean" && d.kind == K::truncated_normal) field = &d.a;
  if (sweep.field == "median" && d.kind == K::lognormal) field = &d.a;
  if (sweep.field == "sd" && (d.kind == K::truncated_normal || d.kind == K::lognormal)) field = &d.b;
  if (!field || d.kind == K::fixed) {
    sweep_error(spec, "\"" + sweep.field + "\" is not a field of " + p.name + "'s " +
                          std::string(distribution_name(d.kind)) + " distribution (value fixes it at a number)");
  }
  const std::string was = format_number(*field);
  *field = v;
  const bool ordered = d.kind == K::triangular ? d.a <= d.c && d.c <= d.b : d.kind == K::uniform ? d.a <= d.b : true;
  if (!ordered || d.low > d.high || ((sweep.field == "sd") && v <= 0)) {
    sweep_error(spec, "the value " + format_number(v) + " leaves " + p.name + "'s distribution invalid");
  }
  return was;
}

//! A swept field is the sweep's, not drawn: its estimates (of the measure, and for an
//! amount or take-up those of its phases too) leave the drawn list.
void undraw(Scenario& s, const SweepSpec& sweep) {
  const std::string field = sweep.field == "amount_per_year" ? "amount" : sweep.field;
  std::erase_if(s.drawn_estimates, [&](std::size_t i) {
    const Estimate& e = s.estimates[i];
    return e.measure == sweep.target && e.key.size() >= field.size() + 1 &&
           e.key.compare(e.key.size() - field.size() - 1, std::string::npos, "." + field) == 0;
  });
}

//! The scenario with the sweep's value `i` applied, its id and variant set.
Scenario variant_of(const Scenario& base, const SweepSpec& sweep, std::size_t i, const std::string& spec,
                    std::string& variant) {
  Scenario s = base;
  const double v = sweep.values[i];
  std::string was;
  const auto measure = std::find_if(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == sweep.target; });
  const auto parameter = std::find_if(s.uncertainty.begin(), s.uncertainty.end(),
                                      [&](const UncertainParameter& p) { return p.name == sweep.target; });
  if (measure != s.measures.end()) {
    was = set_measure_field(*measure, sweep, v, spec);
    undraw(s, sweep);
  } else if (parameter != s.uncertainty.end()) {
    was = set_parameter_field(*parameter, sweep, v, spec);
  } else {
    sweep_error(spec, "scenario \"" + base.id + "\" has no measure or uncertain parameter \"" + sweep.target + "\"");
  }
  const std::string change = sweep.target + "." + sweep.field + "=" + sweep.texts[i];
  s.id = base.id + "+" + change;
  variant += (variant.empty() ? "" : "; ") + change + " (was " + was + ")";
  return s;
}

}  // namespace

void apply_sweep(ScenarioSet& set, const std::string& spec) {
  const SweepSpec sweep = parse_sweep(spec);
  ScenarioSet swept{set.id + "_sweep", set.title, {}, {}};
  for (std::size_t k = 0; k < set.scenarios.size(); ++k) {
    for (std::size_t i = 0; i < sweep.values.size(); ++i) {
      std::string variant = set.variants[k];
      swept.scenarios.push_back(variant_of(set.scenarios[k], sweep, i, spec, variant));
      swept.variants.push_back(variant);
    }
  }
  set = std::move(swept);
  check_common_frame(set);
}

}  // namespace cradle
