#pragma once
// Runs forward passes on the SimGrid platform, kernel by kernel. Every GPU of the replica has a host
// actor that issues its kernels (the runtime's launch cost per op in eager mode, one graph launch with
// CUDA graphs) into an in-order stream, and a stream actor that executes each kernel on its GPU host.
// Communication is real transfers on the platform's links: the ranks of a collective meet at a barrier,
// the lowest rank moves the bytes (sim/comm/collectives), then all go on. Pipeline stages hand each
// micro-batch's hidden states to the next stage over the link between them; weights offloaded to host
// memory stream over PCIe ahead of the layer that needs them (two layers of buffer).
// An iteration lasts from the first stage's first issue to the last stage's result copy to the host,
// so host-bound, GPU-bound, communication-bound and pipelined passes all come out of the same run.
#include <string>
#include <vector>

#include "comm/collectives.hpp"
#include "config/gpu_card.hpp"
#include "config/node_spec.hpp"
#include "parallel/ep_routing.hpp"
#include "model/operators.hpp"

namespace dssim {

struct SimKernel {
  OpKind kind = OpKind::elementwise;
  double gpu_s = 0;   // GPU time at the nominal clock
  double host_s = 0;  // host issue time in eager mode
  double bytes = 0;   // communication: one rank's buffer
  // > 0: weights of this many bytes must have arrived from host memory before the kernel runs
  double stream_bytes = 0;
  bool combine = false;  // all-to-all back from the expert ranks (MoE combine) rather than to them
  bool node_forward = false;  // all-to-all by DeepEP's normal kernels (SimSetup::ep_touch)
};

// One micro-batch's work on one pipeline stage (every rank of the stage runs the same kernels: those
// of the busiest rank, which sets the pace at each collective).
struct SimIteration {
  std::vector<SimKernel> kernels;
  double h2d_bytes = 0;  // input ids to each GPU of the first stage
  double d2h_bytes = 0;  // sampled ids back from each GPU of the last stage
  // > 0: the step is a captured CUDA graph: one launch of this cost issues every kernel.
  double graph_launch_s = 0;
  double compute_s = 0;  // part of the kernels' GPU time paced by the SM clock (for the power model)
  double issue_s = 0;    // clock-paced too, but not tensor-core work (KernelCostModel::Costs::issue)
  double memory_bytes = 0;  // bytes the memory-paced kernels move (for the power model's memory activity)
};

// One iteration: `microbatches` micro-batches flow through the stages (stages.size() == pp).
struct SimStep {
  std::vector<SimIteration> stages;
  int microbatches = 1;
};

struct IterationResult {
  double start_s = 0, end_s = 0;
  double gpu_busy_s = 0;   // sum of kernel times on the first GPU of the first stage
  double host_busy_s = 0;  // host issue time of that GPU
  double comm_s = 0;       // time that GPU spent in collectives and stage hand-offs (waits included)
  double duration() const { return end_s - start_s; }
};

struct SimSetup {
  NodeSpec node;  // node.node_count copies of it
  GpuCard gpu;
  int ranks = 1;  // GPUs per pipeline stage (stage width)
  int tp = 0;     // GPUs per tensor-parallel group (0: all the stage's ranks)
  int pp = 1;
  comm::AllReduceAlgo allreduce = comm::AllReduceAlgo::automatic;
  double collective_step_s = 0;    // software latency per collective step (NCCL's synchronisation)
  // MoE all-to-all: the share of the dispatched tokens each rank of the stage receives (empty: even)
  std::vector<double> ep_fractions;
  // DeepEP's normal kernels (node_forward all-to-alls): where a token's experts land (per rank and
  // per node of the stage), the copies per token the kernel's bytes count, and the SMs they hold
  // while they run (of sm_count; compute beside them gets the rest).
  EpTouch ep_touch;
  int moe_topk = 0;
  int deepep_sms = 0, sm_count = 0;
  // Two-batch overlap: each GPU runs its micro-batches on this many streams at once, so one's
  // communication overlaps the other's kernels (which share the GPU). Single-stage replicas only.
  int lanes = 1;
  bool cxl_host = false;  // offloaded bytes come from the node's CXL expanders, not its CPU's memory
};

// One SimGrid engine per process: a second call in the same process throws.
std::vector<IterationResult> simulate_steps(const SimSetup& setup, const std::vector<SimStep>& steps);
// Single-stage iterations, one micro-batch each.
std::vector<IterationResult> simulate_iterations(const SimSetup& setup, const std::vector<SimIteration>& iterations);

}  // namespace dssim
