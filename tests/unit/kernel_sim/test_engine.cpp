#include <catch2/catch.hpp>

#include "kernel_sim/iteration_sim.hpp"

using namespace dssim;

// One SimGrid engine per process: this single test case checks the engine against closed forms.
TEST_CASE("iteration engine: host-bound, GPU-bound, CUDA graph and ring all-reduce", "[engine][oracle]") {
  SimSetup setup;
  setup.node.id = "oracle";
  setup.node.gpu_count = 2;
  setup.node.interconnect = "nvswitch";
  setup.node.nvlink_latency_s = 1e-6;
  setup.gpu.memory_bw_Bps = 1e12;
  setup.gpu.pcie_Bps_per_direction = 10e9;
  setup.gpu.nvlink_Bps_per_direction = 100e9;
  setup.ranks = 2;

  auto uniform = [](int n, double host, double gpu) {
    SimIteration it;
    for (int i = 0; i < n; ++i) it.kernels.push_back(SimKernel{OpKind::elementwise, gpu, host, 0});
    return it;
  };
  std::vector<SimIteration> its;
  its.push_back(uniform(100, 10e-6, 5e-6));  // host-bound: 100 x 10 us issue, the last kernel's 5 us
  its.push_back(uniform(100, 1e-6, 10e-6));  // GPU-bound: the first 1 us issue, then 100 x 10 us
  SimIteration graph = uniform(100, 10e-6, 5e-6);
  graph.graph_launch_s = 20e-6;  // one launch, then the GPU alone
  its.push_back(graph);
  SimIteration ar;
  ar.kernels.push_back(SimKernel{OpKind::allreduce, 0, 0, 1e8});
  its.push_back(ar);
  SimIteration copy;
  copy.h2d_bytes = 1e6;  // 1 us latency + 100 us at 10 GB/s on each rank's own PCIe link
  its.push_back(copy);

  auto r = simulate_iterations(setup, its);
  REQUIRE(r.size() == 5);
  CHECK(r[0].duration() == Approx(100 * 10e-6 + 5e-6).epsilon(1e-9));
  CHECK(r[0].gpu_busy_s == Approx(100 * 5e-6));
  CHECK(r[1].duration() == Approx(1e-6 + 100 * 10e-6).epsilon(1e-9));
  CHECK(r[2].duration() == Approx(20e-6 + 100 * 5e-6).epsilon(1e-9));
  // ring over 2 GPUs: 2 steps of 50 MB over two NVLink hops (2 x 1 us latency, 100 GB/s)
  CHECK(r[3].duration() == Approx(2 * (2e-6 + 5e7 / 100e9)).epsilon(1e-9));
  // default platform latency of the PCIe link is 1 us
  CHECK(r[4].duration() == Approx(1e-6 + 1e6 / 10e9).epsilon(1e-9));
  for (std::size_t i = 1; i < r.size(); ++i) CHECK(r[i].start_s >= r[i - 1].end_s);
}
