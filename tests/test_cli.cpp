#include <catch2/catch.hpp>

#include <hdf5.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "output/results_reader.h"
#include "sim/cli/cli.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::cli;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;

namespace {

bool leftover_temporaries(const std::filesystem::path& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) return true;
  }
  return false;
}

//! The raw bytes of a numeric dataset, in its native type.
std::vector<unsigned char> dataset_bytes(const std::filesystem::path& file, const std::string& path) {
  const hid_t f = H5Fopen(file.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  const hid_t file_type = H5Dget_type(d);
  const hid_t native = H5Tget_native_type(file_type, H5T_DIR_ASCEND);
  const hid_t space = H5Dget_space(d);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<unsigned char> bytes(n * H5Tget_size(native));
  REQUIRE(H5Dread(d, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) >= 0);
  H5Sclose(space);
  H5Tclose(native);
  H5Tclose(file_type);
  H5Dclose(d);
  H5Fclose(f);
  return bytes;
}

}  // namespace

TEST_CASE("results files are bit-identical whatever the thread count, another seed differs", "[cli][reproducibility]") {
  ScenarioCopy c;
  const auto scenario = c.path("xihu_current.toml").string();
  const auto one = c.path("one.h5"), four = c.path("four.h5"), other = c.path("other.h5");
  REQUIRE(cli({"run", scenario, "-o", one.string(), "-r", "3", "-t", "1", "--quiet"}) == EXIT_OK);
  REQUIRE(cli({"run", scenario, "-o", four.string(), "-r", "3", "-t", "4", "--quiet"}) == EXIT_OK);
  REQUIRE(cli({"run", scenario, "-o", other.string(), "-r", "3", "-t", "2", "-s", "99", "--quiet"}) == EXIT_OK);
  const std::string group = "/scenarios/xihu_current/";
  for (const std::string name :
       {"outlay", "outlay_fen", "caseload", "births", "children_under3", "childcare_enrolled", "summary/outlay_mean",
        "summary/outlay_p05", "summary/outlay_p50", "summary/outlay_p95"}) {
    INFO(name);
    const auto a = dataset_bytes(one, group + name);
    REQUIRE(!a.empty());
    REQUIRE(a == dataset_bytes(four, group + name));
  }
  REQUIRE(dataset_bytes(one, group + "births") != dataset_bytes(other, group + "births"));
  REQUIRE(dataset_bytes(one, group + "outlay_fen") != dataset_bytes(other, group + "outlay_fen"));
}

TEST_CASE("cradle run writes a results file", "[cli]") {
  ScenarioCopy c;
  const auto out = c.path("out.h5");
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", out.string(), "--replications", "2", "--threads", "2",
               "--quiet"}) == EXIT_OK);
  REQUIRE(std::filesystem::file_size(out) > 1000);
  REQUIRE(read_file(out).substr(1, 3) == "HDF");
  REQUIRE_FALSE(leftover_temporaries(c.dir()));
}

TEST_CASE("a malformed scenario exits with 2, creates nothing and keeps an existing file", "[cli][errors]") {
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> breakages = {
      {"packages/002_xihu.toml", {"kind = \"operating_subsidy\"", "kind = \"operating_subsidy"}},  // syntax
      {"xihu_current.toml", {"base = ", "sede = 1\nbase = "}},                                     // unknown key
      {"xihu_baseline.toml", {"end_year = 2035", "end_year = 2035.5"}},                            // wrong type
      {"packages/002_xihu.toml", {"value = 126,", "value = -126,"}},                               // negative
      {"packages/national.toml", {"county = { value = 0.05,", "county = { value = 0.15,"}},        // shares
  };
  for (const auto& [file, edit] : breakages) {
    ScenarioCopy c;
    c.edit(file, edit.first, edit.second);
    const auto scenario = c.path("xihu_current.toml").string();
    const auto fresh = c.path("fresh.h5");
    REQUIRE(cli({"run", scenario, "-o", fresh.string(), "--quiet"}) == EXIT_BAD_INPUT);
    REQUIRE_FALSE(std::filesystem::exists(fresh));
    const auto existing = c.path("existing.h5");
    c.write("existing.h5", "precious results");
    REQUIRE(cli({"run", scenario, "-o", existing.string(), "--quiet"}) == EXIT_BAD_INPUT);
    REQUIRE(read_file(existing) == "precious results");
    REQUIRE(cli({"validate", scenario}) == EXIT_BAD_INPUT);
    REQUIRE_FALSE(leftover_temporaries(c.dir()));
  }
}

