#include "kernel_sim/sim_iteration.hpp"

namespace dssim {

SimIteration sim_iteration(const std::vector<Op>& ops, const KernelCostModel& cost, const RuntimeProfile& rt, int batch,
                           long long new_tokens, bool graph) {
  SimIteration it;
  it.kernels.reserve(ops.size());
  for (const Op& op : ops) {
    const KernelCostModel::Costs c = cost.costs(op);
    it.compute_s += c.compute;
    it.issue_s += c.issue;
    it.memory_bytes += c.memory_bytes;
    SimKernel k;
    k.kind = op.kind;
    k.gpu_s = c.gpu;
    k.host_s = cost.host_time(op, rt);
    k.bytes = is_communication(op.kind) ? op.bytes / rt.collective_bandwidth_efficiency : op.bytes;  // on the wire, protocol included
    k.combine = op.name == "moe_combine_a2a";
    k.node_forward = op.node_forward;
    it.kernels.push_back(k);
  }
  it.h2d_bytes = 8.0 * batch * static_cast<double>(new_tokens);  // int64 token ids
  it.d2h_bytes = 8.0 * batch;                                    // the sampled ids
  if (graph) it.graph_launch_s = rt.graph_launch_s / rt.host_speed_scale;
  return it;
}

}  // namespace dssim
