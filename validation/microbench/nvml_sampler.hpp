// dssim CUDA microbenchmarks: NVML loaded at run time with dlopen (no nvml.h, no link-time
// dependency), and a host thread that samples power, temperature, clocks, utilization and
// clock-event reasons every 250 ms into nvidia_smi_trace.csv (the format of `nvidia-smi
// --query-gpu=... --format=csv,noheader,nounits`).
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace mb {

class Nvml {
 public:
  // Loads libnvidia-ml.so.1 and finds the device with this PCI bus id (from cudaDeviceGetPCIBusId);
  // false (with a warning on stderr) when the library or the device is not available.
  bool load(const std::string& pci_bus_id);
  ~Nvml();
  bool ok() const { return dev_ != nullptr; }

  // One trace line (without the newline), or "" when the power reading fails.
  std::string sample_line() const;
  static const char* header();
  std::string driver_version() const;
  double power_limit_w() const;      // NaN when unknown
  unsigned max_clock_mhz(int kind) const;  // kind: 1 = SM, 2 = memory; 0 when unknown

  void start_trace(const std::string& path, int interval_ms = 250);
  void stop_trace();

 private:
  struct Api;
  Api* api_ = nullptr;
  void* lib_ = nullptr;
  void* dev_ = nullptr;
  bool inited_ = false;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace mb
