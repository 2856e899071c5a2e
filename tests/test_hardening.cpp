// Input that must be refused cleanly: numbers too large for a double, characters the TOML
// library must never see, and the file, line and field every message names.
#include <catch2/catch.hpp>
#include <fstream>

#include "sim/input/scenario.h"
#include "sim/input/toml_reader.h"
#include "test_helpers.h"

using namespace cradle;

namespace {

ScenarioError text_error(const std::string& text) {
  try {
    check_toml_text(text, "t.toml");
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("accepted: " << text);
  return ScenarioError("", 0, 0, "", "");
}

}  // namespace

TEST_CASE("an integer too large for a double is refused by the field's range, never read as 0", "[hardening]") {
  testing::ScenarioCopy dir;
  dir.edit("packages/national.toml", "amount = { value = 3600,", "amount = { value = 9223372036854775807,");
  const ScenarioError e = testing::load_error(dir.path("xihu_current.toml"));
  CHECK(e.line() > 0);
  CHECK(e.field().find("amount.value") != std::string::npos);
  CHECK(std::string(e.what()).find("must be at most") != std::string::npos);
}

TEST_CASE("non-ASCII characters outside strings and comments never reach the TOML parser", "[hardening]") {
  // A Chinese full stop after a key, an ideographic comma, a full-width space: refused at their line and column.
  ScenarioError e = text_error("[scenario]\nid = \"a\"\ntitle。 = \"b\"\n");
  CHECK(e.line() == 3);
  CHECK(e.column() == 6);
  CHECK(std::string(e.what()).find("outside a string or comment") != std::string::npos);
  CHECK(text_error("a = [1、2]\n").column() == 7);
  CHECK(text_error("a\xE3\x80\x80= 1\n").column() == 2);
  // Control characters, in a key or anywhere; text that is not UTF-8.
  CHECK(text_error("a\x01 = 1\n").column() == 2);
  CHECK(text_error("a = \"x\x7F\"\n").line() == 1);
  CHECK(std::string(text_error("a = \"\xFF\"\n").what()).find("UTF-8") != std::string::npos);
  // Overlong forms, surrogates and code points above U+10FFFF are not UTF-8 either; a leading BOM is no text.
  for (const char* bad : {"a = \"\xC0\xAF\"\n", "a = \"\xE0\x80\xAF\"\n", "a = \"\xED\xA0\x80\"\n", "a = \"\xF4\x90\x80\x80\"\n"})
    CHECK(std::string(text_error(bad).what()).find("UTF-8") != std::string::npos);
  CHECK_NOTHROW(check_toml_text("\xEF\xBB\xBF" "a = \"\xF4\x8F\xBF\xBF\"\n", "t.toml"));
  // Chinese is fine inside every kind of string and in comments, and a quote inside a string is not its end.
  CHECK_NOTHROW(check_toml_text("# 注释。\na = \"中文\\\"。\" # 注释\nb = '字'\nc = \"\"\"\n多行。\n\"\"\"\nd = '''\n多'''\n",
                                "t.toml"));
  testing::ScenarioCopy dir;
  dir.edit("xihu_current.toml", "[scenario]", "[scenario]\nseed。= 1");
  const ScenarioError loaded = testing::load_error(dir.path("xihu_current.toml"));
  CHECK(loaded.file().find("xihu_current.toml") != std::string::npos);
  CHECK(loaded.line() > 0);
}

TEST_CASE("a run removes the temporary files killed runs left beside its result, not a live run's", "[hardening][cli]") {
  testing::ScenarioCopy dir;
  const auto out = dir.dir() / "r.h5";
  const auto stale = dir.dir() / "r.h5.tmp.999999999", live = dir.dir() / "r.h5.tmp.1", other = dir.dir() / "x.h5.tmp.5";
  for (const auto& p : {stale, live, other}) std::ofstream(p) << "partial";
  REQUIRE(testing::cli({"run", dir.path("xihu_current.toml").string(), "-r", "1", "--sample", "1/100", "-q", "-o",
                        out.string()}) == 0);
  CHECK_FALSE(std::filesystem::exists(stale));
  CHECK(std::filesystem::exists(live));   // process 1 is alive: it may still be writing
  CHECK(std::filesystem::exists(other));  // another result's
  CHECK(std::filesystem::exists(out));
}
