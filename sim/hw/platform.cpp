#include "hw/platform.hpp"

#include <string>

namespace sg4 = simgrid::s4u;

namespace dssim {

Platform build_platform(sg4::Engine& engine, const NodeSpec& node, const GpuCard& gpu) {
  // LV08 (the default) is tuned for TCP: it inflates latency x13 and caps bandwidth by a TCP window.
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  engine.set_config("network/TCP-gamma:0");

  Platform p;
  auto* zone = sg4::create_full_zone(node.id);
  p.cpu = zone->create_host("cpu", kCpuSpeed)->set_core_count(node.host_cores)->seal();
  // A GPU without a PCIe path to its memory (Jetson: unified memory) copies at memory speed.
  const double pcie_bw = gpu.pcie_Bps_per_direction > 0 ? gpu.pcie_Bps_per_direction : gpu.memory_bw_Bps / 2;
  const bool nvswitch = node.interconnect == "nvswitch" && gpu.nvlink_Bps_per_direction > 0;
  std::vector<sg4::SplitDuplexLink*> pcie, nvlink;
  for (int i = 0; i < node.gpu_count; ++i) {
    p.gpus.push_back(zone->create_host("gpu" + std::to_string(i), kGpuSpeed)->seal());
    auto* l = zone->create_split_duplex_link("pcie" + std::to_string(i), pcie_bw);
    l->set_latency(node.pcie_latency_s)->seal();
    pcie.push_back(l);
    if (nvswitch) {
      auto* n = zone->create_split_duplex_link("nvlink" + std::to_string(i), gpu.nvlink_Bps_per_direction);
      n->set_latency(node.nvlink_latency_s)->seal();
      nvlink.push_back(n);
    }
  }
  using Dir = sg4::LinkInRoute::Direction;
  for (int i = 0; i < node.gpu_count; ++i) {
    zone->add_route(p.cpu->get_netpoint(), p.gpus[i]->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(pcie[i], Dir::DOWN)}, false);
    zone->add_route(p.gpus[i]->get_netpoint(), p.cpu->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(pcie[i], Dir::UP)}, false);
    for (int j = 0; j < node.gpu_count; ++j) {
      if (i == j) continue;
      auto& links = nvswitch ? nvlink : pcie;
      zone->add_route(p.gpus[i]->get_netpoint(), p.gpus[j]->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(links[i], Dir::UP), sg4::LinkInRoute(links[j], Dir::DOWN)}, false);
    }
  }
  zone->seal();
  return p;
}

}  // namespace dssim
