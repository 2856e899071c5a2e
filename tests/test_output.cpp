// The output layer: quantiles, the HDF5 results file read back through the C
// API, the atomic-replace guarantees of write_results, and the text report.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "output/h5.h"
#include "output/report.h"
#include "output/results.h"
#include "output/results_writer.h"
#include "output/summary.h"
#include "output/variables.h"

namespace fs = std::filesystem;
using cradle::h5::Handle;
using cradle::h5::Kind;

namespace {

// Known fen: distinct in every index, and not whole yuan, so fen/100 is tested.
std::int64_t known_fen(std::size_t r, std::size_t y, std::size_t m, std::size_t p) {
  return static_cast<std::int64_t>(12345 + 1000 * r + 100 * y + 10 * m + p);
}

// Budgets of the two payers, fen [year][payer]: different, and not round, so the shares are not.
constexpr std::int64_t known_budget_fen[2][2] = {{400'000'000'000'007, 7'000'000'003},
                                                 {410'000'000'011, 7'100'000'009}};

std::int64_t known_ledger_fen(std::size_t r, std::size_t y) {
  return static_cast<std::int64_t>(5'000'001 + 10'000 * r + 7 * y);
}

cradle::RunResults make_results() {
  cradle::RunResults results;
  results.cradle_version = "0.1.0";
  results.git_revision = "0123456789ab";
  results.created_utc = "2026-11-22T10:00:00Z";
  results.seed = 42;
  results.replications = 2;
  results.threads = 2;
  results.households = 1000;
  results.persons = 2900;
  // The base population: 1000 households, 600 local, 400 not, as the profile says.
  cradle::BaseComposition::Margin registration{
      "registration", "household registration", {"nonlocal", "local"}, {400, 600}, {0.4, 0.6}};
  cradle::BaseComposition::Margin size{"household_size",
                                       "persons",
                                       {"1", "2", "3", "4", "5", "6+"},
                                       {250, 300, 200, 130, 70, 50},
                                       {0.25, 0.3, 0.2, 0.13, 0.07, 0.05}};
  results.base.households = {registration, size, registration, registration, registration, registration, registration};
  for (std::size_t i = 2; i < results.base.households.size(); ++i) {
    results.base.households[i].name = "copy_" + std::to_string(i);
  }
  results.base.women_by_age_parity.assign(35 * 4, 3);
  results.times.population_seconds = 0.5;
  results.times.simulation_seconds = 1.25;

  cradle::ScenarioResults s;
  s.id = "base";
  s.title = "Baseline";
  s.resolved_text = "[scenario]\nid = \"base\"\n";
  s.years = {2025, 2026};
  s.replications = 2;
  s.measures = {
      {"child_cash", "cash_allowance", "Childcare allowance", "a.md art. 3", "child-months", "budget", "stated"},
      {"operating_subsidy", "provider_subsidy", "Operating subsidy", "b.md art. 7", "place-months", "budget",
       "assumed"}};
  s.payers = {"china", "jiangxi"};
  s.payer_labels = {{"china", "central", "中国 China"}, {"jiangxi", "province", "江西省 Jiangxi province"}};
  s.ledger_measures = {
      {"maternity_benefit", "insurance_fund", "Maternity benefit", "c.md art. 2", "births", "insurance_fund",
       "derived"}};
  s.birth_orders = 3;
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t y = 0; y < 2; ++y) {
      for (std::size_t m = 0; m < 2; ++m) {
        for (std::size_t p = 0; p < 2; ++p) s.outlay_fen.push_back(known_fen(r, y, m, p));
        s.caseload.push_back(static_cast<std::int64_t>(100 * r + 10 * y + m));
      }
      for (std::int64_t b = 0; b < 3; ++b) s.births.push_back(static_cast<std::int64_t>(50 + r + y) - b);
      s.child_months_under3.push_back(1200 + static_cast<std::int64_t>(r) * 12);
      s.childcare_enrolled_months.push_back(240 + static_cast<std::int64_t>(y) * 6);
      s.childcare_demand_months.push_back(252 + static_cast<std::int64_t>(y) * 12);
      s.deaths.push_back(static_cast<std::int64_t>(r + y));
      s.population.push_back(100'000 + static_cast<std::int64_t>(y) * 50);
      for (std::size_t i = 0; i < cradle::RESIDENT_SEXES * cradle::RESIDENT_AGES; ++i) {
        s.residents_by_age.push_back(i == 40 ? 100'000 + static_cast<std::int64_t>(y) * 50 : 0);
      }
      s.net_migration.push_back(y == 0 ? 0 : -static_cast<std::int64_t>(r + 2 * y));
      s.kindergarten_enrolled_months.push_back(360 + static_cast<std::int64_t>(r) * 12 +
                                               static_cast<std::int64_t>(y) * 3);
      s.ledger_fen.push_back(known_ledger_fen(r, y));
      s.ledger_caseload.push_back(static_cast<std::int64_t>(40 + r + y));
    }
  for (std::size_t y = 0; y < 2; ++y)
    for (std::size_t p = 0; p < 2; ++p) s.budget_fen.push_back(known_budget_fen[y][p]);
  s.childcare_slots = {500, 650};
  s.persons = {100'000, 100'400};
  results.scenarios.push_back(s);
  return results;
}

// The same shape of run with no measures, payers or ledger measures: every such axis has length 0.
cradle::RunResults make_empty_axes_results() {
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  s.measures.clear();
  s.payers.clear();
  s.payer_labels.clear();
  s.ledger_measures.clear();
  s.outlay_fen.clear();
  s.caseload.clear();
  s.budget_fen.clear();
  s.ledger_fen.clear();
  s.ledger_caseload.clear();
  return results;
}

// A fresh directory for one test, removed with everything in it afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("cradle_test_output_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

bool has_temporary(const fs::path& directory) {
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using cradle::h5::shape;

template <class T>
std::vector<T> read_values(const Handle& file, const std::string& path, hid_t memory_type) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  hsize_t count = 1;
  for (hsize_t d : shape(dataset)) count *= d;
  std::vector<T> values(count);
  REQUIRE(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  return values;
}

using cradle::h5::read_strings;

std::vector<std::int32_t> read_int_attribute(const Handle& object, const std::string& name) {
  Handle attribute(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), Kind::attribute, name);
  Handle space(H5Aget_space(attribute.id()), Kind::dataspace, name);
  std::vector<std::int32_t> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
  REQUIRE(H5Aread(attribute.id(), H5T_NATIVE_INT32, values.data()) >= 0);
  return values;
}

template <class T>
T read_scalar_attribute(const Handle& object, const std::string& name, hid_t memory_type) {
  Handle attribute(H5Aopen(object.id(), name.c_str(), H5P_DEFAULT), Kind::attribute, name);
  T value{};
  REQUIRE(H5Aread(attribute.id(), memory_type, &value) >= 0);
  return value;
}

std::vector<std::string> member_names(const Handle& group) {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  REQUIRE(H5Literate(group.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names) >= 0);
  return names;
}

bool is_dataset(const Handle& group, const std::string& name) {
  const hid_t object = H5Oopen(group.id(), name.c_str(), H5P_DEFAULT);
  const bool dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  return dataset;
}

bool has_attribute(const Handle& object, const std::string& name) { return H5Aexists(object.id(), name.c_str()) > 0; }

std::string attribute_text(const Handle& file, const std::string& path, const std::string& name) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  return cradle::h5::read_string_attribute(dataset, name);
}

bool stored_as(const Handle& file, const std::string& path, hid_t file_type) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  Handle type(H5Dget_type(dataset.id()), Kind::datatype, path);
  return H5Tequal(type.id(), file_type) > 0;
}

std::vector<hsize_t> shape_of(const Handle& file, const std::string& path) {
  return shape(cradle::h5::open_dataset(file, path));
}

// Whether axis `axis` of dataset `path` is attached to the scale `scale_path`.
bool attached(const Handle& file, const std::string& path, const std::string& scale_path, unsigned axis) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  Handle scale = cradle::h5::open_dataset(file, scale_path);
  return H5DSis_scale(scale.id()) > 0 && H5DSis_attached(dataset.id(), scale.id(), axis) > 0;
}

// What the writer must store as budget_outlay_fen: outlay summed over measures, in fen.
std::int64_t budget_outlay_fen(const cradle::ScenarioResults& s, std::size_t r, std::size_t y, std::size_t p) {
  std::int64_t fen = 0;
  for (std::size_t m = 0; m < s.n_measures(); ++m) fen += s.outlay_fen[s.outlay_index(r, y, m, p)];
  return fen;
}

// Every dataset in `group` is described, and every axis of every non-scale
// dataset has exactly one dimension scale: what xarray's h5netcdf engine needs.
void check_described_and_scaled(const Handle& file, const std::string& group_path) {
  Handle group = cradle::h5::open_group(file, group_path);
  int datasets = 0;
  for (const std::string& name : member_names(group)) {
    if (!is_dataset(group, name)) continue;
    ++datasets;
    INFO(group_path << "/" << name);
    Handle dataset = cradle::h5::open_dataset(group, name);
    CHECK(has_attribute(dataset, "units"));
    CHECK(has_attribute(dataset, "long_name"));
    if (H5DSis_scale(dataset.id()) > 0) continue;
    const std::vector<hsize_t> dims = shape(dataset);
    for (unsigned axis = 0; axis < dims.size(); ++axis) {
      INFO("axis " << axis);
      CHECK(H5DSget_num_scales(dataset.id(), axis) == 1);
    }
  }
  CHECK(datasets > 0);
}

}  // namespace

