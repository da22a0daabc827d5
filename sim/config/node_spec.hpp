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
// The node implied by `[platform] gpu = ..., count = N`: NVSwitch when the card has NVLink, else PCIe.
// `module`: a system-on-module (Jetson) whose CPU shares the module's power budget: no extra host draw.
NodeSpec implicit_node(const std::string& gpu_id, int count, bool has_nvlink, bool module = false);

}  // namespace dssim