TEST_CASE("cradle validate accepts the shipped scenario", "[cli]") {
  REQUIRE(cli({"validate", default_scenario_path().string()}) == EXIT_OK);
}

TEST_CASE("cradle validate says which measure counts once per household", "[cli]") {
  std::ostringstream out;
  std::streambuf* const old = std::cout.rdbuf(out.rdbuf());
  const int code = cli({"validate", default_scenario_path().string()});
  std::cout.rdbuf(old);
  REQUIRE(code == EXIT_OK);
  const std::string text = out.str();
  const std::string once = ", once per household (its youngest child)";
  const auto at = text.find(once);
  REQUIRE(at != std::string::npos);
  // Only parental leave, on its own line.
  REQUIRE(text.rfind("jiangxi_parental_leave (leave): 500.00 yuan per child-month", at) == text.rfind('\n', at) + 3);
  REQUIRE(text.find(once, at + 1) == std::string::npos);
}

TEST_CASE("bad command lines are refused", "[cli][errors]") {
  REQUIRE(cli({"run", "no-such-scenario.toml", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"run", "--replications", "0", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"run", "--seed", "99999999999", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"frobnicate"}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"--version"}) == EXIT_OK);
}

TEST_CASE("an unwritable output location fails with 3 before the run", "[cli][errors]") {
  ScenarioCopy c;
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", c.path("missing-dir/out.h5").string(),
               "--replications", "1", "--quiet"}) == EXIT_RUN_FAILURE);
}

TEST_CASE("cradle run --sample 1/k records the fraction, a malformed one is refused", "[cli][sample]") {
  ScenarioCopy c;
  const auto out = c.path("sample.h5");
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", out.string(), "-r", "2", "--sample", "1/4",
               "--quiet"}) == EXIT_OK);
  const hid_t f = H5Fopen(out.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t a = H5Aopen(f, "sample_fraction", H5P_DEFAULT);
  REQUIRE(a >= 0);
  std::int32_t fraction[2] = {0, 0};
  REQUIRE(H5Aread(a, H5T_NATIVE_INT32, fraction) >= 0);
  H5Aclose(a);
  H5Fclose(f);
  REQUIRE(fraction[0] == 1);
  REQUIRE(fraction[1] == 4);
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", c.path("bad.h5").string(), "--sample", "1/x",
               "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE_FALSE(std::filesystem::exists(c.path("bad.h5")));
}