TEST_CASE("quantile matches numpy's default (type 7)", "[output][summary]") {
  const std::vector<double> sample{4, 1, 3, 2};
  CHECK(cradle::quantile(sample, 0.05) == Approx(1.15));
  CHECK(cradle::quantile(sample, 0.5) == Approx(2.5));
  CHECK(cradle::quantile(sample, 0.95) == Approx(3.85));
  CHECK(cradle::quantile(sample, 0.0) == 1.0);
  CHECK(cradle::quantile(sample, 1.0) == 4.0);
  CHECK(cradle::quantile({7.0}, 0.3) == 7.0);
  CHECK(cradle::mean(sample) == 2.5);
  CHECK_THROWS_AS(cradle::quantile({}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(cradle::quantile(sample, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(cradle::mean({}), std::invalid_argument);
}

TEST_CASE("summarise gives mean, SD, SE and the quantiles quantile() gives, bit for bit", "[output][summary]") {
  const std::vector<double> sample{0.1, 7.25, 3.3, 1e6, -2.5, 3.3, 11.0};
  const std::vector<double> levels{0.05, 0.5, 0.95, 0.0, 1.0};
  const cradle::Summary summary = cradle::summarise(sample, levels);
  CHECK(summary.n == sample.size());
  CHECK(summary.mean == cradle::mean(sample));
  for (std::size_t i = 0; i < levels.size(); ++i) CHECK(summary.quantiles[i] == cradle::quantile(sample, levels[i]));
  const cradle::Summary small = cradle::summarise({1, 2, 3, 4}, {});
  CHECK(small.sd == Approx(std::sqrt(5.0 / 3.0)));
  CHECK(small.se == Approx(std::sqrt(5.0 / 3.0) / 2.0));
  CHECK(std::isnan(cradle::summarise({7.0}, {0.5}).sd));
  CHECK_THROWS_AS(cradle::summarise({}, {0.5}), std::invalid_argument);
  CHECK_THROWS_AS(cradle::summarise(sample, {}, 0), std::invalid_argument);
}

TEST_CASE("summarise over clusters of replications: the cluster-robust SE, the rest unchanged", "[output][summary]") {
  const std::vector<double> sample{1, 2, 3, 4, 5, 6};  // mean 3.5
  const cradle::Summary one = cradle::summarise(sample, {0.05, 0.95}, 1);
  CHECK(one.se == Approx(std::sqrt(3.5 / 6.0)));  // sd^2 = 17.5 / 5
  // Pairs: deviations -4, 0 and 4 a cluster; se^2 = 3/2 * 32 / 36.
  const cradle::Summary pairs = cradle::summarise(sample, {0.05, 0.95}, 2);
  CHECK(pairs.se == Approx(std::sqrt(1.5 * 32.0) / 6.0));
  CHECK(pairs.mean == one.mean);
  CHECK(pairs.sd == one.sd);
  CHECK(pairs.quantiles == one.quantiles);
  // Fours, the last cluster short: deviations -4 and 4; se^2 = 2 * 32 / 36.
  CHECK(cradle::summarise(sample, {}, 4).se == Approx(8.0 / 6.0));
  // A cluster whose values cancel adds nothing: (1, 6), (2, 5), (3, 4) in that order.
  CHECK(cradle::summarise({1, 6, 2, 5, 3, 4}, {}, 2).se == Approx(0.0).margin(1e-12));
  CHECK(std::isnan(cradle::summarise(sample, {}, 6).se));  // one cluster
  CHECK(std::isnan(cradle::summarise(sample, {}, 10).se));
  CHECK_THROWS_AS(cradle::summarise(sample, {-0.1}), std::invalid_argument);
}

TEST_CASE("results file holds the layout and values of format 1.1", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  const cradle::RunResults results = make_results();
  cradle::write_results(target, results);
  REQUIRE(fs::exists(target));
  CHECK_FALSE(has_temporary(dir.path));

  Handle file = cradle::h5::open_file(target);
  Handle root = cradle::h5::open_group(file, "/");

  SECTION("root and runtime attributes") {
    CHECK(cradle::h5::read_string_attribute(root, "filetype") == "cradle.results");
    CHECK(read_int_attribute(root, "format_version") == std::vector<std::int32_t>{1, 7});
    CHECK(read_scalar_attribute<std::int64_t>(root, "replications_per_population", H5T_NATIVE_INT64) == 1);
    CHECK(cradle::h5::read_string_attribute(root, "git_revision") == "0123456789ab");
    CHECK(read_scalar_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64) == 42);
    CHECK(read_scalar_attribute<std::int64_t>(root, "replications", H5T_NATIVE_INT64) == 2);
    CHECK(read_scalar_attribute<std::int64_t>(root, "persons", H5T_NATIVE_INT64) == 2900);
    Handle runtime = cradle::h5::open_group(file, "runtime");
    CHECK(read_scalar_attribute<double>(runtime, "simulation_seconds", H5T_NATIVE_DOUBLE) == 1.25);
    CHECK(read_scalar_attribute<double>(runtime, "writing_seconds", H5T_NATIVE_DOUBLE) > 0.0);
    CHECK(cradle::h5::read_string_attribute(runtime, "units") == "s");
    Handle scenario = cradle::h5::open_group(file, "scenarios/base");
    CHECK(cradle::h5::read_string_attribute(scenario, "title") == "Baseline");
    CHECK(cradle::h5::read_string_attribute(scenario, "scenario_text") == results.scenarios[0].resolved_text);
  }

  SECTION("outlay in yuan is fen / 100, outlay_fen is exact") {
    const auto yuan = read_values<double>(file, "scenarios/base/outlay", H5T_NATIVE_DOUBLE);
    const auto fen = read_values<std::int64_t>(file, "scenarios/base/outlay_fen", H5T_NATIVE_INT64);
    CHECK(shape(cradle::h5::open_dataset(file, "scenarios/base/outlay")) == std::vector<hsize_t>{2, 2, 2, 2});
    REQUIRE(yuan.size() == 16);
    REQUIRE(fen.size() == 16);
    const cradle::ScenarioResults& s = results.scenarios[0];
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t m = 0; m < 2; ++m)
          for (std::size_t p = 0; p < 2; ++p) {
            const std::size_t i = s.outlay_index(r, y, m, p);
            CHECK(fen[i] == known_fen(r, y, m, p));
            CHECK(yuan[i] == static_cast<double>(known_fen(r, y, m, p)) / 100.0);
          }
  }

  SECTION("axes and other arrays") {
    CHECK(read_values<std::int32_t>(file, "scenarios/base/year", H5T_NATIVE_INT32) ==
          std::vector<std::int32_t>{2025, 2026});
    CHECK(read_values<std::int32_t>(file, "scenarios/base/replication", H5T_NATIVE_INT32) ==
          std::vector<std::int32_t>{0, 1});
    CHECK(read_values<std::int32_t>(file, "scenarios/base/birth_order", H5T_NATIVE_INT32) ==
          std::vector<std::int32_t>{1, 2, 3});
    CHECK(read_strings(file, "scenarios/base/measure") == std::vector<std::string>{"child_cash", "operating_subsidy"});
    CHECK(read_strings(file, "scenarios/base/payer") == std::vector<std::string>{"china", "jiangxi"});
    CHECK(read_strings(file, "scenarios/base/caseload_unit") ==
          std::vector<std::string>{"child-months", "place-months"});
    CHECK(read_strings(file, "scenarios/base/summary/measure") ==
          std::vector<std::string>{"child_cash", "operating_subsidy"});
    CHECK(read_values<std::int64_t>(file, "scenarios/base/births", H5T_NATIVE_INT64) == results.scenarios[0].births);
    CHECK(read_values<std::int64_t>(file, "scenarios/base/caseload", H5T_NATIVE_INT64) ==
          results.scenarios[0].caseload);
    CHECK(read_values<double>(file, "scenarios/base/children_under3", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{100.0, 100.0, 101.0, 101.0});
    CHECK(read_values<double>(file, "scenarios/base/childcare_enrolled", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{20.0, 20.5, 20.0, 20.5});
    CHECK(read_values<double>(file, "scenarios/base/childcare_demand", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{21.0, 22.0, 21.0, 22.0});
    CHECK(read_values<double>(file, "scenarios/base/childcare_unmet", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{1.0, 1.5, 1.0, 1.5});
  }

  SECTION("summary over replications") {
    const auto means = read_values<double>(file, "scenarios/base/summary/outlay_mean", H5T_NATIVE_DOUBLE);
    const auto p05 = read_values<double>(file, "scenarios/base/summary/outlay_p05", H5T_NATIVE_DOUBLE);
    const auto p50 = read_values<double>(file, "scenarios/base/summary/outlay_p50", H5T_NATIVE_DOUBLE);
    const auto p95 = read_values<double>(file, "scenarios/base/summary/outlay_p95", H5T_NATIVE_DOUBLE);
    REQUIRE(means.size() == 8);
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t m = 0; m < 2; ++m)
        for (std::size_t p = 0; p < 2; ++p) {
          const std::size_t i = (y * 2 + m) * 2 + p;
          // Replication 1 is 1000 fen (10 yuan) above replication 0.
          const double low = static_cast<double>(known_fen(0, y, m, p)) / 100.0;
          CHECK(means[i] == Approx(low + 5.0));
          CHECK(p50[i] == Approx(low + 5.0));
          CHECK(p05[i] == Approx(low + 0.5));
          CHECK(p95[i] == Approx(low + 9.5));
        }
  }

  SECTION("1.1: payer labels along payer") {
    CHECK(read_strings(file, "scenarios/base/payer_level") == std::vector<std::string>{"central", "province"});
    CHECK(read_strings(file, "scenarios/base/payer_name") ==
          std::vector<std::string>{"中国 China", "江西省 Jiangxi province"});
    for (const char* group : {"scenarios/base/", "scenarios/base/summary/"}) {
      INFO(group);
      for (const char* label : {"payer_level", "payer_name"}) {
        CHECK(attached(file, std::string(group) + label, std::string(group) + "payer", 0));
      }
    }
    CHECK(attribute_text(file, "scenarios/base/outlay", "coordinates") ==
          "measure_kind measure_title measure_source caseload_unit measure_provenance payer_level payer_name");
    CHECK(attribute_text(file, "scenarios/base/budget_share", "coordinates") == "payer_level payer_name");
    CHECK(attribute_text(file, "scenarios/base/summary/budget_share_mean", "coordinates") == "payer_level payer_name");
  }

  SECTION("1.1: budget, budget outlay and budget share, exact from fen") {
    const cradle::ScenarioResults& s = results.scenarios[0];
    CHECK(shape_of(file, "scenarios/base/budget") == std::vector<hsize_t>{2, 2});
    CHECK(shape_of(file, "scenarios/base/budget_outlay") == std::vector<hsize_t>{2, 2, 2});
    CHECK(shape_of(file, "scenarios/base/budget_share") == std::vector<hsize_t>{2, 2, 2});
    CHECK(attribute_text(file, "scenarios/base/budget", "units") == "CNY");
    CHECK(attribute_text(file, "scenarios/base/budget_outlay", "units") == "CNY");
    CHECK(attribute_text(file, "scenarios/base/budget_share", "units") == "1");
    const auto budget = read_values<double>(file, "scenarios/base/budget", H5T_NATIVE_DOUBLE);
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t p = 0; p < 2; ++p)
        CHECK(budget[y * 2 + p] == static_cast<double>(known_budget_fen[y][p]) / 100.0);
    const auto outlay = read_values<double>(file, "scenarios/base/budget_outlay", H5T_NATIVE_DOUBLE);
    const auto share = read_values<double>(file, "scenarios/base/budget_share", H5T_NATIVE_DOUBLE);
    REQUIRE(share.size() == 8);
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t y = 0; y < 2; ++y)
        for (std::size_t p = 0; p < 2; ++p) {
          const std::size_t i = (r * 2 + y) * 2 + p;
          const std::int64_t fen = budget_outlay_fen(s, r, y, p);
          CHECK(fen == known_fen(r, y, 0, p) + known_fen(r, y, 1, p));
          CHECK(outlay[i] == static_cast<double>(fen) / 100.0);
          // Exactly, not approximately: one division of the two exact fen amounts.
          CHECK(share[i] == static_cast<double>(fen) / static_cast<double>(known_budget_fen[y][p]));
          CHECK(share[i] == Approx(outlay[i] / budget[y * 2 + p]).epsilon(1e-14));
        }
    // The two payers' budgets differ by a factor ~57000, and so do their shares.
    CHECK(share[1] / share[0] > 50'000.0);
  }

  SECTION("1.1: kindergarten, childcare places and residents") {
    CHECK(read_values<double>(file, "scenarios/base/kindergarten_enrolled", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{30.0, 30.25, 31.0, 31.25});
    CHECK(attribute_text(file, "scenarios/base/kindergarten_enrolled", "units") == "children");
    CHECK(attribute_text(file, "scenarios/base/kindergarten_enrolled", "long_name") ==
          "children enrolled in kindergarten (average of monthly counts)");
    CHECK(stored_as(file, "scenarios/base/childcare_slots", H5T_STD_I64LE));
    CHECK(stored_as(file, "scenarios/base/persons", H5T_STD_I64LE));
    CHECK(read_values<std::int64_t>(file, "scenarios/base/childcare_slots", H5T_NATIVE_INT64) ==
          std::vector<std::int64_t>{500, 650});
    CHECK(read_values<std::int64_t>(file, "scenarios/base/persons", H5T_NATIVE_INT64) ==
          std::vector<std::int64_t>{100'000, 100'400});
    CHECK(attribute_text(file, "scenarios/base/childcare_slots", "units") == "places");
    CHECK(attribute_text(file, "scenarios/base/persons", "units") == "persons");
    CHECK(attribute_text(file, "scenarios/base/slots_per_1000", "units") == "places per 1000 residents");
    CHECK(read_values<double>(file, "scenarios/base/slots_per_1000", H5T_NATIVE_DOUBLE) ==
          std::vector<double>{5.0, 650.0 * 1000.0 / 100'400.0});
    CHECK(attached(file, "scenarios/base/slots_per_1000", "scenarios/base/year", 0));
  }

  SECTION("1.1: separate ledgers, on their own axis and never in outlay") {
    const cradle::ScenarioResults& s = results.scenarios[0];
    for (const char* group : {"scenarios/base/", "scenarios/base/summary/"}) {
      INFO(group);
      const std::string g = group;
      CHECK(read_strings(file, g + "ledger_measure") == std::vector<std::string>{"maternity_benefit"});
      CHECK(read_strings(file, g + "ledger_kind") == std::vector<std::string>{"insurance_fund"});
      CHECK(read_strings(file, g + "ledger_title") == std::vector<std::string>{"Maternity benefit"});
      CHECK(read_strings(file, g + "ledger_source") == std::vector<std::string>{"c.md art. 2"});
      CHECK(read_strings(file, g + "ledger_caseload_unit") == std::vector<std::string>{"births"});
      for (const char* label : {"ledger_kind", "ledger_title", "ledger_source", "ledger_caseload_unit"}) {
        CHECK(attached(file, g + label, g + "ledger_measure", 0));
      }
      // The budget measure axis holds budget measures only.
      CHECK(read_strings(file, g + "measure") == std::vector<std::string>{"child_cash", "operating_subsidy"});
    }
    CHECK(shape_of(file, "scenarios/base/outlay") == std::vector<hsize_t>{2, 2, 2, 2});
    for (const char* name : {"ledger_amount", "ledger_amount_fen", "ledger_caseload"}) {
      INFO(name);
      const std::string path = std::string("scenarios/base/") + name;
      CHECK(shape_of(file, path) == std::vector<hsize_t>{2, 2, 1});
      CHECK(attached(file, path, "scenarios/base/replication", 0));
      CHECK(attached(file, path, "scenarios/base/year", 1));
      CHECK(attached(file, path, "scenarios/base/ledger_measure", 2));
      CHECK(attribute_text(file, path, "coordinates") == "ledger_kind ledger_title ledger_source ledger_caseload_unit ledger_provenance");
    }
    for (const char* name : {"ledger_amount", "ledger_amount_fen", "summary/ledger_amount_mean"}) {
      INFO(name);
      const std::string long_name = attribute_text(file, std::string("scenarios/base/") + name, "long_name");
      CHECK_THAT(long_name, Catch::Contains("NOT general public budget outlay") && Catch::Contains("insurance fund") &&
                                Catch::Contains("revenue forgone") && Catch::Contains("provident fund") &&
                                Catch::Contains("leave") &&
                                Catch::Contains("never included in outlay or budget_outlay"));
    }
    CHECK(attribute_text(file, "scenarios/base/ledger_amount", "units") == "CNY");
    CHECK(attribute_text(file, "scenarios/base/ledger_amount_fen", "units") == "fen");
    CHECK(stored_as(file, "scenarios/base/ledger_amount_fen", H5T_STD_I64LE));
    CHECK(stored_as(file, "scenarios/base/ledger_caseload", H5T_STD_I64LE));
    CHECK(read_values<std::int64_t>(file, "scenarios/base/ledger_amount_fen", H5T_NATIVE_INT64) == s.ledger_fen);
    CHECK(read_values<std::int64_t>(file, "scenarios/base/ledger_caseload", H5T_NATIVE_INT64) == s.ledger_caseload);
    const auto amount = read_values<double>(file, "scenarios/base/ledger_amount", H5T_NATIVE_DOUBLE);
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t y = 0; y < 2; ++y)
        CHECK(amount[r * 2 + y] == static_cast<double>(known_ledger_fen(r, y)) / 100.0);
  }

  SECTION("1.1: summary of budget outlay, budget share and ledgers") {
    const cradle::ScenarioResults& s = results.scenarios[0];
    for (const char* name : {"budget_outlay", "budget_share"}) {
      for (const char* statistic : {"_mean", "_p05", "_p50", "_p95"}) {
        const std::string path = std::string("scenarios/base/summary/") + name + statistic;
        INFO(path);
        CHECK(shape_of(file, path) == std::vector<hsize_t>{2, 2});
        CHECK(attached(file, path, "scenarios/base/summary/payer", 1));
      }
    }
    const auto share_mean = read_values<double>(file, "scenarios/base/summary/budget_share_mean", H5T_NATIVE_DOUBLE);
    const auto share_p95 = read_values<double>(file, "scenarios/base/summary/budget_share_p95", H5T_NATIVE_DOUBLE);
    const auto outlay_p05 = read_values<double>(file, "scenarios/base/summary/budget_outlay_p05", H5T_NATIVE_DOUBLE);
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t p = 0; p < 2; ++p) {
        const double budget = static_cast<double>(known_budget_fen[y][p]);
        const double low = static_cast<double>(budget_outlay_fen(s, 0, y, p));
        const double high = static_cast<double>(budget_outlay_fen(s, 1, y, p));
        CHECK(share_mean[y * 2 + p] == Approx((low / budget + high / budget) / 2).epsilon(1e-14));
        CHECK(share_p95[y * 2 + p] == Approx(low / budget + 0.95 * (high - low) / budget).epsilon(1e-12));
        CHECK(outlay_p05[y * 2 + p] == Approx((low + 0.05 * (high - low)) / 100.0));
      }
    for (const char* statistic : {"_mean", "_p05", "_p50", "_p95"}) {
      const std::string path = std::string("scenarios/base/summary/ledger_amount") + statistic;
      INFO(path);
      CHECK(shape_of(file, path) == std::vector<hsize_t>{2, 1});
      CHECK(attached(file, path, "scenarios/base/summary/ledger_measure", 1));
    }
    const auto ledger_mean = read_values<double>(file, "scenarios/base/summary/ledger_amount_mean", H5T_NATIVE_DOUBLE);
    CHECK(ledger_mean[1] == Approx(static_cast<double>(known_ledger_fen(0, 1) + known_ledger_fen(1, 1)) / 200.0));
  }

  SECTION("every dataset has units and long_name, every axis a dimension scale") {
    check_described_and_scaled(file, "scenarios/base");
    check_described_and_scaled(file, "scenarios/base/summary");
  }

  SECTION("each axis of outlay is attached to its scale") {
    Handle outlay = cradle::h5::open_dataset(file, "scenarios/base/outlay");
    const char* axes[] = {"replication", "year", "measure", "payer"};
    for (unsigned axis = 0; axis < 4; ++axis) {
      INFO(axes[axis]);
      Handle scale = cradle::h5::open_dataset(file, std::string("scenarios/base/") + axes[axis]);
      CHECK(H5DSis_scale(scale.id()) > 0);
      CHECK(H5DSget_num_scales(outlay.id(), axis) == 1);
      CHECK(H5DSis_attached(outlay.id(), scale.id(), axis) > 0);
    }
    Handle mean = cradle::h5::open_dataset(file, "scenarios/base/summary/outlay_mean");
    Handle year = cradle::h5::open_dataset(file, "scenarios/base/summary/year");
    CHECK(H5DSis_attached(mean.id(), year.id(), 0) > 0);
  }
}

TEST_CASE("outlay by provenance of its amount sums exactly to the outlay, each measure in its own", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  const cradle::RunResults results = make_results();
  cradle::write_results(target, results);
  Handle file = cradle::h5::open_file(target);
  const auto by = read_values<std::int64_t>(file, "scenarios/base/outlay_by_provenance_fen", H5T_NATIVE_INT64);
  REQUIRE(read_strings(file, "scenarios/base/provenance") == cradle::PROVENANCES);
  CHECK(read_strings(file, "scenarios/base/measure_provenance") == std::vector<std::string>{"stated", "assumed"});
  CHECK(read_strings(file, "scenarios/base/ledger_provenance") == std::vector<std::string>{"derived"});
  // [replication][year][provenance][payer]: the stated measure (0) alone is stated, the
  // assumed one (1) alone assumed, nothing derived; the sum is the outlay to the fen.
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t p = 0; p < 2; ++p) {
        auto at = [&](std::size_t k) { return by[((r * 2 + y) * 3 + k) * 2 + p]; };
        CHECK(at(0) == known_fen(r, y, 0, p));
        CHECK(at(1) == 0);
        CHECK(at(2) == known_fen(r, y, 1, p));
        CHECK(at(0) + at(1) + at(2) == known_fen(r, y, 0, p) + known_fen(r, y, 1, p));
      }
}

TEST_CASE("a zero budget or population gives NaN ratios, not a failure", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  s.budget_fen[s.budget_index(1, 1)] = 0;
  s.persons[0] = 0;
  cradle::write_results(target, results);
  Handle file = cradle::h5::open_file(target);
  CHECK(read_values<double>(file, "scenarios/base/budget", H5T_NATIVE_DOUBLE)[3] == 0.0);
  const auto share = read_values<double>(file, "scenarios/base/budget_share", H5T_NATIVE_DOUBLE);
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t i = 0; i < 4; ++i) {
      INFO("replication " << r << ", year and payer " << i);
      CHECK(std::isnan(share[r * 4 + i]) == (i == 3));
    }
  for (const char* statistic : {"_mean", "_p05", "_p50", "_p95"}) {
    INFO(statistic);
    const auto summary =
        read_values<double>(file, std::string("scenarios/base/summary/budget_share") + statistic, H5T_NATIVE_DOUBLE);
    CHECK(std::isnan(summary[3]));
    CHECK_FALSE(std::isnan(summary[2]));
  }
  const auto per_1000 = read_values<double>(file, "scenarios/base/slots_per_1000", H5T_NATIVE_DOUBLE);
  CHECK(std::isnan(per_1000[0]));
  CHECK(per_1000[1] == 650.0 * 1000.0 / 100'400.0);
}

namespace {

// The datasets of `group_path` in `file` are exactly the table's entries of `group`: each dataset
// is an entry (or matches its name pattern), and each entry is written (a pattern at least once).
void check_datasets_are_the_table(const Handle& file, const std::string& group_path, cradle::VariableGroup group) {
  Handle handle = cradle::h5::open_group(file, group_path);
  std::vector<const cradle::Variable*> entries;
  for (const cradle::Variable& variable : cradle::results_variables()) {
    if (variable.group == group) entries.push_back(&variable);
  }
  std::vector<bool> written(entries.size(), false);
  for (const std::string& name : member_names(handle)) {
    if (!is_dataset(handle, name)) continue;
    INFO(group_path << "/" << name << " is written but not in output/variables.cpp");
    bool known = false;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      if (!cradle::match_name(entries[i]->name, name)) continue;
      written[i] = known = true;
    }
    CHECK(known);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    INFO(group_path << "/" << entries[i]->name << " is in output/variables.cpp but not written");
    CHECK(written[i]);
  }
}

}  // namespace

TEST_CASE("the datasets of a written file are exactly the results variable table's", "[output][hdf5][format]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  cradle::write_results(target, make_results());
  Handle file = cradle::h5::open_file(target);
  check_datasets_are_the_table(file, "base_population", cradle::VariableGroup::base_population);
  check_datasets_are_the_table(file, "scenarios/base", cradle::VariableGroup::scenario);
  check_datasets_are_the_table(file, "scenarios/base/summary", cradle::VariableGroup::summary);
  // Units and long_name as the table gives them (its {} filled where the writer fills it).
  CHECK(attribute_text(file, "scenarios/base/outlay", "units") == "CNY");
  CHECK(attribute_text(file, "scenarios/base/summary/budget_share_p05", "long_name") ==
        cradle::find_variable(cradle::VariableGroup::summary, "budget_share_p05").long_name);
  CHECK(attribute_text(file, "base_population/households_by_registration", "long_name") ==
        "households by household registration");
  CHECK(attribute_text(file, "scenarios/base/birth_order", "long_name") == "birth order (3 stands for 3 and higher)");
  CHECK(attribute_text(file, "scenarios/base/ledger_amount", "coordinates") ==
        "ledger_kind ledger_title ledger_source ledger_caseload_unit ledger_provenance");
}

TEST_CASE("zero-length measure, payer and ledger axes still make a complete file", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  cradle::write_results(target, make_empty_axes_results());
  Handle file = cradle::h5::open_file(target);
  const struct {
    const char* path;
    std::vector<hsize_t> dims;
  } expected[] = {
      {"scenarios/base/outlay", {2, 2, 0, 0}},
      {"scenarios/base/payer", {0}},
      {"scenarios/base/payer_level", {0}},
      {"scenarios/base/ledger_measure", {0}},
      {"scenarios/base/ledger_kind", {0}},
      {"scenarios/base/budget", {2, 0}},
      {"scenarios/base/budget_outlay", {2, 2, 0}},
      {"scenarios/base/budget_share", {2, 2, 0}},
      {"scenarios/base/ledger_amount", {2, 2, 0}},
      {"scenarios/base/ledger_amount_fen", {2, 2, 0}},
      {"scenarios/base/ledger_caseload", {2, 2, 0}},
      {"scenarios/base/kindergarten_enrolled", {2, 2}},
      {"scenarios/base/childcare_slots", {2}},
      {"scenarios/base/summary/budget_share_mean", {2, 0}},
      {"scenarios/base/summary/ledger_amount_p95", {2, 0}},
      {"scenarios/base/summary/outlay_mean", {2, 0, 0}},
  };
  for (const auto& dataset : expected) {
    INFO(dataset.path);
    CHECK(shape_of(file, dataset.path) == dataset.dims);
  }
  check_described_and_scaled(file, "scenarios/base");
  check_described_and_scaled(file, "scenarios/base/summary");
}

namespace {

// Runs tests/check_results_xarray.py --file on the files; skips (with a warning)
// where the system Python or its h5py/xarray is missing.
void check_in_xarray(const TempDir& dir, const std::vector<fs::path>& files) {
  const fs::path python = "/usr/bin/python3";
  const fs::path script = fs::path(__FILE__).parent_path() / "check_results_xarray.py";
  if (!fs::exists(python) || !fs::exists(script)) {
    WARN("skipped: no " << python << " or no " << script);
    return;
  }
  const fs::path log = dir.path / "xarray.log";
  std::string command = python.string() + " '" + script.string() + "' --file";
  for (const fs::path& file : files) command += " '" + file.string() + "'";
  command += " > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(status != -1);
  REQUIRE(WIFEXITED(status));
  const int code = WEXITSTATUS(status);
  if (code == 77) {
    WARN("skipped: " << file_bytes(log));
    return;
  }
  INFO(command << "\n" << file_bytes(log));
  CHECK(code == 0);
}

}  // namespace

TEST_CASE("xarray opens the file and its checks pass, with zero-length axes and NaN shares too", "[output][xarray]") {
  TempDir dir;
  cradle::RunResults zero_budget = make_results();
  zero_budget.scenarios[0].budget_fen[1] = 0;
  zero_budget.scenarios[0].persons[1] = 0;
  const std::vector<fs::path> files = {dir.path / "full.h5", dir.path / "empty_axes.h5", dir.path / "zero_budget.h5"};
  cradle::write_results(files[0], make_results());
  cradle::write_results(files[1], make_empty_axes_results());
  cradle::write_results(files[2], zero_budget);
  check_in_xarray(dir, files);
}

TEST_CASE("write_results into a missing directory throws and leaves nothing", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "no_such_directory" / "results.h5";
  CHECK_THROWS_AS(cradle::write_results(target, make_results()), std::runtime_error);
  CHECK_FALSE(fs::exists(dir.path / "no_such_directory"));
  CHECK_FALSE(has_temporary(dir.path));
}

TEST_CASE("write_results replaces an existing file only on success", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  cradle::write_results(target, make_results());
  const std::string before = file_bytes(target);
  REQUIRE_FALSE(before.empty());

  SECTION("a successful write replaces it") {
    cradle::RunResults second = make_results();
    second.seed = 99;
    cradle::write_results(target, second);
    Handle file = cradle::h5::open_file(target);
    Handle root = cradle::h5::open_group(file, "/");
    CHECK(read_scalar_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64) == 99);
    CHECK_FALSE(has_temporary(dir.path));
  }

  SECTION("inconsistent sizes are refused before the target is touched") {
    cradle::RunResults bad = make_results();
    bad.scenarios[0].outlay_fen.pop_back();
    CHECK_THROWS_AS(cradle::write_results(target, bad), std::runtime_error);
    CHECK(file_bytes(target) == before);
    CHECK_FALSE(has_temporary(dir.path));
  }

  SECTION("other inconsistencies are refused too") {
    cradle::RunResults bad = make_results();
    SECTION("duplicate scenario") { bad.scenarios.push_back(bad.scenarios[0]); }
    SECTION("replications disagree") { bad.scenarios[0].replications = 3; }
    SECTION("id with a slash") { bad.scenarios[0].id = "a/b"; }
    SECTION("invalid UTF-8") { bad.scenarios[0].title = "\xff"; }
    SECTION("duplicate payer") {
      bad.scenarios[0].payers[1] = "china";
      bad.scenarios[0].payer_labels[1].id = "china";
    }
    SECTION("payer labels missing") { bad.scenarios[0].payer_labels.pop_back(); }
    SECTION("payer labels out of order") {
      std::swap(bad.scenarios[0].payer_labels[0], bad.scenarios[0].payer_labels[1]);
    }
    SECTION("payer name not UTF-8") { bad.scenarios[0].payer_labels[0].name = "\xc3"; }
    SECTION("a ledger measure booked to the budget") { bad.scenarios[0].ledger_measures[0].ledger = "budget"; }
    SECTION("a ledger measure with no ledger") { bad.scenarios[0].ledger_measures[0].ledger.clear(); }
    SECTION("a budget measure booked to a separate ledger") { bad.scenarios[0].measures[0].ledger = "leave"; }
    SECTION("duplicate ledger measure") {
      cradle::ScenarioResults& s = bad.scenarios[0];
      s.ledger_measures.push_back(s.ledger_measures[0]);
      s.ledger_fen.resize(s.ledger_fen.size() * 2);
      s.ledger_caseload.resize(s.ledger_caseload.size() * 2);
    }
    SECTION("a measure both in the budget and a ledger") { bad.scenarios[0].ledger_measures[0].id = "child_cash"; }
    SECTION("kindergarten_enrolled_months short") { bad.scenarios[0].kindergarten_enrolled_months.pop_back(); }
    SECTION("budget_fen short") { bad.scenarios[0].budget_fen.pop_back(); }
    SECTION("childcare_slots short") { bad.scenarios[0].childcare_slots.pop_back(); }
    SECTION("persons long") { bad.scenarios[0].persons.push_back(1); }
    SECTION("ledger_fen short") { bad.scenarios[0].ledger_fen.pop_back(); }
    SECTION("ledger_caseload short") { bad.scenarios[0].ledger_caseload.pop_back(); }
    SECTION("negative budget") { bad.scenarios[0].budget_fen[1] = -1; }
    SECTION("negative persons") { bad.scenarios[0].persons[0] = -1; }
    SECTION("outlay summed over measures overflows") {
      cradle::ScenarioResults& s = bad.scenarios[0];
      for (std::size_t m = 0; m < 2; ++m) s.outlay_fen[s.outlay_index(1, 1, m, 0)] = INT64_MAX / 2 + 1;
    }
    CHECK_THROWS_AS(cradle::write_results(target, bad), std::runtime_error);
    CHECK(file_bytes(target) == before);
    CHECK_FALSE(has_temporary(dir.path));
  }
}

TEST_CASE("a failure after the temporary is written removes it", "[output][hdf5]") {
  // Renaming a file over a non-empty directory fails only at the last step.
  TempDir dir;
  const fs::path target = dir.path / "results.h5";
  fs::create_directory(target);
  std::ofstream(target / "keep") << "x";
  CHECK_THROWS_AS(cradle::write_results(target, make_results()), std::runtime_error);
  CHECK(fs::is_directory(target));
  CHECK(fs::exists(target / "keep"));
  CHECK_FALSE(has_temporary(dir.path));
}

TEST_CASE("h5 layer names the object in its errors", "[output][hdf5]") {
  TempDir dir;
  Handle file = cradle::h5::create_file(dir.path / "x.h5");
  Handle group = cradle::h5::create_group(file, "g");
  try {
    cradle::h5::create_group(file, "g");
    FAIL("creating a group twice should throw");
  } catch (const std::runtime_error& error) {
    CHECK_THAT(error.what(), Catch::Contains("'/g'"));
  }
  CHECK_THROWS_AS(cradle::h5::write_dataset(group, "d", std::vector<double>{1, 2, 3}, {2}), std::runtime_error);
}

namespace {

//! Every outlay cell of replication 0 set to `first` fen, of replication 1 to `second`.
void set_outlays(cradle::ScenarioResults& s, std::int64_t first, std::int64_t second) {
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t m = 0; m < 2; ++m)
        for (std::size_t p = 0; p < 2; ++p) s.outlay_fen[s.outlay_index(r, y, m, p)] = r == 0 ? first : second;
}

}  // namespace

namespace {

// The line of `text` that starts (after indentation) with `label`; empty if none.
std::string line_of(const std::string& text, const std::string& label) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, label.size(), label) == 0) return line;
  }
  return {};
}

