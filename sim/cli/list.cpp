// `cradle validate` and `cradle list`: what a scenario composes, what is shipped, and
// the tables from the documents' articles to the measures (`list --sources`).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "models/measures/kinds.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"
#include "sim/input/scenario.h"
#include "sim/input/scenario_set.h"
#include "sim/input/shipped.h"
#include "sim/input/sources_reader.h"
#include "sim/population/population.h"

namespace cradle {

namespace {

std::string yuan(Fen fen) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(fen / 100), static_cast<long long>(fen % 100));
  return buf;
}

//! "300.00 yuan per child-month", "5 % of the fee per enrolled child-month", …
std::string describe_amount(const Measure& m) {
  const Phase& p = m.phases.front();
  std::string unit(caseload_unit(m.basis));
  if (!unit.empty() && unit.back() == 's') unit.pop_back();
  std::string amount;
  if (p.public_fee) {
    amount = "the public fee";
  } else if (p.percent_of_fee_bp >= 0) {
    amount = std::to_string(p.percent_of_fee_bp / 100);
    if (p.percent_of_fee_bp % 100 != 0) {
      amount += '.';
      amount += std::to_string(p.percent_of_fee_bp % 100);
    }
    amount += " % of the fee";
  } else {
    amount = yuan(p.fen_per_unit) + " yuan";
    if (p.per_months == 12) amount += " / 12";
  }
  std::string text = amount + " per " + unit;
  if (m.eligibility.once_per_household) text += ", once per household (its youngest child)";
  if (m.phases.size() > 1) text += " (" + std::to_string(m.phases.size()) + " phases)";
  return text;
}

std::string describe_payers(const Scenario& s, const Measure& m) {
  if (m.ledger() != Ledger::budget) return std::string("ledger: ") + std::string(kind_name(m.kind));
  std::string text = "paid by ";
  bool first = true;
  for (const Jurisdiction& j : s.chain) {
    const auto ppm = m.payers.ppm[static_cast<std::size_t>(j.level)];
    if (ppm == 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%s %.1f %%", first ? "" : ", ", j.id.c_str(),
                  100.0 * static_cast<double>(ppm) / PPM);
    text += buf;
    first = false;
  }
  return text;
}

}  // namespace

int command_validate(const std::string& path) {
  if (is_set_file(path)) {
    // A set: each of its scenarios, and whether they can share streams.
    const ScenarioSet set = load_scenario_set({path});
    std::cout << path << ": ok: set '" << set.id << "' of " << set.scenarios.size()
              << " scenarios on the same streams, each compared with the first\n";
    for (const Scenario& s : set.scenarios) std::cout << "  " << s.id << ": " << s.file.string() << "\n";
    return EXIT_OK;
  }
  const Scenario s = load_scenario(path);
  std::string chain;
  for (const Jurisdiction& j : s.chain) {
    if (!chain.empty()) chain += " > ";
    chain += j.id;
  }
  std::cout << path << ": ok: scenario '" << s.id << "', " << s.place().name << " (" << chain << "), " << s.start_year
            << "-" << s.end_year << ", " << s.measures.size() << " measure(s), " << s.replications
            << " replications, seed " << s.seed << "\n";
  if (!s.persons_file.empty()) {
    // Every row is checked now, not at the start of a long run.
    const BasePopulation p = scenario_population(s, 1);
    std::cout << "  persons: " << s.persons_file.string() << ": " << p.households() << " households, " << p.persons
              << " persons, " << p.women() << " women and girls, " << p.children() << " children under 7, weight "
              << p.weight << "\n";
  }
  std::cout << "  estimates: " << s.estimates.size() << " figure(s) tagged E with a range, " << s.drawn_estimates.size()
            << " drawn per replication ([uncertainty] estimates, or --uncertain estimates)\n";
  if (s.fertility_table) std::cout << "  fertility table: " << s.fertility_table_file.string() << " (used as it is)\n";
  for (const Measure& m : s.measures) {
    std::cout << "  " << m.id << " (" << kind_name(m.kind) << "): " << describe_amount(m) << ", take-up " << m.take_up
              << "; " << describe_payers(s, m) << "\n      source: " << m.source << "\n";
  }
  return EXIT_OK;
}


