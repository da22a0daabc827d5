// libFuzzer target: a scenario file (TOML) as a user writes it, read and checked the way every run
// reads it (load_scenario: types, ranges, unknown keys, [engine] commands, --set overrides). Bad files
// must end in a dssim::Error naming the file; nothing else may escape, crash or hang.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "scenario/scenario.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // load_scenario reads a path: one scratch file per fuzzing process
  static const std::string path = "fuzz_scenario_" + std::to_string(getpid()) + ".toml";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)dssim::load_scenario(path, {});
  } catch (const dssim::Error&) {
  }
  return 0;
}
