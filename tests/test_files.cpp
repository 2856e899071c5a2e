// Files that are hard to lose, and that researchers can read: the default output name, the
// refusal to replace a file that is not a results file, paths resolved beside the naming file
// then among the shipped scenarios, the CF global attributes, and Chinese text read back exactly.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "output/h5.h"
#include "output/results_writer.h"
#include "sim/cli/cli.h"
#include "sim/cli/commands.h"
#include "sim/input/scenario.h"
#include "sim/input/scenario_set.h"
#include "tests/test_helpers.h"

using namespace cradle;
using cradle::testing::cli;
using cradle::testing::load_error;
using cradle::testing::read_file;
using cradle::testing::ScenarioCopy;
namespace fs = std::filesystem;

namespace {

//! An empty temporary folder, removed on destruction.
struct EmptyDir {
  fs::path path;
  EmptyDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("cradle-files-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~EmptyDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  EmptyDir(const EmptyDir&) = delete;
  EmptyDir& operator=(const EmptyDir&) = delete;
  fs::path operator/(const std::string& name) const { return path / name; }
};

//! Runs in `dir` while alive (the tests otherwise run in the source root).
struct InFolder {
  fs::path was = fs::current_path();
  explicit InFolder(const fs::path& dir) { fs::current_path(dir); }
  ~InFolder() { fs::current_path(was); }
  InFolder(const InFolder&) = delete;
  InFolder& operator=(const InFolder&) = delete;
};

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

void copy_shipped(const std::string& relative, const fs::path& to) {
  fs::copy_file(shipped_scenarios_dir() / relative, to, fs::copy_options::overwrite_existing);
}

//! The small run every test here makes: one replication of 1 household in 100.
std::vector<std::string> small_run(const fs::path& scenario, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"run", scenario.string(), "-r", "1", "--sample", "1/100", "--quiet"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string root_attribute(const fs::path& file, const std::string& name) {
  const h5::Handle f = h5::open_file(file);
  return h5::read_string_attribute(h5::open_group(f, "/"), name);
}

bool leftover_temporaries(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".tmp") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the default output name is the scenario's or the set's id", "[unit][files]") {
  REQUIRE(default_output_name("xihu_current") == "xihu_current.h5");
  REQUIRE(default_output_name("xihu_levers_sweep") == "xihu_levers_sweep.h5");
}

TEST_CASE("cradle run without -o writes <id>.h5 in the current folder", "[cli][files]") {
  EmptyDir dir;
  copy_shipped("xihu_renewed.toml", dir / "xihu_renewed.toml");
  copy_shipped("sets/xihu_levers.toml", dir / "xihu_levers.toml");
  const InFolder here(dir.path);
  SECTION("one scenario file: its id") {
    REQUIRE(cli(small_run("xihu_renewed.toml")) == EXIT_OK);
    REQUIRE(is_results_file(dir / "xihu_renewed.h5"));
    REQUIRE_FALSE(fs::exists(dir / "results.h5"));
  }
  SECTION("a set file: the set's id") {
    REQUIRE(cli(small_run("xihu_levers.toml", {"--no-split"})) == EXIT_OK);
    REQUIRE(is_results_file(dir / "xihu_levers.h5"));
  }
  SECTION("several scenario files: the set's id, the first scenario's") {
    copy_shipped("xihu_baseline.toml", dir / "xihu_baseline.toml");
    const std::vector<std::string> both{"run",  "xihu_baseline.toml", "xihu_renewed.toml", "-r", "1", "--sample",
                                        "1/100", "--no-split",        "--quiet"};
    REQUIRE(cli(both) == EXIT_OK);
    REQUIRE(is_results_file(dir / "xihu_baseline.h5"));
  }
  REQUIRE_FALSE(leftover_temporaries(dir.path));
}

TEST_CASE("is_results_file tells a results file from anything else", "[unit][files]") {
  EmptyDir dir;
  REQUIRE_FALSE(is_results_file(dir / "missing.h5"));
  REQUIRE_FALSE(is_results_file(dir.path));
  write_bytes(dir / "notes.txt", "notes\n");
  REQUIRE_FALSE(is_results_file(dir / "notes.txt"));
  write_bytes(dir / "empty.h5", "");
  REQUIRE_FALSE(is_results_file(dir / "empty.h5"));
  {
    const h5::Handle f = h5::create_file(dir / "other.h5");
    h5::write_attribute(h5::open_group(f, "/"), "filetype", "someone.else");
  }
  REQUIRE_FALSE(is_results_file(dir / "other.h5"));
  {
    const h5::Handle f = h5::create_file(dir / "bare.h5");
  }
  REQUIRE_FALSE(is_results_file(dir / "bare.h5"));
}

TEST_CASE("an output file that is not a results file is refused and left byte-identical unless forced",
          "[cli][files][errors]") {
  EmptyDir dir;
  copy_shipped("xihu_renewed.toml", dir / "xihu_renewed.toml");
  const fs::path scenario = dir / "xihu_renewed.toml";
  // A text with bytes that are not text, and an HDF5 file of another program.
  const std::string text("my notes\n\0\xff\x89HDF\r\n\x1a\n", 19);
  write_bytes(dir / "notes.txt", text);
  {
    const h5::Handle f = h5::create_file(dir / "other.h5");
    h5::write_attribute(h5::open_group(f, "/"), "filetype", "someone.else");
    h5::write_dataset(f, "x", std::vector<double>{1, 2, 3}, {3});
  }
  const std::string other = read_file(dir / "other.h5");
  REQUIRE(cli(small_run(scenario, {"-o", (dir / "notes.txt").string()})) == EXIT_BAD_INPUT);
  REQUIRE(read_file(dir / "notes.txt") == text);
  REQUIRE(cli(small_run(scenario, {"-o", (dir / "other.h5").string()})) == EXIT_BAD_INPUT);
  REQUIRE(read_file(dir / "other.h5") == other);
  {
    // The default name is guarded as -o is.
    const InFolder here(dir.path);
    write_bytes(dir / "xihu_renewed.h5", text);
    REQUIRE(cli(small_run("xihu_renewed.toml")) == EXIT_BAD_INPUT);
    REQUIRE(read_file(dir / "xihu_renewed.h5") == text);
  }
  REQUIRE_FALSE(leftover_temporaries(dir.path));

  REQUIRE(cli(small_run(scenario, {"-o", (dir / "notes.txt").string(), "--force"})) == EXIT_OK);
  REQUIRE(is_results_file(dir / "notes.txt"));
  REQUIRE(cli(small_run(scenario, {"-o", (dir / "other.h5").string(), "--force"})) == EXIT_OK);
  REQUIRE(is_results_file(dir / "other.h5"));

  // A results file is replaced as before, without --force.
  REQUIRE(cli(small_run(scenario, {"-o", (dir / "notes.txt").string(), "-s", "7"})) == EXIT_OK);
  REQUIRE(root_attribute(dir / "notes.txt", "history").find(" -s 7") != std::string::npos);
  REQUIRE_FALSE(leftover_temporaries(dir.path));
}

TEST_CASE("a shipped scenario copied alone to another folder validates and runs", "[cli][files]") {
  EmptyDir dir;
  copy_shipped("xihu_renewed.toml", dir / "xihu_renewed.toml");
  const fs::path scenario = dir / "xihu_renewed.toml";
  REQUIRE(cli({"validate", scenario.string()}) == EXIT_OK);
  const Scenario s = load_scenario(scenario);
  REQUIRE(s.id == "xihu_renewed");
  REQUIRE(s.place().id == "xihu");
  REQUIRE(s.packages.size() == 3);
  REQUIRE(cli(small_run(scenario, {"-o", (dir / "out.h5").string()})) == EXIT_OK);
  REQUIRE(is_results_file(dir / "out.h5"));
}

TEST_CASE("a set file copied alone finds its scenarios among the shipped ones", "[unit][files]") {
  EmptyDir dir;
  copy_shipped("sets/xihu_levers.toml", dir / "xihu_levers.toml");
  const ScenarioSet set = load_scenario_set({dir / "xihu_levers.toml"});
  REQUIRE(set.id == "xihu_levers");
  REQUIRE(set.scenarios.size() == 4);
  REQUIRE(set.scenarios.front().id == "xihu_baseline");
}

TEST_CASE("a file beside the scenario wins over the shipped one", "[unit][files]") {
  EmptyDir dir;
  copy_shipped("xihu_renewed.toml", dir / "xihu_renewed.toml");
  std::string base = read_file(shipped_scenarios_dir() / "xihu_current.toml");
  base.replace(base.find("id = \"xihu_current\""), 19, "id = \"xihu_mine\"\nseed = 4242");
  write_bytes(dir / "xihu_current.toml", base);
  const Scenario s = load_scenario(dir / "xihu_renewed.toml");
  REQUIRE(s.seed == 4242u);
}

TEST_CASE("a file found nowhere is named in both places looked for", "[unit][files][errors]") {
  EmptyDir dir;
  const std::string shipped = shipped_scenarios_dir().lexically_normal().string();
  const auto names_both = [&](const ScenarioError& e, const std::string& relative) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find((dir.path / relative).lexically_normal().string()) != std::string::npos);
    CHECK(what.find((fs::path(shipped) / relative).string()) != std::string::npos);
  };
  write_bytes(dir / "base.toml", "[scenario]\nid = \"x\"\ntitle = \"x\"\nbase = \"nope.toml\"\n");
  const ScenarioError base = load_error(dir / "base.toml");
  CHECK(base.field() == "scenario.base");
  names_both(base, "nope.toml");

