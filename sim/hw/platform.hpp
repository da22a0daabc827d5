#pragma once
// The SimGrid platform of `node_count` identical nodes in one full zone: per node a host CPU, GPU hosts,
// full-duplex PCIe links (optionally under PCIe switches with one uplink each), on NVSwitch nodes one
// full-duplex NVLink port per GPU into the switch, and NICs (one per GPU or one per node) into a
// non-blocking fabric between nodes. Bus semantics (CM02, no TCP factors) so a copy takes
// latency + bytes / bandwidth and concurrent copies share links max-min fairly. See docs/collectives.md.
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"

namespace dssim {

// Work units: a host or GPU exec of `seconds * speed` flops lasts `seconds` at the nominal pstate.
inline constexpr double kCpuSpeed = 1e9;
inline constexpr double kGpuSpeed = 1e12;

struct Platform {
  simgrid::s4u::Host* cpu = nullptr;        // cpus[0], for single-node callers
  std::vector<simgrid::s4u::Host*> cpus;    // one per node, the groups' nodes in order
  std::vector<simgrid::s4u::Host*> gpus;    // flat: GPU j of node n is gpus[n * gpu_count + j] (in one group)
  std::vector<simgrid::s4u::Host*> cxls;    // one per node: where its CXL-resident bytes come from (null: no expanders)
  std::vector<int> node_of_gpu;             // flat GPU index -> flat node index (cpus, cxls)
  std::vector<int> group_first_gpu;         // each group's first flat GPU index
};

// Must run after the Engine exists and before any actor; sets the bus network model first.
// Builds node.node_count copies of `node`; throws Error when several nodes have no network (nic_Gbps).
Platform build_platform(simgrid::s4u::Engine& engine, const NodeSpec& node, const GpuCard& gpu);
// Nodes of different kinds (prefill and decode pools on their own hardware): each group is
// node_count copies of its node, its routes as build_platform's; between groups a flow leaves by
// its node's NIC and enters by the other's through the same non-blocking fabric. Every group needs
// a network. GPUs, CPUs and expanders are numbered group after group.
struct PlatformGroup {
  const NodeSpec* node = nullptr;
  const GpuCard* gpu = nullptr;
  // A later group's cluster joins the first group's by this link (per direction, shared by every flow
  // between them; a datacentre interconnect). 0: both are on one non-blocking fabric.
  double link_Bps = 0;
  double link_latency_s = 0;
};
Platform build_platform(simgrid::s4u::Engine& engine, const std::vector<PlatformGroup>& groups);

// One directed use of a full-duplex link on a route (pure description, no engine needed).
struct Hop {
  std::string link;  // SimGrid link name, e.g. "pcie3", "uplink1", "nic" ("n2.pcie3" on multi-node platforms)
  bool up = true;    // UP: away from the GPU / out of the node; DOWN: towards it
  double Bps = 0;    // per direction
  double latency_s = 0;
};
// The links from endpoint (node n_src, GPU j_src) to (n_dst, j_dst); j = -1 names the node's CPU.
// build_platform adds exactly these routes, so closed forms and the simulation see the same paths.
std::vector<Hop> platform_route(const NodeSpec& node, const GpuCard& gpu, int n_src, int j_src, int n_dst, int j_dst);
// From node n's CXL expanders to its GPU j: the expanders' link (all of them together, shared by the
// node's GPUs), then the way host memory reaches the GPU (the switch uplink, the GPU's PCIe link).
std::vector<Hop> cxl_route(const NodeSpec& node, const GpuCard& gpu, int n, int j);

// The bottleneck of a ring over `gpus` (flat indices as in Platform::gpus, in ring order), for closed-form
// cost models. kind: "network" when the group spans nodes, else "nvlink" on NVSwitch nodes, else "pcie".
// Bps: the smallest rate a flow of the ring gets when all its flows (member r -> member r+1, and the
// last back to the first) run at once on an otherwise idle platform: min over the directed links they
// cross of capacity / number of ring flows on it (max-min sharing; for rings in index order this is the
// bandwidth ONE flow would get, e.g. min(pcie, uplink) across two switches). latency_s and hops: the
// largest end-to-end latency and link count between consecutive members. A group of one GPU gets
// the GPU's own link (NVLink or PCIe) and zero latency.
struct GroupLink {
  double Bps = 0;
  double latency_s = 0;
  int hops = 0;
  std::string kind;  // "nvlink" | "pcie" | "network"
};
GroupLink group_link(const NodeSpec& node, const GpuCard& gpu, const std::vector<int>& gpus);

// Replicas of `gpus_per_replica` consecutive GPUs whose peer traffic crosses a link another replica's also
// crosses: a per-node NIC two replicas spanning nodes both use, or (on PCIe nodes) a switch uplink two
// replicas spanning switches both use. Names the first such link ("" when every replica's links are its own).
std::string shared_replica_link(const NodeSpec& node, const GpuCard& gpu, int gpus_per_replica, int replicas);

}  // namespace dssim
