// libFuzzer target: the three trace readers. The first byte picks the format, the rest is the file.
// A malformed trace must end in a dssim::Error (a clear message); anything else (a crash, another
// exception, a sanitizer report, a hang) is a bug.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "util/error.hpp"
#include "workload/trace_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const std::string path = "/tmp/dssim_fuzz_trace_" + std::to_string(getpid());
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  const dssim::TraceFormat formats[] = {dssim::TraceFormat::azure, dssim::TraceFormat::mooncake, dssim::TraceFormat::dssim};
  const dssim::TraceFormat f = formats[data[0] % 3];
  try {
    dssim::TraceOptions o;
    o.rate_scale = 1 + (data[0] >> 4);
    (void)dssim::read_trace(path, f, o);
  } catch (const dssim::Error&) {
  }
  try {
    (void)dssim::trace_lengths(path, f, (data[0] & 8) != 0);
  } catch (const dssim::Error&) {
  }
  return 0;
}
