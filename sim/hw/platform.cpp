#include "hw/platform.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace sg4 = simgrid::s4u;

namespace dssim {

namespace {

// A GPU without a PCIe path to its memory (Jetson: unified memory) copies at memory speed.
double pcie_Bps(const GpuCard& gpu) { return gpu.unified_memory() ? gpu.memory_bw_Bps / 2 : gpu.pcie_Bps_per_direction; }
bool has_nvswitch(const NodeSpec& node, const GpuCard& gpu) {
  return node.interconnect == "nvswitch" && gpu.nvlink_Bps_per_direction > 0;
}
// Names stay "cpu", "gpu3", "pcie3" on a single node (as before multi-node platforms); "n2.gpu3" otherwise.
std::string prefix(const NodeSpec& node, int n) { return node.node_count > 1 ? fmt("n%d.", n) : std::string(); }

void check_node(const NodeSpec& node) {
  if (node.gpu_count < 1 || node.node_count < 1)
    throw Error(fmt("internal: node %s with %d GPUs x %d nodes", node.id.c_str(), node.gpu_count, node.node_count),
                ExitCode::internal);
  if (node.pcie_switches < 0 || node.pcie_switches > node.gpu_count ||
      (node.pcie_switches > 0 && node.pcie_switch_uplink_Bps <= 0))
    throw Error(fmt("node %s: pcie_switches = %d needs 1..gpu_count switches and an uplink bandwidth", node.id.c_str(),
                    node.pcie_switches));
  if (node.node_count > 1 && !node.has_network())
    throw Error(fmt("node %s has no inter-node network (nic_Gbps): it cannot be used %d times in one platform; "
                    "give its node file nic_Gbps (and nics, nic_latency_us)",
                    node.id.c_str(), node.node_count));
}

Hop pcie_hop(const NodeSpec& node, const GpuCard& gpu, int n, int j, bool up) {
  return {prefix(node, n) + "pcie" + std::to_string(j), up, pcie_Bps(gpu), node.pcie_latency_s};
}
// The switch's uplink carries no latency of its own: the switch's share is in pcie_latency_s.
Hop uplink_hop(const NodeSpec& node, int n, int s, bool up) {
  return {prefix(node, n) + "uplink" + std::to_string(s), up, node.pcie_switch_uplink_Bps, 0.0};
}
Hop nvlink_hop(const NodeSpec& node, const GpuCard& gpu, int n, int j, bool up) {
  return {prefix(node, n) + "nvlink" + std::to_string(j), up, gpu.nvlink_Bps_per_direction, node.nvlink_latency_s};
}
// The NIC an endpoint's traffic leaves or enters its node by: the GPU's own (per_gpu; a CPU uses NIC 0)
// or the node's one NIC (per_node).
Hop nic_hop(const NodeSpec& node, int n, int j, bool up) {
  std::string name = prefix(node, n) + (node.nic_per_gpu() ? "nic" + std::to_string(std::max(j, 0)) : "nic");
  return {name, up, node.nic_Bps, node.nic_latency_s};
}

}  // namespace

std::vector<Hop> platform_route(const NodeSpec& node, const GpuCard& gpu, int ns, int js, int nd, int jd) {
  std::vector<Hop> r;
  if (ns == nd && js == jd) return r;
  if (ns != nd) {  // between nodes: out of one NIC, through a non-blocking fabric, into the other
    r.push_back(nic_hop(node, ns, js, true));
    r.push_back(nic_hop(node, nd, jd, false));
    return r;
  }
  const int n = ns;
  if (js < 0 || jd < 0) {  // GPU <-> its node's CPU: its PCIe link, then its switch's uplink
    const bool up = js >= 0;
    const int j = up ? js : jd;
    r.push_back(pcie_hop(node, gpu, n, j, up));
    if (node.pcie_switches > 0) r.push_back(uplink_hop(node, n, node.switch_of(j), up));
    if (!up) std::reverse(r.begin(), r.end());
    return r;
  }
  if (has_nvswitch(node, gpu)) return {nvlink_hop(node, gpu, n, js, true), nvlink_hop(node, gpu, n, jd, false)};
  // PCIe peers: under one switch the switch turns the traffic around; otherwise it goes through the
  // root complex (host memory on GeForce, where P2P is disabled), up one uplink and down the other.
  r.push_back(pcie_hop(node, gpu, n, js, true));
  const int a = node.switch_of(js), b = node.switch_of(jd);
  if (node.pcie_switches > 0 && a != b) {
    r.push_back(uplink_hop(node, n, a, true));
    r.push_back(uplink_hop(node, n, b, false));
  }
  r.push_back(pcie_hop(node, gpu, n, jd, false));
  return r;
}

std::vector<Hop> cxl_route(const NodeSpec& node, const GpuCard& gpu, int n, int j) {
  std::vector<Hop> r{{prefix(node, n) + "cxl", true, node.cxl_total_Bps(), node.cxl_latency_s}};
  const std::vector<Hop> down = platform_route(node, gpu, n, -1, n, j);
  r.insert(r.end(), down.begin(), down.end());
  return r;
}

Platform build_platform(sg4::Engine& engine, const NodeSpec& node, const GpuCard& gpu) {
  check_node(node);
  // LV08 (the default) is tuned for TCP: it inflates latency x13 and caps bandwidth by a TCP window.
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  engine.set_config("network/TCP-gamma:0");

  Platform p;
  auto* zone = sg4::create_full_zone(node.id);
  const int g = node.gpu_count;
  for (int n = 0; n < node.node_count; ++n) {
    p.cpus.push_back(zone->create_host(prefix(node, n) + "cpu", kCpuSpeed)->set_core_count(node.host_cores)->seal());
    for (int j = 0; j < g; ++j)
      p.gpus.push_back(zone->create_host(prefix(node, n) + "gpu" + std::to_string(j), kGpuSpeed)->seal());
    if (node.cxl_expanders > 0) p.cxls.push_back(zone->create_host(prefix(node, n) + "cxlmem", kCpuSpeed)->seal());
  }
  p.cpu = p.cpus[0];
  auto host = [&](int n, int j) { return j < 0 ? p.cpus[n] : p.gpus[static_cast<std::size_t>(n * g + j)]; };

  std::map<std::string, sg4::SplitDuplexLink*> links;  // created on first use by a route
  using Dir = sg4::LinkInRoute::Direction;
  auto route_of = [&](const std::vector<Hop>& hops) {
    std::vector<sg4::LinkInRoute> route;
    for (const Hop& h : hops) {
      auto& l = links[h.link];
      if (!l) {
        l = zone->create_split_duplex_link(h.link, h.Bps);
        l->set_latency(h.latency_s)->seal();
      }
      route.emplace_back(l, h.up ? Dir::UP : Dir::DOWN);
    }
    return route;
  };
  for (int ns = 0; ns < node.node_count; ++ns)
    for (int js = -1; js < g; ++js)
      for (int nd = 0; nd < node.node_count; ++nd)
        for (int jd = -1; jd < g; ++jd) {
          if (ns == nd && js == jd) continue;
          zone->add_route(host(ns, js)->get_netpoint(), host(nd, jd)->get_netpoint(), nullptr, nullptr,
                          route_of(platform_route(node, gpu, ns, js, nd, jd)), false);
        }
  for (std::size_t n = 0; n < p.cxls.size(); ++n)
    for (int j = 0; j < g; ++j)
      zone->add_route(p.cxls[n]->get_netpoint(), host(static_cast<int>(n), j)->get_netpoint(), nullptr, nullptr,
                      route_of(cxl_route(node, gpu, static_cast<int>(n), j)), true);
  zone->seal();
  return p;
}

std::string shared_replica_link(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, int replicas) {
  const int per_node = node.gpu_count;
  const bool nvswitch = node.interconnect == "nvswitch" && gpu.nvlink_Bps_per_direction > 0;
  // which replicas reach beyond a node (through its NIC) or beyond a switch (through its uplink), and where
  std::map<int, int> nic_users, uplink_users;  // node or (node, switch) -> replicas using it
  for (int r = 0; r < replicas; ++r) {
    const int first = r * gpus_per_replica, last = first + gpus_per_replica - 1;
    const bool spans_nodes = first / per_node != last / per_node;
    std::set<int> nodes, switches;
    for (int g = first; g <= last; ++g) {
      nodes.insert(g / per_node);
      if (node.pcie_switches > 0) switches.insert((g / per_node) * node.pcie_switches + node.switch_of(g % per_node));
    }
    if (spans_nodes && !node.nic_per_gpu())
      for (int n : nodes) ++nic_users[n];
    if (!nvswitch && switches.size() > 1)
      for (int s : switches) ++uplink_users[s];
  }
  for (const auto& [n, users] : nic_users)
    if (users > 1) return "node " + std::to_string(n) + "'s NIC";
  for (const auto& [s, users] : uplink_users)
    if (users > 1)
      return "PCIe switch " + std::to_string(s % node.pcie_switches) + "'s uplink on node " +
             std::to_string(s / node.pcie_switches);
  return "";
}

GroupLink group_link(const NodeSpec& node, const GpuCard& gpu, const std::vector<int>& gpus) {
  GroupLink gl;
  const int g = node.gpu_count;
  bool spans = false;
  for (int x : gpus) {
    if (x < 0 || x >= node.total_gpus())
      throw Error(fmt("internal: GPU %d outside a platform of %d GPUs", x, node.total_gpus()), ExitCode::internal);
    spans = spans || x / g != gpus.front() / g;
  }
  const bool nvswitch = has_nvswitch(node, gpu);
  gl.kind = spans ? "network" : nvswitch ? "nvlink" : "pcie";
  const std::size_t p = gpus.size();
  if (p <= 1) {
    gl.Bps = nvswitch ? gpu.nvlink_Bps_per_direction : pcie_Bps(gpu);
    return gl;
  }
  // Every ring flow at once: count the flows on each directed link, keep the longest path's latency.
  std::map<std::pair<std::string, bool>, std::pair<double, int>> load;  // (link, up) -> (capacity, flows)
  for (std::size_t r = 0; r < p; ++r) {
    const int a = gpus[r], b = gpus[(r + 1) % p];
    if (a == b) throw Error(fmt("internal: GPU %d twice in a row in a group", a), ExitCode::internal);
    double latency = 0;
    const auto hops = platform_route(node, gpu, a / g, a % g, b / g, b % g);
    for (const Hop& h : hops) {
      latency += h.latency_s;
      auto& e = load[{h.link, h.up}];
      e.first = h.Bps;
      ++e.second;
    }
    gl.latency_s = std::max(gl.latency_s, latency);
    gl.hops = std::max(gl.hops, static_cast<int>(hops.size()));
  }
  gl.Bps = std::numeric_limits<double>::infinity();
  for (const auto& [key, e] : load) gl.Bps = std::min(gl.Bps, e.first / e.second);
  return gl;
}

}  // namespace dssim
