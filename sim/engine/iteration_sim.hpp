#pragma once
// Runs forward passes on the SimGrid platform: per tensor-parallel rank, a host actor issues the
// kernels (paying the runtime's launch cost per op in eager mode, one graph launch with CUDA graphs)
// into an in-order stream; a stream actor executes each kernel on its GPU host and the all-reduces as
// ring transfers on the links. An iteration lasts from the host's first issue to the last kernel's end
// and the result copy back to the host, so host-bound and GPU-bound passes both come out right.
#include <vector>

#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"
#include "model/operators.hpp"

namespace dssim {

struct SimKernel {
  OpKind kind = OpKind::elementwise;
  double gpu_s = 0;   // GPU time at the nominal clock
  double host_s = 0;  // host issue time in eager mode
  double bytes = 0;   // all-reduce payload
};

struct SimIteration {
  std::vector<SimKernel> kernels;
  double h2d_bytes = 0;  // input ids to each GPU
  double d2h_bytes = 0;  // sampled ids back
  // > 0: the step is a captured CUDA graph: one launch of this cost issues every kernel.
  double graph_launch_s = 0;
  double compute_s = 0;  // part of the kernels' GPU time paced by the SM clock (for the power model)
};

struct IterationResult {
  double start_s = 0, end_s = 0;
  double gpu_busy_s = 0;   // sum of kernel times on rank 0
  double host_busy_s = 0;  // host issue time on rank 0
  double duration() const { return end_s - start_s; }
};

struct SimSetup {
  NodeSpec node;
  GpuCard gpu;
  int ranks = 1;
};

// One SimGrid engine per process: a second call in the same process throws.
std::vector<IterationResult> simulate_iterations(const SimSetup& setup, const std::vector<SimIteration>& iterations);

}  // namespace dssim
