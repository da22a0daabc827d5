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
  return build_platform(engine, std::vector<PlatformGroup>{{&node, &gpu}});
}

Platform build_platform(sg4::Engine& engine, const std::vector<PlatformGroup>& groups) {
  if (groups.empty()) throw Error("internal: a platform of no nodes", ExitCode::internal);
  for (const PlatformGroup& gr : groups) {
    check_node(*gr.node);
    if (groups.size() > 1 && !gr.node->has_network())
      throw Error(fmt("node %s has no inter-node network (nic_Gbps): it cannot be joined to the platform's other nodes; "
                      "give its node file nic_Gbps (and nics, nic_latency_us)", gr.node->id.c_str()));
  }
  // LV08 (the default) is tuned for TCP: it inflates latency x13 and caps bandwidth by a TCP window.
  engine.set_config("network/model:CM02");
  engine.set_config("network/crosstraffic:0");
  engine.set_config("network/TCP-gamma:0");

  Platform p;
  auto* zone = sg4::create_full_zone(groups[0].node->id);
  // The first group keeps its names ("gpu3", "n2.gpu3"); a later group's are "g1.n0.gpu3".
  auto names = [](std::size_t k) { return k == 0 ? std::string() : fmt("g%zu.", k); };
  auto name_of = [&](std::size_t k, const NodeSpec& node, int n) {
    return k == 0 ? prefix(node, n) : names(k) + fmt("n%d.", n);
  };
  struct Endpoint {
    std::size_t group;
    int n, j;  // node inside its group, GPU inside its node (-1: the CPU)
    sg4::Host* host;
  };
  std::vector<Endpoint> ends;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const NodeSpec& node = *groups[k].node;
    p.group_first_gpu.push_back(static_cast<int>(p.gpus.size()));
    for (int n = 0; n < node.node_count; ++n) {
      const int flat_node = static_cast<int>(p.cpus.size());
      p.cpus.push_back(zone->create_host(name_of(k, node, n) + "cpu", kCpuSpeed)->set_core_count(node.host_cores)->seal());
      ends.push_back({k, n, -1, p.cpus.back()});
      for (int j = 0; j < node.gpu_count; ++j) {
        p.gpus.push_back(zone->create_host(name_of(k, node, n) + "gpu" + std::to_string(j), kGpuSpeed)->seal());
        p.node_of_gpu.push_back(flat_node);
        ends.push_back({k, n, j, p.gpus.back()});
      }
      p.cxls.push_back(node.cxl_expanders > 0 ? zone->create_host(name_of(k, node, n) + "cxlmem", kCpuSpeed)->seal() : nullptr);
    }
  }
  p.cpu = p.cpus[0];

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
  // A group's own links carry its prefix; between groups a flow leaves by its node's NIC and enters by
  // the other's, through the same non-blocking fabric as between the nodes of one group, or crossing a
  // later group's cluster link where it has one.
  auto in_group = [&](std::size_t k, std::vector<Hop> hops) {
    for (Hop& h : hops) h.link = names(k) + h.link;
    return hops;
  };
  auto group_nic = [&](std::size_t k, int n, int j, bool up) { return in_group(k, {nic_hop(*groups[k].node, n, j, up)}).front(); };
  for (const Endpoint& s : ends)
    for (const Endpoint& d : ends) {
      if (s.host == d.host) continue;
      std::vector<Hop> hops;
      if (s.group == d.group)
        hops = in_group(s.group, platform_route(*groups[s.group].node, *groups[s.group].gpu, s.n, s.j, d.n, d.j));
      else {
        // Out of the source's cluster by its link (UP), into the destination's by its link (DOWN).
        hops = {group_nic(s.group, s.n, s.j, true)};
        if (s.group > 0 && groups[s.group].link_Bps > 0)
          hops.push_back({names(s.group) + "cluster_link", true, groups[s.group].link_Bps, groups[s.group].link_latency_s});
        if (d.group > 0 && groups[d.group].link_Bps > 0)
          hops.push_back({names(d.group) + "cluster_link", false, groups[d.group].link_Bps, groups[d.group].link_latency_s});
        hops.push_back(group_nic(d.group, d.n, d.j, false));
      }
      zone->add_route(s.host->get_netpoint(), d.host->get_netpoint(), nullptr, nullptr, route_of(hops), false);
    }
  int flat_node = 0;
  for (std::size_t k = 0; k < groups.size(); ++k)
    for (int n = 0; n < groups[k].node->node_count; ++n, ++flat_node)
      if (sg4::Host* cxl = p.cxls[static_cast<std::size_t>(flat_node)])
        for (int j = 0; j < groups[k].node->gpu_count; ++j)
          zone->add_route(cxl->get_netpoint(),
                          p.gpus[static_cast<std::size_t>(p.group_first_gpu[k] + n * groups[k].node->gpu_count + j)]->get_netpoint(),
                          nullptr, nullptr, route_of(in_group(k, cxl_route(*groups[k].node, *groups[k].gpu, n, j))), true);
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
