#pragma once
#include <string>

namespace dssim {

// A machine: GPUs of one kind, how they talk to each other and to the host.
struct NodeSpec {
  std::string id, name, gpu, interconnect, source, file;  // interconnect: "nvswitch" | "pcie"
  std::string gpu_where;  // "file:line: key 'gpu'", for errors about that GPU
  int gpu_count = 1;
  double pcie_latency_s = 1e-6;
  double nvlink_latency_s = 0.7e-6;
  int host_cores = 16;
  double host_power_w = 0;  // CPUs, memory, switches, NICs, fans, PSU losses: drawn whenever the node is on
  bool host_power_estimated = false;

  // PCIe tree. 0: every GPU has its own x16 link straight to the host root complex. N > 0: GPUs are split
  // evenly in index order over N switches (GPU j under switch j * N / gpu_count), each with one uplink
  // to the host of `pcie_switch_uplink_Bps` per direction. The switch's own latency is inside pcie_latency_s.
  int pcie_switches = 0;
  double pcie_switch_uplink_Bps = 0;

  // Inter-node network (file keys nic_Gbps, nic_latency_us, nics, network_name). nic_Bps = 0: no network,
  // the node cannot be used in a multi-node platform. Per NIC and per direction, in bytes/s.
  double nic_Bps = 0;
  double nic_latency_s = 2e-6;
  std::string nics = "per_node";  // "per_gpu": one NIC per GPU | "per_node": one NIC for the whole node
  std::string network_name;

  // CXL memory expanders (file keys cxl_expanders, cxl_GBps, cxl_memory_gib, cxl_latency_ns): memory
  // behind the host's root complex on CXL links. Offloaded weights and KV placed there ([memory]
  // host_memory = "cxl") reach a GPU over the expanders' links, shared by every GPU of the node, then
  // the GPU's own PCIe path. Per expander and per direction, in bytes/s.
  int cxl_expanders = 0;
  double cxl_Bps = 0;
  double cxl_memory_bytes = 0;  // per expander
  double cxl_latency_s = 0;
  double cxl_total_Bps() const { return cxl_expanders * cxl_Bps; }
  double cxl_capacity_bytes() const { return cxl_expanders * cxl_memory_bytes; }

  // Runtime, not from the file: how many such nodes a scenario uses.
  int node_count = 1;
  double host_memory_bytes = 0;  // per node (file key host_memory_gib); 0: not stated
  double ssd_read_Bps = 0;       // the node's local SSDs together (file key ssd_read_GBps); 0: not stated
  int total_gpus() const { return gpu_count * node_count; }
  // Every node of the platform draws its own host power.
  double platform_host_power_w() const { return host_power_w * node_count; }
  bool has_network() const { return nic_Bps > 0; }
  bool nic_per_gpu() const { return nics == "per_gpu"; }
  // The switch GPU `j` (index inside its node) hangs under; -1 without switches.
  int switch_of(int j) const { return pcie_switches > 0 ? j * pcie_switches / gpu_count : -1; }
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
