// The shipped policy data against its sources: every amount the five documents state
// (shared/measures.md, "quantity in text") and the national rules of
// shared/calibration.md, checked measure by measure in the scenario that applies it,
// with its kind, basis, amount, key eligibility, payers and the article it cites.
// A wrong number in scenarios/ makes one of these fail.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "sim/engine/engine.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"

using namespace cradle;

namespace {

// Documents as measures cite them (scenarios/sources: `cite`): by number; Ganzhou's text
// gives none, so by issuer and title.
constexpr const char* DOC_GANZHOU = "赣州市《关于推动建设生育友好城市的若干措施》";
constexpr const char* DOC_JIANGXI = "赣府厅发〔2025〕11号";
constexpr const char* DOC_XIHU = "西发〔2023〕8号";
constexpr const char* DOC_ZHANGPING = "漳政办规〔2023〕2号";
constexpr const char* DOC_BAOJI = "宝卫人口发〔2024〕162号";

//! Yuan to fen.
constexpr Fen fen(std::int64_t yuan) { return yuan * 100; }

//! The daily wages the leave measures assume (scenarios/packages, tag E): leave amounts
//! are statutory days × this wage, so a wrong number of days fails below.
constexpr std::int64_t JIANGXI_WAGE = 300;  // 001: Jiangxi average
constexpr std::int64_t XIHU_WAGE = 350;     // 002: urban Nanchang
constexpr std::int64_t FUJIAN_WAGE = 300;   // 003
constexpr std::int64_t SHAANXI_WAGE = 300;  // 004

//! Shipped scenarios, each loaded once.
const Scenario& shipped(const std::string& name) {
  static std::map<std::string, Scenario> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, load_scenario(shipped_scenarios_dir() / (name + ".toml"))).first;
  return it->second;
}

bool has_measure(const Scenario& s, const std::string& id) {
  return std::any_of(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == id; });
}

const Measure& measure(const Scenario& s, const std::string& id) {
  INFO("measure " << id << " in scenario " << s.id);
  const auto it = std::find_if(s.measures.begin(), s.measures.end(), [&](const Measure& m) { return m.id == id; });
  REQUIRE(it != s.measures.end());
  return *it;
}

std::uint8_t orders(std::initializer_list<int> list) {
  std::uint8_t mask = 0;
  for (int k : list) mask = static_cast<std::uint8_t>(mask | (1u << (k - 1)));
  return mask;
}

std::uint8_t providers(std::initializer_list<Provider> list) {
  std::uint8_t mask = 0;
  for (Provider p : list) mask = static_cast<std::uint8_t>(mask | (1u << static_cast<unsigned>(p)));
  return mask;
}

std::int64_t ppm(const Measure& m, Payer level) { return m.payers.ppm[static_cast<std::size_t>(level)]; }

//! The measure's kind and basis, and that its source names the document and article.
void require_identity(const Measure& m, MeasureKind kind, Basis basis, const std::string& document,
                      const std::string& article) {
  INFO("measure " << m.id << ", source \"" << m.source << "\"");
  REQUIRE(m.kind == kind);
  REQUIRE(m.basis == basis);
  REQUIRE(m.source.find(document) != std::string::npos);
  REQUIRE(m.source.find(document + " " + article) != std::string::npos);
}

//! A fixed amount a month (fen per month, exact).
void require_monthly(const Measure& m, Fen fen_per_month) {
  INFO("measure " << m.id);
  REQUIRE(m.phases.size() == 1);
  const Phase& p = m.phases.front();
  REQUIRE(p.percent_of_fee_bp == -1);
  REQUIRE_FALSE(p.public_fee);
  REQUIRE(p.per_months == 1);
  REQUIRE(p.fen_per_unit == fen_per_month);
}

//! A yearly amount: n months cost n × amount / 12 (exact when it divides by 12).
void require_yearly(const Measure& m, Fen fen_per_year) {
  INFO("measure " << m.id);
  REQUIRE(m.phases.size() == 1);
  const Phase& p = m.phases.front();
  REQUIRE(p.percent_of_fee_bp == -1);
  if (fen_per_year % 12 == 0) {
    REQUIRE(p.per_months == 1);
    REQUIRE(p.fen_per_unit == fen_per_year / 12);
  } else {
    REQUIRE(p.per_months == 12);
    REQUIRE(p.fen_per_unit == fen_per_year);
  }
}

//! A one-off amount per unit (birth, purchase, place).
void require_per_unit(const Measure& m, Fen fen_per_unit) {
  INFO("measure " << m.id);
  REQUIRE(m.phases.size() == 1);
  REQUIRE(m.phases.front().per_months == 1);
  REQUIRE(m.phases.front().percent_of_fee_bp == -1);
  REQUIRE(m.phases.front().fen_per_unit == fen_per_unit);
}

void require_percent(const Measure& m, int percent) {
  INFO("measure " << m.id);
  REQUIRE(m.phases.size() == 1);
  REQUIRE_FALSE(m.phases.front().public_fee);
  REQUIRE(m.phases.front().percent_of_fee_bp == percent * 100);
}

void require_no_payers(const Measure& m) {
  INFO("measure " << m.id << " is not a general-budget measure");
  REQUIRE(m.ledger() != Ledger::budget);
  for (std::int64_t share : m.payers.ppm) REQUIRE(share == 0);
}

//! Default eligibility fields a measure must not restrict.
void require_any_household(const Measure& m) {
  INFO("measure " << m.id);
  REQUIRE_FALSE(m.eligibility.local_residents_only);
  REQUIRE_FALSE(m.eligibility.special_families_only);
}

//! Every scenario file shipped in scenarios/ (not in its subfolders).
std::vector<std::filesystem::path> shipped_scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(shipped_scenarios_dir())) {
    if (entry.is_regular_file() && entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

//! A temporary copy of scenarios/ with extra scenario files, removed on destruction.
class TempScenarios {
 public:
  TempScenarios() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("cradle-packages-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    std::filesystem::copy(shipped_scenarios_dir(), dir_, std::filesystem::copy_options::recursive);
  }
  ~TempScenarios() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempScenarios(const TempScenarios&) = delete;
  TempScenarios& operator=(const TempScenarios&) = delete;
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p;
  }

 private:
  std::filesystem::path dir_;
};

const std::vector<std::string> CURRENT = {"jiangxi_current", "ganzhou_current", "xihu_current", "zhangping_current",
                                          "baoji_current"};

}  // namespace

