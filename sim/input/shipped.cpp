#include "sim/input/shipped.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace cradle {

namespace {
//! The running program's folder, or empty where /proc/self/exe cannot be read.
std::filesystem::path executable_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}
}  // namespace

std::filesystem::path shipped_scenarios_dir() {
  if (const char* env = std::getenv("CRADLE_SCENARIOS"); env && *env) return env;
  const std::filesystem::path exe_dir = executable_dir();
  const std::filesystem::path relative = std::filesystem::path("share") / "cradle" / "scenarios";
  // <exe dir>/share/... is the build tree (./build/cradle); <exe dir>/../share/... an
  // installation's bin/, or the build tree's tests/ and bench/.
  const std::filesystem::path candidates[] = {exe_dir / relative, exe_dir.parent_path() / relative};
  for (const std::filesystem::path& dir : candidates) {
    std::error_code ec;
    // Canonical, so that messages name the real folder (the sources' scenarios/ in a build tree).
    if (!std::filesystem::is_directory(dir, ec)) continue;
    const std::filesystem::path real = std::filesystem::canonical(dir, ec);
    return ec ? dir : real;
  }
  return candidates[1];
}

std::filesystem::path default_scenario_path() { return shipped_scenarios_dir() / "xihu_current.toml"; }

std::vector<std::filesystem::path> named_file_places(const std::filesystem::path& dir,
                                                     const std::filesystem::path& named,
                                                     const std::vector<std::filesystem::path>& within) {
  std::vector<std::filesystem::path> places{dir / named};  // as named, the behaviour before any fallback
  if (named.is_absolute()) return places;
  const std::filesystem::path shipped = shipped_scenarios_dir().lexically_normal();
  for (const std::filesystem::path& w : within) {
    const std::filesystem::path place = (shipped / w / named).lexically_normal();
    // Only what the shipped folder holds: "../x.toml" from its sets/ is fine, from its root not.
    const std::filesystem::path inside = place.lexically_relative(shipped);
    if (inside.empty() || *inside.begin() == "..") continue;
    std::error_code ec;
    const std::filesystem::path real = std::filesystem::weakly_canonical(place, ec);
    const bool seen = std::any_of(places.begin(), places.end(), [&](const std::filesystem::path& p) {
      std::error_code ec2;
      return p == place || std::filesystem::weakly_canonical(p, ec2) == real;
    });
    if (!seen) places.push_back(place);
  }
  return places;
}

std::optional<std::filesystem::path> first_file(const std::vector<std::filesystem::path>& places) {
  for (const std::filesystem::path& p : places) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p;
  }
  return std::nullopt;
}

std::string not_found_text(const std::vector<std::filesystem::path>& places) {
  std::error_code ec;
  if (!places.empty() && std::filesystem::is_directory(places.front(), ec)) {
    std::string text = places.front().lexically_normal().string();
    text += " is a folder, not a file";
    return text;
  }
  std::string text = "no such file: ";
  for (std::size_t i = 0; i < places.size(); ++i) {
    if (i == 1) text += ", nor among the shipped scenarios: ";
    if (i > 1) text += " or ";
    text += places[i].lexically_normal().string();
  }
  return text;
}

std::vector<std::filesystem::path> toml_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace cradle