//! The whitespace-separated fields of `line`.
std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

}  // namespace

TEST_CASE("print_summary reports money in the unit asked per year, measure and payer", "[output][report]") {
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  // 1.5 million yuan per cell in replication 0, 2.5 million in replication 1.
  set_outlays(s, 150'000'000, 250'000'000);
  std::ostringstream out;
  cradle::print_summary(out, results, cradle::MoneyUnit::wan);
  const std::string text = out.str();
  CHECK_THAT(text, Catch::Contains("money in 10,000 yuan (wan)"));
  CHECK_THAT(text, Catch::Contains("Scenario base: Baseline"));
  CHECK_THAT(text, Catch::Contains("2026"));
  CHECK_THAT(text, Catch::Contains("child_cash"));
  CHECK_THAT(text, Catch::Contains("jiangxi (province)"));
  // Total per replication is 6 and 10 million yuan: mean 800 wan, band 620 to 980.
  CHECK_THAT(line_of(text, "Total"),
             Catch::Contains("800.00") && Catch::Contains("620.00") && Catch::Contains("980.00"));
  // The same in yi (100 million yuan), at four decimals.
  std::ostringstream in_yi;
  cradle::print_summary(in_yi, results, cradle::MoneyUnit::yi);
  CHECK_THAT(in_yi.str(), Catch::Contains("money in 100 million yuan (yi)"));
  CHECK_THAT(line_of(in_yi.str(), "Total"), Catch::Contains("0.0800") && Catch::Contains("0.0980"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
}

TEST_CASE("print_summary reports budget shares, separate ledgers, kindergarten and places", "[output][report]") {
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  // Each payer pays 3 million yuan (replication 0) or 5 million (replication 1): mean 4 million,
  // 1 ppm of a 4-trillion budget and 1 % of a 400-million one.
  set_outlays(s, 150'000'000, 250'000'000);
  for (std::size_t y = 0; y < 2; ++y) {
    s.budget_fen[s.budget_index(y, 0)] = 400'000'000'000'000;
    s.budget_fen[s.budget_index(y, 1)] = 40'000'000'000;
  }
  std::ostringstream out;
  cradle::print_summary(out, results, cradle::MoneyUnit::wan);
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("Budget share by payer"));
  const std::string china = line_of(text, "china (central), ppm");
  const std::string jiangxi = line_of(text, "jiangxi (province), %");
  CHECK_THAT(china, Catch::Contains(" 1.00 "));
  CHECK_THAT(jiangxi, Catch::Contains(" 1.00 "));
  CHECK_THAT(text, Catch::Contains("Separate ledgers (not budget outlay)"));
  CHECK_THAT(text, Catch::Contains("insurance_fund"));
  // 50,000.01 yuan in replication 0, 50,100.01 in 1: 5.00 and 5.01 wan, mean 5.01 (5.005 rounded).
  const std::vector<std::string> benefit = fields_of(line_of(text, "maternity_benefit"));
  REQUIRE(benefit.size() == 4);
  CHECK(benefit[1] == "5.01");
  CHECK(benefit[2] == "5.00");
  CHECK_THAT(line_of(text, "Kindergarten enrolled (avg of months)"), Catch::Contains("31"));
  CHECK_THAT(line_of(text, "Childcare places"), Catch::Contains(" 500"));
  CHECK_THAT(line_of(text, "Childcare places per 1000 residents"), Catch::Contains("5.00"));
  // Ledgers are not in the budget total: still 6 and 10 million yuan per replication.
  CHECK_THAT(line_of(text, "Total"), Catch::Contains("800.00"));
}

TEST_CASE("print_summary keeps long measure ids whole within 100 columns", "[output][report]") {
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  const std::string long_id = "xihu_inclusive_childcare_operating_subsidy";
  const std::string longer_id =
      "housing_provident_fund_extra_loan_quota_for_families_with_two_or_more_children_under_18";
  s.measures[1].id = long_id;
  s.ledger_measures[0].id = longer_id;
  s.ledger_measures[0].kind = s.ledger_measures[0].ledger = "provident_fund";
  s.budget_fen[s.budget_index(0, 1)] = 0;
  std::ostringstream out;
  cradle::print_summary(out, results, cradle::MoneyUnit::wan);
  const std::string text = out.str();
  INFO(text);
  CHECK(fields_of(line_of(text, long_id)).size() == 4);         // on one line with its three numbers (mean, 5 %, 95 %)
  CHECK_THAT(text, Catch::Contains(longer_id));                 // on a line of its own
  CHECK_THAT(line_of(text, "jiangxi (province), no budget"), Catch::Contains("n/a"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
}

TEST_CASE("string datasets read back as written, from none to thousands of any length", "[output][hdf5]") {
  TempDir dir;
  const fs::path target = dir.path / "strings.h5";
  std::vector<std::vector<std::string>> lists = {{}, {""}, {"托育", "幼儿园", "childcare"}};
  std::vector<std::string> many;  // more than a small conversion buffer holds, some long
  for (int i = 0; i < 5000; ++i)
    many.push_back(std::string(static_cast<std::size_t>(i % 7 == 0 ? 3000 : i % 40), 'a' + static_cast<char>(i % 26)));
  lists.push_back(many);
  {
    Handle file = cradle::h5::create_file(target);
    for (std::size_t k = 0; k < lists.size(); ++k)
      cradle::h5::write_strings(file, "list_" + std::to_string(k), lists[k]);
  }
  Handle file = cradle::h5::open_file(target);
  for (std::size_t k = 0; k < lists.size(); ++k) {
    INFO("list " << k);
    REQUIRE(read_strings(file, "list_" + std::to_string(k)) == lists[k]);
  }
}
