// dssim-microbench: CUDA microbenchmarks that write the calibration input of dssim in the schema
// of validation/data/h200/ (see README.md beside this file).
//
//   dssim-microbench --out DIR [--model ID [--tp N]] [--model-shapes FILE] [--quick]
//                    [--sections gemm,attention,elementwise,bandwidth,pcie,p2p,power] [--device N]
#include "common.hpp"
#include "nvml_sampler.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>

namespace {

const char* kUsage =
    "usage: dssim-microbench --out DIR [--model ID [--tp N]] [--model-shapes FILE] [--quick] [--list-shapes]\n"
    "                        [--sections gemm,attention,elementwise,bandwidth,pcie,p2p,power] [--device N]\n"
    "  --out DIR            output folder (created): gemm.csv attention.csv elementwise.csv bandwidth.csv power_load.csv\n"
    "                       nvidia_smi_trace.csv device.json probe_log.txt\n"
    "  --model ID           also time the linear layers of this dssim model card (models/ID.toml)\n"
    "  --tp N               ... as sliced over N tensor-parallel GPUs (default 1)\n"
    "  --model-shapes FILE  extra GEMM shapes, CSV with the header `layer,N,K`\n"
    "  --list-shapes        print the GEMM shapes that would be timed (CSV layer,N,K) and exit\n"
    "  --quick              fewer sizes and shorter loads (about 1.5 minutes instead of 5)\n"
    "  --sections LIST      comma-separated subset (default: all)\n"
    "  --device N           CUDA device to measure (default 0)\n";

const std::vector<std::string> kAllSections = {"bandwidth", "pcie", "p2p", "gemm", "attention", "elementwise", "power"};

bool mkdirs(const std::string& path) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      if (!cur.empty() && mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    if (i < path.size()) cur.push_back(path[i]);
  }
  return true;
}

std::string json_str(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { r += '\\'; r += c; }
    else if (static_cast<unsigned char>(c) < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      r += b;
    } else r += c;
  }
  return r + "\"";
}

std::string ver(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

void write_device_json(const mb::Options& o, const mb::Nvml& nvml, const std::string& pci) {
  cudaDeviceProp p{};
  CK_CUDA(cudaGetDeviceProperties(&p, o.device));
  int rt = 0, drv = 0, clk = 0, mclk = 0, bus = 0, ndev = 0;
  CK_WARN(cudaRuntimeGetVersion(&rt));
  CK_WARN(cudaDriverGetVersion(&drv));
  CK_WARN(cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, o.device));
  CK_WARN(cudaDeviceGetAttribute(&mclk, cudaDevAttrMemoryClockRate, o.device));
  CK_WARN(cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, o.device));
  CK_WARN(cudaGetDeviceCount(&ndev));
  std::FILE* f = std::fopen((o.out_dir + "/device.json").c_str(), "w");
  if (!f) throw mb::Failure("cannot write device.json");
  const double plim = nvml.power_limit_w();
  std::fprintf(f, "{\n");
  std::fprintf(f, " \"tool\": \"dssim-microbench\",\n");
  std::fprintf(f, " \"device\": \"cuda\",\n");
  std::fprintf(f, " \"device_index\": %d,\n", o.device);
  std::fprintf(f, " \"device_count\": %d,\n", ndev);
  std::fprintf(f, " \"name\": %s,\n", json_str(p.name).c_str());
  std::fprintf(f, " \"pci_bus_id\": %s,\n", json_str(pci).c_str());
  std::fprintf(f, " \"sm_count\": %d,\n", p.multiProcessorCount);
  std::fprintf(f, " \"total_mem\": %zu,\n", p.totalGlobalMem);
  std::fprintf(f, " \"cc\": \"%d.%d\",\n", p.major, p.minor);
  std::fprintf(f, " \"l2\": %d,\n", p.l2CacheSize);
  std::fprintf(f, " \"shared_mem_per_sm\": %zu,\n", p.sharedMemPerMultiprocessor);
  std::fprintf(f, " \"memory_bus_width_bits\": %d,\n", bus);
  std::fprintf(f, " \"clock_khz\": %d,\n", clk);
  std::fprintf(f, " \"memory_clock_khz\": %d,\n", mclk);
  std::fprintf(f, " \"max_sm_clock_mhz\": %u,\n", nvml.max_clock_mhz(1));
  std::fprintf(f, " \"max_mem_clock_mhz\": %u,\n", nvml.max_clock_mhz(2));
  if (std::isnan(plim)) std::fprintf(f, " \"power_limit_w\": null,\n");
  else std::fprintf(f, " \"power_limit_w\": %.2f,\n", plim);
  std::fprintf(f, " \"cuda\": \"%s\",\n", ver(rt).c_str());
  std::fprintf(f, " \"cuda_driver\": \"%s\",\n", ver(drv).c_str());
  std::fprintf(f, " \"driver_version\": %s,\n", json_str(nvml.driver_version()).c_str());
  std::fprintf(f, " \"quick\": %s\n", o.quick ? "true" : "false");
  std::fprintf(f, "}\n");
  std::fclose(f);
  mb::log("device: %s, %d SMs, %zu bytes, cc %d.%d, CUDA runtime %s, driver %s", p.name, p.multiProcessorCount,
          p.totalGlobalMem, p.major, p.minor, ver(rt).c_str(), ver(drv).c_str());
}

