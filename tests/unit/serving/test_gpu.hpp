#pragma once
// The GPU the serving engine tests run on: no NVLink, so GPU to GPU goes up one 32 GB/s PCIe link
// and down another; iteration costs are given by the tests, so no rates beyond the bus are needed.
#include "config/gpu_card.hpp"

namespace dssim::test {

inline GpuCard bus_gpu() {
  GpuCard g;
  g.id = "test";
  g.memory_bw_Bps = 1e12;
  g.pcie_Bps_per_direction = 32e9;
  return g;
}

}  // namespace dssim::test
