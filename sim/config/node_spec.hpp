#pragma once
#include <string>

namespace dssim {

// A machine: GPUs of one kind, how they talk to each other and to the host.
struct NodeSpec {
  std::string id, name, gpu, interconnect, source, file;  // interconnect: "nvswitch" | "pcie"
  int gpu_count = 1;
  double pcie_latency_s = 1e-6;
  double nvlink_latency_s = 0.7e-6;
  int host_cores = 16;
  double host_power_w = 0;  // CPUs, memory, switches, NICs, fans, PSU losses: drawn whenever the node is on
  bool host_power_estimated = false;
};

NodeSpec load_node_spec(const std::string& path);
struct GpuCard;
// A node without a node file draws an estimated host power of base + per GPU (CPU, memory, fans, PSU
// losses). dssim's estimate, not a measurement: write a node file with a measured `host_power_w`.
inline constexpr double kImplicitHostBaseW = 100, kImplicitHostPerGpuW = 50;
// The node implied by `[platform] gpu = ..., count = N`: NVSwitch when the card has NVLink, else PCIe.
// A system-on-module (Jetson: form factor "module") shares its power budget with its CPU: no host draw.
NodeSpec implicit_node(const GpuCard& gpu, int count);

}  // namespace dssim