  write_bytes(dir / "package.toml",
              "[scenario]\nid = \"x\"\ntitle = \"x\"\nbase = \"xihu_current.toml\"\n"
              "packages = [\"packages/nope.toml\"]\n");
  const ScenarioError package = load_error(dir / "package.toml");
  CHECK(package.field() == "scenario.packages");
  names_both(package, "packages/nope.toml");

  write_bytes(dir / "place.toml",
              "[scenario]\nid = \"x\"\ntitle = \"x\"\nbase = \"xihu_current.toml\"\njurisdiction = \"atlantis\"\n");
  const ScenarioError place = load_error(dir / "place.toml");
  CHECK(place.field() == "scenario.jurisdiction");
  names_both(place, "jurisdictions/atlantis.toml");

  write_bytes(dir / "set.toml", "[set]\nid = \"s\"\nscenarios = [\"nope.toml\"]\n");
  try {
    load_scenario_set({dir / "set.toml"});
    FAIL("the set loaded");
  } catch (const ScenarioError& e) {
    names_both(e, "nope.toml");
    CHECK(std::string(e.what()).find((fs::path(shipped) / "sets" / "nope.toml").string()) != std::string::npos);
  }
}

TEST_CASE("where a named path is looked for", "[unit][files]") {
  const fs::path shipped = shipped_scenarios_dir();
  EmptyDir dir;
  // Beside the naming file first, then among the shipped scenarios.
  const auto places = named_file_places(dir.path, "packages/national.toml");
  REQUIRE(places.size() == 2);
  REQUIRE(places[0] == dir.path / "packages/national.toml");
  REQUIRE(places[1] == (shipped / "packages/national.toml").lexically_normal());
  REQUIRE(first_file(places) == places[1]);
  // A shipped file's own folder is looked in once.
  REQUIRE(named_file_places(shipped, "xihu_current.toml").size() == 1);
  // Nothing outside the shipped folder, and an absolute path only as it is.
  REQUIRE(named_file_places(dir.path, "../x.toml").size() == 1);
  REQUIRE(named_file_places(dir.path, "../x.toml", {"sets"}).size() == 2);
  REQUIRE(named_file_places(dir.path, dir.path / "x.toml").size() == 1);
  REQUIRE_FALSE(first_file({dir / "x.toml"}));
}