// ---- every shipped file -----------------------------------------------------------

TEST_CASE("the scenarios the five places need are shipped", "[packages]") {
  for (const char* place : {"jiangxi", "ganzhou", "xihu", "zhangping", "baoji"}) {
    for (const char* variant : {"_baseline.toml", "_current.toml"}) {
      INFO(place << variant);
      REQUIRE(std::filesystem::exists(shipped_scenarios_dir() / (std::string(place) + variant)));
    }
  }
  REQUIRE(std::filesystem::exists(shipped_scenarios_dir() / "ganzhou_municipal_topup.toml"));
  REQUIRE(std::filesystem::exists(shipped_scenarios_dir() / "xihu_free_preschool_all_years.toml"));
}

TEST_CASE("every shipped scenario loads, and budget measures' payer shares sum to exactly 1", "[packages]") {
  const auto files = shipped_scenario_files();
  REQUIRE(files.size() >= 11);
  for (const auto& file : files) {
    INFO("scenario " << file.filename().string());
    Scenario s;
    REQUIRE_NOTHROW(s = load_scenario(file));
    REQUIRE(s.start_year == 2025);
    REQUIRE(s.end_year == 2035);
    REQUIRE_FALSE(s.measures.empty());
    for (const Measure& m : s.measures) {
      INFO("measure " << m.id);
      REQUIRE_FALSE(m.source.empty());
      if (m.ledger() == Ledger::budget) {
        std::int64_t total = 0;
        for (std::int64_t share : m.payers.ppm) {
          REQUIRE(share >= 0);
          total += share;
        }
        REQUIRE(total == PPM);
        // A level the chain lacks never pays.
        for (std::size_t level = 0; level < PAYER_COUNT; ++level) {
          if (m.payers.ppm[level] > 0) REQUIRE(s.at_level(static_cast<Payer>(level)) != nullptr);
        }
      } else {
        require_no_payers(m);
      }
    }
  }
}

TEST_CASE("each current scenario applies the packages of its place and the levels above", "[packages]") {
  using Ids = std::vector<std::string>;
  REQUIRE(shipped("jiangxi_current").packages == Ids{"national", "001_jiangxi"});
  REQUIRE(shipped("ganzhou_current").packages == Ids{"national", "001_jiangxi", "000_ganzhou"});
  REQUIRE(shipped("xihu_current").packages == Ids{"national", "001_jiangxi", "002_xihu"});
  REQUIRE(shipped("zhangping_current").packages == Ids{"national", "003_zhangping"});
  REQUIRE(shipped("baoji_current").packages == Ids{"national", "004_baoji"});
  for (const char* place : {"jiangxi", "ganzhou", "xihu", "zhangping", "baoji"}) {
    INFO(place);
    REQUIRE(shipped(std::string(place) + "_baseline").packages == Ids{"national"});
    REQUIRE(shipped(std::string(place) + "_baseline").place().id == place);
    REQUIRE(shipped(std::string(place) + "_current").place().id == place);
  }
  REQUIRE(shipped("jiangxi_current").replications == 20);
  REQUIRE(shipped("ganzhou_current").replications == 200);
  REQUIRE(shipped("zhangping_current").replications == 200);
}

TEST_CASE("every measure of a document's package cites that document", "[packages]") {
  const std::vector<std::pair<std::string, std::string>> prefixes = {{"jiangxi_", DOC_JIANGXI},
                                                                     {"ganzhou_", DOC_GANZHOU},
                                                                     {"xihu_", DOC_XIHU},
                                                                     {"zhangping_", DOC_ZHANGPING},
                                                                     {"baoji_", DOC_BAOJI}};
  for (const std::string& name : CURRENT) {
    for (const Measure& m : shipped(name).measures) {
      for (const auto& [prefix, document] : prefixes) {
        if (m.id.rfind(prefix, 0) == 0) {
          INFO("measure " << m.id << ", source \"" << m.source << "\"");
          const bool cites = m.source.find(document + " art") != std::string::npos ||
                             m.source.find(document + " annex") != std::string::npos;
          REQUIRE(cites);
        }
      }
    }
  }
}

// ---- national rules (calibration.md) ------------------------------------------------

