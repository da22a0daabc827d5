// libFuzzer target: an [engine] launch command (split into words without a shell, then each flag
// mapped). The first byte picks the engine. Bad commands must end in a dssim::Error.
#include <cstdint>
#include <string>

#include "scenario/engine_command.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string kind = data[0] % 2 ? "vllm" : "sglang";
  const std::string command(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    (void)dssim::translate_engine_command(kind, dssim::split_command(command, "fuzz"), "fuzz");
  } catch (const dssim::Error&) {
  }
  return 0;
}
