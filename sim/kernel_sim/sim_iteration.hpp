#pragma once
// One forward pass's operator list as the kernel-level engine runs it: each kernel's GPU time and host
// issue time, the bytes a collective puts on the wire (protocol overhead included), the clock-paced
// share, and the token ids copied in and out. The fixed-batch run and the oracle tests build it here.
#include <vector>

#include "config/runtime_profile.hpp"
#include "kernel_sim/iteration_sim.hpp"
#include "model/operators.hpp"
#include "timing/kernel_cost.hpp"

namespace dssim {

// `graph`: the pass is a captured CUDA graph, issued by one launch of the runtime's cost.
SimIteration sim_iteration(const std::vector<Op>& ops, const KernelCostModel& cost, const RuntimeProfile& rt, int batch,
                           long long new_tokens, bool graph);

}  // namespace dssim
