// libFuzzer target: `dssim calibrate`'s readers and fits. The first byte picks which of the five
// measurement files the rest of the input replaces; the other four are small real ones
// (DSSIM_FUZZ_CAL_BASE, written by run.sh from validation/data/h200). A malformed file must end in a
// dssim::Error (a clear message) or a fit with warnings; a crash, another exception, a sanitizer report
// or a hang is a bug.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "calibration/fitter.hpp"
#include "config/gpu_card.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace {

const char* const kFiles[] = {"bandwidth.csv", "gemm.csv", "attention.csv", "power_load.csv", "nvidia_smi_trace.csv"};

// Writes a whole file (a libFuzzer timer signal can interrupt std::filesystem::copy_file: EINTR).
void write_file(const fs::path& p, const char* data, std::size_t size) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data, static_cast<std::streamsize>(size));
}

struct Setup {
  fs::path dir;
  std::string base[5];
  dssim::GpuCard gpu;
  Setup() {
    const char* b = std::getenv("DSSIM_FUZZ_CAL_BASE");
    const char* card = std::getenv("DSSIM_FUZZ_GPU_CARD");
    const char* data = std::getenv("DSSIM_DATA_DIR");
    if (!b || !card || !data) {
      std::fprintf(stderr, "set DSSIM_FUZZ_CAL_BASE, DSSIM_FUZZ_GPU_CARD and DSSIM_DATA_DIR (tests/fuzz/run.sh does)\n");
      std::abort();
    }
    dir = fs::temp_directory_path() / ("dssim_fuzz_cal_" + std::to_string(getpid()));
    fs::create_directories(dir);
    for (int i = 0; i < 5; ++i) {
      std::ifstream in(fs::path(b) / kFiles[i], std::ios::binary);
      base[i].assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      write_file(dir / kFiles[i], base[i].data(), base[i].size());
    }
    gpu = dssim::load_gpu_card(card, data);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup s;
  static int last = -1;
  if (size < 1) return 0;
  if (last >= 0) write_file(s.dir / kFiles[last], s.base[last].data(), s.base[last].size());
  last = data[0] % 5;
  write_file(s.dir / kFiles[last], reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    (void)dssim::fit_measurements(s.dir.string(), s.gpu);
  } catch (const dssim::Error&) {
  }
  return 0;
}