TEST_CASE("national: childcare subsidy of 3,600 yuan a year per child under 3 from 2025, central 90 %",
          "[packages][national]") {
  for (const std::string& name : CURRENT) {
    const Measure& m = measure(shipped(name), "national_childcare_subsidy");
    REQUIRE(m.kind == MeasureKind::child_cash);
    REQUIRE(m.basis == Basis::child_month);
    require_yearly(m, fen(3600));
    REQUIRE(m.phases.front().fen_per_unit == fen(300));  // 300 a month, exactly
    REQUIRE(m.eligibility.min_age_months == 0);
    REQUIRE(m.eligibility.max_age_months == 36);
    REQUIRE(m.eligibility.birth_orders == orders({1, 2, 3}));
    REQUIRE(m.eligibility.valid_from == month_index(2025, 1));
    require_any_household(m);
    REQUIRE(ppm(m, Payer::central) == 900'000);
    REQUIRE(m.take_up == Approx(0.9));
    REQUIRE(m.source.find(std::string(DOC_JIANGXI) + " art. (三)") != std::string::npos);
  }
}

TEST_CASE("national: free final kindergarten year from autumn 2025, central share by region", "[packages][national]") {
  const std::vector<std::pair<std::string, std::int64_t>> central = {{"jiangxi_current", 600'000},
                                                                     {"ganzhou_current", 600'000},
                                                                     {"xihu_current", 600'000},
                                                                     {"zhangping_current", 500'000},
                                                                     {"baoji_current", 800'000}};
  for (const auto& [name, share] : central) {
    const Scenario& s = shipped(name);
    const Measure& pub = measure(s, "national_free_preschool_public");
    REQUIRE(pub.kind == MeasureKind::fee_reduction);
    REQUIRE(pub.basis == Basis::enrolled_month);
    require_percent(pub, 100);
    REQUIRE(pub.eligibility.service == Service::kindergarten);
    REQUIRE(pub.eligibility.providers == providers({Provider::public_}));
    REQUIRE(pub.phases.front().kindergarten_years == 0b100);
    REQUIRE(pub.eligibility.valid_from == month_index(2025, 9));
    REQUIRE(ppm(pub, Payer::central) == share);
    const Measure& priv = measure(s, "national_free_preschool_private");
    REQUIRE(priv.phases.front().public_fee);
    REQUIRE(priv.eligibility.providers == providers({Provider::inclusive_private, Provider::other}));
    REQUIRE(priv.phases.front().kindergarten_years == 0b100);
    REQUIRE(ppm(priv, Payer::central) == share);
  }
}

TEST_CASE("national: income-tax deduction of 2,000 yuan a month per child under 3", "[packages][national]") {
  for (const std::string& name : CURRENT) {
    const Measure& m = measure(shipped(name), "national_childcare_tax_deduction");
    REQUIRE(m.kind == MeasureKind::tax_expenditure);
    // Revenue forgone = 2,000 yuan deduction × the assumed 10 % marginal rate.
    require_monthly(m, fen(2000) / 10);
    REQUIRE(m.eligibility.max_age_months == 36);
    REQUIRE(m.source.find("calibration.md") != std::string::npos);
    require_no_payers(m);
  }
}

TEST_CASE("national: income-tax deduction of 2,000 yuan a month per child in full-time education from 3",
          "[packages][national]") {
  for (const std::string& name : CURRENT) {
    const Measure& m = measure(shipped(name), "national_child_education_tax_deduction");
    REQUIRE(m.kind == MeasureKind::tax_expenditure);
    REQUIRE(m.basis == Basis::resident_year);
    // Revenue forgone a year = 2,000 yuan × 12 × the assumed 10 % marginal rate.
    require_per_unit(m, fen(2000) * 12 / 10);
    REQUIRE(m.eligibility.min_age_years == 3);
    REQUIRE(m.eligibility.max_age_years == 22);
    REQUIRE(m.source.find("国发〔2023〕13号") != std::string::npos);
    require_no_payers(m);
  }
}

TEST_CASE("the free-preschool levers waive all three kindergarten years instead of the final one",
          "[packages][levers]") {
  for (const char* name : {"xihu_free_preschool_all_years", "ganzhou_free_preschool_all_years"}) {
    const Scenario& s = shipped(name);
    REQUIRE_FALSE(has_measure(s, "national_free_preschool_public"));
    REQUIRE_FALSE(has_measure(s, "national_free_preschool_private"));
    const Measure& m = measure(s, "free_preschool_all_years_public");
    require_percent(m, 100);
    REQUIRE(m.phases.front().kindergarten_years == 0b111);
  }
}

// ---- calibration of the simulated places ----------------------------------------------

TEST_CASE("place profiles carry calibration.md's population, births, birth orders and budgets",
          "[packages][profiles]") {
  // births: the first year's (2025), derived in each profile's [observed] from its 2024 figure and the
  // national 2025 change (7.92 / 9.54 m, NBS).
  struct Row {
    const char* scenario;
    double persons, births, order1, order2, order3, budget;
  };
  const Row rows[] = {
      {"jiangxi_current", 45.02e6, 249057, 0.43, 0.41, 0.16, 769.5e9},
      {"ganzhou_current", 8.96e6, 49573, 0.40, 0.42, 0.18, 115e9},
      {"xihu_current", 495600, 2351, 0.52, 0.40, 0.08, 4.0e9},
      {"zhangping_current", 248000, 1531, 0.45, 0.43, 0.12, 2.5e9},
      {"baoji_current", 3.26e6, 20805, 0.50, 0.42, 0.08, 38e9},
  };
  for (const Row& r : rows) {
    INFO(r.scenario);
    const Scenario& s = shipped(r.scenario);
    REQUIRE(s.profile.persons == Approx(r.persons));
    REQUIRE(s.profile.births == Approx(r.births));
    REQUIRE(s.profile.fertility.order_shares[0] == Approx(r.order1));
    REQUIRE(s.profile.fertility.order_shares[1] == Approx(r.order2));
    REQUIRE(s.profile.fertility.order_shares[2] == Approx(r.order3));
    REQUIRE(s.place().budget_yuan == Approx(r.budget));
    // Births are attainable: a birth rate between 4 and 10 per 1000 residents.
    REQUIRE(s.profile.births / s.profile.persons > 0.004);
    REQUIRE(s.profile.births / s.profile.persons < 0.010);
  }
  // Stated figures of the record, as calibration.md gives them.
  const PlaceProfile& jiangxi = shipped("jiangxi_current").profile;
  REQUIRE(jiangxi.observed.births.at(2021).value == 377000);
  REQUIRE(jiangxi.observed.births.at(2024).value == 300000);
  REQUIRE(jiangxi.observed.population.at(2023).value == 45.150e6);
  REQUIRE(shipped("ganzhou_current").profile.observed.population.at(2022).value == 8.988e6);
  REQUIRE(shipped("baoji_current").profile.observed.population.at(2020).value == 3.322e6);
  REQUIRE(shipped("ganzhou_current").at_level(Payer::province)->budget_yuan == Approx(769.5e9));
  REQUIRE(shipped("zhangping_current").at_level(Payer::city)->id == "longyan");
  REQUIRE(shipped("zhangping_current").at_level(Payer::province)->region == Region::east);
  REQUIRE(shipped("baoji_current").at_level(Payer::province)->region == Region::west);
  REQUIRE(shipped("ganzhou_current").at_level(Payer::province)->region == Region::central);
}

TEST_CASE("Xihu's 2025 targets (002 art. 9, 10) are in its profile", "[packages][profiles][xihu]") {
  const PlaceProfile& p = shipped("xihu_current").profile;
  REQUIRE(p.childcare.target_slots_per_1000 == Approx(4.5));  // art. 10
  REQUIRE(p.childcare.target_year == 2025);
  REQUIRE(p.kindergarten.enrolment_rate == Approx(0.90));      // art. 9: gross enrolment ≥ 90 %
  REQUIRE(p.kindergarten.provider_shares[0] == Approx(0.58));  // art. 9: public share 58 %
  REQUIRE(p.kindergarten.provider_shares[0] + p.kindergarten.provider_shares[1] == Approx(0.93));  // inclusive 93 %
}

TEST_CASE("Zhangping's 2025 targets (003 art. 9, 13) are in its profile", "[packages][profiles][zhangping]") {
  const PlaceProfile& p = shipped("zhangping_current").profile;
  REQUIRE(p.childcare.target_slots_per_1000 == Approx(4.5));  // art. 9: 4.5 places per 1000
  REQUIRE(p.childcare.target_year == 2025);
  REQUIRE(p.childcare.provider_shares[0] + p.childcare.provider_shares[1] >= 0.6 - 1e-9);  // art. 9: inclusive ≥ 60 %
  REQUIRE(p.kindergarten.enrolment_rate == Approx(0.99));  // art. 13: enrolment ≥ 99 %
  REQUIRE(p.kindergarten.provider_shares[0] + p.kindergarten.provider_shares[1] >= 0.9 - 1e-9);  // art. 13: ≥ 90 %
  // Annex 1 expects a birth rate of 7 per 1000; the record's 2023 figure is Longyan's 7.03 ‰ of the residents
  // (2025's is lower: the national 2025 fall applied to it).
  REQUIRE(p.observed.births.at(2023).value / p.persons == Approx(0.00703).epsilon(0.001));
}

// ---- 001 Jiangxi -----------------------------------------------------------------------

TEST_CASE("001 Jiangxi: statutory leave of 188 / 30 days per birth and 10 days a year each parent",
          "[packages][jiangxi]") {
  for (const char* name : {"jiangxi_current", "ganzhou_current", "xihu_current"}) {
    const Scenario& s = shipped(name);
    const Measure& maternity = measure(s, "jiangxi_maternity_leave");
    require_identity(maternity, MeasureKind::leave, Basis::birth, DOC_JIANGXI, "art. (二)");
    require_per_unit(maternity, fen(188 * JIANGXI_WAGE));
    require_no_payers(maternity);
    const Measure& paternity = measure(s, "jiangxi_paternity_leave");
    require_identity(paternity, MeasureKind::leave, Basis::birth, DOC_JIANGXI, "art. (二)");
    require_per_unit(paternity, fen(30 * JIANGXI_WAGE));
    const Measure& parental = measure(s, "jiangxi_parental_leave");
    require_identity(parental, MeasureKind::leave, Basis::child_month, DOC_JIANGXI, "art. (二)");
    require_monthly(parental, fen(2 * 10 * JIANGXI_WAGE) / 12);
    REQUIRE(parental.eligibility.max_age_months == 36);
  }
}

TEST_CASE("001 Jiangxi: insurance, childcare-supply and provident-fund measures", "[packages][jiangxi]") {
  const Scenario& s = shipped("jiangxi_current");
  for (const char* id : {"jiangxi_maternity_insurance_extension"}) {
    const Measure& m = measure(s, id);
    require_identity(m, MeasureKind::insurance_fund, Basis::birth, DOC_JIANGXI, "art. (一)");
    require_no_payers(m);
  }
  for (const char* id : {"jiangxi_labour_analgesia_insurance", "jiangxi_assisted_reproduction_insurance"}) {
    const Measure& m = measure(s, id);
    require_identity(m, MeasureKind::insurance_fund, Basis::birth, DOC_JIANGXI, "art. (四)");
    require_no_payers(m);
  }
  {
    // 资助新生儿参加基本医疗保险: a livelihood policy paying the premium from the budget.
    const Measure& m = measure(s, "jiangxi_newborn_insurance_premium_support");
    require_identity(m, MeasureKind::in_kind_service, Basis::birth, DOC_JIANGXI, "art. (四)");
    REQUIRE(m.ledger() == Ledger::budget);
    REQUIRE(ppm(m, Payer::province) == PPM);  // the county half falls to the province, the lowest level here
    REQUIRE(ppm(measure(shipped("xihu_current"), m.id), Payer::county) == PPM / 2);
  }
  const Measure& op = measure(s, "jiangxi_inclusive_childcare_operating_subsidy");
  require_identity(op, MeasureKind::operating_subsidy, Basis::enrolled_month, DOC_JIANGXI, "art. (八)");
  REQUIRE(op.eligibility.service == Service::childcare);
  REQUIRE(op.eligibility.providers == providers({Provider::public_, Provider::inclusive_private}));
  const Measure& slots = measure(s, "jiangxi_public_childcare_place_subsidy");
  require_identity(slots, MeasureKind::slot_construction, Basis::new_slot, DOC_JIANGXI, "art. (七)");
  const Measure& pf = measure(s, "jiangxi_multichild_provident_fund_loan");
  require_identity(pf, MeasureKind::provident_fund, Basis::home_purchase, DOC_JIANGXI, "art. (十一)");
  REQUIRE(pf.eligibility.min_children == 2);
  require_no_payers(pf);
}

TEST_CASE("001 Jiangxi adds no second childcare subsidy or tax deduction", "[packages][jiangxi]") {
  for (const Measure& m : shipped("jiangxi_current").measures) {
    if (m.id.rfind("jiangxi_", 0) != 0) continue;
    INFO("measure " << m.id);
    // Its child_cash measures are student aid per pupil-year (resident_year), not a subsidy per child-month.
    REQUIRE(!(m.kind == MeasureKind::child_cash && m.basis == Basis::child_month));
    REQUIRE(m.kind != MeasureKind::tax_expenditure);
  }
}

// ---- 000 Ganzhou ----------------------------------------------------------------------

TEST_CASE("000 Ganzhou: municipal top-up is a lever at 0 as written, 1,000 a year in the lever scenario",
          "[packages][ganzhou][levers]") {
  const Measure& zero = measure(shipped("ganzhou_current"), "ganzhou_municipal_childcare_topup");
  require_identity(zero, MeasureKind::child_cash, Basis::child_month, DOC_GANZHOU, "art. 二");
  require_yearly(zero, 0);
  REQUIRE(zero.eligibility.max_age_months == 36);
  REQUIRE(ppm(zero, Payer::city) == PPM);

  const Scenario& lever = shipped("ganzhou_municipal_topup");
  REQUIRE_FALSE(has_measure(lever, "ganzhou_municipal_childcare_topup"));
  const Measure& topup = measure(lever, "ganzhou_municipal_childcare_topup_1000");
  REQUIRE(topup.kind == MeasureKind::child_cash);
  REQUIRE(topup.source.find(std::string(DOC_GANZHOU) + " art. 二") != std::string::npos);
  require_yearly(topup, fen(1000));
  REQUIRE(topup.phases.front().per_months == 12);
  REQUIRE(topup.eligibility.min_age_months == 0);
  REQUIRE(topup.eligibility.max_age_months == 36);
  REQUIRE(topup.eligibility.birth_orders == orders({1, 2, 3}));
  REQUIRE(ppm(topup, Payer::city) == PPM);
  // Everything else of ganzhou_current is still applied.
  REQUIRE(lever.measures.size() == shipped("ganzhou_current").measures.size());
}

TEST_CASE("000 Ganzhou: housing, screening and childcare measures", "[packages][ganzhou]") {
  const Scenario& s = shipped("ganzhou_current");
  const Measure& two = measure(s, "ganzhou_multichild_home_purchase_grant");
  require_identity(two, MeasureKind::event_cash, Basis::home_purchase, DOC_GANZHOU, "art. 三");
  REQUIRE(two.eligibility.min_minor_children == 2);  // 未成年子女: minor children, not children ever born
  REQUIRE(two.eligibility.min_children == 0);
  const Measure& three = measure(s, "ganzhou_three_child_home_purchase_grant_extra");
  require_identity(three, MeasureKind::event_cash, Basis::home_purchase, DOC_GANZHOU, "art. 三");
  REQUIRE(three.eligibility.min_minor_children == 3);
  REQUIRE(three.eligibility.min_children == 0);
  require_identity(measure(s, "ganzhou_preschool_aid"), MeasureKind::child_cash, Basis::child_month, DOC_GANZHOU,
                   "art. 四");
  require_identity(measure(s, "ganzhou_prenatal_newborn_screening"), MeasureKind::in_kind_service, Basis::birth,
                   DOC_GANZHOU, "art. 六");
  require_identity(measure(s, "ganzhou_postpartum_depression_screening"), MeasureKind::in_kind_service, Basis::birth,
                   DOC_GANZHOU, "art. 六");
  require_identity(measure(s, "ganzhou_inclusive_childcare_operating_subsidy"), MeasureKind::operating_subsidy,
                   Basis::enrolled_month, DOC_GANZHOU, "art. 八");
  require_identity(measure(s, "ganzhou_childcare_new_place_subsidy"), MeasureKind::slot_construction, Basis::new_slot,
                   DOC_GANZHOU, "art. 八");
  require_identity(measure(s, "ganzhou_childcare_renovated_place_subsidy"), MeasureKind::slot_construction,
                   Basis::renovated_slot, DOC_GANZHOU, "art. 八");
  // Art. 五 and 六 restate Jiangxi's insurance measures: applied once, from 001.
  REQUIRE(measure(s, "jiangxi_maternity_insurance_extension").source.find(std::string(DOC_GANZHOU) + " art. 五") !=
          std::string::npos);
  REQUIRE(measure(s, "jiangxi_newborn_insurance_premium_support").source.find(std::string(DOC_GANZHOU) + " art. 六") !=
          std::string::npos);
}

// ---- 002 Xihu ----------------------------------------------------------------------------

TEST_CASE("002 Xihu: the amounts of art. 9, 11, 14 and 16", "[packages][xihu]") {
  const Scenario& s = shipped("xihu_current");

  const Measure& aid = measure(s, "xihu_preschool_aid");  // art. 9: 2,000 a year
  require_identity(aid, MeasureKind::child_cash, Basis::child_month, DOC_XIHU, "art. 9");
  require_yearly(aid, fen(2000));
  REQUIRE(aid.eligibility.min_age_months == 36);
  REQUIRE(aid.eligibility.max_age_months == 72);
  REQUIRE_FALSE(aid.eligibility.local_residents_only);  // art. 9 names no 户籍, unlike art. 11, 14-16

  const Measure& built = measure(s, "xihu_childcare_new_place_subsidy");  // art. 11: 360 per new place
  require_identity(built, MeasureKind::slot_construction, Basis::new_slot, DOC_XIHU, "art. 11");
  require_per_unit(built, fen(360));
  REQUIRE(ppm(built, Payer::county) == PPM);
  const Measure& renovated = measure(s, "xihu_childcare_renovated_place_subsidy");  // 300 per renovated place
  require_identity(renovated, MeasureKind::slot_construction, Basis::renovated_slot, DOC_XIHU, "art. 11");
  require_per_unit(renovated, fen(300));

  const Measure& op = measure(s, "xihu_inclusive_childcare_operating_subsidy");  // art. 11: 126 a month
  require_identity(op, MeasureKind::operating_subsidy, Basis::enrolled_month, DOC_XIHU, "art. 11");
  require_monthly(op, fen(126));
  REQUIRE(op.eligibility.service == Service::childcare);
  REQUIRE(op.eligibility.providers == providers({Provider::public_, Provider::inclusive_private}));
  REQUIRE(op.eligibility.max_age_months == 36);
  REQUIRE(ppm(op, Payer::county) == PPM);

  const Measure& kg = measure(s, "xihu_kindergarten_fee_reduction");  // art. 11: 5 % for 2nd, 3rd children
  require_identity(kg, MeasureKind::fee_reduction, Basis::enrolled_month, DOC_XIHU, "art. 11");
  require_percent(kg, 5);
  REQUIRE(kg.eligibility.service == Service::kindergarten);
  REQUIRE(kg.eligibility.providers == providers({Provider::public_, Provider::inclusive_private}));
  REQUIRE(kg.eligibility.birth_orders == orders({2, 3}));
  REQUIRE(kg.eligibility.local_residents_only);

  const Measure& cc = measure(s, "xihu_childcare_fee_reduction");  // art. 11: 100 a month, 2nd and 3rd children
  require_identity(cc, MeasureKind::fee_reduction, Basis::enrolled_month, DOC_XIHU, "art. 11");
  require_monthly(cc, fen(100));
  REQUIRE(cc.eligibility.service == Service::childcare);
  REQUIRE(cc.eligibility.providers == providers({Provider::public_, Provider::inclusive_private}));
  REQUIRE(cc.eligibility.birth_orders == orders({2, 3}));
  REQUIRE(cc.eligibility.max_age_months == 36);
  REQUIRE(cc.eligibility.local_residents_only);

  const Measure& vaccine = measure(s, "xihu_third_child_vaccine_fee");  // art. 14: 18 a dose, third children
  require_identity(vaccine, MeasureKind::in_kind_service, Basis::child_month, DOC_XIHU, "art. 14");
  require_monthly(vaccine, fen(18) / 4);  // 18 yuan × the assumed 0.25 doses a month
  REQUIRE(vaccine.eligibility.birth_orders == orders({3}));
  REQUIRE(vaccine.eligibility.max_age_months == 36);
  REQUIRE(vaccine.eligibility.local_residents_only);

  const Measure& hpv = measure(s, "xihu_hpv_screening_at_birth");  // art. 15: 2nd or 3rd child
  require_identity(hpv, MeasureKind::in_kind_service, Basis::birth, DOC_XIHU, "art. 15");
  REQUIRE(hpv.eligibility.birth_orders == orders({2, 3}));

  const Measure& art = measure(s, "xihu_assisted_reproduction_grant");  // art. 16: cap 5,000, women 35+
  require_identity(art, MeasureKind::event_cash, Basis::assisted_birth, DOC_XIHU, "art. 16");
  require_per_unit(art, fen(5000));
  REQUIRE(art.cap_per_household == fen(5000));  // cumulative per household
  REQUIRE(art.eligibility.min_mother_age == 35);
  REQUIRE(art.eligibility.local_residents_only);
}

TEST_CASE("002 Xihu: art. 3 leave days, counted once with Jiangxi's statutory leave", "[packages][xihu]") {
  // The shipped scenario applies Jiangxi's encoding of the same statutory leave (001).
  const Scenario& current = shipped("xihu_current");
  REQUIRE_FALSE(has_measure(current, "xihu_extended_maternity_leave"));
  REQUIRE_FALSE(has_measure(current, "xihu_parental_leave"));
  REQUIRE(has_measure(current, "jiangxi_maternity_leave"));
  REQUIRE(has_measure(current, "jiangxi_parental_leave"));
  // Xihu's package still states the document's days: +90 maternity, 30 paternity, 10 + 10 parental.
  TempScenarios t;
  const Scenario s = load_scenario(t.write("xihu_documents.toml", R"(
[scenario]
id = "xihu_documents"
title = "test: every Xihu measure, no exclusions"
base = "xihu_baseline.toml"
packages = ["packages/002_xihu.toml"]
)"));
  const Measure& extended = measure(s, "xihu_extended_maternity_leave");
  require_identity(extended, MeasureKind::leave, Basis::birth, DOC_XIHU, "art. 3");
  require_per_unit(extended, fen((90 + 30) * XIHU_WAGE));
  const Measure& parental = measure(s, "xihu_parental_leave");
  require_identity(parental, MeasureKind::leave, Basis::child_month, DOC_XIHU, "art. 3");
  require_monthly(parental, fen(2 * 10 * XIHU_WAGE / 12));  // 583 yuan a month (583.33 rounded down)
}

// ---- 003 Zhangping ------------------------------------------------------------------------

TEST_CASE(
    "003 Zhangping art. 8: childcare fees 50 % / 100 % off in public inclusive childcare, Longyan 2 : Zhangping 8",
    "[packages][zhangping]") {
  const Scenario& s = shipped("zhangping_current");
  const Measure& half = measure(s, "zhangping_third_child_childcare_fee_reduction");
  require_identity(half, MeasureKind::fee_reduction, Basis::enrolled_month, DOC_ZHANGPING, "art. 8");
  require_percent(half, 50);
  REQUIRE(half.eligibility.service == Service::childcare);
  REQUIRE(half.eligibility.providers == providers({Provider::public_}));
  REQUIRE(half.eligibility.birth_orders == orders({3}));
  REQUIRE(half.eligibility.max_age_months == 36);
  REQUIRE_FALSE(half.eligibility.special_families_only);
  REQUIRE(half.eligibility.special_families_excluded);  // the full waiver covers them: no 150 %
  REQUIRE(ppm(half, Payer::city) == 200'000);
  REQUIRE(ppm(half, Payer::county) == 800'000);

  const Measure& full = measure(s, "zhangping_special_family_childcare_fee_waiver");
  require_identity(full, MeasureKind::fee_reduction, Basis::enrolled_month, DOC_ZHANGPING, "art. 8");
  require_percent(full, 100);
  REQUIRE(full.eligibility.special_families_only);
  REQUIRE(full.eligibility.service == Service::childcare);
  REQUIRE(full.eligibility.providers == providers({Provider::public_}));
  REQUIRE(full.eligibility.birth_orders == orders({1, 2, 3}));
  REQUIRE(ppm(full, Payer::city) == 200'000);
  REQUIRE(ppm(full, Payer::county) == 800'000);
  // The city that pays is Longyan.
  REQUIRE(s.at_level(Payer::city)->id == "longyan");
  REQUIRE(s.at_level(Payer::county)->id == "zhangping");
}

TEST_CASE("003 Zhangping art. 12: 20,000 yuan per new home of a three-child family", "[packages][zhangping]") {
  const Measure& m = measure(shipped("zhangping_current"), "zhangping_three_child_home_purchase_grant");
  require_identity(m, MeasureKind::event_cash, Basis::home_purchase, DOC_ZHANGPING, "art. 12");
  require_per_unit(m, fen(20000));
  REQUIRE(m.eligibility.min_children == 3);
  REQUIRE(ppm(m, Payer::county) == PPM);
}

TEST_CASE("003 Zhangping art. 12: provident-fund loan ceilings +150,000 / +250,000, rent limits 800 / 1,000",
          "[packages][zhangping]") {
  const Scenario& s = shipped("zhangping_current");
  const Measure& loan2 = measure(s, "zhangping_pf_loan_ceiling_two_children");
  require_identity(loan2, MeasureKind::provident_fund, Basis::home_purchase, DOC_ZHANGPING, "art. 12");
  require_per_unit(loan2, fen(150000));
  REQUIRE(loan2.eligibility.min_children == 2);
  REQUIRE(loan2.eligibility.max_children == 2);
  require_no_payers(loan2);
  const Measure& loan3 = measure(s, "zhangping_pf_loan_ceiling_three_children");
  require_identity(loan3, MeasureKind::provident_fund, Basis::home_purchase, DOC_ZHANGPING, "art. 12");
  require_per_unit(loan3, fen(250000));
  REQUIRE(loan3.eligibility.min_children == 3);
  require_no_payers(loan3);

  // Renting families, each counted once through its second child: two minor children 800,
  // three or more 1,000.
  const Measure& rent2 = measure(s, "zhangping_pf_rent_withdrawal_two_children");
  require_identity(rent2, MeasureKind::provident_fund, Basis::child_month, DOC_ZHANGPING, "art. 12");
  require_monthly(rent2, fen(800));
  const Measure& rent3 = measure(s, "zhangping_pf_rent_withdrawal_three_children");
  require_identity(rent3, MeasureKind::provident_fund, Basis::child_month, DOC_ZHANGPING, "art. 12");
  require_monthly(rent3, fen(1000));
  for (const Measure* rent : {&rent2, &rent3}) {
    REQUIRE(rent->eligibility.birth_orders == orders({2}));
    REQUIRE(rent->eligibility.tenures == 0b10);  // renters only
    REQUIRE(rent->eligibility.max_age_months == 72);
  }
  REQUIRE(rent2.eligibility.max_minor_children == 2);
  REQUIRE(rent3.eligibility.min_minor_children == 3);
  require_no_payers(rent2);
  require_no_payers(rent3);
}

TEST_CASE("003 Zhangping art. 6, 11: nutrition packs at 6-24 months, parental leave, the open allowance",
          "[packages][zhangping]") {
  const Scenario& s = shipped("zhangping_current");
  const Measure& packs = measure(s, "zhangping_nutrition_packs");
  require_identity(packs, MeasureKind::in_kind_service, Basis::child_month, DOC_ZHANGPING, "art. 6");
  REQUIRE(packs.eligibility.min_age_months == 6);
  REQUIRE(packs.eligibility.max_age_months == 24);

  const Measure& parental = measure(s, "zhangping_parental_leave");  // 10 days a year for each parent
  require_identity(parental, MeasureKind::leave, Basis::child_month, DOC_ZHANGPING, "art. 11");
  require_monthly(parental, fen(2 * 10 * FUJIAN_WAGE) / 12);
  REQUIRE(parental.eligibility.max_age_months == 36);
  require_no_payers(parental);
  const Measure& maternity = measure(s, "zhangping_maternity_leave");  // Fujian 158 days (calibration.md)
  require_identity(maternity, MeasureKind::leave, Basis::birth, DOC_ZHANGPING, "art. 11");
  require_per_unit(maternity, fen(158 * FUJIAN_WAGE));
  const Measure& paternity = measure(s, "zhangping_paternity_leave");  // Fujian 15 days
  require_identity(paternity, MeasureKind::leave, Basis::birth, DOC_ZHANGPING, "art. 11");
  require_per_unit(paternity, fen(15 * FUJIAN_WAGE));

  const Measure& allowance = measure(s, "zhangping_second_third_child_allowance");  // a lever, 0 as written
  require_identity(allowance, MeasureKind::child_cash, Basis::child_month, DOC_ZHANGPING, "art. 11");
  require_yearly(allowance, 0);
  REQUIRE(allowance.eligibility.birth_orders == orders({2, 3}));
  REQUIRE(allowance.eligibility.max_age_months == 36);
  REQUIRE(ppm(allowance, Payer::county) == PPM);

  require_identity(measure(s, "zhangping_maternal_relief_fund"), MeasureKind::in_kind_service, Basis::birth,
                   DOC_ZHANGPING, "annex 2");
}

// ---- 004 Baoji ------------------------------------------------------------------------------

TEST_CASE("004 Baoji art. 9: Shaanxi statutory leave, 158 days (+15 for a third child), 15 days paternity",
          "[packages][baoji]") {
  const Scenario& s = shipped("baoji_current");
  const Measure& maternity = measure(s, "baoji_maternity_leave");
  require_identity(maternity, MeasureKind::leave, Basis::birth, DOC_BAOJI, "art. 9");
  require_per_unit(maternity, fen(158 * SHAANXI_WAGE));
  REQUIRE(maternity.eligibility.birth_orders == orders({1, 2, 3}));
  const Measure& third = measure(s, "baoji_maternity_leave_third_child_extra");
  require_identity(third, MeasureKind::leave, Basis::birth, DOC_BAOJI, "art. 9");
  require_per_unit(third, fen(15 * SHAANXI_WAGE));
  REQUIRE(third.eligibility.birth_orders == orders({3}));
  const Measure& paternity = measure(s, "baoji_paternity_leave");
  require_identity(paternity, MeasureKind::leave, Basis::birth, DOC_BAOJI, "art. 9");
  require_per_unit(paternity, fen(15 * SHAANXI_WAGE));
  require_identity(measure(s, "baoji_parental_leave"), MeasureKind::leave, Basis::child_month, DOC_BAOJI, "art. 9");
  for (const char* id : {"baoji_maternity_insurance_flexible_workers", "baoji_labour_analgesia_insurance",
                         "baoji_assisted_reproduction_insurance"}) {
    const Measure& m = measure(s, id);
    require_identity(m, MeasureKind::insurance_fund, Basis::birth, DOC_BAOJI, "art. 9");
    require_no_payers(m);
  }
}

TEST_CASE("004 Baoji: childcare supply, preschool aid and provident fund, county options at 0", "[packages][baoji]") {
  const Scenario& s = shipped("baoji_current");
  require_identity(measure(s, "baoji_childcare_construction_subsidy"), MeasureKind::slot_construction, Basis::new_slot,
                   DOC_BAOJI, "art. 4");
  const Measure& reward = measure(s, "baoji_inclusive_childcare_reward_subsidy");
  require_identity(reward, MeasureKind::operating_subsidy, Basis::enrolled_month, DOC_BAOJI, "art. 5");
  REQUIRE(reward.eligibility.providers == providers({Provider::public_, Provider::inclusive_private}));
  const Measure& interest = measure(s, "baoji_childcare_loan_interest_subsidy");  // art. 14: may, as finances allow
  require_identity(interest, MeasureKind::operating_subsidy, Basis::enrolled_month, DOC_BAOJI, "art. 14");
  require_monthly(interest, 0);
  const Measure& aid = measure(s, "baoji_preschool_aid");
  require_identity(aid, MeasureKind::child_cash, Basis::child_month, DOC_BAOJI, "art. 15");
  REQUIRE(aid.eligibility.min_age_months == 36);
  REQUIRE(aid.eligibility.max_age_months == 72);
  const Measure& rent = measure(s, "baoji_pf_rent_withdrawal_multichild");  // renting families, once each
  require_identity(rent, MeasureKind::provident_fund, Basis::child_month, DOC_BAOJI, "art. 13");
  REQUIRE(rent.eligibility.birth_orders == orders({2}));
  REQUIRE(rent.eligibility.tenures == 0b10);
  const Measure& loan = measure(s, "baoji_pf_loan_ceiling_multichild");  // art. 13: counties may raise it
  require_identity(loan, MeasureKind::provident_fund, Basis::home_purchase, DOC_BAOJI, "art. 13");
  require_per_unit(loan, 0);
  REQUIRE(loan.eligibility.min_children == 2);
}

// ---- the counted bases and household circumstances in the shipped scenarios ------------

namespace {

//! The first year of a shipped scenario, run on a 1-in-`sample` population with 4
//! replications: each named measure's outlay (budget or its own ledger) and caseload,
//! summed over the replications.
struct FirstYear {
  std::map<std::string, Fen> outlay;
  std::map<std::string, std::int64_t> caseload;
};

FirstYear run_first_year(const std::string& name, std::int64_t sample) {
  Scenario s = shipped(name);
  s.end_year = s.start_year;
  s.sample = sample;
  const BasePopulation population = scenario_population(s, sample);
  const ScenarioResults r = simulate(s, population, RunOptions{4, s.seed});
  FirstYear out;
  for (std::size_t rep = 0; rep < 4; ++rep) {
    for (std::size_t m = 0; m < r.n_measures(); ++m) {
      for (std::size_t p = 0; p < r.n_payers(); ++p) out.outlay[r.measures[m].id] += r.outlay_fen[r.outlay_index(rep, 0, m, p)];
      out.caseload[r.measures[m].id] += r.caseload[r.caseload_index(rep, 0, m)];
    }
    for (std::size_t m = 0; m < r.n_ledger_measures(); ++m) {
      out.outlay[r.ledger_measures[m].id] += r.ledger_fen[r.ledger_index(rep, 0, m)];
      out.caseload[r.ledger_measures[m].id] += r.ledger_caseload[r.ledger_index(rep, 0, m)];
    }
  }
  return out;
}

void require_positive(const FirstYear& y, std::initializer_list<const char*> ids) {
  for (const char* id : ids) {
    INFO("measure " << id);
    REQUIRE(y.outlay.count(id) == 1);
    CHECK(y.caseload.at(id) > 0);
    CHECK(y.outlay.at(id) > 0);
  }
}

}  // namespace

TEST_CASE("003 Zhangping art. 7, 8: persons by sex and age and a fixed programme pay in the first year",
          "[packages][zhangping][counted]") {
  const Scenario& s = shipped("zhangping_current");
  const Measure& hpv = measure(s, "zhangping_hpv_vaccine_girls");
  require_identity(hpv, MeasureKind::in_kind_service, Basis::resident_year, DOC_ZHANGPING, "art. 7");
  REQUIRE(hpv.eligibility.sexes == 0b10);  // girls only
  REQUIRE(hpv.eligibility.min_age_years == 13);
  const Measure& training = measure(s, "zhangping_childcare_worker_training");
  require_identity(training, MeasureKind::fixed_programme, Basis::programme, DOC_ZHANGPING, "art. 8");
  REQUIRE(training.units_per_year == 200);  // 每年培养培训 200 人
  const FirstYear y = run_first_year("zhangping_current", 20);
  require_positive(y, {"zhangping_hpv_vaccine_girls", "zhangping_women_cancer_screening",
                       "zhangping_childcare_worker_training"});
  // 200 trainees a year, in force all of 2025, in each of the 4 replications.
  REQUIRE(y.caseload.at("zhangping_childcare_worker_training") == 4 * 200);
}

TEST_CASE("002 Xihu art. 3, 4, 9, 12, 15: marriages, women by age and programmes pay in the first year",
          "[packages][xihu][counted]") {
  const Scenario& s = shipped("xihu_current");
  require_identity(measure(s, "xihu_marriage_leave"), MeasureKind::leave, Basis::marriage, DOC_XIHU, "art. 3");
  REQUIRE(measure(s, "xihu_marriage_leave").phases.front().fen_per_unit == fen(15 * XIHU_WAGE));
  require_identity(measure(s, "xihu_premarital_check"), MeasureKind::in_kind_service, Basis::marriage, DOC_XIHU,
                   "art. 15");
  const FirstYear y = run_first_year("xihu_current", 20);
  require_positive(y, {"xihu_marriage_leave", "xihu_marriage_certification_counselling", "xihu_premarital_check",
                       "xihu_pre_pregnancy_check", "xihu_kindergarten_standard_reward",
                       "xihu_childcare_staff_training"});
}

TEST_CASE("001 Jiangxi art. (十), 004 Baoji art. 4, 16: school-age residents and a programme pay in the first year",
          "[packages][baoji][jiangxi][counted]") {
  // Existing student aid is apart from the packages (their cost is not the package's) and
  // in the scenarios that add it.
  const FirstYear baoji = run_first_year("baoji_student_aid", 50);
  require_positive(baoji, {"baoji_public_childcare_institutions", "baoji_compulsory_living_subsidy",
                           "baoji_compulsory_free_textbooks"});
  const FirstYear jiangxi = run_first_year("jiangxi_student_aid", 400);
  require_positive(jiangxi, {"jiangxi_compulsory_living_subsidy", "jiangxi_senior_secondary_grant"});
  const FirstYear ganzhou = run_first_year("ganzhou_current", 100);
  require_positive(ganzhou, {"ganzhou_multichild_home_purchase_grant", "ganzhou_three_child_home_purchase_grant_extra"});
}