template <class F>
void section(const std::string& name, F&& body) {
  mb::log("BEGIN %s epoch=%.3f", name.c_str(), mb::now_epoch());
  try {
    body();
  } catch (const std::exception& ex) {
    mb::log("FAIL %s: %s", name.c_str(), ex.what());
  }
  cudaError_t e = cudaDeviceSynchronize();
  if (e != cudaSuccess) mb::log("after %s: cudaDeviceSynchronize: %s", name.c_str(), cudaGetErrorString(e));
  mb::log("END %s epoch=%.3f", name.c_str(), mb::now_epoch());
}

}  // namespace

int main(int argc, char** argv) {
  mb::Options o;
  std::string model;  // --model: a dssim model card whose GEMM shapes are timed too
  int tp = 1;
  bool list_shapes = false;
  o.sections = kAllSections;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* opt) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "dssim-microbench: %s needs a value\n%s", opt, kUsage);
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "--out") o.out_dir = value("--out");
    else if (a == "--model-shapes") o.model_shapes = value("--model-shapes");
    else if (a == "--model") model = value("--model");
    else if (a == "--list-shapes") list_shapes = true;
    else if (a == "--tp") {
      const std::string v = value("--tp");
      char* end = nullptr;
      long t = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || t < 1 || t > 1024) {
        std::fprintf(stderr, "dssim-microbench: bad --tp %s (expected 1 to 1024)\n", v.c_str());
        return 1;
      }
      tp = static_cast<int>(t);
    }
    else if (a == "--quick") o.quick = true;
    else if (a == "--device") {
      const std::string v = value("--device");
      char* end = nullptr;
      long d = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || d < 0) {
        std::fprintf(stderr, "dssim-microbench: bad --device %s\n", v.c_str());
        return 1;
      }
      o.device = static_cast<int>(d);
    } else if (a == "--sections") {
      const std::string v = value("--sections");
      o.sections.clear();
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string s = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (std::find(kAllSections.begin(), kAllSections.end(), s) == kAllSections.end()) {
          std::fprintf(stderr, "dssim-microbench: unknown section '%s'\n%s", s.c_str(), kUsage);
          return 1;
        }
        if (std::find(o.sections.begin(), o.sections.end(), s) == o.sections.end()) o.sections.push_back(s);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "dssim-microbench: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 1;
    }
  }

  if (tp != 1 && model.empty()) {
    std::fprintf(stderr, "dssim-microbench: --tp needs --model\n%s", kUsage);
    return 1;
  }
  std::vector<mb::Shape> shapes = mb::default_gemm_shapes();
  if (!o.model_shapes.empty() && !mb::read_model_shapes(o.model_shapes, shapes)) return 1;
  if (!model.empty() && !mb::model_card_shapes(model, tp, shapes)) return 1;
  // One row per (N, K): a model's layer that matches a default shape is that shape (timing it twice
  // would waste the budget, and the fit's leave-one-shape-out check would see it in both halves).
  std::vector<mb::Shape> unique;
  for (const auto& sh : shapes)
    if (std::none_of(unique.begin(), unique.end(), [&](const mb::Shape& u) { return u.n == sh.n && u.k == sh.k; }))
      unique.push_back(sh);
  shapes.swap(unique);
  if (list_shapes) {
    std::printf("layer,N,K\n");
    for (const auto& sh : shapes) std::printf("%s,%lld,%lld\n", sh.layer.c_str(), sh.n, sh.k);
    return 0;
  }
  if (o.out_dir.empty()) {
    std::fprintf(stderr, "dssim-microbench: --out DIR is required\n%s", kUsage);
    return 1;
  }
  if (!mkdirs(o.out_dir)) {
    std::fprintf(stderr, "dssim-microbench: cannot create %s: %s\n", o.out_dir.c_str(), std::strerror(errno));
    return 1;
  }
  auto want = [&](const char* s) { return std::find(o.sections.begin(), o.sections.end(), s) != o.sections.end(); };

  mb::open_log(o.out_dir + "/probe_log.txt");
  int ndev = 0;
  cudaError_t e = cudaGetDeviceCount(&ndev);
  if (e != cudaSuccess || ndev == 0) {
    mb::log("no CUDA device: %s", e != cudaSuccess ? cudaGetErrorString(e) : "device count 0");
    mb::close_log();
    return 1;
  }
  if (o.device >= ndev) {
    mb::log("--device %d: only %d CUDA devices", o.device, ndev);
    mb::close_log();
    return 1;
  }
  e = cudaSetDevice(o.device);
  if (e != cudaSuccess) {
    mb::log("cudaSetDevice(%d): %s", o.device, cudaGetErrorString(e));
    mb::close_log();
    return 1;
  }
  char pci[64] = {0};
  CK_WARN(cudaDeviceGetPCIBusId(pci, sizeof pci, o.device));

  // NVML trace for the whole run (as probe.py's nvidia-smi sampler), every 250 ms.
  mb::Nvml nvml;
  if (nvml.load(pci)) nvml.start_trace(o.out_dir + "/nvidia_smi_trace.csv", 250);
  else mb::log("warning: NVML not available, nvidia_smi_trace.csv not written");

  section("env", [&] { write_device_json(o, nvml, pci); });
  {
    std::unique_ptr<mb::Csv> bw;
    if (want("bandwidth") || want("pcie") || want("p2p"))
      bw = std::make_unique<mb::Csv>(o.out_dir + "/bandwidth.csv", "kind,bytes,seconds,GBps");
    if (want("bandwidth")) section("membw", [&] { mb::run_bandwidth(o, *bw); });
    if (want("pcie")) section("pcie", [&] { mb::run_pcie(o, *bw); });
    if (want("p2p")) section("p2p", [&] { mb::run_p2p(o, *bw); });
  }
  if (want("gemm")) section("gemm", [&] { mb::run_gemm(o, shapes); });
  if (want("attention")) section("attention", [&] { mb::run_attention(o); });
  if (want("elementwise")) section("elementwise", [&] { mb::run_elementwise(o); });
  if (want("power")) section("thermal", [&] { mb::run_power(o); });

  nvml.stop_trace();
  mb::log("DONE total %.1fs", mb::since_start());
  mb::close_log();
  return 0;
}
