// libFuzzer target: any bytes as a scenario file beside the shipped jurisdictions and
// packages. Loading must end in a scenario or a ScenarioError (file, line, field), never a
// crash, a hang or a sanitizer report. Build: -DCRADLE_FUZZ=ON with clang (fuzz/README.md).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/input/scenario.h"

namespace {

//! A folder holding links to the shipped jurisdictions and packages, made once.
const std::filesystem::path& workspace() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("cradle-fuzz-scenario-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    const std::filesystem::path shipped = std::filesystem::path(CRADLE_SOURCE_DIR) / "scenarios";
    for (const char* sub : {"jurisdictions", "packages", "sources"}) {
      std::error_code ec;
      std::filesystem::create_directory_symlink(shipped / sub, d / sub, ec);
    }
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = workspace() / "fuzzed.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const cradle::Scenario s = cradle::load_scenario(file);
    (void)s;
  } catch (const cradle::ScenarioError&) {
    // The expected end of bad input.
  }
  return 0;
}
