#include "config/node_spec.hpp"

#include "config/gpu_card.hpp"
#include "config/toml_table.hpp"

namespace dssim {

NodeSpec load_node_spec(const std::string& path) {
  auto doc = TomlTable::parse_file(path);
  TomlTable t(*doc, path, "");
  NodeSpec n;
  n.file = path;
  n.id = t.get_string("id");
  n.name = t.get_string("name");
  n.gpu = t.get_string("gpu");
  n.gpu_count = static_cast<int>(t.get_int("gpu_count", 1, 4096));
  n.interconnect = t.get_choice("interconnect", {"nvswitch", "pcie"});
  n.source = t.opt_string("source").value_or("");
  n.pcie_latency_s = t.opt_number("pcie_latency_us", 0, 1e6).value_or(1.0) * 1e-6;
  n.nvlink_latency_s = t.opt_number("nvlink_latency_us", 0, 1e6).value_or(0.7) * 1e-6;
  n.host_cores = static_cast<int>(t.opt_int("host_cores", 1, 100000).value_or(16));
  n.host_power_w = t.get_number("host_power_w", 0, 1e6);
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
