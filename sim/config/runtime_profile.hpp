#pragma once
#include <string>

namespace dssim {

inline constexpr const char* kDefaultRuntime = "pytorch";

// The software stack that issues kernels: host CPU time per operation (eager mode) and per CUDA-graph
// launch. GPU-side kernel costs come from the GPU's calibration, not from here.
struct RuntimeProfile {
  std::string id, name, source, file;
  double elementwise_s = 0;
  double gemm_s = 0;
  double attention_mha_s = 0;
  double attention_gqa_s = 0;
  double view_s = 0;          // a CPU-only tensor op (view, split, transpose, slice)
  double python_op_s = 0;     // each op inside a model's forward, beyond the microbenchmark floor
  double kernel_in_model_s = 0;  // GPU time of each kernel of a model's forward beyond the profile's kernel costs
  // [elementwise] strided_outputs_per_sm_cycle: elements per SM per cycle its generic strided
  // element-wise kernels write (Op::strided_outputs); 0: priced by their bytes alone
  double strided_outputs_per_sm_cycle = 0;
  double graph_launch_s = 0; // one cudaGraphLaunch replaying a whole step
  double host_speed_scale = 1.0; // >1: a faster host CPU than the reference one
  bool fused_kernels = false;    // the engine's fused kernels instead of the unfused PyTorch decoder
  // [attention] decode_kv_reads = "per_query_head": decode attention reads each KV head once per query
  // head (ForwardConfig::decode_kv_per_query_head); "per_kv_head" (the default) once.
  bool decode_kv_per_query_head = false;
  // GPU memory the stack keeps for itself: CUDA context, library workspaces, allocator slack
  double reserve_bytes = 0;
  double reserve_fraction = 0;  // of the GPU's capacity
  // Collectives (NCCL): software latency of each algorithm step on top of the links' own latency
  double collective_step_s = 0;
  // share of a link's rate a collective's payload gets (NCCL's protocol overhead)
  double collective_bandwidth_efficiency = 1.0;
  // Host-to-device copies of pinned host memory (weight / KV offload) reach this share of the link rate
  double pinned_copy_efficiency = 1.0;
};

RuntimeProfile load_runtime_profile(const std::string& path);

}  // namespace dssim
