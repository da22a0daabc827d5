#include "config/node_spec.hpp"

#include "config/gpu_card.hpp"
#include "config/toml_table.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace dssim {

NodeSpec load_node_spec(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  NodeSpec n;
  n.file = path;
  n.id = t.get_string("id");
  n.name = t.get_string("name");
  n.gpu = t.get_string("gpu");
  n.gpu_where = t.where("gpu");
  n.gpu_count = static_cast<int>(t.get_int("gpu_count", 1, 4096));
  n.interconnect = t.get_choice("interconnect", {"nvswitch", "pcie"});
  n.source = t.opt_string("source").value_or("");
  n.pcie_latency_s = t.opt_number("pcie_latency_us", 0, 1e6).value_or(1.0) * 1e-6;
  n.nvlink_latency_s = t.opt_number("nvlink_latency_us", 0, 1e6).value_or(0.7) * 1e-6;
  n.host_cores = static_cast<int>(t.opt_int("host_cores", 1, 100000).value_or(16));
  n.host_memory_bytes = t.opt_number("host_memory_gib", 1, 1e7).value_or(0.0) * 1024.0 * 1024.0 * 1024.0;
  n.ssd_read_Bps = t.opt_number("ssd_read_GBps", 0.01, 1e5).value_or(0.0) * 1e9;
  n.host_power_w = t.get_number("host_power_w", 0, 1e6);

  n.pcie_switches = static_cast<int>(t.opt_int("pcie_switches", 0, 4096).value_or(0));
  auto uplink = t.opt_number("pcie_switch_uplink_GBps", 1e-6, 1e6);
  if (n.pcie_switches > 0) {
    if (!uplink) throw Error(fmt("%s: pcie_switches = %d needs pcie_switch_uplink_GBps (per direction)", path.c_str(), n.pcie_switches));
    if (n.pcie_switches > n.gpu_count || n.gpu_count % n.pcie_switches != 0)
      throw Error(fmt("%s: %d GPUs do not split evenly over pcie_switches = %d", t.where("pcie_switches").c_str(),
                      n.gpu_count, n.pcie_switches));
    n.pcie_switch_uplink_Bps = *uplink * 1e9;
  } else if (uplink) {
    throw Error(fmt("%s: set pcie_switches > 0 or remove it (0 switches: no uplink)", t.where("pcie_switch_uplink_GBps").c_str()));
  }

  n.cxl_expanders = static_cast<int>(t.opt_int("cxl_expanders", 0, 64).value_or(0));
  const auto cxl_rate = t.opt_number("cxl_GBps", 1e-3, 1e5), cxl_mem = t.opt_number("cxl_memory_gib", 1, 1e6);
  const auto cxl_lat = t.opt_number("cxl_latency_ns", 0, 1e6);
  if (n.cxl_expanders > 0) {
    if (!cxl_rate || !cxl_mem)
      throw Error(fmt("%s: cxl_expanders = %d needs cxl_GBps (per expander and direction) and cxl_memory_gib (per expander)",
                      t.where("cxl_expanders").c_str(), n.cxl_expanders));
    n.cxl_Bps = *cxl_rate * 1e9;
    n.cxl_memory_bytes = *cxl_mem * 1024.0 * 1024.0 * 1024.0;
    n.cxl_latency_s = cxl_lat.value_or(0) * 1e-9;
  } else {
    for (const char* k : {"cxl_GBps", "cxl_memory_gib", "cxl_latency_ns"})
      if (t.has(k)) throw Error(fmt("%s: set cxl_expanders > 0 or remove it (no CXL expander)", t.where(k).c_str()));
  }

  auto nic = t.opt_number("nic_Gbps", 1e-6, 1e9);
  n.nic_Bps = nic.value_or(0) * 1e9 / 8;  // vendors state gigabits/s
  n.nic_latency_s = t.opt_number("nic_latency_us", 0, 1e6).value_or(2.0) * 1e-6;
  if (t.has("nics")) n.nics = t.get_choice("nics", {"per_gpu", "per_node"});
  n.network_name = t.opt_string("network_name").value_or("");
  if (!nic)
    for (const char* k : {"nic_latency_us", "nics", "network_name"})
      if (t.has(k)) throw Error(fmt("%s: the node has no network without nic_Gbps", t.where(k).c_str()));
  t.finish();
  return n;
}

NodeSpec implicit_node(const GpuCard& gpu, int count) {
  const std::string& gpu_id = gpu.id;
  const bool has_nvlink = gpu.nvlink_Bps_per_direction > 0;
  const bool module = gpu.form_factor.find("module") != std::string::npos;
  NodeSpec n;
  n.id = count == 1 ? "1x-" + gpu_id : std::to_string(count) + "x-" + gpu_id;
  n.name = std::to_string(count) + "x " + gpu_id + (has_nvlink && count > 1 ? " (NVSwitch)" : " (PCIe host)");
  n.gpu = gpu_id;
  n.gpu_count = count;
  n.interconnect = has_nvlink && count > 1 ? "nvswitch" : "pcie";
  n.host_power_w = module ? 0.0 : kImplicitHostBaseW + kImplicitHostPerGpuW * count;
  n.host_power_estimated = true;
  return n;
}

}  // namespace dssim
