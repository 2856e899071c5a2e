// `cradle validate` and `cradle list`: what a scenario composes, and what is shipped.
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
  if (s.fertility_table) std::cout << "  fertility table: " << s.fertility_table_file.string() << " (used as it is)\n";
  for (const Measure& m : s.measures) {
    std::cout << "  " << m.id << " (" << kind_name(m.kind) << "): " << describe_amount(m) << ", take-up " << m.take_up
              << "; " << describe_payers(s, m) << "\n      source: " << m.source << "\n";
  }
  return EXIT_OK;
}

namespace {

std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

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

}  // namespace

int command_list() {
  const std::filesystem::path dir = shipped_scenarios_dir();
  std::cout << "Shipped in " << dir.string() << "\n\n";
  list_jurisdictions(dir);
  list_packages(dir);
  list_kinds();
  list_scenarios(dir);
  return EXIT_OK;
}

}  // namespace cradle
