#include "sim/input/scenario.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "sim/input/fertility_table.h"
#include "sim/input/measure_reader.h"
#include "sim/input/profile_reader.h"
#include "sim/input/shipped.h"
#include "sim/input/toml_reader.h"

namespace cradle {

const Jurisdiction* Scenario::at_level(Payer level) const {
  for (const Jurisdiction& j : chain) {
    if (j.level == level) return &j;
  }
  return nullptr;
}

namespace {

//! A file and the place in it where a key was set, for messages about its value.
using SetAt = std::pair<std::string, toml::source_region>;

//! A ScenarioError at the place a key was set.
[[noreturn]] void fail_where(const SetAt& at, const std::string& field, const std::string& what) {
  throw ScenarioError(at.first, static_cast<int>(at.second.begin.line), static_cast<int>(at.second.begin.column), field,
                      what);
}

struct Loader {
  std::filesystem::path dir;  // the folder of the scenario file that names the jurisdiction
  Scenario* scenario;
  const std::set<std::string>* renew;  // packages whose documents' expiry is lifted
  EstimateBook* book;                  // the estimates met, and the values that replace them

  //! Where jurisdiction `id`'s file is looked for: beside the file that names the place, then
  //! among the shipped scenarios.
  std::vector<std::filesystem::path> jurisdiction_places(const std::string& id) const {
    return named_file_places(dir, std::filesystem::path("jurisdictions") / (id + ".toml"));
  }

  //! The chain from `place` up to the central level. A jurisdiction that cannot be found, or
  //! that closes a loop, is reported where it is named: the scenario's `jurisdiction`
  //! (`named_at`) for the place, the `parent` key of the jurisdiction file below for the others.
  void load_chain(const std::string& place, const SetAt& named_at) {
    std::vector<Jurisdiction> chain;
    std::set<std::string> seen;
    std::string id = place;
    SetAt id_at = named_at;
    std::string id_field = "scenario.jurisdiction";
    bool simulated = true;
    while (!id.empty()) {
      const auto places = jurisdiction_places(id);
      const std::optional<std::filesystem::path> found = first_file(places);
      if (!found) {
        std::string what("no jurisdiction file \"");
        (what += id) += "\": ";
        fail_where(id_at, id_field, what += not_found_text(places));
      }
      const std::filesystem::path& file = *found;
      if (!seen.insert(id).second) {
        fail_where(id_at, id_field, "the chain of parents of \"" + place + "\" loops at \"" + id + "\"");
      }
      ParsedFile f = parse_file(file);
      scenario->resolved_text += "# ---- " + shown_path(file) + " ----\n" + f.text + "\n";
      TableReader root(f.table, shown_path(file), "");
      root.track_estimates(book, file.stem().string(), "");
      Jurisdiction j = read_jurisdiction(root, file);
      if (j.id != id) root.fail("jurisdiction", "file " + id + ".toml holds id \"" + j.id + "\"");
      if (simulated) {
        if (!root.has("population")) {
          root.fail_at(f.table.source(), "population",
                       "\"" + id + "\" has no demographic profile; it cannot be simulated");
        }
        scenario->profile = read_place_profile(root, scenario->start_year);
        simulated = false;
      } else {
        for (const char* section : {"population", "fertility", "childcare", "kindergarten", "events", "income",
                                    "mortality", "marriage", "households", "migration", "observed"})
          root.optional(section);
      }
      root.finish();
      if (!chain.empty() && static_cast<int>(j.level) >= static_cast<int>(chain.back().level)) {
        root.fail("jurisdiction", "the parent \"" + j.id + "\" is not above \"" + chain.back().id + "\"");
      }
      id = j.parent;
      if (const toml::node* p = f.table["jurisdiction"]["parent"].node()) {
        id_at = {shown_path(file), p->source()};
        id_field = "jurisdiction.parent";
      }
      chain.push_back(std::move(j));
    }
    std::reverse(chain.begin(), chain.end());
    if (chain.front().level != Payer::central)
      fail_where(named_at, "scenario.jurisdiction", "the chain of \"" + place + "\" does not reach the central level");
    scenario->chain = std::move(chain);
  }

