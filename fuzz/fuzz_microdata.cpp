// libFuzzer target: any bytes as a persons CSV (first byte even) or a fertility table (odd),
// read and, for persons, built into a base population as `cradle validate` does. It must end
// in a result or a ScenarioError, never a crash or a sanitizer report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/input/fertility_table.h"
#include "sim/input/scenario.h"
#include "sim/population/population.h"

namespace {

std::filesystem::path workspace() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("cradle-fuzz-microdata-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

//! The shipped baseline of Xihu, its population to come from the fuzzed persons file.
cradle::Scenario persons_scenario(const std::filesystem::path& persons) {
  static const cradle::Scenario base =
      cradle::load_scenario(std::filesystem::path(CRADLE_SOURCE_DIR) / "scenarios" / "xihu_baseline.toml");
  cradle::Scenario s = base;
  s.persons_file = persons;
  s.persons_weight = 100;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool persons = data[0] % 2 == 0;
  const std::filesystem::path file = workspace() / (persons ? "persons.csv" : "fertility.csv");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    if (persons) {
      const cradle::BasePopulation p = cradle::scenario_population(persons_scenario(file), 1);
      (void)p;
    } else {
      (void)cradle::load_fertility_table(file);
    }
  } catch (const cradle::ScenarioError&) {
    // The expected end of bad input.
  }
  return 0;
}
