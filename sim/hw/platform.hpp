#pragma once
// The SimGrid platform of one node: a host CPU, GPU hosts, full-duplex PCIe links through the host and,
// on NVSwitch nodes, one full-duplex NVLink port per GPU into the switch. Bus semantics (CM02, no TCP
// factors) so a copy takes latency + bytes / bandwidth and concurrent copies share links max-min fairly.
#include <simgrid/s4u.hpp>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"

namespace dssim {

// Work units: a host or GPU exec of `seconds * speed` flops lasts `seconds` at the nominal pstate.
inline constexpr double kCpuSpeed = 1e9;
inline constexpr double kGpuSpeed = 1e12;

struct Platform {
  simgrid::s4u::Host* cpu = nullptr;
  std::vector<simgrid::s4u::Host*> gpus;
};

// Must run after the Engine exists and before any actor; sets the bus network model first.
Platform build_platform(simgrid::s4u::Engine& engine, const NodeSpec& node, const GpuCard& gpu);

}  // namespace dssim
