#include "sim/rng.h"

namespace cradle {

std::uint32_t stable_hash32(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace cradle