  void load_package(const std::filesystem::path& path, std::set<std::string>& ids) {
    ParsedFile f = parse_file(path);
    const std::string shown = shown_path(path);
    scenario->resolved_text += "# ---- " + shown + " ----\n" + f.text + "\n";
    TableReader root(f.table, shown, "");
    root.track_estimates(book, path.stem().string(), "");
    std::optional<MonthIndex> issued;  // the package's issue date: when its measures were announced
    bool renewed = false;
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
      const MonthIndex month = pk.date_month("issued", &has);
      if (has) issued = month;
      pk.finish();
      renewed = renew->count(id) > 0;
      scenario->packages.push_back(id);
    }
    const toml::node& mn = root.require("measure");
    if (!mn.is_array_of_tables()) root.fail("measure", "expected [[measure]] tables");
    std::optional<Region> region;
    if (const Jurisdiction* p = scenario->at_level(Payer::province)) region = p->region;
    const PayerContext ctx{&scenario->chain, region};
    std::size_t i = 0;
    for (const auto& item : *mn.as_array()) {
      TableReader m(*item.as_table(), shown, "measure[" + std::to_string(i) + "]");
      // Estimates are keyed by the measure's id, which says what they are (read_measure checks it).
      const std::optional<std::string> id = (*item.as_table())["id"].value<std::string>();
      std::string estimate_path("measure.");
      estimate_path += id.value_or(std::to_string(i));
      m.track_estimates(book, path.stem().string(), estimate_path);
      ++i;
      Measure measure = read_measure(m, ctx, issued);
      // The place renews its plan: the end date its document set no longer applies.
      if (renewed) {
        measure.eligibility.valid_until = Eligibility{}.valid_until;
        measure.eligibility.valid_until_day = Eligibility{}.valid_until_day;
      }
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
  std::set<std::string> renew;  //!< package ids whose measures' end dates are lifted
  std::optional<int> start_year, end_year, replications;
  std::optional<std::uint32_t> seed;
  std::optional<std::int64_t> sample;
  std::optional<int> replications_per_population;
  std::optional<std::filesystem::path> persons, fertility_table;
  std::optional<std::int64_t> persons_weight;
  std::filesystem::path jurisdiction_dir;
  //! Where `jurisdiction` and `end_year` were set (the file that set them last), for messages.
  SetAt jurisdiction_at, end_year_at;
  std::string text;
  std::vector<UncertainParameter> uncertainty;  //!< later files replace earlier ones by name
  //! [uncertainty] estimates: "all" or the keys listed (the last file that says so)
  bool all_estimates = false;
  std::vector<std::pair<std::string, toml::source_region>> estimate_keys;
  std::string estimates_file;  //!< the file that lists them, for messages
  //! Where `sample`, `persons_weight` and `replications_per_population` were set (file,
  //! place), for messages about them.
  SetAt sample_at, persons_weight_at, per_population_at;
};

//! [uncertainty] estimates = "all" or ["key", …]: which estimates are drawn.
void read_estimate_choice(TableReader& u, ScenarioSpec& spec) {
  const toml::node& n = u.require("estimates");
  spec.all_estimates = false;
  spec.estimate_keys.clear();
  spec.estimates_file = u.file();
  if (n.is_string()) {
    if (u.as_string(n, "estimates") != "all")
      u.fail_at(n.source(), "estimates", "expected \"all\" or a list of estimate keys");
    spec.all_estimates = true;
    return;
  }
  if (!n.is_array()) u.fail_at(n.source(), "estimates", "expected \"all\" or a list of estimate keys");
  for (const toml::node& item : *n.as_array()) spec.estimate_keys.emplace_back(u.as_string(item, "estimates"), item.source());
}

//! Reads a distribution: { distribution = "…", and the parameters of its kind }.
Distribution read_distribution(TableReader& t) {
  Distribution d;
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
  return d;
}

//! Reads one [uncertainty] entry: { distribution = "…", parameters…, tag, source }, for
//! a parameter of the table (models/uncertainty.h).
UncertainParameter read_uncertain(TableReader& u, const std::string& name) {
  const std::optional<ParameterId> id = parse_parameter(name);
  if (!id) {
    std::string list;
    for (const ParameterInfo& p : uncertain_parameters()) list += (list.empty() ? "" : ", ") + std::string(p.name);
    u.fail(name, "unknown parameter (known: " + list + ")");
  }
  TableReader t = u.child(u.subtable(name), name);
  UncertainParameter out;
  out.id = *id;
  out.name = name;
  out.distribution = read_distribution(t);
  const std::string tag = t.string("tag");
  if (tag != "S" && tag != "D" && tag != "E") t.fail("tag", "must be \"S\", \"D\" or \"E\"");
  out.source = t.string("source");
  t.finish();
  return out;
}

//! A file's [uncertainty]: its entries replace earlier files' by name.
void read_uncertainty(TableReader& root, ScenarioSpec& spec) {
  const toml::table* ut = root.optional_subtable("uncertainty");
  if (!ut) return;
  TableReader u = root.child(*ut, "uncertainty");
  for (const auto& [k, node] : *ut) {
    if (k.str() == "estimates") {
      read_estimate_choice(u, spec);
      continue;
    }
    UncertainParameter p = read_uncertain(u, std::string(k.str()));
    std::erase_if(spec.uncertainty, [&](const UncertainParameter& q) { return q.name == p.name; });
    spec.uncertainty.push_back(std::move(p));
  }
  u.finish();
}

//! Every parameter of the table, in its order: as the scenario draws it, or fixed at
//! its neutral value.
std::vector<UncertainParameter> all_parameters(const std::vector<UncertainParameter>& drawn) {
  std::vector<UncertainParameter> out;
  for (const ParameterInfo& info : uncertain_parameters()) {
    const auto it =
        std::find_if(drawn.begin(), drawn.end(), [&](const UncertainParameter& p) { return p.id == info.id; });
    if (it != drawn.end()) {
      out.push_back(*it);
    } else {
      out.push_back(UncertainParameter{info.id, std::string(info.name), info.neutral, "not drawn: neutral value"});
    }
  }
  return out;
}

//! Errors about the scenario's own keys point at the outermost file; this reads it
//! again to find where.
struct OutermostFile {
  ParsedFile f;
  TableReader root;
  TableReader sc;
  explicit OutermostFile(const std::filesystem::path& file)
      : f(parse_file(file)),
        root(f.table, shown_path(file), ""),
        sc(root.child(*f.table["scenario"].as_table(), "scenario")) {}
};

//! Fails unless the composed scenario names everything a run needs.
void check_complete(TableReader& sc, const ScenarioSpec& spec) {
  if (!spec.jurisdiction) sc.fail("jurisdiction", "missing (required, here or in a base)");
  if (!spec.start_year) sc.fail("start_year", "missing (required, here or in a base)");
  if (!spec.end_year) sc.fail("end_year", "missing (required, here or in a base)");
  if (!spec.replications) sc.fail("replications", "missing (required, here or in a base)");
  if (!spec.seed) sc.fail("seed", "missing (required, here or in a base)");
  if (*spec.end_year < *spec.start_year) fail_where(spec.end_year_at, "scenario.end_year", "before start_year");
  // Girls born in the burn-in are women too, so every potential mother is present until
  // those born in the first simulated year turn 15.
  if (*spec.end_year - *spec.start_year + 1 > MAX_HORIZON_YEARS) {
    fail_where(spec.end_year_at, "scenario.end_year",
               "horizons longer than " + std::to_string(MAX_HORIZON_YEARS) + " years are not supported yet");
  }
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
  // Paths relative to the file that names them, else among the shipped scenarios (shipped.h).
  const auto named_file = [&](const toml::node& n, const char* key) {
    const auto places = named_file_places(dir, sc.as_string(n, key));
    const std::optional<std::filesystem::path> found = first_file(places);
    if (!found) sc.fail_at(n.source(), key, not_found_text(places));
    return *found;
  };
  if (const toml::node* bn = sc.optional("base")) {
    const std::filesystem::path base = named_file(*bn, "base");
    if (depth >= 8 || visiting.count(std::filesystem::weakly_canonical(base).string()) != 0) {
      sc.fail_at(bn->source(), "base",
                 "bases form a loop: " + shown_path(base) + " is already among the files this scenario starts from");
    }
    read_spec(base, spec, visiting, depth + 1);
  }
  spec.text += "# ---- " + shown + " ----\n" + f.text + "\n";
  spec.id = sc.string("id");
  check_id(sc, "id", *spec.id);
  spec.title = sc.string("title");
  if (const toml::node* n = sc.optional("jurisdiction")) {
    spec.jurisdiction = sc.as_string(*n, "jurisdiction");
    spec.jurisdiction_dir = dir;
    spec.jurisdiction_at = {shown, n->source()};
  }
  if (sc.has("start_year")) spec.start_year = static_cast<int>(sc.integer("start_year", 2000, 2100));
  if (sc.has("end_year")) {
    spec.end_year = static_cast<int>(sc.integer("end_year", 2000, 2100));
    spec.end_year_at = {shown, sc.require("end_year").source()};
  }
  if (sc.has("replications")) spec.replications = static_cast<int>(sc.integer("replications", 1, 1'000'000));
  if (sc.has("seed")) spec.seed = static_cast<std::uint32_t>(sc.integer("seed", 0, 0xFFFFFFFFll));
  if (sc.has("sample")) {
    spec.sample = sc.integer("sample", 1, 1'000'000);
    spec.sample_at = {shown, sc.require("sample").source()};
  }
  if (sc.has("replications_per_population")) {
    spec.replications_per_population = static_cast<int>(sc.integer("replications_per_population", 1, 1'000'000));
    spec.per_population_at = {shown, sc.require("replications_per_population").source()};
  }
  if (const toml::node* n = sc.optional("persons")) spec.persons = named_file(*n, "persons");
  if (sc.has("persons_weight")) {
    spec.persons_weight = sc.integer("persons_weight", 1, 1'000'000);
    spec.persons_weight_at = {shown, sc.require("persons_weight").source()};
  }
  if (const toml::node* n = sc.optional("fertility_table")) spec.fertility_table = named_file(*n, "fertility_table");
  if (const toml::node* pn = sc.optional("packages")) {
    if (!pn->is_array()) sc.fail("packages", "expected a list of package files");
    for (const auto& item : *pn->as_array()) spec.packages.push_back(named_file(item, "packages"));
  }
  read_uncertainty(root, spec);
  if (const toml::node* rn = sc.optional("renew")) {
    if (!rn->is_array()) sc.fail("renew", "expected a list of package ids");
    for (const auto& item : *rn->as_array()) spec.renew.insert(sc.as_string(item, "renew"));
  }
  if (const toml::node* en = sc.optional("exclude_measures")) {
    if (!en->is_array()) sc.fail("exclude_measures", "expected a list of measure ids");
    for (const auto& item : *en->as_array()) spec.exclude.push_back(sc.as_string(item, "exclude_measures"));
  }
  sc.finish();
  root.finish();
  // The outermost file must end with everything set.
  if (depth == 0) check_complete(sc, spec);
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

namespace {

//! The estimates the scenario draws (indices into s.estimates, in their order), as its
//! [uncertainty] estimates says; an unknown key fails where it is written.
std::vector<std::size_t> chosen_estimates(const Scenario& s, const ScenarioSpec& spec) {
  std::vector<std::size_t> drawn;
  if (spec.all_estimates) {
    for (std::size_t i = 0; i < s.estimates.size(); ++i) drawn.push_back(i);
    return drawn;
  }
  for (const auto& entry : spec.estimate_keys) {
    const std::string& key = entry.first;  // not a structured binding: clang 14 cannot capture one
    const auto& where = entry.second;
    const auto it =
        std::find_if(s.estimates.begin(), s.estimates.end(), [&](const Estimate& e) { return e.key == key; });
    if (it == s.estimates.end()) {
      std::string what("no estimate \"");
      what += key;
      what += "\" in this scenario: an estimate is a figure tagged \"E\" with a range, keyed FILE_STEM:FIELD";
      if (!s.estimates.empty()) (what += " such as \"") += s.estimates.front().key + "\"";
      what += " (cradle validate counts them; scenarios/README.md)";
      throw ScenarioError(spec.estimates_file, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column),
                          "uncertainty.estimates", what);
    }
    drawn.push_back(static_cast<std::size_t>(it - s.estimates.begin()));
  }
  std::sort(drawn.begin(), drawn.end());
  drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end());
  return drawn;
}

Scenario load_scenario_with(const std::filesystem::path& file, const EstimateOverrides* overrides) {
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
    fail_where(spec.persons_weight_at, "scenario.persons_weight", "a weight is for a persons file (persons)");
  }
  if (spec.persons && spec.sample) {
    fail_where(spec.sample_at, "scenario.sample", "a persons file is used whole; give its weight as persons_weight instead");
  }
  if (spec.fertility_table) {
    s.fertility_table_file = *spec.fertility_table;
    s.fertility_table = load_fertility_table(*spec.fertility_table);
  }
  s.resolved_text = spec.text;
  s.uncertainty = all_parameters(spec.uncertainty);
  EstimateBook book;
  book.overrides = overrides;
  Loader loader{spec.jurisdiction_dir, &s, &spec.renew, &book};
  loader.load_chain(*spec.jurisdiction, spec.jurisdiction_at);
  std::set<std::string> ids;
  for (const auto& pf : spec.packages) loader.load_package(pf, ids);
  for (const std::string& r : spec.renew) {
    if (std::find(s.packages.begin(), s.packages.end(), r) == s.packages.end())
      OutermostFile(file).sc.fail("renew", "no package \"" + r + "\" among the scenario's packages");
  }
  for (const std::string& x : spec.exclude) {
    const auto it = std::find_if(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == x; });
    if (it == s.measures.end())
      OutermostFile(file).sc.fail("exclude_measures", "no measure \"" + x + "\" in the packages");
    s.measures.erase(it);
  }
  s.estimates = std::move(book.estimates);
  s.drawn_estimates = chosen_estimates(s, spec);
  s.replications_per_population = spec.replications_per_population.value_or(1);
  if (const std::string problem = population_sharing_problem(s); !problem.empty()) {
    fail_where(spec.per_population_at, "scenario.replications_per_population", problem);
  }
  return s;
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file) { return load_scenario_with(file, nullptr); }

Scenario load_scenario(const std::filesystem::path& file, const EstimateOverrides& overrides) {
  return load_scenario_with(file, &overrides);
}

std::string population_sharing_problem(const Scenario& scenario) {
  if (scenario.replications_per_population <= 1) return "";
  const std::string k = std::to_string(scenario.replications_per_population);
  if (!scenario.persons_file.empty()) {
    return k +
           " replications cannot share a population here: its persons file is one population for every "
           "replication already";
  }
  if (!scenario.drawn_estimates.empty()) {
    return k +
           " replications cannot share a population when estimates are drawn: each replication's drawn profile "
           "builds its own population (use 1)";
  }
  return "";
}

void check_population_sharing(const Scenario& scenario, const std::string& field) {
  if (const std::string problem = population_sharing_problem(scenario); !problem.empty()) {
    throw ScenarioError(shown_path(scenario.file), 0, 0, field, problem);
  }
}

void draw_all_estimates(Scenario& scenario) {
  scenario.drawn_estimates.clear();
  for (std::size_t i = 0; i < scenario.estimates.size(); ++i) scenario.drawn_estimates.push_back(i);
}

}  // namespace cradle
