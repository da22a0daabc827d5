#pragma once
// One forward pass as the ordered list of operations a GPU stream executes (and a host issues).
// The layout follows an unfused PyTorch llama-style decoder (RMSNorm, fused QKV GEMM, RoPE as five
// element-wise ops, SDPA, fused gate/up GEMM): the implementation the reference measurements ran.
#include <string>
#include <vector>

#include "config/gpu_card.hpp"
#include "config/model_card.hpp"
#include "config/precision.hpp"
#include "parallel/layout.hpp"

namespace dssim {

// Communication kinds: allreduce and allgather (the TP group), alltoall (the stage's EP group: MoE
// dispatch/combine), p2p (to the same rank of the next pipeline stage). Their `bytes` are one rank's buffer; their time comes from the platform's links.
enum class OpKind { gemm, attention, elementwise, host_only, allreduce, alltoall, allgather, p2p };
inline bool is_communication(OpKind k) {
  return k == OpKind::allreduce || k == OpKind::alltoall || k == OpKind::allgather || k == OpKind::p2p;
}

struct Op {
  OpKind kind = OpKind::elementwise;
  std::string name;
  int layer = -1;  // -1: before the first / after the last layer
  // gemm: C[m,n] = A[m,k] W[k,n], `groups` independent GEMMs of that shape in one kernel (experts, heads)
  double m = 0, n = 0, k = 0;
  int groups = 1;
  Precision weight = Precision::bf16;  // storage of W (int4/int8/fp8 may be weight-only)
  Precision act = Precision::bf16;     // A and C
  // Weight-only quantisation (W8A16, W4A16): W is dequantised to `act` inside the GEMM, which runs on
  // the 16-bit tensor cores; false with quantised weights means a native int8/fp8 GEMM when the GPU has one.
  bool weight_only = false;
  // 2:4 structured sparsity of the weights (a decoder layer's GEMM of a sparse model): half the
  // multiply-adds on sparse tensor cores, weight bytes sparse_weight_fraction() of dense.
  bool sparse24 = false;
  // attention
  bool prefill = false, latent = false;
  int batch = 0, heads = 0, kv_heads = 0;
  double q_len = 0, kv_len = 0, qk_dim = 0, v_dim = 0;
  double kv_token_bytes = 0;  // K/V bytes the kernel reads per position per sequence
  // bytes moved (all kinds), FLOPs (gemm, attention)
  double bytes = 0, flops = 0;
  // alltoall: `bytes` are one copy per (token, expert); sent as DeepEP's normal kernels do instead
  // (once per remote node, forwarded over NVLink once per rank: parallel/ep_routing)
  bool node_forward = false;
  int host_ops = 1;  // host_only: how many CPU-only tensor ops this stands for
  // elementwise: the elements it writes when PyTorch runs it on its generic strided path (an operand
  // is a slice, a transposed view or a broadcast): per-element index arithmetic, not memory, can set
  // its pace (KernelCostModel::elementwise_time). 0: a contiguous, vectorised kernel.
  double strided_outputs = 0;
};

struct ForwardShape {
  bool prefill = true;
  int batch = 1;
  long long new_tokens = 1;  // per sequence: the prompt in prefill, 1 in decode
  long long context = 1;     // KV length each new token attends to at the end of the step
};

struct ForwardConfig {
  Precision weights = Precision::bf16;
  Precision activations = Precision::bf16;
  Precision kv_cache = Precision::bf16;
  // int8/fp8 weights: dequantise into 16-bit GEMMs instead of native int8/fp8 GEMMs (int4 always is).
  bool weight_only = false;
  // How the replica spreads over its GPUs (parallel/layout.hpp): TP splits heads and widths, experts
  // over expert-parallel ranks, data-parallel attention groups share the sequences, pipeline stages
  // hold layer ranges. The ops built are those of the busiest rank.
  ParallelLayout layout;
  // The shape's batch is already one attention group's share (the closed-form cost splits it itself);
  // false: the builder takes the busiest group's share of it.
  bool batch_per_attention_group = false;
  int stage = -1;  // the pipeline stage to build (-1: every layer, no stage boundary)
  // A serving engine's fused kernels (vLLM/SGLang-style) instead of the unfused PyTorch decoder: one RoPE
  // kernel for q and k on a cached cos/sin table, residual add fused into the next RMSNorm, SiLU-and-mul
  // in one kernel, one cache write for K and V, no output transpose, no host-side view ops.
  bool fused = false;
  // Decode attention reads each KV head once per query head that uses it (a kernel with one thread block
  // per query head, as TensorRT-LLM's masked MHA before XQA), not once per KV head: a GQA model's decode
  // then moves heads / kv_heads times the cache bytes. Prefill kernels (FMHA) read each KV head once.
  bool decode_kv_per_query_head = false;
  int attention_groups() const { return batch_per_attention_group ? 1 : layout.attention_dp(); }
};

// One GEMM op, C[m,n] = A[m,k] W[k,n] (x groups), with its FLOPs and bytes (A and C in `act`, W in `weight`).
Op make_gemm_op(const std::string& name, double m, double n, double k, Precision weight, Precision act,
                bool weight_only, int groups = 1);
// One attention kernel: `q_len` new tokens per sequence attend causally to `kv_len` positions
// (the last q_len of them new), reading `kv_bytes_per_token` of cache per position per sequence.
Op make_attention_op(bool prefill, int batch, double q_len, double kv_len, int heads, int kv_heads, double qk_dim,
                     double v_dim, bool latent, double kv_bytes_per_token, double act_bytes);
// Sets the shape-dependent fields (batch, lengths, FLOPs, bytes) of an attention op.
void set_attention_shape(Op& o, int batch, double q_len, double kv_len, double kv_bytes_per_token, double act_bytes);
// The same, keeping the op's own K/V bytes per position.
inline void set_attention_shape(Op& o, int batch, double q_len, double kv_len, double act_bytes) {
  set_attention_shape(o, batch, q_len, kv_len, o.kv_token_bytes, act_bytes);
}
// Activations run in 16-bit unless the weights are fp32: bf16 where the GPU has bf16 tensor cores, else fp16
// (a T4 or V100), fp16 with fp16 weights.
Precision activation_precision(Precision weights, const GpuCard& gpu);
std::vector<Op> build_forward(const ModelCard& m, const ForwardConfig& cfg, const ForwardShape& s);
// Expected number of distinct experts hit when `tokens` tokens each pick `k` of `e` experts uniformly.
double expected_active_experts(double tokens, int k, int e);

}  // namespace dssim