TEST_CASE("the results file carries the CF global attributes", "[cli][files]") {
  EmptyDir dir;
  copy_shipped("xihu_renewed.toml", dir / "xihu_renewed.toml");
  const fs::path out = dir / "out.h5";
  REQUIRE(cli(small_run(dir / "xihu_renewed.toml", {"-o", out.string()})) == EXIT_OK);
  REQUIRE(root_attribute(out, "Conventions") == "CF-1.10");
  REQUIRE(root_attribute(out, "title") == load_scenario(dir / "xihu_renewed.toml").title);
  REQUIRE(root_attribute(out, "source").rfind("Cradle ", 0) == 0);
  const std::string history = root_attribute(out, "history");
  REQUIRE(history.rfind(root_attribute(out, "created_utc") + " cradle run ", 0) == 0);
  REQUIRE(history.find("--sample 1/100") != std::string::npos);
  REQUIRE(root_attribute(out, "filetype") == "cradle.results");  // the existing attributes stay
}

TEST_CASE("Chinese titles round-trip through the results file byte for byte", "[cli][files]") {
  ScenarioCopy c;
  // CJK, full-width punctuation, a character outside the BMP (4 bytes in UTF-8) and a combining accent.
  const std::string scenario_title = "西湖区：托育补贴〔2025〕①号方案 𠀀 café\xcc\x81";
  const std::string measure_title = "学前教育资助（试行）—「每生每年」二千元 𠮷";
  c.edit("xihu_current.toml", "title = \"Nanchang Xihu district: national, Jiangxi and Xihu measures as written\"",
         std::string("title = \"") += scenario_title + "\"");
  c.edit("packages/002_xihu.toml", "title = \"学前教育资助 preschool aid, 2,000 yuan a year per eligible child\"",
         std::string("title = \"") += measure_title + "\"");
  const fs::path out = c.path("out.h5");
  REQUIRE(cli(small_run(c.path("xihu_current.toml"), {"-o", out.string()})) == EXIT_OK);
  const h5::Handle f = h5::open_file(out);
  REQUIRE(h5::read_string_attribute(h5::open_group(f, "/"), "title") == scenario_title);
  const h5::Handle g = h5::open_group(f, "scenarios/xihu_current");
  REQUIRE(h5::read_string_attribute(g, "title") == scenario_title);
  const std::vector<std::string> titles = h5::read_strings(g, "measure_title");
  REQUIRE(std::find(titles.begin(), titles.end(), measure_title) != titles.end());
  const std::vector<std::string> names = h5::read_strings(g, "payer_name");
  REQUIRE(std::find(names.begin(), names.end(), "南昌市西湖区 Nanchang Xihu district") != names.end());
}