TEST_CASE("cradle run --replications-per-population K groups the replications, refused where it cannot",
          "[cli][sample]") {
  ScenarioCopy c;
  const auto out = c.path("grouped.h5");
  REQUIRE(cli({"run", c.path("xihu_baseline.toml").string(), c.path("xihu_current.toml").string(), "-o", out.string(),
               "-r", "5", "--sample", "1/20", "--replications-per-population", "2", "--quiet"}) == EXIT_OK);
  const RunResults r = read_results(out);
  CHECK(r.population_design == "per_group");
  for (const ScenarioResults& s : r.scenarios) CHECK(s.replications_per_population == 2);
  REQUIRE(r.comparisons.size() == 1);
  CHECK(r.comparisons[0].replications_per_population == 2);
  // A scenario file may ask for it; the command line overrides it.
  c.write("grouped.toml",
          "[scenario]\nbase = \"xihu_current.toml\"\nid = \"grouped\"\ntitle = \"grouped\"\n"
          "replications_per_population = 3\n");
  REQUIRE(cli({"run", c.path("grouped.toml").string(), "-o", c.path("g3.h5").string(), "-r", "4", "--sample", "1/20",
               "--quiet"}) == EXIT_OK);
  CHECK(read_results(c.path("g3.h5")).scenarios[0].replications_per_population == 3);
  REQUIRE(cli({"run", c.path("grouped.toml").string(), "-o", c.path("g1.h5").string(), "-r", "4", "--sample", "1/20",
               "--replications-per-population", "1", "--quiet"}) == EXIT_OK);
  CHECK(read_results(c.path("g1.h5")).population_design == "per_replication");
  // The scenarios of a set share their populations, so they must group them alike.
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), c.path("grouped.toml").string(), "-o",
               c.path("mixed.h5").string(), "-r", "4", "--sample", "1/20", "--quiet"}) == EXIT_BAD_INPUT);
  // Estimates drawn per replication, or a persons file, cannot share: refused, nothing written.
  REQUIRE(cli({"run", c.path("xihu_current.toml").string(), "-o", c.path("drawn.h5").string(), "-r", "4", "--sample",
               "1/20", "--uncertain", "estimates", "--replications-per-population", "2", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE_FALSE(std::filesystem::exists(c.path("drawn.h5")));
  const std::filesystem::path data = std::filesystem::path(CRADLE_SOURCE_DIR) / "tests/data/microdata";
  c.write("data/persons.csv", read_file(data / "persons.csv"));
  c.write("micro.toml",
          "[scenario]\nbase = \"xihu_current.toml\"\nid = \"micro\"\ntitle = \"microdata\"\n"
          "persons = \"data/persons.csv\"\n");
  REQUIRE(cli({"run", c.path("micro.toml").string(), "-o", c.path("micro.h5").string(), "-r", "4",
               "--replications-per-population", "2", "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE_FALSE(std::filesystem::exists(c.path("micro.h5")));
}

TEST_CASE("a persons file and a fertility table replace the generated population and rates", "[cli][microdata]") {
  ScenarioCopy c;
  const std::filesystem::path data = std::filesystem::path(CRADLE_SOURCE_DIR) / "tests/data/microdata";
  c.write("data/persons.csv", read_file(data / "persons.csv"));
  c.write("data/fertility.csv", read_file(data / "fertility.csv"));
  c.write("micro.toml",
          "[scenario]\nbase = \"xihu_current.toml\"\nid = \"micro\"\ntitle = \"microdata\"\n"
          "persons = \"data/persons.csv\"\npersons_weight = 100\nfertility_table = \"data/fertility.csv\"\n");
  const auto out = c.path("micro.h5");
  REQUIRE(cli({"validate", c.path("micro.toml").string()}) == EXIT_OK);
  REQUIRE(cli({"run", c.path("micro.toml").string(), "-o", out.string(), "-r", "2", "--quiet"}) == EXIT_OK);
  const hid_t f = H5Fopen(out.string().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t a = H5Aopen(f, "households", H5P_DEFAULT);
  REQUIRE(a >= 0);
  std::int64_t households = 0;
  REQUIRE(H5Aread(a, H5T_NATIVE_INT64, &households) >= 0);
  H5Aclose(a);
  H5Fclose(f);
  REQUIRE(households == 5 * 100);  // the file's five households, each standing for 100
  const std::string results = read_file(out);
  // A persons file is not sampled; a bad row is refused and the results already there are kept.
  REQUIRE(cli({"run", c.path("micro.toml").string(), "-o", c.path("s.h5").string(), "--sample", "1/4", "--quiet"}) ==
          EXIT_BAD_INPUT);
  c.write("data/persons.csv", read_file(data / "persons.csv") + "999,77,-3,F,0,,local,,,,,,,\n");
  REQUIRE(cli({"validate", c.path("micro.toml").string()}) == EXIT_BAD_INPUT);
  REQUIRE(cli({"run", c.path("micro.toml").string(), "-o", out.string(), "--quiet"}) == EXIT_BAD_INPUT);
  REQUIRE(read_file(out) == results);  // the results already there, byte for byte
  REQUIRE_FALSE(std::filesystem::exists(c.path("s.h5")));
  REQUIRE_FALSE(leftover_temporaries(c.dir()));
}
