// The output layer: quantiles, the HDF5 results file read back through the C
// API, the atomic-replace guarantees of write_results, and the text report.
#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
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

namespace fs = std::filesystem;
using cradle::h5::Handle;
using cradle::h5::Kind;

namespace {

// Known fen: distinct in every index, and not whole yuan, so fen/100 is tested.
std::int64_t known_fen(std::size_t r, std::size_t y, std::size_t m, std::size_t p) {
  return static_cast<std::int64_t>(12345 + 1000 * r + 100 * y + 10 * m + p);
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
  results.times.population_seconds = 0.5;
  results.times.simulation_seconds = 1.25;

  cradle::ScenarioResults s;
  s.id = "base";
  s.title = "Baseline";
  s.resolved_text = "[scenario]\nid = \"base\"\n";
  s.years = {2025, 2026};
  s.replications = 2;
  s.measures = {{"child_cash", "cash_allowance", "Childcare allowance", "a.md art. 3", "child-months"},
                {"operating_subsidy", "provider_subsidy", "Operating subsidy", "b.md art. 7", "place-months"}};
  s.payers = {"central", "provincial"};
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
    }
  results.scenarios.push_back(s);
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

std::vector<hsize_t> shape(const Handle& dataset) {
  Handle space(H5Dget_space(dataset.id()), Kind::dataspace, dataset.path());
  const int rank = H5Sget_simple_extent_ndims(space.id());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  return dims;
}

template <class T>
std::vector<T> read_values(const Handle& file, const std::string& path, hid_t memory_type) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  hsize_t count = 1;
  for (hsize_t d : shape(dataset)) count *= d;
  std::vector<T> values(count);
  REQUIRE(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
  return values;
}

std::vector<std::string> read_strings(const Handle& file, const std::string& path) {
  Handle dataset = cradle::h5::open_dataset(file, path);
  const std::vector<hsize_t> dims = shape(dataset);
  REQUIRE(dims.size() == 1);
  Handle type(H5Tcopy(H5T_C_S1), Kind::datatype, "string");
  H5Tset_size(type.id(), H5T_VARIABLE);
  H5Tset_cset(type.id(), H5T_CSET_UTF8);
  std::vector<char*> pointers(dims[0], nullptr);
  REQUIRE(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0);
  std::vector<std::string> values;
  for (char* pointer : pointers) {
    values.emplace_back(pointer != nullptr ? pointer : "");
    H5free_memory(pointer);
  }
  return values;
}

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

TEST_CASE("results file holds the layout and values of format 1.0", "[output][hdf5]") {
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
    CHECK(read_int_attribute(root, "format_version") == std::vector<std::int32_t>{1, 0});
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
    CHECK(read_strings(file, "scenarios/base/payer") == std::vector<std::string>{"central", "provincial"});
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
    SECTION("duplicate payer") { bad.scenarios[0].payers[1] = "central"; }
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

TEST_CASE("print_summary reports million yuan per year, measure and payer", "[output][report]") {
  cradle::RunResults results = make_results();
  cradle::ScenarioResults& s = results.scenarios[0];
  // 1.5 million yuan per cell in replication 0, 2.5 million in replication 1.
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t m = 0; m < 2; ++m)
        for (std::size_t p = 0; p < 2; ++p)
          s.outlay_fen[s.outlay_index(r, y, m, p)] = r == 0 ? 150'000'000 : 250'000'000;
  std::ostringstream out;
  cradle::print_summary(out, results);
  const std::string text = out.str();
  CHECK_THAT(text, Catch::Contains("Scenario base: Baseline"));
  CHECK_THAT(text, Catch::Contains("2026"));
  CHECK_THAT(text, Catch::Contains("child_cash"));
  CHECK_THAT(text, Catch::Contains("provincial"));
  // Total per replication is 6 and 10 million: mean 8, band 6.2 to 9.8.
  CHECK_THAT(text, Catch::Contains("8.00") && Catch::Contains("6.20") && Catch::Contains("9.80"));
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
}