namespace {

void list_jurisdictions(const std::filesystem::path& dir) {
  std::cout << "Jurisdictions (level, parent):\n";
  for (const auto& f : toml_files(dir / "jurisdictions")) {
    try {
      const Jurisdiction j = load_jurisdiction(f);
      std::printf("  %-10s %-8s %-10s %s\n", j.id.c_str(),
                  std::string(PAYER_NAMES[static_cast<std::size_t>(j.level)]).c_str(),
                  j.parent.empty() ? "-" : j.parent.c_str(), j.name.c_str());
    } catch (const ScenarioError& e) {
      std::cout << "  (unreadable) " << e.what() << "\n";
    }
  }
}

void list_packages(const std::filesystem::path& dir) {
  std::cout << "\nPackages (issued by; measures):\n";
  for (const auto& f : toml_files(dir / "packages")) {
    try {
      const PackageInfo p = describe_package(f);
      std::cout << "  " << f.filename().string() << ": " << p.id << ", issued by " << p.issued_by << "; "
                << p.measures.size() << " measure(s)\n      " << p.title << "\n";
    } catch (const ScenarioError& e) {
      std::cout << "  (unreadable) " << e.what() << "\n";
    }
  }
}

void list_kinds() {
  std::cout << "\nMeasure kinds (what each counts; ledger):\n";
  for (const MeasureKindInfo& k : measure_kinds()) {
    std::string bases;
    for (std::size_t b = 0; b < k.basis_count; ++b) {
      if (!bases.empty()) bases += ", ";
      bases += basis_name(k.bases[b]);
    }
    std::printf("  %-18s %-45s %s\n      %s\n", std::string(k.name).c_str(), bases.c_str(),
                k.ledger == Ledger::budget ? "general budget" : "separate ledger", std::string(k.summary).c_str());
  }
}

void list_scenarios(const std::filesystem::path& dir) {
  std::cout << "\nScenarios (run with: cradle run scenarios/FILE):\n";
  for (const auto& f : toml_files(dir)) {
    try {
      const Scenario s = load_scenario(f);
      std::cout << "  " << f.filename().string() << ": " << s.id << " — " << s.title << " (" << s.measures.size()
                << " measures, " << s.start_year << "-" << s.end_year << ")\n";
    } catch (const ScenarioError& e) {
      std::cout << "  " << f.filename().string() << ": invalid: " << e.what() << "\n";
    }
  }
}

void list_sets(const std::filesystem::path& dir) {
  std::cout << "\nScenario sets (run together on the same random streams, each compared with the first; run with: "
               "cradle run scenarios/sets/FILE):\n";
  for (const auto& f : toml_files(dir / "sets")) {
    try {
      const ScenarioSet set = load_scenario_set({f});
      std::string ids;
      for (const Scenario& s : set.scenarios) ids += (ids.empty() ? "" : ", ") + s.id;
      std::cout << "  sets/" << f.filename().string() << ": " << set.id << " — " << set.title << "\n      " << ids << "\n";
    } catch (const ScenarioError& e) {
      std::cout << "  sets/" << f.filename().string() << ": invalid: " << e.what() << "\n";
    }
  }
}

}  // namespace

int command_list() {
  const std::filesystem::path dir = shipped_scenarios_dir();
  std::cout << "Shipped in " << dir.string() << "\n\n";
  list_jurisdictions(dir);
  list_packages(dir);
  list_kinds();
  list_scenarios(dir);
  list_sets(dir);
  return EXIT_OK;
}

}  // namespace cradle

namespace cradle {

namespace {

//! Columns a UTF-8 text takes in a terminal: East Asian wide characters take two.
std::size_t display_width(const std::string& s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07u, len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0Fu, len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1Fu, len = 2;
    }
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

//! `s` padded with spaces to `width` columns.
std::string pad(const std::string& s, std::size_t width) {
  const std::size_t w = display_width(s);
  return w >= width ? s + " " : s + std::string(width - w, ' ');
}

//! What the row says besides its summary: the measures, what it drives, or the reason.
std::string row_detail(const SourceArticle& a) {
  std::string ids;
  for (const std::string& id : a.measures) ids += (ids.empty() ? "" : ", ") + id;
  switch (a.status) {
    case ArticleStatus::costed: return ids;
    case ArticleStatus::target: return "drives " + a.drives + (ids.empty() ? "" : "; feeds " + ids);
    case ArticleStatus::not_costed: return std::string(reason_kind_name(a.reason_kind)) + ": " + a.reason;
  }
  return "";
}

void print_sources(const SourcesTable& t) {
  const SourceDocument& d = t.document;
  std::cout << (d.number.empty() ? "(no number)" : d.number) << "  " << d.title << "\n";
  std::cout << "  issuer: " << d.issuer << "; issued: " << (d.date.empty() ? "not stated" : d.date)
            << "; in force until: " << (d.valid_until.empty() ? "no term set" : d.valid_until) << "\n";
  if (!d.number_note.empty()) std::cout << "  number: " << d.number_note << "\n";
  if (!d.term_note.empty()) std::cout << "  term: " << d.term_note << "\n";
  std::cout << "  package: " << d.package << "; cited as: " << d.cite << "; file: " << d.file << "\n";
  std::size_t counts[3] = {0, 0, 0};
  std::size_t width = 7;
  for (const SourceArticle& a : t.articles) {
    ++counts[static_cast<std::size_t>(a.status)];
    width = std::max(width, display_width(a.article) + 2);
  }
  std::string by_reason;
  for (ReasonKind k : {ReasonKind::no_fiscal_cost, ReasonKind::no_amount_no_basis, ReasonKind::outside_model,
                       ReasonKind::encoded_elsewhere, ReasonKind::awaiting_capability}) {
    const auto n = std::count_if(t.articles.begin(), t.articles.end(),
                                 [&](const SourceArticle& a) { return a.reason_kind == k; });
    if (n > 0) by_reason += (by_reason.empty() ? " (" : ", ") + std::to_string(n) + " " + std::string(reason_kind_name(k));
  }
  if (!by_reason.empty()) by_reason += ")";
  std::cout << "  " << t.articles.size() << " article rows: " << counts[0] << " costed, " << counts[1]
            << " target, " << counts[2] << " not costed" << by_reason << "\n\n";
  std::cout << "  " << pad("art.", width) << pad("status", 12) << "summary\n";
  for (const SourceArticle& a : t.articles) {
    std::cout << "  " << pad(a.article, width) << pad(std::string(status_name(a.status)), 12) << a.summary << "\n";
    std::cout << "  " << std::string(width + 12, ' ') << "-> " << row_detail(a) << "\n";
  }
}

}  // namespace

int command_list_sources(const std::string& place) {
  const std::filesystem::path dir = shipped_scenarios_dir();
  bool found = false;
  for (const auto& f : toml_files(dir / "sources")) {
    const SourcesTable t = read_sources(f);
    std::string issuer;
    const std::filesystem::path package = dir / "packages" / (t.document.package + ".toml");
    if (std::filesystem::exists(package)) issuer = describe_package(package).issued_by;
    if (t.document.package != place && issuer != place) continue;
    if (found) std::cout << "\n";
    print_sources(t);
    found = true;
  }
  if (!found) {
    std::cerr << "cradle: error: no document table for \"" << place << "\" in " << (dir / "sources").string()
              << " (give a jurisdiction id such as xihu, or a package id such as 002_xihu)\n";
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}

}  // namespace cradle
